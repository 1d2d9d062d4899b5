"""Converting an answer between Simplified and Traditional Chinese, code untouched.

Its own module so that :mod:`bot.knowledge.model` (View.answer_markdown) and
:mod:`bot.knowledge.editions` can both use it without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.knowledge.language import ZH_TW, to_simplified, to_traditional

_FENCE_LINE = re.compile(r"[ \t]*+(?:```|~~~)")


@lru_cache(maxsize=1024)
def converted_markdown(markdown: str, language: str) -> str:
    """An answer converted to ``language``'s Chinese script, code untouched; cached."""
    convert = to_traditional if language == ZH_TW else to_simplified
    return convert_prose(markdown, convert)


def convert_prose(markdown: str, convert: Callable[[str], str]) -> str:
    """Convert the prose of ``markdown``, leaving fenced code exactly as written."""
    out: list[str] = []
    prose: list[str] = []
    fenced = False
    for line in markdown.split("\n"):
        if _FENCE_LINE.match(line):
            if not fenced and prose:
                out.append(convert("\n".join(prose)))
                prose = []
            fenced = not fenced
            out.append(line)
        elif fenced:
            out.append(line)
        else:
            prose.append(line)
    if prose:
        out.append(convert("\n".join(prose)))
    return "\n".join(out)
