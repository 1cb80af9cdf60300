"""Questions about events: "today", "this weekend", "heute", "اليوم", or an
event's title or keywords.

:func:`when_asked` recognises a question that is (mostly) a time word in any of
the bot's languages; :func:`matching_events` finds events by title or keyword.
Words are compared folded (:func:`bot.search.textnorm.fold`: case, accents,
Arabic letter variants), so "Heute", "heute" and "HEUTE" are the same.
"""

from __future__ import annotations

import datetime as dt

from bot.content.store import Content, Place
from bot.events.model import Event
from bot.events.recurrence import Occurrence
from bot.events.select import events_for
from bot.search.textnorm import fold, tokens

TODAY, TOMORROW, WEEKEND, WEEK = "today", "tomorrow", "weekend", "week"

#: Time words per meaning, in the bot's languages (several spellings each).
_WORDS = {
    TODAY: [
        "today",
        "heute",
        "aujourd'hui",
        "aujourdhui",
        "haut",
        "hoy",
        "oggi",
        "hoje",
        "dzis",
        "dzisiaj",
        "astazi",
        "azi",
        "bugun",
        "sot",
        "اليوم",
        "امروز",
        "نن",
        "آج",
        "ئەمڕۆ",
        "iro",
        "maanta",
        "ዛሬ",
        "ሎሚ",
        "сегодня",
        "сьогодні",
        "tonight",
        "heute abend",
        "ce soir",
    ],
    TOMORROW: [
        "tomorrow",
        "morgen",
        "demain",
        "muer",
        "manana",
        "domani",
        "amanha",
        "jutro",
        "maine",
        "yarin",
        "neser",
        "غدا",
        "بكرة",
        "فردا",
        "سبا",
        "سبەی",
        "sibe",
        "berri",
        "ነገ",
        "ጽባሕ",
        "завтра",
    ],
    WEEKEND: [
        "weekend",
        "week-end",
        "wochenende",
        "fin de semana",
        "fine settimana",
        "fim de semana",
        "sfarsit de saptamana",
        "hafta sonu",
        "fundjave",
        "fundjavë",
        "نهاية الأسبوع",
        "عطلة نهاية الأسبوع",
        "آخر هفته",
        "تعطیلات آخر هفته",
        "выходные",
        "вихідні",
        "samstag",
        "sonntag",
        "samedi",
        "dimanche",
        "saturday",
        "sunday",
        "السبت",
        "الأحد",
    ],
    WEEK: [
        "this week",
        "diese woche",
        "cette semaine",
        "events",
        "event",
        "veranstaltung",
        "veranstaltungen",
        "evenements",
        "evenement",
        "agenda",
        "فعاليات",
        "فعالية",
        "події",
        "подія",
        "мероприятия",
        "what's on",
        "whats on",
        "termine",
    ],
}
#: Words that may come with a time word without changing the question.
_FILLER = {
    "what",
    "whats",
    "is",
    "on",
    "was",
    "ist",
    "los",
    "gibt",
    "es",
    "qu",
    "quoi",
    "y",
    "a",
    "il",
    "est",
    "de",
    "faire",
    "the",
    "this",
    "in",
    "im",
    "am",
    "au",
    "ce",
    "events",
    "event",
    "ماذا",
    "هناك",
    "في",
    "що",
    "є",
    "відбувається",
    "що робити",
    "что",
    "есть",
    "?",
    "!",
    "please",
    "bitte",
    "stp",
    "svp",
}

_PHRASES: list[tuple[str, str]] = sorted(
    ((fold(word), meaning) for meaning, words in _WORDS.items() for word in words),
    key=lambda pair: -len(pair[0]),
)
_FILLER_FOLDED = {fold(word) for word in _FILLER}


def when_asked(text: str) -> str | None:
    """TODAY, TOMORROW, WEEKEND or WEEK if ``text`` asks what is on then; else None.

    Only short questions made of a time word and a few filler words count:
    "heute", "what's on this weekend?", "اليوم". A question with other words
    ("doctor today") is a search."""
    folded = " " + " ".join(tokens(fold(text))) + " "
    found = None
    for phrase, meaning in _PHRASES:
        padded = " " + " ".join(tokens(phrase)) + " "
        if padded.strip() and padded in folded:
            if found is None or (found == WEEK and meaning != WEEK):
                found = meaning
            folded = folded.replace(padded, " ")
    if found is None:
        return None
    rest = [word for word in folded.split() if word not in _FILLER_FOLDED]
    return found if not rest else None


def in_period(occurrences: list[Occurrence], when: str, today: dt.date) -> list[Occurrence]:
    """The occurrences on the asked day(s): today, tomorrow, the coming Saturday and
    Sunday (today and tomorrow on a weekend), or the whole list for WEEK."""
    if when == WEEK:
        return occurrences
    if when == TODAY:
        days = {today}
    elif when == TOMORROW:
        days = {today + dt.timedelta(days=1)}
    else:
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
        days = {saturday, saturday + dt.timedelta(days=1)} if today.weekday() != 6 else {today}
    return [o for o in occurrences if _days_of(o, today) & days]


def _days_of(occurrence: Occurrence, today: dt.date) -> set[dt.date]:
    """The days an occurrence is listed under: a whole-day event every day it lasts,
    a timed one the day it starts (today if it started earlier and still runs)."""
    first = max(occurrence.start.date(), today)
    if not occurrence.all_day:
        return {first}
    last = (occurrence.end - dt.timedelta(days=1)).date()
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def _event_words(event: Event) -> set[str]:
    words: set[str] = set()
    for text in event.title.values():
        words.update(tokens(fold(text)))
    for keywords in event.keywords.values():
        for keyword in keywords:
            words.update(tokens(fold(keyword)))
    return {w for w in words if len(w) >= 3}


def matching_events(content: Content, place: Place, text: str) -> list[Event]:
    """Events ``place`` sees whose title or keywords contain a word of ``text``
    (at least 4 letters, or the whole question)."""
    asked = {w for w in tokens(fold(text)) if len(w) >= 4}
    if not asked:
        return []
    key = ("events:words", place.municipality.id)
    index = content.memo.get(key)
    if index is None:
        index = content.memo[key] = [
            (event, _event_words(event)) for event in events_for(content, place)
        ]
    return [event for event, words in index if asked & words]
