"""Read-only by construction: no way to spawn processes, one HTTP module, a closed catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot
from bot.diagnostics.checks import CHECKS
from tests.diagnostics.conftest import ALICE, OPS_CHANNEL, TOKEN, base_config
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.pull.world import CLUSTER_CONFIG, healthy, private_world

BOT = Path(bot.__file__).parent
DIAGNOSTICS = BOT / "diagnostics"
FORBIDDEN_MODULES = {"subprocess", "pty", "shlex", "commands", "popen2"}
FORBIDDEN_OS = {"system", "popen", "fork", "forkpty", "startfile"}
FORBIDDEN_OS_PREFIXES = ("exec", "spawn", "posix_spawn")
FORBIDDEN_ASYNCIO = {"create_subprocess_exec", "create_subprocess_shell"}


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def _violations(path: Path) -> list[str]:
    found = _violations_in(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(BOT.parent)}: {v}" for v in found]


def _violations_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        for name in _imported(node):
            root, _, attr = name.partition(".")
            if root in FORBIDDEN_MODULES:
                found.append(f"imports {name}")
            if root == "os" and (attr in FORBIDDEN_OS or attr.startswith(FORBIDDEN_OS_PREFIXES)):
                found.append(f"imports {name}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, attr = node.value.id, node.attr
            if owner == "os" and (attr in FORBIDDEN_OS or attr.startswith(FORBIDDEN_OS_PREFIXES)):
                found.append(f"uses os.{attr}")
            if owner == "asyncio" and attr in FORBIDDEN_ASYNCIO:
                found.append(f"uses asyncio.{attr}")
        if isinstance(node, ast.Constant) and node.value in FORBIDDEN_MODULES:
            found.append(f"names {node.value!r} (dynamic import?)")
    return found


def test_no_process_or_shell_anywhere_in_the_package() -> None:
    files = python_files(BOT)
    assert len(files) > 10
    problems = [v for path in files for v in _violations(path)]
    assert problems == []


def test_the_scan_would_catch_offenders() -> None:
    code = (
        "import subprocess\nimport os\nos.system('x')\nfrom os import popen\n"
        "import importlib\nimportlib.import_module('pty')\nos.execvp('sh', [])\n"
    )
    assert len(_violations_in(code)) == 5


def _runtime_imports(path: Path) -> set[str]:
    """Modules imported outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for child in ast.walk(node)}
    return {
        name.split(".")[0] if not name.startswith("bot.") else name
        for node in ast.walk(tree)
        if id(node) not in skipped
        for name in _imported(node)
    }


def test_only_the_azure_client_talks_http() -> None:
    talkers = {
        path.name
        for path in python_files(DIAGNOSTICS)
        if {"httpx", "requests", "urllib3", "http", "aiohttp"} & _runtime_imports(path)
    }
    assert talkers == {"azure_client.py"}


def test_diagnostics_know_nothing_of_slack() -> None:
    for path in python_files(DIAGNOSTICS):
        imports = _runtime_imports(path)
        assert not {"slack_sdk", "slack_bolt"} & imports, path
        assert not any(name.startswith("bot.slack") for name in imports), path


def test_the_catalogue_is_closed_and_frozen() -> None:
    assert set(CHECKS) == {"check-health", "usage", "info", "pull"}
    with pytest.raises(TypeError):
        CHECKS["delete-everything"] = CHECKS["info"]  # type: ignore[index]


def test_a_run_of_every_check_sends_only_gets_and_the_two_token_posts(make_service) -> None:
    registries = [
        FakeRegistry("myreg", cmk="mismatch", storage_used=499 * 1024**3),
        FakeRegistry("deniedreg", exchange_denied=True, rate_limited_once=frozenset({"registry"})),
        FakeRegistry("classicreg", sku="Classic", forbidden=True),
    ]
    with FakeAzure(registries, token=TOKEN) as fake:
        config = base_config(fake, rate_limit={"max_requests": 100, "window_seconds": 60})
        service = make_service(fake, config)
        for registry in ("myreg", "deniedreg", "classicreg"):
            for check in set(CHECKS) - {"pull"}:
                pending = service.request(ALICE, OPS_CHANNEL, registry, check)
                service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
        calls = fake.calls()
    assert len(calls) > 20
    for call in calls:
        allowed = call.method == "GET" or (
            call.method == "POST" and call.path.endswith(("/oauth2/exchange", "/oauth2/token"))
        )
        assert allowed, f"{call.method} {call.path}"
    assert {c.method for c in calls} == {"GET", "POST"}


def _only_reads(calls) -> None:
    for call in calls:
        allowed = call.method in ("GET", "HEAD") or (
            call.method == "POST" and call.path.endswith(("/oauth2/exchange", "/oauth2/token"))
        )
        assert allowed, f"{call.method} {call.path}"


def test_a_run_of_the_pull_check_sends_only_gets_heads_and_the_two_token_posts(
    make_service,
) -> None:
    """Every read the pull check has: cluster, roles, egress, endpoints, DNS, image, index, config."""
    world = private_world(healthy())
    world.role_definitions = {"99999999-9999-4999-8999-999999999999": {"permissions": {}}}
    with world.azure() as fake:
        config = base_config(fake, rate_limit={"max_requests": 100, "window_seconds": 60})
        config["azure"]["clusters"] = [CLUSTER_CONFIG]
        service = make_service(fake, config)
        for image in (
            "shop/api:1.4",
            "shop/api:1.3",
            "shop/api:9.9",
            "shop/api@sha256:" + "0" * 64,
        ):
            pending = service.request(
                ALICE, OPS_CHANNEL, f"contosoreg.azurecr.io/{image}", "pull", cluster="aks-prod"
            )
            service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
        calls = fake.calls()
    routes = {c.route for c in calls}
    assert {"cluster", "role_assignments", "private_endpoint", "dns_zone_groups"} <= routes
    assert {"dns_records", "dns_links", "manifest", "tag", "tags", "manifest_meta"} <= routes
    assert "blob" in routes  # 1.3 is a single-platform image: its config blob is read
    _only_reads(calls)
    assert {c.method for c in calls} == {"GET", "HEAD", "POST"}
