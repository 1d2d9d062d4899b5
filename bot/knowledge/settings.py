"""The ``knowledge:`` section: where the FAQ lives, its docs links and how sure an answer must be.

It sits beside the library so that loading the FAQ needs nothing but the
knowledge package; :func:`bot.config.load_settings` calls :func:`read_knowledge`
with the raw section while it assembles the whole tree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config_section import Section
from bot.errors import ConfigError

DEFAULT_DOCS_BASE_URL = "https://learn.microsoft.com/zh-cn/azure/container-registry/"
# Per-language docs for editions of the FAQ (knowledge.docs_base_urls overrides or adds).
DEFAULT_DOCS_BASE_URLS = {
    "en": "https://learn.microsoft.com/en-us/azure/container-registry/",
    "zh-tw": "https://learn.microsoft.com/zh-tw/azure/container-registry/",
}
KEYS = (
    "paths",
    "docs_base_url",
    "docs_base_urls",
    "answer_threshold",
    "suggest_threshold",
    "reload_interval",
    "approvers",
    "capture_reaction",
)
PEOPLE_KEYS = ("users", "usergroups")
_REACTION = re.compile(r"[a-z0-9_+'-]{1,100}")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
_BOT = Path(__file__).resolve().parent.parent


def bundled_knowledge_dir() -> Path:
    """Where the FAQ shipped with acrbot lives, installed or in a checkout."""
    installed = Path(__file__).parent.parent / "_bundled_knowledge"
    if installed.is_dir():
        return installed
    return _BOT.parent / "knowledge"


@dataclass(frozen=True)
class People:
    """Who is named, as access rules name people: user IDs and user group IDs."""

    users: frozenset[str] = frozenset()
    usergroups: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.users or self.usergroups)

    def names(self, user: str, groups: Callable[[], Iterable[str]]) -> bool:
        """``groups`` (the person's user groups) is asked only when a group could decide."""
        if "*" in self.users or user in self.users:
            return True
        return bool(self.usergroups) and bool(self.usergroups & set(groups()))


def read_people(section: Section, key: str) -> People:
    """``{users: [U…], usergroups: [S…]}`` under ``key``; absent means nobody."""
    if key not in section:
        return People()
    people = section.section(key, PEOPLE_KEYS)
    return People(
        frozenset(people.strings("users", what="user IDs")),
        frozenset(people.strings("usergroups", what="user group IDs")),
    )


@dataclass(frozen=True)
class KnowledgeSettings:
    paths: tuple[Path, ...] = field(default_factory=lambda: (bundled_knowledge_dir(),))
    docs_base_url: str = DEFAULT_DOCS_BASE_URL
    docs_base_urls: Mapping[str, str] = field(
        default_factory=lambda: {**DEFAULT_DOCS_BASE_URLS, "zh": DEFAULT_DOCS_BASE_URL}
    )
    answer_threshold: float = 0.5
    suggest_threshold: float = 0.2
    reload_interval: float = 2.0
    approvers: People = field(default_factory=People)  # who approves captured answers
    capture_reaction: str | None = None  # e.g. "books": a reaction that starts a capture


def read_knowledge(raw: Any, base: Path, env: Mapping[str, str]) -> KnowledgeSettings:
    """The section from YAML; ``ACRBOT_KNOWLEDGE_DIR`` replaces ``paths`` when set."""
    section = Section(raw, "knowledge", KEYS)
    paths = _paths(section, base, env)
    docs = section.url("docs_base_url", DEFAULT_DOCS_BASE_URL) or DEFAULT_DOCS_BASE_URL
    return KnowledgeSettings(
        paths=paths,
        docs_base_url=_slash(docs),
        docs_base_urls=_docs_by_language(section, docs),
        answer_threshold=section.number("answer_threshold", 0.5, minimum=0, maximum=1),
        suggest_threshold=section.number("suggest_threshold", 0.2, minimum=0, maximum=1),
        reload_interval=section.number("reload_interval", 2.0, positive=True, maximum=86400),
        approvers=read_people(section, "approvers"),
        capture_reaction=_reaction(section),
    )


def _reaction(section: Section) -> str | None:
    name = section.text("capture_reaction")
    if name is None:
        return None
    name = name.strip(":").lower()
    if not _REACTION.fullmatch(name):
        raise ConfigError(
            section.name("capture_reaction"), "must be an emoji name such as books (no colons)"
        )
    return name


def _paths(section: Section, base: Path, env: Mapping[str, str]) -> tuple[Path, ...]:
    if env.get("ACRBOT_KNOWLEDGE_DIR"):
        return tuple(Path(p) for p in env["ACRBOT_KNOWLEDGE_DIR"].split(os.pathsep) if p)
    if "paths" not in section:
        return (bundled_knowledge_dir(),)
    listed = section.get("paths")
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, list) or not all(isinstance(p, str) and p for p in listed):
        raise ConfigError("knowledge.paths", "must be a list of folders or files")
    if not listed:
        raise ConfigError("knowledge.paths", "must list at least one folder or file")
    return tuple(p if p.is_absolute() else base / p for p in map(Path, listed))


def _docs_by_language(section: Section, zh_docs: str) -> dict[str, str]:
    """Each edition's docs base URL: English and zh-TW defaults, ``zh`` from docs_base_url."""
    raw = section.get("docs_base_urls", {})
    where = section.name("docs_base_urls")
    if not isinstance(raw, Mapping):
        raise ConfigError(where, "must map languages (en, zh, zh-tw …) to http(s) URLs")
    urls = Section(raw, where, known=[k for k in raw if isinstance(k, str)])
    by_language = {**DEFAULT_DOCS_BASE_URLS, "zh": zh_docs}
    for language in raw:
        if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language.lower()):
            raise ConfigError(f"{where}.{language}", "is not a language such as en, zh or zh-tw")
        by_language[language.lower()] = urls.url(language) or ""
    return {language: _slash(url) for language, url in by_language.items()}


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"
