"""Shared set-up of the "Ask a person" tests: a staff file with helpdesks, forums on the
Bot API stand-in, a newcomer with a language and a municipality."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from bot.content.snapshot import Snapshot
from bot.devtools.fake_bot_api import Call, FakeBotApi
from bot.devtools.sandbox import Sandbox
from bot.devtools.telegram_html import parse_html
from tests.botapi_faults import FaultyBotApi
from tests.conftest import clock as default_clock

HELPDESK = -1001000000001  # Miselerland's helpdesk
MARBURG_DESK = -1001000000002  # Marburg-Biedenkopf's helpdesk
STRANGER_GROUP = -1009999999999  # a forum the bot is in that is not a helpdesk
WORKER = 4001  # social worker for Miselerland
MARBURG_WORKER = 4002  # social worker for Marburg-Biedenkopf only
ADMIN = 4000
NEWCOMER = 5001

#: Open all week days (the tests' clock is Monday 10:00 in Luxembourg).
OPEN_HOURS = "Mo-Fr 08:00-18:00"


def staff_yaml(
    hours: str = OPEN_HOURS, *, with_desks: bool = True, languages: dict[int, str] | None = None
) -> str:
    """The staff file; ``languages``: a helpdesk's ``language`` by chat id (without one,
    Miselerland's helpdesk writes French and Marburg's German, their regions' languages)."""
    languages = languages or {}
    text = f"""\
staff:
  - user_id: {ADMIN}
    role: admin
  - user_id: {WORKER}
    role: social_worker
    regions: [miselerland]
  - user_id: {MARBURG_WORKER}
    role: social_worker
    regions: [marburg-biedenkopf]
"""
    if with_desks:
        text += f"""\
helpdesks:
  - chat_id: {HELPDESK}
    regions: [miselerland]
    opening_hours: "{hours}"
  - chat_id: {MARBURG_DESK}
    regions: [marburg-biedenkopf]
    opening_hours: "Mo-Fr 09:00-16:00"
"""
    for chat_id, language in languages.items():
        desk = f"  - chat_id: {chat_id}\n"
        text = text.replace(desk, f"{desk}    language: {language}\n")
    return text


@contextlib.asynccontextmanager
async def helpdesk_sandbox(
    snapshot: Snapshot,
    tmp_path: Path,
    *,
    hours: str = OPEN_HOURS,
    with_desks: bool = True,
    languages: dict[int, str] | None = None,
    clock: Callable[[], dt.datetime] = default_clock,
    api: FakeBotApi | None = None,
):
    staff = tmp_path / "staff.yaml"
    staff.write_text(
        staff_yaml(hours, with_desks=with_desks, languages=languages), encoding="utf-8"
    )
    api = api or await FaultyBotApi().start()
    for chat in (HELPDESK, MARBURG_DESK, STRANGER_GROUP):
        api.add_forum(chat)
    box = await Sandbox.create(
        snapshot,
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        api=api,
        settings={"staff_file": staff},
    )
    try:
        yield box
    finally:
        await box.close()


async def newcomer(box: Sandbox, user_id: int = NEWCOMER, lang: str = "ar", place: str = "remich"):
    await box.storage.save_user(user_id, language=lang, municipality=place, asked_subscribe=True)


def is_copy_to(chat_id: int) -> Callable[[Call], bool]:
    return lambda c: c.method == "copyMessage" and c.chat_id == chat_id


async def staff_says(
    box: Sandbox, user_id: int, text: str, thread_id: int, chat_id: int = HELPDESK
) -> list[Call]:
    return await box.send(
        box.updates.message(
            user_id, text, chat_id=chat_id, chat_type="supergroup", thread_id=thread_id
        )
    )


async def header_of(box: Sandbox, thread_id: int, chat_id: int = HELPDESK) -> dict:
    """The topic's header as staff see it (the bot's first message there, with the ✅/⛔
    buttons); it follows the createForumTopic call."""
    call = await box.api.wait_for(
        lambda c: (
            c.method == "sendMessage"
            and c.chat_id == chat_id
            and c.params.get("message_thread_id") == thread_id
            and bool(c.params.get("reply_markup"))
        )
    )
    message = box.api.messages[(chat_id, call.result["message_id"])]
    return {**message, "text": parse_html(message["text"])}


def buttons_of(message: dict) -> list[str]:
    rows = message["reply_markup"]["inline_keyboard"]
    return [b["text"] for row in rows for b in row]


async def topic_of(box: Sandbox, start: int = 0) -> Call:
    """The createForumTopic call (at index ≥ ``start``)."""
    return await box.api.wait_for(lambda c: c.method == "createForumTopic", start=start)
