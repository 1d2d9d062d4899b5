"""Text from Azure made safe to show: known secrets and token-shaped strings removed.

Error bodies come from servers acrbot does not control; before any of their
text reaches a step's detail, a log line or Slack, it passes through
:func:`scrub`, which clips first (so no pattern ever scans a huge body) and
then removes JWTs and long secret-looking runs.
"""

from __future__ import annotations

import re

__all__ = ["scrub"]

_MAX_DETAIL = 300
_SCAN_LIMIT = 4000  # error bodies are clipped to this before any pattern looks at them
# A JWT starts a run of token characters (the lookbehind), and possessive
# quantifiers never give back what they took: each character is looked at a
# bounded number of times, so a 100 kB body of "eyJeyJ…" cannot make it backtrack.
_JWT_RE = re.compile(r"(?<![\w-])eyJ[\w-]*+\.[\w-]++\.[\w-]*+")
_LONG_SECRET_RE = re.compile(r"[A-Za-z0-9+_=-]{40,}+")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` without known secrets or token-shaped strings, clipped to a readable length."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    if len(text) > _SCAN_LIMIT:
        # Clip before the patterns run, and drop the last (possibly cut) word so
        # half a token cannot slip past them.
        words = text[:_SCAN_LIMIT].rsplit(None, 1)
        text = (words[0] if len(words) == 2 else "") + " ..."
    text = _JWT_RE.sub("[redacted]", text)
    text = _LONG_SECRET_RE.sub("[redacted]", text)
    text = "".join(ch if ch.isprintable() or ch.isspace() else "?" for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "..."
