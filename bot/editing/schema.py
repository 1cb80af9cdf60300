"""JSON Schemas of the content files, for completion and inline errors in editors.

The schemas come from the pydantic models (:mod:`bot.content.model`), so they
follow the model when it changes; the help texts editors see on hover are the
models' field docstrings (``use_attribute_docstrings``), written once, there. On
top of that they carry the language codes (offered as completion) and the text
limits and formats that the model checks in code.

They are written as JSON Schema draft-07, which every version of the YAML
extension for VS Code (yaml-language-server) understands. The schema is a help
while typing; ``newcomer-bot validate`` stays the authority (it also checks
things a schema cannot, such as unknown categories or municipalities).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.content import model
from bot.content.model import CategoryFile, Country, Entry, Region
from bot.events import model as event_model
from bot.events.model import Event
from bot.i18n import LANGUAGES, display_name

DRAFT = "http://json-schema.org/draft-07/schema#"

_LANG_PATTERN = r"^[a-z]{2,3}$"
_HASH = "^[0-9a-f]{8}$"


def _language_names() -> dict[str, str]:
    return {lang: display_name(lang, "en") for lang in LANGUAGES}


def _js_pattern(regex: re.Pattern[str]) -> str:
    # JSON Schema patterns have no flags: spell out case-insensitive letter ranges.
    pattern = regex.pattern
    if regex.flags & re.IGNORECASE:
        pattern = pattern.replace("a-z", "a-zA-Z")
    return pattern


def _per_language(schema: dict[str, Any], what: str, **extra: Any) -> None:
    """Make an object 'language code → value' offer the language codes on completion,
    each with its name on hover. Works on what pydantic emits for a dict keyed by
    language: ``propertyNames`` with the allowed codes, or a key pattern."""
    value = schema.pop("additionalProperties", None)
    patterns = schema.pop("patternProperties", {})
    if not isinstance(value, dict):
        value = next(iter(patterns.values()), {})
    value = {**value, **{k: v for k, v in extra.items() if k not in value}}
    allowed = schema.pop("propertyNames", {}).get("enum")
    names = _language_names()
    schema["properties"] = {
        lang: {**value, "description": f"{what} in {names.get(lang, lang)}"}
        for lang in (allowed or LANGUAGES)
    }
    if not allowed:  # any code of the right shape is accepted, misspelt keys are not
        schema["patternProperties"] = {next(iter(patterns), _LANG_PATTERN): value}
    schema["additionalProperties"] = False


def _string_branch(prop: dict[str, Any]) -> dict[str, Any]:
    for branch in prop.get("anyOf", [prop]):
        if branch.get("type") == "string":
            return branch
    return prop


#: Draft-07 keeps shared definitions under ``definitions`` (pydantic's default is ``$defs``).
REF_TEMPLATE = "#/definitions/{model}"


def _json_schema(model_class: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema; field descriptions are the model's field docstrings."""
    return model_class.model_json_schema(ref_template=REF_TEMPLATE)


def _finish(schema: dict[str, Any], name: str, title: str, description: str) -> dict[str, Any]:
    """Draft-07 header; pydantic's ``$defs`` key becomes ``definitions``."""
    body = dict(schema)
    defs = body.pop("$defs", None)
    head = {"$schema": DRAFT, "$id": f"{name}.schema.json", "title": title}
    body["description"] = description
    result = {**head, **{k: v for k, v in body.items() if k != "title"}}
    if defs:
        result["definitions"] = defs
    return result


def entry_schema() -> dict[str, Any]:
    """Schema of one entry file (``*/entries/<id>.yaml``)."""
    schema = _json_schema(Entry)
    props = schema["properties"]
    limits = {
        "title": model.TITLE_MAX_CHARS,
        "summary": model.SUMMARY_MAX_CHARS,
        "body": model.BODY_MAX_CHARS,
    }
    for field, limit in limits.items():
        _per_language(props[field], field, type="string", minLength=1, maxLength=limit)
    _per_language(props["keywords"], "keywords")
    _per_language(props["translated_from"], "hash of the source text translated", pattern=_HASH)
    _string_branch(props["source_hash"])["pattern"] = _HASH
    _string_branch(props["phone"])["pattern"] = _js_pattern(model._PHONE_RE)
    _string_branch(props["email"])["pattern"] = _js_pattern(model._EMAIL_RE)
    for key in ("website", "source"):
        _string_branch(props[key])["pattern"] = _js_pattern(model._URL_RE)
    items = props["languages"]["items"]
    if "enum" not in items:  # offer the bot's languages; the pattern keeps other codes valid
        items["anyOf"] = [{"enum": list(LANGUAGES)}, {"pattern": items.pop("pattern")}]
    return _finish(
        schema,
        "entry",
        "Newcomer bot entry",
        "One service, course, activity or contact: content/regions/<region>/entries/<id>.yaml "
        "or content/countries/<country>/entries/<id>.yaml. See content/README.md, section 7.",
    )


