"""Feedback views: the two buttons under every card, "what is wrong?", the thanks,
and what editors see (``/feedback``). Plain functions, no Telegram I/O."""

from __future__ import annotations

import datetime as dt
from html import escape

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.store import Content
from bot.i18n import N_, Translator
from bot.storage.feedback import WRONG_KINDS, EntryFeedback
from bot.views.common import View, button, localized

#: What can be wrong with an entry, as newcomers and editors read it.
KIND_LABELS = {
    "helpful": N_("Helpful"),
    "phone": N_("Phone number"),
    "address": N_("Address"),
    "hours": N_("Opening hours"),
    "closed": N_("The place is closed"),
    "other": N_("Something else"),
}
KIND_ICONS = {
    "helpful": "👍",
    "phone": "📞",
    "address": "🏠",
    "hours": "🕒",
    "closed": "🚫",
    "other": "✏️",
}


def feedback_buttons(entry_id: str, t: Translator) -> list[InlineKeyboardButton]:
    """The row under every card: 👍 Helpful · ⚠️ Something is wrong."""
    return [
        button("👍 " + t._("Helpful"), "fb", "helpful", entry_id),
        button("⚠️ " + t._("Something is wrong"), "fb", "wrong", entry_id),
    ]


def what_is_wrong(content: Content, entry_id: str, t: Translator) -> View:
    entry = content.entries[entry_id]
    title, _ = localized(entry.title, t, content.default_language(entry_id))
    question = t._("What is wrong?")
    text = f"⚠️ <b>{escape(t.auto(title))}</b>\n{escape(question)}"
    rows = [
        [button(f"{KIND_ICONS[kind]} {t._(KIND_LABELS[kind])}", "fb", kind, entry_id)]
        for kind in WRONG_KINDS
    ]
    rows.append([button("⬅ " + t._("Back"), "e", entry_id)])
    return View(t.paragraph(text), InlineKeyboardMarkup(rows))


def ask_comment(entry_id: str, t: Translator) -> View:
    text = t._(
        "Thank you! Do you want to tell us more? Write a short comment now, "
        "without names or phone numbers. Or tap “No comment”."
    )
    rows = [[button(t._("No comment"), "fb", "skip", entry_id)]]
    return View(t.paragraph(escape(text)), InlineKeyboardMarkup(rows))


def thanks(t: Translator, entry_id: str | None = None) -> View:
    text = "🙏 " + escape(t._("Thank you! The editors will check it."))
    rows = [[button("⬅ " + t._("Back"), "e", entry_id)]] if entry_id else []
    return View(t.paragraph(text), InlineKeyboardMarkup(rows) if rows else None)


def thanks_helpful(t: Translator) -> str:
    """The short notice after 👍 (a callback answer: plain text, at most 200 characters)."""
    return t._("Thank you for your feedback!")


def already_voted(t: Translator) -> str:
    return t._("You already told us about this today. Thank you!")


# -- editors ------------------------------------------------------------------------------


def kind_counts(item: EntryFeedback, t: Translator) -> str:
    """``🕒 Opening hours 3 · 📞 Phone number 1`` (problems only, most first)."""
    parts = sorted(
        ((item.counts.get(kind, 0), kind) for kind in WRONG_KINDS if item.counts.get(kind)),
        reverse=True,
    )
    return " · ".join(f"{KIND_ICONS[k]} {t._(KIND_LABELS[k])} {n}" for n, k in parts)


def feedback_lines(
    content: Content, report: list[EntryFeedback], t: Translator, *, comments: int = 3
) -> list[str]:
    """HTML lines per entry with problems: title (id), counts, latest comments."""
    lines = []
    for item in report:
        if not item.wrong and not item.comments:
            continue
        entry = content.entries.get(item.entry_id)
        if entry is not None:
            title, _ = localized(entry.title, t, content.default_language(item.entry_id))
            head = f"⚠️ <b>{escape(t.auto(title))}</b> ({escape(item.entry_id)})"
        else:  # removed from the content since
            head = f"⚠️ {escape(item.entry_id)}"
        lines.append(head)
        counts = kind_counts(item, t)
        if counts:
            lines.append("   " + escape(counts))
        for kind, language, comment, created_at in item.comments[:comments]:
            day = format_date(
                dt.datetime.fromtimestamp(created_at, dt.UTC).date(), "short", locale=t.locale
            )
            icon = KIND_ICONS.get(kind, "")
            lines.append(
                f"   💬 {icon} [{escape(language)}] {escape(day)}: {t.auto(escape(comment))}"
            )
    return lines


def feedback_report(content: Content, report: list[EntryFeedback], t: Translator, days: int) -> str:
    lines = feedback_lines(content, report, t)
    if not lines:
        return escape(t._("No problems reported in the last {days} days.").format(days=days))
    head = "<b>" + escape(t._("Reported problems, last {days} days:").format(days=days)) + "</b>"
    return "\n".join([head, *lines])
