"""Issue 18 B3: alert text can carry no live mention or link into acrbot's posts.

Every post, update and thread reply (blocks and the ``text`` fallback alike)
must hold no ``<!…>``, ``<@…>``, ``<#…>`` or ``<url|…>`` that acrbot did not
make itself (its FAQ links and the alert's "query results" link).
"""

from __future__ import annotations

import copy
import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.slack.alert_blocks import alert_message, resolved_note, storm_reply
from bot.slack.alert_notifier import SlackNotifier
from bot.slack.mrkdwn import link
from bot.slack.triage_reply import triage_reply
from bot.triage import read_alertmanager, read_azure_monitor
from bot.triage.digest import entry as digest_entry
from bot.triage.policy import Posted
from bot.triage.readers import read_text
from bot.triage.readers.free_text import read_message, unslack
from tests.triage.conftest import fixture

EVIL = "<!channel> <!here> <@U123EVIL> <#C999|general> <https://evil.example/phish|click to fix>"
_LIVE = re.compile(r"<[!@#]|<[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class _Client:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    def chat_postMessage(self, **kwargs):
        self.calls.append(("post", kwargs))
        return {"ts": "1.0"}

    def chat_update(self, **kwargs):
        self.calls.append(("update", kwargs))
        return {"ts": "1.0"}


def _own_links(triage) -> list[str]:
    urls = [ref.url for ref in triage.faq if ref.url] + list(triage.alert.links[:1])
    return [link(url, "x").rsplit("|", 1)[0] + "|" for url in urls] + [link(u) for u in urls]


def _assert_no_live(triage, *texts: str) -> None:
    own = _own_links(triage)
    for text in texts:
        for made in own:
            text = text.replace(made, "")
        assert not _LIVE.search(text), text


def _everything(triage) -> list[str]:
    """All text acrbot posts for this alert: each message's blocks and fallback."""
    client = _Client()
    notifier = SlackNotifier(client)
    notifier.post("C1", triage)
    notifier.storm(Posted("C1", "1.0"), triage, 3, thread=True)
    notifier.resolved(Posted("C1", "1.0"), "C1", triage)
    notifier.resolved(Posted("C1", "1.0"), "C1", triage, still_firing=2)
    notifier.resolved(None, "C1", triage)
    notifier.reply_in_thread("C1", "1.0", triage)
    notifier.late(Posted("C1", "1.0"), "C1", triage)
    notifier.late(None, "C1", triage)
    notifier.digest("C1", None, [digest_entry(triage)], 3)
    notifier.digest("C1", "1.0", [digest_entry(triage)] * 20, 40)
    notifier.left_out("C1", triage.summary, 700, 20, 200)  # a group name is alert text too
    out = []
    for _, kwargs in client.calls:
        out += [kwargs["text"], json.dumps(kwargs["blocks"], ensure_ascii=False)]
    return out


def _azure(description: str):
    payload = copy.deepcopy(fixture("azure_metric_storage.json"))
    payload["data"]["essentials"]["description"] = description
    (alert,) = read_azure_monitor(payload)
    return alert


def _alertmanager(text: str):
    payload = copy.deepcopy(fixture("alertmanager_imagepull.json"))
    payload["alerts"][0]["annotations"]["summary"] = text
    payload["alerts"][0]["annotations"]["description"] = text + " myreg.azurecr.io 401"
    return read_alertmanager(payload)[0]


def _entity(text: str, times: int) -> str:
    for _ in range(times):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def test_azure_description_reaches_no_post_live(triager):
    triage = triager.triage(_azure(f"{EVIL} contosoregistry storage"))
    _assert_no_live(triage, *_everything(triage))


def test_storm_reply_neutralises_the_summary(triager):
    triage = triager.triage(_azure(EVIL))
    reply = storm_reply(triage, 3)
    assert "<!channel>" in triage.summary  # the raw description reaches the summary
    _assert_no_live(triage, reply.text)


def test_fallback_text_of_post_and_update_is_neutralised(triager):
    triage = triager.triage(_alertmanager(EVIL))
    for message in (alert_message(triage), alert_message(triage, count=5), resolved_note(triage)):
        _assert_no_live(triage, message.text, json.dumps(message.blocks))


def test_watched_channel_entities_come_back_dead(triager):
    message = {
        "text": "alert",
        "attachments": [{"text": f"{_entity(EVIL, 1)} contosoregistry.azurecr.io 401"}],
    }
    triage = triager.triage(read_message(message))
    _assert_no_live(triage, *_everything(triage))


def test_unslack_decodes_before_stripping_references():
    assert "<!channel>" not in unslack("&lt;!channel&gt; hi &lt;@U1&gt;")
    assert unslack("&lt;!channel&gt; hi").strip() == "hi"


def test_slash_triage_reply_is_neutralised(triager):
    reply = triage_reply(triager, f"{_entity(EVIL, 1)} myreg.azurecr.io 401 Unauthorized")
    assert not _LIVE.search(reply.text.replace("<https://learn.microsoft.com", ""))


_REFS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U123EVIL>",
    "<#C1|x>",
    "<https://evil.example/p|click>",
    "<mailto:x@evil.example>",
]
_PIECE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["myreg.azurecr.io", "401 Unauthorized", "&", "<", ">", "|", "&amp;"]),
    st.builds(_entity, st.sampled_from(_REFS), st.integers(0, 3)),
    st.builds(lambda r: r.replace("<", "&#60;").replace(">", "&#62;"), st.sampled_from(_REFS)),
)
_HOSTILE = st.lists(_PIECE, min_size=1, max_size=8).map(" ".join)
_READERS = {
    "text": read_text,
    "message": lambda t: read_message({"text": t, "attachments": [{"text": t}]}),
    "azure": _azure,
    "alertmanager": _alertmanager,
}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_HOSTILE, reader=st.sampled_from(sorted(_READERS)))
@example(text=_entity("<!here>", 1) + " myreg.azurecr.io 401", reader="message")
@example(text=_entity("<!here>", 2) + " contosoregistry", reader="azure")
@example(text=EVIL, reader="azure")
def test_no_hostile_text_renders_live(triager, text, reader):
    triage = triager.triage(_READERS[reader](text))
    _assert_no_live(triage, *_everything(triage), storm_reply(triage, 2).text)
