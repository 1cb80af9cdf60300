"""Ids typed by people or carried in button data: ASCII digits only, in range.

``str.isdigit`` is true for ``²`` and for Arabic-Indic digits (``١٠٠١``), and
``int`` reads the latter as 1001: ``/revoke ١٠٠١`` revoked user 1001. Ids here are
written in ASCII digits, positive, and fit Telegram's 52 bits (Bot API: "at most
52 significant bits"), so they also fit SQLite's 64-bit integers.
"""

from __future__ import annotations

#: Telegram user and chat ids have at most 52 significant bits.
MAX_ID = 2**52


def parse_id(text: str | None) -> int | None:
    """The positive id ``text`` spells in ASCII digits, else None."""
    if not text or len(text) > 16 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
