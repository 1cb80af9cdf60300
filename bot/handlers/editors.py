"""Content editors in Telegram: /reload, /coverage and /gaps.

Like every staff command, these are authorised when they run and look like any
unknown command to everyone else.
"""

from __future__ import annotations

import dataclasses
import logging
from html import escape

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.content.reload import ReloadResult
from bot.handlers.access import staff_only
from bot.handlers.common import Context, current_user
from bot.i18n import Translator, translator
from bot.telegram.commands import set_staff_commands
from bot.views.html import split_html

log = logging.getLogger(__name__)

#: Problems listed in one Telegram message; the rest are counted (the log has all).
MAX_LISTED_PROBLEMS = 15
GAPS_DAYS = 30


def reload_report(result: ReloadResult, t: Translator) -> str:
    """The editor's message for a reload: entries served, or what is wrong and where."""
    if result.ok:
        text = t.ngettext(
            "✅ Content reloaded: {count} entry.", "✅ Content reloaded: {count} entries.",
            result.entries,
        )  # fmt: skip
        return escape(text.format(count=result.entries))
    head = t.ngettext(
        "⚠️ The new content has {count} problem. The bot keeps showing the previous content.",
        "⚠️ The new content has {count} problems. The bot keeps showing the previous content.",
        len(result.problems),
    ).format(count=len(result.problems))
    listed = "\n".join(escape(str(p)) for p in result.problems[:MAX_LISTED_PROBLEMS])
    more = len(result.problems) - MAX_LISTED_PROBLEMS
    tail = ("\n" + escape(t._("… and {count} more.").format(count=more))) if more > 0 else ""
    return f"{escape(head)}\n<pre>{listed}</pre>{tail}"


async def reload_staff(application: Application, result: ReloadResult) -> ReloadResult:
    """Re-read the staff file with the content (roles change without a restart, and
    the staff command menus follow); a broken staff file joins the reload's problems."""
    data = application.bot_data
    problem = await data.reload_staff()
    if problem is None:
        await set_staff_commands(application)
        return result
    return dataclasses.replace(result, ok=False, problems=(*result.problems, problem))


async def after_file_change(application: Application, result: ReloadResult) -> None:
    """After a file-watch reload: staff file too, then tell editors about problems."""
    await notify_editors(application, await reload_staff(application, result))


async def notify_editors(application: Application, result: ReloadResult) -> None:
    """After a file-watch reload that failed, tell every editor and admin in the staff file."""
    if result.ok:
        return
    data = application.bot_data
    for user_id in data.staff.ids_with("reload"):
        user = await data.storage.get_user(user_id)
        t = translator(user.language if user else None)
        try:
            await application.bot.send_message(user_id, reload_report(result, t))
        except TelegramError as exc:
            log.info("could not tell editor %s: %s", user_id, type(exc).__name__)


@staff_only("reload")
async def reload_command(update: Update, context: Context) -> None:
    """/reload: load the content now; the editor who asked gets the outcome."""
    _, t = await current_user(update, context)
    result = await reload_staff(context.application, await context.bot_data.reloader.reload())
    await update.effective_message.reply_text(reload_report(result, t))


@staff_only("gaps")
async def gaps_command(update: Update, context: Context) -> None:
    """/gaps: the most frequent questions without answers of the last 30 days."""
    _, t = await current_user(update, context)
    rows = await context.bot_data.storage.gaps(GAPS_DAYS, limit=25)
    if not rows:
        text = t._("No unanswered questions in the last {days} days.").format(days=GAPS_DAYS)
        await update.effective_message.reply_text(escape(text))
        return
    head = t._("Questions without answers, last {days} days:").format(days=GAPS_DAYS)
    lines = [
        f"{count}× [{lang}] {escape(municipality or '-')}: {escape(query)}"
        for lang, municipality, query, count in rows
    ]
    # Anyone's questions end up here, so the list can be long: several messages.
    for part in split_html(escape(head) + "\n<pre>" + "\n".join(lines) + "</pre>"):
        await update.effective_message.reply_text(part)


@staff_only("coverage")
async def coverage_command(update: Update, context: Context) -> None:
    """/coverage: translation status per region and language (complete/outdated/missing)."""
    _, t = await current_user(update, context)
    head = t._("Translations: complete / outdated / missing")
    table = compact_coverage(context.bot_data.snapshot.content)
    await update.effective_message.reply_text(f"{escape(head)}\n<pre>{escape(table)}</pre>")


def compact_coverage(content, limit: int = 3500) -> str:
    """Per group one line per language, ``ar 16/0/0``; cut to fit one Telegram message."""
    from bot.editing.coverage import coverage

    lines = []
    for group in coverage(content).values():
        lines.append(f"{group.name} ({group.source_language}, {len(group.entry_ids)})")
        cells = []
        for lang in group.languages:
            counts = group.counts(lang)
            cells.append(f"{lang} {counts['complete']}/{counts['outdated']}/{counts['missing']}")
        lines += ["  " + " · ".join(cells[i : i + 4]) for i in range(0, len(cells), 4)]
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def add_handlers(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    for name, callback in (
        ("reload", reload_command),
        ("gaps", gaps_command),
        ("coverage", coverage_command),
    ):
        application.add_handler(CommandHandler(name, callback, filters=private))
