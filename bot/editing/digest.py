"""The weekly digest for editors: what in a region needs attention.

Every editor and admin in the staff file (editors with ``regions`` listed: only
those regions) gets one message per region, on the day and hour the region sets
(``digest: {day: monday, hour: 9}`` in region.yaml, the default), in their
language. It lists, for the region's entries (national entries go with the
first region of their country, by id):

- entries reported wrong in the last 7 days, with counts per kind and comments;
- the most frequent questions without answers of the last 7 days;
- entries not checked (``reviewed``) for more than :data:`REVIEW_MONTHS` months;
- entries whose ``valid_until`` ends within :data:`EXPIRING_DAYS` days;
- broken links, as ``newcomer-bot check-links`` last found them;
- languages with more outdated translations than at the region's last digest
  (the source text changed since they were made).

Only what needs attention: when nothing does, nothing is sent.

Delivery: a JobQueue job checks every :data:`CHECK_SECONDS` whether a region's
digest is due; the week it went out is recorded in the database
(``digest_sent``), so a restart neither repeats nor loses it: a digest missed
while the bot was down goes out when it is back, within the same week. It is not
sent through the announcements' outbox: an outbox row belongs to an
announcement (foreign key; per-language texts in ``announcement_texts``; listed by
/news and /announcements), and the delivery worker skips recipients who are not
subscribed in the announcement's municipalities, which editors need not be.
Sending it that way needs an outbox for messages of other kinds (a change to
:mod:`bot.storage.outbox` and :mod:`bot.delivery.worker`). A handful of editors
per region do not need the outbox's rate limiting; a failed send is logged and
not retried that week.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date
from telegram.error import TelegramError

from bot.content.model import WEEKDAYS, Region
from bot.content.store import Content
from bot.editing.freshness import StaleEntry, stale
from bot.editing.links import Link, LinkCache, LinkResult, cached_broken
from bot.i18n import Translator, translator
from bot.storage import Storage
from bot.storage.feedback import EntryFeedback, FeedbackStore
from bot.views.common import localized
from bot.views.feedback import feedback_lines
from bot.views.html import split_html

log = logging.getLogger(__name__)

CHECK_SECONDS = 15 * 60
REVIEW_MONTHS = 12
EXPIRING_DAYS = 14
DIGEST_DAYS = 7
MAX_QUESTIONS = 10
MAX_LISTED = 15


@dataclasses.dataclass(frozen=True)
class Digest:
    region: Region
    wrong: list[EntryFeedback]
    questions: list[tuple[str, str | None, str, int]]
    stale: list[StaleEntry]
    expiring: list[tuple[dt.date, str]]
    broken: list[tuple[Link, LinkResult]]
    #: language → (outdated translations at the last digest, now), where now is more
    outdated: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (
            self.wrong
            or self.questions
            or self.stale
            or self.expiring
            or self.broken
            or self.outdated
        )


def outdated_counts(content: Content, region_id: str) -> dict[str, int]:
    """Outdated translations per language among the region's own entries."""
    from bot.editing.coverage import coverage

    group = coverage(content).get(region_id)
    if group is None:
        return {}
    return {lang: group.counts(lang)["outdated"] for lang in group.languages}


