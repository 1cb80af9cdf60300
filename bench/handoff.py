"""Benchmark: "Ask a person" relay latency with 1,000 open conversations and a broadcast.

In: the tests' frozen content (tests/fixtures/content) and the flags below.
Out: a printed report, exit code 0 whatever the figures (the target is printed
beside them, with whether it is met).

The real bot runs as :class:`bot.devtools.sandbox.Sandbox` against the local Bot API
stand-in in this process. Before it starts, the database gets ``--conversations``
newcomers spread over the ten municipalities of Miselerland, each municipality with
its own helpdesk group, each newcomer with an open conversation whose forum topic
exists, and ``--subscribers`` subscribers; once it runs, one announcement to the
subscribers is sent at ``--rate`` messages/s by the delivery worker. During the
broadcast, every ``--interval`` seconds one message goes each way, each from another
conversation: a newcomer's private message (newcomer → topic) and a social worker's
message in a topic (topic → newcomer).

Telegram lets a bot send at most 20 messages a minute into one group, and the bot's
rate limiter keeps to that (bot/telegram/rate_limiter.py): a helpdesk group receives
at most 20 relayed messages a minute, whatever the bot does. The default pace (one
newcomer message every 0.35 s, rotating over ten groups: one per group every 3.5 s)
stays under that cap, so the figures are the bot's own latency. ``--groups 1
--interval 0`` shows the cap instead (messages queue in the durable outbox).

Latency: from pushing the update into the stand-in until the stand-in receives the
bot's ``copyMessage`` for it (wall time: long polling, handler, durable outbox
commit, relay worker, one HTTP request). Target: p99 ≤ 150 ms each way.

Usage (from the repository root)::

    .venv/bin/python bench/handoff.py [--conversations 1000] [--messages 300]
                                      [--subscribers 6000] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/handoff.py` puts bench/ first, not the root
    sys.path.insert(0, str(ROOT))

from bench.updates import machine_summary, percentile, run_main, verdict  # noqa: E402
from bot.content.snapshot import Snapshot  # noqa: E402
from bot.devtools.fake_bot_api import FakeBotApi, UpdateFactory  # noqa: E402
from bot.devtools.sandbox import Sandbox  # noqa: E402
from bot.storage import Storage  # noqa: E402

CONTENT = ROOT / "tests" / "fixtures" / "content"
HELPDESK = -1001000000001  # the first helpdesk; the others count down from it
WORKER = 4001
MUNICIPALITIES = (
    "betzdorf", "dalheim", "grevenmacher", "manternach", "mertert",
    "mondorf", "remich", "stadtbredimus", "waldbredimus", "wormeldange",
)  # fmt: skip
FIRST_NEWCOMER = 6_000_001
FIRST_SUBSCRIBER = 7_000_001
TARGET_P99_MS = 150.0


def staff_file(groups: int) -> str:
    text = f"staff:\n  - user_id: {WORKER}\n    role: social_worker\n    regions: [miselerland]\n"
    text += "helpdesks:\n"
    for g in range(groups):
        places = MUNICIPALITIES[g::groups]
        text += (
            f"  - chat_id: {HELPDESK - g}\n    municipalities: [{', '.join(places)}]\n"
            '    opening_hours: "Mo-Su 00:00-24:00"\n'
        )
    return text


def desk_of(index: int, groups: int) -> int:
    """The helpdesk chat of newcomer ``index`` (in MUNICIPALITIES[index % 10])."""
    return HELPDESK - (index % len(MUNICIPALITIES)) % groups


class TimingApi(FakeBotApi):
    """The stand-in, noting when each copyMessage arrives (keyed by its source message)."""

    def __init__(self) -> None:
        super().__init__(record=False)
        self.arrived: dict[tuple[int, int], float] = {}
        self._waiting: dict[tuple[int, int], asyncio.Event] = {}

    def expect(self, source: tuple[int, int]) -> asyncio.Event:
        event = self._waiting[source] = asyncio.Event()
        return event

    def _m_copyMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        source = (int(params.get("from_chat_id", 0)), int(params.get("message_id", 0)))
        self.arrived[source] = time.perf_counter()
        answer = super()._m_copyMessage(params)
        event = self._waiting.pop(source, None)
        if event is not None:
            event.set()
        return answer


async def seed(
    db: Path, api: TimingApi, conversations: int, subscribers: int, groups: int
) -> list[int]:
    """Newcomers with open conversations (topics created in the stand-in) and
    subscribers; returns the topic id of each conversation, by newcomer index."""
    for g in range(groups):
        api.add_forum(HELPDESK - g)
    storage = await Storage.open(db)
    topics = []
    try:
        store = storage.handoff
        now = time.time()
        async with storage.transaction():
            for i in range(conversations):
                await storage.save_user(
                    FIRST_NEWCOMER + i,
                    language="ar",
                    municipality=MUNICIPALITIES[i % len(MUNICIPALITIES)],
                    asked_subscribe=True,
                )
            for i in range(subscribers):
                await storage.save_user(
                    FIRST_SUBSCRIBER + i,
                    language="fr",
                    municipality=MUNICIPALITIES[i % len(MUNICIPALITIES)],
                    subscribed=True,
                )
        for i in range(conversations):
            desk = desk_of(i, groups)
            conversation = await store.start(FIRST_NEWCOMER + i, desk, now)
            created = api._m_createForumTopic({"chat_id": desk, "name": f"#{i}"})
            topic = created["result"]["message_thread_id"]
            await store.set_topic(conversation.ticket, topic, now)
            topics.append(topic)
    finally:
        await storage.close()
    return topics


async def measure(
    api: TimingApi, topics: list[int], messages: int, interval: float, groups: int
) -> tuple[list[float], list[float]]:
    """Every ``interval`` seconds one message each way (a paced load, not a barrier:
    a slow relay does not slow the pace); returns both lists of latencies."""
    updates = UpdateFactory()
    to_staff: list[float] = []
    to_person: list[float] = []

    async def relay(update: dict[str, Any], source: tuple[int, int], into: list[float]):
        done = api.expect(source)
        started = time.perf_counter()
        await api.push_update(update)
        async with asyncio.timeout(120):
            await done.wait()
        into.append(api.arrived[source] - started)

    tasks = []
    for n in range(messages):
        index = n % len(topics)
        newcomer = FIRST_NEWCOMER + index
        update = updates.message(newcomer, f"question {n}")
        source = (newcomer, update["message"]["message_id"])
        tasks.append(asyncio.create_task(relay(update, source, to_staff)))
        # The answer goes to another conversation (one whose topic exists already).
        other = (index + len(topics) // 2) % len(topics)
        desk = desk_of(other, groups)
        update = updates.message(
            WORKER, f"answer {n}", chat_id=desk, chat_type="supergroup", thread_id=topics[other]
        )
        source = (desk, update["message"]["message_id"])
        tasks.append(asyncio.create_task(relay(update, source, to_person)))
        await asyncio.sleep(interval)  # pacing the load (see the module docstring)
    await asyncio.gather(*tasks)
    return to_staff, to_person


def line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    p99 = percentile(ms, 99)
    return (
        f"{name:<22} n={len(ms):<5} p50={percentile(ms, 50):7.1f} ms  p99={p99:7.1f} ms  "
        f"max={max(ms):7.1f} ms  mean={statistics.fmean(ms):6.1f} ms  "
        f"target p99 ≤ {TARGET_P99_MS:.0f} ms: {verdict(p99 <= TARGET_P99_MS)}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--subscribers", type=int, default=12000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--interval", type=float, default=0.35)
    parser.add_argument("--groups", type=int, default=10, choices=range(1, 11))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    snapshot = Snapshot.load(CONTENT)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bot.sqlite3"
        staff = Path(tmp) / "staff.yaml"
        staff.write_text(staff_file(args.groups), encoding="utf-8")
        api = await TimingApi().start()
        topics = await seed(db, api, args.conversations, args.subscribers, args.groups)
        box = await Sandbox.create(
            snapshot,
            database=db,
            api=api,
            settings={"staff_file": staff, "broadcast_rate": args.rate},
        )
        try:
            now = time.time()
            _, recipients = await box.storage.create_announcement(
                author_id=WORKER, region="miselerland", default_language="fr",
                targets=list(MUNICIPALITIES), texts={"fr": "Fête de quartier samedi."},
                send_at=now, now=now,
            )  # fmt: skip
            box.application.bot_data.delivery.wake()
            sent_before = api.counts.get("sendMessage", 0)
            started = time.perf_counter()
            to_staff, to_person = await measure(
                api, topics, args.messages, args.interval, args.groups
            )
            elapsed = time.perf_counter() - started
            broadcast = api.counts.get("sendMessage", 0) - sent_before
            pending = (await box.storage.delivery_counts(1))["pending"]
        finally:
            await box.close()

    print(f"machine: {machine_summary()}")
    print(
        f"{args.conversations} open conversations in {args.groups} helpdesk group(s); "
        f"one message each way every {args.interval:.2f} s; broadcast to {recipients} subscribers at "
        f"{args.rate:.0f}/s: {broadcast} sent during the {elapsed:.1f} s of measurement "
        f"({pending} still pending at the end, so it ran throughout: "
        f"{'yes' if pending else 'no'})"
    )
    print(line("newcomer → topic", to_staff))
    print(line("topic → newcomer", to_person))
    return 0


if __name__ == "__main__":
    run_main(main, budget=600)
