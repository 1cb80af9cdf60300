"""Issue 11.6, 11.8, 11.9 and 11.10: times that read right in every direction and
clock, region fallbacks (never uk→ru), whole sentences for scopes, an exact /privacy."""

from __future__ import annotations

import re
import shutil

import pytest

from bot.content.load import ContentInvalid
from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox
from bot.i18n import FSI, LRI, PDI
from tests.conftest import CONTENT, clock, last_message_id, last_text, onboard


def content_with(tmp_path, entry: str, line: str):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / f"regions/miselerland/entries/{entry}.yaml"
    path.write_text(path.read_text("utf-8") + line + "\n", "utf-8")
    return content


async def card_in(tmp_path, hours: str, lang: str) -> str:
    """The Remich town hall's card with ``hours``, on Monday 23 November 2026, 10:00."""
    snapshot = Snapshot.load(
        content_with(tmp_path, "misel-town-hall-remich", f'opening_hours: "{hours}"')
    )
    box = await Sandbox.create(snapshot, database=tmp_path / f"{lang}.sqlite3", clock=clock)
    try:
        menu = await onboard(box, 3600, lang, "remich")
        return last_text(await box.tap(3600, "e:misel-town-hall-remich", last_message_id(menu)))
    finally:
        await box.close()


# -- 11.6 times -------------------------------------------------------------------------


async def test_persian_times_are_isolated_one_by_one(tmp_path):
    card = await card_in(tmp_path, "Fr 18:00-19:30", "fa")
    assert f"{LRI}18:00{PDI} تا {LRI}19:30{PDI}" in card, "«تا» stays outside the isolates"
    assert not re.search(f"{LRI}[^{PDI}]*تا", card)


@pytest.mark.parametrize("lang", ["ar", "ps"])
async def test_arabic_script_cards_isolate_each_time(tmp_path, lang):
    card = await card_in(tmp_path, "Mo 08:00-12:00,18:30-20:00", lang)
    isolated = re.findall(f"{LRI}([^{PDI}]*){PDI}", card)
    times = [s for s in isolated if re.search(r"\d{1,2}:\d{2}", s)]
    assert len(times) >= 4
    assert all(re.fullmatch(r"\d{1,2}:\d{2}(\s?\S+)?", s) for s in times), times


async def test_arabic_card_uses_one_clock(tmp_path):
    card = await card_in(tmp_path, "Mo 08:00-12:00,18:30-20:00", "ar")
    assert "18:30" not in card and "20:00" not in card, "no 24-hour times on a 12-hour card"
    assert "6:30 م" in card and "8:00 م" in card
    assert "يغلق الساعة \u206612:00 م\u2069" in card


async def test_english_card_uses_one_clock(tmp_path):
    card = await card_in(tmp_path, "Mo 08:00-12:00", "en")
    assert "closes at 12:00\u202fPM" in card
    assert "8:00\u202fAM" in card
    assert "08:00" not in card


async def test_german_card_uses_24_hours_throughout(tmp_path):
    card = await card_in(tmp_path, "Mo 08:00-12:00", "de")
    assert "08:00\u2009–\u200912:00" in card
    assert "schließt um 12:00" in card
    assert "AM" not in card and "PM" not in card


async def test_2359_is_midnight(tmp_path):
    card = await card_in(tmp_path, "Mo 08:00-23:59", "en")
    assert "23:59" not in card and "11:59" not in card
    assert "8:00\u202fAM\u2009–\u2009midnight" in card
    assert "closes at midnight" in card


async def test_open_all_day_says_24_hours(tmp_path):
    card = await card_in(tmp_path, "24/7", "de")
    assert "24 Stunden" in card
    assert "23:59" not in card


# -- 11.8 fallbacks ----------------------------------------------------------------------


