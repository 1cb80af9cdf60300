"""Callback data: the short ASCII strings behind inline buttons.

Telegram limits ``callback_data`` to 1-64 bytes (Bot API, InlineKeyboardButton),
and Arabic or Cyrillic take two bytes a letter, so buttons carry only short
ASCII ids: ``action`` or ``action:arg[:arg]``. The state a button needs travels
in its data, so buttons keep working after a restart.

:func:`parse` never raises: anything that is not a known, well-formed action
(forged, stale, truncated) comes back as ``None``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_BYTES = 64

_ARG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_NUM = re.compile(r"^[0-9]{1,4}$")

#: action → kinds of its arguments ("id" slug, "num" small integer)
ACTIONS: dict[str, tuple[str, ...]] = {
    "menu": (),  # main menu
    "lp": (),  # language picker
    "lang": ("id",),  # set language
    "mp": ("num",),  # municipality picker: regions (or the only region's municipalities), page
    "rg": ("id", "num"),  # municipalities of one region, page
    "mun": ("id",),  # set municipality
    "cat": ("id", "num"),  # category list, page
    "e": ("id",),  # entry card
    "loc": ("id",),  # send the entry's location pin
    "more": ("num",),  # more search results, offset
    "fgt": ("id",),  # /forget: yes | no
    "sub": ("id",),  # subscribe: yes | no
    "geo": (),  # ask for the user's location
    "an": ("id", "id"),  # /announce flow: step, argument ("x" when none)
    "ax": ("id",),  # cancel announcement (admins)
}


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
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    action, *args = data.split(":")
    kinds = ACTIONS.get(action)
    if kinds is None or len(args) != len(kinds):
        return None
    for kind, arg in zip(kinds, args, strict=True):
        if not (_ARG if kind == "id" else _NUM).match(arg):
            return None
    return Callback(action, tuple(args))
