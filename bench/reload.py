"""Benchmark: validate and reload national-scale content while newcomers are answered.

Generates the national corpus of ``bench/gen_corpus.py`` (1,000 municipalities ×
30 entries + 500 national entries, 8 languages), then reports:

- full validate time (``load_content``, cold, what ``newcomer-bot validate`` does);
- reload time of the running bot (load + validate + search index, in a worker
  thread): a cold reload (every file read again) and the everyday reload after an
  editor changed one file (the loader's per-file cache);
- a newcomer's reply latency (update pushed → handled) p50/p99 while a reload
  runs (20 updates/s), against the same latency with no reload.

Targets (issue: content editors): reload ≤ 15 s, reply p99 during reload ≤ 100 ms.
Run: ``.venv/bin/python bench/reload.py`` (about a minute and a half).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_corpus import generate
from bot.content.load import load_content
from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox

RELOAD_TARGET_S = 15.0
P99_TARGET_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


#: Newcomers' updates during a reload: one every 50 ms (20/s), far above what a
#: municipal bot sees, yet leaving the reload thread room to work.
REPLY_INTERVAL_S = 0.05


async def replies_during(sandbox: Sandbox, user_id: int, busy: asyncio.Future | None, n: int):
    """Latencies (ms) of up to ``n`` menu requests, one every REPLY_INTERVAL_S seconds,
    while ``busy`` runs (pacing only; each request waits for its own answer)."""
    latencies = []
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    for i in range(n):
        next_at += REPLY_INTERVAL_S
        await asyncio.sleep(max(0.0, next_at - loop.time()))
        if busy is not None and busy.done():
            break
        payload = (
            sandbox.updates.callback(user_id, "menu", message_id=1)
            if i % 2
            else sandbox.updates.message(user_id, "/menu")
        )
        started = time.perf_counter()
        await sandbox.send(payload, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def main_async(args: argparse.Namespace) -> int:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        started = time.perf_counter()
        corpus = generate(root, args.municipalities, args.per_municipality, args.national, 8)
        print(f"corpus: {args.municipalities} municipalities × {args.per_municipality} + "
              f"{args.national} national entries, 8 languages "
              f"(generated in {time.perf_counter() - started:.1f} s)")  # fmt: skip

        started = time.perf_counter()
        content = load_content(root)
        validate_s = time.perf_counter() - started
        print(
            f"full validate (cold):            {validate_s:6.1f} s  ({len(content.entries)} entries)"
        )
        del content

        sandbox = await Sandbox.create(
            Snapshot.load(root),
            database=Path(tmp) / "bot.sqlite3",
            settings={"content_dir": root, "watch_content": False},
        )
        try:
            reloader = sandbox.application.bot_data.reloader
            user = 77
            municipality = corpus.municipalities[0].id
            await sandbox.storage.save_user(
                user, language="ar", municipality=municipality, asked_subscribe=True
            )
            baseline = await replies_during(sandbox, user, None, args.replies)

            # Cold reload (nothing cached yet) with newcomers being answered meanwhile.
            reload_task = asyncio.ensure_future(reloader.reload())
            during_cold = await replies_during(sandbox, user, reload_task, 10_000)
            cold = await reload_task
            # An editor changes one entry; the everyday reload.
            first = sorted((root / "regions").glob("*/entries/*.yaml"))[0]
            first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
            reload_task = asyncio.ensure_future(reloader.reload())
            during_warm = await replies_during(sandbox, user, reload_task, 10_000)
            warm = await reload_task
        finally:
            await sandbox.close()

    assert cold.ok and warm.ok, (cold.problems[:3], warm.problems[:3])
    during = during_cold + during_warm
    print(
        f"reload, cold (every file):       {cold.seconds:6.1f} s  target ≤ {RELOAD_TARGET_S:.0f} s  "
        f"{'OK' if cold.seconds <= RELOAD_TARGET_S else 'MISSED'}"
    )
    print(
        f"reload after one file changed:   {warm.seconds:6.1f} s  target ≤ {RELOAD_TARGET_S:.0f} s  "
        f"{'OK' if warm.seconds <= RELOAD_TARGET_S else 'MISSED'}"
    )
    print(
        f"reply latency, no reload:        p50 {statistics.median(baseline):6.1f} ms  "
        f"p99 {percentile(baseline, 0.99):6.1f} ms  ({len(baseline)} replies)"
    )
    p99 = percentile(during, 0.99)
    print(f"reply latency during reloads:    p50 {statistics.median(during):6.1f} ms  "
          f"p99 {p99:6.1f} ms  ({len(during)} replies)  target p99 ≤ {P99_TARGET_MS:.0f} ms  "
          f"{'OK' if p99 <= P99_TARGET_MS else 'MISSED'}")  # fmt: skip
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1000)
    parser.add_argument("--per-municipality", type=int, default=30)
    parser.add_argument("--national", type=int, default=500)
    parser.add_argument("--replies", type=int, default=300, help="baseline replies")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
