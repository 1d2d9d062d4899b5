"""The bilingual glossary: domain terms and their synonyms in English and Chinese.

Search maps every surface form (``image``, ``映像``, ``镜像``, ``图像`` …) to one
concept, which is what lets an English question meet a Chinese answer. The
glossary also repairs the seed's machine translation: a wrong rendering
(``浅绿`` for the vendor Aqua) is listed as a surface form of what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import KnowledgeError


@dataclass(frozen=True)
class Concept:
    id: str
    forms: tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    concepts: tuple[Concept, ...] = ()

    def forms(self) -> dict[str, set[str]]:
        """Surface form (lower case) → ids of the concepts it may stand for."""
        table: dict[str, set[str]] = {}
        for concept in self.concepts:
            for form in concept.forms:
                table.setdefault(form.lower(), set()).add(concept.id)
        return table


def load_glossary(path: Path) -> Glossary:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot read the glossary ({exc})") from None
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        raise KnowledgeError(f"{path.name}: expected a top-level 'terms:' list")
    concepts = []
    for number, term in enumerate(terms, 1):
        if not isinstance(term, dict) or not isinstance(term.get("id"), str):
            raise KnowledgeError(f"{path.name}: term {number} needs an 'id'")
        forms = [term["id"].replace("-", " ")]
        for language in ("en", "zh"):
            listed = term.get(language) or []
            if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
                raise KnowledgeError(
                    f"{path.name}: term '{term['id']}': '{language}' must be a list"
                )
            forms.extend(listed)
        concepts.append(Concept(term["id"], tuple(dict.fromkeys(f.strip() for f in forms if f))))
    return Glossary(tuple(concepts))


def merge(glossaries: list[Glossary]) -> Glossary:
    return Glossary(tuple(c for g in glossaries for c in g.concepts))
