"""Messages for editors from pydantic's validation errors.

:func:`describe` turns one error of ``ValidationError.errors()`` into one line in
the house style: the key and the value as the editor wrote them, then after
`` — `` what to write instead (``content/README.md`` section 9 shows a few).
:func:`not_a_mapping` explains a file whose top level is not ``key: value``
lines. Pure functions: no I/O; :func:`describe` may raise on an error shape it
does not know, so its caller falls back to pydantic's own message.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
import typing
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from bot.content.load.lines import is_internal
from bot.content.load.problems import cut
from bot.content.model import BODY_MAX_CHARS, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS
from bot.i18n import LANGUAGES

if TYPE_CHECKING:
    from bot.content.load.doc import Doc

_TRANSLATED = {"title", "summary", "body", "name"}
_TEXT_LIMITS = {
    "title": (TITLE_MAX_CHARS, "a title"),
    "summary": (SUMMARY_MAX_CHARS, "a summary (1 to 3 short sentences)"),
    "body": (BODY_MAX_CHARS, "the body"),
}
_SLUG_FIELDS = {"id", "category", "country", "counselling", "scope"}
_LANG_LIST = ", ".join(LANGUAGES)

#: Names of languages (in English, German and French) and country codes editors
#: write instead of the language code.
_LANGUAGE_NAMES = {
    "en": "english englisch anglais eng gb uk-en",
    "de": "german deutsch allemand ger deu at ch",
    "fr": "french französisch franzoesisch francais français fra fre",
    "lb": "luxembourgish luxemburgisch luxembourgeois lëtzebuergesch letzebuergesch ltz lu",
    "pt": "portuguese portugiesisch portugais por br",
    "ar": "arabic arabisch arabe ara sy iq",
    "fa": "persian farsi dari persisch persan fas per prs ir af",
    "ps": "pashto paschtu pachto pus pbt",
    "uk": "ukrainian ukrainisch ukrainien ukr ua",
    "ru": "russian russisch russe rus",
    "tr": "turkish türkisch turkisch turc tur",
    "ti": "tigrinya tigrinisch tigrigna tir er",
}
_LANGUAGE_OF = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split()}

#: Words editors use for a key, and the key they mean.
_KEY_SYNONYMS = {
    "telephone": "phone",
    "tel": "phone",
    "phone_number": "phone",
    "mail": "email",
    "e_mail": "email",
    "url": "website",
    "web": "website",
    "homepage": "website",
    "site": "website",
    "hours": "opening_hours",
    "opening": "opening_hours",
    "description": "summary",
    "text": "body",
    "details": "body",
    "name": "title",
    "tags": "keywords",
    "price": "cost",
    "location": "geo",
    "coordinates": "geo",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "municipality": "scope",
    "communes": "municipalities",
    "date": "reviewed",
    "checked": "reviewed",
}

_MISSING_HINTS = {
    "id": "add the line 'id: {stem}' (the id is the file name without .yaml)",
    "category": "add e.g. 'category: services' (one of the ids in categories.yaml)",
    "title": "add 'title:' and below it one line per language, e.g. '  fr: Mairie de Remich'",
    "summary": (
        "add 'summary:' and below it 1 to 3 short sentences per language, e.g. "
        "'  fr: Le bureau aide les nouveaux arrivants.'"
    ),
    "name": "add 'name:' and below it one line per language, e.g. '  fr: Remich'",
    "geo": "add the coordinates of the town centre, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "lat": "write both, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "lon": "write both, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "default_language": "add e.g. 'default_language: fr'",
    "country": "add the id of a folder in countries/, e.g. 'country: lu'",
    "municipalities": "list at least one municipality (see content/README.md, section 6)",
    "categories": "start the file with 'categories:' and list the categories below it",
}


def show(value: Any, node: yaml.Node | None) -> str:
    """``value`` as the editor wrote it (``yes`` rather than True), for a message."""
    if isinstance(node, yaml.ScalarNode) and not isinstance(value, str):
        return cut(node.value) if node.value else "nothing"
    if isinstance(value, str):
        return f"'{cut(value)}'"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return cut(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "'key: value' lines"
    return f"a {type(value).__name__} value"


def _read_as(value: Any) -> str | None:
    """How YAML read an unquoted value the editor meant as text, or None if it is text."""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return None


def _slugify(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def _language_hint(code: Any) -> str:
    """What to write instead of the language code ``code``."""
    text = str(code).strip()
    if text.lower() in LANGUAGES:
        return f"write language codes in small letters: '{text.lower()}'"
    guess = _LANGUAGE_OF.get(text.lower()) or _LANGUAGE_OF.get(text.lower().split("-")[0])
    if guess:
        return f"write '{guess}'"
    return f"use one of the bot's language codes: {_LANG_LIST}"


def _date_hint(value: Any) -> str:
    """Why ``value`` is not a date and what to write instead."""
    example = "write the date as YYYY-MM-DD, e.g. 2026-11-20"
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = map(int, match.groups())
        if not 1 <= month <= 12:
            return f"'{text}' is not a real date (there is no month {month}) — {example}"
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if not 1 <= day <= days:
            month_name = calendar.month_name[month]
            return f"'{text}' is not a real date ({month_name} has {days} days) — {example}"
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if match:
        day, month, year = map(int, match.groups())
        with_dashes = f"{year:04d}-{month:02d}-{day:02d}"
        try:
            dt.date.fromisoformat(with_dashes)
            return f"'{text}' — write the date as YYYY-MM-DD: {with_dashes}"
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M} has a time — write only the date, e.g. {value:%Y-%m-%d}"
    return f"{show(value, None)} is not a date — {example}"


def model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The model class that holds the key at ``loc`` (``loc`` without that key)."""

    def inner(annotation: Any) -> type[BaseModel] | None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        for arg in typing.get_args(annotation):
            found = inner(arg)
            if found is not None:
                return found
        return None

    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or is_internal(part):
            continue
        field = current.model_fields.get(part) if current and isinstance(part, str) else None
        if field is None:
            return None
        current = inner(field.annotation)
    return current


