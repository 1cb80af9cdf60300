"""Staff write announcements (/announce), list them (/announcements) and cancel them.

/announce is a ConversationHandler (:func:`conversation`): targets → text →
(more languages, schedule) → preview → confirm, with the draft kept as an
:class:`AnnouncementDraft` in the member's ``user_data``. Every step re-checks the
member's role and scope, because a callback can be forged or replayed; refusals
are logged with user id and action only. Non-staff who try a staff command get
the same answer as for any unknown command, so staff commands stay invisible.

The screens are in :mod:`bot.views.staff`; delivery and its progress messages in
:mod:`bot.delivery`; /grant and /revoke in :mod:`bot.handlers.roles`.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from dataclasses import dataclass, field
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.content.model import Region
from bot.handlers.access import refuse, staff_only
from bot.handlers.common import Context, current_user, show, tapped, unknown_command
from bot.i18n import LANGUAGES, Translator, translator
from bot.telegram import callback_data
from bot.telegram.ids import parse_id
from bot.views import newcomer as views
from bot.views import news
from bot.views import staff as staff_views
from bot.views.html import utf16_len

log = logging.getLogger(__name__)

TARGETS, TEXT, MORE, LANG_TEXT, SCHEDULE, CONFIRM = range(6)
DRAFT = "announce_draft"  # user_data key of the AnnouncementDraft


@dataclass
class AnnouncementDraft:
    """An announcement while its author writes it (in memory only, until Send)."""

    region: str
    #: municipality ids that get it
    targets: set[str] = field(default_factory=set)
    #: language → Telegram HTML, as the author formatted it
    texts: dict[str, str] = field(default_factory=dict)
    #: when to send (Unix time); None: right away
    send_at: float | None = None
    #: the language chosen with "Add a language", whose text comes next
    pending_language: str | None = None


def _draft(context: Context) -> AnnouncementDraft | None:
    return context.user_data.get(DRAFT)


def _region(context: Context, draft: AnnouncementDraft) -> Region:
    return context.bot_data.snapshot.content.regions[draft.region]


async def _not_for_you(update: Update, context: Context, action: str) -> int:
    refuse(update, action)
    if update.callback_query:
        _, t = await current_user(update, context)
        await update.callback_query.answer(views.stale_button(t))
    else:
        await unknown_command(update, context)
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


def _scope(context: Context, user_id: int) -> set[str]:
    return context.bot_data.staff.municipalities_in_scope(
        user_id, context.bot_data.snapshot.content
    )


def _targets_view(context: Context, t: Translator, draft: AnnouncementDraft, scope: set[str]):
    content = context.bot_data.snapshot.content
    return staff_views.targets(content, _region(context, draft), draft.targets, scope, t)


def _more_view(context: Context, t: Translator, draft: AnnouncementDraft):
    return staff_views.more(draft.texts, draft.send_at, _region(context, draft), t)


# -- the steps ----------------------------------------------------------------------


async def announce_start(update: Update, context: Context) -> int:
    """/announce: only for members allowed to announce; others see "unknown command"."""
    user_id = update.effective_user.id
    if not context.bot_data.staff.can(user_id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    scope = _scope(context, user_id)
    content = context.bot_data.snapshot.content
    regions = sorted({content.places[m].region.id for m in scope})
    if not regions:
        await update.effective_message.reply_text(
            escape(t._("No municipality is assigned to you for announcements."))
        )
        return ConversationHandler.END
    draft = context.user_data[DRAFT] = AnnouncementDraft(region=regions[0])
    if len(regions) > 1:
        view = staff_views.region_choice(content, regions, t)
    else:
        view = _targets_view(context, t, draft, scope)
    await update.effective_message.reply_text(view.text, reply_markup=view.keyboard)
    return TARGETS


async def on_targets(update: Update, context: Context) -> int:
    """Buttons of the target step: region, toggle, whole region, next."""
    query = update.callback_query
    user_id = update.effective_user.id
    draft = _draft(context)
    if draft is None or not context.bot_data.staff.can(user_id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    scope = _scope(context, user_id)
    content = context.bot_data.snapshot.content
    step, arg = tapped(update).args
    if step == "reg":
        if not any(content.places[m].region.id == arg for m in scope):
            return await _not_for_you(update, context, "announce:region")
        draft.region, draft.targets = arg, set()
    elif step == "tog":
        if arg not in scope or content.places[arg].region.id != draft.region:
            return await _not_for_you(update, context, "announce:target")
        draft.targets ^= {arg}
    elif step == "all":
        region = content.regions.get(arg)
        if region is None or not all(m.id in scope for m in region.municipalities):
            return await _not_for_you(update, context, "announce:region")
        draft.targets = {m.id for m in region.municipalities}
    elif step == "next":
        if not draft.targets:
            await query.answer(t._("Choose at least one municipality."), show_alert=True)
            return TARGETS
        await query.answer()
        subscribers = await context.bot_data.storage.subscribers(sorted(draft.targets))
        await show(
            update, context, staff_views.ask_text(_region(context, draft), len(subscribers), t)
        )
        return TEXT
    await query.answer()
    await show(update, context, _targets_view(context, t, draft, scope))
    return TARGETS


async def _accept_text(update: Update, context: Context, state: int, language: str) -> int:
    """Store the message as the draft's version in ``language``; back to MORE.

    A text too long for Telegram is refused with its length and the step repeats.
    """
    draft = _draft(context)
    _, t = await current_user(update, context)
    message = update.effective_message
    units = utf16_len(message.text or "")
    if units > news.MAX_ANNOUNCEMENT_UNITS:
        await message.reply_text(staff_views.too_long(units, news.MAX_ANNOUNCEMENT_UNITS, t))
        return state
    draft.texts[language] = message.text_html
    draft.pending_language = None
    view = _more_view(context, t, draft)
    await message.reply_text(view.text, reply_markup=view.keyboard)
    return MORE


def _may_continue(update: Update, context: Context) -> bool:
    draft = _draft(context)
    return draft is not None and context.bot_data.staff.can(update.effective_user.id, "announce")


async def on_text(update: Update, context: Context) -> int:
    """The main text, in the region's default language."""
    if not _may_continue(update, context):
        return await _not_for_you(update, context, "announce")
    language = _region(context, _draft(context)).default_language
    return await _accept_text(update, context, TEXT, language)


