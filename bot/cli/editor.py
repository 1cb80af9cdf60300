"""Content editors' commands: translation status, PO files, freshness, schemas.

``add_commands(subparsers)`` registers them on the ``newcomer-bot`` parser (see
:func:`bot.cli.main.build_parser`). Every command returns an exit code: 0 all fine,
1 problems (invalid content, entries needing work, refused translations),
2 usage errors (unknown entry id, language or file). Invalid content is printed
as ``file:line: message`` lines, never as a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.coverage_table import format_coverage, format_event_coverage
from bot.content.load import ContentInvalid, load_content
from bot.content.model import SOURCE_MISSING
from bot.editing.coverage import UsageError

DEFAULT_DIR = "content"


def _guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors editors can cause into messages and exit codes."""

    def run(args: argparse.Namespace) -> int:
        from ruamel.yaml import YAMLError

        name = getattr(args, "command", None) or command.__name__.removeprefix("_cmd_")
        try:
            return command(args)
        except ContentInvalid as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            print(
                f"{len(exc.problems)} problem(s) found — fix them first "
                "(`newcomer-bot validate` shows the same list).",
                file=sys.stderr,
            )
            return 1
        except UsageError as exc:
            print(f"newcomer-bot {name}: {exc}", file=sys.stderr)
            return 2
        except (OSError, YAMLError) as exc:
            print(f"newcomer-bot {name}: {exc}", file=sys.stderr)
            return 1

    return run


def _language(value: str) -> str:
    from bot.i18n import LANGUAGES

    value = value.strip().lower()
    if value not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not one of the bot's languages: {', '.join(LANGUAGES)}"
        )
    return value


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-20") from None


def _months(value: str) -> int:
    try:
        months = int(value)
    except ValueError:
        months = -1
    if months < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of months")
    return months


# ------------------------------------------------------------------------ coverage


@_guarded
def _cmd_coverage(args: argparse.Namespace) -> int:
    from bot.editing.coverage import coverage, event_coverage

    content = load_content(args.directory)
    groups = coverage(content)
    events = event_coverage(content)
    if args.format == "json":
        data = {
            "groups": [group.as_dict() for group in groups.values()],
            "events": [group.as_dict() for group in events.values()],
        }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_coverage(groups, details=args.details))
        if events:
            sys.stdout.write("\n" + format_event_coverage(events, details=args.details))
    return 0


# ----------------------------------------------------------------- stamp / minor edit


@_guarded
def _cmd_stamp(args: argparse.Namespace) -> int:
    from bot.editing.coverage import stamp

    result = stamp(args.directory, args.entry, args.lang)
    for entry_id, langs in result.stamped.items():
        print(f"{entry_id}: up to date in {', '.join(langs)}")
    for entry_id, langs in result.skipped.items():
        print(
            f"{entry_id}: no title and summary in {', '.join(langs)} — nothing to stamp there",
            file=sys.stderr,
        )
    if not result.stamped:
        print("Nothing to stamp.")
    elif not result.files:
        print("No file changed: these translations were already recorded as up to date.")
    else:
        print(f"{len(result.files)} file(s) changed.")
    return 1 if result.skipped and not result.stamped else 0


@_guarded
def _cmd_minor_edit(args: argparse.Namespace) -> int:
    from bot.editing.coverage import minor_edit

    result = minor_edit(args.directory, args.entry_id)
    if result.unchanged:
        print(
            f"{result.entry_id}: the source text is the one last stamped — nothing to do. "
            "Run minor-edit after you fix the typo."
        )
        return 0
    if result.unknown_before:
        print(
            f"{result.entry_id}: no translation was ever stamped, so it is unknown which "
            "ones were up to date before your edit. Check them, then run "
            f"`newcomer-bot stamp --entry {result.entry_id} --lang <code>`.",
            file=sys.stderr,
        )
        return 1
    if result.moved:
        print(f"{result.entry_id}: still up to date in {', '.join(result.moved)}")
    if result.outdated:
        print(
            f"{result.entry_id}: already outdated before, still outdated: {', '.join(result.outdated)}"
        )
    if not result.moved and not result.outdated:
        print(f"{result.entry_id}: no translations recorded; source hash updated.")
    return 0


