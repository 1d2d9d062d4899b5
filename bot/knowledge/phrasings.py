"""Reviewed alternate phrasings: ``knowledge/phrasings.yaml``, entry anchor → questions.

When people keep reaching an entry through "did you mean" (the search missed
their wording), a person approves the wording (``acrbot feedback --approve
ID`` or a plain edit of this file) and the index treats it as one more
question of that entry. Nothing is learned without that approval.

The file is a reviewed data file like the glossary::

    phrasings:
      how-do-i-get-admin-credentials-for-a-container-registry:
        - where do I find the acr login password
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import KnowledgeError
from bot.knowledge.files import is_regular, read_regular_text
from bot.yaml_loader import error_reason, load_yaml

FILE_NAME = "phrasings.yaml"
MAX_PHRASING = 500
HEADER = (
    "# Reviewed alternate phrasings: entry anchor -> questions people asked that\n"
    "# reached the entry through 'did you mean'. Search treats them as more\n"
    "# questions of the entry. Added by `acrbot feedback --approve ID` or by hand.\n"
)


@dataclass(frozen=True)
class Phrasings:
    by_anchor: dict[str, tuple[str, ...]] = field(default_factory=dict)


def is_phrasings(data: object) -> bool:
    return isinstance(data, dict) and "phrasings" in data


def phrasings_from(data: object, name: str) -> Phrasings:
    table = data.get("phrasings") if isinstance(data, dict) else None
    if table is None:
        return Phrasings()
    if not isinstance(table, dict):
        raise KnowledgeError(f"{name}: 'phrasings' must map entry anchors to lists of questions")
    result: dict[str, tuple[str, ...]] = {}
    for anchor, listed in table.items():
        if not isinstance(anchor, str) or not isinstance(listed, list):
            raise KnowledgeError(f"{name}: phrasings of {anchor!r} must be a list of questions")
        if not all(isinstance(p, str) for p in listed):
            raise KnowledgeError(f"{name}: phrasings of {anchor!r} must be text")
        result[anchor] = tuple(dict.fromkeys(p.strip()[:MAX_PHRASING] for p in listed if p.strip()))
    return Phrasings(result)


def merge(found: list[Phrasings]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, list[str]] = {}
    for phrasings in found:
        for anchor, listed in phrasings.by_anchor.items():
            merged.setdefault(anchor, []).extend(listed)
    return {a: tuple(dict.fromkeys(p)) for a, p in merged.items()}


def add_phrasing(path: Path, anchor: str, phrasing: str) -> bool:
    """Add one approved phrasing to ``path`` (created if missing); False if already there.

    The file is rewritten atomically (a temporary file renamed over it), so
    the library's reload never sees half a file.
    """
    phrasing = " ".join(phrasing.split())[:MAX_PHRASING]
    data: dict[str, object] = {}
    if path.exists():
        if not is_regular(path):
            raise KnowledgeError(f"{path}: not a regular file")
        try:
            loaded = load_yaml(read_regular_text(path)) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(f"{path.name}: {error_reason(exc)}; fix it first") from None
        if not isinstance(loaded, dict):
            raise KnowledgeError(f"{path.name}: expected a top-level 'phrasings:' mapping")
        data = loaded
    current = phrasings_from(data, path.name).by_anchor
    listed = list(current.get(anchor, ()))
    if phrasing in listed:
        return False
    table = {a: list(p) for a, p in current.items()}
    table[anchor] = [*listed, phrasing]
    data["phrasings"] = dict(sorted(table.items()))
    text = HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".phrasings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
