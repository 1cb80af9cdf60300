"""The command lists Telegram shows, per language and per scope (Bot API setMyCommands).

Newcomers see their commands in private chats, groups see /search and /help,
and each staff member sees their role's commands in their own chat only
(``BotCommandScopeChat``), so staff commands stay invisible to everyone else.
"""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import TelegramError
from telegram.ext import Application

from bot.i18n import LANGUAGES, N_, translator

log = logging.getLogger(__name__)

PRIVATE_COMMANDS = (
    ("menu", N_("Topics for your municipality")),
    ("search", N_("Search, e.g. /search football")),
    ("news", N_("News for your municipality")),
    ("subscribe", N_("Get news for your municipality")),
    ("unsubscribe", N_("Stop the news")),
    ("municipality", N_("Change your municipality")),
    ("language", N_("Change your language")),
    ("help", N_("How to use this bot")),
    ("privacy", N_("What the bot stores about you")),
    ("forget", N_("Delete everything about you")),
    ("start", N_("Start again")),
)
GROUP_COMMANDS = (
    ("search", N_("Search, e.g. /search football")),
    ("help", N_("How to use this bot")),
)
STAFF_COMMANDS = {
    "announce": N_("Write an announcement"),
    "announcements": N_("Recent announcements"),
    "cancel": N_("Stop writing an announcement"),
    "reload": N_("Reload the content"),
    "coverage": N_("Translation coverage"),
    "gaps": N_("Questions without answers"),
    "feedback": N_("Problems newcomers reported"),
    "grant": N_("Give a staff role"),
    "revoke": N_("Remove a staff role"),
}
ROLE_COMMANDS = {
    "admin": (
        "announce",
        "announcements",
        "cancel",
        "reload",
        "coverage",
        "gaps",
        "feedback",
        "grant",
        "revoke",
    ),
    "social_worker": ("announce", "announcements", "cancel"),
    "editor": ("reload", "coverage", "gaps", "feedback"),
}


def commands_for(lang: str, table) -> list[BotCommand]:
    """``table`` of (command, untranslated description) → BotCommands in ``lang``."""
    t = translator(lang)
    # Bot API: command descriptions are 1-256 characters.
    return [BotCommand(name, t._(description)[:256]) for name, description in table]


async def set_commands(application: Application) -> None:
    """Register the newcomer and group command lists, per language."""
    bot = application.bot
    private, group = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    await bot.set_my_commands(commands_for("en", PRIVATE_COMMANDS), scope=private)
    await bot.set_my_commands(commands_for("en", GROUP_COMMANDS), scope=group)
    for lang in LANGUAGES:
        await bot.set_my_commands(
            commands_for(lang, PRIVATE_COMMANDS), scope=private, language_code=lang
        )
        await bot.set_my_commands(
            commands_for(lang, GROUP_COMMANDS), scope=group, language_code=lang
        )


async def set_staff_commands(application: Application) -> None:
    """Show each staff member their role's commands, in their own chat only."""
    data = application.bot_data
    for member in data.staff.members.values():
        user = await data.storage.get_user(member.user_id)
        lang = user.language if user and user.language else "en"
        staff_table = [(name, STAFF_COMMANDS[name]) for name in ROLE_COMMANDS[member.role]]
        commands = commands_for(lang, PRIVATE_COMMANDS) + commands_for(lang, staff_table)
        try:
            await application.bot.set_my_commands(
                commands, scope=BotCommandScopeChat(member.user_id)
            )
        except TelegramError as exc:  # e.g. the member never started the bot
            log.info("could not set commands for staff %s: %s", member.user_id, type(exc).__name__)
