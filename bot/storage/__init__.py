"""SQLite state: connection and migrations, users, announcements and the outbox,
the audit log and unanswered questions; :class:`Storage` composes them."""

from bot.storage.connection import StorageUnusable
from bot.storage.facade import Storage
from bot.storage.outbox import Announcement, OutboxItem
from bot.storage.users import User

__all__ = ["Announcement", "OutboxItem", "Storage", "StorageUnusable", "User"]
