"""Settings: defaults, an optional YAML file, and a few environment variables.

The YAML file is found through ``--config PATH`` or ``ACRBOT_CONFIG``. Each
top-level section is parsed by the module that owns it, so a bad key is
reported with its full dotted name (``knowledge.answer_threshold``) and the
process refuses to start instead of running half-configured.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigError

DEFAULT_DOCS_BASE_URL = "https://learn.microsoft.com/zh-cn/azure/container-registry/"


def bundled_knowledge_dir() -> Path:
    """Where the FAQ shipped with acrbot lives, installed or in a checkout."""
    installed = Path(__file__).parent / "_bundled_knowledge"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "knowledge"


@dataclass(frozen=True)
class KnowledgeSettings:
    paths: tuple[Path, ...] = field(default_factory=lambda: (bundled_knowledge_dir(),))
    docs_base_url: str = DEFAULT_DOCS_BASE_URL
    answer_threshold: float = 0.5
    suggest_threshold: float = 0.2
    reload_interval: float = 2.0


@dataclass(frozen=True)
class SlackSettings:
    """Behaviour in Slack; the secrets come from the environment, not from here."""

    alert_channels: tuple[str, ...] = ()
    feedback_path: Path | None = None


@dataclass(frozen=True)
class StorageSettings:
    """Where shared state lives: Redis when ``redis_url`` is set, else SQLite in ``state_dir``."""

    redis_url: str | None = None  # REDIS_URL; redis://, rediss:// (TLS) or unix://

    def __repr__(self) -> str:  # the URL may hold a password
        return f"StorageSettings(redis_url={'set' if self.redis_url else None})"


@dataclass(frozen=True)
class Settings:
    knowledge: KnowledgeSettings = field(default_factory=KnowledgeSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    state_dir: Path = field(default_factory=lambda: Path("var"))
    raw: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    @property
    def feedback_path(self) -> Path:
        return self.slack.feedback_path or self.state_dir / "feedback.jsonl"


def config_path(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    from_env = env.get("ACRBOT_CONFIG", "").strip()
    return Path(from_env) if from_env else None


def load_settings(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if env is None else env
    source = config_path(path, env)
    raw = _read_yaml(source) if source else {}
    base = source.parent if source else Path.cwd()
    knowledge = _knowledge(raw.get("knowledge") or {}, base, env)
    slack = _slack(raw.get("slack") or {}, base)
    storage = _storage(raw.get("storage") or {}, env)
    state_dir = Path(env.get("ACRBOT_STATE_DIR") or raw.get("state_dir") or "var")
    if not state_dir.is_absolute():
        state_dir = (base if "state_dir" in raw else Path.cwd()) / state_dir
    return Settings(
        knowledge=knowledge,
        slack=slack,
        storage=storage,
        state_dir=state_dir,
        raw=raw,
        source=source,
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the config file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(str(path), f"not valid YAML{where}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "the top level must be a mapping of sections")
    return data


def _section(raw: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ConfigError(name, "must be a mapping")
    return raw


def _number(section: Mapping[str, Any], key: str, default: float, name: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{name}.{key}", f"must be a number, got {value!r}")
    return float(value)


def _knowledge(raw: Any, base: Path, env: Mapping[str, str]) -> KnowledgeSettings:
    section = _section(raw, "knowledge")
    paths: list[Path]
    if env.get("ACRBOT_KNOWLEDGE_DIR"):
        paths = [Path(p) for p in env["ACRBOT_KNOWLEDGE_DIR"].split(os.pathsep) if p]
    elif "paths" in section:
        listed = section["paths"]
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            raise ConfigError("knowledge.paths", "must be a list of folders or files")
        paths = [p if p.is_absolute() else base / p for p in map(Path, listed)]
    else:
        paths = [bundled_knowledge_dir()]
    docs = section.get("docs_base_url", DEFAULT_DOCS_BASE_URL)
    if not isinstance(docs, str) or not docs.startswith(("http://", "https://")):
        raise ConfigError("knowledge.docs_base_url", "must be an http(s) URL")
    answer = _number(section, "answer_threshold", 0.5, "knowledge")
    suggest = _number(section, "suggest_threshold", 0.2, "knowledge")
    for key, value in (("answer_threshold", answer), ("suggest_threshold", suggest)):
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"knowledge.{key}", "must be between 0 and 1")
    interval = _number(section, "reload_interval", 2.0, "knowledge")
    return KnowledgeSettings(
        paths=tuple(paths),
        docs_base_url=docs if docs.endswith("/") else docs + "/",
        answer_threshold=answer,
        suggest_threshold=suggest,
        reload_interval=interval,
    )


def _slack(raw: Any, base: Path) -> SlackSettings:
    section = _section(raw, "slack")
    channels = section.get("alert_channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise ConfigError("slack.alert_channels", "must be a list of channel IDs such as C0123")
    feedback = section.get("feedback_path")
    if feedback is not None and not isinstance(feedback, str):
        raise ConfigError("slack.feedback_path", "must be a file path")
    feedback_path = None
    if feedback:
        feedback_path = Path(feedback) if Path(feedback).is_absolute() else base / feedback
    return SlackSettings(alert_channels=tuple(channels), feedback_path=feedback_path)


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _storage(raw: Any, env: Mapping[str, str]) -> StorageSettings:
    section = _section(raw, "storage")
    unknown = sorted(set(section) - {"redis_url"})
    if unknown:
        raise ConfigError(f"storage.{unknown[0]}", "is not a known setting (known: redis_url)")
    from_env = env.get("REDIS_URL", "").strip()
    url = from_env or section.get("redis_url")
    name = "REDIS_URL" if from_env else "storage.redis_url"
    if url is None or url == "":
        return StorageSettings()
    if not isinstance(url, str) or not url.startswith(REDIS_SCHEMES):
        raise ConfigError(name, "must be a redis://, rediss:// (TLS) or unix:// URL")
    return StorageSettings(redis_url=url)
