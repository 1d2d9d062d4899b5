from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
from bot.knowledge.library import KnowledgeBase, Library
from bot.knowledge.markdown_parser import parse_markdown_file
from bot.knowledge.model import Entry

SEED = bundled_knowledge_dir() / "container-registry-faq.zh-cn.md"


@pytest.fixture(scope="session")
def seed_entries() -> dict[str, Entry]:
    return {e.id: e for e in parse_markdown_file(SEED, DEFAULT_DOCS_BASE_URL)}


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL).current


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge folder."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    for source in bundled_knowledge_dir().iterdir():
        if source.is_file():
            (folder / source.name).write_bytes(source.read_bytes())
    return folder
