"""``newcomer-bot link`` and ``newcomer-bot poster``: deep links and printed posters.

Both check the link's target against the content, so a link that leads nowhere is
never printed. The bot's username comes from ``--bot`` or, with
``TELEGRAM_BOT_TOKEN`` set, from Telegram (getMe).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


class CliError(Exception):
    """A user mistake: printed as ``newcomer-bot: <message>``, exit status 2."""


def _bot_identity(args: argparse.Namespace) -> tuple[str, str | None]:
    """(username, display name or None): from ``--bot``, else getMe with the token."""
    if args.bot:
        name = args.bot.strip().removeprefix("@").removeprefix("https://t.me/")
        if not name.replace("_", "").isalnum():
            raise CliError(f"not a bot username: {args.bot!r}")
        return name, None
    import asyncio

    from telegram import Bot
    from telegram.error import TelegramError

    from bot.config import ConfigError, Settings

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise CliError(f"give the bot's username with --bot NAME, or set a token ({exc})") from None

    async def get_me():
        async with Bot(settings.token, base_url=settings.api_base_url) as bot:
            return await bot.get_me()

    try:
        me = asyncio.run(get_me())
    except TelegramError as exc:
        raise CliError(f"could not ask Telegram for the bot's name: {exc}") from None
    return me.username, me.first_name


def _target(args: argparse.Namespace, content):
    from bot.i18n import LANGUAGES
    from bot.reach.deeplinks import Target

    if args.entry:
        if args.municipality or args.lang or args.category:
            raise CliError("--entry links to one card: give it alone")
        if args.entry not in content.entries:
            raise CliError(f"unknown entry {args.entry!r}")
        return Target(entry=args.entry)
    if not args.municipality:
        raise CliError("give --municipality ID (or --entry ID)")
    if content.place(args.municipality) is None:
        known = ", ".join(sorted(content.places))
        raise CliError(f"unknown municipality {args.municipality!r}; known: {known}")
    if args.lang and args.lang not in LANGUAGES:
        raise CliError(f"unknown language {args.lang!r}; known: {', '.join(LANGUAGES)}")
    if args.category and args.category not in content.categories:
        known = ", ".join(content.categories)
        raise CliError(f"unknown category {args.category!r}; known: {known}")
    return Target(municipality=args.municipality, language=args.lang, category=args.category)


def _load(directory: str):
    from bot.content.load import ContentInvalid, load_content

    try:
        return load_content(directory)
    except ContentInvalid as exc:
        raise CliError(
            f"the content in {directory} has {len(exc.problems)} problem(s): "
            "run `newcomer-bot validate` for the list"
        ) from None


def _run(command, args: argparse.Namespace) -> int:
    try:
        return command(args)
    except CliError as exc:
        print(f"newcomer-bot: {exc}", file=sys.stderr)
        return 2


def _cmd_link(args: argparse.Namespace) -> int:
    from bot.reach.deeplinks import LinkTooLong, url

    content = _load(args.directory)
    target = _target(args, content)
    username, _ = _bot_identity(args)
    try:
        print(url(username, target))
    except LinkTooLong as exc:
        raise CliError(str(exc)) from None
    return 0


def _cmd_poster(args: argparse.Namespace) -> int:
    from bot.i18n import LANGUAGES
    from bot.reach.deeplinks import LinkTooLong, Target, url
    from bot.reach.poster import make_poster

    languages = [code.strip() for code in args.lang.split(",") if code.strip()]
    unknown = [code for code in languages if code not in LANGUAGES]
    if not languages or unknown:
        raise CliError(
            f"--lang takes UI languages separated by commas (known: {', '.join(LANGUAGES)})"
        )
    content = _load(args.directory)
    place = content.place(args.municipality)
    if place is None:
        known = ", ".join(sorted(content.places))
        raise CliError(f"unknown municipality {args.municipality!r}; known: {known}")
    # One language: the link opens the bot in it; several: each reader's own.
    target = Target(
        municipality=args.municipality, language=languages[0] if len(languages) == 1 else None
    )
    username, name = _bot_identity(args)
    try:
        link = url(username, target)
    except LinkTooLong as exc:
        raise CliError(str(exc)) from None
    pdf = make_poster(place, list(dict.fromkeys(languages)), username, link, bot_name=name)
    try:
        Path(args.output).write_bytes(pdf)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"{args.output}: poster for {link}")
    return 0


def add_commands(sub) -> None:
    """Add ``link`` and ``poster`` to the ``newcomer-bot`` subcommands."""
    p = sub.add_parser("link", help="print a deep link that opens the bot already set up")
    p.add_argument("--municipality", help="municipality id, e.g. remich")
    p.add_argument("--lang", help="the bot's language for who opens it, e.g. ar")
    p.add_argument("--category", help="open this category's list, e.g. language-courses")
    p.add_argument("--entry", help="open this entry's card (alone, without the others)")
    p.add_argument("--bot", help="the bot's username (default: ask Telegram with the token)")
    p.add_argument("directory", nargs="?", default="content")
    p.set_defaults(func=lambda args: _run(_cmd_link, args))

    p = sub.add_parser("poster", help="make a printable A4 poster (PDF) with a QR code")
    p.add_argument("--municipality", required=True, help="municipality id, e.g. remich")
    p.add_argument(
        "--lang", required=True, help="languages of the calls to action, e.g. ar,uk,fa,pt"
    )
    p.add_argument("-o", "--output", required=True, help="the PDF file to write")
    p.add_argument("--bot", help="the bot's username (default: ask Telegram with the token)")
    p.add_argument("directory", nargs="?", default="content")
    p.set_defaults(func=lambda args: _run(_cmd_poster, args))
