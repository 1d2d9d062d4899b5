"""Count the test suite's assert statements by what they exercise for real.

    python benchmarks/count_real_assertions.py [--by-folder] [--json] [--repo PATH]

Moving tests in process must not quietly lose the behaviours that only a
real socket, a real Redis or a real process can show. This script makes
that visible: run it before and after a change to the tests and compare.

The heuristic is static (nothing is run) and deliberately simple:

* Every ``assert`` statement written inside a ``test_*`` function (nested
  helpers included) counts once, however often the test is parametrised.
  Asserts inside shared helpers (``_assert_no_live``) are not counted.
* A test "exercises" a category when its body, the fixtures it asks for
  (transitively: fixtures asking for fixtures, conftest.py included), or
  any function or class it names in ``tests/`` (transitively, across
  ``from tests... import``) contains a leaf signal:

  - **http**: a socket to something local: ``FakeSlack``, ``FakeAzure``,
    ``http.server``, ``socket``/``asyncio.open_connection``, or an
    ``httpx`` request not routed through ``httpx.ASGITransport``;
  - **redis**: ``RedisServer`` or a ``redis.Redis``/``redis.from_url``
    client (the session ``redis_url`` fixture is built on the former);
  - **process**: ``subprocess``, ``os.fork``/``multiprocessing``, or
    ``acrbot serve`` started by the fakes (which use ``subprocess``);
  - **asgi** (in process, not "real"): ``httpx.ASGITransport``, reported
    so that asserts moved off a real server can be seen to land there.

A test can count in several categories. The per-category numbers are
"asserts that would notice if this real thing broke", an upper bound: a
test that starts a fake Slack but asserts only on a return value still
counts under http.
"""

from __future__ import annotations

import argparse
import ast
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CATEGORIES = ("http", "redis", "process", "asgi")

_HTTP_NAMES = {"FakeSlack", "FakeAzure", "ThreadingHTTPServer", "HTTPServer", "urlopen"}
_HTTPX_CALLS = {"get", "post", "put", "delete", "head", "request", "stream", "Client"}
_SOCKET_CALLS = {"socket", "create_connection", "open_connection"}
_PROCESS_MODULES = {"subprocess", "multiprocessing"}
_TERMINAL = {"RedisServer": "redis", "FakeSlack": "http", "FakeAzure": "http"}


@dataclass
class Symbol:
    """A module-level function, class or fixture: its own signals and the names it uses."""

    signals: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # resolved to "module:name" keys later
    fixture_args: set[str] = field(default_factory=set)
    is_fixture: bool = False


def _leaf_signals(node: ast.AST) -> set[str]:
    found: set[str] = set()
    uses_asgi = any(
        (isinstance(n, ast.Attribute) and n.attr == "ASGITransport")
        or (isinstance(n, ast.Name) and n.id == "ASGITransport")
        for n in ast.walk(node)
    )
    if uses_asgi:
        found.add("asgi")
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            if n.id in _HTTP_NAMES:
                found.add("http")
            elif n.id == "RedisServer":
                found.add("redis")
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
            root, attr = n.value.id, n.attr
            if (root == "httpx" and attr in _HTTPX_CALLS and not uses_asgi) or (
                root in {"socket", "asyncio"} and attr in _SOCKET_CALLS
            ):
                found.add("http")
            elif root == "redis" and attr in {"Redis", "from_url", "StrictRedis"}:
                found.add("redis")
            elif root in _PROCESS_MODULES or (root == "os" and attr in {"fork", "spawnv"}):
                found.add("process")
    return found


