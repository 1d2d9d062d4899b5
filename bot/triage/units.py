"""Numbers as an on-call engineer reads them: 9.3 GiB, 1.2 s, 5 min, 1,204."""

from __future__ import annotations

import math
import re

_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?",
    re.IGNORECASE,
)


def _short(value: float) -> str:
    """Three significant figures at most, no trailing zeros: 9.31, 12.5, 930."""
    if value == 0:
        return "0"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if "e" in text:
        text = f"{value:,.0f}"
    return text


def human_bytes(value: float) -> str:
    size = abs(value)
    index = 0
    while size >= 1024 and index < len(_BYTE_UNITS) - 1:
        size /= 1024
        index += 1
    sign = "-" if value < 0 else ""
    return f"{sign}{_short(size)} {_BYTE_UNITS[index]}"


def human_seconds(value: float) -> str:
    seconds = abs(value)
    sign = "-" if value < 0 else ""
    if seconds < 1:
        return f"{sign}{_short(seconds * 1000)} ms"
    if seconds < 120:
        return f"{sign}{_short(seconds)} s"
    if seconds < 7200:
        return f"{sign}{_short(seconds / 60)} min"
    if seconds < 172800:
        return f"{sign}{_short(seconds / 3600)} h"
    return f"{sign}{_short(seconds / 86400)} days"


def human_count(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return _short(value)


def human_value(value: float, unit: str | None) -> str:
    """``value`` in ``unit`` (bytes, milliseconds, seconds, count, percent) made readable."""
    if not math.isfinite(value):
        return str(value)
    if unit == "bytes":
        return human_bytes(value)
    if unit == "milliseconds":
        return human_seconds(value / 1000)
    if unit == "seconds":
        return human_seconds(value)
    if unit == "percent":
        return f"{_short(value)}%"
    if unit == "count":
        return human_count(value)
    return _short(value) if not float(value).is_integer() else human_count(value)


def human_duration(iso: str | None) -> str | None:
    """An ISO 8601 duration (``PT5M``, ``PT1H``, ``P1D``) as ``5 min``; ``None`` if unreadable."""
    if not isinstance(iso, str) or not iso.strip():
        return None
    match = _DURATION.fullmatch(iso.strip())
    if not match or not any(match.group(k) for k in "dhms"):
        return None
    total = sum(
        float(match.group(key) or 0) * factor
        for key, factor in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
    )
    if total % 86400 == 0:
        days = int(total // 86400)
        return f"{days} day" + ("s" if days != 1 else "")
    if total % 3600 == 0:
        return f"{int(total // 3600)} h"
    if total % 60 == 0:
        return f"{int(total // 60)} min"
    return human_seconds(total)


def to_number(value: object) -> float | None:
    """A number from a JSON number or a numeric string (Azure sends thresholds as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
