"""/privacy: what the bot keeps about a newcomer, and what it keeps of what they write.

Every sentence here must stay true of the code: unanswered questions
(:class:`bot.storage.audit.Unanswered`, :func:`bot.privacy.scrub`), comments
(:mod:`bot.feedback`), usage counts (:mod:`bot.ops.usage`) and "Ask a person"
(:func:`bot.views.handoff.handoff_privacy`).
"""

from __future__ import annotations

from html import escape

from bot.i18n import Translator
from bot.views.handoff import handoff_privacy


def privacy_text(t: Translator, *, handoff_days: int | None = None) -> str:
    """What the bot stores; with ``handoff_days``, also what "Ask a person" keeps."""
    lines = [
        "<b>" + escape(t._("Your privacy")) + "</b>",
        escape(
            t._(
                "The bot stores only your Telegram account number (a number Telegram gives "
                "every account; not your phone number), your language, your municipality, "
                "whether you want news, and when you last used it."
            )
        ),
        escape(
            t._("It does not store your name, your username, your phone number or what you write.")
        ),
        escape(
            t._(
                "One exception: a question it cannot answer is kept for 90 days, so that "
                "editors can add what is missing: its words, your language, your "
                "municipality and the day, without your account number and without the "
                "time. Phone numbers, e-mail addresses, long numbers and names in it are "
                "removed before it is stored."
            )
        ),
        escape(
            t._(
                "Comments you write about an entry are kept without your id for 90 days, "
                "without phone numbers or e-mail addresses."
            )
        ),
        escape(
            t._(
                "To show the municipality how the bot is used, it counts per day, "
                "municipality, topic and language how many people use it and how often "
                "they start it, open a card, search, find nothing and ask a person. These "
                "counts contain no user id, no text and no time of day, and numbers below 5 "
                "are never shown."
            )
        ),
        escape(t._("Send /forget to delete everything about you at any time.")),
    ]
    if handoff_days is not None:
        lines.insert(-1, escape(handoff_privacy(t, handoff_days)))
    return t.paragraph("\n".join(lines))
