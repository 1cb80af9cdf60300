"""PO export and import: what a translator with Weblate or Poedit goes through."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.content.load import load_content
from bot.editing.coverage import coverage, stamp, status
from bot.editing.po import export_po, import_po
from tests.test_catalogs import LOCALES
from tests.test_coverage import DEMO, FR_TITLE, KULTURHUEF, edit, run_cli

LANGUAGE_CAFE = "regions/miselerland/entries/misel-language-cafe.yaml"


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A private copy of the demo content."""
    target = tmp_path / "content"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("schema", "README.md"))
    return target


def po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog)
    return buf.getvalue()


def translate_all(catalog: Catalog, prefix: str = "ترجمه") -> None:
    """Fill every msgstr like a translator would: keep line breaks, clear fuzzy."""
    for message in catalog:
        if not message.id:
            continue
        lines = message.id.split("\n")
        message.string = "\n".join(f"{prefix} {i} {message.context}" for i in range(len(lines)))
        message.flags.discard("fuzzy")


def write_file(path: Path, catalog: Catalog) -> Path:
    path.write_bytes(po_bytes(catalog))
    return path


# --------------------------------------------------------------------------- export


def test_export_lists_missing_texts_with_source_and_hash(content_dir):
    stamp(content_dir)
    content = load_content(content_dir)
    catalog = export_po(content, "ti", region="miselerland")
    assert str(catalog.locale) == "ti"
    assert len(catalog) > 0
    for message in catalog:
        if not message.id:
            continue
        entry_id, field = message.context.split(":")
        entry = content.entries[entry_id]
        assert content.entry_region[entry_id] == "miselerland"
        assert field in ("title", "summary", "body")
        assert message.id == getattr(entry, field)["fr"]
        assert f"source: fr, hash {entry.text_hash('fr')}" in message.auto_comments
        assert f"file: {content.entry_files[entry_id]}" in message.auto_comments
        assert "ti" not in getattr(entry, field)  # only what is missing here
        assert message.string == "" and not message.fuzzy


def test_exported_po_file_is_read_back_by_babel_with_plural_forms(content_dir):
    content = load_content(content_dir)
    for lang in ("fa", "uk", "ar"):
        data = po_bytes(export_po(content, lang))
        parsed = read_po(io.BytesIO(data))
        # Translators see the same plural rule as in the bot's own UI catalog.
        with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
            ui = read_po(fp)
        assert (parsed.num_plurals, parsed.plural_expr) == (ui.num_plurals, ui.plural_expr)
        assert parsed.locale.language == lang
        assert len(parsed) == len(export_po(content, lang))


def test_complete_translations_are_not_exported_and_outdated_ones_are_fuzzy(content_dir):
    stamp(content_dir)
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    content = load_content(content_dir)
    catalog = export_po(content, "de", region="miselerland")
    contexts = {m.context for m in catalog if m.id}
    assert contexts == {
        "misel-kulturhuef:title",
        "misel-kulturhuef:summary",
        "misel-kulturhuef:body",
    }
    title = next(m for m in catalog if m.context == "misel-kulturhuef:title")
    assert title.fuzzy
    assert title.string == content.entries["misel-kulturhuef"].title["de"]
    assert "café" in title.id


def test_export_never_flags_percent_signs_as_python_format(content_dir):
    edit(content_dir / KULTURHUEF, FR_TITLE, "  fr: Kulturhuef – 50 % de réduction\n")
    catalog = export_po(load_content(content_dir), "ti")
    title = next(m for m in catalog if m.context == "misel-kulturhuef:title")
    assert "python-format" not in title.flags


# --------------------------------------------------------------------------- import


