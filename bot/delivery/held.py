"""Scheduled announcements whose author lost the right to send them (issue 10).

Roles and scopes are checked when an action is carried out; a scheduled
announcement is carried out when its time comes, so that is when its author is
checked again (:func:`author_may_send`). If the author was revoked, or their
scope no longer covers every target, the delivery worker holds it and
:func:`tell_admins` writes to every admin in the staff file.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape

from telegram import Bot
from telegram.error import TelegramError

from bot.content.staff import Staff
from bot.content.store import Content
from bot.i18n import translator
from bot.storage import Announcement, Storage

log = logging.getLogger(__name__)


def author_may_send(staff: Staff, content: Content, announcement: Announcement) -> bool:
    """True if the author still has a role that announces, to every target."""
    return staff.may_announce_to(announcement.author_id, announcement.targets, content)


def admin_ids(staff: Staff) -> list[int]:
    return sorted(uid for uid, member in staff.members.items() if member.role == "admin")


def make_notifier(
    bot: Callable[[], Bot], staff: Callable[[], Staff], storage: Callable[[], Storage]
) -> Callable[[Announcement], Awaitable[None]]:
    """The delivery worker's ``on_held``: tell each admin, in their language."""

    async def tell_admins(announcement: Announcement) -> None:
        admins = admin_ids(staff())
        if not admins:
            log.warning("announcement %d held and no admin to tell", announcement.id)
        for admin_id in admins:
            user = await storage().get_user(admin_id)
            t = translator(user.language if user else None)
            text = escape(
                t._(
                    "Announcement #{id} was not sent: its author ({author}) may no longer "
                    "announce to {targets}. It is held; see /announcements to cancel it."
                ).format(
                    id=announcement.id,
                    author=announcement.author_id,
                    targets=", ".join(announcement.targets),
                )
            )
            try:
                await bot().send_message(admin_id, text)
            except TelegramError as exc:
                log.info("could not tell admin about held announcement: %s", type(exc).__name__)

    return tell_admins
