"""neutralise(): untrusted text can carry no live Slack reference or link."""

from __future__ import annotations

import pytest

from bot.slack.mrkdwn import neutralise

HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!subteam^S123|@oncall>",
    "<@U123EVIL>",
    "<#C123|general>",
    "<https://evil.example/phish|click to fix>",
    "<mailto:a@evil.example>",
]


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s,
        lambda s: s.replace("<", "&lt;").replace(">", "&gt;"),
        lambda s: s.replace("<", "&amp;lt;").replace(">", "&amp;gt;"),
        lambda s: s.replace("<", "&amp;amp;lt;").replace(">", "&amp;amp;gt;"),
        lambda s: s.replace("<", "&#60;").replace(">", "&#x3e;"),
    ],
    ids=["raw", "entities", "double", "triple", "numeric"],
)
def test_neutralise_leaves_no_live_reference(raw, encode):
    out = neutralise(f"before {encode(raw)} after")
    assert "<" not in out and ">" not in out
    assert (
        out == f"before {raw.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')} after"
    )


def test_neutralise_keeps_plain_text_and_quotes():
    assert neutralise('pull "myreg.azurecr.io/app:1" 401 & more') == (
        'pull "myreg.azurecr.io/app:1" 401 &amp; more'
    )
