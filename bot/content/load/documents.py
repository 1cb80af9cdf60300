"""One content file, read and parsed (:func:`read_yaml` → :class:`Doc`), and
validated against a model (:func:`validate`).

Both report every problem to a :class:`~bot.content.load.problems.Collector` as
``file:line: message`` and return None instead of raising: a broken file must not
hide the problems of the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.content.load.doc import Doc
from bot.content.load.files import UnreadableFile, read_content_file
from bot.content.load.lines import find_node
from bot.content.load.messages import describe, model_at, unknown_key_guess
from bot.content.load.problems import Collector, cut
from bot.content.load.yaml_syntax import (
    MAX_NESTING,
    DuplicateKey,
    YamlLoader,
    control_character,
    explain_yaml_error,
    nesting_line,
)

#: After this many problems in one file the rest are summed up in one line: a
#: file of garbage would otherwise bury the other files' problems.
MAX_PROBLEMS_PER_FILE = 20

TOO_DEEP = "the file is nested too deeply to be content — is this the right file?"


def read_yaml(path: Path, out: Collector) -> Doc | None:
    """Read (safely, see :mod:`bot.content.load.files`) and parse one file of the
    content folder ``out.root``. Returns its :class:`Doc`; on any problem reports it
    to ``out`` and returns None. Raises nothing for bad files."""
    rel = out.rel(path)
    try:
        raw = read_content_file(path, out.root)
    except UnreadableFile as exc:
        out.add(rel, 1, exc.message)
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
    deep = nesting_line(text)
    if deep is not None:
        out.add(
            rel,
            deep,
            f"the file is nested more than {MAX_NESTING} levels deep (content has at most 5) — "
            "is this the right file?",
        )
        return None
    try:
        data = yaml.load(text, Loader=YamlLoader)  # a SafeLoader subclass
    except DuplicateKey as exc:
        out.add(rel, exc.problem_mark.line + 1, exc.problem)
        return None
    except yaml.MarkedYAMLError as exc:
        out.add(rel, *explain_yaml_error(exc, text))
        return None
    except yaml.reader.ReaderError as exc:
        line, char = control_character(text, exc)
        out.add(
            rel,
            line,
            f"the file contains an invisible control character ({char}) on this line — delete "
            "it; it often comes with text copied from a PDF or a word processor",
        )
        return None
    except RecursionError:
        out.add(rel, 1, TOO_DEEP)
        return None
    except Exception as exc:  # a YAML or constructor error of a kind not seen before
        out.add(rel, 1, f"the file cannot be read as YAML ({type(exc).__name__}: {cut(exc)})")
        return None
    if data is None:
        out.add(rel, 1, "the file holds only comments — write the content or delete the file")
        return None
    return Doc(path, rel, data, text)


def validate(model: type[BaseModel], doc: Doc, out: Collector) -> Any:
    """``doc.data`` validated as ``model``, or None after reporting every problem
    (at most :data:`MAX_PROBLEMS_PER_FILE`) to ``out``. Raises nothing for bad data."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    except RecursionError:
        out.add(doc.rel, 1, TOO_DEEP)
        return None
    # A misspelt key also makes the key it was meant to be "missing": say it once.
    meant = {
        (tuple(e["loc"][:-1]), unknown_key_guess(e["loc"][-1], model_at(model, e["loc"][:-1])))
        for e in errors
        if e["type"] == "extra_forbidden"
    }
    seen: set[tuple[int, str]] = set()
    for error in errors:
        if error["type"] == "missing" and (tuple(error["loc"][:-1]), error["loc"][-1]) in meant:
            continue
        line, node = find_node(doc.node, error["loc"])
        try:
            message = describe(error, model, doc, node)
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
