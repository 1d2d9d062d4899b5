"""Settings: one typed tree, read once, from defaults ← the YAML file ← the environment.

This is the only module that reads ``os.environ`` for settings. The YAML file
is found through ``--config PATH`` or ``ACRBOT_CONFIG`` and read without
aliases or duplicate keys. Every section is a :class:`bot.config_section.Section`,
so an unknown key anywhere, a wrong type or an out-of-range number stops
start-up with one line naming the dotted key (and the nearest valid one).
Secrets (Slack tokens, the alert token, the Confirm secret, the Azure token)
come only from the environment and never appear in a ``repr``.

Each section's type and reader live beside the package that uses it
(``knowledge/settings.py``, ``diagnostics/settings.py``, ``triage/settings.py``,
``slack/settings.py``, ``storage/settings.py``, ``web/settings.py``), so a
package loads its own settings without loading anyone else's; this module
only assembles them. Adding a section: a frozen dataclass and a reader in
the owner's ``settings.py``, a field on :class:`Settings`, and its name in
``SECTIONS``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config_section import Env, Section, env_value, refuse_unknown
from bot.diagnostics.settings import DiagnosticsSettings
from bot.errors import ConfigError
from bot.knowledge.settings import (
    DEFAULT_DOCS_BASE_URL,
    DEFAULT_DOCS_BASE_URLS,
    KnowledgeSettings,
    bundled_knowledge_dir,
    read_knowledge,
)
from bot.secret_policy import MIN_SECRET_BYTES
from bot.slack.settings import DEFAULT_SLACK_API_URL, SlackCredentials, SlackSettings, read_slack
from bot.slack.settings import KEYS as SLACK_KEYS
from bot.storage.settings import StorageSettings, read_storage
from bot.triage.settings import AlertRoute, AlertSettings, read_alerts
from bot.web.settings import ServeSettings, read_serve
from bot.yaml_loader import error_line, error_reason, load_yaml

# The section types are imported from here by the entry points and tests, as before.
__all__ = [
    "DEFAULT_DOCS_BASE_URL",
    "DEFAULT_DOCS_BASE_URLS",
    "DEFAULT_SLACK_API_URL",
    "AlertRoute",
    "AlertSettings",
    "DiagnosticsSettings",
    "KnowledgeSettings",
    "ServeSettings",
    "Settings",
    "SlackCredentials",
    "SlackSettings",
    "StorageSettings",
    "bundled_knowledge_dir",
    "load_settings",
]


# --- the tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    state_dir: Path = field(default_factory=lambda: Path("var"))
    confirm_secret: str | None = field(default=None, repr=False)  # ACRBOT_CONFIRM_SECRET
    source: Path | None = None

    @property
    def feedback_path(self) -> Path:
        return self.slack.feedback_path or self.state_dir / "feedback.jsonl"

    @property
    def credentials(self) -> SlackCredentials:
        return self.slack.credentials


# --- loading -------------------------------------------------------------------

# Top-level keys of the YAML file. Sections parsed by their own domain are listed too.
SECTIONS = (
    "knowledge",
    "slack",
    "azure",
    "access",
    "diagnostics",
    "serve",
    "storage",
    "alerts",
    "state_dir",
)


def config_path(explicit: str | os.PathLike[str] | None, env: Env) -> Path | None:
    if explicit:
        return Path(explicit)
    from_env = env.get("ACRBOT_CONFIG", "").strip()
    return Path(from_env) if from_env else None


def load_settings(path: str | os.PathLike[str] | None = None, env: Env | None = None) -> Settings:
    """The whole settings tree; ``env`` defaults to ``os.environ`` (tests pass a dict)."""
    env = os.environ if env is None else env
    source = config_path(path, env)
    raw = _read_yaml(source) if source else {}
    refuse_unknown(raw, "", SECTIONS)
    base = source.parent if source else Path.cwd()
    state_dir = _state_dir(raw, base, env)
    slack = Section(raw.get("slack"), "slack", SLACK_KEYS)
    return Settings(
        knowledge=read_knowledge(raw.get("knowledge"), base, env),
        slack=read_slack(slack, base, env),
        diagnostics=DiagnosticsSettings.from_mapping(
            raw, state_dir, azure_token=env_value(env, "ACRBOT_AZURE_TOKEN")
        ),
        serve=read_serve(raw.get("serve"), env),
        storage=read_storage(raw.get("storage"), env),
        alerts=read_alerts(raw.get("alerts"), slack, env),
        state_dir=state_dir,
        confirm_secret=_confirm_secret(env),
        source=source,
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ConfigError(str(path), f"cannot read the config file ({reason})") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), f"{error_reason(exc)}{error_line(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "the top level must be a mapping of sections")
    return data


def _confirm_secret(env: Env) -> str | None:
    """Refused here, so ``config check`` says what ``serve`` would otherwise fail on."""
    secret = env_value(env, "ACRBOT_CONFIRM_SECRET")
    if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            "ACRBOT_CONFIRM_SECRET", f"must be at least {MIN_SECRET_BYTES} characters long"
        )
    return secret


def _state_dir(raw: Mapping[str, Any], base: Path, env: Env) -> Path:
    from_env = env_value(env, "ACRBOT_STATE_DIR")
    value = raw.get("state_dir")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError("state_dir", "must be a folder path (a string)")
    state_dir = Path(from_env or value or "var")
    if not state_dir.is_absolute():
        state_dir = (base if value and not from_env else Path.cwd()) / state_dir
    return state_dir
