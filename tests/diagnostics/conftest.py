"""Shared pieces for the diagnostics tests: a fake Azure, config for it, a service factory."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.diagnostics.audit import AuditLog
from bot.diagnostics.service import Diagnostics
from bot.diagnostics.settings import DiagnosticsSettings
from bot.faq_links import FaqLink
from bot.storage import SqliteStorage
from tests.fakes.azure_api import SUBSCRIPTION, TENANT, FakeAzure, FakeRegistry

# A distinctive token: every leak test searches outputs for it.
TOKEN = "acrbot-test-SECRET-token-7f3a9c"
ALICE, BOB, MALLORY = "UALICE", "UBOB", "UMALLORY"
OPS_CHANNEL = "COPS"


def base_config(fake: FakeAzure, **diagnostics: Any) -> dict[str, Any]:
    """Config pointing at the fake, with short timeouts so failure paths stay fast."""
    timing = {
        "deadline_seconds": 5,
        "connect_timeout_seconds": 0.5,
        "read_timeout_seconds": 0.5,
        "max_retries": 2,
        "max_retry_wait_seconds": 0.05,
    }
    timing.update(diagnostics)
    return {
        "azure": {
            "credential": "static",
            "tenant_id": TENANT,
            "subscriptions": [SUBSCRIPTION],
            "arm_endpoint": fake.arm_endpoint,
            "login_server_url": fake.login_server_url,
        },
        "access": {
            "rules": [
                {
                    "users": [ALICE, BOB],
                    "checks": ["*"],
                    "registries": ["*"],
                    "channels": [OPS_CHANNEL, "terminal"],
                }
            ]
        },
        "diagnostics": timing,
    }


class FaqRecorder:
    """Stands in for the knowledge base: records queries, answers with one link each."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, query: str, limit: int) -> list[FaqLink]:
        self.queries.append(query)
        slug = "-".join(query.split()[:2])
        return [FaqLink(id=slug, title=f"FAQ about {slug}", url=f"https://faq.example/{slug}")]


ServiceFactory = Callable[..., Diagnostics]


@pytest.fixture
def fake() -> Iterator[FakeAzure]:
    with FakeAzure([FakeRegistry("myreg")], token=TOKEN, slow_seconds=1.5) as server:
        yield server


@pytest.fixture
def faq() -> FaqRecorder:
    return FaqRecorder()


@pytest.fixture
def make_service(tmp_path: Path, faq: FaqRecorder) -> ServiceFactory:
    """Build a Diagnostics against ``fake``; keyword arguments override config or wiring."""

    def build(
        fake: FakeAzure,
        config: dict[str, Any] | None = None,
        claims: SqliteStorage | None = None,
        **wiring: Any,
    ) -> Diagnostics:
        raw = config if config is not None else base_config(fake)
        settings = DiagnosticsSettings.from_mapping(
            raw, tmp_path / "state", azure_token=wiring.pop("azure_token", fake.token)
        )
        wiring.setdefault("faq_search", faq)
        return Diagnostics(
            settings,
            secret=wiring.pop("secret", secrets.token_bytes(32)),
            claims=claims or SqliteStorage(tmp_path / "state" / "claims.sqlite"),
            audit=AuditLog(settings.audit_path),
            **wiring,
        )

    return build


def audit_lines(service: Diagnostics) -> list[dict[str, Any]]:
    return service.audit.recent(1000)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert "fake-refresh-" not in text
        assert "fake-access-" not in text
