"""The settings tree (bot/config.py): strict at every level, one line per mistake, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError

SUB = "00000000-0000-0000-0000-000000000000"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acrbot.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), env=env or {})
    return caught.value


# --- unknown keys, at every level, with the nearest valid one ---------------------------


@pytest.mark.parametrize(
    ("text", "setting", "meant"),
    [
        ("diagnostic: {max_concurrent: 2}\n", "diagnostic", "diagnostics"),
        ("knowlege: {}\n", "knowlege", "knowledge"),
        ("knowledge: {answer_treshold: 0.9}\n", "knowledge.answer_treshold", "answer_threshold"),
        ("slack: {feedbak_path: f.jsonl}\n", "slack.feedbak_path", "feedback_path"),
        ("azure: {clod: public}\n", "azure.clod", "cloud"),
        (
            f"azure: {{registries: [{{name: myreg01, subscription: '{SUB}', group: rg}}]}}\n",
            "azure.registries[0].group",
            "resource_group",
        ),
        ("access: {rule: []}\n", "access.rule", "rules"),
        (
            "access: {rules: [{user: [U1], checks: ['*'], registries: ['*']}]}\n",
            "access.rules[0].user",
            "users",
        ),
        ("diagnostics: {max_concurent: 2}\n", "diagnostics.max_concurent", "max_concurrent"),
        (
            "diagnostics: {rate_limit: {max_request: 2}}\n",
            "diagnostics.rate_limit.max_request",
            "max_requests",
        ),
        ("serve: {prot: 8080}\n", "serve.prot", "port"),
        ("storage: {redis: 'redis://localhost'}\n", "storage.redis", "redis_url"),
        ("alerts: {chanels: [C1]}\n", "alerts.chanels", "channels"),
        (
            "alerts: {routes: [{channel: C1, severity: [Sev0]}]}\n",
            "alerts.routes[0].severity",
            "severities",
        ),
    ],
)
def test_an_unknown_key_names_itself_and_the_nearest_valid_key(
    tmp_path: Path, text: str, setting: str, meant: str
) -> None:
    error = refused(tmp_path, text)
    assert error.setting == setting
    assert f"did you mean {meant}?" in error.problem
    assert "\n" not in str(error)


# --- wrong types and values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("state_dir: 5\n", "state_dir"),
        ("state_dir: [a, b]\n", "state_dir"),
        ("knowledge: []\n", "knowledge"),
        ("knowledge: {answer_threshold: high}\n", "knowledge.answer_threshold"),
        ("knowledge: {answer_threshold: 1.5}\n", "knowledge.answer_threshold"),
        ("knowledge: {reload_interval: -5}\n", "knowledge.reload_interval"),
        ("knowledge: {reload_interval: 0}\n", "knowledge.reload_interval"),
        ("knowledge: {paths: []}\n", "knowledge.paths"),
        ("knowledge: {paths: [1, 2]}\n", "knowledge.paths"),
        ("knowledge: {docs_base_url: 5}\n", "knowledge.docs_base_url"),
        ("slack: {feedback_path: [x]}\n", "slack.feedback_path"),
        ("slack: {alert_channels: C1 C2}\n", "slack.alert_channels"),
        ("serve: {port: 70000}\n", "serve.port"),
        ("serve: {workers: two}\n", "serve.workers"),
        ("serve: {log_format: xml}\n", "serve.log_format"),
        ("storage: {redis_url: 'http://x'}\n", "REDIS_URL"),
        ("alerts: {channels: 5}\n", "alerts.channels"),
        ("alerts: {routes: {channel: C1}}\n", "alerts.routes"),
        ("alerts: {routes: [{severities: [Sev0]}]}\n", "alerts.routes[0].channel"),
        ("alerts: {coalesce_seconds: -1}\n", "alerts.coalesce_seconds"),
        ("alerts: {language: fr}\n", "alerts.language"),
        ("diagnostics: {max_retries: -1}\n", "diagnostics.max_retries"),
        ("knowledge: {answer_threshold: .nan}\n", "knowledge.answer_threshold"),
        ("diagnostics: {deadline_seconds: .nan}\n", "diagnostics.deadline_seconds"),
        (
            "diagnostics: {rate_limit: {window_seconds: .nan}}\n",
            "diagnostics.rate_limit.window_seconds",
        ),
        ("knowledge: {reload_interval: .inf}\n", "knowledge.reload_interval"),
    ],
)
def test_a_wrong_type_or_value_names_the_setting(tmp_path: Path, text: str, setting: str) -> None:
    assert refused(tmp_path, text).setting == setting


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"PORT": "http"}, "PORT"),
        ({"WEB_CONCURRENCY": "0"}, "WEB_CONCURRENCY"),
        ({"GUNICORN_THREADS": "many"}, "GUNICORN_THREADS"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"ACRBOT_LOG_FORMAT": "yaml"}, "ACRBOT_LOG_FORMAT"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
    ],
)
def test_a_bad_environment_variable_names_itself(env: dict[str, str], setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env)
    assert caught.value.setting == setting


def test_a_duplicate_top_level_key_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refused(tmp_path, "knowledge: {}\nstate_dir: a\nknowledge: {answer_threshold: 1}\n")
    assert "duplicate key 'knowledge'" in error.problem and "line 3" in error.problem


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    error = refused(tmp_path, bomb)
    assert "aliases" in error.problem


@pytest.mark.parametrize(
    "text",
    [
        "knowledge: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "".join(" " * depth + "k:\n" for depth in range(3000)),
    ],
    ids=["flow", "block"],
)
def test_nesting_too_deep_is_a_plain_error_not_a_crash(tmp_path: Path, text: str) -> None:
    assert "nesting" in refused(tmp_path, text).problem


def test_a_top_level_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert "mapping" in refused(tmp_path, "- knowledge\n").problem


# --- defaults ← YAML ← environment --------------------------------------------------------


def test_defaults_without_a_file_or_environment() -> None:
    settings = load_settings(env={})
    assert settings.serve.port == 3000 and settings.serve.host == "0.0.0.0"
    assert (settings.serve.workers, settings.serve.threads) == (1, 16)
    assert (settings.serve.log_level, settings.serve.log_format) == ("info", "text")
    assert settings.storage.redis_url is None
    assert settings.alerts.coalesce_seconds == 600 and settings.alerts.language == "en"
    assert settings.alerts.token is None and settings.alerts.channels == ()
    assert settings.diagnostics.confirm_ttl_seconds == 600


def test_the_environment_overrides_the_file(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "serve: {host: 127.0.0.1, port: 8000, workers: 2, threads: 4, log_level: debug}\n"
        "storage: {redis_url: 'redis://file:6379/0'}\n"
        "state_dir: from-file\n",
    )
    from_file = load_settings(config, env={})
    assert (from_file.serve.host, from_file.serve.port, from_file.serve.workers) == (
        "127.0.0.1",
        8000,
        2,
    )
    assert from_file.state_dir == tmp_path / "from-file"
    env = {
        "PORT": "9000",
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "8",
        "LOG_LEVEL": "WARNING",
        "ACRBOT_LOG_FORMAT": "json",
        "REDIS_URL": "redis://env:6379/1",
        "ACRBOT_STATE_DIR": str(tmp_path / "from-env"),
    }
    settings = load_settings(config, env=env)
    assert settings.serve.port == 9000 and settings.serve.host == "127.0.0.1"
    assert (settings.serve.workers, settings.serve.threads) == (3, 8)
    assert (settings.serve.log_level, settings.serve.log_format) == ("warning", "json")
    assert settings.storage.redis_url == "redis://env:6379/1"
    assert settings.state_dir == tmp_path / "from-env"
    assert settings.diagnostics.audit_path == tmp_path / "from-env" / "audit.jsonl"


def test_the_alerts_section_as_issue_9_spells_it(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "alerts:\n"
        "  channels: [C0ALERTS]\n"
        "  default_channel: C0ALERTS\n"
        "  routes:\n"
        f"    - {{channel: C0PROD, subscriptions: ['{SUB}'], resource_groups: [prod-rg],"
        " severities: [Sev0, Sev1]}\n"
        "  coalesce_seconds: 120\n"
        "  language: zh\n",
    )
    alerts = load_settings(config, env={"ACRBOT_ALERT_TOKEN": "alert-secret-123"}).alerts
    assert alerts.channels == ("C0ALERTS",) and alerts.default_channel == "C0ALERTS"
    (route,) = alerts.routes
    assert route.channel == "C0PROD" and route.subscriptions == (SUB,)
    assert route.resource_groups == ("prod-rg",) and route.severities == ("Sev0", "Sev1")
    assert alerts.coalesce_seconds == 120 and alerts.language == "zh"
    assert alerts.token == "alert-secret-123"


def test_slack_alert_channels_is_a_deprecated_alias_of_alerts_channels(tmp_path: Path) -> None:
    config = write(tmp_path, "slack: {alert_channels: [C1, C2]}\nalerts: {channels: [C2, C3]}\n")
    assert load_settings(config, env={}).alerts.channels == ("C2", "C3", "C1")


def test_secrets_never_appear_in_repr(tmp_path: Path) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-secret-bot-token",
        "SLACK_SIGNING_SECRET": "signing-secret-value-123",
        "SLACK_APP_TOKEN": "xapp-secret-app-token",
        "ACRBOT_CONFIRM_SECRET": "confirm-secret-value-456",
        "ACRBOT_AZURE_TOKEN": "azure-secret-token-789",
        "ACRBOT_ALERT_TOKEN": "alert-secret-token-000",
        "REDIS_URL": "redis://:redis-password@host:6379/0",
    }
    settings = load_settings(env=env)
    shown = repr(settings)
    for name, value in env.items():
        assert value not in shown, name
    assert "redis-password" not in shown
    assert settings.confirm_secret == "confirm-secret-value-456"
    assert settings.diagnostics.azure.static_token == "azure-secret-token-789"
    assert settings.credentials.bot_token == "xoxb-secret-bot-token"


def test_settings_is_one_typed_tree() -> None:
    settings = load_settings(env={})
    assert isinstance(settings, Settings)
    assert not hasattr(settings, "raw")  # nothing re-parses the YAML later


# --- the edge: exit 2, one line, no traceback ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "state_dir: 5\n",
        "knowledge: {reload_interval: -5}\n",
        "diagnostic: {}\n",
        "a: 1\na: 2\n",
        "a: &x [1]\nb: *x\n",
        "knowledge: {paths: []}\n",
    ],
)
def test_config_check_refuses_bad_config_with_one_line(tmp_path: Path, capsys, text) -> None:
    config = write(tmp_path, text)
    assert main(["--config", str(config), "ask", "docker pull is slow"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("acrbot: configuration error in ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_each_edition_has_its_docs_base_url(tmp_path: Path) -> None:
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        "knowledge:\n"
        "  docs_base_url: https://docs.example/zh\n"
        "  docs_base_urls: {ja: 'https://docs.example/ja', EN: 'https://docs.example/en/'}\n"
    )
    urls = load_settings(config, env={}).knowledge.docs_base_urls
    assert urls["zh"] == "https://docs.example/zh/"
    assert urls["en"] == "https://docs.example/en/"  # the language tag is case-insensitive
    assert urls["ja"] == "https://docs.example/ja/"
    assert urls["zh-tw"].startswith("https://learn.microsoft.com/zh-tw/")


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("knowledge: {docs_base_urls: [en]}\n", "knowledge.docs_base_urls"),
        ("knowledge: {docs_base_urls: {en: ftp://x}}\n", "knowledge.docs_base_urls.en"),
        ("knowledge: {docs_base_urls: {'not a language': 'https://x'}}\n", "not a language"),
        ("knowledge: {docs_base_urls: {1: 'https://x'}}\n", "knowledge.docs_base_urls.1"),
    ],
)
def test_a_bad_docs_base_urls_names_the_setting(tmp_path: Path, text: str, setting: str) -> None:
    config = tmp_path / "acrbot.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config, env={})
    assert setting in caught.value.setting


def test_a_short_confirm_secret_is_refused_when_settings_load() -> None:
    """`config check` must fail on what `serve` would fail on (in a worker, with a traceback)."""
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"ACRBOT_CONFIRM_SECRET": "short"})
    assert caught.value.setting == "ACRBOT_CONFIRM_SECRET"
    assert load_settings(env={"ACRBOT_CONFIRM_SECRET": "x" * 16}).confirm_secret == "x" * 16


@pytest.mark.parametrize("command", [["config", "check"], ["diagnose", "healthyreg", "--yes"]])
def test_an_unwritable_state_dir_is_one_line_before_anything_starts(
    tmp_path: Path, capsys, monkeypatch, command: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(blocker / "state"))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s" * 32)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("acrbot: configuration error in state_dir: cannot write to ")
    assert err.count("\n") == 1 and "Traceback" not in err
