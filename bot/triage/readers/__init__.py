"""Readers: one per input shape, each returning neutral :class:`~bot.triage.model.Alert` objects.

``read_azure_monitor`` and ``read_alertmanager`` are strict (a webhook
endpoint answers 422 with :class:`UnknownShape`'s one-line reason);
``read_any`` never refuses: it recognises a pasted webhook payload and reads
everything else as free text.
"""

from __future__ import annotations

import json
from typing import Any

from bot.triage.model import Alert
from bot.triage.readers.alertmanager import left_out, looks_like_alertmanager, read_alertmanager
from bot.triage.readers.azure_monitor import looks_like_azure_monitor, read_azure_monitor
from bot.triage.readers.common import UnknownShape
from bot.triage.readers.free_text import read_message, read_text

__all__ = [
    "UnknownShape",
    "read_alertmanager",
    "read_any",
    "read_azure_monitor",
    "read_message",
    "read_payload",
    "read_text",
]


def read_payload(payload: Any) -> list[Alert]:
    """Any parsed JSON: a known webhook shape, a Slack message, or strings to read as text."""
    if looks_like_azure_monitor(payload):
        try:
            return read_azure_monitor(payload)
        except UnknownShape:
            pass
    if looks_like_alertmanager(payload):
        try:
            return read_alertmanager(payload)
        except UnknownShape:
            pass
    return [read_message(payload)]


def read_any(text: str) -> list[Alert]:
    """Pasted input: JSON of any shape is read as such, anything else as free text."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            payload = json.loads(stripped)
        except (ValueError, RecursionError):
            payload = None
        if payload is not None:
            return read_payload(payload)
    return [read_text(text)]


def unread(text: str) -> tuple[int, int]:
    """Alerts of a pasted Alertmanager group not read: (past ``MAX_ALERTS``, ``truncatedAlerts``).

    (0, 0) for anything else, so every front door that reads a paste can say what it left out.
    """
    stripped = text.strip()
    if not stripped.startswith("{"):
        return 0, 0
    try:
        payload = json.loads(stripped)
    except (ValueError, RecursionError):
        return 0, 0
    return left_out(payload) if looks_like_alertmanager(payload) else (0, 0)
