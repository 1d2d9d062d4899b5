"""Diagnostics settings: safe defaults, full dotted names on every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from bot.diagnostics.credentials import StaticTokenCredential, make_credential
from bot.diagnostics.settings import DiagnosticsSettings
from bot.errors import ConfigError

SUB = "00000000-0000-0000-0000-000000000001"


def test_defaults_are_safe() -> None:
    settings = DiagnosticsSettings.from_mapping({}, Path("/state"))
    assert settings.azure.cloud.name == "public"
    assert settings.azure.credential == "default"
    assert settings.access_rules == ()
    assert settings.azure.registries == () and settings.azure.subscriptions == ()
    assert (settings.rate_limit_requests, settings.rate_limit_window_seconds) == (5, 60)
    assert settings.max_concurrent == 4 and settings.confirm_ttl_seconds == 600
    assert settings.deadline_seconds == 20
    assert settings.audit_path == Path("/state/audit.jsonl")


def test_full_example_parses(tmp_path: Path) -> None:
    config = tmp_path / "acrbot.yaml"
    config.write_text(
        f"""
state_dir: state
azure:
  cloud: china
  credential: managed-identity
  managed_identity_client_id: 55555555-5555-5555-5555-555555555555
  subscriptions: ["{SUB}"]
  registries:
    - {{name: ProdReg, subscription: "{SUB}", resource_group: rg-prod}}
    - {{name: usreg01, subscription: "{SUB}", resource_group: rg-us, cloud: usgov}}
access:
  rules:
    - {{usergroups: [SOPS], checks: ["*"], registries: ["*"], channels: [COPS]}}
diagnostics:
  rate_limit: {{max_requests: 3, window_seconds: 120}}
  max_concurrent: 2
  audit_path: logs/audit.jsonl
""",
        encoding="utf-8",
    )
    settings = load_settings(config, env={}).diagnostics
    assert settings.azure.cloud.login_suffix == ".azurecr.cn"
    prod = settings.azure.declared("PRODREG")
    assert prod is not None and prod.cloud.name == "china" and prod.resource_group == "rg-prod"
    assert settings.azure.declared("usreg01").cloud.arm_endpoint.endswith("usgovcloudapi.net")
    assert settings.rate_limit_requests == 3 and settings.max_concurrent == 2
    assert settings.audit_path == tmp_path / "state" / "logs" / "audit.jsonl"


@pytest.mark.parametrize(
    ("raw", "setting"),
    [
        ({"azure": {"cloud": "mars"}}, "azure.cloud"),
        ({"azure": {"credential": "password"}}, "azure.credential"),
        ({"azure": {"clod": "public"}}, "azure.clod"),
        ({"azure": {"subscriptions": ["nope"]}}, "azure.subscriptions[0]"),
        ({"azure": {"arm_endpoint": "ftp://x"}}, "azure.arm_endpoint"),
        ({"azure": {"login_server_url": "http://h/{name}/{port}"}}, "azure.login_server_url"),
        (
            {"azure": {"registries": [{"name": "bad-name", "subscription": SUB}]}},
            "azure.registries[0].name",
        ),
        (
            {"azure": {"registries": [{"name": "goodname", "subscription": SUB}]}},
            "azure.registries[0].resource_group",
        ),
        (
            {
                "azure": {
                    "registries": [
                        {"name": "goodname", "subscription": SUB, "resource_group": "rg"},
                        {"name": "GOODNAME", "subscription": SUB, "resource_group": "rg"},
                    ]
                }
            },
            "azure.registries[1].name",
        ),
        ({"access": {"rules": [{"users": ["U1"], "checks": ["rm"]}]}}, "access.rules[0].checks"),
        (
            {"access": {"rules": [{"users": ["U1"], "checks": "*", "registries": ["x-y"]}]}},
            "access.rules[0].registries",
        ),
        ({"diagnostics": {"max_concurrent": 0}}, "diagnostics.max_concurrent"),
        ({"diagnostics": {"deadline_seconds": "soon"}}, "diagnostics.deadline_seconds"),
        (
            {"diagnostics": {"rate_limit": {"max_requests": True}}},
            "diagnostics.rate_limit.max_requests",
        ),
        (
            {"diagnostics": {"connect_timeout_seconds": 9, "deadline_seconds": 2}},
            "diagnostics.deadline_seconds",
        ),
        ({"diagnostics": []}, "diagnostics"),
    ],
)
def test_mistakes_name_the_setting(raw: dict, setting: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DiagnosticsSettings.from_mapping(raw)
    assert caught.value.setting == setting


def test_static_credential_needs_the_environment_variable() -> None:
    settings = DiagnosticsSettings.from_mapping({"azure": {"credential": "static"}})
    with pytest.raises(ConfigError) as caught:
        make_credential(settings.azure)
    assert caught.value.setting == "ACRBOT_AZURE_TOKEN"
    raw = {"azure": {"credential": "static"}}
    settings = DiagnosticsSettings.from_mapping(raw, azure_token="tok-123")
    credential = make_credential(settings.azure)
    assert isinstance(credential, StaticTokenCredential)
    assert credential.get_token("scope").token == "tok-123"
    assert "tok-123" not in repr(credential)


@pytest.mark.parametrize(
    ("kind", "class_name"),
    [
        ("default", "DefaultAzureCredential"),
        ("managed-identity", "ManagedIdentityCredential"),
        ("cli", "AzureCliCredential"),
    ],
)
def test_credential_kinds(kind: str, class_name: str) -> None:
    settings = DiagnosticsSettings.from_mapping({"azure": {"credential": kind, "cloud": "china"}})
    assert type(make_credential(settings.azure)).__name__ == class_name
