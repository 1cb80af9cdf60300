"""The JSON Schemas editors use in VS Code: they match the model, accept the demo
content and catch the mistakes editors make."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.model import Category, CategoryFile, Country, Entry, Municipality, Region
from bot.editing.schema import FILE_PATTERNS, SCHEMAS, write_schemas
from bot.events.model import WHEN_PATTERN, Event, EventPlace, Registration, _when
from tests.test_coverage import DEMO, run_cli

SHIPPED = Path(__file__).resolve().parent.parent / "content"  # what ships
COMMITTED = SHIPPED / "schema"


def check(schema: dict[str, Any], value: Any, root: dict[str, Any], path: str = "") -> list[str]:
    """Errors of ``value`` against the draft-07 keywords our schemas use.

    ``jsonschema`` is not installed here; this covers exactly what the generated
    schemas contain, and fails loudly on anything else so it cannot pass silently.
    """
    known = {
        "$schema", "$id", "title", "description", "default", "$ref", "type", "properties",
        "required", "additionalProperties", "patternProperties", "pattern", "enum", "anyOf",
        "items", "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems",
        "minProperties", "format", "definitions", "propertyNames", "patternErrorMessage",
    }  # fmt: skip
    unknown = set(schema) - known
    assert not unknown, f"the test validator does not know {unknown} at {path}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        return check(root["definitions"][name], value, root, path)
    errors: list[str] = []
    alternatives = [check(b, value, root, path) for b in schema.get("anyOf", [])]
    if alternatives and all(alternatives):
        errors.append(f"{path}: matches no alternative")
        # Like yaml-language-server: what is wrong in the alternatives of the value's type.
        errors += [e for found in alternatives for e in found if ": expected " not in e]
    kind = schema.get("type")
    if isinstance(value, dt.date):  # YAML 1.2 (the editor's) reads dates as text
        value = value.isoformat()
    types = {
        "string": str, "object": dict, "array": list, "boolean": bool, "null": type(None),
        "number": (int, float), "integer": int,
    }  # fmt: skip
    if kind and (
        not isinstance(value, types[kind]) or (kind == "number" and isinstance(value, bool))
    ):
        return [*errors, f"{path}: expected {kind}, found {value!r}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            # yaml-language-server shows patternErrorMessage instead of the pattern
            said = schema.get("patternErrorMessage", f"does not match {schema['pattern']}")
            errors.append(f"{path}: {value!r} {said}")
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{path}: too short")
        if len(value) > schema.get("maxLength", 10**9):
            errors.append(f"{path}: longer than {schema['maxLength']}")
        if schema.get("format") == "date":
            dt.date.fromisoformat(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not schema.get("minimum", -(10**9)) <= value <= schema.get("maximum", 10**9):
        errors.append(f"{path}: {value} out of range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: too few items")
        if len(value) > schema.get("maxItems", 10**9):
            errors.append(f"{path}: more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            errors += check(schema.get("items", {}), item, root, f"{path}[{i}]")
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            errors.append(f"{path}: empty")
        errors += [
            f"{path}: '{k}' is missing" for k in schema.get("required", []) if k not in value
        ]
        for key, item in value.items():
            where = f"{path}.{key}"
            errors += check(schema.get("propertyNames", {}), key, root, f"{where} (key)")
            if key in schema.get("properties", {}):
                errors += check(schema["properties"][key], item, root, where)
                continue
            patterns = [p for p in schema.get("patternProperties", {}) if re.search(p, key)]
            for pattern in patterns:
                errors += check(schema["patternProperties"][pattern], item, root, where)
            extra = schema.get("additionalProperties", True)
            if not patterns and extra is False:
                errors.append(f"{where}: unknown key")
            elif not patterns and isinstance(extra, dict):
                errors += check(extra, item, root, where)
    return errors


@pytest.fixture(scope="module")
def schemas(tmp_path_factory) -> dict[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("schema")
    return {p.name: json.loads(p.read_text("utf-8")) for p in write_schemas(out)}


def test_five_draft07_schemas_with_id_and_title(schemas):
    assert set(schemas) == {
        "entry.schema.json",
        "event.schema.json",
        "region.schema.json",
        "country.schema.json",
        "categories.schema.json",
    }
    for name, schema in schemas.items():
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        assert schema["$id"] == name
        assert schema["title"].startswith("Newcomer bot")
        assert "$defs" not in json.dumps(schema)  # draft-07 uses definitions


def test_committed_schemas_are_up_to_date(schemas):
    for name, schema in schemas.items():
        committed = json.loads((COMMITTED / name).read_text("utf-8"))
        assert committed == schema, f"content/schema/{name} is old: run `newcomer-bot schema`"


@pytest.mark.parametrize(
    ("name", "model", "where"),
    [
        ("entry.schema.json", Entry, ()),
        ("region.schema.json", Region, ()),
        ("region.schema.json", Municipality, ("definitions", "Municipality")),
        ("country.schema.json", Country, ()),
        ("categories.schema.json", CategoryFile, ()),
        ("categories.schema.json", Category, ("definitions", "Category")),
        ("event.schema.json", Event, ()),
        ("event.schema.json", EventPlace, ("definitions", "EventPlace")),
        ("event.schema.json", Registration, ("definitions", "Registration")),
    ],
)
def test_properties_and_required_keys_match_the_model(schemas, name, model, where):
    schema = schemas[name]
    for part in where:
        schema = schema[part]
    assert set(schema["properties"]) == set(model.model_fields)
    required = {k for k, f in model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) == required
    assert schema["additionalProperties"] is False


def _valid_files(schemas, root: Path) -> dict[str, int]:
    """Check every file of ``root`` (a folder holding ``content/``) against its schema;
    returns how many files each schema checked."""
    checked = dict.fromkeys(FILE_PATTERNS, 0)
    for name, patterns in FILE_PATTERNS.items():
        for pattern in patterns:
            for path in sorted(root.glob(pattern)):
                data = yaml.safe_load(path.read_text("utf-8"))
                assert check(schemas[name], data, schemas[name]) == [], path
                checked[name] += 1
    return checked


def test_every_demo_file_is_valid_against_its_schema(schemas):
    checked = _valid_files(schemas, DEMO.parent)
    assert sum(checked.values()) >= 64 + 2 + 2 + 1 + 8
    assert checked["event.schema.json"] == len(list(DEMO.glob("*/*/events/*.yaml"))) >= 8


def test_every_shipped_file_is_valid_against_its_schema(schemas):
    checked = _valid_files(schemas, SHIPPED.parent)
    assert checked["event.schema.json"] == len(list(SHIPPED.glob("*/*/events/*.yaml"))) >= 3
    assert checked["entry.schema.json"] >= 10


def test_the_schema_catches_editors_mistakes(schemas):
    entry = schemas["entry.schema.json"]
    good = yaml.safe_load((DEMO / "regions/miselerland/entries/misel-kulturhuef.yaml").read_text())
    assert check(entry, good, entry) == []

    def errors(**change: Any) -> list[str]:
        return check(entry, {**good, **change}, entry)

    assert any("unknown key" in e for e in check(entry, {**good, "titel": {"fr": "x"}}, entry))
    assert errors(phone="45 45 45")
    assert errors(website="www.kulturhuef.lu")
    assert errors(cost="gratis")
    assert errors(title={"fr": "x" * 121})
    assert errors(title={"french": "Kulturhuef"})
    assert errors(reviewed=dt.date(2026, 11, 20)) == []
    missing_title = {k: v for k, v in good.items() if k != "title"}
    assert "'title' is missing" in " ".join(check(entry, missing_title, entry))


def test_language_keys_are_offered_with_their_names(schemas):
    title = schemas["entry.schema.json"]["properties"]["title"]
    assert set(title["properties"]) >= {"ar", "fa", "ps", "ti", "uk"}
    assert title["properties"]["fa"]["description"] == "title in Persian"
    assert title["properties"]["fa"]["maxLength"] == 120


def test_cli_schema_writes_the_files(tmp_path: Path, capsys):
    assert run_cli("schema", "-o", str(tmp_path / "out")) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(SCHEMAS)
    assert "entry.schema.json" in capsys.readouterr().out


# ------------------------------------------------------------------------- events

LANGUAGE_CAFE = DEMO / "regions/miselerland/events/misel-ev-language-cafe.yaml"
DATE_HELP = "Write a day as 2026-12-05 (the whole day)"


def test_the_event_schema_catches_editors_mistakes(schemas):
    event = schemas["event.schema.json"]
    good = yaml.safe_load(LANGUAGE_CAFE.read_text("utf-8"))
    assert check(event, good, event) == []

    def errors(**change: Any) -> str:
        return "\n".join(check(event, {**good, **change}, event))

    assert ".titel: unknown key" in errors(titel={"fr": "Café des langues"})
    # A date the German or French way: the editor reads how to write it instead.
    assert f"'05.12.2026' {DATE_HELP}" in errors(start="05.12.2026")
    assert DATE_HELP in errors(start="2026-12-05 14.00")  # a dot in the time
    assert DATE_HELP in errors(end="5 December 2026")
    assert DATE_HELP in errors(exdates=["2026-12-23", "23.12.2026"])
    assert DATE_HELP in errors(rdates=["2026-13-01"])  # no 13th month
    assert DATE_HELP in errors(registration={"deadline": "2026-12-01 25:00"})
    assert "not one of ['free', 'paid', 'reduced']" in errors(cost="gratis")
    assert errors(title={"fr": "x" * 121})
    assert ".title: empty" in errors(title={})
    assert ".title.french: unknown key" in errors(title={"french": "Café des langues"})
    assert errors(source="www.remich.lu")
    assert errors(registration={"link": "www.remich.lu/inscription"})
    assert errors(audience=["kids"])
    assert errors(exdates=["2026-12-23"] * 401)
    missing_start = {k: v for k, v in good.items() if k != "start"}
    assert "'start' is missing" in " ".join(check(event, missing_start, event))
    # What the README shows is fine, written either way.
    for start in (dt.date(2026, 12, 5), "2026-12-05", "2026-12-05 14:00", "2026-12-05T14:00:00"):
        assert errors(start=start) == "", start
    assert errors(end=None, place={"address": "1 Place du Marché, 5555 Remich"}) == ""
    assert errors(registration={"deadline": "2026-12-01 12:00", "link": "https://x.lu/"}) == ""


def test_event_hover_help_comes_from_the_model(schemas):
    props = schemas["event.schema.json"]["properties"]
    assert props["rrule"]["description"] == Event.model_fields["rrule"].description
    assert "FREQ=WEEKLY;BYDAY=SA" in props["rrule"]["description"]
    assert props["start"]["description"].startswith("First (or only) start, local time")
    assert props["title"]["properties"]["uk"]["description"] == "title in Ukrainian"
    assert set(props["summary"]["properties"]) >= {"ar", "fa", "ti", "uk"}
    assert "format" not in json.dumps(schemas["event.schema.json"])  # no date-time format


def _loader_reads(text: str) -> bool:
    try:
        _when(text)
    except ValueError:
        return False
    return True


def _no_such_day(text: str) -> bool:
    """A day the month does not have (30 February): the schema lets it pass, the
    loader explains it."""
    match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if not match:
        return False
    try:
        dt.date(*map(int, match.groups()))
    except ValueError:
        return True
    return False


def _schema_reads(text: str) -> bool:
    return re.search(WHEN_PATTERN, text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05", "2026-1-5", "2026-12-05 14:00", "2026-12-05T14:00", "2026-12-05 9:30",
        "2026-12-05 14:00:30", "2026-12-05 14:00:00.5", "2026-12-05 14:00+01:00",
        "2026-12-05 14:00:00 +01:00", "2026-12-05 14:00Z", " 2026-12-05 ",
    ],
)  # fmt: skip
def test_days_and_times_the_loader_reads_are_valid_in_the_editor(text):
    assert _loader_reads(text) and _schema_reads(text)


@pytest.mark.parametrize(
    "text",
    [
        "05.12.2026", "5/12/2026", "2026/12/05", "20261205", "2026-W49-6", "2026-12-05 14",
        "2026-12-05 14.00", "2026-12-05 14h", "2026-12-05 1400", "2026-12-05 24:00",
        "2026-13-01", "2026-12-32", "14:00", "tomorrow", "", "2026-12-05 14:00+01:75",
    ],
)  # fmt: skip
def test_what_the_loader_refuses_is_underlined_in_the_editor(text):
    assert not _loader_reads(text)
    assert not _schema_reads(text)


@settings(max_examples=400, deadline=None)
@given(
    st.from_regex(WHEN_PATTERN, fullmatch=True).filter(lambda s: "\n" not in s)
    | st.text(alphabet="0123456789-:.+ TtZ/", max_size=30)
)
def test_the_editor_and_the_loader_agree_on_every_day_and_time(text):
    if _schema_reads(text) and _no_such_day(text):
        assert not _loader_reads(text)  # the one difference: the loader explains it
    else:
        assert _schema_reads(text) == _loader_reads(text), text


def test_the_vscode_settings_in_the_editors_readme_name_every_schema():
    """content/README.md, section 14: the settings editors copy cover every file kind."""
    text = (SHIPPED / "README.md").read_text("utf-8")
    block = re.search(r'```json\n(\s*\{\s*"yaml.schemas".*?)```', text, re.DOTALL)
    assert block, "the yaml.schemas block is gone from content/README.md"
    settings = json.loads(block.group(1))["yaml.schemas"]
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in settings.items()}
    assert as_lists == {f"./content/schema/{name}": globs for name, globs in FILE_PATTERNS.items()}
