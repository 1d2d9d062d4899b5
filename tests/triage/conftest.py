from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
from bot.knowledge.library import Library
from bot.services import faq_search_from
from bot.triage import Triager

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def library() -> Library:
    return Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL)


@pytest.fixture(scope="session")
def triager(library: Library) -> Triager:
    return Triager(faq_search_from(library))
