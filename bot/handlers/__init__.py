"""Telegram handlers, one module per concern; :mod:`bot.app` wires them all.

Newcomers: :mod:`~bot.handlers.onboarding` (start, language, municipality,
privacy), :mod:`~bot.handlers.browse` (menu, topics, cards),
:mod:`~bot.handlers.subscriptions` (news), :mod:`~bot.handlers.questions`
(typed text, /search). Staff: :mod:`~bot.handlers.announce`,
:mod:`~bot.handlers.roles`, :mod:`~bot.handlers.editors`, authorised by
:mod:`~bot.handlers.access`. Also :mod:`~bot.handlers.groups` and
:mod:`~bot.handlers.errors`; what they share is in :mod:`~bot.handlers.common`.
"""
