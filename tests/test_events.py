"""Events: the model and its messages, recurrence (DST, "first Saturday", exceptions,
all-day, past midnight), what a municipality sees, and the loader's file:line checks."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.load import ContentInvalid, load_content
from bot.events.model import Event
from bot.events.recurrence import occurrences
from bot.events.rules import explain_rrule
from bot.events.select import events_for, registration_closed, this_week, upcoming
from tests.conftest import CONTENT, NOW

LUX = ZoneInfo("Europe/Luxembourg")
UTC = dt.UTC


def event(**fields) -> Event:
    data = {"id": "x", "category": "activities", "title": {"en": "X"}, "example": True}
    data.update(fields)
    return Event.model_validate(data)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LUX)


def starts(ev: Event, after: dt.datetime, before: dt.datetime) -> list[dt.datetime]:
    return [o.start for o in occurrences(ev, LUX, after, before)]


# -- recurrence ----------------------------------------------------------------------


def test_weekly_event_keeps_its_local_time_across_both_dst_changes():
    ev = event(start="2026-03-07 10:00", end="2026-03-07 12:00", rrule="FREQ=WEEKLY;BYDAY=SA")
    spring = starts(ev, local(2026, 3, 20), local(2026, 4, 6))
    assert [s.hour for s in spring] == [10, 10, 10]
    assert [s.utcoffset() for s in spring] == [dt.timedelta(hours=h) for h in (1, 1, 2)]
    autumn = starts(ev, local(2026, 10, 17), local(2026, 11, 1))
    assert [(s.day, s.hour, s.utcoffset().seconds // 3600) for s in autumn] == [
        (17, 10, 2),
        (24, 10, 2),
        (31, 10, 1),
    ]


def test_a_time_in_the_spring_forward_gap_moves_forward():
    ev = event(start="2026-03-29 02:30", end="2026-03-29 03:30")
    (occ,) = occurrences(ev, LUX, local(2026, 3, 29), local(2026, 3, 30))
    assert occ.start.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert occ.start.hour == 3  # 02:30 does not exist that night: 03:30 CEST


def test_monthly_first_saturday():
    ev = event(start="2026-01-03 10:00", end="2026-01-03 13:00", rrule="FREQ=MONTHLY;BYDAY=1SA")
    days = [s.date() for s in starts(ev, local(2026, 1, 1), local(2027, 1, 1))]
    assert days == [
        dt.date(2026, m, d)
        for m, d in [
            (1, 3),
            (2, 7),
            (3, 7),
            (4, 4),
            (5, 2),
            (6, 6),
            (7, 4),
            (8, 1),
            (9, 5),
            (10, 3),
            (11, 7),
            (12, 5),
        ]
    ]


def test_exdates_leave_out_and_rdates_add():
    ev = event(
        start="2026-12-02 18:00",
        end="2026-12-02 20:00",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        exdates=["2026-12-23", "2026-12-30 18:00"],
        rdates=["2026-12-28", "2026-12-29 09:00"],
    )
    got = [(s.day, s.hour) for s in starts(ev, local(2026, 12, 20), local(2027, 1, 8))]
    assert got == [(28, 18), (29, 9), (6, 18)]


def test_until_in_utc_and_count_end_the_repetition():
    until = event(start="2026-12-02 18:00", rrule="FREQ=WEEKLY;UNTIL=20261216T170000Z")
    assert [s.day for s in starts(until, local(2026, 12, 1), local(2027, 2, 1))] == [2, 9, 16]
    count = event(start="2026-12-02 18:00", rrule="FREQ=DAILY;COUNT=3")
    assert [s.day for s in starts(count, local(2026, 12, 1), local(2027, 2, 1))] == [2, 3, 4]


def test_all_day_event_lasts_until_the_end_of_its_last_day():
    ev = event(start="2026-11-28", end="2026-11-29")
    (occ,) = occurrences(ev, LUX, local(2026, 11, 29, 23, 59), local(2026, 12, 6))
    assert occ.all_day and occ.start == local(2026, 11, 28) and occ.end == local(2026, 11, 30)
    assert occurrences(ev, LUX, local(2026, 11, 30), local(2026, 12, 6)) == []


def test_event_past_midnight_stays_until_it_ends():
    ev = event(start="2026-11-27 22:00", end="2026-11-28 01:00")
    assert occurrences(ev, LUX, local(2026, 11, 28, 0, 30), local(2026, 11, 29))
    assert occurrences(ev, LUX, local(2026, 11, 28, 1, 0), local(2026, 11, 29)) == []


def test_event_without_end_is_listed_for_the_rest_of_its_day():
    ev = event(start="2026-11-23 09:00")
    assert occurrences(ev, LUX, local(2026, 11, 23, 20), local(2026, 11, 24))
    assert occurrences(ev, LUX, local(2026, 11, 24, 0, 1), local(2026, 11, 25)) == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    interval=st.integers(1, 5),
    days_before=st.integers(0, 3000),
    hour=st.integers(0, 23),
    weekly=st.sampled_from(["", ";BYDAY=MO", ";BYDAY=SA,SU", ";BYDAY=TU,TH"]),
    monthly=st.sampled_from(
        ["", ";BYDAY=1SA", ";BYMONTHDAY=15", ";BYDAY=-1FR", ";BYMONTHDAY=31,-1"]
    ),
    until=st.sampled_from(["", ";UNTIL=20261210T120000Z", ";UNTIL=20261201"]),
)
def test_search_near_the_window_finds_the_same_dates_as_dateutil(
    freq, interval, days_before, hour, weekly, monthly, until
):
    """Rules that started years ago are searched from near the window: same result
    as dateutil's own parser searching from the first start."""
    first = dt.datetime(2026, 11, 23, hour) - dt.timedelta(days=days_before)
    extra = {"DAILY": "", "WEEKLY": weekly, "MONTHLY": monthly}[freq]
    rule = f"FREQ={freq};INTERVAL={interval}{extra}{until}"
    ev = event(
        start=first.isoformat(" "), end=(first + dt.timedelta(hours=1)).isoformat(" "), rrule=rule
    )
    lo, hi = dt.datetime(2026, 11, 23), dt.datetime(2027, 1, 23)
    local_until = rule.replace("T120000Z", "T130000").replace(
        "UNTIL=20261201", "UNTIL=20261201T235959"
    )
    expected = [
        s
        for s in rrulestr(local_until, dtstart=first).between(
            lo - dt.timedelta(hours=1), hi, inc=True
        )
        if s + dt.timedelta(hours=1) > lo and s < hi
    ]
    got = starts(ev, lo.replace(tzinfo=LUX), hi.replace(tzinfo=LUX))
    assert [g.replace(tzinfo=None) for g in got] == expected


