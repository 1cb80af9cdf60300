"""Settings from the environment (and a ``.env`` file in the working directory)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv


class ConfigError(Exception):
    """A setting is missing or invalid; the message is one line for the operator."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Runtime settings. Build with :meth:`from_env`.

    ``api_base_url`` is python-telegram-bot's ``base_url`` (the token is appended),
    e.g. ``http://127.0.0.1:8081/bot`` for a self-hosted Bot API server.
    ``broadcast_rate`` is messages per second for announcements (Telegram allows
    about 30/s, up to 1000/s with paid broadcasts).
    ``webhook_url`` switches from long polling to a webhook (Telegram posts updates
    to it); the webhook, ``/healthz``, ``/readyz`` and ``/metrics`` are served on
    ``http_host:http_port`` (:mod:`bot.ops.http`). ``log_format`` is ``text`` or ``json``.
    ``read_timeout``, ``write_timeout``, ``connect_timeout`` and ``pool_timeout`` bound
    every Bot API call in seconds (python-telegram-bot's timeouts and defaults; see
    :mod:`bot.telegram.request`).
    """

    token: str
    api_base_url: str = "https://api.telegram.org/bot"
    database: Path = Path("data/bot.sqlite3")
    content_dir: Path = Path("content")
    staff_file: Path | None = None
    broadcast_rate: float = 30.0
    watch_content: bool = True
    webhook_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    log_format: str = "text"
    read_timeout: float = 5.0
    write_timeout: float = 5.0
    connect_timeout: float = 5.0
    pool_timeout: float = 1.0
    #: Show example entries (``example: true``, marked 🧪) in lists, results and cards.
    show_examples: bool = True

    def __repr__(self) -> str:  # never print the token
        return f"Settings(api_base_url={self.api_base_url!r}, database={self.database!r}, ...)"

    @property
    def staff_path(self) -> Path:
        return self.staff_file or self.content_dir / "staff.yaml"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read ``TELEGRAM_BOT_TOKEN`` (required), ``TELEGRAM_API_BASE_URL``,
        ``BOT_DATABASE``, ``BOT_CONTENT_DIR``, ``BOT_STAFF_FILE``, ``BOT_BROADCAST_RATE``,
        ``BOT_WATCH_CONTENT``, ``BOT_SHOW_EXAMPLES`` (default on, for the demo), the Bot
        API timeouts ``BOT_API_READ_TIMEOUT``, ``BOT_API_WRITE_TIMEOUT``,
        ``BOT_API_CONNECT_TIMEOUT``, ``BOT_API_POOL_TIMEOUT`` (seconds), ``BOT_WEBHOOK_URL``,
        ``BOT_HTTP_HOST``, ``BOT_HTTP_PORT`` and ``BOT_LOG_FORMAT``.

        Raises ConfigError when the token is missing or a value is malformed.
        """
        if env is None:
            load_dotenv(Path.cwd() / ".env", override=False)
            env = dict(os.environ)
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put "
                "TELEGRAM_BOT_TOKEN=... in the environment or in .env"
            )
        try:
            rate = float(env.get("BOT_BROADCAST_RATE") or 30)
        except ValueError:
            raise ConfigError(
                "BOT_BROADCAST_RATE must be a number of messages per second"
            ) from None
        if not 1 <= rate <= 1000:
            raise ConfigError("BOT_BROADCAST_RATE must be between 1 and 1000 messages per second")
        timeouts = {}
        for field in ("read_timeout", "write_timeout", "connect_timeout", "pool_timeout"):
            name = f"BOT_API_{field.upper()}"
            try:
                value = float(env.get(name) or getattr(cls, field))
            except ValueError:
                raise ConfigError(f"{name} must be a number of seconds") from None
            if not 0 < value <= 600:
                raise ConfigError(f"{name} must be more than 0 and at most 600 seconds")
            timeouts[field] = value
        staff = env.get("BOT_STAFF_FILE")
        webhook_url = (env.get("BOT_WEBHOOK_URL") or "").strip() or None
        if webhook_url is not None:
            parts = urlsplit(webhook_url)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ConfigError(
                    "BOT_WEBHOOK_URL must be the public https:// address Telegram posts "
                    "updates to, e.g. https://bot.example.org/telegram"
                )
        try:
            port = int(env.get("BOT_HTTP_PORT") or 8080)
        except ValueError:
            raise ConfigError("BOT_HTTP_PORT must be a port number, e.g. 8080") from None
        if not 0 <= port <= 65535:
            raise ConfigError("BOT_HTTP_PORT must be between 0 and 65535")
        log_format = (env.get("BOT_LOG_FORMAT") or "text").strip().lower()
        if log_format not in ("text", "json"):
            raise ConfigError("BOT_LOG_FORMAT must be text or json")
        return cls(
            token=token,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or cls.api_base_url,
            database=Path(env.get("BOT_DATABASE") or cls.database),
            content_dir=Path(env.get("BOT_CONTENT_DIR") or cls.content_dir),
            staff_file=Path(staff) if staff else None,
            broadcast_rate=rate,
            watch_content=(env.get("BOT_WATCH_CONTENT") or "1") not in {"0", "false", "no"},
            show_examples=(env.get("BOT_SHOW_EXAMPLES") or "1").lower()
            not in {"0", "false", "no", "off"},
            webhook_url=webhook_url,
            http_host=(env.get("BOT_HTTP_HOST") or "").strip() or cls.http_host,
            http_port=port,
            log_format=log_format,
            **timeouts,
        )

    def request(self, connection_pool_size: int):
        """A Bot API request backend with these timeouts (:mod:`bot.telegram.request`)."""
        from bot.telegram.request import AiohttpRequest

        return AiohttpRequest(
            connection_pool_size=connection_pool_size,
            read_timeout=self.read_timeout,
            write_timeout=self.write_timeout,
            connect_timeout=self.connect_timeout,
            pool_timeout=self.pool_timeout,
        )