async def on_language_text(update: Update, context: Context) -> int:
    """A version in the language picked with "Add a language"."""
    if not _may_continue(update, context) or _draft(context).pending_language is None:
        return await _not_for_you(update, context, "announce")
    return await _accept_text(update, context, LANG_TEXT, _draft(context).pending_language)


async def on_more(update: Update, context: Context) -> int:
    """Buttons after the text: add a language, schedule, preview, send."""
    query = update.callback_query
    draft = _draft(context)
    if not _may_continue(update, context):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    step, arg = tapped(update).args
    await query.answer()
    if step == "addl":
        await show(update, context, staff_views.language_choice(draft.texts, t))
        return MORE
    if step == "lang" and arg in LANGUAGES:
        draft.pending_language = arg
        await show(update, context, staff_views.ask_language_text(arg, t))
        return LANG_TEXT
    if step == "sch":
        await show(update, context, staff_views.ask_schedule(_region(context, draft), t))
        return SCHEDULE
    if step == "prev":
        return await _preview(update, context, t, draft)
    if step == "send":
        return await _confirm(update, context, t, draft)
    await show(update, context, _more_view(context, t, draft))
    return MORE


def parse_schedule(text: str, tz: ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    """``YYYY-MM-DD HH:MM`` in the region's time zone → aware datetime, or None if malformed
    or not in the future."""
    try:
        moment = dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    except ValueError:
        return None
    return moment if moment > now else None


async def on_schedule(update: Update, context: Context) -> int:
    if not _may_continue(update, context):
        return await _not_for_you(update, context, "announce")
    draft = _draft(context)
    _, t = await current_user(update, context)
    tz = ZoneInfo(_region(context, draft).timezone)
    moment = parse_schedule(update.effective_message.text or "", tz, context.bot_data.clock())
    if moment is None:
        await update.effective_message.reply_text(staff_views.bad_schedule(t))
        return SCHEDULE
    draft.send_at = moment.timestamp()
    view = _more_view(context, t, draft)
    await update.effective_message.reply_text(view.text, reply_markup=view.keyboard)
    return MORE


async def _preview(update: Update, context: Context, t: Translator, draft: AnnouncementDraft):
    """Each version exactly as recipients will see it, then the counts and Send/Cancel."""
    content = context.bot_data.snapshot.content
    region = _region(context, draft)
    first = content.places[sorted(draft.targets)[0]]
    for lang in sorted(draft.texts):
        text = news.announcement_message(
            draft.texts, region.default_language, translator(lang), first
        )
        await context.bot.send_message(update.effective_chat.id, text)
    subscribers = await context.bot_data.storage.subscribers(sorted(draft.targets))
    own = sum(1 for _, lang in subscribers if lang in draft.texts)
    view = staff_views.preview_summary(len(subscribers), own, draft.send_at, region, t)
    await context.bot.send_message(update.effective_chat.id, view.text, reply_markup=view.keyboard)
    return CONFIRM


async def _confirm(update: Update, context: Context, t: Translator, draft: AnnouncementDraft):
    user_id = update.effective_user.id
    content = context.bot_data.snapshot.content
    # Checked again now: the role or the scope may have changed since the flow began.
    if not context.bot_data.staff.may_announce_to(user_id, draft.targets, content):
        return await _not_for_you(update, context, "announce:confirm")
    region = _region(context, draft)
    storage = context.bot_data.storage
    now = context.bot_data.clock().timestamp()
    announcement_id, recipients = await storage.create_announcement(
        author_id=user_id,
        region=region.id,
        default_language=region.default_language,
        targets=sorted(draft.targets),
        texts=draft.texts,
        send_at=draft.send_at or now,
        now=now,
        progress_chat_id=update.effective_chat.id,
    )
    context.user_data.pop(DRAFT, None)
    counts = {"sent": 0, "pending": recipients, "failed": 0}
    message = await context.bot.send_message(
        update.effective_chat.id, staff_views.progress_text(announcement_id, counts, t)
    )
    await storage.set_progress_message(
        announcement_id, update.effective_chat.id, message.message_id
    )
    if recipients == 0:
        await storage.finish_announcement(announcement_id)
    context.bot_data.delivery.wake()
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    """/cancel or the Cancel button at any step: nothing is sent."""
    context.user_data.pop(DRAFT, None)
    _, t = await current_user(update, context)
    if update.callback_query:
        await update.callback_query.answer()
        await show(update, context, staff_views.cancelled(t))
    else:
        await update.effective_message.reply_text(staff_views.cancelled(t))
    return ConversationHandler.END


def conversation() -> ConversationHandler:
    """The /announce flow (private chats only), one per staff member."""
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND & private
    stop = CallbackQueryHandler(cancel, pattern=callback_data.pattern("an", "stop"))
    button = callback_data.pattern("an")
    with warnings.catch_warnings():
        # One flow per staff member (not per message) is intended: PTB's per_message
        # note does not apply.
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        return ConversationHandler(
            entry_points=[CommandHandler("announce", announce_start, filters=private)],
            states={
                TARGETS: [stop, CallbackQueryHandler(on_targets, pattern=button)],
                TEXT: [MessageHandler(text, on_text)],
                MORE: [stop, CallbackQueryHandler(on_more, pattern=button)],
                LANG_TEXT: [MessageHandler(text, on_language_text)],
                SCHEDULE: [MessageHandler(text, on_schedule)],
                CONFIRM: [stop, CallbackQueryHandler(on_more, pattern=button)],
            },
            fallbacks=[CommandHandler("cancel", cancel), stop],
            conversation_timeout=30 * 60,
            name="announce",
        )


# -- outside the flow: listing, cancelling, stray buttons --------------------------------


@staff_only("list", "announcements")
async def announcements_command(update: Update, context: Context) -> None:
    """/announcements: recent ones with counts; admins get a cancel button on live ones."""
    user_id = update.effective_user.id
    staff = context.bot_data.staff
    _, t = await current_user(update, context)
    storage = context.bot_data.storage
    scope = _scope(context, user_id)
    lines, rows = [], []
    for announcement in await storage.recent_announcements(20):
        if not set(announcement.targets) & scope:
            continue
        counts = await storage.delivery_counts(announcement.id)
        lines.append(staff_views.announcement_line(announcement.id, counts, announcement.status, t))
        if staff.can(user_id, "cancel") and announcement.status in ("scheduled", "held", "sending"):
            rows.append([staff_views.cancel_button(announcement.id, t)])
    text = "\n\n".join(lines) if lines else escape(t._("No announcements yet."))
    await update.effective_message.reply_text(
        text, reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def on_cancel_announcement_button(update: Update, context: Context) -> None:
    """``ax:<id>``: an admin cancels a scheduled or running announcement."""
    user_id = update.effective_user.id
    if not context.bot_data.staff.can(user_id, "cancel"):
        refuse(update, "cancel")
        _, t = await current_user(update, context)
        await update.callback_query.answer(views.stale_button(t))
        return
    _, t = await current_user(update, context)
    announcement_id = parse_id(tapped(update).arg(0))
    if announcement_id is None:  # forged: no announcement has this number
        await update.callback_query.answer(views.stale_button(t))
        return
    cancelled = await context.bot_data.storage.cancel_announcement(announcement_id, user_id)
    text = (
        t._("Announcement #{number} cancelled.")
        if cancelled
        else t._("Announcement #{number} was already finished.")
    )
    await update.callback_query.answer(text.format(number=announcement_id), show_alert=True)


async def on_stray_announce_button(update: Update, context: Context) -> None:
    """An ``an:`` button outside a running /announce flow: replayed or forged."""
    refuse(update, "announce:button")
    _, t = await current_user(update, context)
    await update.callback_query.answer(views.stale_button(t))