# -- rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "may never happen"),
        ("FREQ=HOURLY", "DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("BYDAY=SA", "FREQ is missing"),
        ("FREQ=WEEKLY;BYDAY=SAT", "BYDAY takes MO"),
        ("FREQ=WEEKLY;BYDAY=1SA", "needs FREQ=MONTHLY"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20270101", "COUNT or UNTIL"),
        ("FREQ=WEEKLY;BYWEEKNO=3", "not supported"),
        ("every saturday", "NAME=VALUE"),
    ],
)
def test_bad_rules_are_explained_at_once(rule, says):
    started = time.perf_counter()
    problem = explain_rrule(rule)
    assert problem is not None and says in problem
    assert time.perf_counter() - started < 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="FREQ=DAILYWEKMONTHBYSP;0123456789-,+UTC", max_size=60))
def test_any_rule_text_is_refused_or_works_quickly(text):
    problem = explain_rrule(text)
    if problem is None:
        ev = event(start="2026-01-03 10:00", rrule=text)
        started = time.perf_counter()
        occurrences(ev, LUX, local(2026, 11, 23), local(2026, 12, 1))
        assert time.perf_counter() - started < 1.0


def test_model_messages_for_editors():
    with pytest.raises(ValueError, match="year first"):
        event(start="05.12.2026 14:00")
    with pytest.raises(ValueError, match="end is before start"):
        event(start="2026-12-05 14:00", end="2026-12-05 13:00")
    with pytest.raises(ValueError, match="both be days"):
        event(start="2026-12-05", end="2026-12-05 13:00")
    with pytest.raises(ValueError, match="source is missing"):
        event(example=False, start="2026-12-05")
    with pytest.raises(ValueError, match="never point at a real place"):
        event(start="2026-12-05", place={"address": "1 Rue X, Remich"})
    with pytest.raises(ValueError, match="not a time zone"):
        event(start="2026-12-05", timezone="Europe/Luxemburg")
    assert event(start="2026-12-05").all_day
    assert event(start="2026-12-05 14:00").start == dt.datetime(2026, 12, 5, 14)


# -- what a municipality sees ----------------------------------------------------------


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT)


