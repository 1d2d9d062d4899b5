"""The layering, read from the source: which packages may import which, and no cycles.

Every import counts, at module level or inside a function, because a lazy
import couples two modules as surely as a top-level one; it only moves the
moment the coupling bites. Imports under ``if TYPE_CHECKING:`` never run,
so they count for the layering (a type is a dependency) but not for cycles.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import bot

BOT = Path(bot.__file__).parent
DOMAIN = ("bot.knowledge", "bot.diagnostics", "bot.triage", "bot.storage", "bot.helpdesk")
OUTER = ("bot.slack", "bot.web", "bot.cli", "bot.services")
KNOWLEDGE_MAY_NOT = ("bot.diagnostics", "bot.triage")


def module_name(path: Path, root: Path = BOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = BOT) -> dict[str, Path]:
    files = (p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    return {module_name(p, root): p for p in sorted(files)}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Ids of the import nodes guarded by ``if TYPE_CHECKING:``."""
    guarded: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(test):
            for stmt in node.body:
                guarded.update(id(n) for n in ast.walk(stmt))
    return guarded


def _targets(node: ast.AST, here: str, is_package: bool, known: set[str]) -> list[str]:
    """The bot modules one import statement loads (a name that is a module counts as one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        package = here.split(".") if is_package else here.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([base] if base else []))
    found = []
    for alias in node.names:
        child = f"{base}.{alias.name}"
        found.append(child if child in known else base)
    return found


@functools.cache
def _parsed(path: Path, stamp: tuple[int, int]) -> ast.Module:
    """Each file parsed once per version: every rule below reads the whole graph again."""
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(name: str, path: Path, known: set[str], *, typing: bool = True) -> set[str]:
    """The bot modules ``name`` imports anywhere in its source."""
    tree = _parsed(path, _stamp(path))
    guarded = set() if typing else _type_checking_nodes(tree)
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        for target in _targets(node, name, is_package, known):
            if target == "bot" or target.startswith("bot."):
                found.add(_known_prefix(target, known))
    found.discard(name)
    return found


def _known_prefix(target: str, known: set[str]) -> str:
    while target not in known and "." in target:
        target = target.rsplit(".", 1)[0]
    return target


def graph(root: Path = BOT, *, typing: bool = True) -> dict[str, set[str]]:
    found = modules(root)
    stamps = tuple(sorted((name, _stamp(path)) for name, path in found.items()))
    return {name: set(targets) for name, targets in _graph(root, typing, stamps).items()}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@functools.cache
def _graph(root: Path, typing: bool, stamps: tuple) -> dict[str, frozenset[str]]:
    found = modules(root)
    known = set(found)
    return {
        name: frozenset(imports(name, path, known, typing=typing)) for name, path in found.items()
    }


def within(name: str, packages: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def reach(edges: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module loading ``start`` may load, each with the module that imports it."""
    via: dict[str, str] = {}
    todo = [start]
    while todo:
        name = todo.pop()
        for child in sorted(edges.get(name, ())):
            if child not in via and child != start:
                via[child] = name
                todo.append(child)
    return via


def forbidden(
    edges: dict[str, set[str]], sources: Iterable[str], targets: Iterable[str]
) -> list[str]:
    """``src imports dst (through mid)``: direct or indirect, lazy imports included."""
    sources, targets = tuple(sources), tuple(targets)
    found = []
    for src in sorted(n for n in edges if within(n, sources)):
        for dst, parent in sorted(reach(edges, src).items()):
            if within(dst, targets):
                through = "" if parent == src else f" (through {parent})"
                found.append(f"{src} imports {dst}{through}")
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


# --- the rules -----------------------------------------------------------------------


def test_domain_packages_import_nothing_from_the_outer_layers() -> None:
    assert forbidden(graph(), DOMAIN, OUTER) == []


def test_the_slack_transport_imports_nothing_from_http_or_the_command_line() -> None:
    """Routes are assembled in bot.web and handed the Slack app, never the other way round.

    Direct imports only: every package reaches ``bot.web.settings`` through the
    settings tree, which is where the ``serve:`` section belongs.
    """
    edges = graph()
    found = [
        f"{src} imports {dst}"
        for src in sorted(n for n in edges if within(n, ("bot.slack",)))
        for dst in sorted(edges[src])
        if within(dst, ("bot.web", "bot.cli"))
    ]
    assert found == []


def test_only_the_front_doors_build_the_services() -> None:
    """bot.web.app and bot.cli call build_services; the Slack app is handed what it needs."""
    builders = {
        name
        for name, path in modules().items()
        if "build_services(" in path.read_text(encoding="utf-8") and name != "bot.services"
    }
    assert builders <= {"bot.web.app", "bot.cli"}, builders


def test_knowledge_imports_nothing_from_diagnostics_or_triage() -> None:
    assert forbidden(graph(), ("bot.knowledge",), KNOWLEDGE_MAY_NOT) == []


def test_no_import_cycles_among_bot_modules_lazy_imports_included() -> None:
    assert cycles(graph(typing=False)) == []


# --- the reader itself: each rule can fail -------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "bot"
    for name, source in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return root


def test_a_lazy_import_of_slack_from_the_domain_is_caught(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "slack/__init__.py": "",
            "slack/blocks.py": "",
            "triage/__init__.py": "",
            "triage/triager.py": "def f():\n    from bot.slack import blocks\n",
        },
    )
    assert forbidden(graph(root), DOMAIN, OUTER) == ["bot.triage.triager imports bot.slack.blocks"]


def test_an_indirect_import_is_caught_and_named_with_its_way_in(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "config.py": "from bot.diagnostics.settings import X\n",
            "knowledge/__init__.py": "",
            "knowledge/library.py": "from bot.config import Y\n",
            "diagnostics/__init__.py": "",
            "diagnostics/settings.py": "",
        },
    )
    assert forbidden(graph(root), ("bot.knowledge",), KNOWLEDGE_MAY_NOT) == [
        "bot.knowledge.library imports bot.diagnostics.settings (through bot.config)"
    ]


def test_relative_imports_resolve_to_the_module_they_name(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "knowledge/__init__.py": "",
            "knowledge/library.py": "from ..diagnostics import settings\nfrom . import index\n",
            "knowledge/index.py": "",
            "diagnostics/__init__.py": "",
            "diagnostics/settings.py": "",
        },
    )
    assert graph(root)["bot.knowledge.library"] == {
        "bot.diagnostics.settings",
        "bot.knowledge.index",
    }


def test_a_cycle_through_a_lazy_import_is_caught_and_type_checking_is_not(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "a.py": "import bot.b\n",
            "b.py": "def f():\n    from bot import a\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot import a\n",
            "d.py": "from bot.c import x\n",
        },
    )
    (root / "a.py").write_text("import bot.b\nimport bot.d\n", encoding="utf-8")
    assert cycles(graph(root, typing=False)) == [["bot.a", "bot.b"]]


@pytest.mark.parametrize("package", DOMAIN)
def test_every_domain_package_is_read(package: str) -> None:
    assert any(within(name, (package,)) for name in graph())
