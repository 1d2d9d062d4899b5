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


_QUOTED_OR_CODE = re.compile(r'"[^"]*"|“[^”]*”|`[^`]*`|「[^」]*」|『[^』]*』')
_LATIN_WORD = re.compile(r"[A-Za-z]+")
# English grammar words: product names and commands (docker pull, az acr login)
# are Latin in any language's question; these are not.
_ENGLISH_GRAMMAR = frozenset(
    """a an the is are was were be do does did i you we it they to of in on at for with from
    how what why when where which who can could should would will my our your this that
    these those and or but not if after before while""".split()
)


def detect(text: str) -> str:
    """``en``, ``zh``, ``zh-tw``, ``ja`` or ``ko`` from the characters of ``text``.

    Kana make a question Japanese, hangul Korean. A question with two CJK
    characters is Chinese unless, outside quoted or code parts, English
    grammar words ("how", "do", "when" …; at least two) hold a sentence
    around them and the CJK characters there are not the majority of the
    words: "how do I fix error 认证失败 when pushing" is English with a pasted
    error; "docker pull 很慢" and "az acr login 失败" are Chinese with product words.
    """
    sample = text[:2000]
    if _KANA.search(sample):
        return "ja"
    if len(_HANGUL.findall(sample)) >= 2:
        return "ko"
    if len(_CJK.findall(sample)) < 2:
        return EN
    outside = _QUOTED_OR_CODE.sub(" ", sample)
    latin = [w.lower() for w in _LATIN_WORD.findall(outside)]
    grammar = sum(w in _ENGLISH_GRAMMAR for w in latin)
    if grammar >= 2 and len(_CJK.findall(outside)) <= len(latin):
        return EN
    return ZH_TW if is_traditional(sample) else ZH


@lru_cache(maxsize=8192)
def to_simplified(text: str) -> str:
    """Traditional Chinese with Taiwan phrasing → mainland Simplified (OpenCC ``tw2sp``)."""
    return _converter("tw2sp").convert(text)


_zh_tw_rendering: tuple[tuple[str, str], ...] = ()


def set_zh_tw_rendering(pairs: tuple[tuple[str, str], ...]) -> None:
    """Words to replace in OpenCC's Taiwan output (the glossary's ``zh-tw-rendering:``).

    OpenCC's ``s2twp`` renders 注册表 as 登錄檔 (the Windows registry file) and
    访问 as 訪問; Azure's Taiwan docs say 容器登錄 and 存取. The table is data
    (knowledge/glossary.yaml), set when the knowledge base loads.
    """
    global _zh_tw_rendering
    pairs = tuple(sorted(pairs, key=lambda kv: len(kv[0]), reverse=True))
    if pairs != _zh_tw_rendering:
        _zh_tw_rendering = pairs
        to_traditional.cache_clear()


@lru_cache(maxsize=2048)
def to_traditional(text: str) -> str:
    """Simplified Chinese → Traditional with Taiwan phrasing (OpenCC ``s2twp``), cached.

    Then the glossary's rendering table puts Azure's Taiwan wording in.
    """
    converted = _converter("s2twp").convert(text)
    for wrong, right in _zh_tw_rendering:
        converted = converted.replace(wrong, right)
    return converted


def warm() -> None:
    """Load OpenCC's dictionaries now (a first conversion takes tens of milliseconds)."""
    for config in ("t2s", "s2t", "tw2sp", "s2twp"):
        _converter(config).convert("预热")
