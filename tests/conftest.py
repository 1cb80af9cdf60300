"""Shared fixtures: the demo content, and the real bot against the local Bot API stand-in."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.content.load import ContentInvalid, Problem, load_content
from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox
from bot.telegram import callback_data
from tests.botapi_faults import FaultyBotApi

ROOT = Path(__file__).resolve().parent.parent
#: The tests' own content: a frozen copy of the demo content (tests/fixtures/content/),
#: so that an editor's change to content/ never breaks a test. That the shipped
#: content/ itself is valid is checked by tests/test_shipped_content.py.
CONTENT = ROOT / "tests" / "fixtures" / "content"

#: A fixed moment for every test: Monday 23 November 2026, 10:00 in Luxembourg.
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
_STARTED = time.monotonic()


def clock() -> dt.datetime:
    """The bot's clock in tests: starts at :data:`NOW` and ticks with real time, so
    opening hours are deterministic while delivery back-offs still elapse."""
    return NOW + dt.timedelta(seconds=time.monotonic() - _STARTED)


@pytest.fixture(scope="session")
def snapshot() -> Snapshot:
    return Snapshot.load(CONTENT)


@pytest.fixture
async def sandbox(snapshot: Snapshot, tmp_path: Path):
    box = await Sandbox.create(
        snapshot, database=tmp_path / "bot.sqlite3", clock=clock, api=await FaultyBotApi().start()
    )
    try:
        yield box
    finally:
        await box.close()


async def staffed_sandbox(
    snapshot: Snapshot, tmp_path: Path, staff: str | dict[int, str], **settings
) -> Sandbox:
    """The real bot (as the ``sandbox`` fixture, stand-in with faults) with a staff file:
    ``staff`` is the file's YAML, or user id → role. ``settings``: more Settings fields.
    The caller closes it."""
    if isinstance(staff, dict):
        staff = "staff:\n" + "".join(
            f"  - user_id: {user_id}\n    role: {role}\n" for user_id, role in staff.items()
        )
    path = tmp_path / "staff.yaml"
    path.write_text(staff, encoding="utf-8")
    return await Sandbox.create(
        snapshot,
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        settings={"staff_file": path, **settings},
        api=await FaultyBotApi().start(),
    )


def problems_of(root: Path) -> list[Problem]:
    """The problems ``load_content`` reports for the content folder ``root`` ([] if it loads)."""
    try:
        load_content(root)
    except ContentInvalid as exc:
        return exc.problems
    return []


def validate_cli(root: Path, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m bot validate root`` in a child process, bounded: a hang fails the test."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "validate", str(root)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


async def onboard(sandbox: Sandbox, user_id: int, lang: str, municipality: str):
    """/start with a Telegram client in ``lang``, then tap ``municipality`` in the picker;
    returns the Bot API calls of the tap (the menu)."""
    calls = await sandbox.text(user_id, "/start", language_code=lang)
    data = callback_data.make("mun", municipality)
    return await sandbox.tap(user_id, data, last_message_id(calls), language_code=lang)


def last_text(calls, method: str | None = None) -> str:
    """Text of the last sendMessage/editMessageText among ``calls``."""
    texts = [
        c.text
        for c in calls
        if c.method in ((method,) if method else ("sendMessage", "editMessageText"))
    ]
    assert texts, f"the bot sent no text; calls: {[c.method for c in calls]}"
    return texts[-1]


def last_keyboard(calls) -> dict[str, str]:
    """Button text → callback data of the last message with a keyboard."""
    for call in reversed(calls):
        if call.method in ("sendMessage", "editMessageText") and call.buttons:
            return call.button_data()
    raise AssertionError(f"no inline keyboard in {[c.method for c in calls]}")


def last_message_id(calls) -> int:
    """message_id the bot's last sent or edited message has (for tapping its buttons)."""
    for call in reversed(calls):
        if call.method == "editMessageText":
            return int(call.params["message_id"])
        if call.method == "sendMessage" and call.buttons:
            return call.result_message_id
    raise AssertionError("no message with buttons")