def test_round_trip_export_translate_import_makes_the_language_complete(content_dir, tmp_path):
    stamp(content_dir)
    content = load_content(content_dir)
    assert coverage(content)["miselerland"].counts("ti")["missing"] > 0
    catalog = export_po(content, "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    report = import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    assert report.ok, report.problems
    assert report.partial == [] and report.still_outdated == []

    content = load_content(content_dir)  # still valid
    counts = coverage(content)["miselerland"].counts("ti")
    assert counts == {"complete": 18, "outdated": 0, "missing": 0}
    cafe = content.entries["misel-language-cafe"]
    assert cafe.title["ti"]  # existing translation kept
    assert cafe.body["ti"].startswith("ትርጉም 0 misel-language-cafe:body\nትርጉም 1")


def test_import_keeps_comments_order_and_writes_blocks_for_several_lines(content_dir, tmp_path):
    stamp(content_dir)
    path = content_dir / LANGUAGE_CAFE
    before = path.read_text("utf-8")
    catalog = export_po(load_content(content_dir), "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    after = path.read_text("utf-8")
    # Nothing the editor wrote was removed: the import only adds lines.
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert all(re.fullmatch(r'  [a-z]{2}: "[0-9a-f]{8}"|source_hash: .*', x) for x in removed)
    assert (
        "# Example data: no meeting point, time or contact, so nobody goes looking for it.\ncost:"
        in after
    )
    # The new Tigrinya body comes last in body, as a literal block.
    assert "  ti: |\n    ትርጉም 0 misel-language-cafe:body\n    ትርጉም 1" in after
    body = after.split("\nbody:\n")[1].split("\nkeywords:")[0]
    languages = [line for line in body.splitlines() if re.match(r"^  [a-z]{2}: ", line)]
    assert languages[-1] == "  ti: |"
    top_keys = [line.split(":")[0] for line in after.splitlines() if re.match(r"^[a-z_]+:", line)]
    assert top_keys[:6] == ["id", "category", "scope", "example", "title", "summary"]
    assert top_keys[-2:] == ["translated_from", "source_hash"]


def test_source_changed_after_export_stays_outdated(content_dir, tmp_path):
    stamp(content_dir)
    catalog = export_po(load_content(content_dir), "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    # While the translator works, an editor changes the French title.
    edit(content_dir / KULTURHUEF, FR_TITLE, FR_TITLE.replace("bistrot", "café"))
    report = import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    assert report.still_outdated == ["misel-kulturhuef"]
    content = load_content(content_dir)
    assert status(content, "misel-kulturhuef", "ti") == "outdated"
    assert status(content, "misel-oscr", "ti") == "complete"


def test_fuzzy_and_empty_messages_are_not_imported_and_not_stamped(content_dir, tmp_path):
    stamp(content_dir)
    catalog = export_po(load_content(content_dir), "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    title = next(m for m in catalog if m.context == "misel-oscr:title")
    title.flags.add("fuzzy")
    summary = next(m for m in catalog if m.context == "misel-walk-and-talk:summary")
    summary.string = ""
    report = import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    assert report.fuzzy == 1 and report.untranslated == 1
    assert set(report.partial) >= {"misel-oscr", "misel-walk-and-talk"}
    content = load_content(content_dir)
    assert "ti" not in content.entries["misel-oscr"].title
    assert status(content, "misel-walk-and-talk", "ti") == "missing"


def test_unknown_entries_and_fields_are_reported_not_fatal(content_dir, tmp_path, capsys):
    catalog = Catalog(locale="ti")
    catalog.add(
        "Hallo", "ሰላም", context="no-such-entry:title", auto_comments=["source: fr, hash 12345678"]
    )
    catalog.add("Bonjour", "ሰላም", context="misel-oscr:phone")
    catalog.add("Rien", "ሰላም", context=None)
    path = write_file(tmp_path / "odd.po", catalog)
    report = import_po(content_dir, path)
    assert len(report.problems) == 3
    assert any("no-such-entry" in p for p in report.problems)
    assert any("'phone' is not a translatable field" in p for p in report.problems)
    assert run_cli("import-po", str(path), str(content_dir)) == 1
    captured = capsys.readouterr()
    assert "no-such-entry" in captured.err and "Traceback" not in captured.err


def test_a_translation_the_check_refuses_is_not_written(content_dir, tmp_path):
    stamp(content_dir)
    catalog = export_po(load_content(content_dir), "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    next(m for m in catalog if m.context == "misel-oscr:title").string = "ት" * 200
    oscr = content_dir / "regions/miselerland/entries/misel-oscr.yaml"
    before = oscr.read_bytes()
    report = import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    assert any(p.startswith("misel-oscr: not imported") and "120" in p for p in report.problems)
    assert oscr.read_bytes() == before
    content = load_content(content_dir)  # the content is still valid
    assert status(content, "misel-oscr", "ti") == "missing"
    assert status(content, "misel-kulturhuef", "ti") == "complete"


def test_texts_yaml_would_misread_are_quoted(content_dir, tmp_path):
    catalog = export_po(load_content(content_dir), "ti", region="miselerland")
    translate_all(catalog, "ትርጉም")
    next(m for m in catalog if m.context == "misel-oscr:title").string = "No"
    next(m for m in catalog if m.context == "misel-oscr:summary").string = "12:30"
    report = import_po(content_dir, write_file(tmp_path / "ti.po", catalog))
    assert report.ok, report.problems
    data = yaml.safe_load((content_dir / "regions/miselerland/entries/misel-oscr.yaml").read_text())
    assert data["title"]["ti"] == "No" and data["summary"]["ti"] == "12:30"


def test_importing_into_the_source_language_is_refused(content_dir, tmp_path):
    catalog = Catalog(locale="fr")
    catalog.add("x", "Texte changé", context="misel-oscr:title")
    report = import_po(content_dir, write_file(tmp_path / "fr.po", catalog))
    assert any("source language" in p for p in report.problems)
    assert (
        "Texte changé"
        not in (content_dir / "regions/miselerland/entries/misel-oscr.yaml").read_text()
    )


# ----------------------------------------------------------------------------- CLI


def test_cli_export_to_file_and_import_back(content_dir, tmp_path, capsys):
    stamp(content_dir)
    po = tmp_path / "fa.po"
    assert (
        run_cli("export-po", "--lang", "fa", "--region", "lu", "-o", str(po), str(content_dir)) == 0
    )
    catalog = read_po(po.open("rb"))
    assert len(catalog) > 0
    assert all(m.context.startswith("lu-") for m in catalog if m.id)
    translate_all(catalog)
    write_file(po, catalog)
    capsys.readouterr()
    assert run_cli("import-po", str(po), str(content_dir)) == 0
    assert "Up to date in fa" in capsys.readouterr().out
    assert coverage(load_content(content_dir))["lu (national)"].counts("fa")["missing"] == 0


def test_cli_export_to_stdout_is_a_po_file(content_dir, capsysbinary):
    assert run_cli("export-po", "--lang", "ps", str(content_dir)) == 0
    out = capsysbinary.readouterr().out
    assert read_po(io.BytesIO(out)).locale.language == "ps"


def test_cli_export_usage_errors(content_dir, capsys):
    assert run_cli("export-po", "--lang", "xx", str(content_dir)) == 2
    assert run_cli("export-po", "--lang", "fa", "--region", "atlantis", str(content_dir)) == 2
    assert run_cli("import-po", str(content_dir / "missing.po"), str(content_dir)) == 2
    err = capsys.readouterr().err
    assert "atlantis" in err and "Traceback" not in err
