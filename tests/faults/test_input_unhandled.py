"""Odd input gets a clear answer, never the apology for a crash (or a wrong action)."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import last_text, staffed_sandbox

ADMIN, NEWCOMER = 1001, 3001
APOLOGY = "Sorry, something went wrong"


@pytest.fixture
async def box(snapshot, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    sandbox = await staffed_sandbox(snapshot, tmp_path, {ADMIN: "admin", 1002: "editor"})
    await sandbox.storage.save_user(ADMIN, language="en", municipality="remich")
    await sandbox.storage.save_user(NEWCOMER, language="en", municipality="remich")
    sandbox.staff_file = tmp_path / "staff.yaml"
    try:
        yield sandbox
    finally:
        await sandbox.close()


def no_crash(calls, caplog) -> None:
    for call in calls:
        assert APOLOGY not in str(call.params.get("text", "")), "the bot crashed on this"
    crashes = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert not crashes, [r.getMessage() for r in crashes]


async def test_cancel_button_with_a_huge_id(box, caplog):
    calls = await box.tap(ADMIN, "ax:" + "9" * 20, 1)
    no_crash(calls, caplog)
    assert [c for c in calls if c.method == "answerCallbackQuery"], "the tap was answered"


@pytest.mark.parametrize("user_id", ["²", "0", "١٠٠١", "9" * 30, "-5"])
async def test_grant_takes_ascii_ids_only(box, caplog, user_id):
    calls = await box.text(ADMIN, f"/grant {user_id} editor")
    no_crash(calls, caplog)
    assert "Usage: /grant" in last_text(calls)
    assert f"user_id: {user_id}\n" not in box.staff_file.read_text(encoding="utf-8")


async def test_revoke_with_arabic_indic_digits_revokes_nobody(box, caplog):
    calls = await box.text(ADMIN, "/revoke ١٠٠٢")
    no_crash(calls, caplog)
    assert "Usage: /revoke" in last_text(calls)
    assert "1002" in box.staff_file.read_text(encoding="utf-8"), "the editor keeps the role"


@pytest.mark.parametrize("text", ["/start", "hello", "/menu", "/news"])
async def test_private_message_without_a_sender(box, caplog, text):
    payload = box.updates.message(NEWCOMER, text)
    del payload["message"]["from"]
    calls = await box.send(payload)
    no_crash(calls, caplog)


@pytest.mark.parametrize(
    "lat, lon",
    [
        (float("inf"), 6.35),
        (49.55, float("nan")),
        (409.55, 366.35),  # Remich's coordinates plus 360: not a place on Earth
        (49.55, -353.65),
        (-91.0, 0.0),
    ],
)
async def test_impossible_locations_are_refused(box, caplog, lat, lon):
    calls = await box.location(NEWCOMER, lat, lon)
    no_crash(calls, caplog)
    assert "I have no information for this place yet" in calls[0].text
    stored = await box.storage.get_user(NEWCOMER)
    assert stored.municipality == "remich", "the municipality did not change"
    assert "Where do you live?" in calls[-1].text, "the municipality picker follows"
