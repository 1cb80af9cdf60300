"""Line look-up: which line of a file a data path (a pydantic error location such
as ``("municipalities", 2, "geo", "lat")``) points at.

Works on the YAML node tree of :func:`bot.content.load.yaml_syntax.compose`;
nothing here reads files or raises.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml


def is_internal(part: Any) -> bool:
    """True for the parts pydantic adds to an error location (union branches, '[key]')."""
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def find_node(node: yaml.Node | None, loc: Iterable[Any]) -> tuple[int, yaml.Node | None]:
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
        if is_internal(part):
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


def line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at pydantic error location ``loc`` (deepest found)."""
    return find_node(node, loc)[0]
