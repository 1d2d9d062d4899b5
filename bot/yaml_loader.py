"""YAML as acrbot reads it: safe types only, no aliases, no duplicate keys.

Config, glossary and FAQ front matter are small hand-written files. Aliases
buy nothing there and let a few hundred bytes expand into gigabytes (the
"billion laughs" shape), and a duplicated key silently drops the first value.
Both are refused with a ``yaml.YAMLError`` that carries the line, so callers
that already report YAML errors report these the same way.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError


class _StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ConstructorError(
                None, None, "aliases (*name) are not allowed here", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Hashable] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, Hashable):
                    if key in seen:
                        raise ConstructorError(
                            None, None, f"duplicate key {key!r}", key_node.start_mark
                        )
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """Parse one YAML document strictly; raises ``yaml.YAMLError`` with a mark."""
    return yaml.load(text, Loader=_StrictLoader)


def error_line(exc: yaml.YAMLError) -> str:
    """`` at line N`` for an error that knows where it happened, else ``""``."""
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}" if mark else ""


def error_reason(exc: yaml.YAMLError) -> str:
    """The loader's own short reason (``duplicate key 'x'``), without the file excerpt."""
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else "not valid YAML"
