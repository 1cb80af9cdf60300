"""What staff see: the /announce screens, delivery progress and /announcements.

Plain functions of content, translator and values, with no Telegram I/O (like
:mod:`bot.views.newcomer`). What a subscriber receives is
:func:`bot.views.news.announcement_message`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from telegram import InlineKeyboardMarkup

from bot.content.model import Region
from bot.content.store import Content
from bot.i18n import LANGUAGES, Translator, language_name
from bot.views.common import View, button, localized, place_name

#: An example of the send time a staff member types (``YYYY-MM-DD HH:MM``).
SCHEDULE_EXAMPLE = "2026-12-24 18:00"


def _cancel_button(t: Translator):
    return button("✖ " + t._("Cancel"), "an", "stop", "x")


def region_choice(content: Content, regions: list[str], t: Translator) -> View:
    """/announce for a member with municipalities in several regions: which region?"""
    rows = [
        [button(localized(content.regions[r].name, t, content.regions[r].default_language)[0],
                "an", "reg", r)]
        for r in regions
    ]  # fmt: skip
    rows.append([_cancel_button(t)])
    return View(escape(t._("📣 New announcement. For which region?")), InlineKeyboardMarkup(rows))


def targets(
    content: Content, region: Region, chosen: set[str], scope: set[str], t: Translator
) -> View:
    """The municipalities of ``region`` in the member's ``scope``, ``chosen`` ones ticked."""
    places = sorted(
        (content.places[m] for m in scope if content.places[m].region.id == region.id),
        key=lambda p: place_name(p, t).casefold(),
    )
    rows = []
    for place in places:
        mark = "✅" if place.municipality.id in chosen else "▫️"
        rows.append([button(f"{mark} {place_name(place, t)}", "an", "tog", place.municipality.id)])
    if all(m.id in scope for m in region.municipalities):
        name = localized(region.name, t, region.default_language)[0]
        rows.insert(0, [button("📢 " + t._("Whole region: {region}").format(region=name),
                                "an", "all", region.id)])  # fmt: skip
    rows.append([button("▶ " + t._("Next"), "an", "next", "x"), _cancel_button(t)])
    text = t._("📣 New announcement. Who should get it? Tap the municipalities, then Next.")
    return View(t.paragraph(escape(text)), InlineKeyboardMarkup(rows))


def ask_text(region: Region, subscribers: int, t: Translator) -> str:
    """Write the main text, in the region's default language; how many will get it."""
    count = t.ngettext(
        "This announcement will go to {count} subscriber.",
        "This announcement will go to {count} subscribers.",
        subscribers,
    ).format(count=subscribers)
    prompt = t._("Now write the announcement in {language}, as one message.").format(
        language=language_name(region.default_language)
    )
    return f"✍️ {escape(prompt)}\n{escape(count)}"


def too_long(units: int, limit: int, t: Translator) -> str:
    return escape(
        t._(
            "This text has {count} characters; at most {limit} fit in one message. "
            "Please shorten it and send it again."
        ).format(count=units, limit=limit)
    )


def scheduled_for(timestamp: float, region: Region, t: Translator) -> str:
    tz = ZoneInfo(region.timezone)
    moment = dt.datetime.fromtimestamp(timestamp, tz)
    return t._("Scheduled for {when}").format(
        when=format_datetime(moment, format="full", tzinfo=tz, locale=t.locale)
    )


def more(languages: Iterable[str], send_at: float | None, region: Region, t: Translator) -> View:
    """After a text: the languages so far, the send time, and what to do next."""
    names = ", ".join(language_name(code) for code in sorted(languages))
    lines = [escape(t._("Languages so far: {languages}").format(languages=names))]
    if send_at:
        lines.append("⏰ " + escape(scheduled_for(send_at, region, t)))
    rows = [
        [button("➕ " + t._("Add a language"), "an", "addl", "x")],
        [button("⏰ " + t._("Set send time"), "an", "sch", "x")],
        [button("👁 " + t._("Preview"), "an", "prev", "x"), _cancel_button(t)],
    ]
    return View("\n".join(lines), InlineKeyboardMarkup(rows))


def language_choice(written: Iterable[str], t: Translator) -> View:
    """ "Add a language": every UI language without a version yet."""
    rows = [
        [button(language_name(code), "an", "lang", code)]
        for code in LANGUAGES
        if code not in written
    ]
    rows.append([button("⬅ " + t._("Back"), "an", "back", "x")])
    return View(escape(t._("Which language?")), InlineKeyboardMarkup(rows))


def ask_language_text(language: str, t: Translator) -> str:
    prompt = t._("Write the version in {language}, as one message.").format(
        language=language_name(language)
    )
    return "✍️ " + escape(prompt)


def ask_schedule(region: Region, t: Translator) -> str:
    prompt = t._("When should it be sent? Write the date and time like {example} ({zone}).").format(
        example=SCHEDULE_EXAMPLE, zone=region.timezone
    )
    return "⏰ " + escape(prompt)


def bad_schedule(t: Translator) -> str:
    text = t._("I could not read this as a future date and time. Write it like {example}.")
    return escape(text.format(example=SCHEDULE_EXAMPLE))


def preview_summary(
    recipients: int, own_language: int, send_at: float | None, region: Region, t: Translator
) -> View:
    """After the preview: how many get it, in which language, when; Send or Cancel."""
    summary = [
        escape(t._("Recipients: {count}").format(count=recipients)),
        escape(t._("In their own language: {count}").format(count=own_language)),
        escape(t._("In {language} (not their own language): {count}").format(
            language=language_name(region.default_language), count=recipients - own_language)),
    ]  # fmt: skip
    if send_at:
        summary.append("⏰ " + escape(scheduled_for(send_at, region, t)))
    rows = [[button("✅ " + t._("Send"), "an", "send", "x"), _cancel_button(t)]]
    return View("\n".join(summary), InlineKeyboardMarkup(rows))


def cancelled(t: Translator) -> str:
    return "✖ " + escape(t._("Cancelled. Nothing was sent."))


def progress_text(announcement_id: int, counts: dict[str, int], t: Translator, done=False) -> str:
    """An announcement's delivery counts (the message :mod:`bot.delivery.progress` edits)."""
    head = t._("Announcement #{number} finished") if done else t._("Announcement #{number}")
    line = t._("✅ sent {sent} · ⏳ pending {pending} · ⚠️ undeliverable {failed}").format(
        sent=counts.get("sent", 0), pending=counts.get("pending", 0), failed=counts.get("failed", 0)
    )
    return f"📣 <b>{escape(head.format(number=announcement_id))}</b>\n{escape(line)}"


def announcement_line(announcement_id: int, counts: dict[str, int], status: str, t: Translator):
    """One announcement in /announcements: its counts and its status."""
    label = {
        "scheduled": t._("scheduled"),
        "sending": t._("sending"),
        "done": t._("finished"),
        "cancelled": t._("cancelled"),
    }.get(status, status)
    return f"{progress_text(announcement_id, counts, t)} · {escape(label)}"


def cancel_button(announcement_id: int, t: Translator):
    label = "✖ " + t._("Cancel #{number}").format(number=announcement_id)
    return button(label, "ax", announcement_id)
