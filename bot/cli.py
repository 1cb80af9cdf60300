"""The ``newcomer-bot`` command line: run the bot and the content editors' tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _cmd_validate(args: argparse.Namespace) -> int:
    from bot.content.loader import ContentInvalid, load_content

    try:
        content = load_content(args.directory)
    except ContentInvalid as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"OK: {len(content.entries)} entries, {len(content.regions)} region(s), "
        f"{len(content.places)} municipalities, {len(content.categories)} categories."
    )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    import logging

    from bot.config import ConfigError, Settings
    from bot.content.loader import ContentInvalid

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 2
    from bot.app import run

    try:
        run(settings)
    except ContentInvalid as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("newcomer-bot: the content has problems; fix them and start again", file=sys.stderr)
        return 1
    return 0


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
    p.set_defaults(func=_cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
