"""Feedback on entries: "👍 Helpful" and "⚠️ Something is wrong" under every card.

:class:`FeedbackService` counts one vote per person, entry and day without keeping
who voted: the token stored for the day is ``HMAC(salt, "user_id:entry_id")``
with a random salt made for the day and kept in this object only. When the day
changes the salt is replaced and the day's tokens are deleted; a restart forgets
the salt, so the tokens are deleted at start-up too (:meth:`FeedbackService.start`).

Comments are optional and short; :func:`scrub` removes phone numbers, e-mail
addresses and long runs of digits before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable

from bot.storage.feedback import COMMENT_MAX_CHARS, KINDS, FeedbackStore

#: What replaces a removed phone number, e-mail address or digit run.
REMOVED = "[…]"

_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
# A phone-like run: at least 6 digits, possibly with spaces, dots, dashes, slashes or
# brackets between them (any script's digits: \d is Unicode-aware for str patterns).
_PHONE = re.compile(r"\+?\(?\d(?:[\s./()\-]{0,3}\d){5,}")
_LONG_DIGITS = re.compile(r"\d{5,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def scrub(text: str) -> str:
    """``text`` without e-mail addresses, phone numbers or runs of 5+ digits, with
    whitespace collapsed and at most :data:`COMMENT_MAX_CHARS` characters."""
    text = _CONTROL.sub(" ", text)
    text = _EMAIL.sub(REMOVED, text)
    text = _PHONE.sub(REMOVED, text)
    text = _LONG_DIGITS.sub(REMOVED, text)
    text = " ".join(text.split())
    if len(text) > COMMENT_MAX_CHARS:
        text = text[: COMMENT_MAX_CHARS - 1] + "…"
    return text


class FeedbackService:
    """Votes and comments; ``clock`` gives the current UTC time (the bot's clock)."""

    def __init__(self, store: FeedbackStore, clock: Callable[[], dt.datetime]):
        self.store = store
        self.clock = clock
        self._day: str | None = None
        self._salt = b""

    async def start(self) -> None:
        """Forget earlier tokens: their salt died with the previous process."""
        await self.store.forget_all_votes()
        self._day, self._salt = self._today(), secrets.token_bytes(32)

    def _today(self) -> str:
        return self.clock().astimezone(dt.UTC).date().isoformat()

    async def _token(self, user_id: int, entry_id: str) -> tuple[bytes, str]:
        day = self._today()
        if day != self._day:
            # A new day: a new salt, and yesterday's tokens go with yesterday's salt.
            self._day, self._salt = day, secrets.token_bytes(32)
            await self.store.forget_other_days(day)
        message = f"{user_id}:{entry_id}".encode()
        return hmac.new(self._salt, message, hashlib.sha256).digest(), day

    async def vote(self, user_id: int, entry_id: str, kind: str) -> bool:
        """Count the vote unless this person voted on this entry today; True if counted."""
        if kind not in KINDS:
            raise ValueError(f"unknown feedback kind {kind!r}")
        token, day = await self._token(user_id, entry_id)
        return await self.store.vote(token, day, entry_id, kind)

    async def has_voted(self, user_id: int, entry_id: str) -> bool:
        token, _ = await self._token(user_id, entry_id)
        return await self.store.has_voted(token)

    async def comment(self, entry_id: str, kind: str, language: str, text: str) -> str:
        """Store the scrubbed comment (nothing when nothing is left); returns what was kept."""
        kept = scrub(text)
        if kept.replace(REMOVED, "").strip():
            await self.store.add_comment(entry_id, kind, language, kept, self.clock().timestamp())
            return kept
        return ""


def service_of(bot_data) -> FeedbackService:
    """The bot's :class:`FeedbackService`, made on first use and kept in ``bot_data``
    (one salt per process)."""
    found = getattr(bot_data, "feedback", None)
    if found is None:
        found = FeedbackService(bot_data.storage.feedback, lambda: bot_data.clock())
        bot_data.feedback = found
    return found
