"""The Azure client: closed list of calls, retries, deadline, paging, and no token in errors."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.diagnostics.azure_client import AzureClient, AzureError, is_allowed
from bot.diagnostics.deadline import Deadline
from bot.diagnostics.errors import (
    AzureCredentialError,
    AzureDNSError,
    AzureMalformedResponse,
    DeadlineExceeded,
    ReadOnlyViolation,
)
from bot.diagnostics.scrubbing import scrub
from bot.diagnostics.tokens import Secret, token_tenant

TOKEN = "mock-SECRET-token-123"
ARM = "https://management.example"


class Credential:
    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs):
        self.scopes.append(scopes)
        return type("AccessToken", (), {"token": TOKEN, "expires_on": 0})()


def client(handler, sleeps: list[float] | None = None, **kwargs) -> AzureClient:
    waits = sleeps if sleeps is not None else []
    options = {
        "arm_base": ARM,
        "arm_scope": "arm/.default",
        "acr_scope": "acr/.default",
        "api_version": "2025-11-01",
        "deadline": Deadline(10),
        "max_retries": 2,
        "max_retry_wait": 3,
        "transport": httpx.MockTransport(handler),
        "sleep": waits.append,
    }
    options.update(kwargs)
    return AzureClient(Credential(), **options)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("GET", f"{ARM}/subscriptions/x", True),
        ("get", "https://r.azurecr.io/v2/", True),
        ("POST", "https://r.azurecr.io/oauth2/exchange", True),
        ("POST", "https://r.azurecr.io/oauth2/token/", True),
        ("POST", f"{ARM}/subscriptions/x/listCredentials", False),
        ("POST", "https://r.azurecr.io/oauth2/exchange/../../acr/v1/x", False),
        ("PUT", f"{ARM}/subscriptions/x", False),
        ("PATCH", f"{ARM}/subscriptions/x", False),
        ("DELETE", "https://r.azurecr.io/v2/x/manifests/sha256:0", False),
        ("HEAD", "https://r.azurecr.io/v2/a/manifests/1", True),
        ("OPTIONS", "https://r.azurecr.io/v2/", False),
    ],
)
def test_closed_list_of_methods(method: str, url: str, allowed: bool) -> None:
    assert is_allowed(method, url) is allowed


def test_refused_calls_are_never_sent() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    azure = client(handler)
    for method in ("DELETE", "PUT", "PATCH"):
        with pytest.raises(ReadOnlyViolation):
            azure._send(method, f"{ARM}/subscriptions/x", {}, None)
    with pytest.raises(ReadOnlyViolation):
        azure._send("POST", f"{ARM}/subscriptions/x/regenerateCredential", {}, None)
    with pytest.raises(ReadOnlyViolation):  # even bypassing the client's own methods
        azure._http.delete(f"{ARM}/subscriptions/x")
    with pytest.raises(ReadOnlyViolation):
        azure._http.post(f"{ARM}/subscriptions/x/listCredentials")
    assert sent == []


def test_arm_get_sends_bearer_and_api_version_and_asks_the_arm_scope() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"name": "r"})

    azure = client(handler)
    assert azure.arm_get("/subscriptions/s/x") == {"name": "r"}
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].url.params["api-version"] == "2025-11-01"
    assert azure._credential.scopes == [("arm/.default",)]


def test_retry_after_is_honoured_and_capped() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "100"}),
            httpx.Response(503, headers={"Retry-After": "1"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    sleeps: list[float] = []
    azure = client(lambda request: next(answers), sleeps)
    assert azure.arm_get("/x") == {"ok": True}
    assert sleeps == [3, 1]


def test_retries_stop_after_max_and_report_the_status() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, json={"error": {"code": "InternalError", "message": "boom"}})

    with pytest.raises(AzureError) as caught:
        client(handler).arm_get("/x")
    assert len(calls) == 3
    assert caught.value.status == 500 and caught.value.code == "InternalError"
    assert "HTTP 500 (InternalError): boom" in str(caught.value)


def test_no_retry_when_the_wait_would_pass_the_deadline() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, headers={"Retry-After": "2"})

    with pytest.raises(AzureError):
        client(handler, deadline=Deadline(1.0), max_retry_wait=5).arm_get("/x")
    assert len(calls) == 1


def test_redirects_are_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example":
            raise AssertionError("followed a redirect")
        return httpx.Response(302, headers={"Location": "https://evil.example/steal"})

    with pytest.raises(AzureError) as caught:
        client(handler).arm_get("/x")
    assert caught.value.status == 302


def test_paging_follows_next_link_on_the_same_host_only() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "page2" in str(request.url):
            return httpx.Response(200, json={"value": [{"name": "b"}], "nextLink": None})
        return httpx.Response(200, json={"value": [{"name": "a"}], "nextLink": f"{ARM}/page2"})

    assert [i["name"] for i in client(handler).arm_list("/list")] == ["a", "b"]

    def elsewhere(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"value": [], "nextLink": "https://evil.example/p"})

    with pytest.raises(AzureError, match="another host"):
        list(client(elsewhere).arm_list("/list"))


def test_malformed_json_is_a_clear_error() -> None:
    azure = client(lambda request: httpx.Response(200, content=b"{nope"))
    with pytest.raises(AzureError, match="not valid JSON") as caught:
        azure.arm_get("/x")
    assert isinstance(caught.value, AzureMalformedResponse)


def test_token_echoed_in_an_error_body_is_scrubbed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"code": "Bad", "message": f"token {TOKEN} rejected eyJa.eyJb.c"}}
        return httpx.Response(400, json=body)

    with pytest.raises(AzureError) as caught:
        client(handler).arm_get("/x")
    assert TOKEN not in str(caught.value) and "eyJa" not in str(caught.value)


def test_credential_failure_is_an_azure_error_without_secrets() -> None:
    class Broken:
        def get_token(self, *scopes, **kwargs):
            raise RuntimeError("login failed for client secret " + "S" * 45)

    azure = AzureClient(
        Broken(),
        arm_base=ARM,
        arm_scope="a",
        acr_scope="b",
        api_version="v",
        deadline=Deadline(5),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})),
    )
    with pytest.raises(AzureError) as caught:
        azure.aad_token()
    assert isinstance(caught.value, AzureCredentialError) and "S" * 45 not in str(caught.value)


def test_deadline_already_spent_sends_nothing() -> None:
    sent = []
    azure = client(lambda r: sent.append(r) or httpx.Response(200, json={}), deadline=Deadline(0))
    with pytest.raises(DeadlineExceeded):
        azure.arm_get("/x")
    assert sent == []


def test_secret_and_scrub_helpers() -> None:
    secret = Secret("abc")
    assert "abc" not in repr(secret) and "abc" not in f"{secret}"
    assert scrub("x \x1b[31m y\n z") == "x ?[31m y z"
    assert scrub("token abc here", ("abc",)) == "token [redacted] here"
    payload = "eyJ0aWQiOiAidGVuYW50LTEifQ"  # {"tid": "tenant-1"}
    assert token_tenant(Secret(f"eyJhbGciOiJub25lIn0.{payload}.sig")) == "tenant-1"
    assert token_tenant(Secret("opaque")) is None


BLOB = "/v2/shop/api/blobs/sha256:" + "c" * 64


def test_a_blob_read_follows_one_redirect_to_storage_without_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "contosoreg.azurecr.io":
            storage = "https://contosoreg.eastus.data.azurecr.io/blob?sig=abc"
            return httpx.Response(307, headers={"Location": storage})
        return httpx.Response(200, json={"os": "linux", "architecture": "arm64"})

    answer = client(handler).registry_blob("https://contosoreg.azurecr.io", BLOB, Secret(TOKEN))
    assert answer.status == 200 and answer.body["architecture"] == "arm64"
    assert [r.method for r in seen] == ["GET", "GET"]
    assert "authorization" in seen[0].headers and "authorization" not in seen[1].headers
    assert TOKEN not in str(seen[1].url)


def test_a_blob_redirect_off_https_is_refused_and_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host != "contosoreg.azurecr.io":
            raise AssertionError("followed a redirect off HTTPS")
        return httpx.Response(302, headers={"Location": "http://storage.example/blob"})

    with pytest.raises(AzureMalformedResponse):
        client(handler).registry_blob("https://contosoreg.azurecr.io", BLOB, Secret(TOKEN))


def _unresolvable(host: str):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "contosoreg.azurecr.io":
            return httpx.Response(307, headers={"Location": f"https://{host}/blob?sig=abc"})
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("name resolution failed", request=request) from exc

    return handler


@pytest.mark.parametrize(
    ("host", "code"),
    [
        ("eusreg.blob.core.windows.net", None),
        ("contosoreg.eastus.data.azurecr.io", "CONNECTIVITY_DNS_ERROR"),
    ],
)
def test_only_a_registry_host_that_does_not_resolve_is_the_registrys_dns_error(host, code) -> None:
    """A storage host the registry redirected to is not the registry: no registry code for it."""
    with pytest.raises(AzureDNSError) as raised:
        client(_unresolvable(host)).registry_blob(
            "https://contosoreg.azurecr.io", BLOB, Secret(TOKEN)
        )
    assert raised.value.registry_code == code
