"""Cut Telegram HTML to a length limit without breaking it.

Telegram counts lengths in UTF-16 code units (an emoji outside the Basic
Multilingual Plane counts 2) and rejects a message whose HTML does not parse
("can't parse entities": an unclosed ``<b>``, half a tag, half of ``&amp;``).
Cutting the string at a number of code points does both wrong.

:func:`split_html` cuts between whole tokens only (a tag, a character reference
or one character), preferably at a line break, closes the tags open at the cut
and opens them again at the start of the next part. :func:`shorten_html` keeps
the first part and marks the cut. Lengths are measured on the HTML itself, which
is never shorter than the text Telegram counts (tags and references shrink when
parsed), so every part fits.
"""

from __future__ import annotations

import re

#: Telegram's limits, in UTF-16 code units.
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_TOKEN = re.compile(
    r"<[^>]*>"  # a tag
    r"|&(?:#[xX]?[0-9a-fA-F]{1,8}|[a-zA-Z]{1,10});?"  # a character reference
    r"|[^<&]"  # one character
    r"|[<&]",  # a lone < or & (invalid HTML stays invalid, but is never split)
    re.S,
)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _tag(token: str) -> tuple[str, bool] | None:
    """(name, is_end) for a tag token, else None."""
    if not token.startswith("<") or len(token) < 3:
        return None
    match = _TAG_NAME.match(token)
    if match is None:
        return None
    return match.group(1).lower(), token.startswith("</")


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``html`` in parts of at most ``limit`` UTF-16 code units each, every part
    valid on its own when ``html`` is; a part ends at a line break where one is in
    the second half of the part. Parts with no visible text are left out.

    Raises ValueError if a single token, with the tags it is nested in, does not
    fit in ``limit`` (a tag longer than the limit: not a message one can send).
    """
    tokens = _TOKEN.findall(html)
    parts: list[str] = []
    # Tags open at the current point: (name, its start tag as written).
    open_tags: list[tuple[str, str]] = []
    current: list[str] = []
    size = 0
    visible = False
    # The best place for a cut so far: (index into current, token index, open tags then).
    line_break: tuple[int, int, list[tuple[str, str]]] | None = None
    reopened = 0  # tokens at the start of current that reopen tags
    i = 0

    def closing(tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(tags))

    def finish(body: list[str], tags: list[tuple[str, str]]) -> None:
        text = "".join(body) + closing(tags)
        if visible:
            parts.append(text)

    def restart(tags: list[tuple[str, str]]) -> None:
        nonlocal current, size, visible, line_break, open_tags, reopened
        open_tags = list(tags)
        current = [start for _, start in tags]
        reopened = len(current)
        size = sum(utf16_len(start) for start in current)
        visible = False
        line_break = None

    while i < len(tokens):
        token = tokens[i]
        tag = _tag(token)
        after = list(open_tags)
        if tag is not None:
            name, is_end = tag
            if is_end:
                if after and after[-1][0] == name:
                    after.pop()
            else:
                after.append((name, token))
        cost = utf16_len(token)
        if size + cost + utf16_len(closing(after)) > limit:
            if not visible:
                if len(current) == reopened:
                    raise ValueError(f"a token does not fit in {limit} UTF-16 code units")
                # Only tags and white space so far: nothing to show, nothing to keep.
                restart(open_tags)
                continue
            if line_break is not None and line_break[0] * 2 >= len(current):
                at, resume, tags = line_break
                current = current[:at]
                finish(current, tags)
                restart(tags)
                i = resume
            else:
                finish(current, open_tags)
                restart(open_tags)
            continue
        current.append(token)
        size += cost
        open_tags = after
        if tag is None and not token.isspace():
            visible = True
        if token == "\n" and visible:
            # Cut here: this part ends before the line break, the next starts after it.
            line_break = (len(current) - 1, i + 1, list(open_tags))
        i += 1
    finish(current, open_tags)
    return parts


def shorten_html(html: str, limit: int = MESSAGE_LIMIT, mark: str = "…") -> str:
    """``html`` itself if it fits in ``limit``, else its first part (see
    :func:`split_html`) followed by ``mark``."""
    if utf16_len(html) <= limit:
        return html
    parts = split_html(html, limit - utf16_len(mark))
    return (parts[0] if parts else "") + mark
