"""Shared fixtures for the Slack layer's pure modules (no network, no Bolt app).

``triager`` is the bundled FAQ's, for the alert listeners and rendering.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.knowledge.library import Library
from bot.knowledge.model import Entry
from bot.services import faq_search_from
from bot.triage import Triager

FAQ = Path(__file__).parents[2] / "knowledge" / "container-registry-faq.zh-cn.md"


@pytest.fixture(scope="session")
def library() -> Library:
    # env={}: the bundled knowledge, whatever ACRBOT_* the developer's shell has set
    return Library.from_settings(load_settings(env={}).knowledge)


@pytest.fixture(scope="session")
def entries(library: Library) -> dict[str, Entry]:
    return {entry.id: entry for entry in library.current.entries}


@pytest.fixture(scope="session")
def faq_text() -> str:
    return FAQ.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def triager(library: Library) -> Triager:
    return Triager(faq_search_from(library))
