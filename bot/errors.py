"""Exceptions that carry a message fit to show a person.

Every error acrbot raises on purpose derives from :class:`AcrbotError`; its
``str()`` is a plain sentence saying what went wrong and what to do, never a
stack trace or a secret. Callers at the edges (CLI, Slack listeners, HTTP
handlers) catch this one class and show the message as it is.
"""

from __future__ import annotations


class AcrbotError(Exception):
    """Base class: the message is safe to show to a user."""


class ConfigError(AcrbotError):
    """A setting is missing or malformed; names the setting and the fix."""

    def __init__(self, setting: str, problem: str) -> None:
        self.setting = setting
        self.problem = problem
        super().__init__(f"configuration error in {setting}: {problem}")


class KnowledgeError(AcrbotError):
    """A knowledge file could not be read or parsed."""
