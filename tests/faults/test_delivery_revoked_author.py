"""A scheduled announcement whose author was revoked meanwhile does not go out: it is
held and the admins are told (issue 10)."""

from __future__ import annotations

import pytest

from bot.content.staff import write_member
from bot.devtools.sandbox import Sandbox
from tests.conftest import clock, staffed_sandbox

ADMIN, WORKER = 1101, 1102
SUBSCRIBERS = (2101, 2102, 2103)
STAFF_YAML = f"""\
staff:
  - user_id: {ADMIN}
    role: admin
  - user_id: {WORKER}
    role: social_worker
    municipalities: [remich]
"""


@pytest.fixture
async def box(snapshot, tmp_path):
    sandbox = await staffed_sandbox(snapshot, tmp_path, STAFF_YAML)
    for user_id in SUBSCRIBERS:
        await sandbox.storage.save_user(
            user_id, language="fr", municipality="remich", subscribed=True
        )
    await sandbox.storage.save_user(ADMIN, language="de")
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def schedule(box: Sandbox, seconds: float) -> int:
    now = clock().timestamp()
    announcement_id, recipients = await box.storage.create_announcement(
        author_id=WORKER,
        region="miselerland",
        default_language="fr",
        targets=["remich"],
        texts={"fr": "Fête du quartier samedi."},
        send_at=now + seconds,
        now=now,
    )
    assert recipients == len(SUBSCRIBERS)
    assert (await box.storage.announcement(announcement_id)).status == "scheduled"
    box.application.bot_data.delivery.wake()  # as /announce does after confirming
    return announcement_id


async def test_a_revoked_authors_scheduled_announcement_is_held_and_admins_are_told(box):
    announcement_id = await schedule(box, 2)
    data = box.application.bot_data
    write_member(data.settings.staff_path, None, WORKER)  # what /revoke does
    assert await data.reload_staff() is None
    start = len(box.api.calls)

    notice = await box.api.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == ADMIN, start=start, timeout=15
    )
    assert f"#{announcement_id}" in notice.text
    assert (await box.storage.announcement(announcement_id)).status == "held"
    to_subscribers = [
        c for c in box.api.calls if c.method == "sendMessage" and c.chat_id in SUBSCRIBERS
    ]
    assert not to_subscribers, "nobody got the announcement of a revoked author"
    assert (await box.storage.delivery_counts(announcement_id))["pending"] == len(SUBSCRIBERS)
    assert any(
        action == "hold" and subject == f"announcement:{announcement_id}"
        for _, _, action, subject, _ in await box.storage.audit_entries()
    )
    # An admin can still cancel it.
    assert await box.storage.cancel_announcement(announcement_id, ADMIN)


async def test_an_author_still_in_role_has_the_scheduled_announcement_sent(box):
    announcement_id = await schedule(box, 2)
    for user_id in SUBSCRIBERS:
        await box.api.wait_for(
            lambda c, u=user_id: c.method == "sendMessage" and c.chat_id == u, timeout=15
        )
    assert (await box.storage.announcement(announcement_id)).status in ("sending", "done")
    assert not [c for c in box.api.calls if c.method == "sendMessage" and c.chat_id == ADMIN]
