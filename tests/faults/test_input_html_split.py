"""Long HTML is cut into messages Telegram accepts: whole tokens, tags closed and reopened."""

from __future__ import annotations

import html as html_lib

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.devtools.fake_bot_api import parse_html
from bot.views.html import shorten_html, split_html, utf16_len

_TEXT = (
    st.lists(
        st.sampled_from([*"ab c\n&<>\"'é", "😀", "👍🏽", "ع", "\u200f", "𝄞"]),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .map(html_lib.escape)
)
_TAGS = st.sampled_from(
    [
        ("<b>", "</b>"),
        ("<i>", "</i>"),
        ("<u>", "</u>"),
        ("<s>", "</s>"),
        ("<code>", "</code>"),
        ("<pre>", "</pre>"),
        ('<span class="tg-spoiler">', "</span>"),
        ('<a href="https://example.org/?a=1&amp;b=2">', "</a>"),
        ("<blockquote>", "</blockquote>"),
    ]
)


def _wrap(children):
    return st.tuples(_TAGS, st.lists(children, min_size=1, max_size=4)).map(
        lambda pair: pair[0][0] + "".join(pair[1]) + pair[0][1]
    )


HTML = st.lists(st.recursive(_TEXT, _wrap, max_leaves=12), min_size=1, max_size=30).map("".join)


def shown(text: str) -> str:
    return "".join(parse_html(text).split())


@settings(max_examples=300, deadline=None)
@given(HTML, st.integers(min_value=200, max_value=700))
def test_every_part_fits_and_parses(text, limit):
    parts = split_html(text, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        assert parse_html(part).strip(), "no part is empty"
    # Nothing lost, nothing repeated (line breaks at cuts are dropped).
    assert "".join(shown(p) for p in parts) == shown(text)
    if utf16_len(text) <= limit and shown(text):
        assert parts == [text], "what fits is left alone"


@settings(max_examples=100, deadline=None)
@given(HTML, st.integers(min_value=200, max_value=700))
def test_shortened_text_fits_and_parses(text, limit):
    short = shorten_html(text, limit)
    assert utf16_len(short) <= limit
    parse_html(short)


def test_the_news_example():
    """The /news bug: a <b> open at the cut, emoji counted as one character."""
    item = "<b>🗓 Mo., 23. Nov.</b>\n" + "🎉 Fest " * 300 + "\n"
    text = item * 3
    parts = split_html(text, 4096)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= 4096
        parse_html(part)
