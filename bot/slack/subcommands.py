"""`/acr WORD REST` → which subcommand, and which of them request a diagnostic."""

from __future__ import annotations

from typing import Any

from bot.slack.questions import clean

# Only what works on this build: `/acr help` and the parser list the same words.
SUBCOMMANDS = ("ask", "diagnose", "usage", "info", "pull", "triage", "help")
DIAGNOSTIC_CHECKS = {"diagnose": "check-health", "usage": "usage", "info": "info", "pull": "pull"}


def parse(text: str) -> tuple[str, str]:
    """``/acr WORD REST`` → (subcommand, rest); a bare question is ``ask``.

    One unknown word on its own is more likely a mistyped subcommand than a
    question; the listener decides with the knowledge base (``word``).
    """
    text = clean(text)
    word, _, rest = text.partition(" ")
    if not text:
        return "help", ""
    if word.lower() in SUBCOMMANDS:
        return word.lower(), rest.strip()
    return ("ask" if rest else "word"), text


def is_diagnostic(command: dict[str, Any]) -> bool:
    """Whether this `/acr` requests a diagnostic (acked at once, handled lazily)."""
    return parse(command.get("text", ""))[0] in DIAGNOSTIC_CHECKS
