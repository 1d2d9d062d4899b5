"""The one module that talks to Azure, and it can only read.

Every HTTP call acrbot makes to ARM or to a registry goes through
:class:`AzureClient`, which offers GETs, HEADs and the two token POSTs of the ACR
auth flow (``/oauth2/exchange`` and ``/oauth2/token``) and nothing else. The
rule is enforced twice: the client's own methods check before sending, and an
httpx request hook refuses any other method or path even if someone reaches
for the underlying ``httpx.Client``. That is what makes the diagnostics
read-only by construction.

Everything else that makes calls safe lives here too: explicit connect/read
timeouts within the check's one deadline (``deadline.py``), retries on 429/5xx honouring
``Retry-After`` (capped), no redirects (a redirect could carry a token
elsewhere), and errors whose messages carry status codes and Azure error
codes but never a token (``scrubbing.py``).
"""

from __future__ import annotations

import email.utils
import itertools
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot import __version__
from bot.diagnostics.clouds import CLOUDS, is_login_url_of
from bot.diagnostics.deadline import Deadline
from bot.diagnostics.errors import (
    AzureConnectError,
    AzureCredentialError,
    AzureDNSError,
    AzureError,
    AzureHTTPError,
    AzureMalformedResponse,
    AzureTimeout,
    AzureTLSError,
    AzureUnreachable,
    DeadlineExceeded,
    ReadOnlyViolation,
    UntrustedLoginServer,
)
from bot.diagnostics.scrubbing import scrub
from bot.diagnostics.tokens import Secret, TokenCredential

TOKEN_POST_PATHS = ("/oauth2/exchange", "/oauth2/token")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAGES = 50

__all__ = ["AzureClient", "AzureError", "Challenge", "RegistryAnswer", "is_allowed"]


@dataclass(frozen=True)
class Challenge:
    """What ``GET /v2/`` answered: the status and the raw ``WWW-Authenticate`` header."""

    status: int
    www_authenticate: str | None


