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
import sys
from collections.abc import Callable
from pathlib import Path

from bot.content.load import ContentInvalid, load_content
from bot.content.model import SOURCE_MISSING
from bot.editing.coverage import STATUSES, UsageError

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


def _language_name(lang: str) -> str:
    from bot.i18n import display_name

    return display_name(lang, "en")


# ------------------------------------------------------------------------ coverage


def format_coverage(groups, details: bool = False) -> str:
    """The coverage table as text: per group a header, then one row per language
    with the number of complete / outdated / missing entries."""
    lines: list[str] = []
    for group in groups.values():
        lines.append(
            f"{group.name} — {len(group.entry_ids)} entries, source language "
            f"{group.source_language} ({_language_name(group.source_language)})"
        )
        lines.append(f"  {'language':<20} {'complete':>8} {'outdated':>8} {'missing':>8}")
        for lang, cells in group.languages.items():
            counts = group.counts(lang)
            label = f"{lang} {_language_name(lang)}"
            lines.append(
                f"  {label:<20} {counts['complete']:>8} {counts['outdated']:>8} "
                f"{counts['missing']:>8}"
            )
            if details:
                for state in STATUSES:
                    if cells[state]:
                        lines.append(f"      {state + ':':<10} {', '.join(cells[state])}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


@_guarded
def _cmd_coverage(args: argparse.Namespace) -> int:
    from bot.editing.coverage import coverage

    groups = coverage(load_content(args.directory))
    if args.format == "json":
        data = {"groups": [group.as_dict() for group in groups.values()]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_coverage(groups, details=args.details))
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
    return 1 if old or gone else 0


# --------------------------------------------------------------------------- schema


@_guarded
def _cmd_schema(args: argparse.Namespace) -> int:
    from bot.editing.schema import write_schemas

    for path in write_schemas(args.output):
        print(path)
    return 0


@_guarded
def _cmd_import_ical(args: argparse.Namespace) -> int:
    from bot.content.load import ContentLoader
    from bot.events import folder as files
    from bot.events import ical

    root = Path(args.directory)
    loader = ContentLoader()  # the check after writing re-reads only the changed files
    content = loader.load(root)
    region = content.regions.get(args.region)
    if region is None:
        raise UsageError(
            f"unknown region '{args.region}' — use one of: {', '.join(content.regions)}"
        )
    scope: str | list[str] = "region"
    if args.municipality:
        if args.municipality not in {m.id for m in region.municipalities}:
            known = ", ".join(m.id for m in region.municipalities)
            raise UsageError(
                f"'{args.municipality}' is not a municipality of {region.id} — use one of: {known}"
            )
        scope = [args.municipality]
    if args.category not in content.categories:
        raise UsageError(
            f"unknown category '{args.category}' — use one of: {', '.join(content.categories)}"
        )
    lang = args.lang or region.default_language
    is_url = args.source_file.lower().startswith(("http://", "https://"))
    key = args.source or (args.source_file if is_url else Path(args.source_file).name)
    page = args.source or (
        args.source_file if args.source_file.lower().startswith("https://") else None
    )
    try:
        data, name = ical.read_source(args.source_file)
        events, cancelled, notes = ical.parse_calendar(
            data,
            name,
            region_id=region.id,
            region_timezone=region.timezone,
            lang=lang,
            category=args.category,
            scope=scope,
            source=page,
            calendar_key=key,
        )
    except ical.CalendarProblem as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Nothing was imported — the events folder is unchanged.", file=sys.stderr)
        return 1
    folder = root / "regions" / region.id / "events"
    report, backup = files.write_events(folder, events, cancelled, key, lang)
    try:
        loader.load(root)
    except ContentInvalid as exc:
        files.restore(folder, backup)
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("Nothing was imported — the events folder is unchanged.", file=sys.stderr)
        return 1
    files.discard(backup)
    for note in notes:
        print(note)
    print(f"{name}: {report.summary()} (in {folder}).")
    print(
        f"Texts are in '{lang}' only: add other languages in the files (they are kept by the "
        "next import); `newcomer-bot events-status` lists what is missing."
    )
    return 0


@_guarded
def _cmd_export_ical(args: argparse.Namespace) -> int:
    from bot.events.export import export_calendar

    content = load_content(Path(args.directory))
    place = content.places.get(args.municipality)
    if place is None:
        raise UsageError(f"unknown municipality '{args.municipality}'")
    data = export_calendar(content, place, args.lang)
    if args.output in (None, "-"):
        sys.stdout.write(data.decode())
    else:
        Path(args.output).write_bytes(data)
        print(f"{args.output}: written.")
    return 0


#: Languages every event should have (content/README.md, section 3).
EVENT_LANGUAGES = ("de", "en", "fr", "ar", "uk")


@_guarded
def _cmd_events_status(args: argparse.Namespace) -> int:
    """Events per region (or country) and which of them miss a translation."""
    content = load_content(Path(args.directory))
    languages = args.lang or list(EVENT_LANGUAGES)
    groups: dict[str, list[str]] = {}
    for event_id in sorted(content.events):
        region = content.event_region.get(event_id)
        group = region or f"{content.event_country.get(event_id)} (national)"
        groups.setdefault(group, []).append(event_id)
    if not groups:
        print("No events.")
        return 0
    missing_any = False
    for group, ids in sorted(groups.items()):
        print(f"{group}: {len(ids)} event(s)")
        for lang in languages:
            missing = [i for i in ids if lang not in content.events[i].title]
            missing += [
                i
                for i in ids
                if lang in content.events[i].title
                and content.events[i].summary
                and lang not in content.events[i].summary
            ]
            if missing:
                missing_any = True
                shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
                print(f"  {lang}: {len(missing)} missing ({shown})")
    return 1 if missing_any else 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the editors' commands on ``subparsers`` (from ``add_subparsers``).

    Each sub-parser sets ``func``, a function taking the parsed arguments and
    returning the exit code, like ``validate`` in :mod:`bot.cli.main`.
    """
    p = subparsers.add_parser(
        "coverage", help="translation status per region: complete, outdated, missing"
    )
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.add_argument("--details", action="store_true", help="list the entry ids in every cell")
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
    p.set_defaults(func=_cmd_stale)

    p = subparsers.add_parser(
        "import-ical", help="import events from an iCalendar (.ics) file or URL into a region"
    )
    p.add_argument("source_file", metavar="SOURCE", help="an .ics file, or an https:// address")
    p.add_argument("--region", required=True, help="region id, e.g. miselerland")
    p.add_argument("--municipality", help="only for this municipality (default: the whole region)")
    p.add_argument("--category", default="activities", help="default: activities")
    p.add_argument("--lang", type=_language, help="language of the texts (default: the region's)")
    p.add_argument("--source", help="web page where the calendar is published (https://…)")
    p.add_argument("--content", dest="directory", default=DEFAULT_DIR, metavar="DIR")
    p.set_defaults(func=_cmd_import_ical)

    p = subparsers.add_parser(
        "events-status", help="events per region and the translations they still miss"
    )
    p.add_argument("--lang", action="append", type=_language, help="default: de en fr ar uk")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.set_defaults(func=_cmd_events_status)

    p = subparsers.add_parser("export-ical", help="write a municipality's events as an .ics feed")
    p.add_argument("--municipality", required=True)
    p.add_argument("--lang", type=_language, help="language of the texts (default: the region's)")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")
    p.add_argument("directory", nargs="?", default=DEFAULT_DIR)
    p.set_defaults(func=_cmd_export_ical)

    p = subparsers.add_parser("schema", help="write the JSON Schemas for editors (VS Code)")
    p.add_argument("-o", "--output", default=f"{DEFAULT_DIR}/schema", metavar="DIR")
    p.set_defaults(func=_cmd_schema)
