"""Diagnostics settings: the ``azure``, ``access`` and ``diagnostics`` sections of the YAML.

Everything that decides what may run, against what, and how patiently, is
read here once and validated up front: a typo in a key, a bad subscription
ID or an unknown check name stops the process with the full dotted name of
the setting, instead of surfacing as a puzzling refusal in Slack later.
Defaults are safe: nobody may run anything until ``access.rules`` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.diagnostics.access import AccessRule, parse_rules
from bot.diagnostics.checks import CHECKS
from bot.diagnostics.clouds import Cloud, get_cloud
from bot.diagnostics.registry_name import NAME_RE, RESOURCE_GROUP_RE, SUBSCRIPTION_RE
from bot.errors import ConfigError

CREDENTIAL_KINDS = ("default", "managed-identity", "cli", "static")
DEFAULT_API_VERSION = "2025-11-01"

_AZURE_KEYS = {
    "cloud",
    "credential",
    "managed_identity_client_id",
    "tenant_id",
    "subscriptions",
    "registries",
    "arm_endpoint",
    "login_server_url",
    "api_version",
}
_REGISTRY_KEYS = {"name", "subscription", "resource_group", "cloud"}
_ACCESS_KEYS = {"rules"}
_DIAGNOSTICS_KEYS = {
    "confirm_ttl_seconds",
    "deadline_seconds",
    "connect_timeout_seconds",
    "read_timeout_seconds",
    "max_retries",
    "max_retry_wait_seconds",
    "rate_limit",
    "max_concurrent",
    "storage_warning_percent",
    "audit_path",
}
_RATE_KEYS = {"max_requests", "window_seconds"}


@dataclass(frozen=True)
class RegistryConfig:
    """A registry declared in config, so it is found without searching ARM."""

    name: str
    subscription: str
    resource_group: str
    cloud: Cloud


@dataclass(frozen=True)
class AzureSettings:
    cloud: Cloud = field(default_factory=lambda: get_cloud("public"))
    credential: str = "default"
    managed_identity_client_id: str | None = None
    tenant_id: str | None = None
    subscriptions: tuple[str, ...] = ()
    registries: tuple[RegistryConfig, ...] = ()
    arm_endpoint: str | None = None
    login_server_url: str | None = None
    api_version: str = DEFAULT_API_VERSION

    def declared(self, name: str) -> RegistryConfig | None:
        """The config entry for registry ``name`` (case-insensitive), if any."""
        return next((r for r in self.registries if r.name == name.lower()), None)

    def arm_base(self, cloud: Cloud) -> str:
        """ARM's base URL for ``cloud``, or the configured emulator endpoint."""
        return (self.arm_endpoint or cloud.arm_endpoint).rstrip("/")

    def login_base(self, name: str, login_server: str) -> str:
        """The base URL of a registry's data plane: the real host, or the configured template."""
        if self.login_server_url:
            return self.login_server_url.replace("{name}", name).rstrip("/")
        return f"https://{login_server}"


@dataclass(frozen=True)
class DiagnosticsSettings:
    azure: AzureSettings = field(default_factory=AzureSettings)
    access_rules: tuple[AccessRule, ...] = ()
    confirm_ttl_seconds: float = 600.0
    deadline_seconds: float = 20.0
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    max_retries: int = 2
    max_retry_wait_seconds: float = 5.0
    rate_limit_requests: int = 5
    rate_limit_window_seconds: float = 60.0
    max_concurrent: int = 4
    storage_warning_percent: float = 80.0
    audit_path: Path = field(default_factory=lambda: Path("var") / "audit.jsonl")

    @classmethod
    def from_app_settings(cls, settings: Settings) -> DiagnosticsSettings:
        """The diagnostics view of the application's settings (YAML plus state directory)."""
        return cls.from_mapping(settings.raw, settings.state_dir)

    @classmethod
    def from_mapping(
        cls, raw: Mapping[str, Any], state_dir: Path | None = None
    ) -> DiagnosticsSettings:
        """Parse the whole YAML mapping; relative ``audit_path`` lives under ``state_dir``."""
        state_dir = Path("var") if state_dir is None else state_dir
        azure = _azure(_section(raw.get("azure"), "azure", _AZURE_KEYS))
        access = _section(raw.get("access"), "access", _ACCESS_KEYS)
        rules = parse_rules(access.get("rules", []), "access.rules", known_checks=CHECKS)
        _check_rule_registries(rules)
        diag = _section(raw.get("diagnostics"), "diagnostics", _DIAGNOSTICS_KEYS)
        rate = _section(diag.get("rate_limit"), "diagnostics.rate_limit", _RATE_KEYS)
        connect = _positive(diag, "connect_timeout_seconds", 5.0)
        read = _positive(diag, "read_timeout_seconds", 10.0)
        deadline = _positive(diag, "deadline_seconds", 20.0)
        if deadline < connect:
            raise ConfigError(
                "diagnostics.deadline_seconds", "must be at least connect_timeout_seconds"
            )
        return cls(
            azure=azure,
            access_rules=rules,
            confirm_ttl_seconds=_positive(diag, "confirm_ttl_seconds", 600.0, upper=86400),
            deadline_seconds=deadline,
            connect_timeout_seconds=connect,
            read_timeout_seconds=read,
            max_retries=_count(diag, "max_retries", 2, "diagnostics", lower=0, upper=10),
            max_retry_wait_seconds=_positive(diag, "max_retry_wait_seconds", 5.0, upper=120),
            rate_limit_requests=_count(rate, "max_requests", 5, "diagnostics.rate_limit"),
            rate_limit_window_seconds=_positive(
                rate, "window_seconds", 60.0, prefix="diagnostics.rate_limit"
            ),
            max_concurrent=_count(diag, "max_concurrent", 4, "diagnostics", upper=256),
            storage_warning_percent=_positive(diag, "storage_warning_percent", 80.0, upper=100),
            audit_path=_audit_path(diag.get("audit_path"), state_dir),
        )


