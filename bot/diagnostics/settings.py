"""Diagnostics settings: the ``azure``, ``access`` and ``diagnostics`` sections of the YAML.

Everything that decides what may run, against what, and how patiently, is
read here once and validated up front: a typo in a key, a bad subscription
ID or an unknown check name stops the process with the full dotted name of
the setting, instead of surfacing as a puzzling refusal in Slack later.
Defaults are safe: nobody may run anything until ``access.rules`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config_section import Section, refuse_unknown
from bot.diagnostics.access import _RULE_KEYS, AccessRule, parse_rules
from bot.diagnostics.catalogue import CHECK_NAMES
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
    "clusters",
    "arm_endpoint",
    "login_server_url",
    "api_version",
}
_REGISTRY_KEYS = {"name", "subscription", "resource_group", "cloud"}
_CLUSTER_KEYS = {"name", "subscription", "resource_group", "aliases"}
# AKS cluster names: 1-63 letters, digits, '-' and '_', starting and ending with a letter or digit.
CLUSTER_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?")
# What alerts call a cluster (a `cluster` label, a tag): short, no spaces or markup.
ALIAS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,119}")
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
class ClusterConfig:
    """An AKS cluster declared in config: found without searching, and known by its aliases.

    ``aliases`` are the names alerts use for it (Alertmanager's ``cluster``
    label, for instance), compared without regard to case.
    """

    name: str
    subscription: str
    resource_group: str
    aliases: tuple[str, ...] = ()

    def known_as(self, text: str) -> bool:
        wanted = text.strip().lower()
        return wanted == self.name.lower() or wanted in (a.lower() for a in self.aliases)


@dataclass(frozen=True)
class AzureSettings:
    cloud: Cloud = field(default_factory=lambda: get_cloud("public"))
    credential: str = "default"
    managed_identity_client_id: str | None = None
    tenant_id: str | None = None
    subscriptions: tuple[str, ...] = ()
    registries: tuple[RegistryConfig, ...] = ()
    clusters: tuple[ClusterConfig, ...] = ()
    arm_endpoint: str | None = None
    login_server_url: str | None = None
    api_version: str = DEFAULT_API_VERSION
    static_token: str | None = field(default=None, repr=False)  # ACRBOT_AZURE_TOKEN

    def declared(self, name: str) -> RegistryConfig | None:
        """The config entry for registry ``name`` (case-insensitive), if any."""
        return next((r for r in self.registries if r.name == name.lower()), None)

    def cluster_named(self, text: str) -> ClusterConfig | None:
        """The configured cluster called ``text`` (its name or an alias, any case), if any."""
        return next((c for c in self.clusters if c.known_as(text)), None)

    def arm_base(self, cloud: Cloud) -> str:
        """ARM's base URL for ``cloud``, or the configured emulator endpoint."""
        return (self.arm_endpoint or cloud.arm_endpoint).rstrip("/")


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
    def from_mapping(
        cls,
        raw: Mapping[str, Any],
        state_dir: Path | None = None,
        *,
        azure_token: str | None = None,
    ) -> DiagnosticsSettings:
        """Parse the ``azure``, ``access`` and ``diagnostics`` sections of the YAML mapping.

        ``bot.config.load_settings`` calls this once; relative ``audit_path``
        lives under ``state_dir``; ``azure_token`` is ``ACRBOT_AZURE_TOKEN``.
        """
        state_dir = Path("var") if state_dir is None else state_dir
        azure = _azure(Section(raw.get("azure"), "azure", _AZURE_KEYS), azure_token)
        access = Section(raw.get("access"), "access", _ACCESS_KEYS)
        listed = access.get("rules", [])
        for index, item in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(item, Mapping):
                refuse_unknown(item, f"access.rules[{index}]", _RULE_KEYS)
        rules = parse_rules(listed, "access.rules", known_checks=CHECK_NAMES)
        _check_rule_registries(rules)
        diag = Section(raw.get("diagnostics"), "diagnostics", _DIAGNOSTICS_KEYS)
        rate = diag.section("rate_limit", _RATE_KEYS)
        connect = diag.number("connect_timeout_seconds", 5.0, positive=True, maximum=3600)
        read = diag.number("read_timeout_seconds", 10.0, positive=True, maximum=3600)
        deadline = diag.number("deadline_seconds", 20.0, positive=True, maximum=3600)
        if deadline < connect:
            raise ConfigError(
                "diagnostics.deadline_seconds", "must be at least connect_timeout_seconds"
            )
        return cls(
            azure=azure,
            access_rules=rules,
            confirm_ttl_seconds=diag.number(
                "confirm_ttl_seconds", 600.0, positive=True, maximum=86400
            ),
            deadline_seconds=deadline,
            connect_timeout_seconds=connect,
            read_timeout_seconds=read,
            max_retries=diag.whole("max_retries", 2, 0, 10),
            max_retry_wait_seconds=diag.number(
                "max_retry_wait_seconds", 5.0, positive=True, maximum=120
            ),
            rate_limit_requests=rate.whole("max_requests", 5, 1, 10_000),
            rate_limit_window_seconds=rate.number(
                "window_seconds", 60.0, positive=True, maximum=3600
            ),
            max_concurrent=diag.whole("max_concurrent", 4, 1, 256),
            storage_warning_percent=diag.number(
                "storage_warning_percent", 80.0, positive=True, maximum=100
            ),
            audit_path=diag.path("audit_path", state_dir) or state_dir / "audit.jsonl",
        )


