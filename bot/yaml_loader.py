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

# libyaml's parser when PyYAML was built with it (the wheels are): the bundled glossary
# loads in 3.5 ms instead of 25 (a third of a knowledge-base rebuild), and nesting past
# libyaml's depth limit is a YAMLError where the pure-Python parser ran out of stack.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Loader):  # type: ignore[misc, valid-type]
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


def _refuse_aliases(root: yaml.Node) -> None:
    """An alias is its anchor's node met a second time: refuse it before anything is built.

    The composed graph has one node per anchor however often it is used, so
    this walk is as long as the text, never as long as the expansion.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise ConstructorError(
                None, None, "aliases (*name) are not allowed here", node.start_mark
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_yaml(text: str) -> Any:
    """Parse one YAML document strictly; raises ``yaml.YAMLError`` with a mark."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def error_line(exc: yaml.YAMLError) -> str:
    """`` at line N`` for an error that knows where it happened, else ``""``."""
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}" if mark else ""


def error_reason(exc: yaml.YAMLError) -> str:
    """The loader's own short reason (``duplicate key 'x'``), without the file excerpt."""
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else "not valid YAML"
