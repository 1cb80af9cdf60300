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

from bot.content.model import Category, CategoryFile, Country, Entry, Municipality, Region
from bot.editing.schema import FILE_PATTERNS, SCHEMAS, write_schemas
from tests.test_coverage import DEMO, run_cli

COMMITTED = Path(__file__).resolve().parent.parent / "content" / "schema"  # what ships


def check(schema: dict[str, Any], value: Any, root: dict[str, Any], path: str = "") -> list[str]:
    """Errors of ``value`` against the draft-07 keywords our schemas use.

    ``jsonschema`` is not installed here; this covers exactly what the generated
    schemas contain, and fails loudly on anything else so it cannot pass silently.
    """
    known = {
        "$schema", "$id", "title", "description", "default", "$ref", "type", "properties",
        "required", "additionalProperties", "patternProperties", "pattern", "enum", "anyOf",
        "items", "minLength", "maxLength", "minimum", "maximum", "minItems", "format",
        "definitions", "propertyNames",
    }  # fmt: skip
    unknown = set(schema) - known
    assert not unknown, f"the test validator does not know {unknown} at {path}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/definitions/")
        return check(root["definitions"][name], value, root, path)
    errors: list[str] = []
    if "anyOf" in schema and all(check(b, value, root, path) for b in schema["anyOf"]):
        errors.append(f"{path}: matches no alternative")
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
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
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
        for i, item in enumerate(value):
            errors += check(schema.get("items", {}), item, root, f"{path}[{i}]")
    if isinstance(value, dict):
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


def test_four_draft07_schemas_with_id_and_title(schemas):
    assert set(schemas) == {
        "entry.schema.json",
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
    ],
)
def test_properties_and_required_keys_match_the_model(schemas, name, model, where):
    schema = schemas[name]
    for part in where:
        schema = schema[part]
    assert set(schema["properties"]) == set(model.model_fields)
    required = {k for k, f in model.model_fields.items() if f.is_required()}
    assert set(schema["required"]) == required
    assert schema["additionalProperties"] is False


def test_every_demo_file_is_valid_against_its_schema(schemas):
    checked = 0
    for name, patterns in FILE_PATTERNS.items():
        for pattern in patterns:
            for path in sorted(DEMO.parent.glob(pattern)):
                data = yaml.safe_load(path.read_text("utf-8"))
                assert check(schemas[name], data, schemas[name]) == [], path
                checked += 1
    assert checked >= 64 + 2 + 2 + 1


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
