"""The whole bot in a process of its own, for the "Ask a person" kill -9 test.

In: ``DB BASE_URL STAFF_FILE``: the SQLite database, the Bot API base URL (a
:class:`bot.devtools.fake_bot_api.FakeBotApi` in the test's process) and the staff
file with the helpdesks. Content: the tests' frozen copy (tests/fixtures/content).

Out: ``ready`` on stdout once the bot polls, then ``processed <update_id>`` after
each update was completely handled and ``marked <status>`` after each relay's
outcome was committed. Runs until killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tests/ is on sys.path, not the root
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content.snapshot import Snapshot  # noqa: E402
from bot.devtools.sandbox import TEST_TOKEN, TrackingApplication  # noqa: E402
from bot.storage import Storage  # noqa: E402
from tests.conftest import CONTENT, clock  # noqa: E402


async def main(db: str, base_url: str, staff_file: str) -> None:
    snapshot = Snapshot.load(CONTENT)
    storage = await Storage.open(db)
    settings = Settings(
        token=TEST_TOKEN,
        api_base_url=base_url,
        database=Path(db),
        staff_file=Path(staff_file),
        watch_content=False,
    )
    app = build_application(
        settings, snapshot, storage=storage, application_class=TrackingApplication
    )
    app.bot_data.clock = clock

    def processed(update: object, seconds: float) -> None:
        if isinstance(update, Update):
            print(f"processed {update.update_id}", flush=True)

    app.on_processed = processed
    await app.initialize()
    await app.post_init(app)
    store = app.bot_data.handoff.store
    mark = store.mark

    async def reported_mark(relay_id: int, status: str, now: float) -> None:
        await mark(relay_id, status, now)
        print(f"marked {status}", flush=True)

    store.mark = reported_mark  # the relay worker calls it through the store
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=5)
    print("ready", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
