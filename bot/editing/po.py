"""Gettext PO export and import of entry texts, for translators using Weblate or Poedit.

Export: one message per entry field (title, summary, body) that needs work in a
language: ``msgctxt`` is ``<entry-id>:<field>``, ``msgid`` the source-language
text, ``msgstr`` the existing translation if there is one (flagged fuzzy: it was
made from an older source text). An automatic comment records the source
language and the hash of the source text at export time::

    #. source: fr, hash 1a2b3c4d
    #. file: content/regions/miselerland/entries/misel-oscr.yaml
    msgctxt "misel-oscr:title"
    msgid "Office social commun de Remich"
    msgstr ""

Import writes every translated, non-fuzzy ``msgstr`` into the entry file and
records ``translated_from[lang]`` with the hash *from the export*: if the source
changed while the translator worked, the translation correctly stays outdated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from typing import BinaryIO

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po

from bot.content.load import ContentInvalid, load_content
from bot.content.model import BODY_MAX_CHARS, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS
from bot.content.store import Content
from bot.editing.coverage import (
    COMPLETE,
    FIELDS,
    SOURCE,
    RoundTripFile,
    UsageError,
    entry_path,
    group_of,
    put,
    set_hashes,
    status,
    text_scalar,
)
from bot.i18n import LANGUAGES, babel_locale, display_name

_SOURCE_RE = re.compile(r"^source: ([a-z]{2,3}), hash ([0-9a-f]{8})$")
_LIMITS = {"title": TITLE_MAX_CHARS, "summary": SUMMARY_MAX_CHARS, "body": BODY_MAX_CHARS}
_HINTS = {
    "title": "short name",
    "summary": "1 to 3 short sentences",
    "body": "keep the line breaks",
}


def _check_language(lang: str) -> Locale:
    if lang not in LANGUAGES:
        raise UsageError(f"{lang!r} is not one of the bot's languages: {', '.join(LANGUAGES)}")
    try:
        return babel_locale(lang)
    except (UnknownLocaleError, ValueError):
        raise UsageError(f"unknown language code {lang!r}") from None


def _in_group(content: Content, entry_id: str, region: str) -> bool:
    # A country id selects that country's national entries; a region id its entries.
    if content.entry_region.get(entry_id) == region:
        return True
    return (
        content.entry_region.get(entry_id) is None and content.entry_country.get(entry_id) == region
    )


def export_po(
    content: Content, lang: str, region: str | None = None, today: dt.date | None = None
) -> Catalog:
    """Catalog of every title, summary and body that is missing or outdated in ``lang``.

    ``region``: a region id (its entries) or a country id (its national entries);
    default everything. ``today``: if given, entries past ``valid_until`` are left
    out (the bot hides them; nobody should translate them). The catalog's locale is
    ``lang``, with Babel's plural rules. Raises :class:`UsageError` for an unknown
    language or region. Write it with ``babel.messages.pofile.write_po``.
    """
    locale = _check_language(lang)
    if region is not None and region not in content.regions and region not in content.countries:
        known = ", ".join(sorted({*content.regions, *content.countries}))
        raise UsageError(f"unknown region or country {region!r} — use one of: {known}")
    catalog = Catalog(
        locale=locale,
        project="newcomer-bot content",
        header_comment=(
            f"# Texts of the newcomer bot's entries to translate into "
            f"{display_name(lang, 'en')} ({lang}).\n"
            "# Made by `newcomer-bot export-po`; bring it back with `newcomer-bot import-po`.\n"
            "# Translate msgstr only. Keep msgctxt and the #. comments as they are.\n"
            "# A fuzzy translation is an old one whose source text changed: check it,\n"
            "# then remove the fuzzy mark. Fuzzy and empty translations are not imported."
        ),
        fuzzy=False,
    )
    ids = sorted(content.entries, key=lambda i: (group_of(content, i).endswith("(national)"), i))
    for entry_id in ids:
        if region is not None and not _in_group(content, entry_id, region):
            continue
        entry = content.entries[entry_id]
        if today is not None and not entry.is_visible(today):
            continue
        state = status(content, entry_id, lang)
        if state == SOURCE:
            continue
        source = content.default_language(entry_id)
        source_hash = entry.text_hash(source)
        for field in FIELDS:
            texts = getattr(entry, field)
            if source not in texts:
                continue
            existing = texts.get(lang)
            # Per field: a present text of a complete translation needs no work.
            if existing is not None and state == COMPLETE:
                continue
            message = Message(
                texts[source],
                existing or "",
                auto_comments=[
                    f"source: {source}, hash {source_hash}",
                    f"file: {content.entry_files[entry_id]}",
                    f"{field}: {_HINTS[field]}; at most {_LIMITS[field]} characters",
                ],
                flags=("fuzzy",) if existing else (),
                context=f"{entry_id}:{field}",
            )
            # Babel guesses "python-format" from any "%" ("50 % off"); these are
            # plain texts, and the flag would make Weblate/Poedit report false errors.
            message.flags.discard("python-format")
            catalog[message.id] = message  # keyed by (msgid, msgctxt)
    return catalog


@dataclasses.dataclass
class ImportReport:
    """What :func:`import_po` did.

    ``written``: entry id → fields whose text was written; ``stamped``: entry id →
    hash recorded in ``translated_from``; ``still_outdated``: entries stamped with
    a hash their source no longer has (the source changed after the export);
    ``partial``: entries not stamped because some of their messages are untranslated
    or fuzzy; ``untranslated`` / ``fuzzy``: messages skipped; ``problems``: things
    the translator or editor must look at (unknown ids, texts the check refused).
    """

    lang: str = ""
    written: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    stamped: dict[str, str] = dataclasses.field(default_factory=dict)
    still_outdated: list[str] = dataclasses.field(default_factory=list)
    partial: list[str] = dataclasses.field(default_factory=list)
    untranslated: int = 0
    fuzzy: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing needs attention."""
        return not self.problems


