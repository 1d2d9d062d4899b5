"""Block Kit objects as the plain dicts Slack takes, for the messages sent on every ack.

slack_sdk's typed models validate each object as it turns into a dict,
which was three quarters of rendering an answer (about 100 µs of each
`/acr ask` ack); :func:`bot.slack.block_limits.check` already checks every limit
they check, and the message-wide ones they do not, before anything is sent.
The dicts are exactly what the models produce (tests/slack/test_block_kit.py
holds them side by side).
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text)}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    made = {"type": "button", "text": plain_text(text), "action_id": action_id, "value": value}
    if style:
        made["style"] = style
    return made


def actions(block_id: str, elements: list[dict[str, Any]]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": elements}
