"""Callback data: the short ASCII strings behind inline buttons.

Telegram limits ``callback_data`` to 1-64 bytes (Bot API, InlineKeyboardButton),
and Arabic or Cyrillic take two bytes a letter, so buttons carry only short
ASCII ids: ``action`` or ``action:arg[:arg]``. The state a button needs travels
in its data, so buttons keep working after a restart.

This module is the one definition of the actions, their arguments and the
limit. :func:`pattern` gives python-telegram-bot's ``CallbackQueryHandler`` the
regular expression of one action (``bot.app`` routes each action to its handler
with it), :func:`make` builds a button's data and :func:`parse` reads it back
into a :class:`Callback`. :func:`parse` never raises: anything that is not a
known, well-formed action (forged, stale, truncated) comes back as ``None``,
and matches no :func:`pattern`.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_BYTES = 64

#: kind of argument → its regular expression (ASCII only, so characters are bytes)
KINDS = {
    "id": r"[a-z0-9][a-z0-9_-]{0,39}",  # a slug
    "num": r"[0-9]{1,4}",  # a small integer
}

#: action → kinds of its arguments ("id" slug, "num" small integer)
ACTIONS: dict[str, tuple[str, ...]] = {
    "menu": (),  # main menu
    "lp": (),  # language picker
    "lang": ("id",),  # set language
    "mp": ("num",),  # municipality picker: regions (or the only region's municipalities), page
    "rg": ("id", "num"),  # municipalities of one region, page
    "mun": ("id",),  # set municipality
    "cat": ("id", "num"),  # category list, page
    "e": ("id",),  # entry card (Back: its category's list)
    "ec": ("id", "num"),  # entry card opened from its category's list page (Back: that page)
    "es": ("id", "num"),  # entry card opened from search results at offset (Back: them)
    "cs": ("id", "num"),  # category list opened from search results at offset (Back: them)
    "loc": ("id",),  # send the entry's location pin
    "more": ("num",),  # more search results, offset
    "fgt": ("id",),  # /forget: yes | no
    "sub": ("id",),  # subscribe: yes | no
    "geo": (),  # ask for the user's location
    "an": ("id", "id"),  # /announce flow: step, argument ("x" when none)
    "ax": ("id",),  # cancel announcement (admins)
    "fb": ("id", "id"),  # feedback on an entry: kind, entry (bot/handlers/feedback.py)
    "ask": ("id",),  # "Ask a person": go | stop
    "hq": ("id", "id"),  # helpdesk topic (staff): close | block, ticket
    "wk": ("num",),  # events this week, page
    "ev": ("id",),  # event card
}


def _compile(action: str, kinds: tuple[str, ...], first: tuple[str, ...] = ()) -> re.Pattern[str]:
    """``action`` with its arguments, the ``first`` ones fixed; at most 64 characters
    (all ASCII, so 64 bytes)."""
    fixed = "".join(f":{re.escape(arg)}" for arg in first)
    rest = "".join(f":({KINDS[kind]})" for kind in kinds[len(first) :])
    return re.compile(rf"\A(?=.{{1,{MAX_BYTES}}}\Z){re.escape(action)}{fixed}{rest}\Z")


_PATTERNS = {action: _compile(action, kinds) for action, kinds in ACTIONS.items()}


def pattern(action: str, *first: str) -> re.Pattern[str]:
    """The compiled pattern of ``action``'s well-formed data (at most 64 bytes), one
    group per argument: ``CallbackQueryHandler(callback, pattern=pattern("cat"))``.
    With ``first``, only data whose first arguments are these: ``pattern("an", "stop")``.

    Raises KeyError for an action that is not defined here, ValueError for
    arguments it does not take.
    """
    kinds = ACTIONS[action]
    if not first:
        return _PATTERNS[action]
    if len(first) > len(kinds) or not all(
        re.fullmatch(KINDS[kind], arg) for kind, arg in zip(kinds, first, strict=False)
    ):
        raise ValueError(f"{action!r} does not take the arguments {first!r}")
    return _compile(action, kinds, first)


class Callback(NamedTuple):
    action: str
    args: tuple[str, ...]

    def arg(self, i: int) -> str:
        return self.args[i]

    def num(self, i: int) -> int:
        return int(self.args[i])


def make(action: str, *args: object) -> str:
    """Encode a button's data; raises ValueError if it is not valid or over 64 bytes."""
    data = ":".join([action, *map(str, args)])
    if parse(data) is None:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Decode callback data; None for anything unknown or malformed."""
    if not data:
        return None
    action = data.split(":", 1)[0]
    compiled = _PATTERNS.get(action)
    match = compiled.match(data) if compiled else None
    return Callback(action, match.groups()) if match else None
