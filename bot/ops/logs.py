"""Log records as JSON lines (``BOT_LOG_FORMAT=json``), and the token kept out of
every log line in either format.

The privacy rules are those of the text format: the bot's own code logs ids and
counts, never names, usernames or what people write; python-telegram-bot (which
logs whole updates at DEBUG) and httpx (request URLs, with the token, at INFO) are
held at higher levels by :func:`bot.cli.main.configure_logging`. On top of that,
:class:`Redact` replaces any secret it is given (the bot token, the webhook
secret) wherever it appears, tracebacks included.

One line per record: ``{"time": ISO 8601 UTC, "level", "logger", "message"}``,
plus ``"exception"`` (the traceback as text) when there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable

REDACTED = "[redacted]"
_LINE_BREAKS = {ord(c): f"\\u{ord(c):04x}" for c in "\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"}


class Redact(logging.Filter):
    """Replace each of ``secrets`` in the formatted message (and the traceback)."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 8]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        text = self._clean(message)
        if text != message:
            record.msg, record.args = text, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        text = json.dumps(line, ensure_ascii=False)
        # Characters some readers take for line ends stay escaped: one record, one line.
        return text.translate(_LINE_BREAKS)


def install(handler: logging.Handler, fmt: str, secrets: Iterable[str] = ()) -> None:
    """Give ``handler`` the format (``text`` or ``json``) and the redacting filter."""
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets))


def add_secret(secret: str | None) -> None:
    """Also redact ``secret`` (e.g. the webhook secret, made at start) on every root handler."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        for f in handler.filters:
            if isinstance(f, Redact) and secret not in f.secrets:
                f.secrets.append(secret)
