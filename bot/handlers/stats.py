"""/stats for admins: the usage counts of the last days, per municipality and
language, with every number below 5 hidden (:mod:`bot.ops.usage`).

The full table (per day and category, CSV or JSON) is ``newcomer-bot stats``.
"""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.handlers.access import staff_only
from bot.handlers.common import Context, current_user
from bot.ops import usage
from bot.views import stats as views
from bot.views.html import split_html

DEFAULT_DAYS = 30
MAX_DAYS = 366


@staff_only("stats")
async def stats_command(update: Update, context: Context) -> None:
    """/stats [days]: usage counts of the last ``days`` (default 30)."""
    args = context.args or []
    days = int(args[0]) if args and args[0].isdigit() else DEFAULT_DAYS
    days = max(1, min(days, MAX_DAYS))
    data = context.bot_data
    await data.stats.flush()  # the last minute's counts too
    last = data.today()
    first = last - dt.timedelta(days=days - 1)
    rows = await usage.report(data.stats.store, first, last, by="period")
    _, t = await current_user(update, context)
    text = views.usage_report(rows, first, last, data.snapshot.content, t, min_cell=usage.MIN_CELL)
    for part in split_html(text):
        await update.effective_message.reply_text(part)