def more_outdated(before: dict[str, int] | None, now: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Languages with more outdated translations than ``before`` (nothing without it)."""
    if before is None:
        return {}
    return {
        lang: (before.get(lang, 0), count)
        for lang, count in sorted(now.items())
        if count > before.get(lang, 0)
    }


def region_entries(content: Content, region_id: str) -> set[str]:
    """The region's entries, plus its country's national entries if it is the first
    region of that country (by id), so each national entry is in one digest."""
    region = content.regions[region_id]
    first = min(r.id for r in content.regions.values() if r.country == region.country)
    return {
        entry_id
        for entry_id in content.entries
        if content.entry_region.get(entry_id) == region_id
        or (
            region_id == first
            and content.entry_region.get(entry_id) is None
            and content.entry_country.get(entry_id) == region.country
        )
    }


async def build_digest(
    content: Content,
    region_id: str,
    storage: Storage,
    store: FeedbackStore,
    today: dt.date,
    links: LinkCache | None = None,
    root: str | Path | None = None,
    outdated: dict[str, tuple[int, int]] | None = None,
) -> Digest:
    region = content.regions[region_id]
    ids = region_entries(content, region_id)
    report = await store.report(today - dt.timedelta(days=DIGEST_DAYS - 1))
    wrong = [f for f in report if f.entry_id in ids and (f.wrong or f.comments)]
    municipalities = {m.id for m in region.municipalities}
    questions = [
        row for row in await storage.gaps(DIGEST_DAYS, limit=500) if row[1] in municipalities
    ][:MAX_QUESTIONS]
    old = [s for s in stale(content, REVIEW_MONTHS, today) if s.entry_id in ids]
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    expiring = sorted(
        (content.entries[e].valid_until, e)
        for e in ids
        if content.entries[e].valid_until is not None
        and today <= content.entries[e].valid_until <= soon
    )
    broken = []
    if links is not None:
        found = cached_broken(content, links, root)
        broken = [(link, r) for link, r in found if link.entry_id in ids]
    return Digest(region, wrong, questions, old, expiring, broken, outdated or {})


def _title(content: Content, entry_id: str, t: Translator) -> str:
    entry = content.entries.get(entry_id)
    if entry is None:
        return escape(entry_id)
    title, _ = localized(entry.title, t, content.default_language(entry_id))
    return f"{escape(t.auto(title))} ({escape(entry_id)})"


def _more(lines: list[str], count: int, t: Translator) -> list[str]:
    if count > MAX_LISTED:
        lines = lines[:MAX_LISTED]
        lines.append(escape(t._("… and {count} more.").format(count=count - MAX_LISTED)))
    return lines


def render_digest(content: Content, digest: Digest, t: Translator) -> str:
    """The digest as Telegram HTML (may be longer than one message: see split_html)."""
    name, _ = localized(digest.region.name, t, digest.region.default_language)
    parts = [
        "📋 <b>" + escape(t._("Weekly digest for {region}").format(region=t.auto(name))) + "</b>"
    ]
    if digest.wrong:
        parts.append("\n<b>" + escape(t._("Reported as wrong:")) + "</b>")
        parts += _more(feedback_lines(content, digest.wrong, t), len(digest.wrong) * 2, t)
    if digest.questions:
        parts.append("\n<b>" + escape(t._("Questions without answers:")) + "</b>")
        parts += [
            f"{count}× [{escape(lang)}] {escape(place or '-')}: {escape(query)}"
            for lang, place, query, count in digest.questions
        ]
    if digest.stale:
        head = t._("Not checked for more than {months} months:").format(months=REVIEW_MONTHS)
        parts.append("\n<b>" + escape(head) + "</b>")
        lines = []
        for item in digest.stale:
            when = format_date(item.reviewed, "short", locale=t.locale) if item.reviewed else "—"
            lines.append(f"• {_title(content, item.entry_id, t)} — {escape(when)}")
        parts += _more(lines, len(lines), t)
    if digest.expiring:
        parts.append("\n<b>" + escape(t._("Ending soon (valid_until):")) + "</b>")
        parts += [
            f"• {_title(content, entry_id, t)} — "
            + escape(format_date(day, "medium", locale=t.locale))
            for day, entry_id in digest.expiring
        ]
    if digest.broken:
        parts.append("\n<b>" + escape(t._("Broken links:")) + "</b>")
        lines = [
            f"• {_title(content, link.entry_id, t)}: {t.ltr(escape(link.url))} — "
            f"{escape(result.detail)}"
            for link, result in digest.broken
        ]
        parts += _more(lines, len(lines), t)
    if digest.outdated:
        parts.append("\n<b>" + escape(t._("More outdated translations than last week:")) + "</b>")
        parts += [
            f"• {escape(lang)}: {before} → {now}" for lang, (before, now) in digest.outdated.items()
        ]
    return t.paragraph("\n".join(parts))


# -- when ----------------------------------------------------------------------------------


def week_key(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due(region: Region, local_now: dt.datetime) -> bool:
    """True from the region's digest time on, until the week ends (Monday 00:00)."""
    schedule = region.digest
    monday = local_now.date() - dt.timedelta(days=local_now.weekday())
    at = dt.datetime.combine(
        monday + dt.timedelta(days=WEEKDAYS.index(schedule.day)), dt.time(schedule.hour)
    )
    return local_now >= at


def recipients(staff, region_id: str) -> list[int]:
    """Editors and admins for this region: admins and editors without ``regions`` get
    every region, editors with ``regions`` only theirs."""
    found = []
    for user_id in staff.ids_with("feedback"):
        member = staff.member(user_id)
        if member.role == "editor" and member.regions and region_id not in member.regions:
            continue
        found.append(user_id)
    return found


async def send_due_digests(application, now: dt.datetime | None = None) -> dict[str, int]:
    """Send every region's digest that is due and was not sent this week.

    Returns region id → messages sent (0 when there was nothing to say)."""
    from bot.feedback import service_of

    data = application.bot_data
    content = data.snapshot.content
    now = now or data.clock()
    store = service_of(data).store
    settings = data.settings
    links = LinkCache.load(Path(settings.database).parent / "link-check.json")
    sent: dict[str, int] = {}
    for region_id in sorted(content.regions):
        region = content.regions[region_id]
        local = now.astimezone(ZoneInfo(region.timezone)).replace(tzinfo=None)
        week = week_key(local.date())
        if not due(region, local) or await store.digest_sent(region_id, week):
            continue
        coverage_now = outdated_counts(content, region_id)
        outdated = more_outdated(await store.last_coverage(region_id), coverage_now)
        digest = await build_digest(
            content,
            region_id,
            data.storage,
            store,
            local.date(),
            links,
            settings.content_dir,
            outdated,
        )
        count = 0
        if not digest.is_empty():
            for user_id in recipients(data.staff, region_id):
                user = await data.storage.get_user(user_id)
                t = translator(user.language if user else None)
                try:
                    for part in split_html(render_digest(content, digest, t)):
                        await application.bot.send_message(user_id, part)
                        count += 1
                except TelegramError as exc:
                    log.info("digest not delivered to %s: %s", user_id, type(exc).__name__)
        await store.save_coverage(region_id, coverage_now)
        await store.mark_digest_sent(region_id, week, now.timestamp())
        sent[region_id] = count
        log.info("weekly digest %s %s: %d message(s)", region_id, week, count)
    return sent


async def digest_job(context) -> None:
    """JobQueue job: see :func:`send_due_digests`."""
    await send_due_digests(context.application)
