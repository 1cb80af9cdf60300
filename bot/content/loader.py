"""Read the content directory into a validated :class:`~bot.content.store.Content`.

Every problem is reported as a :class:`Problem` (``file:line: message``) written
for content editors: what is wrong, where, and how to fix it. Loading never
raises anything but :class:`ContentInvalid` for bad content, whatever the files
hold (syntax errors, tabs, binary data, huge or deeply nested files).

The messages are the editors' only guide, so they name the key and the value,
point at the line of the offending key or value, and end with what to write
instead (``— write …``). ``content/README.md`` (section 9) shows editors a few.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import difflib
import gc
import os
import re
import typing
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.model import (
    BODY_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    Category,
    CategoryFile,
    Country,
    Entry,
    Region,
)
from bot.i18n import LANGUAGES

try:  # the C loader is much faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

#: A content file larger than this is refused before parsing: no real entry is
#: that long, and parsing a huge file would stall a reload.
MAX_FILE_BYTES = 1024 * 1024

#: Content is at most five levels deep (region → municipalities → item → geo →
#: lat). libyaml's composer recurses once per level in C and crashes the whole
#: process (segmentation fault) somewhere past 20,000 levels, less in a thread,
#: so deeper files are refused before they reach it.
MAX_NESTING = 50

#: After this many problems in one file the rest are summed up in one line: a
#: file of garbage would otherwise bury the other files' problems.
MAX_PROBLEMS_PER_FILE = 20

_TOO_DEEP = "the file is nested too deeply to be content — is this the right file?"


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the content: ``file`` (relative path), 1-based ``line``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """The content has problems; ``problems`` lists every one, sorted by file and line."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(map(str, self.problems)))


