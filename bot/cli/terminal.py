"""Text from outside printed to a terminal without its control codes.

A pasted question, a tag or node pool name, or an error message from Azure
can hold escape sequences that clear the screen, retitle the window, recolour
or hide what follows. What acrbot prints keeps its line breaks and loses
every escape sequence and control or format character (bidi overrides too).
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, TextIO

from bot.feedback import printable as plain

# ESC and what it introduces: CSI (ESC [ … final byte), OSC/DCS/PM/APC strings up to
# their terminator (BEL or ESC \), or a single character. An unterminated one runs to
# the end of the text, as a terminal would read it.
_ESCAPE = re.compile(
    r"\x1b(?:\[[0-?]*+[ -/]*+[@-~]?"  # CSI
    r"|[\]P^_X][^\x07\x1b]*+(?:\x07|\x1b\\)?"  # OSC, DCS, PM, APC, SOS strings
    r"|[\s\S])?"  # any other escape: ESC and one character
    r"|\x9b[0-?]*+[ -/]*+[@-~]?"  # the 8-bit CSI
)


def printable(text: str) -> str:
    """``text`` with its line breaks, without escape sequences or control characters.

    Each line goes through :func:`bot.feedback.printable`, the filter the records
    are shown with; only the escape sequences around the characters it drops are
    a terminal's own.
    """
    return "\n".join(plain(line) for line in _ESCAPE.sub("", text).split("\n"))


def one_line(text: str, limit: int) -> str:
    """``text`` printable, on one line, clipped to ``limit`` characters with an ellipsis."""
    line = " ".join(printable(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def json_line(value: Any, **options: Any) -> str:
    """``json.dumps`` for a terminal: letters of every script as they are, and every control
    or format character (C1 controls, DEL, bidi overrides, line separators) as ``\\uXXXX``.

    json.dumps escapes only U+0000-U+001F itself; the 8-bit CSI (U+009B) or a
    right-to-left override would reach the terminal from Azure's or a person's text.
    """
    text = json.dumps(value, ensure_ascii=False, **options)
    return "".join(_escaped(c) if c > "~" and _acts(c) else c for c in text)


def _acts(char: str) -> bool:
    """A character a terminal may act on rather than show: controls, format, separators."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")  # Cs: a lone surrogate


def _escaped(char: str) -> str:
    units = char.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


class Printable:
    """A text stream that prints what it is given through :func:`printable`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def flush(self) -> None:
        self._stream.flush()
