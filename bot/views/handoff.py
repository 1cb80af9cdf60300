"""What "Ask a person" shows: the newcomer's side in their language, the staff's
side in the helpdesk topic.

Plain functions with no Telegram I/O (like :mod:`bot.views.newcomer`). The
staff side is in the helpdesk's language (``language`` in the staff file, else
its region's language: :func:`bot.content.staff.staff_language`); the helpdesk
group is a shared workspace of the municipality's staff.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_interval, format_time, get_day_names
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content import hours
from bot.content.staff import Helpdesk
from bot.content.store import Content, Place
from bot.i18n import Translator, display_name
from bot.views.common import View, button, localized, place_name
from bot.views.html import utf16_len

ASK_LABEL = "💬 "


def ask_button(t: Translator) -> InlineKeyboardButton:
    """The "💬 Ask a person" button (main menu, nothing found, counselling card)."""
    return button(ASK_LABEL + t._("Ask a person"), "ask", "go")


def with_ask_button(view: View, t: Translator) -> View:
    """``view`` with the "Ask a person" button as its first row."""
    rows = [list(row) for row in (view.keyboard.inline_keyboard if view.keyboard else ())]
    return View(view.text, InlineKeyboardMarkup([[ask_button(t)], *rows]))


def handoff_privacy(t: Translator, days: int) -> str:
    """The /privacy line about "Ask a person" (when a helpdesk is configured)."""
    return t._(
        "If you use “Ask a person”, your messages are copied, without your name, into a "
        "Telegram group of the social workers, and stay there. The bot keeps only a ticket "
        "number with your user id, until {days} days after the conversation ended."
    ).format(days=t.number(days))


def emergency_numbers(content: Content, place: Place, today: dt.date, t: Translator) -> list[str]:
    """``number — title`` of the content's emergency entries for the place (phone only)."""
    lines = []
    for entry in content.entries_for(place.municipality.id, today, "emergency"):
        if entry.phone:
            title, _ = localized(entry.title, t, place.region.default_language)
            lines.append(f"📞 <b>{t.ltr(escape(entry.phone))}</b> — {escape(title)}")
    return lines


def hours_lines(desk: Helpdesk, t: Translator, now: dt.datetime, country: str | None) -> list[str]:
    """The helpdesk's week (local times) as ``day time–time`` lines."""
    days = get_day_names("abbreviated", locale=t.locale)
    lines = []
    for span in hours.weekly_schedule(desk.opening_hours, now.date(), country):
        day = days[span.first_day]
        if span.last_day != span.first_day:
            day = f"{day}–{days[span.last_day]}"
        times = ", ".join(
            format_interval(start, end, skeleton="Hm", locale=t.locale)
            for start, end in span.intervals
        )
        lines.append(f"   {escape(day)} {t.ltr(escape(times))}")
    return lines


def next_opening(t: Translator, now: dt.datetime, opens: dt.datetime | None) -> str:
    """ "Closed now · opens (day) at time" (the strings the entry cards use)."""
    if opens is None:
        return t._("Closed now")
    at = format_time(opens.time(), format="short", locale=t.locale)
    if opens.date() == now.date():
        return t._("Closed now · opens at {time}").format(time=at)
    weekday = get_day_names("wide", locale=t.locale)[opens.weekday()]
    return t._("Closed now · opens {day} at {time}").format(day=weekday, time=at)


def intro(
    content: Content,
    place: Place,
    desk: Helpdesk,
    t: Translator,
    now: dt.datetime,
) -> View:
    """Who reads the messages, when they answer, what not to send, and the emergency
    numbers right there; from now on what the person writes goes to the helpdesk."""
    where = t.auto(place_name(place, t))
    lines = [
        "💬 <b>" + escape(t._("Ask a person")) + "</b>",
        "",
        escape(
            t._(
                "Everything you write here now goes to the social workers of {place}. "
                "Only they read it, and they answer you in this chat."
            ).format(place=where)
        ),
        "",
        "🕒 " + escape(t._("When they usually answer:")),
        *hours_lines(desk, t, now, place.region.country),
        "",
        "🔒 " + escape(t._("Please do not send documents or health details unless you want to.")),
    ]
    numbers = emergency_numbers(content, place, now.date(), t)
    if numbers:
        lines += ["", "🚨 " + escape(t._("In an emergency, do not wait for an answer. Call:"))]
        lines += numbers
    lines += [
        "",
        "✍️ "
        + escape(
            t._(
                "Write your message now: text, photo, voice message or document. "
                "/stop_chat ends the conversation."
            )
        ),
    ]
    keyboard = InlineKeyboardMarkup([[button("✖ " + t._("End the conversation"), "ask", "stop")]])
    return View(t.paragraph("\n".join(lines)), keyboard)


def outside_hours(t: Translator, now: dt.datetime, opens: dt.datetime | None) -> str:
    text = t._("The social workers are not at work right now. Your message has been passed on.")
    return t.paragraph(f"🌙 {escape(text)}\n🔴 {escape(next_opening(t, now, opens))}")


def too_many(t: Translator) -> str:
    return t.paragraph(
        "⏳ "
        + escape(
            t._(
                "You have sent many messages in the last hour. Please wait a little; "
                "the social workers will read what you already sent."
            )
        )
    )


