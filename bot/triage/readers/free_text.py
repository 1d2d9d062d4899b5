"""Free text: a pasted alert or error, or a message another integration posted in Slack.

Integrations put their words in different places: the message ``text``,
legacy ``attachments`` (``fallback``, ``pretext``, ``title``, ``text``,
``fields``) and Block Kit ``blocks``. All of it is read, Slack's escaping is
undone, and the result is scanned like any other alert text.
"""

from __future__ import annotations

import re
from typing import Any

from bot.triage.model import Alert, Source, State
from bot.triage.readers.common import cluster_names_in, items, mapping, strings, text

MAX_INPUT = 100_000
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^|>]{1,2000})(?:\|([^>]{0,500}))?>")
_SLACK_REF = re.compile(r"<[@#!][^>]{0,100}>")
_SEVERITY = re.compile(r"\b(sev ?[0-4])\b|\bseverity\W{1,3}(critical|warning|error|info)\b", re.I)
_RESOLVED = re.compile(r"\bresolved\b|\brecovered\b|✅", re.IGNORECASE)
_FIRING = re.compile(r"\bfiring\b|\bfired\b|\btriggered\b|\bactivated\b", re.IGNORECASE)


def unslack(value: str) -> str:
    """Slack mrkdwn back to plain text: entities decoded, then ``<url|label>`` → ``label url``.

    Decoding first means an ``&lt;!channel&gt;`` is removed like a ``<!channel>``
    rather than coming back live after the references were stripped.
    """
    value = value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    value = _SLACK_LINK.sub(lambda m: f"{m.group(2) or ''} {m.group(1)}".strip(), value)
    return _SLACK_REF.sub("", value)


def read_text(raw: str, *, title: str | None = None) -> Alert:
    body = unslack(raw[:MAX_INPUT]) if isinstance(raw, str) else ""
    return _alert([body], title)


def read_message(payload: Any) -> Alert:
    """A Slack message (``text``, ``attachments``, ``blocks``) or any other JSON value."""
    message = mapping(payload)
    fragments: list[str] = []
    title = None
    if message and any(k in message for k in ("text", "attachments", "blocks")):
        if text(message.get("text")):
            fragments.append(message["text"])
        for attachment in items(message.get("attachments")):
            attachment = mapping(attachment)
            title = title or text(attachment.get("title"), 300)
            for key in ("pretext", "title", "text", "fallback", "footer"):
                if text(attachment.get(key)):
                    fragments.append(attachment[key])
            for field in items(attachment.get("fields")):
                field = mapping(field)
                pair = [text(field.get("title"), 300), text(field.get("value"))]
                if any(pair):
                    fragments.append(": ".join(p for p in pair if p))
        fragments.extend(strings(message.get("blocks")))
    else:
        fragments.extend(strings(payload))
    cleaned = [unslack(f[:MAX_INPUT]) for f in fragments if isinstance(f, str)]
    return _alert(cleaned, title)


def _alert(fragments: list[str], title: str | None) -> Alert:
    head = " ".join(fragments)[:400]
    severity_match = _SEVERITY.search(" ".join(fragments)[:5000])
    severity = None
    if severity_match:
        severity = (severity_match.group(1) or severity_match.group(2)).replace(" ", "")
        severity = severity.capitalize() if severity.lower().startswith("sev") else severity
    resolved = _RESOLVED.search(head) is not None and _FIRING.search(head) is None
    first_line = next((f.strip().splitlines()[0] for f in fragments if f.strip()), "")
    return Alert(
        source=Source.TEXT,
        state=State.RESOLVED if resolved else State.FIRED,
        severity=severity,
        rule=title,
        text=tuple(f for f in fragments if f.strip()),
        cluster_fields=cluster_names_in(fragments),
        detail=first_line[:200] or None,
    )
