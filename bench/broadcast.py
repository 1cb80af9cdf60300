"""Benchmark: announcement delivery at the 30/s default cap and at 1000/s.

In: nothing but the demo content in ``content/`` (and optional flags below).
Out: a printed report, exit code 0 whatever the figures (the targets are printed
beside them, with whether they are met).

For each rate the real bot runs as :class:`bot.devtools.sandbox.Sandbox` (the Application
from :func:`bot.app.build_application`, whose ``post_init`` starts the
:class:`bot.delivery.worker.DeliveryWorker` at ``broadcast_rate``) against the local
Bot API stand-in. Subscribers are written straight into the bot's SQLite
database with ``Storage.save_user`` (Remich and Grevenmacher, six languages),
one announcement with ``Storage.create_announcement``, then the worker is woken
and the run lasts until every outbox row is handled. Meanwhile a newcomer talks
to the bot every 100 ms (/start, menu, category and entry taps, questions) and
each reply's latency is taken from the push of the update until the bot has
processed it.

Figures: the rate of sendMessage calls to subscribers as the stand-in recorded
them (monotonic timestamps), over the whole run and without its first second;
the largest number of calls in any one-second window ``[t, t + 1)`` starting at
a call; duplicates and losses (from the calls, and the outbox rows in the
database); the bot process's resident memory at start, middle and end; the
newcomer's reply latency (with the stand-in in its own process this includes
handing the update over to it, one loopback HTTP request); the CPU used by the
bot's process and by the stand-in.

Usage (from the repository root)::

    .venv/bin/python bench/broadcast.py [--count N] [--rates 30,1000] [--server process]

``--count`` defaults to 10,000 subscribers for the 1000/s run and to 1,500 for
the 30/s run (10,000 at 30/s would take 333 s; 1,500 take about 50 s).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import itertools
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/broadcast.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bench.updates import (  # noqa: E402
    ErrorCounter,
    RemoteFakeBotApi,
    machine_summary,
    percentile,
    run_main,
    start_api,
    verdict,
)
from bot.content.snapshot import Snapshot  # noqa: E402
from bot.devtools.fake_bot_api import FakeBotApi  # noqa: E402
from bot.devtools.sandbox import Sandbox  # noqa: E402

DEFAULT_COUNTS = {30.0: 1500, 1000.0: 10_000}
TARGET_SUSTAINED = {30.0: 28.0, 1000.0: 900.0}
TARGET_LATENCY_P99_MS = 200.0
#: "Memory flat": the bot's RSS at the end at most this much above the middle of the run
#: (from the start to the middle it also warms up: connection pool, SQLite page cache).
FLAT_RSS_GROWTH = 0.05

LANGUAGES = ("ar", "uk", "de", "fa", "fr", "en")
TARGETS = ("remich", "grevenmacher")
TEXTS = {
    "fr": "Nouveau cours de français gratuit lundi à 18h à la mairie.",
    "de": "Neuer kostenloser Französischkurs am Montag um 18 Uhr im Rathaus.",
    "ar": "دورة جديدة مجانية في اللغة الفرنسية يوم الإثنين الساعة 18 في البلدية.",
    "uk": "Новий безкоштовний курс французької в понеділок о 18:00 у мерії.",
}
NEWCOMER = 42
SUBSCRIBER_BASE = 60_000_000


@dataclasses.dataclass
class Result:
    """What one broadcast run measured (times in seconds, memory in bytes)."""

    rate: float
    count: int
    recipients: int
    duration: float
    send_times: list[float]
    per_chat: collections.Counter
    db_counts: dict[str, int]
    rss: dict[str, int]
    rss_max: int
    latencies: list[float]
    newcomer_failures: int
    worker_concurrency: int
    finished: bool
    cpu: float
    server_cpu: float | None


async def add_subscribers(sandbox: Sandbox, count: int) -> None:
    """``count`` subscribed users in Remich and Grevenmacher, in one transaction."""
    storage = sandbox.storage
    async with storage.transaction():
        for i in range(count):
            await storage.save_user(
                SUBSCRIBER_BASE + i,
                language=LANGUAGES[i % len(LANGUAGES)],
                municipality=TARGETS[i % len(TARGETS)],
                subscribed=True,
                asked_subscribe=True,
            )


async def newcomer_session(
    sandbox: Sandbox, snapshot: Snapshot, stop: asyncio.Event
) -> tuple[list[float], int]:
    """A newcomer's update every ~100 ms until ``stop``; returns the latencies of the
    replies (push to processed, seconds) and the number that failed or timed out."""
    box = sandbox
    menu = 2  # /start sent the welcome (1) and the municipality picker (2), now the menu
    entries = [
        e.id for e in snapshot.content.entries_for("remich", box.application.bot_data.today())
    ]
    categories = list(snapshot.content.categories)
    steps = itertools.cycle(("start", "menu", "category", "entry", "question"))
    latencies: list[float] = []
    failures = 0
    started = time.monotonic()
    for tick in itertools.count(1):
        if stop.is_set():
            break
        step = next(steps)
        if step == "start":
            payload = box.updates.message(NEWCOMER, "/start", language_code="de")
        elif step == "menu":
            payload = box.updates.callback(NEWCOMER, "menu", message_id=menu, language_code="de")
        elif step == "category":
            data = f"cat:{categories[tick % len(categories)]}:0"
            payload = box.updates.callback(NEWCOMER, data, message_id=menu, language_code="de")
        elif step == "entry":
            data = f"e:{entries[tick % len(entries)]}"
            payload = box.updates.callback(NEWCOMER, data, message_id=menu, language_code="de")
        else:
            payload = box.updates.message(NEWCOMER, "Deutschkurs", language_code="de")
        pushed = time.perf_counter()
        try:
            await box.send(payload, timeout=5.0)
            latencies.append(time.perf_counter() - pushed)
        except TimeoutError:
            failures += 1
        # Pacing of the load, not synchronisation: the next update is due 100 ms
        # after the previous one was due (sooner if a reply took longer).
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, started + tick * 0.1 - time.monotonic())):
                await stop.wait()
    return latencies, failures


async def sends_of(api: FakeBotApi | RemoteFakeBotApi) -> list[tuple[int, float]]:
    """``(chat_id, monotonic time)`` of every sendMessage the stand-in received."""
    if isinstance(api, RemoteFakeBotApi):
        return await api.sends()
    return [(c.chat_id, c.at) for c in api.calls if c.method == "sendMessage"]


async def run_rate(
    rate: float, count: int, snapshot: Snapshot, server: str, workdir: Path, errors: ErrorCounter
) -> Result:
    """One broadcast of ``count`` messages at ``rate``/s with the newcomer talking meanwhile."""
    process = psutil.Process()
    api = await start_api(server, record=True)
    sandbox = await Sandbox.create(
        snapshot,
        database=workdir / f"rate-{rate:g}.sqlite3",
        api=api,
        settings={"broadcast_rate": rate},
    )
    stop_newcomer = asyncio.Event()
    newcomer: asyncio.Task | None = None
    errors.active = True
    try:
        await add_subscribers(sandbox, count)
        await sandbox.text(NEWCOMER, "/start", language_code="de")
        await sandbox.tap(NEWCOMER, "mun:remich", 2, language_code="de")
        worker = sandbox.application.bot_data.delivery
        storage = sandbox.storage
        rss = {"start": process.memory_info().rss}
        rss_max = rss["start"]
        now = time.time()
        announcement_id, recipients = await storage.create_announcement(
            author_id=1,
            region="miselerland",
            default_language="fr",
            targets=list(TARGETS),
            texts=TEXTS,
            send_at=now,
            now=now,
        )
        server = psutil.Process(api.pid) if isinstance(api, RemoteFakeBotApi) else None
        cpu_before = _cpu_seconds(process)
        server_cpu_before = _cpu_seconds(server) if server else 0.0
        started = time.perf_counter()
        worker.wake()
        newcomer = asyncio.create_task(newcomer_session(sandbox, snapshot, stop_newcomer))
        # Watch progress every 250 ms (a benchmark monitor, not synchronisation):
        # sample memory, note the middle, stop once no outbox row is pending (the
        # database, not the worker's counters: a row sent twice counts twice there).
        deadline = started + count / rate * 1.5 + 60
        finished = False
        while time.perf_counter() < deadline:
            counts = await storage.delivery_counts(announcement_id)
            rss_now = process.memory_info().rss
            rss_max = max(rss_max, rss_now)
            if "middle" not in rss and counts["sent"] >= recipients / 2:
                rss["middle"] = rss_now
            if counts["pending"] == 0:
                finished = True
                break
            await asyncio.sleep(0.25)
        duration = time.perf_counter() - started
        cpu = (_cpu_seconds(process) - cpu_before) / duration
        server_cpu = (_cpu_seconds(server) - server_cpu_before) / duration if server else None
        rss["end"] = process.memory_info().rss
        stop_newcomer.set()
        latencies, failures = await newcomer
        subscribers = set(range(SUBSCRIBER_BASE, SUBSCRIBER_BASE + count))
        sends = [(c, t) for c, t in await sends_of(api) if c in subscribers]
        db_counts = await storage.delivery_counts(announcement_id)
        return Result(
            rate=rate,
            count=count,
            recipients=recipients,
            duration=duration,
            send_times=sorted(t for _, t in sends),
            per_chat=collections.Counter(c for c, _ in sends),
            db_counts=db_counts,
            rss=rss,
            rss_max=rss_max,
            latencies=latencies,
            newcomer_failures=failures,
            worker_concurrency=worker.concurrency,
            finished=finished,
            cpu=cpu,
            server_cpu=server_cpu,
        )
    finally:
        errors.active = False
        stop_newcomer.set()
        if newcomer is not None and not newcomer.done():
            newcomer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await newcomer
        await sandbox.close()  # stops the stand-in too


def _cpu_seconds(process: psutil.Process) -> float:
    """User and system CPU time of ``process`` (all its threads) so far."""
    times = process.cpu_times()
    return times.user + times.system


def max_window(times: list[float], width: float = 1.0) -> int:
    """Largest number of ``times`` (sorted) in any window ``[t, t + width)`` starting at one."""
    best, j = 0, 0
    for i, start in enumerate(times):
        j = max(j, i)
        while j < len(times) and times[j] < start + width:
            j += 1
        best = max(best, j - i)
    return best


def sustained(times: list[float]) -> float:
    """Messages per second between the first and the last of ``times`` (sorted)."""
    if len(times) < 2 or times[-1] <= times[0]:
        return float("nan")
    return (len(times) - 1) / (times[-1] - times[0])


def report(result: Result) -> None:
    """Print one run's figures with the targets beside them."""
    times = result.send_times
    rate = result.rate
    overall = sustained(times)
    later = sustained([t for t in times if times and t >= times[0] + 1.0])
    window = max_window(times)
    duplicates = {c: n for c, n in result.per_chat.items() if n > 1}
    unsent = result.recipients - len(result.per_chat)
    pending = result.db_counts["pending"]
    lost = unsent if result.finished else unsent - pending
    mb = {k: v / 2**20 for k, v in result.rss.items()}
    middle = result.rss.get("middle", result.rss["start"])
    growth = (result.rss["end"] - middle) / middle
    target = TARGET_SUSTAINED.get(rate, 0.9 * rate)
    print()
    print(
        f"== cap {rate:g}/s: {result.count} subscribers, {result.recipients} outbox rows, "
        f"worker concurrency {result.worker_concurrency}"
        + ("" if result.finished else "  (NOT FINISHED before the deadline)")
    )
    print(
        f"  sent {len(times)} to subscribers in {result.duration:.1f} s (first to last call "
        f"{(times[-1] - times[0]) if len(times) > 1 else 0:.2f} s)"
    )
    print(
        f"  sustained rate: {overall:.1f}/s over the run, {later:.1f}/s without the first second"
        f"   target ≥ {target:g}/s   {verdict(min(overall, later) >= target)}"
    )
    if duplicates and len(times) > 1:
        first_deliveries = len(result.per_chat) / (times[-1] - times[0])
        print(f"  (first deliveries only, duplicates left out: {first_deliveries:.1f}/s)")
    print(
        f"  largest count in a one-second sliding window: {window}   target ≤ {rate:g}   "
        f"{verdict(window <= rate)}"
    )
    print(
        f"  duplicates: {len(duplicates)} chats got it twice or more "
        f"({sum(duplicates.values()) - len(duplicates)} extra messages)   target 0   "
        f"{verdict(not duplicates)}"
    )
    counts = ", ".join(f"{k} {v}" for k, v in result.db_counts.items())
    all_sent = result.db_counts["sent"] == result.recipients == result.count
    still = "" if result.finished else f" ({pending} rows still pending when the run was stopped)"
    print(
        f"  losses: {lost} subscribers never sent to{still}; outbox rows: {counts}   "
        f"target 0 lost, all {result.count} rows sent   {verdict(lost == 0 and all_sent)}"
    )
    print(
        f"  bot process RSS: start {mb['start']:.1f} MB, middle {mb.get('middle', float('nan')):.1f} MB, "
        f"end {mb['end']:.1f} MB, max {result.rss_max / 2**20:.1f} MB; middle to end "
        f"{growth:+.1%}   target flat (≤ +{FLAT_RSS_GROWTH:.0%})   {verdict(growth <= FLAT_RSS_GROWTH)}"
    )
    lat = [v * 1000 for v in result.latencies]
    p99 = percentile(lat, 99)
    print(
        f"  newcomer replies during the broadcast: {len(lat)} updates, p50 "
        f"{percentile(lat, 50):.1f} ms, p99 {p99:.1f} ms, max {max(lat, default=float('nan')):.1f} ms, "
        f"{result.newcomer_failures} timed out   target p99 ≤ {TARGET_LATENCY_P99_MS:g} ms   "
        f"{verdict(p99 <= TARGET_LATENCY_P99_MS and not result.newcomer_failures)}"
    )
    server = "" if result.server_cpu is None else f", the stand-in {result.server_cpu:.0%}"
    print(f"  CPU during the run (share of one core): the bot's process {result.cpu:.0%}{server}")
    if len(times) > 1:
        seconds = collections.Counter(int(t - times[0]) for t in times)
        full = [seconds[s] for s in range(int(times[-1] - times[0]))]
        if full:
            print(
                f"  messages per whole second after the first call: min {min(full)}, "
                f"median {statistics.median(full):g}, max {max(full)}"
            )