def unknown_key_guess(key: Any, model: type[BaseModel] | None) -> str | None:
    """The key of ``model`` that the unknown ``key`` was probably meant to be."""
    fields = list(model.model_fields) if model else []
    normalised = str(key).strip().lower().replace("-", "_").replace(" ", "_")
    if normalised in fields:
        return normalised
    if _KEY_SYNONYMS.get(normalised) in fields:
        return _KEY_SYNONYMS[normalised]
    close = difflib.get_close_matches(normalised, fields, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key(key: Any, model: type[BaseModel] | None, top_level: bool) -> str:
    name = str(key)
    fields = list(model.model_fields) if model else []
    guess = unknown_key_guess(key, model)
    if guess is not None:
        return f"unknown key '{cut(name)}' — did you mean '{guess}'?"
    if top_level and name in LANGUAGES:
        return (
            f"unknown key '{name}' — a language line belongs under title:, summary: or body:, "
            "indented by 2 spaces; check the indentation of this line"
        )
    if 0 < len(fields) <= 8:
        return f"unknown key '{cut(name)}' — the keys here are: {', '.join(fields)}"
    return f"unknown key '{cut(name)}' — delete it, or check its spelling against content/README.md"


def _describe_scope(error: dict[str, Any], named: list[str], node: yaml.Node | None) -> str | None:
    kind, value = error["type"], error.get("input")
    example = "scope: [remich, dalheim]"
    if kind == "literal_error" and isinstance(value, list):
        return None  # the list branch of the union explains it
    if kind == "value_error":
        return f"scope: {error['msg'].removeprefix('Value error, ')}"
    if isinstance(value, str) and len(named) == 1:
        ids = [part for part in re.split(r"[\s,;]+", value) if part]
        as_list = f"scope: [{', '.join(ids)}]" if ids else example
        return (
            f"scope: '{cut(value)}' — to show the entry only in some municipalities write "
            f"their ids as a list in square brackets: {as_list}; for the whole region write "
            "'scope: region'"
        )
    if value is None and len(named) == 1:
        return (
            "scope is empty — write 'region', 'national' or a list of municipality ids, "
            f"e.g. {example}"
        )
    if len(named) == 1 and not isinstance(value, list):
        return (
            f"scope: {show(value, node)} — write 'region', 'national' or a list of "
            f"municipality ids, e.g. {example}"
        )
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        suggestion = _slugify(value)
        fix = f", e.g. '{suggestion}'" if suggestion and suggestion != value else ""
        return (
            f"scope: '{cut(value)}' is not a municipality id — use the ids from region.yaml "
            f"(small letters a-z, digits and '-'){fix}"
        )
    return (
        f"scope: {show(value, node)} is not a municipality id — write the ids from "
        f"region.yaml, e.g. {example}"
    )


def _empty_text(named: list[str]) -> str:
    """Message for an empty text, ``named`` ending with the field and the language."""
    return f"{named[-2]}: the '{named[-1]}' text is empty — write the text or delete the line"


def describe(
    error: dict[str, Any], model: type[BaseModel], doc: Doc, node: yaml.Node | None
) -> str | None:
    """One pydantic error as a message for editors (None: not worth reporting)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    is_key = bool(loc) and loc[-1] == "[key]"
    named = [cut(p, 30) for p in loc if not isinstance(p, int) and not is_internal(p)]
    if is_key and named:
        named = named[:-1]  # the last named part is the bad key itself
    field = named[-1] if named else ""
    where = ".".join(named)
    shown = show(value, node)
    msg = error["msg"].removeprefix("Value error, ")

    if named[:1] == ["scope"] and kind != "missing":
        return _describe_scope(error, named, node)
    if kind == "extra_forbidden":
        return _unknown_key(loc[-1], model_at(model, loc[:-1]), top_level=len(loc) == 1)
    if kind == "invalid_key":
        return f"'{cut(loc[-1])}' cannot be a key — a key is a word followed by ':', e.g. 'title:'"
    if kind == "missing":
        hint = _MISSING_HINTS.get(field, f"add '{field}: …' (see content/README.md)")
        hint = hint.replace("{stem}", doc.path.stem)
        parent = ".".join(named[:-1])
        return f"{parent + ': ' if parent else ''}{field} is missing — {hint}"
    if kind == "literal_error" and (is_key or field in {"default_language", "languages"}):
        what = f"{where}: " if where else ""
        return f"{what}'{cut(value)}' is not a language code — {_language_hint(value)}"
    if kind == "literal_error" and field == "cost":
        return f"cost: {shown} — write free, paid or reduced"
    if kind == "string_pattern_mismatch" and field in _SLUG_FIELDS:
        text = str(value)
        suggestion = _slugify(text)
        too_long = f" (it has {len(text)} characters)" if len(text) > 40 else ""
        fix = f", e.g. '{suggestion}'" if suggestion and suggestion != text else ""
        return (
            f"{where}: '{cut(text)}' is not a valid id{too_long} — use only small letters a-z, "
            f"digits and '-', at most 40 characters{fix}"
        )
    if kind == "string_too_short" and len(named) >= 2:
        return _empty_text(named)
    if kind == "string_too_long" and len(named) >= 2:
        limit = ctx.get("max_length")
        length = len(str(value).strip())
        noun = _TEXT_LIMITS.get(named[-2], (limit, "this text"))[1]
        return (
            f"{named[-2]}: the '{field}' text has {length} characters, but {noun} can have at "
            f"most {limit} to fit on a phone screen — shorten it by {length - limit} characters"
        )
    if kind == "string_type":
        if value is None:
            if len(named) >= 2 and named[-2] in _TRANSLATED:
                return _empty_text(named)
            return f"{where} is empty — write a value or delete the line"
        read_as = _read_as(value)
        if read_as:
            key = cut(loc[-1], 30) if isinstance(loc[-1], str) else None
            quoted = f'{key}: "{show(value, node)}"' if key else f'"{show(value, node)}"'
            return f"{where}: {show(value, node)} is read as {read_as} — put it in quotes: {quoted}"
        if isinstance(value, list) and isinstance(loc[-1], int):
            return f"{where}: a list inside the list — write one flat list, e.g. [museum, cinema]"
        if isinstance(value, list):
            return f"{where} is a list — write one text"
        if isinstance(value, dict):
            return (
                f"{where} has 'key: value' lines below it, but it must be one text — if the "
                "text contains ': ', put it in quotes"
            )
        return f"{where}: {shown} is not a text — write a text, in quotes if in doubt"
    if kind == "dict_type" and field in _TRANSLATED:
        if isinstance(value, list):
            return (
                f"{where} is a list — write one text per language, e.g. 'en: Town hall' on "
                f"the line below '{field}:', indented by 2 spaces"
            )
        if isinstance(value, str) and re.match(r"^[a-z]{2,3}:\S", value):
            return (
                f"{where}: {shown} — put a space after the ':' of the language code, e.g. "
                "'en: Town hall'"
            )
        if value is None:
            return (
                f"{where} is empty — write one text per language on the lines below it, "
                "e.g. '  en: Town hall'"
            )
        return (
            f"{where}: {shown} — say which language the text is in: write it on the line "
            f"below '{field}:', indented by 2 spaces, e.g. '  en: Town hall'"
        )
    if kind == "dict_type":
        if field == "keywords":
            return f"{where}: {shown} — write one list per language, e.g. 'en: [museum, cinema]'"
        return f"{where}: {shown} — write 'key: value' lines here (one per language)"
    if kind == "list_type":
        if value is None:
            hint = _MISSING_HINTS.get(field, "write a list in square brackets, e.g. [a, b]")
            return f"{where} is empty — {hint}"
        if isinstance(value, str):
            items = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]
            as_list = f"[{', '.join(cut(item, 30) for item in items[:6])}]"
            return f"{where}: {shown} is one text — write a list in square brackets: {as_list}"
        if len(named) >= 2 and named[-2] == "keywords":
            example = f"{field}: [museum, cinema]"
        else:
            example = {"languages": "[fr, de, en]", "aliases": "[Réimech, Remisch]"}.get(
                field, "[a, b]"
            )
        return f"{where}: {shown} — write a list in square brackets, e.g. {example}"
    if kind in {"model_type", "model_attributes_type"}:
        if field == "geo":
            return f"geo: {shown} — write the coordinates as {{lat: 49.545, lon: 6.367}}"
        return f"{where}: {shown} — write 'key: value' lines here (see content/README.md)"
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return f"{where}: {shown} is not a number — write digits with a dot, e.g. 49.545"
    if kind in {"greater_than_equal", "less_than_equal"} and field in {"lat", "lon"}:
        limit = 90 if field == "lat" else 180
        name = "latitude" if field == "lat" else "longitude"
        return (
            f"{where}: {shown} is not a {name} — a {name} is between -{limit} and {limit}; did "
            "you swap lat and lon? Copy both from a map, e.g. {lat: 49.545, lon: 6.367}"
        )
    if field in _NUMBER_HINTS and kind.startswith(("int_", "float_", "greater_", "less_")):
        return f"{where}: {shown} — {_NUMBER_HINTS[field]}"
    if kind == "too_short" and field == "boundary":
        return (
            f"{where}: too few points — a boundary needs at least 3 points "
            "[{lat: …, lon: …}, …] from an official map, or delete it to use radius_km"
        )
    if kind in {"bool_type", "bool_parsing"}:
        if field == "example":
            return (
                f"example: {shown} — write true (the entry only illustrates the bot) or false "
                "(a real entry)"
            )
        return f"{where}: {shown} — write true or false"
    if kind.startswith(("date_", "datetime_")):
        return f"{where}: {_date_hint(value)}"
    if kind == "too_short" and field == "municipalities":
        return f"municipalities: the list is empty — {_MISSING_HINTS['municipalities']}"
    if kind == "too_short":
        return f"{where}: the list is empty — add at least one item"
    if kind == "literal_error":
        return f"{where}: {shown} — write one of: {ctx.get('expected', '')}"
    if not where or msg.startswith(field):
        return msg
    if kind == "value_error" and msg.startswith(("is ", "the ")):
        return f"{where} {msg}" if msg.startswith("is ") else f"{where}: {msg}"
    return f"{where}: {msg}"


#: What to write for number fields with limits (entry ``priority``, municipality ``radius_km``).
_NUMBER_HINTS = {
    "priority": "write a whole number from 1 (first in lists) to 99, e.g. 'priority: 1'",
    "radius_km": "write the distance in km, more than 0 and at most 30, e.g. 'radius_km: 4'",
}


def not_a_mapping(doc: Doc, what: str, example: str) -> str:
    """Message for a file whose top level is not ``key: value`` lines."""
    data = doc.data
    if isinstance(data, list):
        return (
            f"the file holds a list (its first lines start with '- '), but {what} is a set of "
            f"'key: value' lines starting with '{example}' — remove the '- ' in front of the keys"
        )
    if isinstance(data, str):
        return (
            f"the file holds only the text '{cut(data)}', but {what} is a set of 'key: value' "
            f"lines starting with '{example}' — check that every key is followed by ': '"
        )
    return (
        f"the file holds only {show(data, None)} — {what} is a set of 'key: value' lines "
        f"starting with '{example}'"
    )
