"""Settings: one typed tree, read once, from defaults ← the YAML file ← the environment.

This is the only module that reads ``os.environ`` for settings. The YAML file
is found through ``--config PATH`` or ``ACRBOT_CONFIG`` and read without
aliases or duplicate keys. Every section is a :class:`bot.config_section.Section`,
so an unknown key anywhere, a wrong type or an out-of-range number stops
start-up with one line naming the dotted key (and the nearest valid one).
Secrets (Slack tokens, the alert token, the Confirm secret, the Azure token)
come only from the environment and never appear in a ``repr``.

Adding a section: a frozen dataclass, a ``_read_<name>`` function taking the
:class:`Section` (and the environment, if it has variables), a field on
:class:`Settings`, and its name in ``SECTIONS``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from bot.config_section import Section, refuse_unknown
from bot.diagnostics.settings import DiagnosticsSettings
from bot.errors import ConfigError
from bot.secret_policy import MIN_SECRET_BYTES
from bot.yaml_loader import error_line, error_reason, load_yaml

DEFAULT_DOCS_BASE_URL = "https://learn.microsoft.com/zh-cn/azure/container-registry/"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")
ALERT_LANGUAGES = ("en", "zh")
log = logging.getLogger(__name__)

Env = Mapping[str, str]
# Per-language docs for editions of the FAQ (knowledge.docs_base_urls overrides or adds).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")
DEFAULT_DOCS_BASE_URLS = {
    "en": "https://learn.microsoft.com/en-us/azure/container-registry/",
    "zh-tw": "https://learn.microsoft.com/zh-tw/azure/container-registry/",
}


def bundled_knowledge_dir() -> Path:
    """Where the FAQ shipped with acrbot lives, installed or in a checkout."""
    installed = Path(__file__).parent / "_bundled_knowledge"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "knowledge"


# --- the tree ------------------------------------------------------------------


@dataclass(frozen=True)
class KnowledgeSettings:
    paths: tuple[Path, ...] = field(default_factory=lambda: (bundled_knowledge_dir(),))
    docs_base_url: str = DEFAULT_DOCS_BASE_URL
    docs_base_urls: Mapping[str, str] = field(
        default_factory=lambda: {**DEFAULT_DOCS_BASE_URLS, "zh": DEFAULT_DOCS_BASE_URL}
    )
    answer_threshold: float = 0.5
    suggest_threshold: float = 0.2
    reload_interval: float = 2.0


@dataclass(frozen=True)
class SlackCredentials:
    """Slack's secrets and endpoint, from the environment; checked for the mode that runs."""

    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_SLACK_API_URL

    def require(self, *, socket_mode: bool = False) -> SlackCredentials:
        """These credentials if they can serve Slack; else a ConfigError naming the gap."""
        _required(self.bot_token, "SLACK_BOT_TOKEN", "xoxb-", "the bot token (xoxb-…)")
        if not self.signing_secret and not socket_mode:
            raise ConfigError(
                "SLACK_SIGNING_SECRET",
                "is not set: copy it from your Slack app's Basic Information page",
            )
        if any(c.isspace() for c in self.signing_secret):
            raise ConfigError(
                "SLACK_SIGNING_SECRET", "contains spaces: copy the secret again, on its own"
            )
        if socket_mode and not self.app_token:
            raise ConfigError(
                "SLACK_APP_TOKEN",
                "is not set: Socket Mode needs an app-level token (xapp-…) "
                "with the connections:write scope",
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN", "must be an app-level token starting with xapp-")
        return self


@dataclass(frozen=True)
class SlackSettings:
    """Behaviour in Slack, plus the credentials read from the environment."""

    feedback_path: Path | None = None
    credentials: SlackCredentials = field(default_factory=SlackCredentials)


@dataclass(frozen=True)
class ServeSettings:
    """How ``acrbot serve`` listens and logs (HOST, PORT, WEB_CONCURRENCY, ...)."""

    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1
    threads: int = 16
    log_level: str = "info"
    log_format: str = "text"


@dataclass(frozen=True)
class StorageSettings:
    """Shared state across replicas; ``None`` keeps claims in the local state directory."""

    redis_url: str | None = field(default=None, repr=False)  # may carry a password


@dataclass(frozen=True)
class AlertRoute:
    """Webhook alerts matching every listed field (empty: any) go to ``channel``."""

    channel: str
    subscriptions: tuple[str, ...] = ()
    resource_groups: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertSettings:
    """Alert triage (issue 9): watched channels, where webhook alerts go, storms."""

    channels: tuple[str, ...] = ()
    default_channel: str | None = None
    routes: tuple[AlertRoute, ...] = ()
    coalesce_seconds: float = 600.0
    language: str = "en"
    token: str | None = field(default=None, repr=False)  # ACRBOT_ALERT_TOKEN


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
    slack = Section(raw.get("slack"), "slack", ("alert_channels", "feedback_path"))
    knowledge = Section(raw.get("knowledge"), "knowledge", _KNOWLEDGE)
    return Settings(
        knowledge=_read_knowledge(knowledge, base, env),
        slack=SlackSettings(slack.path("feedback_path", base), _read_credentials(env)),
        diagnostics=DiagnosticsSettings.from_mapping(
            raw, state_dir, azure_token=_env(env, "ACRBOT_AZURE_TOKEN")
        ),
        serve=_read_serve(Section(raw.get("serve"), "serve", _SERVE), env),
        storage=_read_storage(Section(raw.get("storage"), "storage", ("redis_url",)), env),
        alerts=_read_alerts(Section(raw.get("alerts"), "alerts", _ALERTS), slack, env),
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


def _env(env: Env, name: str) -> str | None:
    return env.get(name, "").strip() or None


def _confirm_secret(env: Env) -> str | None:
    """Refused here, so ``config check`` says what ``serve`` would otherwise fail on."""
    secret = _env(env, "ACRBOT_CONFIRM_SECRET")
    if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            "ACRBOT_CONFIRM_SECRET", f"must be at least {MIN_SECRET_BYTES} characters long"
        )
    return secret


def _state_dir(raw: Mapping[str, Any], base: Path, env: Env) -> Path:
    from_env = _env(env, "ACRBOT_STATE_DIR")
    value = raw.get("state_dir")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError("state_dir", "must be a folder path (a string)")
    state_dir = Path(from_env or value or "var")
    if not state_dir.is_absolute():
        state_dir = (base if value and not from_env else Path.cwd()) / state_dir
    return state_dir


_KNOWLEDGE = (
    "paths",
    "docs_base_url",
    "docs_base_urls",
    "answer_threshold",
    "suggest_threshold",
    "reload_interval",
)


def _read_knowledge(section: Section, base: Path, env: Env) -> KnowledgeSettings:
    paths: list[Path]
    if env.get("ACRBOT_KNOWLEDGE_DIR"):
        paths = [Path(p) for p in env["ACRBOT_KNOWLEDGE_DIR"].split(os.pathsep) if p]
    elif "paths" in section:
        listed = section.get("paths")
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list) or not all(isinstance(p, str) and p for p in listed):
            raise ConfigError("knowledge.paths", "must be a list of folders or files")
        if not listed:
            raise ConfigError("knowledge.paths", "must list at least one folder or file")
        paths = [p if p.is_absolute() else base / p for p in map(Path, listed)]
    else:
        paths = [bundled_knowledge_dir()]
    docs = section.url("docs_base_url", DEFAULT_DOCS_BASE_URL) or DEFAULT_DOCS_BASE_URL
    return KnowledgeSettings(
        paths=tuple(paths),
        docs_base_url=_slash(docs),
        docs_base_urls=_docs_by_language(section, docs),
        answer_threshold=section.number("answer_threshold", 0.5, minimum=0, maximum=1),
        suggest_threshold=section.number("suggest_threshold", 0.2, minimum=0, maximum=1),
        reload_interval=section.number("reload_interval", 2.0, positive=True, maximum=86400),
    )