def test_this_week_in_remich_is_ordered_and_without_past_events(content):
    found = this_week(content, content.places["remich"], NOW)
    ids = [o.event.id for o in found]
    assert ids == [
        "lu-ev-info-day",  # national
        "misel-ev-language-cafe",  # Remich only, weekly
        "misel-ev-football-camp",
        "misel-ev-night-walk",
        "misel-ev-winter-market",  # all day first
        "misel-ev-repair-cafe",  # region-wide, extra date
    ]
    assert "misel-ev-autumn-fair" not in ids  # 1 November: over
    assert [o.start for o in found] == sorted(o.start for o in found)


def test_other_places_see_their_own_events(content):
    grevenmacher = [o.event.id for o in this_week(content, content.places["grevenmacher"], NOW)]
    assert "misel-ev-language-cafe" not in grevenmacher and "misel-ev-winter-market" in grevenmacher
    marburg = [o.event.id for o in this_week(content, content.places["marburg"], NOW)]
    assert marburg == ["mb-ev-sprachcafe"]  # Tuesday 24 November; no Luxembourg events
    assert events_for(content, content.places["kirchhain"]) == []


def test_registration_deadline_and_next_dates(content):
    camp = content.events["misel-ev-football-camp"]
    walk = content.events["misel-ev-night-walk"]
    assert registration_closed(content, camp, NOW)  # deadline 20 November
    assert not registration_closed(content, walk, NOW)
    assert registration_closed(content, walk, dt.datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    cafe = upcoming(content, content.events["misel-ev-language-cafe"], NOW, 5)
    assert [o.day for o in cafe] == [
        dt.date(2026, 11, 25),
        dt.date(2026, 12, 2),
        dt.date(2026, 12, 9),
        dt.date(2026, 12, 16),
        dt.date(2027, 1, 6),  # 23 and 30 December left out
    ]


# -- loader --------------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    return folder


def problems(root: Path) -> list[str]:
    try:
        load_content(root)
    except ContentInvalid as exc:
        return [str(p) for p in exc.problems]
    return []


GOOD = """\
id: misel-ev-test
category: activities
scope: [remich]
title:
  fr: Fête
start: "2026-12-05 14:00"
source: "https://www.remich.lu/"
"""


def write(root: Path, text: str, name: str = "misel-ev-test.yaml") -> str:
    path = root / "regions" / "miselerland" / "events" / name
    path.write_text(text, encoding="utf-8")
    return f"content/regions/miselerland/events/{name}"


def test_a_good_event_file_loads(root):
    write(root, GOOD)
    content = load_content(root)
    assert content.events["misel-ev-test"].start == dt.datetime(2026, 12, 5, 14)
    assert (
        content.event_files["misel-ev-test"]
        == "content/regions/miselerland/events/misel-ev-test.yaml"
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ('start: "2026-12-05 14:00"', 'start: "05.12.2026"', 6, "write the year first"),
        ('start: "2026-12-05 14:00"', 'start: "2026-12-05 14.30"', 6, "write the time with ':'"),
        ('start: "2026-12-05 14:00"', "start: 2026-02-30", 6, "that day or time does not exist"),
        ("category: activities", "category: activity", 2, "did you mean 'activities'"),
        ("scope: [remich]", "scope: [remish]", 3, "did you mean 'remich'"),
        ('source: "https://www.remich.lu/"', "rrule: FREQ=WEEKLY;BYDAY=XX", 7, "BYDAY takes"),
        ("id: misel-ev-test", "id: misel-ev-other", 1, "file name should be the id"),
        (
            'start: "2026-12-05 14:00"',
            'start: "2026-12-05 14:00"\nplace: {entry: misel-nope}',
            7,
            "does not exist",
        ),
        ("scope: [remich]", "scope: national", 3, "countries/lu/events/"),
    ],
)
def test_problems_in_event_files_point_at_the_line(root, old, new, line, says):
    rel = write(root, GOOD.replace(old, new))
    found = problems(root)
    assert any(p.startswith(f"{rel}:{line}: ") and says in p for p in found), found


def test_duplicate_event_ids_are_reported(root):
    first = write(root, GOOD, "misel-ev-test-2.yaml")  # read first (sorted by name)
    second = write(root, GOOD)
    found = problems(root)
    assert any(
        p.startswith(f"{second}:1: id 'misel-ev-test' is already used by {first}:1") for p in found
    ), found


def test_broken_event_yaml_is_reported_not_raised(root):
    rel = write(root, "id: [unclosed\n")
    found = problems(root)
    assert found and all(p.startswith(rel) for p in found)
