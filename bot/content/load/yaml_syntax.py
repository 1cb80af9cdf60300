"""YAML for content files: the parser's settings and hints for editors on syntax errors.

- :class:`YamlLoader` is PyYAML's safe loader (libyaml's when available) that
  refuses duplicate keys (raising :class:`DuplicateKey`, a ``MarkedYAMLError``)
  and keeps impossible dates as text.
- :func:`nesting_line` finds files nested deeper than :data:`MAX_NESTING` before
  libyaml sees them.
- :func:`explain_yaml_error` turns a PyYAML ``MarkedYAMLError`` into a line and
  a message for the editor; :func:`control_character` does the same for a
  ``ReaderError``. Neither raises.
"""

from __future__ import annotations

import re

import yaml

from bot.content.load.problems import cut

try:  # the C loader is much faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: Content is at most five levels deep (region → municipalities → item → geo →
#: lat). libyaml's composer recurses once per level in C and crashes the whole
#: process (segmentation fault) somewhere past 20,000 levels, less in a thread,
#: so deeper files are refused before they reach it.
MAX_NESTING = 50


class DuplicateKey(yaml.MarkedYAMLError):
    """A key appears twice in one mapping; ``problem`` is the editor's message."""


class YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that refuses duplicate keys (PyYAML silently keeps the last one)
    and keeps impossible dates such as 2026-13-01 as text (PyYAML raises a bare
    ValueError), so the model reports them like any other bad date."""

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                first = seen.setdefault(key.value, key.start_mark.line + 1)
                if first != key.start_mark.line + 1:
                    raise DuplicateKey(
                        problem=f"the key '{cut(key.value)}' appears twice (also on line "
                        f"{first}) — keep one of them and delete the other",
                        problem_mark=key.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_lenient_timestamp(self, node):
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, TypeError, OverflowError, AttributeError):
            return self.construct_scalar(node)


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", YamlLoader.construct_lenient_timestamp)


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` (for line numbers), None for an empty document.

    Raises what :class:`YamlLoader` raises (``yaml.YAMLError`` and subclasses).
    """
    loader = YamlLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def nesting_line(text: str) -> int | None:
    """Line where ``text`` nests deeper than :data:`MAX_NESTING`, or None.

    Cheap for real files: a level needs a '[' or '{', or one more column of
    indentation (two levels per column at most, a mapping holding a list at
    the same indentation), so a short file or short lines cannot nest deep
    enough to matter, and only the others are walked event by event.
    """
    if len(text) <= 2000:
        return None
    bound = 2 * max(map(len, text.splitlines()), default=0) + text.count("[") + text.count("{")
    if bound <= 2000:
        return None
    depth = 0
    try:
        # PyYAML's pure-Python parser, not libyaml: libyaml has its own depth limit
        # (about 1,000 levels in 0.2.5+) and scans ahead, so it can stop before
        # this walk reaches MAX_NESTING, with its own wording.
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    return event.start_mark.line + 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # reported by the real parse, which stops at the same place
    return None


_VALUE_START = re.compile(
    r"^\s*(?:-\s+)*(?:(?:[^\s#'\"\[{][^#]*?|'[^']*'|\"[^\"]*\"):\s+|-\s+)(.*)$"
)
_CLOSED = {
    '"': re.compile(r'"(?:[^"\\]|\\.)*"'),
    "'": re.compile(r"'(?:[^']|'')*'"),
}


def value_on(line: str) -> str:
    """The value part of a ``key: value`` or ``- value`` line ('' if none)."""
    match = _VALUE_START.match(line)
    return match.group(1).rstrip() if match else ""


