"""Placeholder until the diagnostics settings land (issue 4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DiagnosticsSettings:
    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> DiagnosticsSettings:
        return cls()
