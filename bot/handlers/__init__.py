"""Telegram handlers. :mod:`bot.app` wires them; each module serves one kind of user."""
