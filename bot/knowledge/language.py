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

Memory: ``s2t`` (27 MB of phrase tables) and ``s2twp`` (43 MB) are most of a
replica's memory if kept. Detection needs only which characters differ, so
it reads two small character sets once and keeps no converter; rendering
converts every text the knowledge base and acrbot's own messages will show
ahead of time (:func:`rendering_ahead`) and then drops ``s2twp``. Text
nobody rendered ahead is still converted: the dictionaries load again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import opencc

from bot.heap import trim

EN, ZH, ZH_TW = "en", "zh", "zh-tw"
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES) + "]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_TRADITIONAL_REGIONS = ("zh-tw", "zh-hk", "zh-mo", "zh-hant")


def normalise(code: str) -> str:
    """A file's or a user's language code → ``en``, ``zh``, ``zh-tw`` or the primary subtag."""
    code = code.strip().lower().replace("_", "-")
    if code.startswith(_TRADITIONAL_REGIONS):
        return ZH_TW
    return code.split("-", 1)[0] or EN


_converters: dict[str, opencc.OpenCC] = {}
_converters_lock = threading.Lock()


def _converter(config: str) -> opencc.OpenCC:
    with _converters_lock:
        if config not in _converters:
            _converters[config] = opencc.OpenCC(config)
        return _converters[config]


def _drop(config: str) -> None:
    with _converters_lock:
        dropped = _converters.pop(config, None)
    if dropped is not None:
        del dropped
        trim()


@lru_cache(maxsize=1)
def _scripts() -> tuple[frozenset[str], frozenset[str]]:
    """(Traditional-only, Simplified-only) characters, one line per character through OpenCC.

    One character per line, so no phrase ever applies: what changes is what
    ``t2s`` or ``s2t`` changes in that character alone. The converters go
    out of scope here; only the two sets (a few thousand characters) stay.
    """
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    joined = "\n".join(chars)
    to_s = opencc.OpenCC("t2s").convert(joined).split("\n")
    to_t = opencc.OpenCC("s2t").convert(joined).split("\n")
    if not len(chars) == len(to_s) == len(to_t):  # never seen; per character is the same answer
        to_s = [opencc.OpenCC("t2s").convert(c) for c in chars]
        to_t = [opencc.OpenCC("s2t").convert(c) for c in chars]
    traditional = frozenset(c for c, s in zip(chars, to_s, strict=True) if s != c)
    simplified = frozenset(c for c, t in zip(chars, to_t, strict=True) if t != c)
    trim()
    return traditional, simplified


def _kind(char: str) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 for shared."""
    traditional, simplified = _scripts()
    if char in traditional:
        return 1
    if char in simplified:
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
_rendered: dict[str, dict[str, str]] = {}  # owner → Simplified text → Traditional, kept
_recording: dict[str, str] | None = None


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
        _converted.cache_clear()
        _rendered.pop("knowledge", None)  # rendered again with the new table by the next load


def to_traditional(text: str) -> str:
    """Simplified Chinese → Traditional with Taiwan phrasing (OpenCC ``s2twp``), cached.

    Then the glossary's rendering table puts Azure's Taiwan wording in. A text
    rendered ahead before is taken from there and recorded again, so a reload
    of an unchanged knowledge base loads no dictionaries.
    """
    converted = next((kept[text] for kept in _rendered.values() if text in kept), None)
    if converted is None:
        converted = _converted(text)
    if _recording is not None:
        _recording[text] = converted
    return converted


@lru_cache(maxsize=2048)
def _converted(text: str) -> str:
    converted = _converter("s2twp").convert(text)
    for wrong, right in _zh_tw_rendering:
        converted = converted.replace(wrong, right)
    return converted


_rendering_lock = threading.Lock()


@contextmanager
def rendering_ahead(owner: str) -> Iterator[None]:
    """Keep every Traditional conversion made inside, then drop ``s2twp``'s dictionaries.

    ``owner`` (``knowledge``, ``messages``) names the set, so a reload of the
    knowledge base replaces its own conversions and nobody else's.
    """
    global _recording
    with _rendering_lock:
        _recording = {}
        try:
            yield
            _rendered[owner] = _recording
        finally:
            _recording = None
            _converted.cache_clear()
            _drop("s2twp")


def warm() -> None:
    """Read the script tables and load the query converter now, not on the first question."""
    _scripts()
    _converter("tw2sp").convert("预热")
