"""Strict, typed reads of one YAML mapping: the building block of every settings section.

Each section of the config (and each item of a list of mappings) is read
through a :class:`Section` that knows its dotted name and its valid keys, so
a typo anywhere (``knowledge.answer_treshold``, a top-level ``diagnostic:``)
stops start-up with one line naming the key and the nearest valid one,
instead of loading silently with the default. Wrong types are refused the
same way; nothing here lets a traceback through.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

Env = Mapping[str, str]


def env_value(env: Env, name: str) -> str | None:
    """An environment variable, stripped; set but blank counts as unset, as in a shell."""
    return env.get(name, "").strip() or None


def nearest(word: str, candidates: Collection[str]) -> str | None:
    """The valid key a mistyped ``word`` most likely meant (rapidfuzz's best match).

    rapidfuzz is imported here, on a mistake: the settings are read by the server's
    master process too, which never searches and so never needs it.
    """
    from rapidfuzz import fuzz, process

    match = process.extractOne(word, list(candidates), scorer=fuzz.ratio)
    return match[0] if match else None


def refuse_unknown(raw: Mapping[Any, Any], where: str, known: Collection[str]) -> None:
    """One line for the first key not in ``known``: its dotted name and what was meant."""
    for key in raw:
        if key not in known:
            dotted = f"{where}.{key}" if where else str(key)
            guess = nearest(str(key), known)
            hint = f"did you mean {guess}? " if guess else ""
            raise ConfigError(
                dotted, f"unknown setting; {hint}(valid here: {', '.join(sorted(known))})"
            )


class Section:
    """A mapping at ``where`` whose keys must all be in ``known``."""

    def __init__(self, raw: Any, where: str, known: Collection[str]) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(where, f"must be a mapping of settings, got {_kind(raw)}")
        refuse_unknown(raw, where, known)
        self.raw: Mapping[str, Any] = raw
        self.where = where

    def __contains__(self, key: str) -> bool:
        return key in self.raw and self.raw[key] is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = self.raw.get(key)
        return default if value is None else value

    def name(self, key: str) -> str:
        """The dotted name of ``key`` here (``diagnostics.rate_limit.max_requests``)."""
        return f"{self.where}.{key}" if self.where else key

    def section(self, key: str, known: Collection[str]) -> Section:
        return Section(self.raw.get(key), self.name(key), known)

    def sections(
        self, key: str, known: Collection[str], *, required: bool = False
    ) -> list[Section]:
        """A list of mappings (``routes``, ``registries``), each checked as a section."""
        items = self.get(key, [])
        if not isinstance(items, list):
            raise ConfigError(self.name(key), f"must be a list of mappings, got {_kind(items)}")
        if required and not items:
            raise ConfigError(self.name(key), "must have at least one item")
        return [Section(item, f"{self.name(key)}[{i}]", known) for i, item in enumerate(items)]

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.name(key), f"must be a non-empty string, got {_kind(value)}")
        return value.strip()

    def choice(self, key: str, choices: Collection[str], default: str) -> str:
        value = (self.text(key) or default).lower()
        if value not in choices:
            raise ConfigError(self.name(key), f"must be one of {', '.join(choices)}")
        return value

    def url(self, key: str, default: str | None = None) -> str | None:
        value = self.text(key, default)
        if value is not None and not value.startswith(("http://", "https://")):
            raise ConfigError(self.name(key), "must be an http(s) URL")
        return value

    def number(
        self,
        key: str,
        default: float,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
    ) -> float:
        value = self.raw.get(key)
        if value is None:
            return float(default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(self.name(key), f"must be a number, got {_shown(value)}")
        if not math.isfinite(value):  # .nan slips past every comparison; .inf means nothing here
            raise ConfigError(self.name(key), f"must be a finite number, got {value}")
        return _in_range(float(value), self.name(key), minimum, maximum, positive)

    def whole(self, key: str, default: int, minimum: int, maximum: int) -> int:
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise ConfigError(self.name(key), f"must be a whole number from {minimum} to {maximum}")
        return value

    def strings(self, key: str, *, required: bool = False, what: str = "IDs") -> tuple[str, ...]:
        """A list of strings without spaces (channel IDs, subscriptions); a lone string is one."""
        value = self.raw.get(key)
        if value is None:
            value = []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str) and v.strip() and not any(c.isspace() for c in v.strip())
            for v in value
        ):
            raise ConfigError(self.name(key), f"must be a list of {what} without spaces")
        if required and not value:
            raise ConfigError(self.name(key), f"must list at least one of {what}")
        return tuple(dict.fromkeys(v.strip() for v in value))

    def path(self, key: str, base: Path) -> Path | None:
        """A file or folder; relative paths are relative to ``base``."""
        value = self.text(key)
        if value is None:
            return None
        path = Path(value)
        return path if path.is_absolute() else base / path


def _in_range(
    value: float, name: str, minimum: float | None, maximum: float | None, positive: bool
) -> float:
    if positive and value <= 0:
        upper = f" and at most {maximum:g}" if maximum is not None else ""
        raise ConfigError(name, f"must be more than 0{upper}")
    if minimum is not None and value < minimum:
        raise ConfigError(name, f"must be at least {minimum:g}")
    if maximum is not None and value > maximum:
        lower = "more than 0 and " if positive else ""
        raise ConfigError(name, f"must be {lower}at most {maximum:g}")
    return value


def _shown(value: Any) -> str:
    """A short value as typed (``'high'``); a long or nested one only by its kind."""
    if isinstance(value, str | int | float) and len(repr(value)) <= 40:
        return repr(value)
    return _kind(value)


def _kind(value: Any) -> str:
    """What was found, without echoing a possibly long or secret value."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__