def _docs_by_language(section: Section, zh_docs: str) -> dict[str, str]:
    """Each edition's docs base URL: English and zh-TW defaults, ``zh`` from docs_base_url."""
    raw = section.get("docs_base_urls", {})
    where = section.name("docs_base_urls")
    if not isinstance(raw, Mapping):
        raise ConfigError(where, "must map languages (en, zh, zh-tw …) to http(s) URLs")
    urls = Section(raw, where, known=[k for k in raw if isinstance(k, str)])
    by_language = {**DEFAULT_DOCS_BASE_URLS, "zh": zh_docs}
    for language in raw:
        if not isinstance(language, str) or not _LANGUAGE_TAG.fullmatch(language.lower()):
            raise ConfigError(f"{where}.{language}", "is not a language such as en, zh or zh-tw")
        by_language[language.lower()] = urls.url(language) or ""
    return {language: _slash(url) for language, url in by_language.items()}


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _read_credentials(env: Env) -> SlackCredentials:
    api_url = _env(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL
    if not api_url.startswith(("https://", "http://")):
        raise ConfigError("SLACK_API_URL", "must be an http(s) URL such as https://slack.com/api/")
    return SlackCredentials(
        bot_token=_env(env, "SLACK_BOT_TOKEN") or "",
        signing_secret=_env(env, "SLACK_SIGNING_SECRET") or "",
        app_token=_env(env, "SLACK_APP_TOKEN"),
        api_url=api_url if api_url.endswith("/") else api_url + "/",
    )


def _required(value: str, name: str, prefix: str, what: str) -> None:
    if not value:
        raise ConfigError(name, f"is not set: it must hold {what}")
    if not value.startswith(prefix):
        raise ConfigError(name, f"must start with {prefix} (it should hold {what})")


_SERVE = ("host", "port", "workers", "threads", "log_level", "log_format")


def _read_serve(section: Section, env: Env) -> ServeSettings:
    """YAML ``serve:`` values, each overridden by its environment variable when set."""
    host = _env(env, "HOST") or section.text("host", "0.0.0.0") or "0.0.0.0"
    return ServeSettings(
        host=host,
        port=_whole_from(env, "PORT", section, "port", 3000, 1, 65535, "a TCP port number"),
        workers=_whole_from(env, "WEB_CONCURRENCY", section, "workers", 1, 1, 64, "a count"),
        threads=_whole_from(env, "GUNICORN_THREADS", section, "threads", 16, 1, 1024, "a count"),
        log_level=_choice_from(env, "LOG_LEVEL", section, "log_level", LOG_LEVELS, "info"),
        log_format=_choice_from(
            env, "ACRBOT_LOG_FORMAT", section, "log_format", LOG_FORMATS, "text"
        ),
    )


def _whole_from(
    env: Env, name: str, section: Section, key: str, default: int, low: int, high: int, what: str
) -> int:
    value = _env(env, name)
    if value is None:
        return section.whole(key, default, low, high)
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise ConfigError(name, f"must be {what} from {low} to {high}, got {shown!r}")
    return int(value)


def _choice_from(
    env: Env, name: str, section: Section, key: str, choices: tuple[str, ...], default: str
) -> str:
    value = _env(env, name)
    if value is None:
        return section.choice(key, choices, default)
    if value.lower() not in choices:
        raise ConfigError(name, f"must be one of {', '.join(choices)}")
    return value.lower()


def _read_storage(section: Section, env: Env) -> StorageSettings:
    url = _env(env, "REDIS_URL") or section.text("redis_url")
    if url is not None:
        _check_redis_url(url)
    return StorageSettings(redis_url=url)


def _check_redis_url(url: str) -> None:
    """Refuse a Redis URL the client would choke on later.

    Errors never repeat the URL: it may hold a password.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError("REDIS_URL", "must be a redis://, rediss:// or unix:// URL")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError("REDIS_URL", "has a port that is not a number from 1 to 65535")
    if parts.scheme == "unix":
        dbs = parse_qs(parts.query).get("db", [])
        db = dbs[-1] if dbs else ""
    else:
        db = parts.path.strip("/")
    if db and not (db.isascii() and db.isdigit()):
        raise ConfigError("REDIS_URL", "has a database that is not a non-negative whole number")


_ALERTS = ("channels", "default_channel", "routes", "coalesce_seconds", "language")
_ROUTE = ("channel", "subscriptions", "resource_groups", "severities")


def _read_alerts(section: Section, slack: Section, env: Env) -> AlertSettings:
    channels = section.strings("channels", what="channel IDs")
    deprecated = slack.strings("alert_channels", what="channel IDs such as C0123")
    if deprecated:
        log.warning("slack.alert_channels is deprecated: use alerts.channels")
        channels = tuple(dict.fromkeys(channels + deprecated))
    routes = []
    for route in section.sections("routes", _ROUTE):
        channel = route.text("channel")
        if channel is None:
            raise ConfigError(route.name("channel"), "is required: the channel ID to post to")
        routes.append(
            AlertRoute(
                channel=channel,
                subscriptions=tuple(s.lower() for s in route.strings("subscriptions")),
                resource_groups=route.strings("resource_groups", what="resource group names"),
                severities=route.strings("severities", what="severities such as Sev1"),
            )
        )
    return AlertSettings(
        channels=channels,
        default_channel=section.text("default_channel"),
        routes=tuple(routes),
        coalesce_seconds=section.number("coalesce_seconds", 600.0, minimum=0, maximum=86400),
        language=section.choice("language", ALERT_LANGUAGES, "en"),
        token=_env(env, "ACRBOT_ALERT_TOKEN"),
    )
