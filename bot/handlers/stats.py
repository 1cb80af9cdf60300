"""/stats for admins: the usage counts of the last days, per municipality and
language, with every number below 5 hidden (:mod:`bot.ops.usage`).

The full table (per day and category, CSV or JSON) is ``newcomer-bot stats``.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from telegram import Update

from bot.handlers.access import staff_only
from bot.handlers.common import Context
from bot.ops import usage

DEFAULT_DAYS = 30
MAX_DAYS = 366
#: Table lines in one message (Telegram allows 4096 characters).
MAX_LINES = 60
HEADER = ("municipality", "lang", "starts", "cards", "search", "none", "handoff")


def render(rows: list[dict], first: dt.date, last: dt.date) -> str:
    """A monospace table; suppressed cells show as <5."""
    head = f"Usage {first.isoformat()} – {last.isoformat()} (numbers below {usage.MIN_CELL} hidden)"
    if not rows:
        return escape(head) + "\n" + escape("Nothing to show yet.")
    lines = ["{:<14} {:<4} {:>6} {:>6} {:>6} {:>5} {:>7}".format(*HEADER)]
    for row in rows[:MAX_LINES]:
        cells = [usage.SUPPRESSED if row[c] is None else str(row[c]) for c in usage.COLUMNS]
        lines.append(
            "{:<14} {:<4} {:>6} {:>6} {:>6} {:>5} {:>7}".format(
                (row["municipality"] or "-")[:14], row["language"][:4], *cells
            )
        )
    more = len(rows) - MAX_LINES
    tail = f"\n… {more} more rows: newcomer-bot stats" if more > 0 else ""
    return f"{escape(head)}\n<pre>{escape(chr(10).join(lines))}</pre>{escape(tail)}"


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
    await update.effective_message.reply_text(render(rows, first, last))