# ---------------------------------------------------------------------- PO files


@_guarded
def _cmd_export_po(args: argparse.Namespace) -> int:
    from babel.messages.pofile import write_po

    from bot.editing.po import export_po

    catalog = export_po(load_content(args.directory), args.lang, args.region, dt.date.today())
    buf = io.BytesIO()
    write_po(buf, catalog, width=76)
    if args.output in (None, "-"):
        # PO files are UTF-8 whatever the terminal's encoding: write the bytes.
        out = getattr(sys.stdout, "buffer", None)
        if out is None:
            sys.stdout.write(buf.getvalue().decode("utf-8"))
        else:
            sys.stdout.flush()
            out.write(buf.getvalue())
            out.flush()
    else:
        Path(args.output).write_bytes(buf.getvalue())
        print(f"{len(catalog)} text(s) to translate into {args.lang} written to {args.output}")
    if not len(catalog):
        print(f"Nothing to translate into {args.lang}: everything is up to date.", file=sys.stderr)
    return 0


@_guarded
def _cmd_import_po(args: argparse.Namespace) -> int:
    from bot.editing.po import import_po

    report = import_po(args.directory, args.file)
    for entry_id, fields in report.written.items():
        print(f"{entry_id}: wrote {', '.join(fields)} in {report.lang}")
    complete = [e for e in report.stamped if e not in report.still_outdated]
    if complete:
        print(f"Up to date in {report.lang}: {len(complete)} entries.")
    if report.still_outdated:
        print(
            "The source text changed after the export, so these stay outdated (export again): "
            + ", ".join(report.still_outdated)
        )
    if report.partial:
        print("Partly translated, still to finish: " + ", ".join(report.partial))
    if report.untranslated or report.fuzzy:
        print(f"Skipped: {report.untranslated} empty, {report.fuzzy} fuzzy translation(s).")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    return 0 if report.ok else 1


# ------------------------------------------------------------------------ freshness


@_guarded
def _cmd_stale(args: argparse.Namespace) -> int:
    from bot.editing.freshness import expired, stale

    try:
        content = load_content(args.directory)
    except ContentInvalid as exc:
        # The bot refuses real entries without a source, so they cannot be loaded:
        # name them first, then let the usual problem list follow.
        unsourced = sorted({p.file for p in exc.problems if p.message.startswith(SOURCE_MISSING)})
        if unsourced:
            print("Real entries without `source` — add the web page their facts come from:")
            for file in unsourced:
                print(f"  {'no source':<10}  {file}")
        raise
    today = args.today or dt.date.today()
    old = stale(content, args.months, today)
    gone = expired(content, today)
    if old:
        print(f"Not checked for more than {args.months} months — check them and update `reviewed`:")
        for item in old:
            when = item.reviewed.isoformat() if item.reviewed else "never"
            if item.unsourced:
                when = "no source"
            print(f"  {when:<10}  {item.entry_id:<40}  {item.file}")
    else:
        print(f"Every entry was checked in the last {args.months} months.")
    if gone:
        print("Expired (past valid_until, the bot hides them) — delete these files:")
        for item in gone:
            print(f"  {item.valid_until.isoformat():<10}  {item.entry_id:<40}  {item.file}")
    broken = _cached_broken_links(content, args)
    return 1 if old or gone or broken else 0


def _cached_broken_links(content, args: argparse.Namespace) -> list:
    """``stale``'s part on links: what the last ``check-links`` found broken (no network)."""
    from bot.editing.links import LinkCache, cached_broken, default_cache_path

    cache = LinkCache.load(args.link_cache or default_cache_path())
    broken = cached_broken(content, cache, args.directory)
    if broken:
        print("Broken links (as `newcomer-bot check-links` last found them) — fix or remove:")
        for link, result in broken:
            when = dt.datetime.fromtimestamp(result.checked_at, dt.UTC).date().isoformat()
            print(f"  {when:<10}  {link.entry_id:<40}  {link.file}:{link.line}  {link.url}")
            print(f"  {'':<10}  {result.describe()}")
    return broken


