"""Staff: compose announcements (/announce), follow and cancel them, manage roles.

/announce is a ConversationHandler: targets → text → (more languages, schedule)
→ preview → confirm. Every step re-checks the member's role and scope, because a
callback can be forged or replayed; refusals are logged with user id and action
only. Non-staff who try a staff command get the same answer as for any unknown
command, so staff commands stay invisible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from telegram import BotCommandScopeChat, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.content.staff import StaffMember, write_member
from bot.handlers import newcomer
from bot.handlers.access import refuse, staff_only
from bot.handlers.common import Context, current_user, show
from bot.i18n import LANGUAGES, N_, Translator, language_name, translator
from bot.storage import OutboxItem
from bot.telegram import callback_data
from bot.telegram.callback_data import Callback
from bot.telegram.commands import set_staff_commands
from bot.views import newcomer as views
from bot.views.newcomer import View, button

log = logging.getLogger(__name__)

TARGETS, TEXT, MORE, LANG_TEXT, SCHEDULE, CONFIRM = range(6)
ROLE_NAMES = {
    "admin": N_("administrator"),
    "social_worker": N_("social worker"),
    "editor": N_("content editor"),
}
DRAFT = "announce_draft"


async def _not_for_you(update: Update, context: Context, action: str) -> int:
    refuse(update, action)
    if update.callback_query:
        _, t = await current_user(update, context)
        await update.callback_query.answer(views.stale_button(t))
    else:
        await newcomer.unknown_command(update, context)
    context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


# -- /announce -------------------------------------------------------------------


def _scope(context: Context, user_id: int) -> set[str]:
    return context.bot_data.staff.municipalities_in_scope(
        user_id, context.bot_data.snapshot.content
    )


def _targets_view(context: Context, t: Translator, draft: dict, scope: set[str]) -> View:
    content = context.bot_data.snapshot.content
    region = content.regions[draft["region"]]
    places = sorted(
        (content.places[m] for m in scope if content.places[m].region.id == region.id),
        key=lambda p: views.place_name(p, t).casefold(),
    )
    rows = []
    for place in places:
        mark = "✅" if place.municipality.id in draft["targets"] else "▫️"
        rows.append(
            [button(f"{mark} {views.place_name(place, t)}", "an", "tog", place.municipality.id)]
        )
    if all(m.id in scope for m in region.municipalities):
        name = views.localized(region.name, t, region.default_language)[0]
        rows.insert(0, [button("📢 " + t._("Whole region: {region}").format(region=name),
                                "an", "all", region.id)])  # fmt: skip
    rows.append(
        [
            button("▶ " + t._("Next"), "an", "next", "x"),
            button("✖ " + t._("Cancel"), "an", "stop", "x"),
        ]
    )
    text = t._("📣 New announcement. Who should get it? Tap the municipalities, then Next.")
    return View(t.paragraph(escape(text)), InlineKeyboardMarkup(rows))


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
    context.user_data[DRAFT] = {
        "region": regions[0],
        "targets": set(),
        "texts": {},
        "send_at": None,
    }
    if len(regions) > 1:
        rows = [
            [button(views.localized(content.regions[r].name, t, content.regions[r].default_language)[0],
                     "an", "reg", r)]
            for r in regions
        ]  # fmt: skip
        rows.append([button("✖ " + t._("Cancel"), "an", "stop", "x")])
        text = t._("📣 New announcement. For which region?")
        await update.effective_message.reply_text(
            escape(text), reply_markup=InlineKeyboardMarkup(rows)
        )
        return TARGETS
    view = _targets_view(context, t, context.user_data[DRAFT], scope)
    await update.effective_message.reply_text(view.text, reply_markup=view.keyboard)
    return TARGETS


async def on_targets(update: Update, context: Context) -> int:
    """Buttons of the target step: region, toggle, whole region, next."""
    query = update.callback_query
    data = callback_data.parse(query.data)
    user_id = update.effective_user.id
    draft = context.user_data.get(DRAFT)
    if data is None or draft is None or not context.bot_data.staff.can(user_id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    scope = _scope(context, user_id)
    content = context.bot_data.snapshot.content
    step, arg = data.args
    if step == "reg":
        if not any(content.places[m].region.id == arg for m in scope):
            return await _not_for_you(update, context, "announce:region")
        draft.update(region=arg, targets=set())
    elif step == "tog":
        if arg not in scope or content.places[arg].region.id != draft["region"]:
            return await _not_for_you(update, context, "announce:target")
        draft["targets"] ^= {arg}
    elif step == "all":
        region = content.regions.get(arg)
        if region is None or not all(m.id in scope for m in region.municipalities):
            return await _not_for_you(update, context, "announce:region")
        draft["targets"] = {m.id for m in region.municipalities}
    elif step == "next":
        if not draft["targets"]:
            await query.answer(t._("Choose at least one municipality."), show_alert=True)
            return TARGETS
        await query.answer()
        return await _ask_text(update, context, t, draft)
    await query.answer()
    await show(update, context, _targets_view(context, t, draft, scope))
    return TARGETS


async def _ask_text(update: Update, context: Context, t: Translator, draft: dict) -> int:
    region = context.bot_data.snapshot.content.regions[draft["region"]]
    subscribers = await context.bot_data.storage.subscribers(sorted(draft["targets"]))
    count = t.ngettext(
        "This announcement will go to {count} subscriber.",
        "This announcement will go to {count} subscribers.",
        len(subscribers),
    ).format(count=len(subscribers))
    prompt = t._("Now write the announcement in {language}, as one message.").format(
        language=language_name(region.default_language)
    )
    await show(update, context, f"✍️ {escape(prompt)}\n{escape(count)}")
    return TEXT


def _text_or_refusal(update: Update, t: Translator) -> tuple[str | None, str | None]:
    """The message as Telegram HTML, or a refusal that says how long it is."""
    message = update.effective_message
    html = message.text_html
    units = views.utf16_length(message.text or "")
    if units > views.MAX_ANNOUNCEMENT_UNITS:
        return None, t._(
            "This text has {count} characters; at most {limit} fit in one message. "
            "Please shorten it and send it again."
        ).format(count=units, limit=views.MAX_ANNOUNCEMENT_UNITS)
    return html, None


def _more_view(context: Context, t: Translator, draft: dict) -> View:
    names = ", ".join(language_name(code) for code in sorted(draft["texts"]))
    lines = [escape(t._("Languages so far: {languages}").format(languages=names))]
    if draft["send_at"]:
        lines.append("⏰ " + escape(_when(draft["send_at"], context, draft, t)))
    rows = [
        [button("➕ " + t._("Add a language"), "an", "addl", "x")],
        [button("⏰ " + t._("Set send time"), "an", "sch", "x")],
        [
            button("👁 " + t._("Preview"), "an", "prev", "x"),
            button("✖ " + t._("Cancel"), "an", "stop", "x"),
        ],
    ]
    return View("\n".join(lines), InlineKeyboardMarkup(rows))


def _when(timestamp: float, context: Context, draft: dict, t: Translator) -> str:
    tz = ZoneInfo(context.bot_data.snapshot.content.regions[draft["region"]].timezone)
    moment = dt.datetime.fromtimestamp(timestamp, tz)
    return t._("Scheduled for {when}").format(
        when=format_datetime(moment, format="full", tzinfo=tz, locale=t.locale)
    )


async def _accept_text(update: Update, context: Context, state: int, language) -> int:
    """Store the message as the draft's version in ``language(draft)``; back to MORE.

    A text too long for Telegram is refused with its length and the step repeats.
    """
    draft = context.user_data.get(DRAFT)
    if draft is None or not context.bot_data.staff.can(update.effective_user.id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    html, refusal = _text_or_refusal(update, t)
    if refusal:
        await update.effective_message.reply_text(escape(refusal))
        return state
    draft["texts"][language(draft)] = html
    view = _more_view(context, t, draft)
    await update.effective_message.reply_text(view.text, reply_markup=view.keyboard)
    return MORE


async def on_text(update: Update, context: Context) -> int:
    """The main text, in the region's default language."""
    regions = context.bot_data.snapshot.content.regions
    return await _accept_text(
        update, context, TEXT, lambda draft: regions[draft["region"]].default_language
    )


