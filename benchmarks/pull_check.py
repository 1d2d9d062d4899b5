"""How long the pull check takes when every Azure call costs 100 ms, and how many calls it makes.

The fake Azure (tests/fakes) waits ``--delay`` seconds (default 0.1) before
answering each request, ARM and registry alike. Three worlds: the healthy
public one, the private-endpoint one (endpoints, zone group, records,
links, peerings), one with a missing tag (adds the tag listing) and a
single-platform image (adds the manifest GET and its config blob). The
check runs through ``Diagnostics.run_direct``, as ``acrbot diagnose --check
pull --cluster aks-prod --yes`` does; the registry and cluster are declared
in config, so no search is timed. Target: at most 1.5 s.

    python benchmarks/pull_check.py [--delay 0.1] [--runs 5]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.diagnostics.audit import AuditLog
from bot.diagnostics.service import Diagnostics
from bot.diagnostics.settings import DiagnosticsSettings
from bot.storage import SqliteStorage
from tests.diagnostics.conftest import TOKEN, base_config
from tests.fakes.azure_api import SUBSCRIPTION
from tests.pull.world import CLUSTER_CONFIG, World, healthy, private_world


def worlds() -> dict[str, tuple[World, str]]:
    return {
        "healthy (public)": (healthy(), "shop/api:1.4"),
        "private endpoint + DNS": (private_world(healthy()), "shop/api:1.4"),
        "missing tag": (healthy(), "shop/api:9.9"),
        "single-platform image (config blob)": (healthy(), "shop/api:1.3"),
    }


def run(world: World, image: str, delay: float, runs: int, state: Path) -> tuple[list[float], int]:
    world.delay_seconds = delay
    with world.azure() as fake:
        raw = base_config(fake, deadline_seconds=20, read_timeout_seconds=5)
        raw["azure"]["clusters"] = [CLUSTER_CONFIG]
        raw["azure"]["registries"] = [
            {"name": "contosoreg", "subscription": SUBSCRIPTION, "resource_group": "rg-acr"}
        ]
        settings = DiagnosticsSettings.from_mapping(raw, state, azure_token=TOKEN)
        service = Diagnostics(
            settings,
            secret=secrets.token_bytes(32),
            claims=SqliteStorage(state / "claims.sqlite3"),
            audit=AuditLog(settings.audit_path),
        )
        times, calls = [], 0
        for _ in range(runs):
            before = len(fake.calls())
            started = time.perf_counter()
            report = service.run_direct(
                f"contosoreg.azurecr.io/{image}", "pull", cluster="aks-prod", requester="bench"
            )
            times.append(time.perf_counter() - started)
            calls = len(fake.calls()) - before
            assert report.check == "pull"
    return times, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.1, help="seconds per Azure call")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"every call answered after {args.delay * 1000:.0f} ms; {args.runs} runs each")
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, (world, image)) in enumerate(worlds().items()):
            state = Path(tmp) / str(index)
            state.mkdir()
            times, calls = run(world, image, args.delay, args.runs, state)
            sequential = calls * args.delay
            print(
                f"{name:<24} median {statistics.median(times):.2f} s, max {max(times):.2f} s; "
                f"{calls} calls (one after another: {sequential:.1f} s)"
            )


if __name__ == "__main__":
    main()
