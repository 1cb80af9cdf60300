"""Kept so that code written before the split into bot/storage/* still imports;
import from :mod:`bot.storage` instead."""

from bot.storage import Announcement, OutboxItem, Storage, StorageUnusable, User
from bot.storage.migrations import MIGRATIONS

__all__ = ["MIGRATIONS", "Announcement", "OutboxItem", "Storage", "StorageUnusable", "User"]