# --------------------------------------------------------------------------- YAML


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that refuses duplicate keys (PyYAML silently keeps the last one)
    and keeps impossible dates such as 2026-13-01 as text (PyYAML raises a bare
    ValueError), so the model reports them like any other bad date."""

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                first = seen.setdefault(key.value, key.start_mark.line + 1)
                if first != key.start_mark.line + 1:
                    raise _DuplicateKey(
                        problem=f"the key '{_cut(key.value)}' appears twice (also on line "
                        f"{first}) — keep one of them and delete the other",
                        problem_mark=key.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_lenient_timestamp(self, node):
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, TypeError, OverflowError, AttributeError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_lenient_timestamp)


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _nesting_line(text: str) -> int | None:
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


def _value_on(line: str) -> str:
    """The value part of a ``key: value`` or ``- value`` line ('' if none)."""
    match = _VALUE_START.match(line)
    return match.group(1).rstrip() if match else ""


def _quote_status(value: str) -> str:
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


def _explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
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
        value = _value_on(source(n))
        status = _quote_status(value)
        if status == "open":
            return n, (
                f"a quote ({value[0]}) opens a text here but is not closed on the same line — "
                f"add {value[0]} at the end of the text"
            )
        if n == pline and status == "apostrophe":
            return n, (
                "this text is in single quotes and also contains an apostrophe (') — put it in "
                f'double quotes instead: "{_cut(value[1:-1])}"'
            )
        if n == pline and status == "trailing":
            fixed = f"'{_cut(value)}'" if value[0] == '"' else f'"{_cut(value)}"'
            return n, f"the text goes on after its closing quote — {in_quotes}: {fixed}"
    line = source(pline)
    value = _value_on(line)
    if "mapping values are not allowed" in problem:
        if ": " in value:
            key = line.strip()[: len(line.strip()) - len(value)].strip()
            fixed = value.replace('"', "'")
            return pline, f"a text contains ': ' — {in_quotes}: {key} \"{_cut(fixed)}\""
        return pline, _indent_message()
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
        return pline, _indent_message()
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


def _indent_message() -> str:
    return (
        "the indentation of this line does not fit the lines above — keys at the same level "
        "must start in the same column (2 spaces per level; languages under title:, "
        "summary: and body: are indented by 2 spaces)"
    )


@dataclasses.dataclass
class _Doc:
    """One parsed file. The YAML node tree (for line numbers) is built only when a
    problem must be located: most files have none, and trees of tens of thousands
    of files would cost seconds and hundreds of megabytes."""

    path: Path
    rel: str
    data: Any
    text: str
    _node: yaml.Node | None = None

    @property
    def node(self) -> yaml.Node | None:
        if self._node is None:
            try:
                self._node = _compose(self.text)
            except Exception:  # the file parsed once, so this is only a safety net
                return None
        return self._node

    def line(self, *path: Any) -> int:
        """1-based line of the key or value at ``path`` (the deepest part found)."""
        return _find(self.node, path)[0]

    def release(self) -> None:
        """Free the node tree and the parsed data (the text stays for line look-ups)."""
        self._node = None
        self.data = None


class _Collector:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent if self.root.name else self.root))
        except ValueError:
            return str(path)

    def add(self, rel: str, line: int, message: str) -> None:
        self.problems.append(Problem(rel, max(line, 1), message))


def _read_yaml(path: Path, out: _Collector) -> _Doc | None:
    """Parse one file; on any problem report it to ``out`` and return None."""
    rel = out.rel(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            out.add(
                rel,
                1,
                f"the file is {size / 1_048_576:.1f} MB, but a content file must be under "
                f"{MAX_FILE_BYTES // 1_048_576} MB (an entry has a few KB) — is this the right "
                "file? Remove it, or split it into one file per entry",
            )
            return None
        raw = path.read_bytes()
    except OSError as exc:
        out.add(rel, 1, f"cannot read the file ({exc.strerror or exc}) — check that it exists")
        return None
    if b"\x00" in raw:
        out.add(
            rel,
            1,
            "this is not a text file (it holds binary data) — content files are plain text "
            "saved as UTF-8; delete it or replace it with the right file",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = raw[exc.start : exc.start + 2].decode("cp1252", errors="replace")[:1]
        out.add(
            rel,
            line,
            f"the file is not saved as UTF-8 (the character '{guess}' on this line is in another "
            "encoding, e.g. Windows-1252 or Latin-1) — save the file as UTF-8 in your editor",
        )
        return None
    if not text or text.isspace():
        out.add(rel, 1, "the file is empty — write the content or delete the file")
        return None
    deep = _nesting_line(text)
    if deep is not None:
        out.add(
            rel,
            deep,
            f"the file is nested more than {MAX_NESTING} levels deep (content has at most 5) — "
            "is this the right file?",
        )
        return None
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except _DuplicateKey as exc:
        out.add(rel, exc.problem_mark.line + 1, exc.problem)
        return None
    except yaml.MarkedYAMLError as exc:
        out.add(rel, *_explain_yaml_error(exc, text))
        return None
    except yaml.reader.ReaderError as exc:
        line, char = _control_character(text, exc)
        out.add(
            rel,
            line,
            f"the file contains an invisible control character ({char}) on this line — delete "
            "it; it often comes with text copied from a PDF or a word processor",
        )
        return None
    except RecursionError:
        out.add(rel, 1, _TOO_DEEP)
        return None
    except Exception as exc:  # a YAML or constructor error of a kind not seen before
        out.add(rel, 1, f"the file cannot be read as YAML ({type(exc).__name__}: {_cut(exc)})")
        return None
    if data is None:
        out.add(rel, 1, "the file holds only comments — write the content or delete the file")
        return None
    return _Doc(path, rel, data, text)


def _control_character(text: str, exc: yaml.reader.ReaderError) -> tuple[int, str]:
    match = re.search(
        r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]", text
    )
    if match is None:
        return 1, f"#x{exc.character:04x}" if isinstance(exc.character, int) else "?"
    return text.count("\n", 0, match.start()) + 1, f"U+{ord(match.group(0)):04X}"


# ------------------------------------------------------------------ line look-up


def _internal(part: Any) -> bool:
    """True for the parts pydantic adds to an error location (union branches, '[key]')."""
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _find(node: yaml.Node | None, loc: Iterable[Any]) -> tuple[int, yaml.Node | None]:
    """1-based line of the YAML node at pydantic error location ``loc``, and the node.

    The line is the value's when the value is a text on the key's line, and the
    key's when the value is a block of lines below it (``title:`` rather than its
    first language). When part of ``loc`` is not in the file (a missing key),
    the line of the deepest part found is returned, with None as the node.
    """
    if node is None:
        return 1, None
    line = node.start_mark.line + 1
    for part in loc:
        if _internal(part):
            continue
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child, key_line = value, key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            key_line = child.start_mark.line + 1
        if child is None:
            return line, None
        if child.start_mark.index < node.start_mark.index:
            # An alias (*name) of a node defined further up: its lines are elsewhere.
            return key_line, None
        node = child
        line = node.start_mark.line + 1 if isinstance(node, yaml.ScalarNode) else key_line
    return line, node


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at pydantic error location ``loc`` (deepest found)."""
    return _find(node, loc)[0]


# ---------------------------------------------------------------------- messages

_TRANSLATED = {"title", "summary", "body", "name"}
_TEXT_LIMITS = {
    "title": (TITLE_MAX_CHARS, "a title"),
    "summary": (SUMMARY_MAX_CHARS, "a summary (1 to 3 short sentences)"),
    "body": (BODY_MAX_CHARS, "the body"),
}
_SLUG_FIELDS = {"id", "category", "country", "counselling", "scope"}
_LANG_LIST = ", ".join(LANGUAGES)

#: Names of languages (in English, German and French) and country codes editors
#: write instead of the language code.
_LANGUAGE_NAMES = {
    "en": "english englisch anglais eng gb uk-en",
    "de": "german deutsch allemand ger deu at ch",
    "fr": "french französisch franzoesisch francais français fra fre",
    "lb": "luxembourgish luxemburgisch luxembourgeois lëtzebuergesch letzebuergesch ltz lu",
    "pt": "portuguese portugiesisch portugais por br",
    "ar": "arabic arabisch arabe ara sy iq",
    "fa": "persian farsi dari persisch persan fas per prs ir af",
    "ps": "pashto paschtu pachto pus pbt",
    "uk": "ukrainian ukrainisch ukrainien ukr ua",
    "ru": "russian russisch russe rus",
    "tr": "turkish türkisch turkisch turc tur",
    "ti": "tigrinya tigrinisch tigrigna tir er",
}
_LANGUAGE_OF = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split()}