async def on_language_text(update: Update, context: Context) -> int:
    """A version in the language picked with "Add a language"."""
    return await _accept_text(
        update, context, LANG_TEXT, lambda draft: draft.pop("pending_language")
    )


async def on_more(update: Update, context: Context) -> int:
    """Buttons after the text: add a language, schedule, preview, send."""
    query = update.callback_query
    data = callback_data.parse(query.data)
    draft = context.user_data.get(DRAFT)
    user_id = update.effective_user.id
    if data is None or draft is None or not context.bot_data.staff.can(user_id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    step, arg = data.args
    await query.answer()
    if step == "addl":
        rows = [
            [button(language_name(code), "an", "lang", code)]
            for code in LANGUAGES
            if code not in draft["texts"]
        ]
        rows.append([button("⬅ " + t._("Back"), "an", "back", "x")])
        await show(
            update, context, View(escape(t._("Which language?")), InlineKeyboardMarkup(rows))
        )
        return MORE
    if step == "lang" and arg in LANGUAGES:
        draft["pending_language"] = arg
        prompt = t._("Write the version in {language}, as one message.").format(
            language=language_name(arg)
        )
        await show(update, context, "✍️ " + escape(prompt))
        return LANG_TEXT
    if step == "sch":
        region = context.bot_data.snapshot.content.regions[draft["region"]]
        prompt = t._(
            "When should it be sent? Write the date and time like {example} ({zone})."
        ).format(example="2026-12-24 18:00", zone=region.timezone)
        await show(update, context, "⏰ " + escape(prompt))
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
    draft = context.user_data.get(DRAFT)
    if draft is None or not context.bot_data.staff.can(update.effective_user.id, "announce"):
        return await _not_for_you(update, context, "announce")
    _, t = await current_user(update, context)
    region = context.bot_data.snapshot.content.regions[draft["region"]]
    tz = ZoneInfo(region.timezone)
    moment = parse_schedule(update.effective_message.text or "", tz, context.bot_data.clock())
    if moment is None:
        text = t._("I could not read this as a future date and time. Write it like {example}.")
        await update.effective_message.reply_text(escape(text.format(example="2026-12-24 18:00")))
        return SCHEDULE
    draft["send_at"] = moment.timestamp()
    view = _more_view(context, t, draft)
    await update.effective_message.reply_text(view.text, reply_markup=view.keyboard)
    return MORE


async def _preview(update: Update, context: Context, t: Translator, draft: dict) -> int:
    """Each version exactly as recipients will see it, then the counts and Send/Cancel."""
    content = context.bot_data.snapshot.content
    region = content.regions[draft["region"]]
    first = content.places[sorted(draft["targets"])[0]]
    for lang in sorted(draft["texts"]):
        text = views.announcement_message(
            draft["texts"], region.default_language, translator(lang), first
        )
        await context.bot.send_message(update.effective_chat.id, text)
    subscribers = await context.bot_data.storage.subscribers(sorted(draft["targets"]))
    own = sum(1 for _, lang in subscribers if lang in draft["texts"])
    summary = [
        escape(t._("Recipients: {count}").format(count=len(subscribers))),
        escape(t._("In their own language: {count}").format(count=own)),
        escape(t._("In {language} (not their own language): {count}").format(
            language=language_name(region.default_language), count=len(subscribers) - own)),
    ]  # fmt: skip
    if draft["send_at"]:
        summary.append("⏰ " + escape(_when(draft["send_at"], context, draft, t)))
    rows = [
        [
            button("✅ " + t._("Send"), "an", "send", "x"),
            button("✖ " + t._("Cancel"), "an", "stop", "x"),
        ]
    ]
    await context.bot.send_message(
        update.effective_chat.id, "\n".join(summary), reply_markup=InlineKeyboardMarkup(rows)
    )
    return CONFIRM


async def _confirm(update: Update, context: Context, t: Translator, draft: dict) -> int:
    user_id = update.effective_user.id
    content = context.bot_data.snapshot.content
    # Checked again now: the role or the scope may have changed since the flow began.
    if not context.bot_data.staff.may_announce_to(user_id, draft["targets"], content):
        return await _not_for_you(update, context, "announce:confirm")
    region = content.regions[draft["region"]]
    storage = context.bot_data.storage
    now = context.bot_data.clock().timestamp()
    send_at = draft["send_at"] or now
    announcement_id, recipients = await storage.create_announcement(
        author_id=user_id,
        region=region.id,
        default_language=region.default_language,
        targets=sorted(draft["targets"]),
        texts=draft["texts"],
        send_at=send_at,
        now=now,
        progress_chat_id=update.effective_chat.id,
    )
    context.user_data.pop(DRAFT, None)
    text = progress_text(announcement_id, {"sent": 0, "pending": recipients, "failed": 0}, t)
    message = await context.bot.send_message(update.effective_chat.id, text)
    await storage.set_progress_message(
        announcement_id, update.effective_chat.id, message.message_id
    )
    if recipients == 0:
        await storage.finish_announcement(announcement_id)
    context.bot_data.delivery.wake()
    return ConversationHandler.END


def progress_text(announcement_id: int, counts: dict[str, int], t: Translator, done=False) -> str:
    head = t._("Announcement #{number} finished") if done else t._("Announcement #{number}")
    line = t._("✅ sent {sent} · ⏳ pending {pending} · ⚠️ undeliverable {failed}").format(
        sent=counts.get("sent", 0), pending=counts.get("pending", 0), failed=counts.get("failed", 0)
    )
    return f"📣 <b>{escape(head.format(number=announcement_id))}</b>\n{escape(line)}"


async def cancel(update: Update, context: Context) -> int:
    """/cancel or the Cancel button at any step: nothing is sent."""
    context.user_data.pop(DRAFT, None)
    _, t = await current_user(update, context)
    text = "✖ " + escape(t._("Cancelled. Nothing was sent."))
    if update.callback_query:
        await update.callback_query.answer()
        await show(update, context, text)
    else:
        await update.effective_message.reply_text(text)
    return ConversationHandler.END


def _stop_button(update: Update) -> bool:
    data = callback_data.parse(update.callback_query.data) if update.callback_query else None
    return data is not None and data.args[0] == "stop"


async def on_target_button(update: Update, context: Context) -> int:
    """Buttons of the target step; Cancel ends the flow."""
    if _stop_button(update):
        return await cancel(update, context)
    return await on_targets(update, context)


# -- progress, listing, cancelling ---------------------------------------------------


async def report_progress(application: Application, announcement_ids: set[int]) -> None:
    """Edit each changed announcement's progress message; finish and report done ones."""
    data = application.bot_data
    storage = data.storage
    for announcement_id in sorted(announcement_ids):
        announcement = await storage.announcement(announcement_id)
        if announcement is None:
            continue
        counts = await storage.delivery_counts(announcement_id)
        done = counts["pending"] == 0 and await storage.finish_announcement(announcement_id)
        author = await storage.get_user(announcement.author_id)
        t = translator(author.language if author else None)
        text = progress_text(announcement_id, counts, t, done=done)
        if announcement.progress_chat_id and announcement.progress_message_id:
            try:
                await application.bot.edit_message_text(
                    text, announcement.progress_chat_id, announcement.progress_message_id
                )
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    log.info("progress edit failed: %s", exc.message)
            except TelegramError as exc:
                log.info("progress edit failed: %s", type(exc).__name__)
        if done and announcement.progress_chat_id:
            try:
                await application.bot.send_message(announcement.progress_chat_id, text)
            except TelegramError as exc:
                log.info("final report failed: %s", type(exc).__name__)


def make_renderer(application: Application):
    """The delivery worker's ``render``: one recipient's text in their language."""

    def render(item: OutboxItem, texts: dict[str, str], default_language: str) -> str:
        content = application.bot_data.snapshot.content
        place = content.place(item.municipality)
        return views.announcement_message(texts, default_language, translator(item.language), place)

    return render


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
        status = {
            "scheduled": t._("scheduled"),
            "held": t._("held"),
            "sending": t._("sending"),
            "done": t._("finished"),
            "cancelled": t._("cancelled"),
        }.get(announcement.status, announcement.status)
        lines.append(f"{progress_text(announcement.id, counts, t)} · {escape(status)}")
        if staff.can(user_id, "cancel") and announcement.status in ("scheduled", "held", "sending"):
            label = "✖ " + t._("Cancel #{number}").format(number=announcement.id)
            rows.append([button(label, "ax", announcement.id)])
    text = "\n\n".join(lines) if lines else escape(t._("No announcements yet."))
    await update.effective_message.reply_text(
        text, reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


async def on_cancel_announcement(update: Update, context: Context, data: Callback) -> None:
    user_id = update.effective_user.id
    if not context.bot_data.staff.can(user_id, "cancel"):
        refuse(update, "cancel")
        _, t = await current_user(update, context)
        await update.callback_query.answer(views.stale_button(t))
        return
    _, t = await current_user(update, context)
    announcement_id = int(data.arg(0)) if data.arg(0).isdigit() else 0
    cancelled = await context.bot_data.storage.cancel_announcement(announcement_id, user_id)
    text = (
        t._("Announcement #{number} cancelled.")
        if cancelled
        else t._("Announcement #{number} was already finished.")
    )
    await update.callback_query.answer(text.format(number=announcement_id), show_alert=True)


async def on_forged_announce_button(update: Update, context: Context, data: Callback) -> None:
    """An ``an:`` button outside a running /announce flow: replayed or forged."""
    refuse(update, "announce:button")
    _, t = await current_user(update, context)
    await update.callback_query.answer(views.stale_button(t))


# -- roles -------------------------------------------------------------------------------


@staff_only("grant")
async def grant_command(update: Update, context: Context) -> None:
    """/grant <user id> <admin|social_worker|editor> [municipality or region ids…]"""
    actor = update.effective_user.id
    data = context.bot_data
    _, t = await current_user(update, context)
    args = context.args or []
    content = data.snapshot.content
    usage = t._("Usage: /grant <user id> <admin|social_worker|editor> [municipality or region ids]")
    if (
        len(args) < 2
        or not args[0].isdigit()
        or args[1] not in ("admin", "social_worker", "editor")
    ):
        await update.effective_message.reply_text(escape(usage))
        return
    unknown = [a for a in args[2:] if a not in content.places and a not in content.regions]
    if unknown:
        text = t._("Unknown municipality or region: {ids}").format(ids=", ".join(unknown))
        await update.effective_message.reply_text(escape(text))
        return
    member = StaffMember(
        user_id=int(args[0]),
        role=args[1],
        municipalities=[a for a in args[2:] if a in content.places],
        regions=[a for a in args[2:] if a in content.regions],
    )
    write_member(data.settings.staff_path, member, member.user_id)
    await data.reload_staff()
    await data.storage.audit(actor, "grant", f"user:{member.user_id}", member.role)
    await set_staff_commands(context.application)
    await update.effective_message.reply_text(
        escape(
            t._("Done: {user} now has the role: {role}.").format(
                user=member.user_id, role=t._(ROLE_NAMES[member.role])
            )
        )
    )


@staff_only("grant", "revoke")
async def revoke_command(update: Update, context: Context) -> None:
    """/revoke <user id>"""
    actor = update.effective_user.id
    data = context.bot_data
    _, t = await current_user(update, context)
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await update.effective_message.reply_text(escape(t._("Usage: /revoke <user id>")))
        return
    user_id = int(args[0])
    write_member(data.settings.staff_path, None, user_id)
    await data.reload_staff()
    await data.storage.audit(actor, "revoke", f"user:{user_id}")
    with contextlib.suppress(TelegramError):
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    await update.effective_message.reply_text(
        escape(t._("Done: {user} has no staff role now.").format(user=user_id))
    )


def add_handlers(application: Application) -> None:
    """The /announce conversation and the other staff commands (private chats only)."""
    private = filters.ChatType.PRIVATE
    text = filters.TEXT & ~filters.COMMAND & private
    buttons = CallbackQueryHandler(on_target_button, pattern=r"^an:")
    with warnings.catch_warnings():
        # One flow per staff member (not per message) is intended: PTB's per_message
        # note does not apply.
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("announce", announce_start, filters=private)],
            states={
                TARGETS: [buttons],
                TEXT: [MessageHandler(text, on_text)],
                MORE: [CallbackQueryHandler(on_more_or_stop, pattern=r"^an:")],
                LANG_TEXT: [MessageHandler(text, on_language_text)],
                SCHEDULE: [MessageHandler(text, on_schedule)],
                CONFIRM: [CallbackQueryHandler(on_more_or_stop, pattern=r"^an:")],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=r"^an:stop:"),
            ],
            conversation_timeout=30 * 60,
            name="announce",
        )
    application.add_handler(conversation)
    for name, callback in (
        ("announcements", announcements_command),
        ("grant", grant_command),
        ("revoke", revoke_command),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
    newcomer.add_route("ax", on_cancel_announcement)
    newcomer.add_route("an", on_forged_announce_button)


async def on_more_or_stop(update: Update, context: Context) -> int:
    if _stop_button(update):
        return await cancel(update, context)
    return await on_more(update, context)