async def test_portuguese_readers_in_luxembourg_get_french_before_english(sandbox, snapshot):
    entry = snapshot.content.entries["misel-kulturhuef"]
    assert "pt" not in entry.summary and "fr" in entry.summary and "en" in entry.summary
    menu = await onboard(sandbox, 3801, "pt", "grevenmacher")
    card = last_text(await sandbox.tap(3801, "e:misel-kulturhuef", last_message_id(menu)))
    assert entry.summary["fr"][:40] in card.replace("&#x27;", "'")
    assert "francês" in card, "the card says it is shown in French"


def _region_with(tmp_path, lines: str):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "regions/miselerland/region.yaml"
    text = path.read_text("utf-8").replace("fallbacks:\n  pt: [fr]\n", lines)
    path.write_text(text, "utf-8")
    return content


def test_ukrainian_never_falls_back_to_russian(tmp_path):
    with pytest.raises(ContentInvalid) as caught:
        Snapshot.load(_region_with(tmp_path, "fallbacks:\n  uk: [ru]\n"))
    problems = [str(p) for p in caught.value.problems]
    assert any("'uk' must never fall back to 'ru'" in p for p in problems), problems
    assert any("region.yaml" in p for p in problems)


def test_a_language_cannot_fall_back_to_itself(tmp_path):
    with pytest.raises(ContentInvalid) as caught:
        Snapshot.load(_region_with(tmp_path, "fallbacks:\n  pt: [pt, fr]\n"))
    assert any("falls back to itself" in str(p) for p in caught.value.problems)


# -- 11.9 scope sentences -------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ps", "uk", "ru", "de", "en"])
async def test_the_whole_region_line_names_the_region_after_a_colon(sandbox, snapshot, lang):
    region = snapshot.content.regions["miselerland"]
    entry = next(
        e
        for e in snapshot.content.entries.values()
        if e.scope == "region" and snapshot.content.entry_region[e.id] == "miselerland"
    )
    menu = await onboard(sandbox, 3900, lang, "remich")
    card = last_text(await sandbox.tap(3900, f"e:{entry.id}", last_message_id(menu)))
    line = next(line for line in card.splitlines() if line.startswith("🗺"))
    name = region.name[lang]
    assert line.endswith((f": {name}", f": {FSI}{name}{PDI}")), line
    if lang == "en":
        assert line == f"🗺 For everyone who lives in this region: {name}"


async def test_one_or_several_municipalities_are_named_in_a_whole_sentence(sandbox):
    menu = await onboard(sandbox, 3901, "en", "remich")
    card = last_text(await sandbox.tap(3901, "e:misel-town-hall-remich", last_message_id(menu)))
    assert "🗺 For people who live in this municipality: Remich" in card
    card = last_text(await sandbox.tap(3901, "e:misel-kulturhuef", last_message_id(menu)))
    assert "🗺 For people who live in these municipalities: " in card


# -- 11.10 /privacy ----------------------------------------------------------------------


async def test_privacy_says_account_number_not_phone_number(sandbox):
    text = last_text(await sandbox.text(3950, "/privacy", language_code="en"))
    assert "Telegram account number" in text
    assert "not your phone number" in text
    assert "90 days" in text
    assert "without your account number" in text
    assert "removed before it is stored" in text


@pytest.mark.parametrize(
    ("lang", "old"),
    [
        ("ar", "رقمك في تيليغرام"),
        ("de", "Telegram-Nummer"),
        ("fa", "شماره تلگرام"),
        ("ru", "номер в Telegram"),
    ],
)
async def test_privacy_in_other_languages_never_says_telegram_number(sandbox, lang, old):
    text = last_text(await sandbox.text(3951, "/privacy", language_code=lang))
    assert old not in text
    assert {"ar": "ليس رقم هاتفك", "de": "nicht Ihre Telefonnummer", "fa": "نه شماره تلفن",
            "ru": "не номер телефона"}[lang] in text  # fmt: skip
    assert {"ar": "90", "de": "90 Tage", "fa": "۹۰ روز", "ru": "90 дней"}[lang] in text