def _azure(section: Section, static_token: str | None) -> AzureSettings:
    cloud = get_cloud(section.text("cloud") or "public")
    credential = section.choice("credential", CREDENTIAL_KINDS, "default")
    subscriptions = _subscriptions(section.get("subscriptions", []))
    template = section.url("login_server_url")
    if template and "{" in template.replace("{name}", ""):
        raise ConfigError("azure.login_server_url", "may only use the placeholder {name}")
    return AzureSettings(
        cloud=cloud,
        credential=credential,
        managed_identity_client_id=section.text("managed_identity_client_id"),
        tenant_id=section.text("tenant_id"),
        subscriptions=subscriptions,
        registries=_registries(section, cloud),
        clusters=_clusters(section),
        arm_endpoint=section.url("arm_endpoint"),
        login_server_url=template,
        api_version=section.text("api_version") or DEFAULT_API_VERSION,
        static_token=static_token or None,
    )


def _subscriptions(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError("azure.subscriptions", "must be a list of subscription IDs")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not SUBSCRIPTION_RE.fullmatch(item.strip()):
            raise ConfigError(f"azure.subscriptions[{index}]", "must be a subscription ID (GUID)")
    return tuple(dict.fromkeys(s.strip().lower() for s in value))


def _registries(azure: Section, default_cloud: Cloud) -> tuple[RegistryConfig, ...]:
    entries: dict[str, RegistryConfig] = {}
    for entry in azure.sections("registries", _REGISTRY_KEYS):
        where = entry.where
        if not entry.raw:
            raise ConfigError(where, "must name a registry, its subscription and resource group")
        name = entry.text("name") or ""
        if not NAME_RE.fullmatch(name):
            raise ConfigError(f"{where}.name", "must be 5-50 letters and digits")
        sub = entry.text("subscription") or ""
        if not SUBSCRIPTION_RE.fullmatch(sub):
            raise ConfigError(f"{where}.subscription", "must be a subscription ID (GUID)")
        group = entry.text("resource_group") or ""
        if not RESOURCE_GROUP_RE.fullmatch(group):
            raise ConfigError(f"{where}.resource_group", "must be a resource group name")
        cloud_name = entry.text("cloud")
        cloud = get_cloud(cloud_name, f"{where}.cloud") if cloud_name else default_cloud
        if name.lower() in entries:
            raise ConfigError(f"{where}.name", "is declared twice")
        entries[name.lower()] = RegistryConfig(name.lower(), sub.lower(), group, cloud)
    return tuple(entries.values())


def _clusters(azure: Section) -> tuple[ClusterConfig, ...]:
    entries: list[ClusterConfig] = []
    names: dict[str, str] = {}  # every name and alias, lower case -> where it was declared
    for entry in azure.sections("clusters", _CLUSTER_KEYS):
        where = entry.where
        if not entry.raw:
            raise ConfigError(where, "must name a cluster, its subscription and resource group")
        name = entry.text("name") or ""
        if not CLUSTER_NAME_RE.fullmatch(name):
            raise ConfigError(
                f"{where}.name", "must be an AKS cluster name (1-63 letters, digits, '-', '_')"
            )
        sub = entry.text("subscription") or ""
        if not SUBSCRIPTION_RE.fullmatch(sub):
            raise ConfigError(f"{where}.subscription", "must be a subscription ID (GUID)")
        group = entry.text("resource_group") or ""
        if not RESOURCE_GROUP_RE.fullmatch(group):
            raise ConfigError(f"{where}.resource_group", "must be a resource group name")
        aliases = entry.strings("aliases", what="names")
        for alias in aliases:
            if not ALIAS_RE.fullmatch(alias):
                raise ConfigError(
                    f"{where}.aliases", "must be names of letters, digits and . _ : / -"
                )
        for key, setting in [(name, f"{where}.name")] + [(a, f"{where}.aliases") for a in aliases]:
            if key.lower() in names and names[key.lower()] != where:
                raise ConfigError(setting, f"'{key}' already names {names[key.lower()]}")
            names[key.lower()] = where
        entries.append(ClusterConfig(name, sub.lower(), group, aliases))
    return tuple(entries)


def _check_rule_registries(rules: Iterable[AccessRule]) -> None:
    for index, rule in enumerate(rules):
        for name in rule.registries:
            if name != "*" and not NAME_RE.fullmatch(name):
                raise ConfigError(
                    f"access.rules[{index}].registries", "must list registry names or '*'"
                )
