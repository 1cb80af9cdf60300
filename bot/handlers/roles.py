"""Admins give and take staff roles in Telegram: /grant and /revoke.

Both rewrite the staff file (keeping its comments), reload it, write an audit
entry and update the member's command menu. Like every staff command they look
like any unknown command to everyone else.
"""

from __future__ import annotations

import contextlib
from html import escape

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.content.staff import StaffMember, write_member
from bot.handlers.access import staff_only
from bot.handlers.common import Context, current_user
from bot.i18n import N_
from bot.telegram.commands import set_staff_commands
from bot.telegram.ids import parse_id

ROLE_NAMES = {
    "admin": N_("administrator"),
    "social_worker": N_("social worker"),
    "editor": N_("content editor"),
}


@staff_only("grant")
async def grant_command(update: Update, context: Context) -> None:
    """/grant <user id> <admin|social_worker|editor> [municipality or region ids…]"""
    actor = update.effective_user.id
    data = context.bot_data
    _, t = await current_user(update, context)
    args = context.args or []
    content = data.snapshot.content
    usage = t._("Usage: /grant <user id> <admin|social_worker|editor> [municipality or region ids]")
    user_id = parse_id(args[0]) if args else None
    if len(args) < 2 or user_id is None or args[1] not in ("admin", "social_worker", "editor"):
        await update.effective_message.reply_text(escape(usage))
        return
    unknown = [a for a in args[2:] if a not in content.places and a not in content.regions]
    if unknown:
        text = t._("Unknown municipality or region: {ids}").format(ids=", ".join(unknown))
        await update.effective_message.reply_text(escape(text))
        return
    member = StaffMember(
        user_id=user_id,
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
    user_id = parse_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        await update.effective_message.reply_text(escape(t._("Usage: /revoke <user id>")))
        return
    write_member(data.settings.staff_path, None, user_id)
    await data.reload_staff()
    await data.storage.audit(actor, "revoke", f"user:{user_id}")
    with contextlib.suppress(TelegramError):
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    await update.effective_message.reply_text(
        escape(t._("Done: {user} has no staff role now.").format(user=user_id))
    )
