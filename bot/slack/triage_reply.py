"""`/acr triage PASTED TEXT`: the triage of whatever was pasted, only for the person asking.

It always answers: the triage of each recognised alert (up to three), or
"nothing recognised" with a pointer to ``/acr help``.
"""

from __future__ import annotations

import re

from bot import metrics
from bot.slack import block_limits
from bot.slack.alert_blocks import alert_message, nothing_recognised
from bot.slack.blocks import Message
from bot.slack.i18n import language_of
from bot.triage.readers import read_any
from bot.triage.triager import Triager

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


def triage_reply(triager: Triager, text: str) -> Message:
    language = language_of(text)
    if not text.strip():
        return Message(USAGE[language], [])
    triages = [t for t in triager.triage_all(read_any(text)) if t.recognised]
    if not triages:
        return nothing_recognised(language)
    for shown in triages[:MAX_TRIAGES]:
        metrics.alert_triaged(shown.alert.source, shown.alert.state)
    messages = [alert_message(t, language) for t in triages[:MAX_TRIAGES]]
    blocks = [block for message in messages for block in message.blocks][: block_limits.MAX_BLOCKS]
    return Message("\n".join(m.text for m in messages), blocks)
