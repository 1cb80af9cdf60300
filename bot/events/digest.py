"""The weekly digest: on Monday morning, subscribers get what is on in their
municipality this week, through the durable outbox of announcements
(:mod:`bot.delivery.worker`: rate limits, retries, restarts, blocked users).

:func:`queue_digests` runs every hour (a job in :mod:`bot.app`). For each
municipality whose local time is Monday after :data:`DIGEST_HOUR` it writes, once
per ISO week, an announcement with the week's list in each of its subscribers'
languages (plus the region's), targeted at that municipality only, authored by
the bot itself (author id 0). The audit log records each (municipality, week)
first, so a crash can lose one digest but never send one twice. Municipalities
without subscribers or without events this week get nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from bot.content.store import Content, Place
from bot.events.select import this_week, zone_of_place
from bot.i18n import translator

log = logging.getLogger(__name__)

#: Local hour on Monday from which the week's digest goes out.
DIGEST_HOUR = 8
#: The audit log's action for a queued digest (subject: digest:<municipality>:<week>).
DIGEST_ACTION = "events-digest"
#: Author id of announcements the bot writes itself.
BOT_AUTHOR = 0
#: Room left for the header the delivery adds (place name, translation note).
MAX_DIGEST_CHARS = 3600


def digest_subject(place: Place, now: dt.datetime) -> str | None:
    """``digest:<municipality>:<year>-W<week>`` when a digest is due (Monday, from
    :data:`DIGEST_HOUR`, local time), else None."""
    local = now.astimezone(zone_of_place(place))
    if local.weekday() != 0 or local.hour < DIGEST_HOUR:
        return None
    year, week, _ = local.date().isocalendar()
    return f"digest:{place.municipality.id}:{year}-W{week:02d}"


def digest_texts(
    content: Content, place: Place, now: dt.datetime, languages: set[str], examples: bool = True
) -> dict[str, str]:
    """The week's list per language (Telegram HTML); empty when nothing is on."""
    from bot.views.events import this_week_view
    from bot.views.html import shorten_html

    if not this_week(content, place, now, examples=examples):
        return {}
    texts = {}
    for lang in sorted(languages):
        t = translator(lang)
        texts[t.lang] = shorten_html(
            this_week_view(content, place, t, now, examples=examples).text, MAX_DIGEST_CHARS
        )
    return texts


async def _already_queued(storage, subject: str) -> bool:
    async with storage.db.execute(
        "SELECT 1 FROM audit_log WHERE action = ? AND subject = ? LIMIT 1", (DIGEST_ACTION, subject)
    ) as cur:
        return await cur.fetchone() is not None


async def queue_digests(storage, content: Content, now: dt.datetime, examples: bool = True) -> int:
    """Queue the digests due at ``now``; returns how many announcements were written."""
    queued = 0
    for place in content.places.values():
        subject = digest_subject(place, now)
        if subject is None or await _already_queued(storage, subject):
            continue
        subscribers = await storage.subscribers([place.municipality.id])
        if not subscribers:
            continue
        default = place.region.default_language
        languages = {lang or default for _, lang in subscribers} | {default}
        texts = digest_texts(content, place, now, languages, examples)
        await storage.audit(BOT_AUTHOR, DIGEST_ACTION, subject, str(len(subscribers)))
        if not texts:
            continue
        moment = now.timestamp()
        await storage.create_announcement(
            author_id=BOT_AUTHOR,
            region=place.region.id,
            default_language=default,
            targets=[place.municipality.id],
            texts=texts,
            send_at=moment,
            now=moment,
        )
        queued += 1
    if queued:
        log.info("queued %d weekly event digest(s)", queued)
    return queued


async def digest_job(context) -> None:
    """The hourly job: queue what is due and wake the delivery worker."""
    data = context.bot_data
    try:
        examples = getattr(getattr(data, "settings", None), "show_examples", True)
        if await queue_digests(data.storage, data.snapshot.content, data.clock(), examples):
            data.delivery.wake()
    except Exception:
        log.exception("weekly event digest not queued")
