"""One parsed content file (:class:`Doc`): its path, text and data, and the YAML node
tree for line numbers, built only when a problem must be located."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from bot.content.load.lines import find_node
from bot.content.load.yaml_syntax import compose


@dataclasses.dataclass
class Doc:
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
                self._node = compose(self.text)
            except Exception:  # the file parsed once, so this is only a safety net
                return None
        return self._node

    def line(self, *path: Any) -> int:
        """1-based line of the key or value at ``path`` (the deepest part found)."""
        return find_node(self.node, path)[0]

    def release(self) -> None:
        """Free the node tree and the parsed data (the text stays for line look-ups)."""
        self._node = None
        self.data = None