async def main(argv: list[str] | None = None) -> int:
    """Run the broadcast at each rate and print the reports; always returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help="subscribers per run (default: 1,500 at 30/s, 10,000 at 1000/s)",
    )
    parser.add_argument("--rates", default="30,1000", help="comma-separated caps, messages/s")
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument(
        "--server",
        choices=("process", "inprocess"),
        default="process",
        help="where the Bot API stand-in runs (default: a separate process)",
    )
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]

    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    snapshot = Snapshot.load(args.content)
    print("Broadcast benchmark: DeliveryWorker of the real bot (Sandbox) against the stand-in")
    print(f"machine: {machine_summary()}")
    counts = {r: args.count or DEFAULT_COUNTS.get(r, 10_000) for r in rates}
    print(
        "runs: "
        + ", ".join(f"{counts[r]} messages at {r:g}/s (≈{counts[r] / r:.0f} s)" for r in rates)
        + ("" if args.count else "; 1,500 at 30/s instead of 10,000 (333 s): use --count to change")
    )
    if args.server == "process":
        print(
            "setup: the FakeBotApi stand-in runs in a separate process (multiprocessing) and "
            "reports its recorded call times back over HTTP at the end, so that its CPU work "
            "(answering up to 1000 requests/s) is not the bot's and its record of every call "
            "and message does not count in the bot's memory; the CPU shares below show which "
            "side limits the rate (--server inprocess runs it on the bot's event loop)"
        )
    else:
        print(
            "setup: the FakeBotApi stand-in runs on the bot's event loop: it shares the "
            "bot's CPU, and its records of calls and messages are in the measured RSS"
        )
    print(
        "targets: at 30/s ≥ 28/s sustained and no one-second window over 30; at 1000/s ≥ 900/s; "
        f"no duplicates or losses; memory flat; newcomer reply p99 ≤ {TARGET_LATENCY_P99_MS:g} ms"
    )
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        for rate in rates:
            print(f"running {counts[rate]} at {rate:g}/s ...", flush=True)
            result = await run_rate(rate, counts[rate], snapshot, args.server, Path(tmp), errors)
            report(result)
    print()
    print(f"errors logged by the bot while running (shutdown aside): {errors.summary()}")
    return 0


if __name__ == "__main__":
    run_main(main, budget=900.0)
