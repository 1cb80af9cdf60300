"""/stats for admins: the usage counts of a month that is over, per municipality and
language, with every number below 5 hidden (:mod:`bot.ops.usage`).

The full table (per day and category, CSV or JSON) is ``newcomer-bot stats``.
"""

from __future__ import annotations

from telegram import Update

from bot.handlers.access import staff_only
from bot.handlers.common import Context, current_user
from bot.ops import usage
from bot.views import stats as views
from bot.views.html import split_html


@staff_only("stats")
async def stats_command(update: Update, context: Context) -> None:
    """/stats [YYYY-MM]: usage counts of a month that is over (default: the last one)."""
    args = context.args or []
    data = context.bot_data
    _, t = await current_user(update, context)
    today = data.today()
    try:
        first, last = usage.completed_month(args[0] if args else None, today)
    except usage.MonthNotOver:
        await update.effective_message.reply_text(views.month_not_over(t))
        return
    except ValueError:
        last_month, _ = usage.completed_month(None, today)
        await update.effective_message.reply_text(views.stats_usage(t, last_month))
        return
    await data.stats.flush()  # the last minute's counts too
    rows = await usage.report(data.stats.store, first, last, by="period")
    text = views.usage_report(rows, first, last, data.snapshot.content, t, min_cell=usage.MIN_CELL)
    for part in split_html(text):
        await update.effective_message.reply_text(part)
