"""Keep the bot token out of every log line.

The token is the bot: whoever has it can read and send as the bot. It still
reaches log text in several ways: python-telegram-bot's InvalidToken says "The
token `…` was rejected by the server" (on a 401, and on a wrong base URL that
answers 404), and a request URL (``…/bot<token>/sendMessage``) can end up in an
exception message or a traceback. :class:`TokenFilter`, installed on the root
logger's handlers at start (:func:`install`), replaces the token, and its secret
part on its own, with ``***`` in the message, its arguments and the formatted
exception and stack text of every record.
"""

from __future__ import annotations

import logging
import urllib.parse

MASK = "***"


def secrets_of(token: str) -> list[str]:
    """The strings to hide for ``token``: itself, its part after the colon (the
    secret; the bot id before it is public), and their URL-quoted forms; longest
    first so the whole token is replaced before its part."""
    found = {token, urllib.parse.quote(token, safe=""), urllib.parse.quote(token)}
    _, _, secret = token.partition(":")
    if len(secret) >= 8:  # a real secret has 35 characters; never mask tiny strings
        found.add(secret)
    return sorted((s for s in found if s), key=len, reverse=True)


def mask(text: str, secrets: list[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by ``***``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class TokenFilter(logging.Filter):
    """A handler filter that masks the token in each record; never drops a record."""

    def __init__(self, token: str):
        super().__init__()
        self.secrets = secrets_of(token)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, masked
            message = f"{record.msg} {record.args}"
        record.msg = mask(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = mask(record.stack_info, self.secrets)
        return True


def install(token: str, logger: logging.Logger | None = None) -> TokenFilter:
    """Mask ``token`` in everything ``logger``'s handlers (default: the root logger's)
    write. Filters on a handler see the records of every logger that propagates to
    it, unlike filters on a logger. Call after the handlers are set up."""
    logger = logger or logging.getLogger()
    token_filter = TokenFilter(token)
    for handler in logger.handlers:
        if not any(isinstance(f, TokenFilter) for f in handler.filters):
            handler.addFilter(token_filter)
    return token_filter