def _resolve_option(value: str) -> tuple[str, str]:
    host, sep, address = value.partition("=")
    if not sep or not host or not address:
        raise argparse.ArgumentTypeError(f"{value!r} is not HOST=ADDRESS")
    return host.lower(), address


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0 or number != number or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number")
    return number


def _concurrency(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number from 1 to 100")
    return number


def _pause(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 60:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds from 0 to 60")
    return number


def check_links_report(args: argparse.Namespace, content, *, quiet: bool = False):
    """Run the link checker for the command line; returns the links that need work."""
    from bot.editing.links import default_cache_path, problems, run_check

    def progress(done: int, total: int) -> None:
        if not quiet and sys.stderr.isatty():
            print(f"\rchecked {done}/{total}", end="", file=sys.stderr, flush=True)

    links, results, checker = run_check(
        content,
        region=getattr(args, "region", None),
        root=args.directory,
        cache_path=args.link_cache or default_cache_path(),
        resolve=dict(args.resolve or ()) or None,
        concurrency=args.concurrency,
        timeout=args.timeout,
        delay=args.delay,
        progress=progress,
    )
    if not quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    return links, results, checker, problems(links, results)


@_guarded
def _cmd_check_links(args: argparse.Namespace) -> int:
    from bot.editing.links import BROKEN, UsageError, warning_line

    content = load_content(args.directory)
    try:
        links, results, checker, found = check_links_report(args, content)
    except UsageError as exc:
        print(f"newcomer-bot check-links: {exc}", file=sys.stderr)
        return 2
    for link, result in found:
        print(warning_line(link, result))
    broken = sum(1 for _, result in found if result.state == BROKEN)
    entries = len({link.entry_id for link in links})
    print(
        f"{len(results)} address(es) in {entries} entries checked: {broken} link(s) broken, "
        f"{len(found) - broken} to look at; {checker.from_cache} address(es) from today's cache."
    )
    return 1 if broken else 0


def add_link_options(p: argparse.ArgumentParser) -> None:
    """The link checker's options (``check-links``, ``validate --links``, ``stale``)."""
    from bot.editing.links import DEFAULT_CONCURRENCY, DEFAULT_DELAY, DEFAULT_TIMEOUT

    p.add_argument(
        "--link-cache", type=Path, metavar="FILE",
        help="results of the last day (default: link-check.json next to the database)",
    )  # fmt: skip
    p.add_argument(
        "--concurrency", type=_concurrency, default=DEFAULT_CONCURRENCY, help=argparse.SUPPRESS
    )
    p.add_argument("--timeout", type=_positive, default=DEFAULT_TIMEOUT, help="seconds per request")
    p.add_argument("--delay", type=_pause, default=DEFAULT_DELAY, help=argparse.SUPPRESS)
    # Like curl --resolve: send HOST (or * for every host) to ADDRESS; for tests.
    p.add_argument("--resolve", type=_resolve_option, action="append", help=argparse.SUPPRESS)


# ------------------------------------------------------------------------- feedback


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = 0
    if not 1 <= days <= 3660:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days (1 or more)")
    return days


def _cmd_feedback(args: argparse.Namespace) -> int:
    """Entries by problems newcomers reported (👍 / ⚠️ under each card)."""
    import asyncio

    from bot.storage import Storage
    from bot.storage.feedback import KINDS, WRONG_KINDS

    async def report() -> list:
        storage = await Storage.open(args.database)
        try:
            store = storage.feedback
            await store.expire_comments()
            since = (args.today or dt.date.today()) - dt.timedelta(days=args.days - 1)
            return await store.report(since)
        finally:
            await storage.close()

    try:
        rows = asyncio.run(report())
    except Exception as exc:  # an unreadable or foreign database file
        print(f"newcomer-bot feedback: cannot read {args.database}: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        data = {"days": args.days, "entries": [row.as_dict() for row in rows]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"No feedback in the last {args.days} days.")
        return 0
    print(f"Feedback of the last {args.days} days, most problems first:")
    print(f"{'wrong':>5}  {'helpful':>7}  {'entry':<40}  what")
    for row in rows:
        what = ", ".join(f"{k} {row.counts[k]}" for k in WRONG_KINDS if row.counts.get(k))
        print(f"{row.wrong:>5}  {row.helpful:>7}  {row.entry_id:<40}  {what}")
        for kind, lang, comment, at in row.comments[:5]:
            day = dt.datetime.fromtimestamp(at, dt.UTC).date().isoformat()
            print(f"{'':>16}  {day} [{lang}] {kind if kind in KINDS else '?'}: {comment}")
    return 0


# --------------------------------------------------------------------------- schema


@_guarded
def _cmd_schema(args: argparse.Namespace) -> int:
    from bot.editing.schema import write_schemas

    for path in write_schemas(args.output):
        print(path)
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the editors' commands on ``subparsers`` (from ``add_subparsers``).

    Each sub-parser sets ``func``, a function taking the parsed arguments and
    returning the exit code, like ``validate`` in :mod:`bot.cli.main`.
    """
    p = subparsers.add_parser(
        "coverage",
        help="translation status per region: entries complete, outdated, missing; "
        "events translated, missing",
    )
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.add_argument(
        "--details", action="store_true", help="list the entry and event ids in every cell"
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.set_defaults(func=_cmd_coverage)

    p = subparsers.add_parser(
        "stamp", help="record translations as made from the current source text"
    )
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.add_argument(
        "--entry", action="append", metavar="ID", help="only this entry (repeat for more)"
    )
    p.add_argument(
        "--lang", action="append", type=_language, metavar="L", help="only this language (repeat)"
    )
    p.set_defaults(func=_cmd_stamp)

    p = subparsers.add_parser(
        "minor-edit", help="after a typo fix in the source text: translations stay up to date"
    )
    p.add_argument("entry_id", metavar="ENTRY_ID")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.set_defaults(func=_cmd_minor_edit)

    p = subparsers.add_parser(
        "export-po", help="write a PO file of the texts to translate into one language"
    )
    p.add_argument("--lang", required=True, type=_language, help="language code, e.g. fa")
    p.add_argument("--region", help="a region id, or a country id for its national entries")
    p.add_argument("-o", "--output", metavar="FILE", help="PO file to write (default: stdout)")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.set_defaults(func=_cmd_export_po)

    p = subparsers.add_parser(
        "import-po", help="write the translations of a PO file into the entries"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.set_defaults(func=_cmd_import_po)

    p = subparsers.add_parser("stale", help="entries not checked for a long time, and expired ones")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.add_argument("--months", type=_months, default=12, help="default: 12")
    p.add_argument("--today", type=_date, help=argparse.SUPPRESS)  # for tests and what-ifs
    p.add_argument("--link-cache", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_stale)

    p = subparsers.add_parser(
        "check-links", help="fetch every website, source and address in texts; list broken ones"
    )
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.add_argument("--region", help="a region id, or a country id for its national entries")
    add_link_options(p)
    p.set_defaults(func=_cmd_check_links)

    p = subparsers.add_parser("feedback", help="entries by problems newcomers reported")
    p.add_argument("--days", type=_days, default=30, help="default: 30")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--database", default=os.environ.get("BOT_DATABASE", "data/bot.sqlite3"), type=Path
    )
    p.add_argument("--today", type=_date, help=argparse.SUPPRESS)
    p.set_defaults(func=_cmd_feedback)

    p = subparsers.add_parser("schema", help="write the JSON Schemas for editors (VS Code)")
    p.add_argument("-o", "--output", default=f"{DEFAULT_DIR}/schema", metavar="DIR")
    p.set_defaults(func=_cmd_schema)
