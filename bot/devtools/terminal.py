"""The bot in a terminal: ``newcomer-bot preview`` and ``newcomer-bot chat``.

Both use the real rendering; ``chat`` runs the real Application and handlers
against the local Bot API stand-in (:mod:`bot.devtools.sandbox`), so editors try their
changes exactly as a newcomer would, with no Telegram account and no token.
Inline buttons are shown as numbered choices to type.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.content.snapshot import Snapshot
from bot.devtools.fake_bot_api import Call
from bot.i18n import translator
from bot.views.card import entry_card
from bot.views.newcomer import View

_TAG = re.compile(r"</?([a-z]+)[^>]*>")


def html_to_terminal(text: str, *, color: bool) -> str:
    """Telegram HTML → terminal text: bold/italic as ANSI when ``color``, entities unescaped."""

    def tag(match: re.Match[str]) -> str:
        if not color:
            return ""
        closing = match.group(0).startswith("</")
        code = {"b": "1", "i": "3", "pre": "2", "code": "2"}.get(match.group(1))
        if code is None:
            return ""
        return "\x1b[0m" if closing else f"\x1b[{code}m"

    return html.unescape(_TAG.sub(tag, text))


def buttons_text(rows: list[list[dict]], start: int = 1) -> tuple[str, list[dict]]:
    """Inline keyboard rows → numbered lines, and the buttons in that numbering."""
    lines, flat = [], []
    for row in rows:
        cells = []
        for button in row:
            flat.append(button)
            label = f"[{start + len(flat) - 1}] {button['text']}"
            if "url" in button:
                label += f" → {button['url']}"
            cells.append(label)
        lines.append("   ".join(cells))
    return "\n".join(lines), flat


def render_view(view: View, *, color: bool) -> str:
    """A view as the terminal shows it: the text, a blank line, the numbered buttons."""
    text = html_to_terminal(view.text, color=color)
    if view.keyboard is None:
        return text
    rows = [[b.to_dict() for b in row] for row in view.keyboard.inline_keyboard]
    buttons, _ = buttons_text(rows)
    return f"{text}\n\n{buttons}"


def preview(
    snapshot: Snapshot,
    entry_id: str,
    lang: str,
    municipality: str | None = None,
    now: dt.datetime | None = None,
    *,
    color: bool = False,
) -> str:
    """The card of ``entry_id`` exactly as the bot renders it for ``lang``.

    Raises KeyError for an unknown entry or municipality id.
    """
    content = snapshot.content
    entry = content.entries[entry_id]
    if municipality is not None and content.place(municipality) is None:
        raise KeyError(municipality)
    region = content.regions.get(content.entry_region.get(entry_id) or "")
    if region is None and municipality:
        region = content.place(municipality).region
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(region.timezone) if region else dt.UTC
    local = (now or dt.datetime.now(dt.UTC)).astimezone(tz).replace(tzinfo=None)
    return render_view(entry_card(content, entry, translator(lang), local), color=color)


class TerminalChat:
    """Reads lines, feeds them to the real bot as updates, prints what the bot sends."""

    USER_ID = 1

    def __init__(self, sandbox, lang: str | None, out: TextIO, color: bool):
        self.sandbox = sandbox
        self.lang = lang
        self.out = out
        self.color = color
        self.buttons: list[dict] = []
        self.message_id = 0

    def show(self, calls: list[Call]) -> None:
        for call in calls:
            if call.method in ("sendMessage", "editMessageText"):
                marker = "✎ " if call.method == "editMessageText" else ""
                print("\n" + marker + html_to_terminal(call.text, color=self.color), file=self.out)
                if call.buttons:
                    text, self.buttons = buttons_text(call.buttons)
                    print(text, file=self.out)
                    self.message_id = (
                        int(call.params["message_id"])
                        if call.method == "editMessageText"
                        else call.result_message_id
                    )
                reply = call.params.get("reply_markup") or {}
                if reply.get("keyboard"):
                    print("(type: loc LAT LON — to share a location)", file=self.out)
            elif call.method in ("sendVenue", "sendLocation"):
                title = call.params.get("title", "")
                lat, lon = call.params["latitude"], call.params["longitude"]
                print(f"\n📍 {title} ({lat}, {lon})", file=self.out)
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                print(f"\n({call.params['text']})", file=self.out)

    async def handle(self, line: str) -> bool:
        """One line of input; False when the user wants to stop."""
        line = line.strip()
        if line in ("quit", "exit", "/quit"):
            return False
        if not line:
            return True
        kwargs = {"language_code": self.lang}
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            button = self.buttons[int(line) - 1]
            if "callback_data" not in button:
                print(f"(a link: {button.get('url')})", file=self.out)
                return True
            calls = await self.sandbox.tap(
                self.USER_ID, button["callback_data"], self.message_id, **kwargs
            )
        elif match := re.fullmatch(r"loc\s+(-?[\d.]+)[,\s]+(-?[\d.]+)", line):
            lat, lon = float(match.group(1)), float(match.group(2))
            calls = await self.sandbox.location(self.USER_ID, lat, lon, **kwargs)
        else:
            calls = await self.sandbox.text(self.USER_ID, line, **kwargs)
        self.show(calls)
        return True


async def chat(
    content_dir: Path,
    lang: str | None,
    municipality: str | None,
    *,
    read_line: Callable[[], str | None] | None = None,
    out: TextIO = sys.stdout,
    color: bool | None = None,
) -> int:
    """Run a conversation in the terminal until EOF or "quit". Returns an exit code.

    Raises ContentInvalid if the content does not validate.
    """
    import logging
    import tempfile

    from bot.devtools.sandbox import Sandbox

    logging.getLogger("httpx").setLevel(logging.WARNING)
    color = out.isatty() if color is None else color
    snapshot = Snapshot.load(content_dir)
    if municipality is not None and snapshot.content.place(municipality) is None:
        print(f"unknown municipality '{municipality}'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = await Sandbox.create(
            snapshot,
            database=Path(tmp) / "chat.sqlite3",
            settings={"content_dir": Path(content_dir)},
        )
        try:
            if municipality or lang:
                await sandbox.storage.save_user(
                    TerminalChat.USER_ID,
                    language=translator(lang).lang if lang else None,
                    municipality=municipality,
                    asked_subscribe=True,
                )
            session = TerminalChat(sandbox, lang, out, color)
            print(
                "Chatting with the bot (type text; a number taps a button; "
                "'loc 49.54 6.36' shares a location; 'quit' ends).",
                file=out,
            )
            session.show(await sandbox.text(TerminalChat.USER_ID, "/start", language_code=lang))
            read = read_line or (lambda: _input("> "))
            while True:
                line = await asyncio.to_thread(read)
                if line is None or not await session.handle(line):
                    break
        finally:
            await sandbox.close()
    return 0


def _input(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None
