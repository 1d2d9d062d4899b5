"""The pull tests read the static token from the environment, like the CLI does."""

from __future__ import annotations

import pytest

from tests.diagnostics.conftest import TOKEN


@pytest.fixture(autouse=True)
def _azure_token(monkeypatch) -> None:
    monkeypatch.setenv("ACRBOT_AZURE_TOKEN", TOKEN)
    monkeypatch.delenv("ACRBOT_STATE_DIR", raising=False)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