@dataclasses.dataclass
class _Accepted:
    field: str
    text: str


def _read_catalog(po_file: str | os.PathLike[str] | BinaryIO) -> Catalog:
    try:
        if isinstance(po_file, str | os.PathLike):
            with open(po_file, "rb") as fh:
                return read_po(fh, abort_invalid=True)
        return read_po(po_file, abort_invalid=True)
    except FileNotFoundError:
        raise UsageError(f"no such file: {po_file}") from None
    except (PoFileError, ValueError, UnicodeDecodeError, OSError) as exc:
        raise UsageError(f"{po_file}: not a readable PO file ({exc})") from None


def _export_hash(message: Message) -> tuple[str, str] | None:
    for comment in message.auto_comments:
        match = _SOURCE_RE.match(comment.strip())
        if match:
            return match.group(1), match.group(2)
    return None


def import_po(
    content_dir: str | os.PathLike[str], po_file: str | os.PathLike[str] | BinaryIO
) -> ImportReport:
    """Write the translations of a PO file (from :func:`export_po`) into the entries.

    The language is the catalog's ``Language`` header. Every non-empty, non-fuzzy
    ``msgstr`` is written to ``<field>[lang]`` of its entry (comments and key order
    kept; a new language goes at the end of the field; several lines as a ``|``
    block). An entry whose messages were all translated gets
    ``translated_from[lang]`` = the source hash recorded at export.

    Afterwards the content is checked; an entry file the check refuses is put back
    as it was and its problems reported. Raises ``ContentInvalid`` if the content
    is invalid before the import, :class:`UsageError` for an unreadable file or a
    catalog without a language.
    """
    catalog = _read_catalog(po_file)
    if catalog.locale is None:
        raise UsageError(f"{po_file}: the PO file has no Language header — which language is it?")
    lang = catalog.locale.language
    _check_language(lang)
    content = load_content(content_dir)
    report = ImportReport(lang=lang)

    accepted: dict[str, list[_Accepted]] = {}
    hashes: dict[str, set[str]] = {}
    incomplete: set[str] = set()
    for message in catalog:
        if not message.id:
            continue  # the header
        where = f"msgctxt {message.context!r}"
        if isinstance(message.id, list | tuple):
            report.problems.append(f"{where}: plural messages are not entry texts — ignored")
            continue
        entry_id, _, field = (message.context or "").partition(":")
        if entry_id not in content.entries:
            report.problems.append(f"{where}: no entry with id {entry_id!r} — ignored")
            continue
        if field not in FIELDS:
            report.problems.append(
                f"{where}: {field!r} is not a translatable field (title, summary, body) — ignored"
            )
            continue
        entry = content.entries[entry_id]
        source = content.default_language(entry_id)
        if lang == source:
            report.problems.append(
                f"{where}: {lang} is the source language of {entry_id}; a PO file never "
                "changes the source text — ignored"
            )
            continue
        if source not in getattr(entry, field):
            report.problems.append(
                f"{where}: {entry_id} has no {field} in {source} any more — ignored"
            )
            continue
        text = (message.string or "").replace("\r\n", "\n").strip()
        if not text:
            report.untranslated += 1
            incomplete.add(entry_id)
            continue
        if message.fuzzy:
            report.fuzzy += 1
            incomplete.add(entry_id)
            continue
        accepted.setdefault(entry_id, []).append(_Accepted(field, text))
        recorded = _export_hash(message)
        hashes.setdefault(entry_id, set()).add(
            recorded[1] if recorded and recorded[0] == source else ""
        )

    docs: dict[str, RoundTripFile] = {}
    for entry_id, items in accepted.items():
        entry = content.entries[entry_id]
        source = content.default_language(entry_id)
        doc = RoundTripFile(entry_path(content_dir, content, entry_id))
        fields = []
        for item in items:
            if getattr(entry, item.field).get(lang) != item.text:
                put(doc.data[item.field], lang, text_scalar(item.text))
                fields.append(item.field)
        recorded = hashes[entry_id]
        if entry_id in incomplete:
            report.partial.append(entry_id)
        elif len(recorded) != 1 or "" in recorded:
            report.problems.append(
                f"{entry_id}: the PO file does not record which source text it was made from "
                f"(no '#. source: {source}, hash …' comment) — texts imported, but check them "
                f"and run `newcomer-bot stamp --entry {entry_id} --lang {lang}`"
            )
        else:
            export_hash = next(iter(recorded))
            current = entry.text_hash(source)
            # source_hash moves only when the translation matches the current source:
            # otherwise a later `minor-edit` would hide the change made after export.
            set_hashes(doc.data, {lang: export_hash}, current if export_hash == current else None)
            report.stamped[entry_id] = export_hash
            if export_hash != current:
                report.still_outdated.append(entry_id)
        if doc.save():
            docs[entry_id] = doc
        if fields:
            report.written[entry_id] = fields

    _check_after_import(content_dir, content, docs, report)
    report.partial.sort()
    report.still_outdated.sort()
    return report


def _check_after_import(
    content_dir: str | os.PathLike[str],
    content: Content,
    docs: dict[str, RoundTripFile],
    report: ImportReport,
) -> None:
    """Reload the content; put back every written file the check complains about."""
    if not docs:
        return
    try:
        load_content(content_dir)
        return
    except ContentInvalid as exc:
        problems = exc.problems
    by_file = {content.entry_files[entry_id]: entry_id for entry_id in docs}
    bad = {by_file[p.file] for p in problems if p.file in by_file}
    for entry_id in sorted(bad):
        docs[entry_id].restore()
        report.written.pop(entry_id, None)
        report.stamped.pop(entry_id, None)
        if entry_id in report.still_outdated:
            report.still_outdated.remove(entry_id)
        for problem in problems:
            if problem.file == content.entry_files[entry_id]:
                report.problems.append(f"{entry_id}: not imported — {problem.message}")
    try:
        load_content(content_dir)
    except ContentInvalid as exc:
        # Not caused by one entry alone: put everything back, leave the content as it was.
        for entry_id, doc in docs.items():
            if entry_id not in bad:
                doc.restore()
        report.written.clear()
        report.stamped.clear()
        report.still_outdated.clear()
        report.problems.extend(f"not imported — {p}" for p in exc.problems)
