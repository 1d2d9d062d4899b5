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
from bot.knowledge.files import read_regular_text
from bot.yaml_loader import error_line, error_reason, load_yaml


@dataclass(frozen=True)
class Concept:
    id: str
    forms: tuple[str, ...]
    traditional: tuple[str, ...] = ()  # zh-tw forms, matched before OpenCC conversion
    simplified: str = ""  # the concept's first Simplified form: what a zh-tw form becomes
    core: bool = False  # what the FAQ's domain is about (registry, image …), see core_concepts


@dataclass(frozen=True)
class Glossary:
    concepts: tuple[Concept, ...] = ()
    # Simplified→Taiwan conversion leaves some words in their Windows or mainland
    # sense (注册表 → 登錄檔, the Windows registry file); this table, applied to a
    # converted answer, puts Azure's Taiwan wording back (容器登錄).
    zh_tw_rendering: tuple[tuple[str, str], ...] = ()

    def core_concepts(self) -> frozenset[str]:
        """Concepts marked ``core: true``: a question that names none is rarely about ACR.

        "What is a kubernetes pod" shares a concept with an entry, but nothing
        about registries; confidence weighs that (see index.Evidence.domain).
        """
        return frozenset(c.id for c in self.concepts if c.core)

    def forms(self) -> dict[str, set[str]]:
        """Surface form (lower case) → ids of the concepts it may stand for."""
        table: dict[str, set[str]] = {}
        for concept in self.concepts:
            for form in concept.forms:
                table.setdefault(form.lower(), set()).add(concept.id)
        return table

    def traditional_forms(self) -> dict[str, str]:
        """Traditional (Taiwan) form → the Simplified form it stands for."""
        return {
            form: concept.simplified or concept.id.replace("-", " ")
            for concept in self.concepts
            for form in concept.traditional
        }


def load_glossary(path: Path) -> Glossary:
    return glossary_from(read_yaml_file(path), path.name)


def read_yaml_file(path: Path) -> object:
    """A knowledge YAML file, strictly (no aliases, no duplicate keys), as data."""
    try:
        return load_yaml(read_regular_text(path)) or {}
    except yaml.YAMLError as exc:
        raise KnowledgeError(
            f"{path.name}{error_line(exc)}: cannot read the file ({error_reason(exc)})"
        ) from None


def glossary_from(data: object, name: str) -> Glossary:
    """Validate a parsed glossary file: ``terms:``, each with an id and en/zh/zh-tw forms.

    ``zh-tw`` forms are Traditional Chinese (Taiwan) words whose meaning OpenCC's
    phrase conversion would miss or change (容器登錄 is a registry, not a login):
    they are matched on the Traditional text before conversion.
    """
    path_name = name
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        raise KnowledgeError(f"{path_name}: expected a top-level 'terms:' list")
    concepts = []
    for number, term in enumerate(terms, 1):
        if not isinstance(term, dict) or not isinstance(term.get("id"), str):
            raise KnowledgeError(f"{path_name}: term {number} needs an 'id'")
        forms = [term["id"].replace("-", " ")]
        traditional: list[str] = []
        for language in ("en", "zh", "zh-tw"):
            listed = term.get(language) or []
            if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
                raise KnowledgeError(
                    f"{path_name}: term '{term['id']}': '{language}' must be a list"
                )
            (traditional if language == "zh-tw" else forms).extend(listed)
        if not isinstance(term.get("core", False), bool):
            raise KnowledgeError(f"{path_name}: term '{term['id']}': 'core' must be true or false")
        concepts.append(
            Concept(
                term["id"],
                tuple(dict.fromkeys(f.strip() for f in forms if f)),
                tuple(dict.fromkeys(f.strip() for f in traditional if f.strip())),
                next((f.strip() for f in term.get("zh") or [] if f.strip()), ""),
                term.get("core", False),
            )
        )
    return Glossary(tuple(concepts), _rendering(data.get("zh-tw-rendering"), path_name))


def _rendering(table: object, name: str) -> tuple[tuple[str, str], ...]:
    """``zh-tw-rendering:`` — OpenCC output → Azure's Taiwan wording, longest first."""
    if table is None:
        return ()
    if not isinstance(table, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k for k, v in table.items()
    ):
        raise KnowledgeError(f"{name}: 'zh-tw-rendering' must map words to words")
    return tuple(sorted(table.items(), key=lambda kv: len(kv[0]), reverse=True))


def merge(glossaries: list[Glossary]) -> Glossary:
    return Glossary(
        tuple(c for g in glossaries for c in g.concepts),
        tuple(pair for g in glossaries for pair in g.zh_tw_rendering),
    )