def _section(value: Any, name: str, known: set[str]) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(name, "must be a mapping")
    unknown = sorted(str(k) for k in value if k not in known)
    if unknown:
        raise ConfigError(
            f"{name}.{unknown[0]}", f"unknown setting; known ones are {', '.join(sorted(known))}"
        )
    return value


def _text(section: Mapping[str, Any], key: str, name: str) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{name}.{key}", "must be a non-empty string")
    return value.strip()


def _url(section: Mapping[str, Any], key: str) -> str | None:
    value = _text(section, key, "azure")
    if value is not None and not value.startswith(("http://", "https://")):
        raise ConfigError(f"azure.{key}", "must be an http(s) URL")
    return value


def _azure(section: Mapping[str, Any]) -> AzureSettings:
    cloud = get_cloud(_text(section, "cloud", "azure") or "public")
    credential = (_text(section, "credential", "azure") or "default").lower()
    if credential not in CREDENTIAL_KINDS:
        raise ConfigError("azure.credential", f"must be one of {', '.join(CREDENTIAL_KINDS)}")
    subscriptions = _subscriptions(section.get("subscriptions", []))
    template = _url(section, "login_server_url")
    if template and "{" in template.replace("{name}", ""):
        raise ConfigError("azure.login_server_url", "may only use the placeholder {name}")
    return AzureSettings(
        cloud=cloud,
        credential=credential,
        managed_identity_client_id=_text(section, "managed_identity_client_id", "azure"),
        tenant_id=_text(section, "tenant_id", "azure"),
        subscriptions=subscriptions,
        registries=_registries(section.get("registries", []), cloud),
        arm_endpoint=_url(section, "arm_endpoint"),
        login_server_url=template,
        api_version=_text(section, "api_version", "azure") or DEFAULT_API_VERSION,
    )


def _subscriptions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError("azure.subscriptions", "must be a list of subscription IDs")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not SUBSCRIPTION_RE.fullmatch(item.strip()):
            raise ConfigError(f"azure.subscriptions[{index}]", "must be a subscription ID (GUID)")
    return tuple(dict.fromkeys(s.strip().lower() for s in value))


def _registries(value: Any, default_cloud: Cloud) -> tuple[RegistryConfig, ...]:
    if not isinstance(value, list):
        raise ConfigError("azure.registries", "must be a list of {name, subscription, ...}")
    entries: dict[str, RegistryConfig] = {}
    for index, item in enumerate(value):
        where = f"azure.registries[{index}]"
        entry = _section(item, where, _REGISTRY_KEYS)
        if not entry:
            raise ConfigError(where, "must name a registry, its subscription and resource group")
        name = _text(entry, "name", where) or ""
        if not NAME_RE.fullmatch(name):
            raise ConfigError(f"{where}.name", "must be 5-50 letters and digits")
        sub = _text(entry, "subscription", where) or ""
        if not SUBSCRIPTION_RE.fullmatch(sub):
            raise ConfigError(f"{where}.subscription", "must be a subscription ID (GUID)")
        group = _text(entry, "resource_group", where) or ""
        if not RESOURCE_GROUP_RE.fullmatch(group):
            raise ConfigError(f"{where}.resource_group", "must be a resource group name")
        cloud_name = _text(entry, "cloud", where)
        cloud = get_cloud(cloud_name, f"{where}.cloud") if cloud_name else default_cloud
        if name.lower() in entries:
            raise ConfigError(f"{where}.name", "is declared twice")
        entries[name.lower()] = RegistryConfig(name.lower(), sub.lower(), group, cloud)
    return tuple(entries.values())


def _check_rule_registries(rules: Iterable[AccessRule]) -> None:
    for index, rule in enumerate(rules):
        for name in rule.registries:
            if name != "*" and not NAME_RE.fullmatch(name):
                raise ConfigError(
                    f"access.rules[{index}].registries", "must list registry names or '*'"
                )


def _number(section: Mapping[str, Any], key: str, default: float, name: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name}.{key}", "must be a number")
    return float(value)


def _positive(
    section: Mapping[str, Any],
    key: str,
    default: float,
    upper: float = 3600.0,
    prefix: str = "diagnostics",
) -> float:
    value = _number(section, key, default, prefix)
    if not 0 < value <= upper:
        raise ConfigError(f"{prefix}.{key}", f"must be more than 0 and at most {upper:g}")
    return value


def _count(
    section: Mapping[str, Any],
    key: str,
    default: int,
    prefix: str,
    lower: int = 1,
    upper: int = 10_000,
) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lower <= value <= upper:
        raise ConfigError(f"{prefix}.{key}", f"must be a whole number from {lower} to {upper}")
    return value


def _audit_path(value: Any, state_dir: Path) -> Path:
    if value is None:
        return state_dir / "audit.jsonl"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("diagnostics.audit_path", "must be a file path")
    path = Path(value.strip())
    return path if path.is_absolute() else state_dir / path
