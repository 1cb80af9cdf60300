"""Application.user_data does not grow by an entry per distinct user for ever."""

from __future__ import annotations

from tests.conftest import last_text


async def test_empty_user_data_is_dropped_after_each_update(sandbox):
    users = range(8000, 8030)
    for user in users:
        await sandbox.text(user, "/start", language_code="en")  # awaits a municipality
        assert sandbox.application.user_data[user], "what the next message means is kept"
        calls = await sandbox.text(user, "Remich", language_code="en")
        assert "Remich" in last_text(calls)
    assert not any(u in sandbox.application.user_data for u in users)


async def test_idle_user_data_expires(sandbox):
    janitor = sandbox.application.bot_data.user_data_janitor
    now = [1000.0]
    janitor.clock = lambda: now[0]
    user = 8100
    await sandbox.text(user, "/start", language_code="en")
    await sandbox.text(user, "Remich", language_code="en")
    await sandbox.text(user, "language course", language_code="en")
    assert sandbox.application.user_data[user], "the question is kept for 'more results'"

    now[0] += janitor.idle_seconds - 1
    assert janitor.sweep(sandbox.application) == 0
    assert user in sandbox.application.user_data
    now[0] += 2
    assert janitor.sweep(sandbox.application) == 1
    assert user not in sandbox.application.user_data

    # A "more results" tap after that gets the search hint, not a crash.
    calls = await sandbox.tap(user, "more:5", 1)
    assert calls and "went wrong" not in last_text(calls)
