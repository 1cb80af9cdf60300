"""Live reload: valid content is swapped in, broken content never reaches users."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONTENT, last_keyboard, last_text, staffed_sandbox

EDITOR, NEWCOMER = 4001, 4002
ENTRY = "regions/miselerland/entries/misel-language-cafe.yaml"


@pytest.fixture
async def live(snapshot, tmp_path):
    """A bot serving a private copy of the demo content, watching it for changes."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    box = await staffed_sandbox(
        snapshot, tmp_path, {EDITOR: "editor"}, content_dir=content, watch_content=True
    )
    await box.storage.save_user(EDITOR, language="en", municipality="remich")
    await box.storage.save_user(NEWCOMER, language="en", municipality="remich")
    try:
        yield box, content
    finally:
        await box.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def card(box, entry_id: str) -> str:
    return last_text(await box.tap(NEWCOMER, f"e:{entry_id}", 1))


async def test_reload_command_swaps_in_valid_content(live):
    box, content = live
    assert "Language café on the Moselle" in await card(box, "misel-language-cafe")
    edit(content / ENTRY, "en: Language café on the Moselle", "en: Language café in Remich")
    calls = await box.text(EDITOR, "/reload")
    assert "Content reloaded" in last_text(calls)
    assert "Language café in Remich" in await card(box, "misel-language-cafe")


async def test_broken_file_keeps_the_previous_content_and_tells_the_editors(live, caplog):
    box, content = live
    caplog.set_level(logging.ERROR, logger="bot.content.reload")
    edit(content / ENTRY, "cost: free", "cost: free\n\tlanguages: [de]")
    # The file watcher noticed the change, and the reload's outcome reached the editor.
    message = await box.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == EDITOR, timeout=30
    )
    assert "keeps showing the previous content" in message.text
    assert "misel-language-cafe.yaml:" in message.text and "tab" in message.text
    assert any("misel-language-cafe.yaml" in r.getMessage() for r in caplog.records)
    assert "Language café on the Moselle" in await card(box, "misel-language-cafe"), (
        "newcomers still get the last good content"
    )


async def test_removed_entry_and_municipality_lead_back_to_the_menu(live):
    """Users whose entry or municipality disappeared get the menu or the picker."""
    box, content = live
    (content / ENTRY).unlink()
    # A municipality that is no longer in the content (renamed or merged).
    await box.storage.save_user(4003, language="en", municipality="old-commune")
    result = await box.application.bot_data.reloader.reload()
    assert result.ok, result.problems
    calls = await box.tap(NEWCOMER, "e:misel-language-cafe", 1)
    assert any(d.startswith("cat:") for d in last_keyboard(calls).values()), "back to the menu"
    calls = await box.text(4003, "/menu")
    assert "no longer in the list" in calls[0].text
    assert any(d.startswith(("mun:", "rg:")) for d in last_keyboard(calls).values())


async def test_reload_is_refused_to_newcomers(live, caplog):
    box, _ = live
    caplog.set_level(logging.WARNING)
    calls = await box.text(NEWCOMER, "/reload")
    assert "do not know this command" in last_text(calls)
    assert f"refused reload for user {NEWCOMER}" in caplog.text


async def test_editors_see_coverage_and_gaps_in_telegram(live):
    box, _ = live
    calls = await box.text(EDITOR, "/coverage")
    assert "miselerland (fr, 18)" in last_text(calls)
    assert "uk 18/0/0" in last_text(calls)
    calls = await box.text(EDITOR, "/gaps")
    assert "No unanswered questions" in last_text(calls)
    await box.text(NEWCOMER, "zzqx xylophon")
    calls = await box.text(EDITOR, "/gaps")
    assert "1× [en] remich: zzqx xylophon" in last_text(calls)


async def test_a_running_bot_keeps_serving_through_every_broken_case(live):
    """Each case of tests/broken_content/ is applied to the live content folder in turn:
    the reload is refused with the problem's file, newcomers keep the last good content,
    and once the folder is put right the bot reloads cleanly again."""
    from tests.test_broken_content import CASES, apply

    box, content = live
    reloader = box.application.bot_data.reloader
    for case in CASES:
        before = {path: path.read_bytes() for path in content.rglob("*") if path.is_file()}
        folders = {path for path in content.rglob("*") if path.is_dir()}
        apply(case, content)
        result = await reloader.reload()
        assert not result.ok, case.name
        wanted = {f"content/{item['file']}" for item in case.spec["expect"]}
        assert wanted & {p.file for p in result.problems}, (case.name, result.problems[:3])
        assert "Language café on the Moselle" in await card(box, "misel-language-cafe"), case.name
        # Put back only what the case changed, as an editor fixing a mistake would:
        # the reload then re-reads those files and keeps the others' cached parse.
        for path in content.rglob("*"):
            if path.is_file() and before.get(path) != path.read_bytes():
                if path in before:
                    path.write_bytes(before[path])
                else:
                    path.unlink()
        for path in sorted(content.rglob("*"), reverse=True):  # deepest first
            if path.is_dir() and path not in folders:
                path.rmdir()
        restored = await reloader.reload()
        assert restored.ok, (case.name, restored.problems[:3])


async def test_staff_file_changes_take_effect_without_a_restart(live, tmp_path):
    box, _ = live
    staff = tmp_path / "staff.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8") + "  - user_id: 4999\n    role: social_worker\n"
        "    municipalities: [remich]\n",
        encoding="utf-8",
    )
    # The file watcher noticed the change; the staff file is read again right after
    # the content: its command menu shows it.
    await box.api.wait_for(
        lambda c: c.method == "setMyCommands" and c.params.get("scope", {}).get("chat_id") == 4999,
        timeout=30,
    )
    staff_now = box.application.bot_data.staff
    assert staff_now.can(4999, "announce") and staff_now.can(EDITOR, "reload")


async def test_a_reload_of_unchanged_content_keeps_the_snapshot_being_served(live):
    """Saving a file without a change (or putting a mistake right) reloads cleanly
    and keeps serving the same snapshot: the search index is not built again."""
    box, content = live
    data = box.application.bot_data
    before = data.snapshot
    oscr = content / "regions" / "miselerland" / "entries" / "misel-oscr.yaml"
    oscr.write_bytes(oscr.read_bytes())  # touched, same bytes
    result = await data.reloader.reload()
    assert result.ok and data.snapshot is before

    oscr.write_text(oscr.read_text("utf-8").replace("cost: free", "cost: paid"), "utf-8")
    result = await data.reloader.reload()
    assert result.ok and data.snapshot is not before
    assert data.snapshot.content.entries["misel-oscr"].cost == "paid"