def ended(t: Translator) -> View:
    text = t._("The conversation has ended. You can start a new one from the menu at any time.")
    return View(
        t.paragraph("✅ " + escape(text)),
        InlineKeyboardMarkup([[button("🏠 " + t._("Menu"), "menu")]]),
    )


def line_closed(t: Translator) -> str:
    return t.paragraph(
        "⛔ "
        + escape(t._("This line is closed for you. You can still use the bot to find services."))
    )


def handed_over(t: Translator) -> str:
    return t.paragraph(
        "🔁 "
        + escape(
            t._(
                "Your conversation has been passed to other social workers. They will answer you here."
            )
        )
    )


def no_conversation(t: Translator) -> str:
    return t.paragraph(escape(t._("You have no open conversation.")))


# -- the staff side (helpdesk topic; in the helpdesk's language) ------------------------
#
# ``t`` is the helpdesk's translator (bot.content.staff.staff_language), never the
# newcomer's. Command names stay as they are in every language.

#: Telegram's limit for a topic's name, in UTF-16 code units.
TOPIC_TITLE_LIMIT = 128


def topic_title(ticket: str, language: str | None, place: Place | None, t: Translator) -> str:
    """``#K7F3Q · Arabisch · Remich`` (the person's language and municipality named in
    the staff's language ``t``): never the person's name, username or id."""
    parts = [f"#{ticket.upper()}"]
    if language:
        name = display_name(language, t.locale)
        parts.append(name[:1].upper() + name[1:])
    if place is not None:
        parts.append(place_name(place, t))
    title = " · ".join(parts)
    while utf16_len(title) > TOPIC_TITLE_LIMIT:
        title = title[:-1]
    return title


def topic_header(
    ticket: str,
    language: str | None,
    place: Place | None,
    t: Translator,
    *,
    handed_over: bool = False,
) -> View:
    """The first message of a conversation's topic: what to do, and ✅/⛔ buttons."""
    first = t._("Handed over from another helpdesk.") if handed_over else t._("New conversation.")
    answer = t._(
        "Write in this topic to answer: your message is copied to the person, without "
        "your name. Anyone on this helpdesk's staff may answer."
    )
    municipality = "&lt;" + escape(t._("municipality")) + "&gt;"
    lines = [
        "<b>" + escape(t.auto(topic_title(ticket, language, place, t))) + "</b>",
        escape(first),
        escape(answer),
        t.ltr("/close") + " — " + escape(t._("end the conversation")),
        t.ltr("/block") + " — " + escape(t._("close the line for this person")),
        t.ltr(f"/handover {municipality}")
        + " — "
        + escape(t._("pass it to another municipality's helpdesk")),
    ]
    keyboard = InlineKeyboardMarkup(
        [
            [
                button("✅ " + t._("Close"), "hq", "close", ticket),
                button("⛔ " + t._("Block"), "hq", "block", ticket),
            ]
        ]
    )
    return View(t.paragraph("\n".join(lines)), keyboard)


# Refusals: plain text (also shown as a button's alert, which is not HTML).


def staff_not_a_helpdesk(t: Translator) -> str:
    return t._("This group is not a helpdesk of this bot: nothing here is passed on.")


def staff_not_allowed(t: Translator) -> str:
    return t._(
        "Not passed on: only staff of this helpdesk (in the staff file, with a role for its "
        "municipalities) can answer here."
    )


def staff_not_open(t: Translator) -> str:
    return t._("This conversation is closed: nothing is passed on.")


def staff_no_ticket(t: Translator) -> str:
    return t._("Use this in the topic of a conversation.")


def staff_same_helpdesk(t: Translator) -> str:
    return t._("That municipality is served by this helpdesk already.")


def staff_handover_usage(t: Translator, example: str) -> str:
    """How to use /handover; ``example``: a municipality id it could hand over to."""
    return t._("Write {command} followed by a municipality id, e.g. {example}.").format(
        command="/handover", example=f"/handover {example}"
    )


# Lines in the topic (HTML).


def staff_person_left(t: Translator) -> str:
    return t.paragraph(escape(t._("The person ended the conversation.")))


def staff_person_gone(t: Translator) -> str:
    return t.paragraph(
        escape(t._("Not delivered: the person has blocked the bot. The conversation has ended."))
    )


def staff_person_forgot(t: Translator) -> str:
    text = t._("The person deleted their data with {command}: the conversation has ended.")
    return t.paragraph(escape(text.format(command="/forget")))


def staff_closed(t: Translator, by: str) -> str:
    text = t._("Closed by {name}. The person is told.")
    return t.paragraph("✅ " + escape(text).format(name=t.auto(escape(by))))


def staff_blocked(t: Translator, by: str) -> str:
    text = t._("Blocked by {name}. The person is told, kindly, that the line is closed for them.")
    return t.paragraph("⛔ " + escape(text).format(name=t.auto(escape(by))))


def staff_handed_over(t: Translator, by: str, place: Place) -> str:
    text = t._("Handed over by {name} to the helpdesk for {place}.")
    return t.paragraph(
        "🔁 "
        + escape(text).format(name=t.auto(escape(by)), place=t.auto(escape(place_name(place, t))))
    )
