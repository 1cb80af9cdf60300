"""The gettext catalogs: complete in every UI language, placeholders intact, plurals right."""

from __future__ import annotations

import gettext
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES

#: CLDR locale whose plural rule a catalog follows, where it is not the UI code: Dari's
#: code prs is CLDR's fa_AF. (pt follows CLDR "pt", as the catalog always did, although
#: dates use pt_PT: CLDR's pt_PT rule would make 0 plural, "0 resultados".)
PLURAL_LOCALES = {"prs": "fa_AF"}

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
COMMAND = re.compile(r"/[a-z]+")


def catalog(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=lang)


def template_ids() -> set[str]:
    with (LOCALES / "messages.pot").open("rb") as fp:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_ui_string_is_translated(lang):
    cat = catalog(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    assert template_ids() <= ids, f"{lang}: run `make update-catalogs`"
    missing = [
        m.id
        for m in cat
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert not missing, f"{lang}: {len(missing)} untranslated or fuzzy, e.g. {missing[:3]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders_and_commands(lang):
    for message in catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (lang, message.id, string)
            assert set(COMMAND.findall(ids[0])) <= set(COMMAND.findall(string)), (lang, string)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_match_cldr(lang):
    """Each catalog uses CLDR's plural rule as Babel has it (one form per CLDR category),
    so that gettext picks the same form that Babel's number formatting implies."""
    cat = catalog(lang)
    cldr = get_plural(PLURAL_LOCALES.get(lang, lang))
    assert (cat.num_plurals, cat.plural_expr) == (cldr.num_plurals, cldr.plural_expr), lang
    for message in cat:
        if message.id and isinstance(message.id, tuple):
            assert len(message.string) == cat.num_plurals, (lang, message.id[0])
    if lang == "ar":
        assert cat.num_plurals == 6
    if lang in ("ti", "fa", "prs", "am"):  # CLDR: one = i = 0 or n = 1
        rule = gettext.c2py(cat.plural_expr)
        assert rule(0) == rule(1) != rule(2)


def test_catalogs_compile(tmp_path):
    """`pybabel compile` accepts every catalog (what `make run` and CI do)."""
    out = tmp_path / "locales"
    subprocess.run(["cp", "-r", str(LOCALES), str(out)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(out),
         "-D", "messages", "--statistics"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for lang in LANGUAGES:
        assert (out / lang / "LC_MESSAGES" / "messages.mo").stat().st_size > 1000
    assert len(LANGUAGES) == 23
