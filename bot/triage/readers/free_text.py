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
# The alert's state is what the text *states* as its state, never a word of an error
# ("… resolved to 20.62.128.5", "could not be resolved"): a status tag at the start of a
# line (Alertmanager's and Grafana's "[FIRING:2]", "[RESOLVED]", "[FIRING:1, RESOLVED:1]",
# Datadog's "[Recovered]"), a status field ("Status: resolved", "Monitor condition:
# Resolved", "*State:* ok", a pasted table's "Monitor condition<TAB>Resolved"), the portal's
# email headline ("Azure Monitor alert 'x' was resolved for 'y'"), a headline word
# ("RESOLVED: …", "Alert resolved: …"), a line that is only a status (Alertmanager's default
# email's "[1] Resolved", Grafana's "**Resolved**") or a leading ✅. The first one said wins;
# a tag that names firing alerts among resolved ones is firing.
_STATUS_SCAN = 4000  # characters from the top where a status is looked for
_RESOLVED_WORDS = frozenset(
    {"resolved", "recovered", "recovery", "ok", "normal", "deactivated", "closed"}
)
_FIRING_WORDS = frozenset({"firing", "fired", "active", "activated", "triggered", "alerting"})
_LEAD = r"^(?:[^\w\n]|:[a-z0-9_+-]{1,30}:){0,6}[ \t]*"
_TAG_PART = r"[A-Za-z]{2,12}(?::\s*\d{1,6})?"  # FIRING:2
_STATUS_TAG = re.compile(
    _LEAD + rf"\[(?P<tag>{_TAG_PART}(?:\s*,\s*{_TAG_PART}){{0,3}})\]",
    re.MULTILINE,
)
_STATUS_FIELD = re.compile(
    r"^[^\w\n]{0,4}(?:alert[ _]?)?(?:status|state|monitor[ _]?condition|condition)"
    r"(?:[*_ \t]{0,3}[:=][*_`'\" \t]{0,4}|[ \t]*\t[ \t]*)(?P<word>[A-Za-z]{2,12})\b",
    re.MULTILINE | re.IGNORECASE,
)
_STATUS_HEADLINE = re.compile(
    r"^[^\n]{0,60}\balert\b[^\n]{0,200}?\b(?:was|has\s+been|is\s+now)\s+"
    r"(?P<word>resolved|deactivated|recovered|activated|fired|triggered)\b",
    re.MULTILINE | re.IGNORECASE,
)
_STATUS_WORD = re.compile(
    _LEAD + r"(?P<word>RESOLVED|RECOVERED|FIRING|TRIGGERED|Resolved|Recovered|Firing|Triggered)"
    r"\b[ \t]*[:|\-\u2013\u2014]",
    re.MULTILINE,
)
_STATUS_ALERT_WORD = re.compile(
    _LEAD + r"(?:alert|incident|problem)[ \t]+"
    r"(?P<word>resolved|recovered|closed|firing|fired|triggered)[ \t]*[:|\-\u2013\u2014]",
    re.MULTILINE | re.IGNORECASE,
)
_STATUS_LINE = re.compile(
    _LEAD + r"(?:\[\d{1,6}\][ \t]*)?(?P<mark>\*{1,2}|_{1,2})?"
    r"(?P<word>resolved|recovered|firing|fired|triggered|alerting)(?P=mark)?[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_STATUS_CHECK = re.compile(r"^[ \t>*_]*(?:✅|:white_check_mark:|:heavy_check_mark:)", re.MULTILINE)


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
    severity_match = _SEVERITY.search(" ".join(fragments)[:5000])
    severity = None
    if severity_match:
        severity = (severity_match.group(1) or severity_match.group(2)).replace(" ", "")
        severity = severity.capitalize() if severity.lower().startswith("sev") else severity
    resolved = _stated_state(fragments) == State.RESOLVED
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


def _stated_state(fragments: list[str]) -> State:
    """The state the text states for the alert (see ``_STATUS_TAG`` and the rest); FIRED when
    it states none."""
    body = "\n".join(f for f in fragments if f.strip())[:_STATUS_SCAN]
    first: tuple[int, State] | None = None
    patterns = (
        _STATUS_TAG,
        _STATUS_FIELD,
        _STATUS_HEADLINE,
        _STATUS_WORD,
        _STATUS_ALERT_WORD,
        _STATUS_LINE,
        _STATUS_CHECK,
    )
    for pattern in patterns:
        for match in pattern.finditer(body):
            if first is not None and match.start() >= first[0]:
                break
            state = _state_of(match)
            if state is not None:
                first = (match.start(), state)
                break
    return first[1] if first else State.FIRED


def _state_of(match: re.Match[str]) -> State | None:
    groups = match.groupdict()
    if groups.get("tag"):
        words = {part.split(":")[0].strip().lower() for part in groups["tag"].split(",")}
        if words & _FIRING_WORDS:
            return State.FIRED
        return State.RESOLVED if words & _RESOLVED_WORDS else None
    word = (groups.get("word") or "").lower()
    if not groups.get("word"):
        return State.RESOLVED  # a leading check mark
    if word in _FIRING_WORDS:
        return State.FIRED
    return State.RESOLVED if word in _RESOLVED_WORDS else None
