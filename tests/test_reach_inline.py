"""Inline mode: `@bot football grevenmacher` in any chat offers cards to share, in the sender's
language, each with a link back to the bot."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.fake_bot_api import BOT_USER
from bot.reach.deeplinks import parse

#: Tags Telegram's HTML parse mode knows (Bot API, "HTML style").
TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                 "tg-spoiler", "a", "tg-emoji", "code", "pre", "blockquote"}  # fmt: skip


class TagChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}>")
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"</{tag}>")


def assert_telegram_html(text: str) -> None:
    checker = TagChecker()
    checker.feed(text)
    checker.close()
    assert not checker.problems and not checker.open, (checker.problems, checker.open, text)


async def inline(sandbox, user_id: int, query: str, **kwargs):
    calls = await sandbox.send(sandbox.updates.inline_query(user_id, query, **kwargs))
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    assert answer.result is True, answer.result  # the stand-in accepted it as Telegram would
    return answer.params


async def test_a_stranger_gets_cards_for_the_place_the_query_names_in_their_language(
    sandbox, snapshot
):
    answer = await inline(sandbox, 401, "football grevenmacher", language_code="fr")
    results = answer["results"]
    assert results and answer["is_personal"] is True
    ids = [r["id"] for r in results]
    assert "misel-football-for-all" in ids
    entry = snapshot.content.entries["misel-football-for-all"]
    card = results[ids.index("misel-football-for-all")]
    assert card["type"] == "article" and card["title"] == entry.title.get("fr", card["title"])
    message = card["input_message_content"]
    assert message["parse_mode"] == "HTML" and entry.summary["fr"] in message["message_text"]
    assert_telegram_html(message["message_text"])
    (button,) = [b for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert button["url"] == f"https://t.me/{BOT_USER['username']}?start=E_misel-football-for-all"
    # Nothing is stored about people who only use inline mode.
    assert await sandbox.storage.get_user(401) is None


async def test_a_user_of_the_bot_gets_cards_for_their_municipality_in_their_language(sandbox):
    await sandbox.storage.save_user(402, language="ar", municipality="grevenmacher")
    answer = await inline(sandbox, 402, "football", language_code="de")
    results = answer["results"]
    assert "misel-football-for-all" in [r["id"] for r in results]
    text = results[0]["input_message_content"]["message_text"]
    assert text.startswith("\u200f")  # an Arabic card (right-to-left mark first)
    assert results[0]["reply_markup"]["inline_keyboard"][0][0]["text"] == "💬 افتح في البوت"


async def test_an_empty_query_or_an_unknown_place_offers_to_open_the_bot(sandbox):
    answer = await inline(sandbox, 403, "", language_code="uk")
    assert answer["results"] == []
    assert answer["button"] == {"text": "Відкрити бота", "start_parameter": "inline"}
    answer = await inline(sandbox, 403, "football", language_code="en")  # where?
    assert answer["results"] == [] and answer["button"]["start_parameter"] == "inline"
    answer = await inline(sandbox, 403, "remich", language_code="en")
    assert parse(answer["button"]["start_parameter"]).municipality == "remich"


async def test_many_results_come_in_pages(sandbox):
    await sandbox.storage.save_user(404, language="en", municipality="remich")
    first = await inline(sandbox, 404, "help", language_code="en")
    assert first["next_offset"], "expected more than one page"
    second = await inline(sandbox, 404, "help", offset=first["next_offset"])
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    last = await inline(sandbox, 404, "help", offset="50")
    assert last["results"] == [] and not last.get("next_offset")


@pytest.mark.parametrize("offset", ["abc", "-3", "9" * 30])
async def test_forged_offsets_are_harmless(sandbox, offset):
    await sandbox.storage.save_user(405, language="en", municipality="remich")
    answer = await inline(sandbox, 405, "football", offset=offset)
    assert isinstance(answer["results"], list)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=256), lang=st.sampled_from(["ar", "ti", "en", "fa", None]))
async def test_any_query_gets_a_valid_answer(sandbox, query, lang):
    answer = await inline(sandbox, 406, query, language_code=lang)
    for result in answer["results"]:
        assert_telegram_html(result["input_message_content"]["message_text"])
        assert len(result["input_message_content"]["message_text"]) <= 4096