#: Words editors use for a key, and the key they mean.
_KEY_SYNONYMS = {
    "telephone": "phone",
    "tel": "phone",
    "phone_number": "phone",
    "mail": "email",
    "e_mail": "email",
    "url": "website",
    "web": "website",
    "homepage": "website",
    "site": "website",
    "hours": "opening_hours",
    "opening": "opening_hours",
    "description": "summary",
    "text": "body",
    "details": "body",
    "name": "title",
    "tags": "keywords",
    "price": "cost",
    "location": "geo",
    "coordinates": "geo",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "long": "lon",
    "municipality": "scope",
    "communes": "municipalities",
    "date": "reviewed",
    "checked": "reviewed",
}

_MISSING_HINTS = {
    "id": "add the line 'id: {stem}' (the id is the file name without .yaml)",
    "category": "add e.g. 'category: services' (one of the ids in categories.yaml)",
    "title": "add 'title:' and below it one line per language, e.g. '  fr: Mairie de Remich'",
    "summary": (
        "add 'summary:' and below it 1 to 3 short sentences per language, e.g. "
        "'  fr: Le bureau aide les nouveaux arrivants.'"
    ),
    "name": "add 'name:' and below it one line per language, e.g. '  fr: Remich'",
    "geo": "add the coordinates of the town centre, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "lat": "write both, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "lon": "write both, e.g. 'geo: {lat: 49.545, lon: 6.367}'",
    "default_language": "add e.g. 'default_language: fr'",
    "country": "add the id of a folder in countries/, e.g. 'country: lu'",
    "municipalities": "list at least one municipality (see content/README.md, section 6)",
    "categories": "start the file with 'categories:' and list the categories below it",
}


def _cut(value: Any, limit: int = 60) -> str:
    """``value`` as one short line of text, for quoting in a message."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any, node: yaml.Node | None) -> str:
    """``value`` as the editor wrote it (``yes`` rather than True), for a message."""
    if isinstance(node, yaml.ScalarNode) and not isinstance(value, str):
        return _cut(node.value) if node.value else "nothing"
    if isinstance(value, str):
        return f"'{_cut(value)}'"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return _cut(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "'key: value' lines"
    return f"a {type(value).__name__} value"


def _read_as(value: Any) -> str | None:
    """How YAML read an unquoted value the editor meant as text, or None if it is text."""
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return None


def _slugify(value: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


def _language_hint(code: Any) -> str:
    """What to write instead of the language code ``code``."""
    text = str(code).strip()
    if text.lower() in LANGUAGES:
        return f"write language codes in small letters: '{text.lower()}'"
    guess = _LANGUAGE_OF.get(text.lower()) or _LANGUAGE_OF.get(text.lower().split("-")[0])
    if guess:
        return f"write '{guess}'"
    return f"use one of the bot's language codes: {_LANG_LIST}"


def _date_hint(value: Any) -> str:
    """Why ``value`` is not a date and what to write instead."""
    example = "write the date as YYYY-MM-DD, e.g. 2026-11-20"
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = map(int, match.groups())
        if not 1 <= month <= 12:
            return f"'{text}' is not a real date (there is no month {month}) — {example}"
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if not 1 <= day <= days:
            month_name = calendar.month_name[month]
            return f"'{text}' is not a real date ({month_name} has {days} days) — {example}"
    match = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
    if match:
        day, month, year = map(int, match.groups())
        with_dashes = f"{year:04d}-{month:02d}-{day:02d}"
        try:
            dt.date.fromisoformat(with_dashes)
            return f"'{text}' — write the date as YYYY-MM-DD: {with_dashes}"
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M} has a time — write only the date, e.g. {value:%Y-%m-%d}"
    return f"{_show(value, None)} is not a date — {example}"


def _model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The model class that holds the key at ``loc`` (``loc`` without that key)."""

    def inner(annotation: Any) -> type[BaseModel] | None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        for arg in typing.get_args(annotation):
            found = inner(arg)
            if found is not None:
                return found
        return None

    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int) or _internal(part):
            continue
        field = current.model_fields.get(part) if current and isinstance(part, str) else None
        if field is None:
            return None
        current = inner(field.annotation)
    return current


