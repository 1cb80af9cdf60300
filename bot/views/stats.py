"""The /stats message: usage counts per municipality and language, in the reader's
language, for a phone's width.

One block per municipality and language (a wide table would wrap on a phone and
mix directions in right-to-left languages): the municipality's and the language's
names as the reader writes them, then each count with its label. Numbers come
from Babel in the reader's digits; counts below :data:`bot.ops.usage.MIN_CELL`
show as "fewer than 5", and no totals are given (they would reveal those counts).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from bot.content.store import Content
from bot.i18n import N_, Translator, display_name
from bot.views.common import place_name

#: Report column → label, in the order shown (bot.storage.stats.EVENTS).
LABELS = (
    ("people", N_("People per day, added up")),
    ("starts", N_("Started the bot")),
    ("cards_opened", N_("Cards opened")),
    ("searches", N_("Questions asked")),
    ("not_found", N_("Questions without an answer")),
    ("handoffs", N_("Asked a person")),
)
#: Blocks in one /stats answer; the rest: ``newcomer-bot stats``.
MAX_BLOCKS = 40


def usage_report(
    rows: list[dict[str, Any]],
    first: dt.date,
    last: dt.date,
    content: Content,
    t: Translator,
    *,
    min_cell: int,
) -> str:
    """HTML for ``rows`` of :func:`bot.ops.usage.report` (``by="period"``: one row per
    municipality and language; a suppressed count is None). May exceed one message:
    send it through :func:`bot.views.html.split_html`."""
    head = t._("<b>Usage</b> from {first} to {last}").format(first=t.date(first), last=t.date(last))
    note = t._("Numbers below {n} are not shown, so that nobody can be singled out.").format(
        n=t.number(min_cell)
    )
    note += " " + t._("Only months that are over are shown.")
    if not rows:
        nothing = t._("Nothing to show yet.")
        return t.paragraph(f"{head}\n{escape(note)}\n\n{escape(nothing)}")
    blocks = [_block(row, content, t, min_cell) for row in rows[:MAX_BLOCKS]]
    more = len(rows) - MAX_BLOCKS
    if more > 0:
        blocks.append(
            escape(
                t.ngettext(
                    "… and {n} more line: newcomer-bot stats",
                    "… and {n} more lines: newcomer-bot stats",
                    more,
                ).format(n=t.number(more))
            )
        )
    return t.paragraph("\n\n".join([f"{head}\n{escape(note)}", *blocks]))


def month_not_over(t: Translator) -> str:
    """/stats for a month not over yet: why not (HTML)."""
    return t.paragraph(
        escape(
            t._(
                "That month is not over yet. Only months that are over are shown: numbers "
                "that still grow could be compared day by day and give one person away."
            )
        )
    )


def stats_usage(t: Translator, last_month: dt.date) -> str:
    """How to use /stats, with ``last_month`` (any day of it) as the example (HTML)."""
    example = last_month.strftime("%Y-%m")
    return t.paragraph(
        escape(
            t._("Write {command} for last month, or {example} for another month that is over.")
        ).format(command="/stats", example=t.ltr(f"/stats {example}"))
    )


def _block(row: dict[str, Any], content: Content, t: Translator, min_cell: int) -> str:
    place = content.place(row["municipality"]) if row["municipality"] else None
    if place is not None:
        where = place_name(place, t)
    elif row["municipality"]:
        where = row["municipality"]  # a municipality no longer in the content
    else:
        where = t._("No municipality chosen yet")
    language = display_name(row["language"], t.locale)
    lines = [f"<b>{escape(t.auto(where))} · {escape(t.auto(language))}</b>"]
    for column, label in LABELS:
        value = row[column]
        shown = (
            t._("fewer than {n}").format(n=t.number(min_cell)) if value is None else t.number(value)
        )
        lines.append(escape(f"{t._(label)}: {shown}"))
    return "\n".join(lines)
