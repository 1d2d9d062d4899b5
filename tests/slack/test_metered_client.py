"""Every Slack Web API call is counted by method and outcome, on the client Bolt built."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import metrics
from tests.fakes.slack_api import FakeSlack


def counted(method: str, outcome: str) -> float:
    for line in metrics.render()[0].decode().splitlines():
        if line.startswith(
            f'acrbot_slack_api_calls_total{{method="{method}",outcome="{outcome}"}}'
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_bolts_own_client_is_metered_in_place_with_its_settings():
    plain = WebClient(token="xoxb-1", base_url="http://127.0.0.1:9/api/", timeout=3)
    made = metrics.metered(plain)
    assert made is plain and type(made) is not WebClient  # no second client per request
    assert (made.token, made.base_url, made.timeout) == ("xoxb-1", "http://127.0.0.1:9/api/", 3)
    assert metrics.metered(made) is made


def test_a_client_of_its_own_class_is_copied_and_left_alone():
    class Own(WebClient):
        pass

    own = Own(token="xoxb-2")
    made = metrics.metered(own)
    assert made is not own and type(own) is Own and made.token == "xoxb-2"


def test_ok_error_and_failed_calls_are_counted():
    with FakeSlack() as slack:
        base_url = slack.base_url
        client = metrics.metered(WebClient(token="xoxb-1", base_url=base_url))
        ok, error = counted("chat.postMessage", "ok"), counted("chat.postMessage", "error")
        client.chat_postMessage(channel="C1", text="hi")
        slack.fail_next("chat.postMessage", status=400)
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="hi")
        assert counted("chat.postMessage", "ok") == ok + 1
        assert counted("chat.postMessage", "error") == error + 1
    gone = metrics.metered(WebClient(token="xoxb-1", base_url=base_url, timeout=1))  # stopped
    failed = counted("chat.postMessage", "failed")
    with pytest.raises(Exception):  # noqa: B017 (the connection error slack_sdk raises, whatever it is)
        gone.chat_postMessage(channel="C1", text="hi")
    assert counted("chat.postMessage", "failed") == failed + 1
