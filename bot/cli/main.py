"""The ``newcomer-bot`` command line: run the bot and the content editors' tools."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def _cmd_validate(args: argparse.Namespace) -> int:
    from bot.content.load import ContentInvalid, load_content

    try:
        content = load_content(args.directory)
    except ContentInvalid as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"OK: {len(content.entries)} entries, {len(content.events)} events, "
        f"{len(content.regions)} region(s), "
        f"{len(content.places)} municipalities, {len(content.categories)} categories."
    )
    if args.links:  # warnings only: a dead link is no reason to refuse the content
        from bot.cli.editor import check_links_report
        from bot.editing.links import warning_line

        for link, result in check_links_report(args, content)[3]:
            print(warning_line(link, result))
    return 0


def configure_logging(
    level: int = logging.INFO, fmt: str = "text", secrets: Sequence[str] = ()
) -> None:
    """Log to stderr, as text or JSON lines (``fmt``); never the token, never what
    users write.

    httpx logs every request URL at INFO, and the URL contains the bot token;
    python-telegram-bot logs whole updates (with users' texts) at DEBUG. Both are
    held at WARNING/INFO whatever the root level is, and ``secrets`` (the token) are
    replaced wherever they would appear (:mod:`bot.ops.logs`).
    """
    from bot.ops import logs

    handler = logging.StreamHandler()
    logs.install(handler, fmt, secrets)
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, Settings
    from bot.content.load import ContentInvalid

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 2
    configure_logging(fmt=settings.log_format, secrets=[settings.token])
    from telegram.error import InvalidToken

    from bot import logging_privacy
    from bot.app import run
    from bot.ops.http import OpsServerError
    from bot.storage import StorageUnusable

    logging_privacy.install(settings.token)  # the token never reaches the log
    try:
        run(settings)
    except (StorageUnusable, OpsServerError) as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 1
    except ContentInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("newcomer-bot: the content has problems; fix them and start again", file=sys.stderr)
        return 1
    except InvalidToken:
        print(
            "newcomer-bot: Telegram rejected the bot token (401), or TELEGRAM_API_BASE_URL "
            "is wrong (404): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL",
            file=sys.stderr,
        )
        return 2
    except Exception:  # logged through the token filter, not printed by Python
        logging.getLogger("bot").critical("the bot stopped", exc_info=True)
        return 1
    return 0


def _content_error(exc) -> int:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print("the content has problems: run `newcomer-bot validate` for the list", file=sys.stderr)
    return 1


def _cmd_preview(args: argparse.Namespace) -> int:
    from bot.content.load import ContentInvalid
    from bot.content.snapshot import Snapshot
    from bot.devtools.terminal import preview

    try:
        snapshot = Snapshot.load(args.directory)
    except ContentInvalid as exc:
        return _content_error(exc)
    try:
        print(
            preview(
                snapshot, args.entry_id, args.lang, args.municipality, color=sys.stdout.isatty()
            )
        )
    except KeyError as exc:
        print(f"newcomer-bot: unknown entry or municipality {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_chat(args: argparse.Namespace) -> int:
    import asyncio

    from bot.content.load import ContentInvalid
    from bot.devtools.terminal import chat

    try:
        return asyncio.run(chat(Path(args.directory), args.lang, args.municipality))
    except ContentInvalid as exc:
        return _content_error(exc)
    except KeyboardInterrupt:
        return 0


def _cmd_gaps(args: argparse.Namespace) -> int:
    import asyncio

    from bot.storage import Storage, StorageUnusable

    async def report() -> list:
        storage = await Storage.open(args.database)
        try:
            await storage.expire_unanswered()
            return await storage.gaps(args.days, limit=args.limit)
        finally:
            await storage.close()

    try:
        rows = asyncio.run(report())
    except StorageUnusable as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 1
    if not rows:
        print(f"No unanswered questions in the last {args.days} days.")
        return 0
    print(f"Most frequent unanswered questions, last {args.days} days:")
    print(f"{'count':>5}  {'lang':4}  {'municipality':16}  question")
    for lang, municipality, query, count in rows:
        print(f"{count:>5}  {lang:4}  {(municipality or '-'):16}  {query}")
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from bot.ops.backup import BackupError, backup

    try:
        print(f"backup written: {backup(args.database, args.file)}")
    except BackupError as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 1
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from bot.ops.backup import BackupError, restore

    try:
        summary = restore(args.file, args.database)
    except BackupError as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 1
    print(f"restored: {summary} (the previous database is in {args.database}.bak)")
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    import asyncio
    import datetime as dt

    from bot.ops import usage
    from bot.storage import Storage
    from bot.storage.stats import UsageCounts

    if not args.database.is_file():
        print(f"newcomer-bot: there is no database at {args.database}", file=sys.stderr)
        return 1
    last = args.to or dt.date.today()
    first = args.from_ or last - dt.timedelta(days=29)
    if first > last:
        print("newcomer-bot: --from is after --to", file=sys.stderr)
        return 2

    async def read() -> list:
        storage = await Storage.open(args.database)
        try:
            return await usage.report(UsageCounts(storage), first, last, by=args.by)
        finally:
            await storage.close()

    rows = asyncio.run(read())
    if args.format == "json":
        print(usage.to_json(rows, first, last))
    else:
        print(usage.to_csv(rows), end="")
    return 0


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newcomer-bot",
        description="Telegram bot for newcomers, and the tools to edit its content.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run the bot with long polling (needs TELEGRAM_BOT_TOKEN)")
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser("validate", help="check all content files; exit 1 on any problem")
    p.add_argument("directory", nargs="?", default="content")
    p.add_argument("--links", action="store_true", help="also check links (warnings, exit 0)")
    from bot.cli.editor import add_link_options

    add_link_options(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("preview", help="print an entry's card as the bot shows it")
    p.add_argument("entry_id")
    p.add_argument("--lang", default="en", help="the reader's language, e.g. ar")
    p.add_argument("--municipality", help="the reader's municipality id, e.g. remich")
    p.add_argument("directory", nargs="?", default="content")
    p.set_defaults(func=_cmd_preview)

    p = sub.add_parser("chat", help="talk to the bot in the terminal (no Telegram, no token)")
    p.add_argument("--lang", help="your language, e.g. ar (default: ask)")
    p.add_argument("--municipality", help="start in this municipality, e.g. remich")
    p.add_argument("directory", nargs="?", default="content")
    p.set_defaults(func=_cmd_chat)

    p = sub.add_parser("gaps", help="most frequent questions the bot could not answer")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--limit", type=int, default=30)
    p.add_argument(
        "--database", default=os.environ.get("BOT_DATABASE", "data/bot.sqlite3"), type=Path
    )
    p.set_defaults(func=_cmd_gaps)

    database = os.environ.get("BOT_DATABASE", "data/bot.sqlite3")
    p = sub.add_parser(
        "backup", help="copy the database (also while the bot runs) to FILE and check it"
    )
    p.add_argument("file", type=Path)
    p.add_argument("--database", default=database, type=Path)
    p.set_defaults(func=_cmd_backup)
    p = sub.add_parser("restore", help="replace the database with backup FILE (stop the bot first)")
    p.add_argument("file", type=Path)
    p.add_argument("--database", default=database, type=Path)
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser(
        "stats",
        help="usage counts per day, municipality, category and language (cells below 5 hidden)",
    )
    p.add_argument("--from", dest="from_", type=_date, help="first day (default: 30 days ago)")
    p.add_argument("--to", type=_date, help="last day (default: today)")
    p.add_argument("--by", choices=("day", "month", "period"), default="day")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--database", default=database, type=Path)
    p.set_defaults(func=_cmd_stats)

    try:
        from bot.cli.editor import add_commands
    except ImportError:  # pragma: no cover - the editors' tools are part of the package
        pass
    else:
        add_commands(sub)
    from bot.cli import events, reach

    reach.add_commands(sub)
    events.add_event_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
