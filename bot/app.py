"""Build the python-telegram-bot Application: handlers, defaults, commands, lifecycle.

This is the one place that wires handlers (as in python-telegram-bot's rules-bot).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys

from telegram import Bot, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.content.reload import ContentReloader
from bot.content.snapshot import Snapshot
from bot.content.staff import Staff
from bot.context import BotData
from bot.delivery import held
from bot.delivery.worker import MAX_SENDERS, DeliveryWorker
from bot.handlers import announce, editors, errors, groups, newcomer, questions
from bot.storage import Storage
from bot.telegram.commands import set_commands, set_staff_commands
from bot.telegram.request import AiohttpRequest
from bot.telegram.update_processor import PerChatUpdateProcessor

log = logging.getLogger(__name__)

#: Seconds a thread may hold the GIL while another waits for it (Python's default:
#: 0.005). aiosqlite's thread needs it back from a busy event loop after every
#: statement, so each SQLite round trip could wait that long: in a flood of updates
#: (bench/updates.py) handling a typed municipality name took 189 ms (p50) at 5 ms
#: and 55-71 ms at 1 ms.
GIL_SWITCH_INTERVAL = 0.001


async def expire_unanswered(context) -> None:
    """JobQueue job: delete unanswered questions older than 90 days."""
    deleted = await context.bot_data.storage.expire_unanswered()
    if deleted:
        log.info("deleted %d unanswered questions older than 90 days", deleted)


def add_handlers(application: Application) -> None:
    """Attach every handler. Private chats get the newcomer flow; groups only commands."""
    private = filters.ChatType.PRIVATE
    groups_only = filters.ChatType.GROUPS
    command_handlers = {
        "start": newcomer.start,
        "language": newcomer.language_command,
        "municipality": newcomer.municipality_command,
        "menu": newcomer.menu_command,
        "help": newcomer.help_command,
        "privacy": newcomer.privacy_command,
        "forget": newcomer.forget_command,
        "subscribe": newcomer.subscribe_command,
        "unsubscribe": newcomer.unsubscribe_command,
        "news": newcomer.news_command,
    }
    for name, callback in command_handlers.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    announce.add_handlers(application)
    editors.add_handlers(application)
    questions.add_handlers(application)
    application.add_handler(MessageHandler(filters.COMMAND & groups_only, groups.private_only))
    application.add_handler(MessageHandler(filters.COMMAND & private, newcomer.unknown_command))
    application.add_handler(MessageHandler(filters.LOCATION & private, newcomer.on_location))
    application.add_handler(MessageHandler(filters.TEXT & private, newcomer.on_text))
    application.add_handler(
        MessageHandler(private & ~filters.StatusUpdate.ALL, newcomer.on_other_message)
    )
    application.add_handler(
        CallbackQueryHandler(newcomer.on_callback, pattern=lambda _: True, block=True),
    )
    application.add_error_handler(errors.on_error)


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
    in ``post_shutdown``. ``rate_limiter`` adds python-telegram-bot's AIORateLimiter
    for group-chat limits and RetryAfter retries on interactive replies.
    """

    stop_watching = asyncio.Event()
    switch_interval = sys.getswitchinterval()
    watching: list[asyncio.Task] = []

    async def post_init(application: Application) -> None:
        data: BotData = application.bot_data
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
        if storage is None:
            data.storage = await Storage.open(settings.database)
        data.storage.clock = lambda: data.clock().timestamp()
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
                request=AiohttpRequest(connection_pool_size=MAX_SENDERS),
            ),
            announce.make_renderer(application),
            rate=settings.broadcast_rate,
            on_change=lambda ids: announce.report_progress(application, ids),
            clock=lambda: data.clock().timestamp(),
            authorise=lambda a: held.author_may_send(data.staff, data.snapshot.content, a),
            on_held=held.make_notifier(
                lambda: application.bot, lambda: data.staff, lambda: data.storage
            ),
        )
        await worker.bot.initialize()
        data.delivery = worker
        worker.start()
        # Unanswered questions are kept 90 days at most (see Storage.expire_unanswered).
        application.job_queue.run_repeating(
            expire_unanswered, interval=24 * 3600, first=60, name="expire-unanswered"
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
        sys.setswitchinterval(switch_interval)
        stop_watching.set()
        for task in watching:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        worker = getattr(data, "delivery", None)
        if worker is not None:
            await worker.stop()
            await worker.bot.shutdown()
        if storage is None and hasattr(data, "storage"):
            await data.storage.close()

    builder = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(settings.token)
        .base_url(settings.api_base_url)
        # aiohttp instead of httpx: a fraction of the CPU per Bot API call.
        .request(AiohttpRequest(connection_pool_size=32))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .context_types(ContextTypes(bot_data=BotData))
        # Other people's updates are handled while one waits for Telegram; one chat's
        # updates stay in order (bot/telegram/update_processor.py).
        .concurrent_updates(PerChatUpdateProcessor())
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
        # overall_max_rate=0: interactive replies are not throttled overall (bulk
        # announcements have their own limiter); group limits and RetryAfter
        # retries stay on.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
    application = builder.build()
    data: BotData = application.bot_data
    data.snapshot = snapshot
    data.settings = settings
    data.reloader = reloader or ContentReloader(
        settings.content_dir, lambda new: setattr(data, "snapshot", new)
    )
    if reloader is not None:
        reloader.publish = lambda new: setattr(data, "snapshot", new)
    if storage is not None:
        data.storage = storage
    add_handlers(application)
    return application


async def check_database(settings: Settings) -> None:
    """Open (and migrate) the database once and close it; raises StorageUnusable."""
    storage = await Storage.open(settings.database)
    await storage.close()


def run(settings: Settings) -> None:
    """Load content and run the bot with long polling until interrupted.

    Raises ContentInvalid if the content cannot be served at start-up, and
    StorageUnusable if the database cannot be used.
    """
    reloader = ContentReloader(settings.content_dir, lambda _: None)
    snapshot = reloader.load_initial()
    # An unusable database stops the start here, before Telegram is contacted, with
    # StorageUnusable (one line for the operator) instead of a bot without polling.
    asyncio.run(check_database(settings))
    application = build_application(settings, snapshot, reloader=reloader)
    application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