def _unknown_key_guess(key: Any, model: type[BaseModel] | None) -> str | None:
    """The key of ``model`` that the unknown ``key`` was probably meant to be."""
    fields = list(model.model_fields) if model else []
    normalised = str(key).strip().lower().replace("-", "_").replace(" ", "_")
    if normalised in fields:
        return normalised
    if _KEY_SYNONYMS.get(normalised) in fields:
        return _KEY_SYNONYMS[normalised]
    close = difflib.get_close_matches(normalised, fields, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown_key(key: Any, model: type[BaseModel] | None, top_level: bool) -> str:
    name = str(key)
    fields = list(model.model_fields) if model else []
    guess = _unknown_key_guess(key, model)
    if guess is not None:
        return f"unknown key '{_cut(name)}' — did you mean '{guess}'?"
    if top_level and name in LANGUAGES:
        return (
            f"unknown key '{name}' — a language line belongs under title:, summary: or body:, "
            "indented by 2 spaces; check the indentation of this line"
        )
    if 0 < len(fields) <= 8:
        return f"unknown key '{_cut(name)}' — the keys here are: {', '.join(fields)}"
    return (
        f"unknown key '{_cut(name)}' — delete it, or check its spelling against content/README.md"
    )


def _describe_scope(error: dict[str, Any], named: list[str], node: yaml.Node | None) -> str | None:
    kind, value = error["type"], error.get("input")
    example = "scope: [remich, dalheim]"
    if kind == "literal_error" and isinstance(value, list):
        return None  # the list branch of the union explains it
    if kind == "value_error":
        return f"scope: {error['msg'].removeprefix('Value error, ')}"
    if isinstance(value, str) and len(named) == 1:
        ids = [part for part in re.split(r"[\s,;]+", value) if part]
        as_list = f"scope: [{', '.join(ids)}]" if ids else example
        return (
            f"scope: '{_cut(value)}' — to show the entry only in some municipalities write "
            f"their ids as a list in square brackets: {as_list}; for the whole region write "
            "'scope: region'"
        )
    if value is None and len(named) == 1:
        return (
            "scope is empty — write 'region', 'national' or a list of municipality ids, "
            f"e.g. {example}"
        )
    if len(named) == 1 and not isinstance(value, list):
        return (
            f"scope: {_show(value, node)} — write 'region', 'national' or a list of "
            f"municipality ids, e.g. {example}"
        )
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        suggestion = _slugify(value)
        fix = f", e.g. '{suggestion}'" if suggestion and suggestion != value else ""
        return (
            f"scope: '{_cut(value)}' is not a municipality id — use the ids from region.yaml "
            f"(small letters a-z, digits and '-'){fix}"
        )
    return (
        f"scope: {_show(value, node)} is not a municipality id — write the ids from "
        f"region.yaml, e.g. {example}"
    )


def _empty_text(named: list[str]) -> str:
    """Message for an empty text, ``named`` ending with the field and the language."""
    return f"{named[-2]}: the '{named[-1]}' text is empty — write the text or delete the line"


def _describe(
    error: dict[str, Any], model: type[BaseModel], doc: _Doc, node: yaml.Node | None
) -> str | None:
    """One pydantic error as a message for editors (None: not worth reporting)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    is_key = bool(loc) and loc[-1] == "[key]"
    named = [_cut(p, 30) for p in loc if not isinstance(p, int) and not _internal(p)]
    if is_key and named:
        named = named[:-1]  # the last named part is the bad key itself
    field = named[-1] if named else ""
    where = ".".join(named)
    shown = _show(value, node)
    msg = error["msg"].removeprefix("Value error, ")

    if named[:1] == ["scope"] and kind != "missing":
        return _describe_scope(error, named, node)
    if kind == "extra_forbidden":
        return _unknown_key(loc[-1], _model_at(model, loc[:-1]), top_level=len(loc) == 1)
    if kind == "invalid_key":
        return f"'{_cut(loc[-1])}' cannot be a key — a key is a word followed by ':', e.g. 'title:'"
    if kind == "missing":
        hint = _MISSING_HINTS.get(field, f"add '{field}: …' (see content/README.md)")
        hint = hint.replace("{stem}", doc.path.stem)
        parent = ".".join(named[:-1])
        return f"{parent + ': ' if parent else ''}{field} is missing — {hint}"
    if kind == "literal_error" and (is_key or field in {"default_language", "languages"}):
        what = f"{where}: " if where else ""
        return f"{what}'{_cut(value)}' is not a language code — {_language_hint(value)}"
    if kind == "literal_error" and field == "cost":
        return f"cost: {shown} — write free, paid or reduced"
    if kind == "string_pattern_mismatch" and field in _SLUG_FIELDS:
        text = str(value)
        suggestion = _slugify(text)
        too_long = f" (it has {len(text)} characters)" if len(text) > 40 else ""
        fix = f", e.g. '{suggestion}'" if suggestion and suggestion != text else ""
        return (
            f"{where}: '{_cut(text)}' is not a valid id{too_long} — use only small letters a-z, "
            f"digits and '-', at most 40 characters{fix}"
        )
    if kind == "string_too_short" and len(named) >= 2:
        return _empty_text(named)
    if kind == "string_too_long" and len(named) >= 2:
        limit = ctx.get("max_length")
        length = len(str(value).strip())
        noun = _TEXT_LIMITS.get(named[-2], (limit, "this text"))[1]
        return (
            f"{named[-2]}: the '{field}' text has {length} characters, but {noun} can have at "
            f"most {limit} to fit on a phone screen — shorten it by {length - limit} characters"
        )
    if kind == "string_type":
        if value is None:
            if len(named) >= 2 and named[-2] in _TRANSLATED:
                return _empty_text(named)
            return f"{where} is empty — write a value or delete the line"
        read_as = _read_as(value)
        if read_as:
            key = _cut(loc[-1], 30) if isinstance(loc[-1], str) else None
            quoted = f'{key}: "{_show(value, node)}"' if key else f'"{_show(value, node)}"'
            return (
                f"{where}: {_show(value, node)} is read as {read_as} — put it in quotes: {quoted}"
            )
        if isinstance(value, list) and isinstance(loc[-1], int):
            return f"{where}: a list inside the list — write one flat list, e.g. [museum, cinema]"
        if isinstance(value, list):
            return f"{where} is a list — write one text"
        if isinstance(value, dict):
            return (
                f"{where} has 'key: value' lines below it, but it must be one text — if the "
                "text contains ': ', put it in quotes"
            )
        return f"{where}: {shown} is not a text — write a text, in quotes if in doubt"
    if kind == "dict_type" and field in _TRANSLATED:
        if isinstance(value, list):
            return (
                f"{where} is a list — write one text per language, e.g. 'en: Town hall' on "
                f"the line below '{field}:', indented by 2 spaces"
            )
        if isinstance(value, str) and re.match(r"^[a-z]{2,3}:\S", value):
            return (
                f"{where}: {shown} — put a space after the ':' of the language code, e.g. "
                "'en: Town hall'"
            )
        if value is None:
            return (
                f"{where} is empty — write one text per language on the lines below it, "
                "e.g. '  en: Town hall'"
            )
        return (
            f"{where}: {shown} — say which language the text is in: write it on the line "
            f"below '{field}:', indented by 2 spaces, e.g. '  en: Town hall'"
        )
    if kind == "dict_type":
        if field == "keywords":
            return f"{where}: {shown} — write one list per language, e.g. 'en: [museum, cinema]'"
        return f"{where}: {shown} — write 'key: value' lines here (one per language)"
    if kind == "list_type":
        if value is None:
            hint = _MISSING_HINTS.get(field, "write a list in square brackets, e.g. [a, b]")
            return f"{where} is empty — {hint}"
        if isinstance(value, str):
            items = [item.strip() for item in re.split(r"[,;]", value) if item.strip()]
            as_list = f"[{', '.join(_cut(item, 30) for item in items[:6])}]"
            return f"{where}: {shown} is one text — write a list in square brackets: {as_list}"
        if len(named) >= 2 and named[-2] == "keywords":
            example = f"{field}: [museum, cinema]"
        else:
            example = {"languages": "[fr, de, en]", "aliases": "[Réimech, Remisch]"}.get(
                field, "[a, b]"
            )
        return f"{where}: {shown} — write a list in square brackets, e.g. {example}"
    if kind in {"model_type", "model_attributes_type"}:
        if field == "geo":
            return f"geo: {shown} — write the coordinates as {{lat: 49.545, lon: 6.367}}"
        return f"{where}: {shown} — write 'key: value' lines here (see content/README.md)"
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return f"{where}: {shown} is not a number — write digits with a dot, e.g. 49.545"
    if kind in {"greater_than_equal", "less_than_equal"} and field in {"lat", "lon"}:
        limit = 90 if field == "lat" else 180
        name = "latitude" if field == "lat" else "longitude"
        return (
            f"{where}: {shown} is not a {name} — a {name} is between -{limit} and {limit}; did "
            "you swap lat and lon? Copy both from a map, e.g. {lat: 49.545, lon: 6.367}"
        )
    if kind in {"bool_type", "bool_parsing"}:
        if field == "example":
            return (
                f"example: {shown} — write true (the entry only illustrates the bot) or false "
                "(a real entry)"
            )
        return f"{where}: {shown} — write true or false"
    if kind.startswith(("date_", "datetime_")):
        return f"{where}: {_date_hint(value)}"
    if kind == "too_short" and field == "municipalities":
        return f"municipalities: the list is empty — {_MISSING_HINTS['municipalities']}"
    if kind == "too_short":
        return f"{where}: the list is empty — add at least one item"
    if kind == "literal_error":
        return f"{where}: {shown} — write one of: {ctx.get('expected', '')}"
    if not where or msg.startswith(field):
        return msg
    if kind == "value_error" and msg.startswith(("is ", "the ")):
        return f"{where} {msg}" if msg.startswith("is ") else f"{where}: {msg}"
    return f"{where}: {msg}"


def _validate(model: type[BaseModel], doc: _Doc, out: _Collector) -> Any:
    """``doc.data`` validated as ``model``, or None after reporting every problem."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    except RecursionError:
        out.add(doc.rel, 1, _TOO_DEEP)
        return None
    # A misspelt key also makes the key it was meant to be "missing": say it once.
    meant = {
        (tuple(e["loc"][:-1]), _unknown_key_guess(e["loc"][-1], _model_at(model, e["loc"][:-1])))
        for e in errors
        if e["type"] == "extra_forbidden"
    }
    seen: set[tuple[int, str]] = set()
    for error in errors:
        if error["type"] == "missing" and (tuple(error["loc"][:-1]), error["loc"][-1]) in meant:
            continue
        line, node = _find(doc.node, error["loc"])
        try:
            message = _describe(error, model, doc, node)
        except Exception:  # a message must never hide the problem itself
            message = f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
        if message is None or (line, message) in seen:
            continue
        if len(seen) == MAX_PROBLEMS_PER_FILE:
            out.add(
                doc.rel,
                line,
                f"… and more problems in this file (only the first {MAX_PROBLEMS_PER_FILE} are "
                "shown) — is this the right file?",
            )
            break
        seen.add((line, message))
        out.add(doc.rel, line, message)
    return None


def _not_a_mapping(doc: _Doc, what: str, example: str) -> str:
    """Message for a file whose top level is not ``key: value`` lines."""
    data = doc.data
    if isinstance(data, list):
        return (
            f"the file holds a list (its first lines start with '- '), but {what} is a set of "
            f"'key: value' lines starting with '{example}' — remove the '- ' in front of the keys"
        )
    if isinstance(data, str):
        return (
            f"the file holds only the text '{_cut(data)}', but {what} is a set of 'key: value' "
            f"lines starting with '{example}' — check that every key is followed by ': '"
        )
    return (
        f"the file holds only {_show(data, None)} — {what} is a set of 'key: value' lines "
        f"starting with '{example}'"
    )


# ------------------------------------------------------------------------ folders


def _listdir(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _looks_like_yaml(name: str) -> bool:
    """A name meant as YAML but not read as such ('x.YAML', 'x.yaml.txt'); not backups."""
    return re.search(r"\.ya?ml", name, re.IGNORECASE) is not None and not name.endswith("~")


def _yaml_files(folder: Path, out: _Collector | None = None) -> Iterator[Path]:
    """The ``.yaml`` files in ``folder``; reports (to ``out``) files and folders that an
    editor put there but the bot would silently ignore."""
    for name in _listdir(folder):
        if name.startswith("."):
            continue
        path = folder / name
        if name.endswith((".yaml", ".yml")):
            if path.is_file():
                yield path
            elif out is not None and path.is_dir():
                out.add(
                    out.rel(path),
                    1,
                    "this is a folder, not a file — entry files go directly in entries/",
                )
        elif out is not None and _looks_like_yaml(name) and path.is_file():
            stem = re.split(r"\.ya?ml", name, flags=re.IGNORECASE)[0]
            out.add(
                out.rel(path),
                1,
                f"this file is not read: an entry file's name ends in .yaml — rename it to "
                f"{stem}.yaml",
            )
        elif (
            out is not None
            and path.is_dir()
            and any(n.endswith((".yaml", ".yml")) for n in _listdir(path))
        ):
            out.add(
                out.rel(path),
                1,
                "the files in this folder are not read — move them directly into entries/",
            )


def _stray_entries(folder: Path, expected: str, hint: str, out: _Collector) -> None:
    """Report entry files put next to ``expected`` (region.yaml or country.yaml) instead
    of in entries/, where the loader would never read them. Other YAML files there
    (tool settings, notes) are left alone."""
    for name in _listdir(folder):
        path = folder / name
        if name == expected or name.startswith(".") or not _looks_like_yaml(name):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if re.search(r"^category:", text, re.MULTILINE):
            out.add(out.rel(path), 1, f"this entry file is not read — {hint}")


def load_content(root: str | os.PathLike[str]):
    """Load and validate every content file below ``root``.

    Returns a :class:`bot.content.store.Content`. Raises :class:`ContentInvalid`
    listing every problem when anything is wrong; nothing else escapes for bad
    files. See :class:`ContentLoader` for repeated loads of the same folder.
    """
    return ContentLoader().load(root)


@dataclasses.dataclass
class _Cached:
    key: tuple[int, int, int]
    doc: _Doc | None
    entry: Entry | None
    problems: list[Problem]


class ContentLoader:
    """Loads a content folder, remembering each entry file by its modification time,
    size and inode, so a reload parses and validates only the files that changed
    (cross-file checks always run on everything). One instance per folder; not
    thread-safe: run one :meth:`load` at a time."""

    def __init__(self) -> None:
        self._entries: dict[Path, _Cached] = {}

    def load(self, root: str | os.PathLike[str]):
        """Like :func:`load_content`; raises :class:`ContentInvalid` on any problem."""
        gc_was_enabled = gc.isenabled()
        # Loading builds millions of small objects and no cycles: the cyclic garbage
        # collector would rescan the growing heap again and again for nothing.
        gc.disable()
        try:
            return self._load(Path(root))
        finally:
            if gc_was_enabled:
                gc.enable()

    def _read_entry(self, path: Path, out: _Collector) -> _Cached:
        try:
            st = path.stat()
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            key = (0, 0, 0)
        cached = self._entries.get(path)
        if cached is not None and cached.key == key and key != (0, 0, 0):
            return cached
        before = len(out.problems)
        doc = _read_yaml(path, out)
        entry = None
        if doc is not None:
            if not isinstance(doc.data, dict):
                out.add(doc.rel, 1, _not_a_mapping(doc, "an entry", "id: …"))
            else:
                entry = _validate(Entry, doc, out)
            doc.release()
        problems = out.problems[before:]
        del out.problems[before:]
        cached = _Cached(key, doc, entry, problems)
        self._entries[path] = cached
        return cached

    def _load(self, root: Path):
        from bot.content.store import Content

        out = _Collector(root)
        if not root.is_dir():
            raise ContentInvalid(
                [Problem(str(root), 1, "the content folder does not exist — check the path")]
            )

        categories: dict[str, Category] | None = None
        cat_path = root / "categories.yaml"
        if not cat_path.is_file():
            out.add(out.rel(cat_path), 1, "categories.yaml is missing — it lists the categories")
        else:
            doc = _read_yaml(cat_path, out)
            if doc is not None:
                if not isinstance(doc.data, dict):
                    out.add(doc.rel, 1, _not_a_mapping(doc, "categories.yaml", "categories:"))
                else:
                    parsed = _validate(CategoryFile, doc, out)
                    if parsed:
                        categories = {}
                        for i, category in enumerate(parsed.categories):
                            if category.id in categories:
                                line = doc.line("categories", i, "id")
                                out.add(
                                    doc.rel,
                                    line,
                                    f"category '{category.id}' is listed twice — delete one "
                                    "of them (or give it another id)",
                                )
                            categories[category.id] = category
        return self._load_rest(root, out, categories, Content)

    def _load_rest(self, root, out, categories, Content):
        countries: dict[str, Country] = {}
        regions: dict[str, Region] = {}
        entries: dict[str, Entry] = {}
        entry_where: dict[str, tuple[_Doc, str | None, str | None]] = {}
        region_docs: dict[str, _Doc] = {}
        seen_paths: set[Path] = set()
        # Entry files that did not load: the id a region's counselling names may be
        # one of them, and "does not exist" would send the editor looking elsewhere.
        broken_stems: set[str] = set()

        def load_entries(folder: Path, region_id: str | None, country_id: str | None) -> None:
            for path in _yaml_files(folder / "entries", out):
                seen_paths.add(path)
                cached = self._read_entry(path, out)
                out.problems.extend(cached.problems)
                entry, doc = cached.entry, cached.doc
                if entry is None or doc is None:
                    broken_stems.add(path.stem)
                    continue
                if entry.id in entries:
                    first = entry_where[entry.id][0]
                    out.add(
                        doc.rel,
                        doc.line("id"),
                        f"id '{entry.id}' is already used by {first.rel}:"
                        f"{first.line('id')} — every entry needs its own id: change this one "
                        "(and rename the file to match)",
                    )
                    continue
                if path.stem != entry.id:
                    out.add(
                        doc.rel,
                        doc.line("id"),
                        f"the file name should be the id — rename the file to {entry.id}.yaml, "
                        f"or change the id to '{path.stem}'",
                    )
                entries[entry.id] = entry
                entry_where[entry.id] = (doc, region_id, country_id)

        def read_folders(parent: Path, file_name: str, model: type[BaseModel], what: str):
            """Each area folder (a country or a region) below ``parent``: yields
            ``(name, folder, parsed file or None, its _Doc or None)``."""
            for name in _listdir(parent):
                folder = parent / name
                if name.startswith(".") or not folder.is_dir():
                    if _looks_like_yaml(name):
                        out.add(
                            out.rel(folder),
                            1,
                            f"this file is not read — each {what} has its own folder: "
                            f"{parent.name}/<id>/{file_name}",
                        )
                    continue
                entries_are = "national entries" if what == "country" else "entry files"
                _stray_entries(
                    folder,
                    file_name,
                    f"{entries_are} belong in {parent.name}/{name}/entries/: move it there",
                    out,
                )
                path = folder / file_name
                parsed = doc = None
                if not path.is_file():
                    out.add(out.rel(path), 1, f"{file_name} is missing in this {what} folder")
                elif (doc := _read_yaml(path, out)) is not None:
                    if isinstance(doc.data, dict):
                        parsed = _validate(model, doc, out)
                    else:
                        out.add(doc.rel, 1, _not_a_mapping(doc, file_name, f"id: {name}"))
                if parsed is not None and parsed.id != name:
                    message = f"id must be the folder name — write 'id: {name}'"
                    out.add(doc.rel, doc.line("id"), message)
                yield name, folder, parsed, doc

        # The entries are checked even when country.yaml or region.yaml is broken:
        # one broken file must not hide the problems of others.
        for name, folder, country, _ in read_folders(
            root / "countries", "country.yaml", Country, "country"
        ):
            if country is not None:
                countries[country.id] = country
            load_entries(folder, None, country.id if country else name)

        for name, folder, region, doc in read_folders(
            root / "regions", "region.yaml", Region, "region"
        ):
            if region is not None:
                regions[region.id] = region
                region_docs[region.id] = doc
            load_entries(folder, region.id if region else name, region.country if region else None)

        for path in [p for p in self._entries if p not in seen_paths]:
            del self._entries[path]  # deleted files must not linger in memory

        if not regions and not out.problems:
            out.add(out.rel(root / "regions"), 1, "no region found — add regions/<id>/region.yaml")

        # Cross-file checks: only on files that loaded; a broken file is already reported.
        municipality_region: dict[str, str] = {}
        for region in regions.values():
            doc = region_docs[region.id]
            if (
                region.country not in countries
                and not (root / "countries" / region.country).is_dir()
            ):
                known = ", ".join(countries) or "none"
                out.add(
                    doc.rel,
                    doc.line("country"),
                    f"country '{region.country}' has no folder countries/{region.country}/ — "
                    f"use one of: {known}",
                )
            for i, municipality in enumerate(region.municipalities):
                if municipality.id in municipality_region:
                    out.add(
                        doc.rel,
                        doc.line("municipalities", i, "id"),
                        f"municipality id '{municipality.id}' is already used in region "
                        f"'{municipality_region[municipality.id]}' — ids must be unique",
                    )
                municipality_region.setdefault(municipality.id, region.id)
            if region.default_language not in region.name:
                out.add(
                    doc.rel,
                    doc.line("name"),
                    f"name has no '{region.default_language}' text — the region's default "
                    f"language needs a name: add '  {region.default_language}: …' below 'name:'",
                )

        for entry_id, entry in entries.items():
            doc, region_id, country_id = entry_where[entry_id]
            if categories is not None and entry.category not in categories:
                close = difflib.get_close_matches(entry.category, list(categories), n=1)
                hint = (
                    f"did you mean '{close[0]}'?"
                    if close
                    else f"use one of: {', '.join(categories)}"
                )
                out.add(
                    doc.rel,
                    doc.line("category"),
                    f"unknown category '{entry.category}' — {hint}",
                )
            if entry.example:
                # README, section 7: an illustration must not send anybody to a real
                # phone, door or inbox that has nothing to do with it.
                for field in ("phone", "address", "email", "website"):
                    if getattr(entry, field):
                        out.add(
                            doc.rel,
                            doc.line(field),
                            f"{field}: an example entry (example: true) must not have a "
                            f"{field} — delete the line, or write 'example: false' if the "
                            "entry is real",
                        )
            default_language = None
            if region_id is None:
                if entry.scope != "national":
                    out.add(
                        doc.rel,
                        doc.line("scope"),
                        "entries under countries/ are for the whole country — write "
                        "'scope: national'",
                    )
                country = countries.get(country_id or "")
                default_language = country.default_language if country else None
            elif region_id in regions:
                region = regions[region_id]
                default_language = region.default_language
                if entry.scope == "national":
                    out.add(
                        doc.rel,
                        doc.line("scope"),
                        f"national entries belong in countries/{region.country}/entries/ — move "
                        "the file there, or write 'scope: region'",
                    )
                elif isinstance(entry.scope, list):
                    self._check_scope(entry, doc, region, municipality_region, out)
            if default_language:
                for field in ("title", "summary"):
                    if default_language not in getattr(entry, field):
                        out.add(
                            doc.rel,
                            doc.line(field),
                            f"{field} has no '{default_language}' text — {default_language} is "
                            "the default language here, and every entry needs it: add "
                            f"'  {default_language}: …' below '{field}:'",
                        )
            for lang in sorted(set(entry.summary) - set(entry.title) - {default_language}):
                out.add(
                    doc.rel,
                    doc.line("title"),
                    f"title has no '{lang}' text but summary has — add '  {lang}: …' below "
                    "'title:'",
                )

        for region in regions.values():
            if (
                region.counselling
                and region.counselling not in entries
                and region.counselling not in broken_stems
            ):
                doc = region_docs[region.id]
                out.add(
                    doc.rel,
                    doc.line("counselling"),
                    f"counselling names entry '{region.counselling}', which does not exist — "
                    "write the id of a counselling entry of this region",
                )

        if out.problems:
            raise ContentInvalid(out.problems)
        return Content(
            categories=categories or {},
            countries=countries,
            regions=regions,
            entries=entries,
            entry_region={k: v[1] for k, v in entry_where.items()},
            entry_country={k: v[2] for k, v in entry_where.items()},
            entry_files={k: v[0].rel for k, v in entry_where.items()},
        )

    @staticmethod
    def _check_scope(
        entry: Entry,
        doc: _Doc,
        region: Region,
        municipality_region: dict[str, str],
        out: _Collector,
    ) -> None:
        known = [m.id for m in region.municipalities]
        for i, municipality_id in enumerate(entry.scope):
            if municipality_id in known:
                continue
            elsewhere = municipality_region.get(municipality_id)
            close = difflib.get_close_matches(municipality_id, known, n=1)
            if elsewhere:
                hint = (
                    f"it belongs to region '{elsewhere}': move the file to "
                    f"regions/{elsewhere}/entries/"
                )
            elif close:
                hint = f"did you mean '{close[0]}'?"
            else:
                hint = f"region '{region.id}' has: {', '.join(sorted(known))}"
            out.add(
                doc.rel,
                doc.line("scope", i),
                f"unknown municipality '{municipality_id}' in scope — {hint}",
            )
