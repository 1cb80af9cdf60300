"""The bot's name and descriptions per language, set at start only when they changed."""

from __future__ import annotations

from bot.devtools.sandbox import Sandbox
from bot.i18n import LANGUAGES, translator
from bot.reach.profile import DESCRIPTION, NAME, SHORT_DESCRIPTION, texts
from tests.botapi_faults import FaultyBotApi
from tests.conftest import clock

#: The Bot API takes two-letter ISO 639-1 codes only for the profile (prs, ckb have none).
PROFILE_LANGUAGES = [lang for lang in LANGUAGES if len(lang) == 2]
SETTERS = {"setMyName", "setMyDescription", "setMyShortDescription"}


async def start_and_stop(snapshot, tmp_path, telegram: dict) -> list[str]:
    """Start and stop the bot; ``telegram`` is the profile Telegram has (updated in place).
    Returns the profile methods the bot called."""
    api = await FaultyBotApi().start()
    api.profile.update(telegram)
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock, api=api)
    await box.close()
    telegram.update(api.profile)
    return [c.method for c in api.calls if "My" in c.method and "Commands" not in c.method]


async def test_first_start_sets_the_profile_in_every_language_and_a_restart_sends_nothing(
    snapshot, tmp_path
):
    telegram: dict = {}
    first = await start_and_stop(snapshot, tmp_path, telegram)
    assert first.count("setMyName") == len(PROFILE_LANGUAGES)
    assert first.count("setMyDescription") == len(PROFILE_LANGUAGES) + 1  # and the default
    assert first.count("setMyShortDescription") == len(PROFILE_LANGUAGES) + 1
    assert telegram[("name", "uk")] == "Допомога новоприбулим"
    assert telegram[("short_description", "ar")] == translator("ar")._(SHORT_DESCRIPTION)
    assert telegram[("description", "")] == DESCRIPTION
    assert ("name", "") not in telegram  # the name @BotFather gave stays the default

    second = await start_and_stop(snapshot, tmp_path, telegram)
    assert second and not SETTERS & set(second)  # read, compared, nothing set

    # A translation changed since: only that field in that language is set again.
    telegram[("short_description", "ti")] = "old text"
    third = await start_and_stop(snapshot, tmp_path, telegram)
    assert [m for m in third if m in SETTERS] == ["setMyShortDescription"]


async def test_a_refused_profile_change_does_not_stop_the_bot(snapshot, tmp_path):
    api = await FaultyBotApi().start()
    # setMyName is rate limited hard by Telegram: a long retry_after must not be waited out.
    api.fail("setMyName", error_code=429, retry_after=3600, times=len(PROFILE_LANGUAGES))
    api.fail("getMyDescription", error_code=500, times=3)
    box = await Sandbox.create(snapshot, database=tmp_path / "bot.sqlite3", clock=clock, api=api)
    try:
        calls = await box.text(301, "/start", language_code="en")
        assert calls  # the bot answers
        assert ("name", "en") not in api.profile
        assert api.profile[("short_description", "en")] == SHORT_DESCRIPTION
    finally:
        await box.close()


def test_every_profile_text_fits_telegrams_limits():
    for lang in LANGUAGES:
        profile = texts(lang)
        assert 0 < len(profile["name"]) <= 64
        assert 0 < len(profile["short_description"]) <= 120
        assert 0 < len(profile["description"]) <= 512
        if lang != "en":  # translated, not the English fallback
            assert profile["name"] != NAME, lang
            assert profile["description"] != DESCRIPTION, lang
