"""Slack credentials from the environment: read by bot/config.py, checked by ``require``."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_SLACK_API_URL as DEFAULT_API_URL
from bot.config import SlackCredentials, load_settings
from bot.errors import ConfigError

BOT = "xoxb-1111-2222-settingsunittoken"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP = "xapp-1-A111-222-settingsapptoken"
VALID = {"SLACK_BOT_TOKEN": BOT, "SLACK_SIGNING_SECRET": SECRET}


def from_env(env: dict[str, str] | None = None, *, socket_mode: bool = False) -> SlackCredentials:
    return load_settings(env=env).credentials.require(socket_mode=socket_mode)


def port(env: dict[str, str] | None = None) -> int:
    return load_settings(env=env).serve.port


def refused(env: dict[str, str], *, socket_mode: bool = False) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        from_env(env, socket_mode=socket_mode)
    error = raised.value
    assert str(error).startswith(f"configuration error in {error.setting}: ")
    for secret in (BOT, SECRET, APP):
        assert secret not in str(error)
    return error


def test_valid_http_settings_with_defaults() -> None:
    credentials = from_env(VALID)
    assert credentials.bot_token == BOT
    assert credentials.signing_secret == SECRET
    assert credentials.app_token is None
    assert credentials.api_url == DEFAULT_API_URL == "https://slack.com/api/"
    assert port(VALID) == 3000


def test_values_are_stripped_and_url_gets_a_slash() -> None:
    env = {
        "SLACK_BOT_TOKEN": f"  {BOT}\n",
        "SLACK_SIGNING_SECRET": f" {SECRET} ",
        "SLACK_API_URL": " http://127.0.0.1:4567/api ",
        "PORT": " 8080 ",
    }
    credentials = from_env(env)
    assert (credentials.bot_token, credentials.signing_secret) == (BOT, SECRET)
    assert credentials.api_url == "http://127.0.0.1:4567/api/"
    assert port(env) == 8080


def test_socket_mode_needs_the_app_token_but_not_the_signing_secret() -> None:
    credentials = from_env({"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}, socket_mode=True)
    assert credentials.app_token == APP
    assert credentials.signing_secret == ""


def test_reads_os_environ_by_default(monkeypatch) -> None:
    for name in ("SLACK_API_URL", "PORT", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("PORT", "4000")
    assert port() == 4000


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_bot_token(value) -> None:
    env = dict(VALID)
    if value is None:
        del env["SLACK_BOT_TOKEN"]
    else:
        env["SLACK_BOT_TOKEN"] = value
    error = refused(env)
    assert error.setting == "SLACK_BOT_TOKEN"
    assert "is not set" in error.problem and "xoxb-" in error.problem


@pytest.mark.parametrize(
    "value", ["xoxp-1-user-token", "xapp-1-app", "Bearer xoxb-1", "s3cr3tvalue"]
)
def test_bot_token_of_the_wrong_kind(value: str) -> None:
    error = refused({**VALID, "SLACK_BOT_TOKEN": value})
    assert error.setting == "SLACK_BOT_TOKEN"
    assert "must start with xoxb-" in error.problem
    assert value not in str(error)


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_signing_secret_over_http(value) -> None:
    env = {"SLACK_BOT_TOKEN": BOT}
    if value is not None:
        env["SLACK_SIGNING_SECRET"] = value
    error = refused(env)
    assert error.setting == "SLACK_SIGNING_SECRET"
    assert "is not set" in error.problem


@pytest.mark.parametrize("value", ["8f742231 b10e8888", "secret\tsecret", "two words"])
def test_malformed_signing_secret(value: str) -> None:
    error = refused({**VALID, "SLACK_SIGNING_SECRET": value})
    assert error.setting == "SLACK_SIGNING_SECRET"
    assert value not in str(error)


@pytest.mark.parametrize(
    "value", ["test-signing-secret", "short", "8f742231b10e8888abcd99yyyzzz85a5"]
)
def test_any_single_word_signing_secret_is_accepted(value: str) -> None:
    """Slack's are 32 hex digits, but a local fake or a test harness may use anything."""
    assert from_env({**VALID, "SLACK_SIGNING_SECRET": value}).signing_secret == value


def test_malformed_signing_secret_is_refused_in_socket_mode_too() -> None:
    env = {"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_SIGNING_SECRET": "no pe"}
    assert refused(env, socket_mode=True).setting == "SLACK_SIGNING_SECRET"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_socket_mode_without_app_token(value) -> None:
    env = dict(VALID)
    if value is not None:
        env["SLACK_APP_TOKEN"] = value
    error = refused(env, socket_mode=True)
    assert error.setting == "SLACK_APP_TOKEN"
    assert "Socket Mode" in error.problem and "xapp-" in error.problem


@pytest.mark.parametrize("socket_mode", [False, True])
def test_app_token_of_the_wrong_kind(socket_mode: bool) -> None:
    error = refused({**VALID, "SLACK_APP_TOKEN": BOT}, socket_mode=socket_mode)
    assert error.setting == "SLACK_APP_TOKEN"
    assert "xapp-" in error.problem


@pytest.mark.parametrize("value", ["slack.com/api", "ftp://slack.com/api/", "//slack.com/api"])
def test_bad_api_url(value: str) -> None:
    error = refused({**VALID, "SLACK_API_URL": value})
    assert error.setting == "SLACK_API_URL"


@pytest.mark.parametrize("value", ["abc", "0", "65536", "-1", "80.0", "３０００x", "²", "1e3"])
def test_bad_port(value: str) -> None:
    error = refused({**VALID, "PORT": value})
    assert error.setting == "PORT"
    assert repr(value) in error.problem


@pytest.mark.parametrize(("value", "port"), [("1", 1), ("65535", 65535), ("", 3000)])
def test_port_edges(value: str, port: int) -> None:
    assert load_settings(env={**VALID, "PORT": value}).serve.port == port


def test_secrets_stay_out_of_repr_and_str() -> None:
    credentials = from_env({**VALID, "SLACK_APP_TOKEN": APP})
    for shown in (repr(credentials), str(credentials), f"{credentials}"):
        assert BOT not in shown and SECRET not in shown and APP not in shown
        assert "xoxb" not in shown and "xapp" not in shown
    assert "api_url='https://slack.com/api/'" in repr(credentials)


def test_credentials_are_frozen() -> None:
    credentials = from_env(VALID)
    with pytest.raises(AttributeError):
        credentials.api_url = "http://x/"  # type: ignore[misc]
