"""acrbot's own alert rendering, recognised when another bot reposts it (the echo loop).

A bot in a watched channel that reposts what it sees (a relay, a bridge, a
"copy to #incidents" integration) used to turn each acrbot reply into a new
alert: 1 seed and 5 echoes made 6 replies. acrbot's own messages are skipped
by their author; a repost has another author, so it is recognised by what
it says: the headline of an alert message, a storm or Resolved reply, the
digest, in any configured language (built from the wording in
``alert_blocks.WORDS``, so a change of wording cannot reopen the loop), or
the Diagnose buttons acrbot attaches.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.slack.alert_blocks import WORDS

_MAX = 100_000  # characters of a message looked at
_PLACEHOLDER = re.compile(r"\\\{[a-z_]+\\\}")
_IDS = re.compile(r'"(?:action_id|block_id)": "(?:diag_request_\d+|alert_checks)"')
# "resolved_reply" ("✅ Resolved {time}.") is left out: too close to what other tools say.
_TEMPLATES = ("again", "still_firing", "resolved_note", "storm", "digest", "left_out")


def _plain(text: str) -> str:
    return text.replace("*", "").replace("`", "")


def _patterns() -> re.Pattern[str]:
    parts = []
    for words in WORDS.values():
        states = "|".join(re.escape(words[k]) for k in ("fired", "resolved"))
        parts.append(rf"(?:🔴|✅)\s*(?:{states})\s*·")
        for key in _TEMPLATES:
            fixed = _PLACEHOLDER.sub(".{0,60}?", re.escape(_plain(words[key])))
            parts.append(fixed.replace(r"\ ", r"\s*"))
    return re.compile("|".join(parts))


_OWN = _patterns()


def is_own_rendering(event: dict[str, Any]) -> bool:
    """Whether this message repeats an alert message or reply acrbot rendered."""
    raw = json.dumps(
        {k: event.get(k) for k in ("text", "attachments", "blocks")}, ensure_ascii=False
    )[:_MAX]
    if _IDS.search(raw):
        return True
    decoded = raw.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _OWN.search(_plain(decoded).replace("\\n", "\n")) is not None
