"""Editors' commands for events: ``import-ical``, ``export-ical``, ``events-status``.

Registered by :func:`bot.cli.editor.add_commands`; errors as there (exit 1 with
``file:line: message`` lines, 2 for usage errors, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.editor import DEFAULT_DIR, _guarded, _language
from bot.content.load import ContentInvalid, load_content
from bot.editing.coverage import MISSING, UsageError, event_status


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
            missing = [i for i in ids if event_status(content, i, lang) == MISSING]
            if missing:
                missing_any = True
                shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
                print(f"  {lang}: {len(missing)} missing ({shown})")
    return 1 if missing_any else 0


def add_event_commands(subparsers: argparse._SubParsersAction) -> None:
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
