"""Property-based: no JSON value and no text makes a reader or the triager raise.

The webhook endpoints and watched channels feed untrusted input straight in;
the only exception allowed out of a strict reader is ``UnknownShape``.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.triage import render
from bot.slack.alert_blocks import alert_message
from bot.triage import Triager, UnknownShape, read_alertmanager, read_any, read_azure_monitor
from bot.triage.readers import read_payload
from bot.triage.registries import find_registries
from tests.triage.conftest import fixture

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: conftest

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=30,
)
# Text that looks like alerts: registry-ish words, errors, Slack markup.
alertish = st.lists(
    st.sampled_from(
        [
            "myreg.azurecr.io",
            "my-reg.azurecr.cn:443/v2/",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/",
            "<https://a.example|x>",
            "&lt;",
            "401",
            "timed out",
            "ImagePullBackOff",
            "StorageUsed",
            "\n",
            "é中",
            "\x00",
        ]
    )
    | st.text(max_size=20),
    max_size=12,
).map("".join)

SKELETONS = [
    fixture("azure_metric_storage.json"),
    fixture("azure_log_failed_logins.json"),
    fixture("azure_activity_nulls.json"),
    fixture("alertmanager_imagepull.json"),
    fixture("slack_bot_message.json"),
]
triager = Triager(lambda query, limit: [])


def _replace_leaves(value, draw):
    if isinstance(value, dict):
        return {k: _replace_leaves(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_leaves(v, draw) for v in value]
    return draw(json_values | alertish)


@st.composite
def mangled_payloads(draw):
    """A real payload's skeleton with every leaf replaced by anything."""
    return _replace_leaves(draw(st.sampled_from(SKELETONS)), draw)


def _triage_everything(alerts):
    for triage in triager.triage_all(alerts):
        json.dumps(triage.to_json())
        render(triage)
        for count in (1, 7):  # Block Kit limits are checked when the message is built
            alert_message(triage, "en", count=count)
            alert_message(triage, "zh", count=count)


@FUZZ
@given(json_values | mangled_payloads())
def test_strict_readers_raise_only_unknown_shape(payload):
    for reader in (read_azure_monitor, read_alertmanager):
        try:
            alerts = reader(payload)
        except UnknownShape as exc:
            assert "\n" not in str(exc)
            continue
        _triage_everything(alerts)


@FUZZ
@given(json_values | mangled_payloads())
def test_any_json_is_read(payload):
    _triage_everything(read_payload(payload))
    _triage_everything(read_any(json.dumps(payload)))


@FUZZ
@given(st.text(max_size=400) | alertish)
def test_any_text_is_read(text):
    _triage_everything(read_any(text))
    found = find_registries([text], [text])
    assert all(n.isascii() and n.isalnum() and n == n.lower() for n in found.registries)
