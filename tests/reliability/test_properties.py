"""Bad input, generated: no exception escapes that is not a clear acrbot error.

Hypothesis throws arbitrary and half-valid input at the markdown parser, the
search, the registry-name rules, config loading, and (over HTTP, signed)
Slack's payloads. The examples are kept small and few enough to run in a few
seconds each; a failure prints the smallest input that breaks the rule.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_settings
from bot.diagnostics.registry_name import InvalidRegistryName, parse_registry
from bot.errors import AcrbotError
from bot.knowledge.library import Library
from bot.knowledge.markdown_parser import parse_markdown
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import AZURE_TOKEN
from tests.fakes.azure_api import FakeAzure
from tests.fakes.in_process import InProcessBot, start_in_process
from tests.fakes.slack_api import FakeSlack
from tests.reliability.replicas import BUNDLED_KNOWLEDGE

FEW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: conftest
DOCS = "https://learn.microsoft.com/zh-cn/azure/container-registry/"

# --- markdown ----------------------------------------------------------------------

_md_piece = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "# 标题\n",
            "## How do I log in?\n",
            "### 如何删除镜像？\n",
            "---\n",
            "---\ntitle: [unclosed\n---\n",
            "---\na: &x [1]\nb: *x\n---\n",
            "```bash\naz acr login -n r\n",
            "```\n",
            "[link](http://x/ 'y')\n",
            "[rel](./other.md#anchor)\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "<details>\n",
            "\x00\ufeff\u202e",
            "> quote\n",
            "- item\n  - nested\n",
        ]
    ),
)
markdown_text = st.lists(_md_piece, max_size=25).map("".join)


@FEW
@given(markdown_text)
def test_the_markdown_parser_returns_entries_or_an_acrbot_error(text: str) -> None:
    try:
        entries = parse_markdown(text, "faq.zh-cn.md", DOCS)
    except AcrbotError:
        return
    for entry in entries:
        assert entry.id and isinstance(entry.question, str)


# --- search ------------------------------------------------------------------------

LIBRARY = Library([BUNDLED_KNOWLEDGE], DOCS)

query_text = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(["docker", "pull", "镜像", "登录", "admin", "<@U1>", "<http://x|y>", "*"]),
        max_size=30,
    ).map(" ".join),
)


@FEW
@given(query_text)
def test_search_never_raises_and_scores_are_probabilities(query: str) -> None:
    result = LIBRARY.ask(query)
    assert all(0.0 <= hit.score <= 1.0 for hit in result.hits)
    assert result.answered in (True, False)


# --- registry names ---------------------------------------------------------------

registry_text = st.one_of(
    st.text(max_size=120),
    st.from_regex(r"[A-Za-z0-9.\-/:_]{0,80}", fullmatch=True),
    st.builds(
        lambda name, suffix: f"{name}{suffix}",
        st.from_regex(r"[a-zA-Z0-9]{1,60}", fullmatch=True),
        st.sampled_from(
            [".azurecr.io", ".azurecr.cn", ".azurecr.us", "/v2/", ".evil.com", "", ".azurecr.io/"]
        ),
    ),
    st.builds(
        lambda sub, rg, name: (
            f"/subscriptions/{sub}/resourceGroups/{rg}"
            f"/providers/Microsoft.ContainerRegistry/registries/{name}"
        ),
        st.text(max_size=40),
        st.text(max_size=20),
        st.text(max_size=60),
    ),
)


@FEW
@given(registry_text)
def test_registry_names_are_valid_or_refused_clearly(text: str) -> None:
    try:
        wanted = parse_registry(text)
    except InvalidRegistryName as refused:
        assert str(refused) and "Traceback" not in str(refused)
        return
    assert re.fullmatch(r"[a-z0-9]{5,50}", wanted.name), wanted.name


# --- config loading ---------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
SECTIONS = ["knowledge", "slack", "azure", "access", "diagnostics", "storage", "state_dir", "serve"]
KEYS = [
    "paths", "answer_threshold", "reload_interval", "alert_channels", "feedback_path", "cloud",
    "credential", "subscriptions", "registries", "rules", "rate_limit", "max_concurrent",
    "redis_url", "deadline_seconds", "users", "checks",
]  # fmt: skip
config_data = st.dictionaries(
    st.sampled_from(SECTIONS),
    st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=5)),
    max_size=5,
)


@FEW
@given(st.one_of(config_data.map(lambda d: yaml.safe_dump(d)), st.text(max_size=200)))
def test_config_loading_raises_only_config_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acrbot.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_settings(path, env={})
        except AcrbotError as refused:
            assert "Traceback" not in str(refused)


# --- Slack payloads, signed, over HTTP ---------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessBot]:
    """The served app in process: every generated body goes through the router and Bolt."""
    with (
        FakeSlack() as slack,
        FakeAzure([], token=AZURE_TOKEN) as azure,
        start_in_process(tmp_path_factory.mktemp("props"), slack, azure) as bot,
    ):
        yield bot


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["event_callback", "url_verification", "block_actions", "x"]),
        "event_id": json_values,
        "event": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {"type": st.sampled_from(["app_mention", "message"])},
                optional={
                    "text": json_values,
                    "user": json_values,
                    "channel": json_values,
                    "ts": json_values,
                    "channel_type": json_values,
                    "thread_ts": json_values,
                },
            ),
        ),
        "challenge": json_values,
        "team_id": json_values,
    },
)
actions = st.fixed_dictionaries(
    {"type": st.just("block_actions")},
    optional={
        "user": st.one_of(json_values, st.fixed_dictionaries({"id": json_values})),
        "channel": json_values,
        "response_url": st.one_of(json_values, st.just("https://hooks.slack.invalid/x")),
        "actions": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "action_id": st.sampled_from(
                        ["feedback_up", "feedback_down", "diag_confirm", "diag_cancel", "zzz"]
                    ),
                    "value": json_values,
                },
            ),
            max_size=2,
        ),
    },
)
bodies = st.one_of(
    envelopes.map(lambda e: json.dumps(e).encode()),
    actions.map(lambda a: urlencode({"payload": json.dumps(a)}).encode()),
    st.builds(
        lambda text, user: urlencode(
            {"command": "/acr", "text": text, "user_id": user, "channel_id": "C1"}
        ).encode(),
        st.text(max_size=200),
        st.text(max_size=12),
    ),
    st.binary(max_size=200),
)


@settings(deadline=None, suppress_health_check=list(HealthCheck))
@given(body=bodies)
def test_signed_slack_payloads_never_crash_the_server(served: InProcessBot, body: bytes) -> None:
    reply = sr.post("/slack/events", body, signing_secret=sr_secret(), client=served.http)
    assert reply.status_code < 500, (reply.status_code, body[:200])


def test_the_server_logged_no_traceback_for_any_payload(served: InProcessBot) -> None:
    assert served.get("/healthz").status_code == 200
    assert "Traceback" not in served.log.read_text()


def sr_secret() -> str:
    from tests.fakes.acrbot_process import SIGNING_SECRET

    return SIGNING_SECRET


@pytest.mark.parametrize(
    "body",
    [  # found by the property test above: each raised inside Bolt or a listener
        b"payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3A%5B%5D%7D",
        b'{"type": "event_callback", "event": null}',
        b'{"type": "url_verification", "event": null}',
        b'{"type": "event_callback", "event": {"type": "app_mention", "channel": "C1"}}',
        b'{"type": "event_callback", "event": {"type": "message", "channel": "D1", "ts": "1",'
        b' "text": {"a": 1}}}',
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": [{}]})}).encode(),
        urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "block_actions",
                        "user": {"id": "U1"},
                        "actions": [{"action_id": "diag_confirm", "value": {}}],
                    }
                )
            }
        ).encode(),
        urlencode(
            {
                "payload": json.dumps(
                    {
                        "type": "block_actions",
                        "user": {"id": "U1"},
                        "response_url": "[]",
                        "actions": [{"action_id": "x"}],
                    }
                )
            }
        ).encode(),
    ],
)
def test_payloads_slack_never_sends_are_refused_before_bolt(body: bytes) -> None:
    from bot.web.slack_events import well_formed

    assert not well_formed(body, "application/x-www-form-urlencoded")


def test_payload_shapes_bolt_would_crash_on_are_refused() -> None:
    """Found by review: a view without its type and a command without response_url."""
    from urllib.parse import urlencode

    from bot.web.slack_events import well_formed

    view = urlencode({"payload": json.dumps({"type": "view_submission", "view": {}})}).encode()
    assert not well_formed(view, "application/x-www-form-urlencoded")
    command = {"command": "/acr", "user_id": "U1", "channel_id": "C1", "text": "diagnose x"}
    assert not well_formed(urlencode(command).encode(), "application/x-www-form-urlencoded")
    command["response_url"] = "https://hooks.slack.com/commands/T1/1/x"
    assert well_formed(urlencode(command).encode(), "application/x-www-form-urlencoded")
