"""JSON Schemas of the content files, for completion and inline errors in editors.

The schemas come from the pydantic models (:mod:`bot.content.model`), so they
follow the model when it changes; on top of that they carry help texts for
editors (shown on hover), the 12 language codes (offered as completion) and the
text limits and formats that the model checks in code.

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

from babel import Locale

from bot.content import model
from bot.content.model import CategoryFile, Country, Entry, Region
from bot.i18n import LANGUAGES

DRAFT = "http://json-schema.org/draft-07/schema#"

#: Hover help for entry fields, in the words of content/README.md.
ENTRY_HELP: dict[str, str] = {
    "id": "Short name of the entry: a-z, 0-9 and '-', at most 40 characters. Same as the file "
    "name. Never reuse an old id.",
    "category": "One of the category ids in categories.yaml, e.g. services, language-courses, "
    "activities, counselling, health, education, housing, emergency.",
    "scope": "Who sees the entry: 'national' (files under countries/), 'region' (default), "
    "or a list of municipality ids from region.yaml, e.g. [remich, grevenmacher].",
    "example": "true = only illustrates the bot, not a real offer. Then no address, geo, "
    "phone, e-mail, website or opening hours, and no source is needed.",
    "title": "The name people see in lists, per language. At most 120 characters. Required "
    "in the default language (fr in Luxembourg, de in Germany).",
    "summary": "1 to 3 short sentences per language: what it is, for whom, what it costs. "
    "At most 600 characters.",
    "body": "Practical details per language: how to get there, what to bring. Several lines "
    "start with '|'. At most 2500 characters.",
    "keywords": "Words newcomers would type to find this entry, per language: [word, word].",
    "address": "Street, number, postcode and town on one line.",
    "geo": "Exact coordinates of the door: {lat: 49.681, lon: 6.441}. Leave out if unsure.",
    "phone": 'International form in quotes: "+352 45 45 45", or a short number: "112".',
    "email": "An e-mail address: info@example.lu",
    "website": "The full address in quotes, starting with https://",
    "opening_hours": 'OpenStreetMap format in quotes, e.g. "Mo-Fr 08:00-12:00,13:00-17:00". '
    "See content/README.md, section 8.",
    "cost": "free, paid, or reduced (a lower price is possible).",
    "languages": "Languages the staff speak, as codes: [fr, de, en].",
    "priority": "Order in lists: 1 comes first, then 2, …; entries without it follow. "
    "Give the emergency number (112) priority 1, the police 2.",
    "reviewed": "The day a person compared the entry with its source, YYYY-MM-DD. Only "
    "write a day on which you did. The card shows it as 'Last checked'.",
    "valid_until": "For offers that end: after this day (YYYY-MM-DD) the bot hides the entry.",
    "source": "Required unless example: true. The official web page the facts come from "
    "(https://…): the office's own site, guichet.lu, the commune's site.",
    "translated_from": "Written by the translation tools (newcomer-bot stamp, minor-edit, "
    "import-po). Do not edit by hand.",
    "source_hash": "Written by the translation tools. Do not edit by hand.",
}

REGION_HELP: dict[str, str] = {
    "id": "Same as the folder name under regions/.",
    "country": "A folder name under countries/, e.g. lu or de.",
    "name": "Name of the region per language; required in the default language.",
    "default_language": "Language every entry must have (fr in Luxembourg, de in Germany).",
    "timezone": "For 'open now': Europe/Luxembourg or Europe/Berlin.",
    "counselling": "Id of the general counselling entry offered when a search finds nothing.",
    "municipalities": "The communes of the region; at least one.",
    "fallbacks": "Per reader language, languages shown before English when a text is "
    "missing: {pt: [fr]}. Ukrainian never falls back to Russian.",
}

MUNICIPALITY_HELP: dict[str, str] = {
    "id": "a-z, 0-9 and '-'. Never change it once in use: users have chosen it.",
    "name": "Official name per language.",
    "aliases": "Other spellings people type: [Réimech, Reimech, Remisch].",
    "geo": "The town centre: {lat: 49.545, lon: 6.367}.",
    "radius_km": "A shared location this close to geo counts as in the municipality "
    "(default 5). Larger for big communes, smaller where the next town is close.",
    "boundary": "The commune's outline as a list of points [{lat: …, lon: …}, …] (at least "
    "3, from an official map). When given, it replaces radius_km.",
}

COUNTRY_HELP: dict[str, str] = {
    "id": "Same as the folder name under countries/.",
    "name": "Name of the country per language.",
    "default_language": "Language every national entry must have (fr for lu, de for de).",
}

CATEGORY_HELP: dict[str, str] = {
    "id": "Never change it once used: every entry points to a category.",
    "icon": "One emoji; please never a flag.",
    "name": "Name of the topic in all 12 languages.",
    "keywords": "Words people type, per language (4 to 10 each).",
}

_LANG_PATTERN = r"^[a-z]{2,3}$"
_HASH = "^[0-9a-f]{8}$"


def _language_names() -> dict[str, str]:
    return {lang: Locale.parse(lang).get_display_name("en") or lang for lang in LANGUAGES}


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


def _finish(schema: dict[str, Any], name: str, title: str, description: str) -> dict[str, Any]:
    """Draft-07 header, ``$defs`` → ``definitions``."""
    text = json.dumps(schema).replace('"#/$defs/', '"#/definitions/')
    body = json.loads(text)
    defs = body.pop("$defs", None)
    head = {"$schema": DRAFT, "$id": f"{name}.schema.json", "title": title}
    body["description"] = description
    result = {**head, **{k: v for k, v in body.items() if k != "title"}}
    if defs:
        result["definitions"] = defs
    return result


def _help(props: dict[str, Any], help_texts: dict[str, str]) -> None:
    for key, text in help_texts.items():
        if key in props:
            props[key]["description"] = text


def entry_schema() -> dict[str, Any]:
    """Schema of one entry file (``*/entries/<id>.yaml``)."""
    schema = Entry.model_json_schema()
    props = schema["properties"]
    _help(props, ENTRY_HELP)
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


def region_schema() -> dict[str, Any]:
    """Schema of ``regions/<id>/region.yaml``."""
    schema = Region.model_json_schema()
    _help(schema["properties"], REGION_HELP)
    _per_language(schema["properties"]["name"], "name")
    municipality = schema["$defs"]["Municipality"]
    _help(municipality["properties"], MUNICIPALITY_HELP)
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
    schema = Country.model_json_schema()
    _help(schema["properties"], COUNTRY_HELP)
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
    schema = CategoryFile.model_json_schema()
    category = schema["$defs"]["Category"]
    _help(category["properties"], CATEGORY_HELP)
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
    "region.schema.json": ["content/regions/*/region.yaml"],
    "country.schema.json": ["content/countries/*/country.yaml"],
    "categories.schema.json": ["content/categories.yaml"],
}


def write_schemas(out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write the four schema files into ``out_dir`` (created if needed); returns their paths.

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
