"""iCalendar import and export through the editors' commands: one file per UID,
a second import updates (never duplicates), cancelled and deleted events go, and
a bad calendar changes nothing and says why."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.main import main
from bot.content.load import load_content
from bot.events.ical import MAX_EVENTS, CalendarProblem, event_id, parse_calendar
from bot.events.model import Event
from bot.events.select import this_week
from tests.conftest import CONTENT

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
TAIL = "END:VCALENDAR\r\n"


def vevent(uid: str, summary: str, start: str = "20261125T180000", extra: str = "") -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART;TZID=Europe/Luxembourg:{start}",
        "DURATION:PT2H",
        f"SUMMARY:{summary}",
        "URL:https://example.org/calendar",
        *[line for line in extra.split("\n") if line],
        "END:VEVENT",
    ]
    return "\r\n".join(lines) + "\r\n"


CAFE = vevent(
    "cafe@example.org",
    "Sprachcafé",
    extra="RRULE:FREQ=WEEKLY;BYDAY=WE\nDESCRIPTION:Deutsch sprechen\\, bei Kaffee.\nLOCATION:Rue X 1\\, Remich\nGEO:49.545;6.367",
)
MARKET = vevent("market@example.org", "Wintermarkt", extra="")
FIRST_SAT = vevent(
    "repair@example.org",
    "Repair Café",
    start="20260103T100000",
    extra="RRULE:FREQ=MONTHLY;BYDAY=1SA",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


def events_dir(root: Path) -> Path:
    return root / "regions" / "miselerland" / "events"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def run_import(root: Path, ics: Path, *extra: str) -> int:
    return main(
        [
            "import-ical",
            str(ics),
            "--region",
            "miselerland",
            "--lang",
            "de",
            "--content",
            str(root),
            *extra,
        ]
    )


def calendar(tmp_path: Path, *events: str, name: str = "cal.ics") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + "".join(events) + TAIL, encoding="utf-8")
    return path


def imported(root: Path) -> dict[str, dict]:
    return {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in events_dir(root).glob("ical-*.yaml")
    }


def test_import_writes_one_file_per_uid_and_the_bot_shows_them(root, tmp_path, capsys):
    ics = calendar(tmp_path, CAFE, MARKET, FIRST_SAT)
    assert run_import(root, ics, "--municipality", "remich") == 0
    assert "3 new" in capsys.readouterr().out
    files = imported(root)
    assert set(files) == {
        event_id("miselerland", u)
        for u in ("cafe@example.org", "market@example.org", "repair@example.org")
    }
    cafe = files[event_id("miselerland", "cafe@example.org")]
    assert cafe["title"] == {"de": "Sprachcafé"} and cafe["summary"] == {
        "de": "Deutsch sprechen, bei Kaffee."
    }
    assert cafe["start"] == "2026-11-25 18:00" and cafe["end"] == "2026-11-25 20:00"
    assert cafe["rrule"] == "FREQ=WEEKLY;BYDAY=WE" and cafe["scope"] == ["remich"]
    assert cafe["place"] == {"address": "Rue X 1, Remich", "geo": {"lat": 49.545, "lon": 6.367}}
    content = load_content(root)  # the hand-written fixture events are still there
    assert "misel-ev-language-cafe" in content.events
    week = this_week(content, content.places["remich"], dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))
    titles = [o.event.title.get("de") for o in week]
    assert "Sprachcafé" in titles and "Wintermarkt" in titles
    assert "Repair Café" not in titles  # first Saturday of December is the 5th: next week


def test_second_import_updates_instead_of_duplicating_and_keeps_translations(
    root, tmp_path, capsys
):
    ics = calendar(tmp_path, CAFE, MARKET)
    assert run_import(root, ics) == 0
    before = snapshot(events_dir(root))
    assert run_import(root, ics) == 0
    assert "0 new, 0 updated, 2 unchanged, 0 removed" in capsys.readouterr().out
    assert snapshot(events_dir(root)) == before  # byte for byte

    # A translator adds Arabic; the organiser renames the event.
    path = events_dir(root) / f"{event_id('miselerland', 'cafe@example.org')}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"]["ar"] = "مقهى اللغات"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ics = calendar(
        tmp_path, CAFE.replace("SUMMARY:Sprachcafé", "SUMMARY:Sprachcafé am Mittwoch"), MARKET
    )
    assert run_import(root, ics) == 0
    assert "0 new, 1 updated, 1 unchanged" in capsys.readouterr().out
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["title"] == {"de": "Sprachcafé am Mittwoch", "ar": "مقهى اللغات"}
    assert len(imported(root)) == 2


def test_cancelled_and_deleted_events_are_removed_hand_written_ones_stay(root, tmp_path, capsys):
    assert run_import(root, calendar(tmp_path, CAFE, MARKET, FIRST_SAT)) == 0
    cancelled = MARKET.replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT")
    assert run_import(root, calendar(tmp_path, CAFE, cancelled)) == 0  # repair café deleted
    assert "2 removed" in capsys.readouterr().out
    assert set(imported(root)) == {event_id("miselerland", "cafe@example.org")}
    assert (events_dir(root) / "misel-ev-language-cafe.yaml").is_file()
    # Another calendar's events are not this calendar's to remove.
    other = calendar(tmp_path, MARKET, name="other.ics")
    assert run_import(root, other) == 0
    assert run_import(root, calendar(tmp_path, CAFE)) == 0
    assert event_id("miselerland", "market@example.org") in imported(root)


def test_a_cancelled_single_date_and_a_moved_date(root, tmp_path):
    cancelled_once = (
        "BEGIN:VEVENT\r\nUID:cafe@example.org\r\nRECURRENCE-ID;TZID=Europe/Luxembourg:20261202T180000\r\n"
        "DTSTART;TZID=Europe/Luxembourg:20261202T180000\r\nSTATUS:CANCELLED\r\nSUMMARY:Sprachcafé\r\nEND:VEVENT\r\n"
    )
    moved = (
        "BEGIN:VEVENT\r\nUID:cafe@example.org\r\nRECURRENCE-ID;TZID=Europe/Luxembourg:20261209T180000\r\n"
        "DTSTART;TZID=Europe/Luxembourg:20261210T170000\r\nSUMMARY:Sprachcafé\r\nEND:VEVENT\r\n"
    )
    assert run_import(root, calendar(tmp_path, CAFE, cancelled_once, moved)) == 0
    (data,) = imported(root).values()
    assert data["exdates"] == ["2026-12-02 18:00", "2026-12-09 18:00"]
    assert data["rdates"] == ["2026-12-10 17:00"]


def test_times_in_utc_and_other_zones(root, tmp_path):
    utc = vevent("utc@example.org", "UTC event").replace(
        "DTSTART;TZID=Europe/Luxembourg:20261125T180000", "DTSTART:20261125T170000Z"
    )
    berlin = vevent("berlin@example.org", "New York event").replace(
        "Europe/Luxembourg", "America/New_York"
    )
    assert run_import(root, calendar(tmp_path, utc, berlin)) == 0
    files = imported(root)
    assert files[event_id("miselerland", "utc@example.org")]["start"] == "2026-11-25 18:00"
    other = files[event_id("miselerland", "berlin@example.org")]
    assert other["start"] == "2026-11-25 18:00" and other["timezone"] == "America/New_York"


BROKEN_LINE = HEAD + "BEGIN:VEVENT\r\nUID:a\r\nthis line is broken\r\nEND:VEVENT\r\n" + TAIL


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (BROKEN_LINE, "cal.ics:6: the calendar cannot be read — this line is not 'NAME:value'"),
        (
            HEAD + "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:x\r\nEND:VEVENT\r\n" + TAIL,
            "has no start (DTSTART)",
        ),
        (
            HEAD + vevent("a", "x").replace("Europe/Luxembourg", "Mars/Olympus") + TAIL,
            "unknown time zone 'Mars/Olympus'",
        ),
        (
            HEAD + vevent("a", "x", extra="RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30") + TAIL,
            "never happens",
        ),
        (
            HEAD + vevent("a", "x").replace("URL:https://example.org/calendar\r\n", "") + TAIL,
            "--source https://",
        ),
        ("hello, this is not a calendar", "not an iCalendar file"),
        (HEAD + vevent("a", "x") * MAX_EVENTS + vevent("b", "y") + TAIL, f"more than {MAX_EVENTS}"),
    ],
    ids=[
        "broken-line",
        "no-dtstart",
        "unknown-tz",
        "impossible-rule",
        "no-url",
        "not-ics",
        "too-many",
    ],
)
def test_bad_calendars_change_nothing_and_say_why(root, tmp_path, capsys, text, says):
    assert run_import(root, calendar(tmp_path, CAFE)) == 0
    before = snapshot(events_dir(root))
    capsys.readouterr()
    bad = tmp_path / "cal.ics"
    bad.write_text(text, encoding="utf-8")
    assert run_import(root, bad) == 1
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert "Nothing was imported" in err
    assert snapshot(events_dir(root)) == before
    assert not [p for p in events_dir(root).parent.iterdir() if p.name.startswith(".events")]


def test_a_50_mb_file_is_refused_before_reading(root, tmp_path, capsys):
    huge = tmp_path / "huge.ics"
    with huge.open("wb") as fp:
        fp.truncate(50 * 1024 * 1024)
    before = snapshot(events_dir(root))
    assert run_import(root, huge) == 1
    assert "larger than 10 MB" in capsys.readouterr().err
    assert snapshot(events_dir(root)) == before


def test_not_utf8_and_missing_file(root, tmp_path, capsys):
    latin = tmp_path / "latin.ics"
    latin.write_bytes((HEAD + vevent("a", "Café") + TAIL).encode("latin-1"))
    assert run_import(root, latin) == 1
    assert "is not UTF-8" in capsys.readouterr().err
    assert run_import(root, tmp_path / "missing.ics") == 1
    assert "no such file" in capsys.readouterr().err


def test_usage_errors_exit_2(root, tmp_path, capsys):
    ics = calendar(tmp_path, CAFE)
    assert run_import(root, ics, "--municipality", "marburg") == 2
    assert "not a municipality of miselerland" in capsys.readouterr().err
    assert run_import(root, ics, "--category", "party") == 2
    assert "unknown category" in capsys.readouterr().err


def test_an_import_the_content_check_refuses_is_rolled_back(root, tmp_path, capsys):
    """A hand-written event already uses the id the import would write: the content
    check after the swap fails, and the old folder comes back."""
    ident = event_id("miselerland", "cafe@example.org")
    clash = (events_dir(root) / "misel-ev-repair-cafe.yaml").read_text(encoding="utf-8")
    (events_dir(root) / "clash.yaml").write_text(
        clash.replace("id: misel-ev-repair-cafe", f"id: {ident}"), encoding="utf-8"
    )
    (events_dir(root) / "misel-ev-repair-cafe.yaml").unlink()
    # The clash makes the content invalid already: import refuses before writing.
    before = snapshot(events_dir(root))
    assert run_import(root, calendar(tmp_path, CAFE)) == 1
    assert "fix them first" in capsys.readouterr().err
    assert snapshot(events_dir(root)) == before


class _Handler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def test_import_from_a_local_http_server(root, tmp_path, capsys):
    _Handler.body = (HEAD + CAFE + TAIL).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cal.ics"
        assert main(["import-ical", url, "--region", "miselerland", "--content", str(root)]) == 0
    finally:
        server.shutdown()
        server.server_close()
    (data,) = imported(root).values()
    assert data["calendar"] == url and data["title"] == {"fr": "Sprachcafé"}  # region's language


def test_export_then_import_gives_the_same_dates(root, tmp_path, capsys):
    ics = calendar(tmp_path, CAFE, MARKET, FIRST_SAT)
    assert run_import(root, ics, "--municipality", "remich") == 0
    out = tmp_path / "remich.ics"
    assert main(["export-ical", "--municipality", "remich", "-o", str(out), str(root)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "BEGIN:VTIMEZONE" in text and "TZID=Europe/Luxembourg" in text
    assert "Soirée café des langues" not in text  # example events are not exported
    # The feed imported into a fresh copy shows the same week.
    other = tmp_path / "other"
    shutil.copytree(CONTENT, other)
    assert run_import(other, out, "--municipality", "remich") == 0
    now = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)

    def week(folder):
        content = load_content(folder)
        return sorted(
            (o.start, o.end, o.event.title.get("de"))
            for o in this_week(content, content.places["remich"], now, days=60)
            if o.event.uid
        )

    assert week(other) == week(root) and week(root)


LINES = [
    "BEGIN:VEVENT",
    "END:VEVENT",
    "UID:a",
    "UID:b",
    "DTSTART:20261201T100000",
    "DTSTART;VALUE=DATE:20261201",
    "DTSTART;TZID=Nowhere/City:20261201T100000",
    "DTSTART:2026-12-01",
    "DTEND:20261130T100000",
    "DURATION:PT1H",
    "DURATION:banana",
    "RRULE:FREQ=WEEKLY",
    "RRULE:FREQ=MONTHLY;BYDAY=9XX",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
    "EXDATE:20261208T100000",
    "RDATE;VALUE=PERIOD:20261208T100000/PT1H",
    "RECURRENCE-ID:20261208T100000",
    "STATUS:CANCELLED",
    "SUMMARY:x",
    "SUMMARY:" + "y" * 300,
    "GEO:abc",
    "GEO:49.5;6.3",
    "LOCATION:somewhere",
    "URL:https://example.org/",
    "URL:ftp://example.org/",
    'SUMMARY;X="unclosed:x',
    "no colon here",
    " folded continuation",
    "BEGIN:VTIMEZONE",
    "END:VTIMEZONE",
]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(LINES) | st.text(max_size=30), max_size=25))
def test_any_calendar_text_is_imported_or_refused_with_messages(lines):
    text = HEAD + "\r\n".join(lines) + "\r\n" + TAIL
    try:
        events, _, _ = parse_calendar(
            text.encode("utf-8", "surrogatepass"),
            "cal.ics",
            region_id="miselerland",
            region_timezone="Europe/Luxembourg",
            lang="de",
            category="activities",
            scope="region",
            source=None,
            calendar_key="cal.ics",
        )
    except CalendarProblem as exc:
        assert exc.problems and all(p.startswith("cal.ics") for p in exc.problems)
    else:
        for data in events.values():
            Event.model_validate(data)


def test_events_status_lists_the_languages_an_import_lacks(root, tmp_path, capsys):
    assert run_import(root, calendar(tmp_path, CAFE)) == 0
    capsys.readouterr()
    assert main(["events-status", "--lang", "de", "--lang", "uk", str(root)]) == 1
    out = capsys.readouterr().out
    ident = event_id("miselerland", "cafe@example.org")
    uk_line = next(line for line in out.splitlines() if line.startswith("  uk:"))
    assert ident in uk_line
    de_lines = [line for line in out.splitlines() if line.startswith("  de:")]
    assert all(ident not in line for line in de_lines), "the calendar's language is there"
