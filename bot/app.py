"""Build the python-telegram-bot Application: handlers, defaults, commands, lifecycle.

This is the one place that wires handlers (as in python-telegram-bot's rules-bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot import runtime
from bot.config import Settings
from bot.content.reload import ContentReloader
from bot.content.snapshot import Snapshot
from bot.content.staff import Staff
from bot.context import BotData
from bot.delivery import held, progress
from bot.delivery.worker import MAX_SENDERS, DeliveryWorker
from bot.editing import digest
from bot.events.digest import digest_job
from bot.handlers import (
    announce,
    browse,
    common,
    editors,
    events,
    feedback,
    groups,
    handoff,
    inline,
    onboarding,
    questions,
    roles,
    stats,
    subscriptions,
)
from bot.handlers.errors import ErrorReporter
from bot.handoff.service import Handoff
from bot.ops import usage
from bot.ops.http import OpsServer, webhook_path
from bot.ops.metrics import MeteredRequest, MeteredUpdateProcessor, Metrics
from bot.reach.profile import sync_profile
from bot.storage import Storage
from bot.telegram import callback_data, guards
from bot.telegram.commands import set_commands, set_staff_commands
from bot.telegram.rate_limiter import PerChatRateLimiter
from bot.telegram.webhook_reply import WebhookReplies

log = logging.getLogger(__name__)


async def expire_unanswered(context) -> None:
    """JobQueue job: delete unanswered questions older than 90 days."""
    deleted = await context.bot_data.storage.expire_unanswered()
    if deleted:
        log.info("deleted %d unanswered questions older than 90 days", deleted)


async def purge_handoff(context) -> None:
    """JobQueue job: delete closed "Ask a person" conversations past their retention."""
    deleted = await context.bot_data.handoff.purge()
    if deleted:
        log.info("deleted %d closed conversations", deleted)


def add_handlers(application: Application) -> None:
    """Attach every handler. Private chats get the newcomer flow; groups only commands.

    python-telegram-bot tries the handlers in the order added and runs the first
    that matches. Buttons are routed by their callback data's action, one
    CallbackQueryHandler each (:func:`bot.telegram.callback_data.pattern`); the
    /announce conversation comes first, so its buttons reach it while it runs.
    """
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    private_commands = {
        "start": onboarding.start,
        "language": onboarding.language_command,
        "municipality": onboarding.municipality_command,
        "privacy": onboarding.privacy_command,
        "forget": onboarding.forget_command,
        "menu": browse.menu_command,
        "help": browse.help_command,
        "subscribe": subscriptions.subscribe_command,
        "unsubscribe": subscriptions.unsubscribe_command,
        "news": subscriptions.news_command,
        # staff (each checks the role when it runs)
        "announcements": announce.announcements_command,
        "grant": roles.grant_command,
        "revoke": roles.revoke_command,
        "reload": editors.reload_command,
        "gaps": editors.gaps_command,
        "coverage": editors.coverage_command,
        "stats": stats.stats_command,  # admins: usage counts
        "feedback": feedback.feedback_command,
    }
    for name, callback in private_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    # A feedback comment, when one is awaited, comes before everything else;
    # any other button ends the wait (bot/handlers/feedback.py).
    application.add_handler(MessageHandler(filters.TEXT & private, feedback.on_comment), group=-1)
    application.add_handler(CallbackQueryHandler(feedback.cancel_comment), group=-1)
    # "Ask a person" (bot/handoff): /stop_chat, a conversation's messages, helpdesk topics.
    application.add_handler(CommandHandler("stop_chat", handoff.stop_chat_command, filters=private))
    application.add_handler(
        MessageHandler(
            private
            & filters.UpdateType.MESSAGE  # edits are not relayed again
            & handoff.InConversation(application.bot_data)
            & handoff.RELAYED
            & ~filters.COMMAND,
            handoff.on_private_message,
        )
    )
    helpdesk_commands = {
        "close": handoff.close_command,
        "block": handoff.block_command,
        "handover": handoff.handover_command,
    }
    for name, callback in helpdesk_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=groups_only))
    application.add_handler(
        MessageHandler(
            filters.ChatType.SUPERGROUP
            & filters.UpdateType.MESSAGE
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL,
            handoff.on_group_message,
        )
    )
    application.add_handler(
        CallbackQueryHandler(handoff.on_topic_button, pattern=callback_data.pattern("hq"))
    )
    application.add_handler(announce.conversation())
    application.add_handler(
        CommandHandler("search", questions.search_command, filters=private | groups_only)
    )
    application.add_handler(MessageHandler(filters.COMMAND & groups_only, groups.private_only))
    application.add_handler(MessageHandler(filters.COMMAND & private, common.unknown_command))
    application.add_handler(MessageHandler(filters.LOCATION & private, onboarding.on_location))
    application.add_handler(MessageHandler(filters.TEXT & private, questions.on_text))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL, browse.on_other_message)
    )

    # Buttons: in groups one answer for all; in private chats one handler per action.
    application.add_handler(groups.GroupButtonHandler())
    buttons = {
        "menu": browse.on_menu_button,
        "cat": browse.on_category_button,
        "e": browse.on_entry_button,
        "ec": browse.on_entry_button,
        "es": browse.on_entry_button,
        "cs": browse.on_category_button,
        "loc": browse.on_location_button,
        "lp": onboarding.on_language_picker_button,
        "lang": onboarding.on_language_button,
        "mp": onboarding.on_municipality_page_button,
        "rg": onboarding.on_region_page_button,
        "mun": onboarding.on_municipality_button,
        "geo": onboarding.on_ask_location_button,
        "fgt": onboarding.on_forget_button,
        "sub": subscriptions.on_subscribe_button,
        "more": questions.on_more_button,
        "ax": announce.on_cancel_announcement_button,
        "an": announce.on_stray_announce_button,  # outside a running /announce
        "ask": handoff.on_ask_button,
        "hq": handoff.not_a_helpdesk_private,  # group taps are routed above
        "fb": feedback.on_feedback_button,
        "wk": events.on_week_button,
        "ev": events.on_event_button,
    }
    if buttons.keys() != callback_data.ACTIONS.keys():
        raise ValueError("every callback_data action needs exactly one button handler")
    for action, callback in buttons.items():
        application.add_handler(
            CallbackQueryHandler(callback, pattern=callback_data.pattern(action))
        )
    # Stale, forged or unknown data: "This button is out of date", and the menu.
    application.add_handler(CallbackQueryHandler(common.unknown_button))
    application.add_handler(InlineQueryHandler(inline.on_inline_query))
    application.add_error_handler(ErrorReporter().on_error)
    # Private updates without a sender stop first; empty and idle user_data is dropped.
    guards.install(application)


def build_application(
    settings: Settings,
    snapshot: Snapshot,
    *,
    storage: Storage | None = None,
    rate_limiter: bool = True,
    application_class: type[Application] = Application,
    reloader: ContentReloader | None = None,
) -> Application:
    """The Application for ``settings``, serving ``snapshot``.

    The database is opened in ``post_init`` (unless ``storage`` is given) and closed
    in ``post_shutdown``. ``rate_limiter`` adds :class:`PerChatRateLimiter` for group-chat
    limits and RetryAfter retries on interactive replies.
    """

    stop_watching = asyncio.Event()
    switch_interval = runtime.BotSwitchInterval()  # why: bot/runtime.py
    watching: list[asyncio.Task] = []

    metrics = Metrics()
    # Webhook mode: answers to taps ride back on the webhook answer (bot/telegram/webhook_reply.py).
    replies = WebhookReplies() if settings.webhook_url else None

    def metered(client: str, pool: int, replies: WebhookReplies | None = None) -> MeteredRequest:
        """The request backend with the settings' timeouts, counted in ``metrics``."""
        return MeteredRequest(
            metrics,
            client,
            replies=replies,
            connection_pool_size=pool,
            read_timeout=settings.read_timeout,
            write_timeout=settings.write_timeout,
            connect_timeout=settings.connect_timeout,
            pool_timeout=settings.pool_timeout,
        )

    async def post_init(application: Application) -> None:
        data: BotData = application.bot_data
        switch_interval.apply()
        if storage is None:
            data.storage = await Storage.open(settings.database)
        data.storage.clock = lambda: data.clock().timestamp()
        data.stats = usage.for_bot(data)  # the council's usage counts (bot/ops/usage.py)
        application.job_queue.run_repeating(
            usage.flush_job, interval=usage.FLUSH_SECONDS, name="usage-counts"
        )
        # /healthz, /readyz, /metrics (and the webhook in webhook mode): bot/ops/http.py
        data.ops = await OpsServer(
            application,
            settings.http_host,
            settings.http_port,
            webhook_path=webhook_path(settings.webhook_url) if settings.webhook_url else None,
            secret=data.webhook_secret,
            replies=replies,
        ).start()
        data.staff = Staff.load(settings.staff_path)
        await set_commands(application)
        await set_staff_commands(application)
        # Announcements go through their own Bot and connection pool, without the
        # interactive rate limiter, so newcomers' replies never wait behind them.
        worker = DeliveryWorker(
            data.storage,
            Bot(
                settings.token,
                base_url=settings.api_base_url,
                request=metered("delivery", MAX_SENDERS),
            ),
            progress.make_renderer(application),
            rate=settings.broadcast_rate,
            on_change=lambda ids: progress.report_progress(application, ids),
            clock=lambda: data.clock().timestamp(),
            authorise=lambda a: held.author_may_send(data.staff, data.snapshot.content, a),
            on_held=held.make_notifier(
                lambda: application.bot, lambda: data.staff, lambda: data.storage
            ),
        )
        await worker.bot.initialize()
        # Name and descriptions per language; through the worker's Bot, which has no
        # rate limiter to wait out a 429 (bot/reach/profile.py).
        await sync_profile(worker.bot)
        data.delivery = worker
        worker.start()
        await data.handoff.start()
        # Closed "Ask a person" conversations go after the staff file's retention days.
        application.job_queue.run_repeating(
            purge_handoff, interval=6 * 3600, first=30, name="purge-handoff"
        )
        # Unanswered questions are kept 90 days at most (see Storage.expire_unanswered).
        application.job_queue.run_repeating(
            expire_unanswered, interval=24 * 3600, first=60, name="expire-unanswered"
        )
        # Feedback: the day's vote tokens start empty (their salt is gone); comments
        # are kept 90 days; editors get a weekly digest (bot/editing/digest.py).
        await feedback.service(application).start()
        application.job_queue.run_repeating(
            feedback.expire_comments, interval=24 * 3600, first=90, name="expire-feedback"
        )
        application.job_queue.run_repeating(
            digest.digest_job, interval=digest.CHECK_SECONDS, first=120, name="weekly-digest"
        )
        # Monday mornings: this week's events to subscribers (bot/events/digest.py).
        application.job_queue.run_repeating(
            digest_job, interval=3600, first=150, name="events-digest"
        )
        if settings.watch_content:
            watching.append(
                asyncio.create_task(
                    data.reloader.watch(
                        lambda result: editors.after_file_change(application, result),
                        stop_watching,
                        extra_paths=(settings.staff_path,),
                    ),
                    name="content-watch",
                )
            )
        log.info("bot @%s started", application.bot.username)

    async def post_shutdown(application: Application) -> None:
        data: BotData = application.bot_data
        switch_interval.restore()
        stop_watching.set()
        for task in watching:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await data.handoff.stop()
        worker = getattr(data, "delivery", None)
        if worker is not None:
            await worker.stop()
            await worker.bot.shutdown()
        ops = getattr(data, "ops", None)
        if ops is not None:
            await ops.stop()
        if hasattr(data, "stats"):
            await usage.flush_job(application)
        if storage is None and hasattr(data, "storage"):
            await data.storage.close()

    builder = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(settings.token)
        .base_url(settings.api_base_url)
        # aiohttp instead of httpx: a fraction of the CPU per Bot API call.
        .request(metered("replies", 32, replies))
        .get_updates_request(metered("polling", 1))
        .context_types(ContextTypes(bot_data=BotData))
        # Other people's updates are handled while one waits for Telegram; one chat's
        # updates stay in order (bot/telegram/update_processor.py).
        .concurrent_updates(MeteredUpdateProcessor(metrics))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if rate_limiter:
        # Group limits and RetryAfter retries; a 429 pauses only its chat. Interactive
        # replies are not throttled overall (announcements have their own limiter).
        builder = builder.rate_limiter(PerChatRateLimiter(max_retries=2))
    application = builder.build()
    data: BotData = application.bot_data
    data.snapshot = snapshot
    data.settings = settings
    data.metrics = metrics
    # A new random secret at every start: Telegram sends it with every update.
    data.webhook_secret = secrets.token_urlsafe(32) if settings.webhook_url else None

    def publish(new: Snapshot) -> None:
        data.snapshot = new
        metrics.content_published(len(new.content.entries))

    metrics.content_published(len(snapshot.content.entries))
    data.reloader = reloader or ContentReloader(settings.content_dir, publish)
    if reloader is not None:
        reloader.publish = publish
    data.reloader.adopt(snapshot)
    if storage is not None:
        data.storage = storage
    data.handoff = Handoff(data, application.bot)
    add_handlers(application)
    return application


async def check_database(settings: Settings) -> None:
    """Open (and migrate) the database once and close it; raises StorageUnusable."""
    storage = await Storage.open(settings.database)
    await storage.close()


def run(settings: Settings) -> None:
    """Load content and run the bot until interrupted: with a webhook when
    ``BOT_WEBHOOK_URL`` is set (:func:`bot.ops.service.run_webhook`), else long polling.

    Raises ContentInvalid if the content cannot be served at start-up, and
    StorageUnusable if the database cannot be used.
    """
    reloader = ContentReloader(settings.content_dir, lambda _: None)
    snapshot = reloader.load_initial()
    # An unusable database stops the start here, before Telegram is contacted, with
    # StorageUnusable (one line for the operator) instead of a bot without polling.
    asyncio.run(check_database(settings))
    application = build_application(settings, snapshot, reloader=reloader)
    if settings.webhook_url:
        from bot.ops.service import run_webhook

        run_webhook(application)
        return
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
