"""Groups and channels: the bot answers only commands, never plain chatter.

Menus are personal (language, municipality), so in a group the bot points to a
private chat instead of showing one person's menu to everyone.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.handlers.common import Context, current_user


async def private_only(update: Update, context: Context) -> None:
    """Any command in a group: a button that opens the private chat with the bot."""
    _, t = await current_user(update, context)
    url = f"https://t.me/{context.bot.username}?start=group"
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("💬 " + t._("Open the bot"), url=url)]])
    text = t._("Write to me in a private chat, where I can answer in your language.")
    await update.effective_message.reply_text(t.paragraph(escape(text)), reply_markup=keyboard)


async def group_callback(update: Update, context: Context) -> None:
    """A button tapped in a group: menus live in the private chat."""
    _, t = await current_user(update, context)
    await update.callback_query.answer(
        t._("Please open the bot in a private chat."), show_alert=True
    )


class GroupButtonHandler(CallbackQueryHandler):
    """Any button tapped outside a private chat (see :func:`group_callback`).

    Added before the per-action button handlers: menus are personal, so a button
    in a group is never routed to them.
    """

    def __init__(self) -> None:
        super().__init__(group_callback)

    def check_update(self, update: object):
        if not isinstance(update, Update) or update.callback_query is None:
            return None
        chat = update.effective_chat
        if chat is not None and chat.type == "private":
            return None
        return super().check_update(update)
