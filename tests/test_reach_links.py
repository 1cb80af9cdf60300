"""Deep links: the payload grammar, /start <payload> in the real bot, and `newcomer-bot link`."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.devtools.fake_bot_api import BOT_USER
from bot.i18n import LANGUAGES
from bot.reach.deeplinks import (
    MAX_PAYLOAD,
    PAYLOAD_RE,
    LinkTooLong,
    Target,
    parse,
    payload,
    resolve,
    url,
)
from tests.botapi_faults import FaultyBotApi
from tests.conftest import CONTENT, ROOT, last_keyboard, last_text

ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,39}\Z")
languages = st.none() | st.sampled_from(LANGUAGES) | st.from_regex(r"\A[a-z]{2,3}\Z")
targets = st.one_of(
    st.builds(lambda e: Target(entry=e), ids),
    st.builds(
        lambda m, lang, c: Target(municipality=m, language=lang, category=c),
        ids,
        languages,
        st.none() | ids,
    ),
)


@settings(max_examples=500)
@given(targets)
def test_every_link_the_builder_makes_parses_back_and_fits(target):
    try:
        text = payload(target)
    except LinkTooLong:
        # Only when the fields together really are too long for Telegram.
        fields = [target.entry and "E_" + target.entry, target.municipality,
                  target.language, target.category]  # fmt: skip
        assert sum(len(f) for f in fields if f) + 2 > MAX_PAYLOAD
        return
    assert PAYLOAD_RE.fullmatch(text) and len(text) <= MAX_PAYLOAD
    assert parse(text) == target


@given(st.text(max_size=80))
def test_any_text_parses_to_a_target_or_none(text):
    target = parse(text)
    if target is not None:
        assert payload(target) == text or payload(target) == text.rstrip("_")


@pytest.mark.parametrize(
    "text",
    ["", "a_b_c_d", "E_", "Remich", "remich_arabic-x", "_remich", "remich_ar_Bad", "ré", "x" * 65,
     "E_mb-dolma_ar", "remich_a1"],
)  # fmt: skip
def test_malformed_payloads_are_not_links(text):
    assert parse(text) is None


def test_examples_of_the_grammar():
    assert payload(Target(municipality="remich")) == "remich"
    assert payload(Target(municipality="remich", language="ar")) == "remich_ar"
    assert (
        payload(Target(municipality="remich", category="language-courses"))
        == "remich__language-courses"
    )
    assert payload(Target(entry="mb-dolma")) == "E_mb-dolma"
    assert url("@newcomer_test_bot", Target(municipality="remich", language="ar")) == (
        "https://t.me/newcomer_test_bot?start=remich_ar"
    )


def test_resolve_drops_what_the_content_no_longer_has(snapshot):
    content = snapshot.content
    assert resolve(parse("remich_ar_language-courses"), content) == Target(
        municipality="remich", language="ar", category="language-courses"
    )
    assert resolve(parse("remich_xx_gone"), content) == Target(municipality="remich")
    assert resolve(parse("atlantis_ar"), content) is None
    assert resolve(parse("E_no-such-entry"), content) is None


# -- end to end: /start <payload> in the real bot -----------------------------------------


async def test_municipality_link_opens_its_menu_in_the_telegram_language(sandbox):
    calls = await sandbox.text(201, "/start remich", language_code="uk")
    assert "Реміх" in last_text(calls)  # the menu, in Ukrainian, for Remich
    assert any(data.startswith("cat:") for data in last_keyboard(calls).values())
    user = await sandbox.storage.get_user(201)
    assert (user.language, user.municipality) == ("uk", "remich")


async def test_language_link_sets_the_language_even_over_the_telegram_one(sandbox):
    calls = await sandbox.text(202, "/start remich_ar", language_code="de")
    assert "ريميش" in last_text(calls)
    user = await sandbox.storage.get_user(202)
    assert (user.language, user.municipality) == ("ar", "remich")


async def test_category_link_opens_the_category_list(sandbox):
    calls = await sandbox.text(203, "/start remich_ar_language-courses", language_code="en")
    text = last_text(calls)
    assert "ريميش" in text and "💬" in text  # the category's icon and the place
    assert any(data.startswith(("e:", "ec:")) for data in last_keyboard(calls).values())
    calls = await sandbox.text(204, "/start remich__language-courses", language_code="fr")
    assert "Cours de langue" in last_text(calls)


async def test_entry_link_opens_the_card(sandbox, snapshot):
    entry = snapshot.content.entries["misel-oscr"]
    calls = await sandbox.text(205, "/start E_misel-oscr", language_code="fr")
    assert entry.title["fr"] in last_text(calls)
    # New user, known language: stored as /start would; no municipality set.
    user = await sandbox.storage.get_user(205)
    assert user.language == "fr" and user.municipality is None


async def test_place_link_without_a_known_language_asks_for_it(sandbox):
    calls = await sandbox.text(206, "/start remich", language_code="zz")
    assert any(data.startswith("lang:") for data in last_keyboard(calls).values())
    user = await sandbox.storage.get_user(206)
    assert user.municipality == "remich"
    # After picking a language the menu follows, with the link's municipality.
    calls = await sandbox.tap(206, "lang:pt", calls[-1].result_message_id)
    assert "Remich" in last_text(calls)


@pytest.mark.parametrize(
    "payload_text",
    ["atlantis", "atlantis_ar", "E_no-such-entry", "search", "a_b_c_d", "!!", "x" * 70],
)
async def test_links_that_lead_nowhere_fall_back_to_the_normal_start(sandbox, payload_text):
    calls = await sandbox.text(207, f"/start {payload_text}", language_code="en")
    # The normal start: welcome, then the municipality picker.
    assert any(data.startswith(("rg:", "mun:")) for data in last_keyboard(calls).values())
    assert (await sandbox.storage.get_user(207)).municipality is None


async def test_a_gone_category_still_opens_the_municipality(sandbox):
    calls = await sandbox.text(208, "/start remich_en_no-such-category", language_code="en")
    assert "What are you looking for?" in last_text(calls)
    assert (await sandbox.storage.get_user(208)).municipality == "remich"


# -- the command line ---------------------------------------------------------------------


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


async def test_link_command_asks_telegram_for_the_username():
    api = await FaultyBotApi().start()
    try:
        env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": api.base_url}
        code, out, err = await run_cli(
            "link", "--municipality", "remich", "--lang", "ar", str(CONTENT), env=env
        )
    finally:
        await api.stop()
    assert code == 0, err
    assert out.strip() == f"https://t.me/{BOT_USER['username']}?start=remich_ar"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "atlantis"], "unknown municipality 'atlantis'"),
        (["--municipality", "remich", "--lang", "xx"], "unknown language 'xx'"),
        (["--municipality", "remich", "--category", "nope"], "unknown category 'nope'"),
        (["--entry", "nope"], "unknown entry 'nope'"),
        (["--entry", "misel-oscr", "--lang", "ar"], "--entry links to one card"),
        ([], "give --municipality"),
        (["--municipality", "remich", "--bot", "no/slash"], "not a bot username"),
    ],
)
async def test_link_command_refuses_links_that_lead_nowhere(args, message):
    name = [] if "--bot" in args else ["--bot", "b_bot"]
    code, out, err = await run_cli("link", *args, *name, str(CONTENT))
    assert code == 2 and message in err and not out
    assert "Traceback" not in err


async def test_link_command_without_name_or_token_says_what_to_do():
    env = {"TELEGRAM_BOT_TOKEN": ""}
    code, _, err = await run_cli("link", "--municipality", "remich", str(CONTENT), env=env)
    assert code == 2 and "--bot NAME" in err


async def test_link_command_with_a_token_telegram_refuses():
    api = await FaultyBotApi().start()
    api.fail("getMe", error_code=401, description="Unauthorized", times=5)
    try:
        env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": api.base_url}
        code, _, err = await run_cli("link", "--municipality", "remich", str(CONTENT), env=env)
    finally:
        await api.stop()
    assert code == 2 and "could not ask Telegram" in err and "Traceback" not in err
