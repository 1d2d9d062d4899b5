"""Which language a question is in, and Simplified ↔ Traditional Chinese with OpenCC.

Detection reads the characters, never the user's locale: a Taiwanese
engineer on an English Slack workspace still writes 登錄 and 資訊清單.
Traditional and Simplified share most characters; the ones that differ
decide (``t2s`` changes a Traditional-only character, ``s2t`` a
Simplified-only one).

Queries in Traditional Chinese are converted with OpenCC's ``tw2sp``
(Taiwan phrases to mainland ones) before analysis, so they meet the
Simplified FAQ and glossary; answers to Traditional askers are the
Simplified edition converted back with ``s2twp``, cached per text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

EN, ZH, ZH_TW = "en", "zh", "zh-tw"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_TRADITIONAL_REGIONS = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def normalise(code: str) -> str:
    """A file's or a user's language code → ``en``, ``zh``, ``zh-tw`` or the primary subtag."""
    code = code.strip().lower().replace("_", "-")
    if code.startswith(_TRADITIONAL_REGIONS):
        return ZH_TW
    return code.split("-", 1)[0] or EN


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@lru_cache(maxsize=16384)
def _kind(char: str) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 for shared."""
    if _converter("t2s").convert(char) != char:
        return 1
    if _converter("s2t").convert(char) != char:
        return -1
    return 0


def is_traditional(text: str) -> bool:
    """More Traditional-only than Simplified-only characters."""
    return sum(_kind(c) for c in _CJK.findall(text[:2000])) > 0


def detect(text: str) -> str:
    """``en``, ``zh``, ``zh-tw``, ``ja`` or ``ko`` from the characters of ``text``.

    Two CJK characters make a question Chinese (mixed messages come from
    Chinese speakers); kana make it Japanese, hangul Korean.
    """
    sample = text[:2000]
    if _KANA.search(sample):
        return "ja"
    if len(_HANGUL.findall(sample)) >= 2:
        return "ko"
    if len(_CJK.findall(sample)) < 2:
        return EN
    return ZH_TW if is_traditional(sample) else ZH


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    """Traditional Chinese with Taiwan phrasing → mainland Simplified (OpenCC ``tw2sp``)."""
    return _converter("tw2sp").convert(text)


@lru_cache(maxsize=2048)
def to_traditional(text: str) -> str:
    """Simplified Chinese → Traditional with Taiwan phrasing (OpenCC ``s2twp``), cached."""
    return _converter("s2twp").convert(text)


def warm() -> None:
    """Load OpenCC's dictionaries now (a first conversion takes tens of milliseconds)."""
    for config in ("t2s", "s2t", "tw2sp", "s2twp"):
        _converter(config).convert("预热")
