"""`acrbot serve`, `config check` and `feedback` as an operator runs them.

In process (``run_cli``) where the output and the exit status are the
point; a real process for what only one shows: `serve` refusing to start
(its exit status). `serve` starting and verifying requests is in
``tests/web/test_startup.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from bot.config import load_settings
from bot.feedback import FeedbackStore
from bot.knowledge.library import Library
from tests.fakes.acrbot_process import BOT_TOKEN, ROOT, SIGNING_SECRET, free_port
from tests.fakes.cli import run_cli
from tests.fakes.slack_api import FakeSlack

GOOD_ENV = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


def _clean(env: dict[str, str] | None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "ACRBOT_"))}
    return {**clean, **(env or {})}


def acrbot(*args: str, env: dict[str, str] | None = None):
    return run_cli(*args, env=_clean(env))


def acrbot_process(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        env=_clean(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_config_check_needs_no_network_and_passes_with_the_defaults():
    unreachable = f"http://127.0.0.1:{free_port()}/api/"
    done = acrbot("config", "check", env={**GOOD_ENV, "SLACK_API_URL": unreachable})
    assert done.returncode == 0, done.stderr
    assert "config OK" in done.stdout
    bundled = len(Library.from_settings(load_settings(env={}).knowledge).current.entries)
    assert f"knowledge: {bundled} entries" in done.stdout
    assert BOT_TOKEN not in done.stdout + done.stderr
    assert SIGNING_SECRET not in done.stdout + done.stderr


def test_config_check_asks_slack_when_online():
    with FakeSlack() as slack:
        done = acrbot(
            "config", "check", "--online", env={**GOOD_ENV, "SLACK_API_URL": slack.base_url}
        )
        assert done.returncode == 0, done.stderr
        assert "token accepted" in done.stdout
        assert slack.calls("auth.test")


def test_each_missing_or_malformed_setting_stops_with_one_line_naming_it(tmp_path):
    broken = tmp_path / "acrbot.yaml"
    broken.write_text("azure:\n  cloud: mars\n", encoding="utf-8")
    cases = [
        ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        (
            {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
        ),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({**GOOD_ENV, "SLACK_API_URL": "slack.com/api"}, "SLACK_API_URL"),
        ({**GOOD_ENV, "PORT": "http"}, "PORT"),
        ({**GOOD_ENV, "ACRBOT_CONFIG": str(broken)}, "azure.cloud"),
    ]
    for env, setting in cases:
        for command in (("config", "check"), ("serve",)):
            done = acrbot(*command, env=env)
            assert done.returncode == 2, (command, env, done.stderr)
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and setting in lines[0], (command, setting, done.stderr)
            assert "Traceback" not in done.stderr


def test_socket_mode_needs_an_app_token():
    done = acrbot_process("serve", "--socket", env=GOOD_ENV)
    assert done.returncode == 2
    assert "SLACK_APP_TOKEN" in done.stderr and "xapp-" in done.stderr


def test_serve_says_plainly_when_slack_cannot_be_reached():
    unreachable = f"http://127.0.0.1:{free_port()}/api/"
    done = acrbot_process(
        "serve", "--port", str(free_port()), env={**GOOD_ENV, "SLACK_API_URL": unreachable}
    )
    assert done.returncode == 2
    assert "cannot reach Slack" in done.stderr
    assert BOT_TOKEN not in done.stderr


def test_feedback_summary_lists_the_worst_entries_first(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.record("docker pull slow", "faq#docker-pull-is-slow", "U1", "up")
    store.record("admin password", "faq#admin", "U1", "down")
    store.record("admin pwd", "faq#admin", "U2", "down")
    store.record("admin creds", "faq#admin", "U3", "up")
    done = acrbot("feedback", env={"ACRBOT_STATE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if "faq#" in line]
    assert rows[0].split()[-1] == "faq#admin"
    assert "67%" in rows[0]
    assert "'admin password' → faq#admin" in done.stdout


def test_feedback_with_no_clicks_yet(tmp_path):
    done = acrbot("feedback", env={"ACRBOT_STATE_DIR": str(tmp_path)})
    assert done.returncode == 0
    assert "No feedback yet" in done.stdout
