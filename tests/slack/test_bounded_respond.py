"""BoundedRespond against the fake Slack's response_url: bounded, and failures remembered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.slack.delivery import BoundedRespond
from tests.fakes.slack_api import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def test_a_lost_progress_update_is_forgiven_by_the_report_that_replaces_it(fake):
    respond = BoundedRespond(fake.response_url())
    fake.fail_next("response_url", status=500, times=3)
    respond(text="step 1 of 3", replace_original=True)
    assert respond.failure == "response_url: HTTP 500"
    respond(text="report", replace_original=True)
    assert respond.failure is None


def test_a_lost_message_stays_lost_when_the_next_one_only_deletes(fake):
    respond = BoundedRespond(fake.response_url())
    fake.fail_next("response_url", status=500, times=3)
    respond(text="shared", response_type="in_channel", replace_original=False)
    respond(delete_original=True)
    assert respond.failure == "response_url: HTTP 500"


def test_a_hanging_response_url_is_given_up_on(fake):
    respond = BoundedRespond(fake.response_url(), timeout=1)
    fake.hang_next("response_url")
    respond(text="held")
    assert respond.failure == "response_url: TimeoutError"


def test_five_hundreds_are_retried_twice(fake):
    respond = BoundedRespond(fake.response_url())
    fake.fail_next("response_url", status=500, times=2)
    respond(text="third time lucky")
    assert respond.failure is None
    assert [c.params["text"] for c in fake.calls("response_url")] == ["third time lucky"]
