"""Languages a reader notices: which language a Telegram client gets, Dari apart from
Persian, right-to-left handling, fallback chains, digits and month names."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import (
    FALLBACKS,
    LANGUAGES,
    LRI,
    PDI,
    RLM,
    _load_catalog,
    content_chain,
    display_name,
    is_rtl,
    language_name,
    locales_dir,
    normalize_language,
    pick_language,
    translator,
)
from bot.telegram import callback_data

NEW = ("prs", "ku", "ckb", "so", "am", "ur", "it", "es", "sq", "ro", "pl")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # Dari: Telegram's IETF tag, the ISO 639-3 code, the POSIX form
        ("fa-AF", "prs"),
        ("fa_AF", "prs"),
        ("FA-af", "prs"),
        ("fa-Arab-AF", "prs"),
        ("prs", "prs"),
        ("prs-AF", "prs"),
        # Persian stays Iranian Persian
        ("fa", "fa"),
        ("fa-IR", "fa"),
        ("pes", "fa"),
        ("fas", "fa"),
        # Kurdish: Kurmanji in Latin script, Sorani in Arabic script
        ("ku", "ku"),
        ("ku-TR", "ku"),
        ("kmr", "ku"),
        ("ckb", "ckb"),
        ("ckb-IQ", "ckb"),
        ("ku-Arab", "ckb"),
        ("ku-Arab-IQ", "ckb"),
        ("so", "so"),
        ("so-SO", "so"),
        ("som", "so"),
        ("am", "am"),
        ("am-ET", "am"),
        ("ur", "ur"),
        ("ur-PK", "ur"),
        ("it", "it"),
        ("it-CH", "it"),
        ("es", "es"),
        ("es-419", "es"),
        ("sq", "sq"),
        ("sq-XK", "sq"),
        ("ro", "ro"),
        ("ro-MD", "ro"),
        ("mo", "ro"),
        ("pl", "pl"),
        ("pl-PL", "pl"),
        ("uk", "uk"),
        ("pt-br", "pt"),
        # not UI languages
        ("hi", None),
        ("sdh", None),
        ("", None),
        (None, None),
        ("-", None),
        ("af", None),  # Afrikaans, not Afghanistan
    ],
)
def test_telegram_language_codes_map_to_ui_languages(code, expected):
    assert normalize_language(code) == expected


@given(st.text(max_size=40))
def test_any_language_code_gives_a_ui_language_or_none(code):
    assert normalize_language(code) in (*LANGUAGES, None)


def test_ui_codes_fit_callback_data_and_content_keys():
    """The codes travel in buttons (lang:<code>) and are keys in content files."""
    assert len(LANGUAGES) == len(set(LANGUAGES)) == 23
    for lang in LANGUAGES:
        assert callback_data.parse(callback_data.make("lang", lang)).args == (lang,)
        assert lang.isascii() and lang.isalpha() and lang.islower() and 2 <= len(lang) <= 3
        assert normalize_language(lang) == lang


@pytest.mark.parametrize("lang", NEW)
def test_new_languages_speak_their_own_language(lang):
    t = translator(lang)
    assert t.lang == lang
    english = "Choose your language:"
    assert t._(english) != english
    assert t.ngettext("{count} result", "{count} results", 3).format(count=3).startswith("3")


def test_dari_catalog_uses_afghan_words():
    t = translator("prs")
    hint = t._("Type a question in your language, e.g. “German course” or “doctor”.")
    assert "داکتر" in hint and "دکتر»" not in hint  # doctor: Afghan, not Iranian
    assert "شاروالی" in t._("Municipality")  # not Iranian شهرداری
    assert translator("fa")._("Municipality") == "شهرداری"


def test_dari_catalog_loads_from_the_po_file_alone(tmp_path):
    """An edited catalog without a compiled .mo still works for the code prs, which
    Babel does not know as a locale."""
    folder = tmp_path / "prs" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes(
        (locales_dir() / "prs" / "LC_MESSAGES" / "messages.po").read_bytes()
    )
    catalog = _load_catalog("prs", tmp_path)
    assert catalog.gettext("Back") == "برگشت"
    assert catalog.ngettext("{count} result", "{count} results", 1) == "{count} نتیجه"


@pytest.mark.parametrize("lang", ["ar", "fa", "prs", "ps", "ckb", "ur"])
def test_right_to_left_languages_get_marks_and_isolates(lang):
    t = translator(lang)
    assert is_rtl(lang) and t.rtl
    assert t.paragraph("112") == RLM + "112"
    assert t.ltr("+352 112") == f"{LRI}+352 112{PDI}"


@pytest.mark.parametrize("lang", ["ku", "so", "am", "ti", "it", "es", "sq", "ro", "pl", "en"])
def test_left_to_right_languages_get_no_marks(lang):
    t = translator(lang)
    assert not is_rtl(lang)
    assert t.paragraph("112") == "112"
    assert t.ltr("+352 112") == "+352 112"


def test_language_names_are_what_speakers_call_them():
    assert language_name("prs") == "دری"
    assert language_name("fa") == "فارسی"
    assert language_name("ckb") == "کوردی (سۆرانی)"
    assert language_name("ku") == "Kurdî (kurmancî)"
    assert language_name("am") == "አማርኛ"
    assert language_name("ur") == "اردو"
    assert language_name("so") == "Soomaali"
    assert len({language_name(lang) for lang in LANGUAGES}) == len(LANGUAGES)


def test_dari_dates_use_afghan_month_names_and_persian_digits():
    # CLDR fa_AF: جنوری … نومبر; Iranian Persian (fa): ژانویه … نوامبر
    prs, fa = translator("prs"), translator("fa")
    assert prs.date(dt.date(2026, 11, 30)) == "۳۰ نومبر ۲۰۲۶"
    assert prs.date(dt.date(2026, 1, 5)) == "۵ جنوری ۲۰۲۶"
    assert fa.date(dt.date(2026, 11, 30)) == "۳۰ نوامبر ۲۰۲۶"


def test_dates_spell_out_the_month():
    day = dt.date(2026, 11, 30)
    assert translator("ckb").date(day) == "٣٠ی تشرینی دووەمی ٢٠٢٦"
    assert translator("ur").date(day) == "30 نومبر، 2026"
    assert translator("ku").date(day) == "30ê mijdara 2026an"
    assert translator("so").date(day) == "Noofeembar 30, 2026"
    assert translator("pl").date(day) == "30 listopada 2026"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("prs", "۱٬۲۳۴"),  # Extended Arabic-Indic digits (CLDR arabext)
        ("fa", "۱٬۲۳۴"),
        ("ps", "۱٬۲۳۴"),
        ("ckb", "١٬٢٣٤"),  # Arabic-Indic digits (CLDR arab), as in Iraq
        ("ur", "1,234"),  # CLDR ur: Latin digits by default
        ("ar", "1,234"),  # CLDR ar: Latin digits by default
        ("pl", "1\u00a0234"),
        ("it", "1.234"),
        ("en", "1,234"),
    ],
)
def test_numbers_use_the_locales_digits(lang, expected):
    assert translator(lang).number(1234) == expected


def test_digits_leave_other_text_alone():
    assert translator("prs").digits("#12 · abc") == "#۱۲ · abc"
    assert translator("de").digits("#12") == "#12"


def test_fallback_chains_name_only_ui_languages():
    for lang, chain in FALLBACKS.items():
        assert lang in LANGUAGES
        assert lang not in chain
        assert set(chain) <= set(LANGUAGES)


@pytest.mark.parametrize("region_default", ["de", "fr", "lb", "en"])
def test_ukrainian_never_falls_back_to_russian(region_default):
    chain = content_chain("uk", region_default)
    assert "ru" not in chain
    assert pick_language({"ru": "…", "de": "…"}, chain) == "de"
    assert pick_language({"ru": "…", "en": "…", "uk": "…"}, chain) == "uk"


@pytest.mark.parametrize(
    ("lang", "available", "shown"),
    [
        ("prs", {"fa", "en", "de"}, "fa"),  # Dari readers read Persian
        ("prs", {"prs", "fa"}, "prs"),
        ("fa", {"prs", "en"}, "prs"),
        ("ps", {"prs", "fa", "en"}, "prs"),  # Afghan Pashto speakers read Dari
        ("ps", {"fa", "en"}, "fa"),
        ("ckb", {"ar", "fa", "ku", "en"}, "ar"),  # not Kurmanji: another script
        ("ckb", {"fa", "ku", "en"}, "fa"),
        ("ku", {"tr", "ar", "ckb", "en"}, "tr"),
        ("ku", {"ar", "ckb", "en"}, "ar"),
        ("am", {"ti", "en", "de"}, "en"),  # Tigrinya shares the script, not the language
        ("ur", {"ar", "fa", "en"}, "en"),
        ("so", {"ar", "en"}, "en"),
        ("it", {"fr", "es", "en"}, "en"),
        ("es", {"pt", "it", "en"}, "en"),
        ("pl", {"ru", "uk", "en"}, "en"),
        ("ro", {"fr", "en"}, "en"),
        ("sq", {"it", "de", "en"}, "en"),
    ],
)
def test_content_falls_back_to_a_language_the_reader_reads(lang, available, shown):
    assert pick_language(available, content_chain(lang, "de")) == shown


def test_without_english_the_regions_language_follows_the_chain():
    assert content_chain("so", "fr") == ("so", "en", "fr")
    assert pick_language({"fr", "de"}, content_chain("am", "fr")) == "fr"


def test_language_names_in_other_languages():
    """What "Not yet translated into {language}" and the editor tools show."""
    assert display_name("prs", "en") == "Dari"
    assert display_name("prs", "de") == "Dari"
    assert display_name("prs", translator("fa").locale) == "دری"
    assert display_name("fa", "en") == "Persian"
    assert display_name("ckb", "en") == "Kurdish (Sorani)"
    assert display_name("ku", "en") == "Kurdish (Kurmanji)"
    assert display_name("ur", "de") == "Urdu"
    assert display_name("prs", "lb") not in ("", "prs")  # no Luxembourgish name: Babel's


@given(st.text(max_size=12), st.sampled_from(LANGUAGES))
def test_display_name_never_raises(code, lang):
    name = display_name(code, translator(lang).locale)
    assert isinstance(name, str) and (name or not code)
