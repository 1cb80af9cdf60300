"""What the loader reports: a :class:`Problem` is one ``file:line: message`` for a
content editor, :class:`ContentInvalid` carries every problem of one load, and
:class:`Collector` gathers them while the files are read.

No I/O here, and nothing here raises: the loader raises :class:`ContentInvalid`
once it has looked at every file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any


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


class Collector:
    """The problems found so far in one load of the content folder ``root``.

    Paths are reported relative to the folder that holds ``root``, so they start
    with the content folder's own name (``content/regions/…``).
    """

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        """``path`` as the editor sees it (``content/…``); ``path`` itself if outside."""
        try:
            return str(path.relative_to(self.root.parent if self.root.name else self.root))
        except ValueError:
            return str(path)

    def add(self, rel: str, line: int, message: str) -> None:
        """Report ``message`` at ``rel``:``line`` (lines below 1 count as line 1)."""
        self.problems.append(Problem(rel, max(line, 1), message))


def cut(value: Any, limit: int = 60) -> str:
    """``value`` as one short line of text, for quoting in a message."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