def _names_used(node: ast.AST) -> set[str]:
    """Plain names, and ``module.attr`` pairs (``sr.post``) for attributes of a plain name."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name):
            names.add(f"{n.value.id}.{n.attr}")
    return names


def _requested(node: ast.AST) -> set[str]:
    """Fixtures asked for by name: ``request.getfixturevalue("redis_url")``."""
    return {
        n.args[0].value
        for n in ast.walk(node)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "getfixturevalue"
        and n.args
        and isinstance(n.args[0], ast.Constant)
    }


def _is_fixture(func: ast.AST) -> bool:
    for decorator in getattr(func, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target).endswith("fixture"):
            return True
    return False


def _module_name(path: Path, repo: Path) -> str:
    return ".".join(path.relative_to(repo).with_suffix("").parts)


class Index:
    """Every tests/ module's symbols, imports and tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.symbols: dict[str, Symbol] = {}
        self.imports: dict[str, dict[str, str]] = {}  # module -> local name -> "module:name"
        self.tests: list[tuple[str, Path, ast.FunctionDef, Symbol]] = []
        self.fixtures_by_dir: dict[Path, dict[str, str]] = defaultdict(dict)
        for path in sorted(root.rglob("*.py")):
            self._read(path)

    def _read(self, path: Path) -> None:
        module = _module_name(path, self.root.parent)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests"):
                for alias in node.names:
                    imports[alias.asname or alias.name] = f"{node.module}:{alias.name}"
        self.imports[module] = imports
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            symbol = Symbol(_leaf_signals(node), _names_used(node))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                symbol.fixture_args = {a.arg for a in node.args.args} | _requested(node)
                symbol.is_fixture = _is_fixture(node)
            key = f"{module}:{node.name}"
            self.symbols[key] = symbol
            if symbol.is_fixture:
                scope = path.parent if path.name == "conftest.py" else path
                self.fixtures_by_dir[scope][node.name] = key
            if node.name.startswith("test_") and isinstance(node, ast.FunctionDef):
                self.tests.append((module, path, node, symbol))

    def fixture_key(self, name: str, test_path: Path) -> str | None:
        """The fixture pytest would use: the test module's own, then conftest.py upwards."""
        if name in self.fixtures_by_dir.get(test_path, {}):
            return self.fixtures_by_dir[test_path][name]
        folder = test_path.parent
        while True:
            if name in self.fixtures_by_dir.get(folder, {}):
                return self.fixtures_by_dir[folder][name]
            if folder == self.root or folder == folder.parent:
                return None
            folder = folder.parent

    def signals_of(self, key: str, test_path: Path, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        if key in seen or key not in self.symbols:
            return set()
        seen.add(key)
        module, name = key.split(":")
        if name in _TERMINAL:  # what a Redis server or a fake does inside is not the test's
            return {_TERMINAL[name]}
        symbol = self.symbols[key]
        found = set(symbol.signals)
        for name in symbol.names:
            target = self._resolve(module, name)
            if target:
                found |= self.signals_of(target, test_path, seen)
        if symbol.is_fixture or key.split(":")[1].startswith("test_"):
            for arg in symbol.fixture_args:
                fixture = self.fixture_key(arg, test_path)
                if fixture:
                    found |= self.signals_of(fixture, test_path, seen)
        return found

    def _resolve(self, module: str, name: str) -> str | None:
        if "." in name:  # sr.post, with `from tests.fakes import slack_requests as sr`
            head, attr = name.split(".", 1)
            target = self.imports.get(module, {}).get(head)
            key = f"{target.replace(':', '.')}:{attr}" if target else ""
            return key if key in self.symbols else None
        local = f"{module}:{name}"
        if local in self.symbols:
            return local
        target = self.imports.get(module, {}).get(name)
        if target in self.symbols:
            return target
        return None


def count(root: Path = TESTS) -> dict[str, object]:
    """The counts for the ``tests/`` folder ``root`` (of this checkout, or another's)."""
    index = Index(root)
    totals: Counter[str] = Counter()
    by_folder: dict[str, Counter[str]] = defaultdict(Counter)
    listed: dict[str, list[str]] = defaultdict(list)
    for module, path, node, _symbol in index.tests:
        asserts = sum(isinstance(n, ast.Assert) for n in ast.walk(node))
        key = f"{module}:{node.name}"
        signals = index.signals_of(key, path)
        folder = str(path.parent.relative_to(root.parent))
        for category in signals:
            listed[category].append(f"{path.relative_to(root.parent)}::{node.name} ({asserts})")
        for counter in (totals, by_folder[folder]):
            counter["tests"] += 1
            counter["asserts"] += asserts
            for category in CATEGORIES:
                if category in signals:
                    counter[category] += asserts
    return {
        "totals": dict(totals),
        "by_folder": {k: dict(v) for k, v in sorted(by_folder.items())},
        "tests": dict(listed),
    }


def _row(name: str, counts: dict[str, int]) -> str:
    cells = [f"{counts.get(c, 0):>8}" for c in ("tests", "asserts", *CATEGORIES)]
    return f"{name:<24}" + "".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--by-folder", action="store_true", help="one row per test folder")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--list", choices=CATEGORIES, help="the tests counted in one category")
    parser.add_argument("--repo", type=Path, default=ROOT, help="another checkout to count")
    args = parser.parse_args()
    result = count(args.repo.resolve() / "tests")
    if args.list:
        print("\n".join(result["tests"].get(args.list, [])))  # type: ignore[union-attr]
        return
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'':<24}" + "".join(f"{h:>8}" for h in ("tests", "asserts", *CATEGORIES)))
    if args.by_folder:
        for folder, counts in result["by_folder"].items():  # type: ignore[union-attr]
            print(_row(folder, counts))
    print(_row("total", result["totals"]))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
