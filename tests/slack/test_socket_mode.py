"""Socket Mode builds the same app without a signing secret (Slack's socket replaces HTTP)."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.config import load_settings
from bot.web.app import build_slack_app
from tests.fakes.slack_api import FakeSlack


def test_socket_mode_app_needs_no_signing_secret(tmp_path):
    with FakeSlack() as slack:
        env = {
            "SLACK_BOT_TOKEN": "xoxb-socket-test",
            "SLACK_APP_TOKEN": "xapp-1-socket-test",
            "SLACK_API_URL": slack.base_url,
        }
        settings = load_settings(env={**env, "ACRBOT_STATE_DIR": str(tmp_path)})
        credentials = settings.credentials.require(socket_mode=True)
        app, services = build_slack_app(settings)
        handler = SocketModeHandler(app, credentials.app_token)  # connects only on start()
        assert handler.app is app
        assert services.library.ask("docker pull is slow").answered
        assert slack.calls("auth.test")
