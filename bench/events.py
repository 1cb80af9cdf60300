"""Benchmark: "📅 This week" with 1,000 municipalities × 20 recurring events, and
importing a 5,000-event calendar.

In: nothing (the content is generated into a temporary folder). Out: a printed
report with the targets beside the figures; exit code 0 whatever the figures.

1. A region with 1,000 municipalities, each with 20 events of its own (scope:
   [municipality]) written as YAML files: weekly, every other week, daily,
   monthly "first Saturday", with left-out and extra dates, some all-day, some
   past midnight, first starts up to five years back. Loaded with
   :func:`bot.content.load.load_content` (time reported).
2. For each municipality in random order, the week view is built from scratch
   (:func:`bot.views.events._this_week`: expansion of its events, sorting, the
   text in German and the buttons) at a moment on the day clocks change (29 March
   2026). The first call also builds the per-content index of events by place
   (reported apart). Target: p99 ≤ 5 ms.
3. ``newcomer-bot import-ical`` of a generated 5,000-event calendar (a third of
   them repeating) into a copy of the tests' content, then the same import again
   (all unchanged). Each run includes loading the content before and after.
   Target: ≤ 10 s.

Usage (from the repository root)::

    .venv/bin/python bench/events.py [--municipalities 1000] [--events 20] [--calendar 5000]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.updates import machine_summary, percentile  # noqa: E402
from bot.cli.main import main as cli  # noqa: E402
from bot.content.load import load_content  # noqa: E402
from bot.i18n import translator  # noqa: E402
from bot.views.events import _this_week  # noqa: E402

RULES = [
    "FREQ=WEEKLY;BYDAY=WE",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA",
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=MONTHLY;BYDAY=1SA",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=WEEKLY;BYDAY=FR;UNTIL=20301231T230000Z",
]


def write_corpus(root: Path, municipalities: int, per_place: int, rng: random.Random) -> None:
    shutil.copytree(ROOT / "tests" / "fixtures" / "content" / "countries", root / "countries")
    shutil.copy(ROOT / "tests" / "fixtures" / "content" / "categories.yaml", root)
    region = root / "regions" / "bench"
    (region / "events").mkdir(parents=True)
    lines = [
        "id: bench",
        "country: lu",
        "default_language: fr",
        "timezone: Europe/Luxembourg",
        "name: {fr: Bench}",
        "municipalities:",
    ]
    for m in range(municipalities):
        lines += [
            f"  - id: m{m}",
            f"    name: {{fr: Commune {m}, de: Gemeinde {m}}}",
            "    geo: {lat: 49.5, lon: 6.3}",
        ]
    (region / "region.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for m in range(municipalities):
        for e in range(per_place):
            first = dt.datetime(2026, 3, 1, 8) - dt.timedelta(
                days=rng.randrange(0, 5 * 365), hours=-rng.randrange(0, 14)
            )
            all_day = e % 10 == 9
            start = f"{first:%Y-%m-%d}" if all_day else f'"{first:%Y-%m-%d %H:%M}"'
            end = (
                f"{first + dt.timedelta(days=1):%Y-%m-%d}"
                if all_day
                else f'"{first + dt.timedelta(hours=rng.choice([1, 2, 5])):%Y-%m-%d %H:%M}"'
            )
            text = (
                f"id: m{m}-e{e}\ncategory: activities\nscope: [m{m}]\nexample: true\n"
                f"title: {{fr: Activité {e}, de: Aktivität {e}}}\n"
                f"start: {start}\nend: {end}\nrrule: {RULES[e % len(RULES)]}\n"
                + (
                    "exdates: [2026-03-28, 2026-04-01]\nrdates: ['2026-03-30 18:00']\n"
                    if e % 4 == 0
                    else ""
                )
            )
            (region / "events" / f"m{m}-e{e}.yaml").write_text(text, encoding="utf-8")


def calendar_text(count: int, rng: random.Random) -> str:
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for i in range(count):
        start = dt.datetime(2026, 12, 1, 9) + dt.timedelta(hours=rng.randrange(0, 24 * 180))
        out += [
            "BEGIN:VEVENT",
            f"UID:bench-{i}@example.org",
            f"DTSTART;TZID=Europe/Luxembourg:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Luxembourg:{start + dt.timedelta(hours=2):%Y%m%dT%H%M%S}",
            f"SUMMARY:Veranstaltung {i}",
            f"DESCRIPTION:Beschreibung der Veranstaltung {i}\\, für alle.",
            "LOCATION:Rue du Bench 1\\, 5555 Remich",
            "URL:https://example.org/calendar",
        ]
        if i % 3 == 0:
            out.append("RRULE:FREQ=WEEKLY;COUNT=10")
        out.append("END:VEVENT")
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--calendar", type=int, default=5000)
    args = parser.parse_args()
    rng = random.Random(15)
    print(machine_summary())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        started = time.perf_counter()
        write_corpus(root, args.municipalities, args.events, rng)
        written = time.perf_counter() - started
        started = time.perf_counter()
        content = load_content(root)
        loaded = time.perf_counter() - started
        print(
            f"corpus: {args.municipalities} municipalities × {args.events} events = "
            f"{len(content.events)} event files (+ national); written in {written:.1f} s, "
            f"loaded and validated in {loaded:.1f} s"
        )
        t = translator("de")
        now = dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.UTC)  # the day clocks go forward
        places = [content.places[f"m{m}"] for m in range(args.municipalities)]
        rng.shuffle(places)
        started = time.perf_counter()
        first = _this_week(content, places[0], t, now, 0)
        index_ms = (time.perf_counter() - started) * 1000
        timings, cpu = [], []
        shown = 0
        for place in places[1:]:
            started, started_cpu = time.perf_counter(), time.thread_time()
            view = _this_week(content, place, t, now, 0)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            shown += view.text.count("\n• ")
        p50, p99, worst = percentile(timings, 50), percentile(timings, 99), max(timings)
        print(
            f"this week, built from scratch per municipality ({len(timings)} runs, "
            f"{shown / len(timings):.1f} occurrences on average): p50 {p50:.2f} ms, "
            f"p99 {p99:.2f} ms, max {worst:.2f} ms — target p99 ≤ 5 ms: "
            f"{'met' if p99 <= 5 else 'NOT met'}"
        )
        print(
            f"  CPU time of the same runs (other processes on the machine excluded): "
            f"p50 {percentile(cpu, 50):.2f} ms, p99 {percentile(cpu, 99):.2f} ms; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"first call (also builds the index of {len(content.events)} events): {index_ms:.1f} ms"
        )
        assert first.text

        target = Path(tmp) / "import"
        shutil.copytree(ROOT / "tests" / "fixtures" / "content", target)
        ics = Path(tmp) / "big.ics"
        ics.write_text(calendar_text(args.calendar, rng), encoding="utf-8")
        size = ics.stat().st_size / 1e6
        for label in ("first import", "same calendar again"):
            out = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stdout(out):
                code = cli(
                    [
                        "import-ical",
                        str(ics),
                        "--region",
                        "miselerland",
                        "--lang",
                        "de",
                        "--content",
                        str(target),
                    ]
                )
            took = time.perf_counter() - started
            summary = out.getvalue().strip().splitlines()
            print(
                f"import-ical {args.calendar} events ({size:.1f} MB), {label}: {took:.1f} s, exit {code}, "
                f"{summary[-2] if len(summary) > 1 else summary} — target ≤ 10 s: "
                f"{'met' if took <= 10 else 'NOT met'}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
