"""A fake Azure on 127.0.0.1: ARM's registry endpoints and a registry login server.

One ``ThreadingHTTPServer`` on port 0 serves both halves, so a test points
``azure.arm_endpoint`` at :attr:`FakeAzure.url` and ``azure.login_server_url``
at :attr:`FakeAzure.login_server_url` (``<url>/registry/{name}``). It checks
what real Azure checks (bearer token, ``api-version``, the token endpoints'
form fields), pages registry lists with ``nextLink``, answers errors with
ARM / registry error bodies, and can misbehave per registry (the scenario
knobs on :class:`FakeRegistry`). Every request is recorded with secrets
redacted, so tests can assert that nothing but GETs and the two token POSTs
were sent.

This module holds the fake's state and its dispatch; the routes are mixins
of the handler, one module each: ``arm_registries`` (ARM's registry reads),
``registry_tokens`` (the login server's token dance), ``registry_images``
(image reads) and ``azure_cluster`` (the pull check's cluster-side reads).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.arm_registries import PROVIDER, TENANT, ArmRoutes  # noqa: F401 - TENANT for tests
from tests.fakes.azure_cluster import (
    ClusterRoutes,
    FakeCluster,
    FakeDnsZone,
    FakePrivateEndpoint,
    FakeRoleAssignment,
    cluster_route,
)
from tests.fakes.fake_http import Answers
from tests.fakes.registry_images import IMAGE_ROUTES, FakeImage, ImageRoutes, image_route
from tests.fakes.registry_tokens import TokenRoutes

SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"
OTHER_SUBSCRIPTION = "00000000-0000-0000-0000-000000000002"
GIB = 1024**3
ROUTES = ("list", "registry", "usages", "challenge", "exchange", "token")
_SECRET_FIELDS = {"access_token", "refresh_token"}

_LIST_RE = re.compile(rf"/subscriptions/([^/]+)/{PROVIDER}/?", re.IGNORECASE)
_REGISTRY_RE = re.compile(
    rf"/subscriptions/([^/]+)/resourceGroups/([^/]+)/{PROVIDER}/([^/]+)(/listUsages)?/?",
    re.IGNORECASE,
)
_LOGIN_RE = re.compile(r"/registry/([^/]+)(/v2/|/oauth2/exchange|/oauth2/token)")


@dataclass
class FakeRegistry:
    """One registry and how it should misbehave.

    Route names for the per-route knobs: ``list``, ``registry``, ``usages``,
    ``challenge``, ``exchange``, ``token``.
    """

    name: str
    subscription: str = SUBSCRIPTION
    resource_group: str = "rg-acr"
    sku: str = "Premium"
    location: str = "chinaeast2"
    admin_user_enabled: bool = False
    public_network_access: str = "Enabled"
    default_action: str = "Allow"
    ip_rules: int = 0
    storage_used: int = 12 * GIB
    storage_limit: int = 500 * GIB
    webhooks_used: int = 2
    webhooks_limit: int = 500
    max_storage: int | None = None  # listUsages' MaximumStorageCapacity (the hard cap), if any
    cmk: str | None = None  # None, "match", "mismatch", "system" or "system-missing"
    cmk_status: str = "enabled"  # encryption.status when cmk is set
    login_server_override: str | None = None  # what ARM claims as loginServer
    pull_denied: frozenset[str] = frozenset()  # repositories the identity may not pull
    forbidden: bool = False  # 403 on GET /v2/ (firewall)
    no_challenge: bool = False  # 401 on GET /v2/ without WWW-Authenticate
    basic_challenge: bool = False  # a Basic challenge instead of Bearer
    exchange_denied: bool = False  # 401 on /oauth2/exchange
    exchange_throttled: bool = False  # 429 on every /oauth2/exchange
    challenge_throttled: bool = False  # 429 on every GET /v2/
    token_throttled: bool = False  # 429 on every /oauth2/token
    token_denied: bool = False  # 401 on /oauth2/token
    arm_forbidden: bool = False  # 403 AuthorizationFailed on ARM GETs of this registry
    rate_limited_once: frozenset[str] = frozenset()  # 429 + Retry-After: 1, then fine
    server_error: dict[str, int] = field(default_factory=dict)  # route -> 500/503, always
    malformed_json: frozenset[str] = frozenset()  # route -> 200 with a broken body
    slow: frozenset[str] = frozenset()  # route -> sleep FakeAzure.slow_seconds first
    # --- what the pull check reads ---
    role_assignment_mode: str = "LegacyRegistryPermissions"  # or "AbacRepositoryPermissions"
    allowed_ips: tuple[str, ...] = ()  # networkRuleSet.ipRules values (IPs or CIDR ranges)
    private_endpoints: tuple[FakePrivateEndpoint, ...] = ()
    quarantine: bool = False  # policies.quarantinePolicy.status
    images: tuple[FakeImage, ...] = ()  # oldest first
    data_endpoint_enabled: bool = False

    @property
    def login_server(self) -> str:
        return f"{self.name.lower()}.azurecr.io"

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/{PROVIDER}/{self.name}"
        )


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, str]
    route: str | None


class FakeAzure:
    """Context manager running the fake on a daemon thread; see the module docstring."""

    def __init__(
        self,
        registries: list[FakeRegistry] | tuple[FakeRegistry, ...] = (),
        *,
        token: str = "fake-aad-token",
        page_size: int = 2,
        list_errors: dict[str, int] | None = None,
        require_tenant: bool = True,
        slow_seconds: float = 2.0,
        clusters: list[FakeCluster] | tuple[FakeCluster, ...] = (),
        role_assignments: list[FakeRoleAssignment] | tuple[FakeRoleAssignment, ...] = (),
        role_definitions: dict[str, dict[str, Any]] | None = None,
        dns_zones: list[FakeDnsZone] | tuple[FakeDnsZone, ...] = (),
        peerings: dict[str, tuple[str, ...]] | None = None,
        forbidden_routes: frozenset[str] = frozenset(),
        delay_seconds: float = 0.0,
    ) -> None:
        self.registries = list(registries)
        self.token = token
        self.page_size = page_size
        self.list_errors = dict(list_errors or {})
        self.require_tenant = require_tenant
        self.slow_seconds = slow_seconds
        self.clusters = list(clusters)
        self.role_assignments = list(role_assignments)
        self.role_definitions = {k.lower(): v for k, v in (role_definitions or {}).items()}
        self.dns_zones = list(dns_zones)
        self.peerings = dict(peerings or {})
        self.forbidden_routes = forbidden_routes  # cluster-side routes answered 403
        self.delay_seconds = delay_seconds  # every request waits this long first (benchmarks)
        self.requests: list[RecordedRequest] = []
        self.issued: set[str] = set()  # refresh and access tokens handed out
        self._hits: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------

    def __enter__(self) -> FakeAzure:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-azure", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "use FakeAzure as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def arm_endpoint(self) -> str:
        return self.url

    @property
    def login_server_url(self) -> str:
        return f"{self.url}/registry/{{name}}"

    # --- inspection ----------------------------------------------------------

    def calls(self, route: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if route is None or r.route == route]

    def find(self, name: str) -> FakeRegistry | None:
        return next((r for r in self.registries if r.name.lower() == name.lower()), None)

    # --- used by the handler -------------------------------------------------

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def first_hit(self, registry: str, route: str) -> bool:
        with self._lock:
            key = (registry.lower(), route)
            if key in self._hits:
                return False
            self._hits.add(key)
            return True

    def issue(self, prefix: str) -> str:
        value = f"{prefix}-{secrets.token_hex(12)}"
        with self._lock:
            self.issued.add(value)
        return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class _Handler(ArmRoutes, TokenRoutes, ClusterRoutes, ImageRoutes, Answers):
    fake: FakeAzure
    server_version = "FakeAzure/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    # --- dispatch ------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        form = self._form() if method == "POST" else {}
        if self.fake.delay_seconds:
            time.sleep(self.fake.delay_seconds)
        route, registry, args = self._route(method, parts.path)
        extra = None if route else _pull_route(method, parts.path)
        self.fake.record(
            RecordedRequest(
                method,
                parts.path,
                query,
                self._headers(),
                _redact(form),
                route or (extra[0] if extra else None),
            )
        )
        try:
            if extra is not None and extra[0] in IMAGE_ROUTE_NAMES:
                self._answer_image_route(extra[0], extra[1], head=method == "HEAD")
            elif extra is not None:
                self._answer_cluster_route(extra[0], extra[1], query)
            elif route is None:
                self._arm_error(404 if method == "GET" else 405, "NotFound", "No such endpoint.")
            elif registry is not None and self._misbehave(registry, route):
                pass
            else:
                getattr(self, f"_{route}")(registry, query, form, *args)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts); nothing to answer

    def _route(self, method: str, path: str) -> tuple[str | None, FakeRegistry | None, tuple]:
        if method == "GET" and (m := _LIST_RE.fullmatch(path)):
            return "list", None, (m.group(1),)
        if method == "GET" and (m := _REGISTRY_RE.fullmatch(path)):
            found = self._lookup(m.group(3), m.group(1), m.group(2))
            route = "usages" if m.group(4) else "registry"
            return route, found, (m.group(3),)
        if m := _LOGIN_RE.fullmatch(path):
            endpoint = {"/v2/": "challenge", "/oauth2/exchange": "exchange"}.get(
                m.group(2), "token"
            )
            if (method == "GET") == (endpoint == "challenge"):
                return endpoint, self.fake.find(m.group(1)), (m.group(1),)
        return None, None, ()

    def _lookup(self, name: str, sub: str, group: str) -> FakeRegistry | None:
        found = self.fake.find(name)
        if found and (found.subscription, found.resource_group.lower()) == (
            sub.lower(),
            group.lower(),
        ):
            return found
        return None

    def _misbehave(self, registry: FakeRegistry, route: str) -> bool:
        """Apply the scenario knobs; True when a response was already sent."""
        if route in registry.slow:
            time.sleep(self.fake.slow_seconds)
        if route in registry.rate_limited_once and self.fake.first_hit(registry.name, route):
            self._json(
                429,
                {"error": {"code": "TooManyRequests", "message": "Slow down."}},
                {"Retry-After": "1"},
            )
            return True
        if route in registry.server_error:
            status = registry.server_error[route]
            self._json(status, {"error": {"code": "InternalServerError", "message": "Oops."}})
            return True
        if route in registry.malformed_json:
            self._send(200, b'{"value": [ this is not json', "application/json")
            return True
        return False

    # --- plumbing ------------------------------------------------------------

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def _headers(self) -> dict[str, str]:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if "authorization" in headers:
            scheme = headers["authorization"].split(" ", 1)[0]
            headers["authorization"] = f"{scheme} <redacted>"
        return headers


IMAGE_ROUTE_NAMES = frozenset(IMAGE_ROUTES)


def _pull_route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The pull check's extra routes: image reads on a login server, cluster-side ARM GETs."""
    if path.startswith("/registry/"):
        return image_route(method, path) if method in ("GET", "HEAD") else None
    return cluster_route(path) if method == "GET" else None


def _redact(form: dict[str, str]) -> dict[str, str]:
    return {k: ("<redacted>" if k in _SECRET_FIELDS and v else v) for k, v in form.items()}
