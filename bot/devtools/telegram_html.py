"""Telegram's HTML parse mode, checked as Telegram checks it (for the Bot API stand-in).

:func:`parse_html` returns the text a message shows, or raises
:class:`EntityParseError` with Telegram's wording where the Bot API answers
400 "Bad Request: can't parse entities: ...". It follows tdlib's parser
(td/telegram/MessageEntity.cpp, ``parse_html``), which the Bot API server uses:
unknown tags, unclosed or mismatched tags and malformed attributes are errors;
an ``&`` that starts no known character reference (``&foo;``) is shown as it is.
"""

from __future__ import annotations

#: Tags Telegram's HTML parse mode knows (Bot API, "HTML style"); anything else is
#: rejected as "Unsupported start tag".
HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "tg-emoji", "code", "pre", "blockquote",
})  # fmt: skip
#: The only named character references Telegram decodes; every numerical one is decoded.
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """Telegram's "can't parse entities" for HTML text; the message is Telegram's wording."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts text lengths and entity offsets
    (an emoji outside the Basic Multilingual Plane counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an ``&`` at ``i`` stands for and the index after it, or None when
    it is not a reference Telegram knows (then the ``&`` is an ordinary character, as
    in Telegram's parser: ``&foo;`` is shown as it is)."""
    n = len(text)
    j = i + 1
    if j < n and text[j] == "#":
        j += 1
        hexadecimal = j < n and text[j] == "x"
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        j += hexadecimal
        start = j
        while j < n and text[j] in digits:
            j += 1
        value = int(text[start:j], 16 if hexadecimal else 10) if j > start else 0
        if value == 0 or value >= 0x10FFFF or j - i >= 10:
            return None
        char = chr(value)
    else:
        while j < n and text[j].isascii() and text[j].isalpha():
            j += 1
        char = _NAMED_ENTITIES.get(text[i + 1 : j])
        if char is None:
            return None
    if j < n and text[j] == ";":
        j += 1
    return char, j


def parse_html(text: str) -> str:
    """The text Telegram shows for ``text`` in HTML parse mode (tags removed, character
    references decoded). Raises EntityParseError where Telegram answers 400 "can't
    parse entities": an unknown tag, an unclosed or unmatched tag, a bad attribute, a
    lone surrogate. Follows tdlib's parser (td/telegram/MessageEntity.cpp, parse_html)."""
    out: list[str] = []
    stack: list[str] = []
    n = len(text)
    i = 0

    def at(pos: int) -> str:
        return f"at byte offset {len(text[:pos].encode('utf-8', 'surrogatepass'))}"

    while i < n:
        char = text[i]
        if char == "&" and (decoded := _decode_entity(text, i)) is not None:
            out.append(decoded[0])
            i = decoded[1]
            continue
        if char != "<":
            out.append(char)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise EntityParseError(f"Unexpected end tag {at(begin)}")
            j = i + 1
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            name = text[i + 1 : j].lower()
            while j < n and text[j].isspace():
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag {at(begin)}")
            expected = stack.pop()
            if name and name != expected:
                raise EntityParseError(
                    f'Unmatched end tag {at(begin)}, expected "</{expected}>", found "</{name}>"'
                )
            i = j + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag {at(begin)}")
        name = text[i:j].lower()
        if name not in HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" {at(begin)}')
        attributes: dict[str, str] = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag {at(begin)}")
            if text[j] == ">":
                break
            start = j
            while j < n and not text[j].isspace() and text[j] not in "=>":
                j += 1
            attribute = text[start:j].lower()
            if not attribute:
                raise EntityParseError(f'Empty attribute name in the tag "{name}" {at(begin)}')
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] != "=" and name == "blockquote" and attribute == "expandable":
                attributes[attribute] = ""
                continue
            if j >= n or text[j] != "=":
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" {at(begin)}'
                )
            j += 1
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f'Unclosed start tag "{name}" {at(begin)}')
            value: list[str] = []
            if text[j] in "'\"":
                quote = text[j]
                j += 1
                while j < n and text[j] != quote:
                    if text[j] == "&" and (decoded := _decode_entity(text, j)) is not None:
                        value.append(decoded[0])
                        j = decoded[1]
                        continue
                    value.append(text[j])
                    j += 1
                if j < n:
                    j += 1
            else:
                start = j
                while j < n and ((text[j].isascii() and text[j].isalnum()) or text[j] in ".-"):
                    j += 1
                value.append(text[start:j].lower())
                if j < n and not text[j].isspace() and text[j] != ">":
                    raise EntityParseError(f"Unexpected end of name token {at(start)}")
            if j >= n:
                raise EntityParseError(f"Unclosed start tag {at(begin)}")
            attributes[attribute] = "".join(value)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {at(begin)}')
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise EntityParseError(f"Custom emoji entity must contain a tg://emoji URL {at(begin)}")
        stack.append(name)
        i = j + 1
    if stack:
        raise EntityParseError(f"Can't find end tag corresponding to start tag {stack[-1]}")
    shown = "".join(out)
    if any("\ud800" <= c <= "\udfff" for c in shown):
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    return shown
