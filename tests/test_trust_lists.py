"""Issue 11.4 and 11.7: the emergency number first and visible in the list; example
entries marked everywhere, never with real-looking details, and hidden on request."""

from __future__ import annotations

import shutil

from bot.config import Settings
from bot.content.snapshot import Snapshot
from bot.devtools.sandbox import Sandbox
from tests.conftest import CONTENT, clock, last_keyboard, last_message_id, last_text, onboard


def entry_buttons(calls, prefix: str = "ec:") -> list[tuple[str, str]]:
    """(label, entry id) of the entry buttons of the last keyboard, in order."""
    return [
        (label, data.split(":")[1])
        for label, data in last_keyboard(calls).items()
        if data.startswith(prefix)
    ]


# -- 11.4 emergency first, with its number -------------------------------------------


async def test_112_comes_first_in_arabic_in_remich_with_its_number(sandbox):
    menu = await onboard(sandbox, 3401, "ar", "remich")
    calls = await sandbox.tap(3401, "cat:emergency:0", last_message_id(menu))
    buttons = entry_buttons(calls)
    assert buttons[0][1] == "lu-emergency-112"
    assert buttons[1][1] == "lu-police-113"
    assert "112" in buttons[0][0]
    text = last_text(calls)
    assert "📞 <b>\u2066112\u2069</b>" in text, "the number itself is in the list, isolated"
    assert text.index("112") < text.index("113")


async def test_112_comes_before_the_helplines_in_marburg(sandbox):
    menu = await onboard(sandbox, 3402, "de", "marburg")
    calls = await sandbox.tap(3402, "cat:emergency:0", last_message_id(menu))
    ids = [entry for _, entry in entry_buttons(calls)]
    assert ids[:2] == ["de-emergency-112", "de-police-110"]
    assert ids.index("de-emergency-112") < ids.index("de-hilfetelefon-gewalt")
    labels = dict((entry, label) for label, entry in entry_buttons(calls))
    assert labels["de-police-110"].startswith("🏛 110 — ")
    assert "📞 <b>112</b> — " in last_text(calls)


async def test_priority_is_checked(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "countries/lu/entries/lu-police-113.yaml"
    path.write_text(path.read_text("utf-8").replace("priority: 2", "priority: first"), "utf-8")
    from bot.content.load import ContentInvalid

    try:
        Snapshot.load(content)
    except ContentInvalid as exc:
        found = [p for p in exc.problems if "priority" in str(p)]
        assert found and all("whole number from 1" in p.message for p in found), exc.problems
    else:
        raise AssertionError("a priority that is not a number is refused")


# -- 11.7 examples ----------------------------------------------------------------------


def examples_in(sandbox, municipality: str):
    today = sandbox.application.bot_data.today()
    content = sandbox.application.bot_data.snapshot.content
    return [e for e in content.entries_for(municipality, today) if e.example]


async def test_examples_are_marked_in_lists(sandbox):
    examples = {e.id for e in examples_in(sandbox, "mertert")}
    menu = await onboard(sandbox, 3701, "en", "mertert")
    calls = await sandbox.tap(3701, "cat:activities:0", last_message_id(menu))
    labels = dict((entry, label) for label, entry in entry_buttons(calls))
    assert set(labels) & examples and set(labels) - examples, "examples and real entries"
    assert all(("🧪" in label) == (entry in examples) for entry, label in labels.items())
    assert "🧪 example only, not a real offer" in last_text(calls)


async def test_examples_are_marked_in_search_results(sandbox):
    example = examples_in(sandbox, "remich")[0]
    await onboard(sandbox, 3702, "en", "remich")
    calls = await sandbox.text(3702, example.title["en"], language_code="en")
    labels = dict((entry, label) for label, entry in entry_buttons(calls, "es:"))
    assert example.id in labels
    assert "🧪" in labels[example.id]


async def test_an_example_card_has_no_pin_open_now_or_last_checked(sandbox):
    example = examples_in(sandbox, "remich")[0]
    menu = await onboard(sandbox, 3703, "en", "remich")
    calls = await sandbox.tap(3703, f"e:{example.id}", last_message_id(menu))
    card = last_text(calls)
    assert "Example data" in card
    for words in ("Open now", "Closed now", "Last checked"):
        assert words not in card
    assert not [d for d in last_keyboard(calls).values() if d.startswith("loc:")]


async def test_examples_can_be_hidden(snapshot, tmp_path):
    box = await Sandbox.create(
        snapshot,
        database=tmp_path / "bot.sqlite3",
        clock=clock,
        settings={"show_examples": False},
    )
    try:
        example = examples_in(box, "remich")[0]
        menu = await onboard(box, 3704, "en", "remich")
        calls = await box.tap(3704, f"cat:{example.category}:0", last_message_id(menu))
        assert example.id not in [entry for _, entry in entry_buttons(calls)]
        assert "🧪" not in last_text(calls)
        calls = await box.text(3704, example.title["en"], language_code="en")
        assert example.id not in [entry for _, entry in entry_buttons(calls, "es:")]
        calls = await box.tap(3704, f"e:{example.id}", last_message_id(menu))
        assert "Example data" not in last_text(calls), "a hidden example's card is stale"
    finally:
        await box.close()


def test_bot_show_examples_setting():
    token = {"TELEGRAM_BOT_TOKEN": "123:abc"}
    assert Settings.from_env(token).show_examples is True, "on by default, for the demo"
    for off in ("0", "false", "no", "off", "OFF"):
        assert Settings.from_env({**token, "BOT_SHOW_EXAMPLES": off}).show_examples is False
    assert Settings.from_env({**token, "BOT_SHOW_EXAMPLES": "1"}).show_examples is True


async def test_an_example_never_shows_last_checked_even_with_a_source(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "regions/miselerland/entries/misel-language-cafe.yaml"
    extra = 'reviewed: 2026-11-01\nsource: "https://www.remich.lu"\n'
    path.write_text(path.read_text("utf-8") + extra, "utf-8")
    snapshot = Snapshot.load(content)
    assert snapshot.content.entries["misel-language-cafe"].example
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock)
    try:
        menu = await onboard(box, 3705, "en", "remich")
        card = last_text(await box.tap(3705, "e:misel-language-cafe", last_message_id(menu)))
        assert "Example data" in card
        assert "Last checked" not in card
    finally:
        await box.close()
