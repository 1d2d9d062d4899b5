"""A rollout does not leave a diagnostic "running" for ever (issue 18 A5).

gunicorn's drain after SIGTERM (``graceful_timeout``) was 10 s while a check
may take ``diagnostics.deadline_seconds`` (20 s): a check running during a
rollout was killed and its message kept its last progress line. Now the
drain covers the longest check, the worker waits for running checks before
it exits, and a check still running when that budget is spent has its
message replaced with "interrupted by a restart; run it again".
"""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import pytest
import yaml

from bot.cli.serve import serve_options
from bot.config import load_settings
from bot.slack.delivery import BoundedRespond
from bot.slack.running_checks import RUNNING, RunningChecks
from bot.web.app import build_router
from bot.web.serve import GunicornApp, ServeOptions
from tests.fakes import slack_requests as sr
from tests.fakes.acrbot_process import ALICE, AZURE_TOKEN, SIGNING_SECRET, start_bot
from tests.fakes.azure_api import FakeAzure, FakeRegistry
from tests.fakes.in_process import AsgiClient
from tests.fakes.slack_api import FakeSlack

INTERRUPTED = "interrupted by a restart; run it again"


@pytest.mark.parametrize("deadline", [5.0, 20.0, 120.0])
def test_gunicorns_drain_covers_the_longest_check(deadline: float) -> None:
    settings = load_settings(env={})
    options = serve_options(settings.serve, longest_check=deadline)
    # the check, then its "interrupted" notice (5 s) and the alert queue's drain (5 s)
    assert options.graceful_timeout >= deadline + 10
    app = GunicornApp(lambda: None, options)
    assert app.cfg.graceful_timeout == options.graceful_timeout


def blocked_run(checks: RunningChecks, respond, release: threading.Event) -> threading.Thread:
    started = threading.Event()

    def run() -> None:
        with checks.running("usage", "contosoregistry", respond):
            started.set()
            release.wait(30)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(5)
    return thread


def test_a_check_still_running_when_the_drain_ends_says_it_was_interrupted() -> None:
    checks, release = RunningChecks(), threading.Event()
    with FakeSlack() as slack:
        thread = blocked_run(checks, BoundedRespond(slack.response_url("run")), release)
        assert checks.drain(0.05) == 1
        (update,) = slack.calls("response_url")
        assert update.params["replace_original"] is True
        assert INTERRUPTED in json.dumps(update.params)
        assert "contosoregistry" in update.params["text"]
        release.set()
        thread.join(5)
    assert checks.count() == 0


def test_a_check_that_finishes_within_the_drain_is_left_alone() -> None:
    checks, release = RunningChecks(), threading.Event()
    with FakeSlack() as slack:
        thread = blocked_run(checks, BoundedRespond(slack.response_url("run")), release)
        threading.Timer(0.1, release.set).start()
        assert checks.drain(10) == 0
        thread.join(5)
        assert slack.calls("response_url") == []


def test_the_worker_drains_running_checks_when_it_shuts_down(tmp_path: Path) -> None:
    config = tmp_path / "acrbot.yaml"
    config.write_text(yaml.safe_dump({}))
    release = threading.Event()
    with FakeSlack() as slack:
        env = {
            "ACRBOT_CONFIG": str(config),
            "ACRBOT_STATE_DIR": str(tmp_path / "state"),
            "SLACK_BOT_TOKEN": "xoxb-1111-2222-drain",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.base_url,
        }
        router = build_router(
            load_settings(env=env), options=ServeOptions(longest_check=0.1), background_reload=False
        )
        thread = blocked_run(RUNNING, BoundedRespond(slack.response_url("run")), release)
        try:
            AsgiClient(router).close()  # the worker's lifespan shutdown
            (update,) = slack.wait_for("response_url")
            assert INTERRUPTED in json.dumps(update.params)
        finally:
            release.set()
            thread.join(5)


def test_sigterm_during_a_check_lets_it_finish_and_report(tmp_path: Path) -> None:
    """The real ``acrbot serve``: SIGTERM while Azure is answering a check."""
    registry = FakeRegistry("slowreg", slow=frozenset({"usages"}))
    with (
        FakeSlack() as slack,
        FakeAzure([registry], token=AZURE_TOKEN, slow_seconds=0.8) as azure,
    ):
        process, url, _log = start_bot(tmp_path, slack, azure)
        try:
            ask = sr.slash_command(
                "usage slowreg", user_id=ALICE, response_url=slack.response_url("req")
            )
            assert (
                sr.post(f"{url}/slack/events", ask, signing_secret=SIGNING_SECRET).status_code
                == 200
            )
            (prompt,) = slack.wait_for("response_url", lambda c: c.name == "req", timeout=10)
            value = next(
                e["value"]
                for b in prompt.params["blocks"]
                if b["type"] == "actions"
                for e in b["elements"]
                if e["action_id"] == "diag_confirm"
            )
            click = sr.block_actions(
                "diag_confirm", value, user_id=ALICE, response_url=slack.response_url("run")
            )
            assert (
                sr.post(f"{url}/slack/events", click, signing_secret=SIGNING_SECRET).status_code
                == 200
            )
            assert wait(lambda: any(r.route == "usages" for r in azure.requests))
            process.send_signal(signal.SIGTERM)  # as Kubernetes does after the preStop sleep
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
        updates = [c for c in slack.calls("response_url") if c.name == "run"]
        assert updates and "header" in json.dumps(updates[-1].params)  # the report, not "running"


def wait(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
