"""The deployment as shipped receives an Azure Monitor and an Alertmanager alert (issue 18).

The pod is rendered from deploy/kubernetes/ as Kubernetes would run it: its
environment from the Deployment (``env``, ``envFrom`` the Secret, values
from ``secretKeyRef``), the Secret's keys from ``secret.example.yaml`` (with
test values: the example holds placeholders), the ConfigMap's
``acrbot.yaml`` at the path the volume mount gives it, the Redis of the
``acrbot-redis`` Secret played by a real redis-server. The alerts go to the
paths the Ingress publishes, with the token of the Secret's key, the way
deploy/README.md tells each sender to present it, through acrbot's whole
ASGI app in this process, and must reach the fake Slack in the ConfigMap's
channel.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import load_settings
from bot.web.app import build_router
from tests.fakes.in_process import AsgiClient
from tests.fakes.slack_api import FakeSlack
from tests.redis_server import RedisServer
from tests.triage.conftest import fixture

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S = DEPLOY / "kubernetes"


def manifests(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text()) if d]


def one(name: str, kind: str, metadata_name: str | None = None) -> dict[str, Any]:
    return next(
        d
        for d in manifests(name)
        if d["kind"] == kind and metadata_name in (None, d["metadata"]["name"])
    )


def container() -> dict[str, Any]:
    (acrbot,) = one("deployment.yaml", "Deployment")["spec"]["template"]["spec"]["containers"]
    return acrbot


def secret_data(test_values: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each example Secret's keys, with a test value for each placeholder."""
    rendered = {}
    for secret in manifests("secret.example.yaml"):
        data = dict(secret.get("stringData") or {})
        rendered[secret["metadata"]["name"]] = {k: test_values.get(k, v) for k, v in data.items()}
    return rendered


def pod_environment(secrets_by_name: dict[str, dict[str, str]], mounts: dict[str, Path]):
    """The container's environment as the kubelet builds it, with mounted paths moved here."""
    spec = container()
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        env |= secrets_by_name[source["secretRef"]["name"]]
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets_by_name[ref["name"]][ref["key"]]
    for name, value in env.items():
        for mount_path, here in mounts.items():
            if value == mount_path or value.startswith(mount_path + "/"):
                env[name] = str(here) + value[len(mount_path) :]
    return env


def mounted_volumes(tmp_path: Path) -> dict[str, Path]:
    """Every volumeMount as a folder here; a ConfigMap volume holds its data keys as files."""
    pod = one("deployment.yaml", "Deployment")["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {}
    for mount in container()["volumeMounts"]:
        folder = tmp_path / mount["name"]
        folder.mkdir()
        config_map = volumes[mount["name"]].get("configMap")
        if config_map:
            data = one("configmap.yaml", "ConfigMap", config_map["name"])["data"]
            for key, text in data.items():
                (folder / key).write_text(text, encoding="utf-8")
        mounts[mount["mountPath"]] = folder
    return mounts


def published_alert_paths() -> set[str]:
    """The Ingress's paths to acrbot's Service under /alerts/ (Exact: the path as sent)."""
    paths = set()
    service = one("service.yaml", "Service")
    for rule in one("ingress.yaml", "Ingress")["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == service["metadata"]["name"]
            assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
            if path["path"].startswith("/alerts/"):
                assert path["pathType"] == "Exact"
                paths.add(path["path"])
    return paths


def readme_alert_urls() -> dict[str, str]:
    text = (DEPLOY / "README.md").read_text()
    alerts = text[text.index("## Alerts") :]
    return {
        "alertmanager": re.search(r"`(http://[^`]*/alerts/alertmanager)`", alerts).group(1),
        "azure-monitor": re.search(
            r"`(https://[^`]*/alerts/azure-monitor\?token=[^`]*)`", alerts
        ).group(1),
    }


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """The acrbot-redis Secret's Redis, of this test alone (no worker reaches another test's)."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def deployed(tmp_path: Path, redis_url: str):
    token = "alert-" + secrets.token_urlsafe(24)
    test_values = {
        "SLACK_BOT_TOKEN": "xoxb-1111-2222-deployed",
        "SLACK_SIGNING_SECRET": secrets.token_hex(16),
        "ACRBOT_ALERT_TOKEN": token,
        "REDIS_URL": redis_url,
    }
    rendered = secret_data(test_values)
    with FakeSlack() as slack:
        env = pod_environment(rendered, mounted_volumes(tmp_path))
        env["SLACK_API_URL"] = slack.base_url  # the one thing not as deployed: Slack is the fake
        settings = load_settings(env=env)
        with AsgiClient(build_router(settings, background_reload=False)) as acrbot:
            yield acrbot, slack, token, settings


def test_the_documented_urls_are_the_published_paths() -> None:
    urls = readme_alert_urls()
    paths = published_alert_paths()
    assert paths == {"/alerts/azure-monitor", "/alerts/alertmanager"}
    host = one("ingress.yaml", "Ingress")["spec"]["rules"][0]["host"]
    assert urls["azure-monitor"].startswith(f"https://{host}/alerts/azure-monitor?token=")
    service = one("service.yaml", "Service")
    assert urls["alertmanager"] == (
        f"http://{service['metadata']['name']}.<namespace>.svc/alerts/alertmanager"
    )
    assert 80 in {p["port"] for p in service["spec"]["ports"]}  # what http:// implies


def test_the_secret_key_is_the_token_acrbot_reads(deployed) -> None:
    _router, _slack, token, settings = deployed
    assert settings.alerts.token == token
    assert settings.storage.redis_url  # from the acrbot-redis Secret, through secretKeyRef


def test_azure_monitor_and_alertmanager_deliveries_reach_the_configured_channel(deployed) -> None:
    acrbot, slack, token, settings = deployed
    channel = settings.alerts.default_channel
    assert channel, "the ConfigMap must name alerts.default_channel"
    paths = published_alert_paths()
    azure = acrbot.post(
        "/alerts/azure-monitor",
        content=json.dumps(fixture("azure_metric_storage.json")).encode(),
        headers={"Content-Type": "application/json"},
        params={"token": token},  # an action group can only set a URL
    )
    assert "/alerts/azure-monitor" in paths and azure.status_code == 200, azure.text
    alertmanager = acrbot.post(
        "/alerts/alertmanager",
        content=json.dumps(fixture("alertmanager_imagepull.json")).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert "/alerts/alertmanager" in paths and alertmanager.status_code == 200, alertmanager.text
    posts = slack.wait_for("chat.postMessage", count=2, timeout=20)
    assert {post.params["channel"] for post in posts} == {channel}
    text = " ".join(json.dumps(post.params) for post in posts)
    assert "contosoregistry" in text  # both alerts name the registry, each was triaged
    assert slack.rejections == []
