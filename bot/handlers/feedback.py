"""Newcomers tell editors about a card (👍 / ⚠️ and an optional comment); editors read
it with /feedback and in the weekly digest (:mod:`bot.editing.digest`).

Buttons: ``fb:<kind>:<entry>`` where kind is ``helpful``, ``wrong`` (asks what),
one of :data:`bot.storage.feedback.WRONG_KINDS` (counts the vote, offers a
comment) or ``skip`` (no comment). The comment is the next text the person types
within :data:`COMMENT_SECONDS`; any command or other button cancels it. Where
that is pending lives in ``user_data`` (memory only).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.editing.digest import region_entries
from bot.feedback import FeedbackService, service_of
from bot.handlers.access import staff_only
from bot.handlers.browse import visible_entry
from bot.handlers.common import Context, current_user, show, tapped
from bot.storage.feedback import WRONG_KINDS
from bot.views import feedback as views
from bot.views import newcomer
from bot.views.html import split_html

log = logging.getLogger(__name__)

#: user_data key: ``(entry_id, kind, deadline)`` while a comment may follow.
PENDING = "feedback_comment"
#: How long after choosing what is wrong a typed text counts as the comment.
COMMENT_SECONDS = 10 * 60
FEEDBACK_DAYS = 30


def service(context_or_application) -> FeedbackService:
    """The bot's :class:`FeedbackService` (see :func:`bot.feedback.service_of`)."""
    return service_of(context_or_application.bot_data)


async def on_feedback_button(update: Update, context: Context) -> None:
    """``fb:<kind>:<entry>``."""
    data = tapped(update)
    kind, entry_id = data.arg(0), data.arg(1)
    user, t = await current_user(update, context)
    query = update.callback_query
    entry, _ = visible_entry(context, user, entry_id)
    if entry is None:
        context.user_data.pop(PENDING, None)
        await query.answer(newcomer.stale_button(t))
        return
    feedback = service(context)
    user_id = update.effective_user.id
    if kind == "helpful":
        counted = await feedback.vote(user_id, entry_id, "helpful")
        await query.answer(views.thanks_helpful(t) if counted else views.already_voted(t))
        return
    if kind == "wrong":
        if await feedback.has_voted(user_id, entry_id):
            await query.answer(views.already_voted(t))
            return
        await query.answer()
        content = context.bot_data.snapshot.content
        await show(update, context, views.what_is_wrong(content, entry_id, t), edit=False)
        return
    if kind == "skip":
        context.user_data.pop(PENDING, None)
        await query.answer()
        await show(update, context, views.thanks(t, entry_id))
        return
    if kind not in WRONG_KINDS:
        await query.answer(newcomer.stale_button(t))
        return
    if not await feedback.vote(user_id, entry_id, kind):
        await query.answer(views.already_voted(t))
        await show(update, context, views.thanks(t, entry_id))
        return
    context.user_data[PENDING] = (entry_id, kind, time.monotonic() + COMMENT_SECONDS)
    await query.answer()
    await show(update, context, views.ask_comment(entry_id, t))


async def on_comment(update: Update, context: Context) -> None:
    """Runs before every other text handler: the comment, if one is awaited.

    Stores it scrubbed (:func:`bot.feedback.scrub`) and stops other handlers; a
    command, or the deadline passed, cancels the wait and lets the text through.
    """
    pending = context.user_data.pop(PENDING, None) if context.user_data else None
    message = update.effective_message
    if pending is None or message is None or not message.text:
        return
    entry_id, kind, deadline = pending
    text = message.text.strip()
    if text.startswith("/") or time.monotonic() > deadline:
        return
    _, t = await current_user(update, context)
    await service(context).comment(entry_id, kind, t.lang, text)
    await message.reply_text(views.thanks(t, entry_id).text)
    raise ApplicationHandlerStop


async def cancel_comment(update: Update, context: Context) -> None:
    """Runs before every other button handler: a button other than ``fb`` ends the
    wait for a comment (typed text is a question again)."""
    query = update.callback_query
    if query is not None and not (query.data or "").startswith("fb:") and context.user_data:
        context.user_data.pop(PENDING, None)


async def expire_comments(context) -> None:
    """JobQueue job: delete comments older than 90 days."""
    deleted = await service(context.application).store.expire_comments()
    if deleted:
        log.info("deleted %d feedback comments older than 90 days", deleted)


@staff_only("feedback")
async def feedback_command(update: Update, context: Context) -> None:
    """/feedback: entries by problems reported in the last 30 days, with comments."""
    _, t = await current_user(update, context)
    since = context.bot_data.today() - dt.timedelta(days=FEEDBACK_DAYS - 1)
    report = await service(context).store.report(since)
    content = context.bot_data.snapshot.content
    member = context.bot_data.staff.member(update.effective_user.id)
    if member is not None and member.role == "editor" and member.regions:
        # Editors with regions see their regions' entries (as in the digest).
        mine = set().union(
            *(region_entries(content, r) for r in member.regions if r in content.regions)
        )
        report = [item for item in report if item.entry_id in mine]
    text = views.feedback_report(content, report, t, FEEDBACK_DAYS)
    for part in split_html(text):
        await update.effective_message.reply_text(part)
