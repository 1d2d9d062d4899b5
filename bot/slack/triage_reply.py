"""`/acr triage PASTED TEXT`: the triage of whatever was pasted, only for the person asking.

It always answers: the triage of each recognised alert (up to three), or
"nothing recognised" with a pointer to ``/acr help``. Alerts of the paste
the reply does not show (past the three, past what acrbot reads of one
Alertmanager group, or dropped by Alertmanager's ``max_alerts``) are counted
in a last line. A reply Slack would refuse is sent as plain text saying so,
and a failure while triaging as a message saying what to try: the ack is
never empty.
"""

from __future__ import annotations

import logging
import re

from slack_sdk.models.blocks import Block, ContextBlock

from bot import metrics
from bot.slack import block_limits
from bot.slack.alert_blocks import (
    CHECKS_BLOCK_ID,
    alert_message,
    alert_text,
    mrkdwn,
    nothing_recognised,
    word,
)
from bot.slack.blocks import Message
from bot.slack.i18n import language_of
from bot.triage.model import Triage
from bot.triage.readers import read_any, unread
from bot.triage.readers.alertmanager import MAX_ALERTS
from bot.triage.triager import Triager

log = logging.getLogger(__name__)

MAX_TRIAGES = 3
_TRIAGE_WORD = re.compile(r"^\s*triage(?:\s+|$)", re.IGNORECASE)
USAGE = {
    "en": (
        "Paste an alert or an error after `/acr triage`, e.g. "
        '`/acr triage Failed to pull image "myreg.azurecr.io/app:1": 401 Unauthorized`'
    ),
    "zh": (
        "请在 `/acr triage` 后粘贴告警或报错，例如 `/acr triage 拉取 myreg.azurecr.io/app:1 时 401`"
    ),
}


def raw_rest(text: str) -> str:
    """The text after ``triage``, as pasted (lines and length kept for JSON and logs)."""
    return _TRIAGE_WORD.sub("", text or "", count=1).strip()


def checks_block_id(number: int) -> str:
    """The block_id of the ``number``-th alert's buttons: ``alert_checks``, then ``_2``, ``_3``."""
    return CHECKS_BLOCK_ID if number == 0 else f"{CHECKS_BLOCK_ID}_{number + 1}"


def triage_reply(triager: Triager, text: str) -> Message:
    language = language_of(text)
    if not text.strip():
        return Message(USAGE[language], [])
    try:
        return _reply(triager, text, language)
    except Exception:  # the person asking gets words, never an empty ack
        log.exception("/acr triage failed")
        return Message(word(language, "failed"), [])


def _reply(triager: Triager, text: str, language: str) -> Message:
    triages = [t for t in triager.triage_all(read_any(text)) if t.recognised]
    past, truncated = unread(text)
    note = _left_out_note(len(triages) - MAX_TRIAGES, past, truncated, language)
    if not triages:
        nothing = nothing_recognised(language)
        return Message(f"{nothing.text}\n{note}" if note else nothing.text, [])
    shown = triages[:MAX_TRIAGES]
    for triage in shown:
        metrics.alert_triaged(triage.alert.source, triage.alert.state)
    texts = [alert_text(t, language) for t in shown] + ([note] if note else [])
    try:
        return _laid_out(shown, note, texts, language)
    except block_limits.BlockLimitError as error:
        reason = str(error).split(";")[0][:200]
        log.warning("/acr triage reply sent as text: %s", reason)
        heading = word(language, "unlaid", reason=reason)
        return Message("\n\n".join([heading, *texts]), [])


def _laid_out(shown: list[Triage], note: str, texts: list[str], language: str) -> Message:
    blocks: list[Block | dict] = []
    for number, triage in enumerate(shown):
        message = alert_message(triage, language, checks_block_id=checks_block_id(number))
        blocks += message.blocks
    room = block_limits.MAX_BLOCKS - (1 if note else 0)
    blocks = blocks[:room]
    if note:
        blocks.append(ContextBlock(elements=[mrkdwn(note)]))
    return Message.of("\n".join(texts), blocks)


def _left_out_note(hidden: int, past: int, truncated: int, language: str) -> str:
    """ "…and N more alerts" (those not shown plus those not read), or "" when none are."""
    hidden = max(0, hidden)
    if not hidden and not past and not truncated:
        return ""
    note = word(language, "more_alerts", count=hidden + past + truncated)
    why = []
    if past:
        why.append(word(language, "unread_past", count=past, limit=MAX_ALERTS))
    if truncated:
        why.append(word(language, "unread_truncated", count=truncated))
    if why:
        separator = "，" if language == "zh" else ", "
        note += " " + word(language, "unread", count=past + truncated, why=separator.join(why))
    return note