#: A day or a time on a day, exactly as the loader reads it (bot/events/model.py).
#: A pattern, not ``format: date-time``: that would underline the space in
#: "2026-12-05 14:00", and ``format: date`` would not accept a time.
WHEN: dict[str, Any] = {
    "type": "string",
    "pattern": event_model.WHEN_PATTERN,
    # yaml-language-server shows this instead of the pattern itself.
    "patternErrorMessage": (
        'Write a day as 2026-12-05 (the whole day) or a time as "2026-12-05 14:00" '
        "(year-month-day, then hour:minute, local time)."
    ),
}


def _day_or_time(schema: dict[str, Any]) -> None:
    """Replace pydantic's ``format: date`` / ``format: date-time`` alternatives of a
    day-or-time field (or list item) by :data:`WHEN`; ``null`` stays allowed."""
    branches = schema.pop("anyOf")
    others = [b for b in branches if b.get("format") not in ("date", "date-time")]
    if others:
        schema["anyOf"] = [dict(WHEN), *others]
    else:
        schema.update(WHEN)


def event_schema() -> dict[str, Any]:
    """Schema of one event file (``*/events/<id>.yaml``)."""
    schema = _json_schema(Event)
    props = schema["properties"]
    limits = {"title": model.TITLE_MAX_CHARS, "summary": model.SUMMARY_MAX_CHARS}
    for field, limit in limits.items():
        _per_language(props[field], field, type="string", minLength=1, maxLength=limit)
    _per_language(props["keywords"], "keywords")
    for key in ("start", "end"):
        _day_or_time(props[key])
    for key in ("exdates", "rdates"):
        _day_or_time(props[key]["items"])
    _string_branch(props["source"])["pattern"] = _js_pattern(model._URL_RE)
    registration = schema["$defs"]["Registration"]["properties"]
    _day_or_time(registration["deadline"])
    _string_branch(registration["link"])["pattern"] = _js_pattern(model._URL_RE)
    return _finish(
        schema,
        "event",
        "Newcomer bot event",
        "One event or dated offer, once or repeating: content/regions/<region>/events/<id>.yaml "
        "or content/countries/<country>/events/<id>.yaml. See content/README.md, section 16.",
    )


def region_schema() -> dict[str, Any]:
    """Schema of ``regions/<id>/region.yaml``."""
    schema = _json_schema(Region)
    _per_language(schema["properties"]["name"], "name")
    municipality = schema["$defs"]["Municipality"]
    _per_language(municipality["properties"]["name"], "name")
    return _finish(
        schema,
        "region",
        "Newcomer bot region",
        "A region and its municipalities: content/regions/<id>/region.yaml. "
        "See content/README.md, section 6.",
    )


def country_schema() -> dict[str, Any]:
    """Schema of ``countries/<id>/country.yaml``."""
    schema = _json_schema(Country)
    _per_language(schema["properties"]["name"], "name")
    return _finish(
        schema,
        "country",
        "Newcomer bot country",
        "A country whose national entries every region in it sees: "
        "content/countries/<id>/country.yaml. See content/README.md, section 5.",
    )


def categories_schema() -> dict[str, Any]:
    """Schema of ``categories.yaml``."""
    schema = _json_schema(CategoryFile)
    category = schema["$defs"]["Category"]
    _per_language(category["properties"]["name"], "name")
    _per_language(category["properties"]["keywords"], "keywords")
    schema["properties"]["categories"]["description"] = "The topics of the main menu, in order."
    return _finish(
        schema,
        "categories",
        "Newcomer bot categories",
        "The topics of the main menu: content/categories.yaml. See content/README.md, section 4.",
    )


#: File name → function building the schema.
SCHEMAS = {
    "entry.schema.json": entry_schema,
    "event.schema.json": event_schema,
    "region.schema.json": region_schema,
    "country.schema.json": country_schema,
    "categories.schema.json": categories_schema,
}

#: Which content files each schema is for (globs relative to the repository).
FILE_PATTERNS: dict[str, list[str]] = {
    "entry.schema.json": [
        "content/regions/*/entries/*.yaml",
        "content/countries/*/entries/*.yaml",
    ],
    "event.schema.json": [
        "content/regions/*/events/*.yaml",
        "content/countries/*/events/*.yaml",
    ],
    "region.schema.json": ["content/regions/*/region.yaml"],
    "country.schema.json": ["content/countries/*/country.yaml"],
    "categories.schema.json": ["content/categories.yaml"],
}


def write_schemas(out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the schema files (:data:`SCHEMAS`) into ``out_dir`` (created if needed); returns their paths.

    The output is stable (same model → same bytes) and a file is only rewritten
    when its text changes, so regenerating without a model change touches nothing.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in SCHEMAS.items():
        path = out / name
        text = json.dumps(build(), indent=2, ensure_ascii=False) + "\n"
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        written.append(path)
    return written