@dataclass(frozen=True)
class RegistryAnswer:
    """A registry read's outcome: status, headers (lower-case names), JSON body, error code."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    error_code: str | None = None
    error: str = ""


def is_allowed(method: str, url: str | httpx.URL) -> bool:
    """The closed list: any GET or HEAD, and POST only to the two ACR token endpoints."""
    if method.upper() in ("GET", "HEAD"):
        return True
    path = httpx.URL(str(url)).path.rstrip("/")
    return method.upper() == "POST" and path.endswith(TOKEN_POST_PATHS)


class AzureClient:
    """Read-only access to ARM and a registry's login server for the length of one check."""

    def __init__(
        self,
        credential: TokenCredential,
        *,
        arm_base: str,
        arm_scope: str,
        acr_scope: str,
        api_version: str,
        deadline: Deadline,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        max_retries: int = 2,
        max_retry_wait: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        login_hosts: Callable[[str], bool] | None = None,
    ) -> None:
        self._credential = credential
        self._login_hosts = login_hosts or _any_registry_host
        self.arm_base = arm_base.rstrip("/")
        self._arm_scope = arm_scope
        self._acr_scope = acr_scope
        self.api_version = api_version
        self.deadline = deadline
        self._connect = connect_timeout
        self._read = read_timeout
        self._max_retries = max_retries
        self._max_wait = max_retry_wait
        self._sleep = sleep
        self._secrets: list[str] = []
        self._sent = itertools.count(1)
        self.calls_sent = 0  # HTTP requests made (retries included), for reports and benchmarks
        self._http = httpx.Client(
            transport=transport,
            verify=_tls_context(),
            follow_redirects=False,
            headers={"User-Agent": f"acrbot/{__version__} (read-only diagnostics)"},
            event_hooks={"request": [_refuse_writes]},
        )

    def __enter__(self) -> AzureClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- ARM -----------------------------------------------------------------

    def arm_get(
        self, path: str, api_version: str | None = None, query: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """GET an ARM resource (``path`` starts with ``/subscriptions/``) as JSON.

        ``api_version`` is the resource provider's (the registry's by default).
        """
        url = f"{self.arm_base}{path}"
        params = {"api-version": api_version or self.api_version, **(query or {})}
        return self._arm_json(self._send("GET", url, self._arm_headers(), params))

    def arm_list(
        self, path: str, api_version: str | None = None, query: dict[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of an ARM list, following ``nextLink`` on ARM's own host only."""
        url: str | None = f"{self.arm_base}{path}"
        params: dict[str, str] | None = {
            "api-version": api_version or self.api_version,
            **(query or {}),
        }
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._arm_json(self._send("GET", url, self._arm_headers(), params))
            items = page.get("value", [])
            if not isinstance(items, list):
                raise AzureMalformedResponse("ARM returned a list without a 'value' array.")
            yield from (item for item in items if isinstance(item, dict))
            url, params = self._next_link(page.get("nextLink")), None
        raise AzureMalformedResponse(f"ARM kept paging past {MAX_PAGES} pages; stopped.")

    # --- registry data plane -------------------------------------------------

    def challenge(self, base_url: str) -> Challenge:
        """``GET /v2/`` without credentials, to see the auth challenge."""
        response = self._send("GET", f"{base_url}/v2/", {}, None)
        return Challenge(response.status_code, response.headers.get("WWW-Authenticate"))

    def aad_token(self) -> Secret:
        """An Azure AD token for ACR's audience, from the configured credential."""
        return self._token(self._acr_scope)

    def exchange(self, base_url: str, service: str, tenant: str | None, aad: Secret) -> Secret:
        """Trade the AAD token for an ACR refresh token (``POST /oauth2/exchange``)."""
        self._require_login_host(base_url)
        form = {"grant_type": "access_token", "service": service, "access_token": aad.reveal()}
        if tenant:
            form["tenant"] = tenant
        return self._token_post(f"{base_url}/oauth2/exchange", form, "refresh_token")

    def access_token(self, base_url: str, service: str, scope: str, refresh: Secret) -> Secret:
        """Trade the refresh token for a scoped access token (``POST /oauth2/token``)."""
        self._require_login_host(base_url)
        form = {
            "grant_type": "refresh_token",
            "service": service,
            "scope": scope,
            "refresh_token": refresh.reveal(),
        }
        return self._token_post(f"{base_url}/oauth2/token", form, "access_token")

    def registry_read(
        self,
        base_url: str,
        path: str,
        token: Secret,
        *,
        accept: str = "application/json",
        head: bool = False,
    ) -> RegistryAnswer:
        """``GET`` (or ``HEAD``) ``path`` on a login server with a registry access token.

        Any status is returned, not raised: for the image reads a 404 is an
        answer (no such tag), not a failure of the call.
        """
        self._require_login_host(base_url)
        headers = {"Authorization": f"Bearer {token.reveal()}", "Accept": accept}
        response = self._send("HEAD" if head else "GET", f"{base_url}{path}", headers, None)
        return self._answer(response, head)

    def registry_blob(self, base_url: str, path: str, token: Secret) -> RegistryAnswer:
        """``GET`` a small JSON blob (an image's config), following the one redirect to storage.

        Registries answer blob reads with a redirect whose URL carries its
        own signature: that hop goes without the registry token and over
        HTTPS, unless it stays on the same login server.
        """
        answer = self.registry_read(base_url, path, token)
        location = answer.headers.get("location")
        if answer.status not in (301, 302, 303, 307, 308) or not location:
            return answer
        target = str(httpx.URL(f"{base_url}{path}").join(location))
        if urlsplit(target).netloc == urlsplit(base_url).netloc:
            return self.registry_read(target, "", token)
        if not target.startswith("https://"):
            raise AzureMalformedResponse(f"{_host(base_url)} redirected a blob read off HTTPS.")
        return self._answer(self._send("GET", target, {"Accept": "application/json"}, None))

    def _answer(self, response: httpx.Response, head: bool = False) -> RegistryAnswer:
        body: dict[str, Any] = {}
        if not head and 200 <= response.status_code < 300:
            body = _json(response)
        code, message = _error_body(response) if response.status_code >= 400 else (None, "")
        return RegistryAnswer(
            status=response.status_code,
            headers={k.lower(): v for k, v in response.headers.items()},
            body=body,
            error_code=code,
            error=self.scrub(message) if message else "",
        )

    def scrub(self, text: str) -> str:
        """:func:`scrub` that also removes every token this client has handled."""
        return scrub(text, tuple(self._secrets))

    # --- plumbing ------------------------------------------------------------

    def _require_login_host(self, base_url: str) -> None:
        """Tokens go only to a registry of the configured cloud (or the configured template)."""
        if not self._login_hosts(base_url):
            raise UntrustedLoginServer(
                f"{_host(base_url)} is not a login server of the configured cloud, so no "
                "token was sent to it."
            )

    def _token(self, scope: str) -> Secret:
        self.deadline.require()
        try:
            token = self._credential.get_token(scope).token
        except Exception as exc:  # azure-identity raises several unrelated types
            detail = self.scrub(str(exc))
            raise AzureCredentialError(
                f"Could not get an Azure AD token with the configured credential "
                f"({type(self._credential).__name__}): {detail or type(exc).__name__}",
            ) from None
        self._remember(token)
        return Secret(token)

    def _remember(self, secret: str) -> None:
        if secret not in self._secrets:
            self._secrets.append(secret)

    def _arm_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token(self._arm_scope).reveal()}"}

    def _token_post(self, url: str, form: dict[str, str], field: str) -> Secret:
        response = self._send("POST", url, {}, None, form)
        if response.status_code != 200:
            error = self._http_error(response, "The registry refused the token request")
            if error.throttled:  # az acr check-health's name for a throttled token exchange
                error.registry_code = "CONNECTIVITY_TOOMANYREQUESTS_ERROR"
            raise error
        value = _json(response).get(field)
        if not isinstance(value, str) or not value:
            raise AzureMalformedResponse(f"The registry's token answer has no {field}.")
        self._remember(value)
        return Secret(value)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        params: dict[str, str] | None,
        form: dict[str, str] | None = None,
    ) -> httpx.Response:
        if not is_allowed(method, url):
            raise ReadOnlyViolation(
                f"Refused {method} to {urlsplit(url).path}: diagnostics only read."
            )
        attempt = 0
        while True:
            response = self._attempt(method, url, headers, params, form)
            wait = self._retry_wait(response, attempt)
            if wait is None:
                return response
            self._sleep(wait)
            attempt += 1

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        params: dict[str, str] | None,
        form: dict[str, str] | None,
    ) -> httpx.Response:
        left = self.deadline.require()
        timeout = httpx.Timeout(
            connect=min(self._connect, left),
            read=min(self._read, left),
            write=min(self._read, left),
            pool=min(self._connect, left),
        )
        self.calls_sent = next(self._sent)  # itertools.count is atomic under the GIL
        try:
            return self._http.request(
                method, url, headers=headers, params=params, data=form, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            limit = (
                self._connect
                if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
                else self._read
            )
            if left < limit or self.deadline.remaining() <= 0:
                raise DeadlineExceeded() from None  # the deadline, not the timeout, cut it short
            raise AzureTimeout(f"{_host(url)} did not answer in time.") from None
        except httpx.TransportError as exc:
            error = _transport_error(exc, url)
            if isinstance(error, AzureDNSError) and self._login_hosts(url):
                error.registry_code = "CONNECTIVITY_DNS_ERROR"  # a login server's, not storage's
            raise error from None

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        if response.status_code not in RETRY_STATUSES or attempt >= self._max_retries:
            return None
        wait = min(_retry_after(response) or 0.5 * 2**attempt, self._max_wait)
        if wait >= self.deadline.remaining():
            return None
        response.close()
        return wait

    def _arm_json(self, response: httpx.Response) -> dict[str, Any]:
        if 200 <= response.status_code < 300:
            return _json(response)
        raise self._http_error(response, "Azure Resource Manager answered")

    def _http_error(self, response: httpx.Response, prefix: str) -> AzureHTTPError:
        code, message = _error_body(response)
        text = f"{prefix} HTTP {response.status_code}"
        text += f" ({code})" if code else ""
        text += f": {self.scrub(message)}" if message else "."
        wait = _retry_after(response) if response.status_code == 429 else None
        return AzureHTTPError(text, status=response.status_code, code=code, retry_after=wait)

    def _next_link(self, link: object) -> str | None:
        if not link:
            return None
        target, base = urlsplit(str(link)), urlsplit(self.arm_base)
        if (target.scheme, target.netloc) != (base.scheme, base.netloc):
            raise AzureMalformedResponse("ARM's next-page link points at another host; ignored.")
        return str(link)


@cache
def _tls_context() -> ssl.SSLContext:
    """One verifying context for every client: reading the CA bundle costs ~40 ms each time.

    httpx's own default (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``);
    an ``SSLContext`` is safe to share between connections and threads.
    """
    return httpx.create_ssl_context()


def _any_registry_host(base_url: str) -> bool:
    """The default rule: an https URL on a host under one of the clouds' login-server suffixes."""
    return any(is_login_url_of(cloud, base_url) for cloud in CLOUDS.values())


def _refuse_writes(request: httpx.Request) -> None:
    """httpx request hook: the last line of defence for the closed list."""
    if not is_allowed(request.method, request.url):
        raise ReadOnlyViolation(f"Refused {request.method} to {request.url.path}: read-only.")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except (ValueError, UnicodeDecodeError):
        raise AzureMalformedResponse(
            f"{_host(str(response.url))} returned a response that is not valid JSON."
        ) from None
    if not isinstance(value, dict):
        raise AzureMalformedResponse(f"{_host(str(response.url))} returned unexpected JSON.")
    return value


def _error_body(response: httpx.Response) -> tuple[str | None, str]:
    """(code, message) from an ARM ``{"error": …}`` or registry ``{"errors": […]}`` body."""
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None, ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) and isinstance(body, dict):
        errors = body.get("errors")
        error = errors[0] if isinstance(errors, list) and errors else None
    if not isinstance(error, dict):
        return None, ""
    code = error.get("code")
    return (str(code) if code else None), str(error.get("message") or "")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # str.isdigit alone takes "²", float() does not
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _transport_error(exc: httpx.TransportError, url: str) -> AzureUnreachable:
    host = _host(url)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return AzureTLSError(f"A TLS connection to {host} could not be made.")
        if isinstance(cause, socket.gaierror):
            return AzureDNSError(f"{host} could not be resolved.")
        if isinstance(cause, ConnectionRefusedError):
            return AzureConnectError(f"{host} refused the connection.")
        cause = cause.__cause__ or cause.__context__
    if "ssl" in str(exc).lower() or "certificate" in str(exc).lower():
        return AzureTLSError(f"A TLS connection to {host} could not be made.")
    return AzureConnectError(f"Could not connect to {host} ({type(exc).__name__}).")


def _host(url: str) -> str:
    return urlsplit(url).netloc or "the server"
