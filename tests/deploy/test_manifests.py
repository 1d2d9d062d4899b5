"""The deploy/ manifests carry the issue 18 section A fixes."""

import logging
from pathlib import Path

import yaml

from bot.config import load_settings
from bot.web.serve import graceful_timeout

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "kubernetes"


def docs(name):
    return [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]


def one(name, kind):
    return next(d for d in docs(name) if d["kind"] == kind)


def settings_text():
    return one("configmap.yaml", "ConfigMap")["data"]["acrbot.yaml"]


def pod_spec():
    return one("deployment.yaml", "Deployment")["spec"]["template"]["spec"]


def test_ingress_publishes_alert_webhooks():
    paths = {
        p["path"]
        for rule in one("ingress.yaml", "Ingress")["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert {"/slack/events", "/alerts/azure-monitor", "/alerts/alertmanager"} <= paths


def test_secret_example_has_alert_token():
    keys = set()
    for d in docs("secret.example.yaml"):
        keys |= set(d.get("stringData", {}))
    assert "ACRBOT_ALERT_TOKEN" in keys


def test_configmap_uses_alerts_default_channel_not_deprecated_key():
    raw = yaml.safe_load(settings_text())
    assert raw["alerts"]["default_channel"]
    assert "alert_channels" not in (raw.get("slack") or {})


def test_configmap_loads_without_deprecation(tmp_path, caplog):
    path = tmp_path / "acrbot.yaml"
    path.write_text(settings_text())
    env = {"ACRBOT_STATE_DIR": str(tmp_path)}
    with caplog.at_level(logging.WARNING):
        settings = load_settings(path, env)
    assert settings.alerts.default_channel
    assert "deprecated" not in caplog.text


def test_prestop_sleep_and_the_drain_of_the_longest_check_fit_the_grace_period(tmp_path):
    """Kubernetes kills at terminationGracePeriodSeconds, counted from the preStop sleep."""
    spec = pod_spec()
    (container,) = spec["containers"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = int(command[1])
    path = tmp_path / "acrbot.yaml"
    path.write_text(settings_text())
    deadline = load_settings(path, {"ACRBOT_STATE_DIR": str(tmp_path)}).diagnostics.deadline_seconds
    drain = graceful_timeout(deadline)  # what `acrbot serve` gives gunicorn for this config
    assert drain >= deadline
    assert spec["terminationGracePeriodSeconds"] >= pre_stop + drain


def test_no_service_account_token():
    assert pod_spec()["automountServiceAccountToken"] is False


def test_pdb_uses_max_unavailable():
    spec = one("pdb.yaml", "PodDisruptionBudget")["spec"]
    assert spec.get("maxUnavailable") == 1
    assert "minAvailable" not in spec


def test_slack_manifest_has_no_unused_scopes():
    manifest = yaml.safe_load((DEPLOY / "slack-app-manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert not scopes & {"im:read", "im:write"}
    assert {"chat:write", "commands", "im:history", "usergroups:read"} <= scopes


def test_slack_manifest_has_what_help_channels_reactions_and_handoffs_need():
    """Issue 15: help channels and thread context (history), the ask reaction, 👀 / ✅."""
    manifest = yaml.safe_load((DEPLOY / "slack-app-manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"channels:history", "groups:history", "reactions:read", "reactions:write"} <= scopes
    assert {"message.channels", "message.groups", "reaction_added"} <= events


def test_slack_manifest_has_what_capture_and_app_home_need():
    """Issue 16: the save_answer message shortcut, the Home tab, users.info for its language."""
    manifest = yaml.safe_load((DEPLOY / "slack-app-manifest.yaml").read_text())
    features = manifest["features"]
    assert features["app_home"]["home_tab_enabled"] is True
    (shortcut,) = features["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", "save_answer")
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert "users:read" in manifest["oauth_config"]["scopes"]["bot"]