def quote_status(value: str) -> str:
    """How a value that starts with a quote ends on its line.

    'open': the quote is not closed; 'trailing': text follows the closing quote;
    'apostrophe': a single-quoted text with an apostrophe inside; '' otherwise.
    """
    quote = value[:1]
    if quote not in _CLOSED:
        return ""
    match = _CLOSED[quote].match(value)
    if match is None:
        return "open"
    rest = value[match.end() :]
    if not rest.strip() or re.match(r"\s+#", rest):
        return ""
    if quote == "'" and value.endswith("'"):
        return "apostrophe"
    return "trailing"


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """Line and editor-friendly message for a YAML syntax error.

    PyYAML says where the parser gave up, which is often a line or two after the
    mistake (an unclosed quote swallows the lines below it), so the usual
    mistakes are looked for on the lines themselves first.
    """
    lines = text.splitlines()

    def source(n: int) -> str:
        return lines[n - 1] if 0 < n <= len(lines) else ""

    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()
    pmark, cmark = exc.problem_mark, exc.context_mark
    pline = pmark.line + 1 if pmark else (cmark.line + 1 if cmark else 1)
    cline = cmark.line + 1 if cmark else pline
    in_quotes = "put the whole text in quotes"

    for n in dict.fromkeys((pline, cline)):
        if "\t" in source(n):
            return n, (
                "this line contains a tab — indent with spaces only (2 spaces per level); "
                "many editors can 'convert tabs to spaces'"
            )
    if context == "while scanning a quoted scalar":
        quote = source(cline)[cmark.column : cmark.column + 1] if cmark else '"'
        return cline, (
            f"a quote ({quote}) opens a text here but is never closed — add {quote} at the "
            "end of the text"
        )
    # An unclosed quote runs on to the next quote, often some lines further down.
    for n in range(pline, max(pline - 30, 0), -1):
        value = value_on(source(n))
        status = quote_status(value)
        if status == "open":
            return n, (
                f"a quote ({value[0]}) opens a text here but is not closed on the same line — "
                f"add {value[0]} at the end of the text"
            )
        if n == pline and status == "apostrophe":
            return n, (
                "this text is in single quotes and also contains an apostrophe (') — put it in "
                f'double quotes instead: "{cut(value[1:-1])}"'
            )
        if n == pline and status == "trailing":
            fixed = f"'{cut(value)}'" if value[0] == '"' else f'"{cut(value)}"'
            return n, f"the text goes on after its closing quote — {in_quotes}: {fixed}"
    line = source(pline)
    value = value_on(line)
    if "mapping values are not allowed" in problem:
        if ": " in value:
            key = line.strip()[: len(line.strip()) - len(value)].strip()
            fixed = value.replace('"', "'")
            return pline, f"a text contains ': ' — {in_quotes}: {key} \"{cut(fixed)}\""
        return pline, indent_message()
    if "could not find expected ':'" in problem:
        return cline, (
            "this line has no ':' after its key — write 'key: value'; a text that goes on "
            "over several lines must start with '|' (see content/README.md, section 2)"
        )
    if re.search(r"did not find expected ',' or '[\]}]'", problem):
        return cline, (
            "the list that opens with '[' (or '{') on this line is not closed on the same "
            "line, or a text in it contains ',' or ': ' — close it, e.g. [remich, dalheim], "
            "and put such texts in quotes"
        )
    if "constructor for the tag" in problem:
        return pline, f"a text starts with '!' — {in_quotes}"
    if "alias" in problem or "alias" in context or "anchor" in problem or "anchor" in context:
        return pline, f"a text starts with '*' or '&' — {in_quotes}"
    if "cannot start any token" in problem and pmark is not None:
        char = line[pmark.column : pmark.column + 1] or "?"
        return pline, f"a text cannot start with '{char}' — {in_quotes}"
    if "another document" in problem or "single document" in context:
        return pline, (
            "the file goes on after a '---' line — one file holds one entry: delete the "
            "'---' line, or move what follows into a file of its own"
        )
    if value[:1] in ("[", "{") and ("expected key" in problem or "block end" in problem):
        return pline, f"a text starts with '{value[0]}' — {in_quotes}"
    if any(word in problem for word in ("expected key", "block end", "indicator")) or (
        "block mapping" in context
    ):
        return pline, indent_message()
    if "block sequence entries are not allowed" in problem:
        return pline, (
            "a list item ('- ') cannot start on the same line as its key — put each item on "
            "its own line below the key, or write the list as [a, b]"
        )
    if "expected <document start>" in problem:
        return pline, (
            "this line cannot start here — look for a stray character at its start, and check "
            "the indentation (2 spaces per level)"
        )
    if "expected comment or line break" in problem:
        return pline, (
            "something follows the end of a value on this line (after a closing quote or "
            f"'|') — {in_quotes}, or start a long text on the line below '|'"
        )
    if "expected node content" in problem or "expected whitespace" in problem:
        return (
            pline,
            f"a value on this line starts with a character YAML does not allow — {in_quotes}",
        )
    if "unhashable" in problem:
        return pline, (
            "a key is written as a list or in braces — a key is a plain word like 'title'"
        )
    return pline, (
        f"this is not valid YAML ({problem or context or 'syntax error'}) — check the "
        "indentation (2 spaces per level) and put quotes around texts that contain ': ' or ' #'"
    )


def indent_message() -> str:
    """Message for a line whose indentation does not fit the lines above."""
    return (
        "the indentation of this line does not fit the lines above — keys at the same level "
        "must start in the same column (2 spaces per level; languages under title:, "
        "summary: and body: are indented by 2 spaces)"
    )


def control_character(text: str, exc: yaml.reader.ReaderError) -> tuple[int, str]:
    """Line and name (``U+0007``) of the control character PyYAML refused in ``text``."""
    match = re.search(
        r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]", text
    )
    if match is None:
        return 1, f"#x{exc.character:04x}" if isinstance(exc.character, int) else "?"
    return text.count("\n", 0, match.start()) + 1, f"U+{ord(match.group(0)):04X}"
