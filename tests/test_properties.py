"""Property-based: whatever arrives, the bot answers without an unhandled error and
never shows one user's data to another."""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import LANGUAGES
from bot.telegram import callback_data

OWNER, OTHER = 9001, 9002
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

language_codes = st.one_of(
    st.none(),
    st.sampled_from([*LANGUAGES, "pt-br", "zh-hans", "ckb", "EN", ""]),
    st.text(max_size=8),
)
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
).filter(lambda s: s.strip())
command_text = st.builds(
    lambda cmd, rest: f"/{cmd} {rest}".strip(),
    st.sampled_from(
        ["start", "menu", "help", "privacy", "forget", "search", "language", "municipality",
         "news", "subscribe", "unsubscribe", "announce", "reload", "grant", "revoke", "gaps",
         "coverage", "announcements", "cancel", "nonsense"]
    ),
    st.text(max_size=40),
)  # fmt: skip


def utf8_at_most(limit: int):
    return st.text(min_size=1, max_size=limit).filter(lambda s: 0 < len(s.encode()) <= limit)


any_callback_data = st.one_of(
    utf8_at_most(callback_data.MAX_BYTES),
    st.builds(
        lambda action, args: ":".join([action, *args]),
        st.sampled_from(sorted(callback_data.ACTIONS)),
        st.lists(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_:", max_size=12), max_size=3
        ),
    ).filter(lambda s: len(s.encode()) <= callback_data.MAX_BYTES),
)


async def _prepare(sandbox) -> None:
    if await sandbox.storage.get_user(OWNER) is None:
        await sandbox.storage.save_user(OWNER, language="ar", municipality="grevenmacher")


def _assert_private_to(calls, chat_id: int) -> None:
    for call in calls:
        if "chat_id" in call.params:
            assert call.chat_id == chat_id, f"{call.method} went to {call.chat_id}, not {chat_id}"


def _no_errors(caplog) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@SETTINGS
@given(text=st.one_of(any_text, command_text), lang=language_codes)
async def test_any_text_gets_an_answer_for_that_user_only(sandbox, caplog, text, lang):
    await _prepare(sandbox)
    caplog.clear()
    calls = await sandbox.text(OTHER, text, language_code=lang or None)
    _no_errors(caplog)
    _assert_private_to(calls, OTHER)
    assert any(c.method.startswith("send") or c.method == "editMessageText" for c in calls), (
        "every private message gets an answer"
    )
    owner = await sandbox.storage.get_user(OWNER)
    assert (owner.language, owner.municipality) == ("ar", "grevenmacher"), (
        "one user's messages never change another user's settings"
    )


@SETTINGS
@given(data=any_callback_data, lang=language_codes)
async def test_any_callback_data_is_answered_without_errors(sandbox, caplog, data, lang):
    await _prepare(sandbox)
    caplog.clear()
    calls = await sandbox.tap(OTHER, data, 1, language_code=lang or None)
    _no_errors(caplog)
    _assert_private_to([c for c in calls if c.method != "answerCallbackQuery"], OTHER)
    assert any(c.method == "answerCallbackQuery" for c in calls), (
        "every button tap is answered, so the phone stops showing a spinner"
    )
    owner = await sandbox.storage.get_user(OWNER)
    assert owner.municipality == "grevenmacher" and owner.language == "ar", (
        "one user's taps never change another user's settings"
    )


@SETTINGS
@given(
    text=st.one_of(any_text, command_text),
    chat_type=st.sampled_from(["group", "supergroup", "channel"]),
    lang=language_codes,
)
async def test_groups_and_channels_never_break_the_bot(sandbox, caplog, text, chat_type, lang):
    caplog.clear()
    calls = await sandbox.text(
        OTHER, text, chat_id=-100123, chat_type=chat_type, language_code=lang or None
    )
    _no_errors(caplog)
    _assert_private_to(calls, -100123)
    if chat_type == "channel" or not text.startswith("/"):
        assert not [c for c in calls if c.method.startswith("send")], "no chatter in groups"


@SETTINGS
@given(lat=st.floats(-90, 90), lon=st.floats(-180, 180))
async def test_any_location_is_handled(sandbox, caplog, lat, lon):
    caplog.clear()
    calls = await sandbox.location(OTHER, lat, lon)
    _no_errors(caplog)
    _assert_private_to(calls, OTHER)
    assert calls


@settings(max_examples=300, deadline=None)
@given(data=any_callback_data)
def test_each_button_handler_gets_exactly_the_data_parse_accepts(data):
    # bot.app routes a tap by callback_data.pattern(action): what a pattern matches
    # must be what parse() accepts, so a handler never gets data it cannot read.
    parsed = callback_data.parse(data)
    matching = [a for a in callback_data.ACTIONS if callback_data.pattern(a).match(data)]
    assert matching == ([parsed.action] if parsed else [])
    if parsed:
        assert len(data.encode()) <= callback_data.MAX_BYTES
        assert callback_data.make(parsed.action, *parsed.args) == data


def test_callback_data_over_64_bytes_is_refused():
    data = "an:" + "a" * 40 + ":" + "b" * 20
    assert callback_data.parse(data) is not None and len(data) == callback_data.MAX_BYTES
    assert callback_data.parse(data + "b") is None
    assert not callback_data.pattern("an").match(data + "b")
    assert callback_data.pattern("an", "stop").match("an:stop:x")
    assert not callback_data.pattern("an", "stop").match("an:tog:x")
