"""Issue 8 (items 5-scrub, 6, 7, 8, 13, 14) and issue 7.4: each fails on the code before the fix."""

from __future__ import annotations

import re

import httpx
import pytest

import bot.diagnostics.scrubbing as scrubbing
from bot.diagnostics import errors
from bot.diagnostics.azure_client import AzureClient
from bot.diagnostics.clouds import get_cloud, is_login_server_of
from bot.diagnostics.data_plane import DataPlane
from bot.diagnostics.deadline import Deadline
from bot.diagnostics.errors import (
    AccessDenied,
    ConfirmationTampered,
    InvalidRepositoryName,
    OutsideConfiguredScope,
    UntrustedLoginServer,
    audit_outcome,
)
from bot.diagnostics.repository_name import parse_repository
from bot.diagnostics.scrubbing import scrub
from bot.diagnostics.tokens import Secret
from bot.errors import AcrbotError, ConfigError
from tests.diagnostics.conftest import ALICE, OPS_CHANNEL, TOKEN, audit_lines, base_config
from tests.fakes.azure_api import OTHER_SUBSCRIPTION, FakeAzure, FakeRegistry

FOREIGN_ID = (
    f"/subscriptions/{OTHER_SUBSCRIPTION}/resourceGroups/x/providers/"
    "Microsoft.ContainerRegistry/registries/yonderreg"
)


# --- 6: resource IDs stay inside the configured subscriptions -----------------------------


def test_resource_id_in_another_subscription_is_refused_before_confirm(make_service) -> None:
    with FakeAzure([FakeRegistry("yonderreg", subscription=OTHER_SUBSCRIPTION)]) as fake:
        service = make_service(fake)
        with pytest.raises(OutsideConfiguredScope, match=r"azure\.subscriptions"):
            service.request(ALICE, OPS_CHANNEL, FOREIGN_ID, "info")
        with pytest.raises(OutsideConfiguredScope):
            service.run_direct(FOREIGN_ID, "info", requester="cli:op")
        assert fake.calls() == []
    assert audit_lines(service)[-1]["outcome"] == "out-of-scope"


def test_a_rule_naming_the_registry_explicitly_widens_the_reach(make_service) -> None:
    with FakeAzure([FakeRegistry("yonderreg", subscription=OTHER_SUBSCRIPTION)]) as fake:
        config = base_config(fake)
        config["access"]["rules"].append(
            {"users": [ALICE], "checks": ["info"], "registries": ["yonderreg"]}
        )
        pending = make_service(fake, config).request(ALICE, OPS_CHANNEL, FOREIGN_ID, "info")
        assert pending.subscription == OTHER_SUBSCRIPTION


# --- 7: a Confirm without a channel is a refusal ------------------------------------------


@pytest.mark.parametrize("channel", [None, ""])
def test_confirm_without_a_channel_runs_nothing(fake: FakeAzure, make_service, channel) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(ConfirmationTampered, match="nothing was run"):
        service.confirm_and_run(pending.token, ALICE, channel=channel)
    assert fake.calls("registry") == []
    assert audit_lines(service)[-1]["outcome"] == "tampered"
    assert service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL).ok  # not used up


def test_request_without_a_channel_is_refused(fake: FakeAzure, make_service) -> None:
    with pytest.raises(AccessDenied):
        make_service(fake).request(ALICE, "", "myreg", "info")


# --- 8: tokens only to the cloud's login servers ------------------------------------------


@pytest.mark.parametrize(
    ("host", "trusted"),
    [
        ("myreg.azurecr.io", True),
        ("myreg.eastus.data.azurecr.io", True),
        ("MyReg.AzureCR.io", True),
        ("azurecr.io", False),
        (".azurecr.io", False),
        ("myreg.azurecr.io.evil.example", False),
        ("evilazurecr.io", False),
        ("myreg.azurecr.cn", False),  # another cloud
    ],
)
def test_login_server_suffix_rule(host: str, trusted: bool) -> None:
    assert is_login_server_of(get_cloud("public"), host) is trusted


def test_the_client_refuses_to_send_a_token_elsewhere() -> None:
    sent: list[httpx.Request] = []
    client = AzureClient(
        type("C", (), {"get_token": lambda self, *s, **k: type("T", (), {"token": TOKEN})()})(),
        arm_base="https://management.example",
        arm_scope="a",
        acr_scope="b",
        api_version="v",
        deadline=Deadline(5),
        transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={})),
        login_hosts=DataPlane("myreg", get_cloud("public")).allows,
    )
    for base in (
        "https://evil.example",
        "http://myreg.azurecr.io",
        "https://myreg.azurecr.io:8443",
    ):
        with pytest.raises(UntrustedLoginServer, match="no token was sent"):
            client.exchange(base, "svc", None, Secret(TOKEN))
        with pytest.raises(UntrustedLoginServer):
            client.access_token(base, "svc", "registry:catalog:*", Secret(TOKEN))
    assert sent == []


def test_a_pinned_template_allows_only_its_own_base() -> None:
    servers = DataPlane("myreg", get_cloud("public"), "http://127.0.0.1:9/registry/{name}")
    assert servers.base("anything.example") == "http://127.0.0.1:9/registry/myreg"
    assert servers.allows("http://127.0.0.1:9/registry/myreg/oauth2/exchange")
    assert not servers.allows("http://127.0.0.1:9/registry/other/oauth2/exchange")
    assert not servers.allows("https://evil.example/oauth2/exchange")


# --- 13: the repository is validated, defanged, and signed into the token ---------------


@pytest.mark.parametrize(
    "name", ["hello-world", "team/web", "a/b/c", "x.y", "a__b", "a--b", "library/n9"]
)
def test_repository_names_docker_accepts(name: str) -> None:
    assert parse_repository(name) == name


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "No repository"),
        ("Team/Web", "lower case"),
        ("web:latest", "tag or digest"),
        ("web@sha256:00", "tag or digest"),
        ("web/", "path components"),
        ("-web", "path components"),
        ("a___b", "path components"),
        ("team web", "path components"),
        ("x" * 256, "too long"),
    ],
)
def test_repository_names_refused(text: str, why: str) -> None:
    with pytest.raises(InvalidRepositoryName, match=why):
        parse_repository(text)


def test_refused_repository_is_defanged_everywhere(fake: FakeAzure, make_service) -> None:
    hostile = "<!channel> `rm -rf` \x1b[31m"
    service = make_service(fake)
    with pytest.raises(InvalidRepositoryName) as caught:
        service.request(ALICE, OPS_CHANNEL, "myreg", "check-health", hostile)
    record = audit_lines(service)[-1]
    assert record["outcome"] == "invalid-repository"
    for text in (str(caught.value), record["repository"]):
        assert "<" not in text and "`" not in text and "\x1b" not in text
    assert fake.calls() == []


def test_repository_only_for_check_health(fake: FakeAzure, make_service) -> None:
    with pytest.raises(InvalidRepositoryName, match="Only check-health"):
        make_service(fake).request(ALICE, OPS_CHANNEL, "myreg", "usage", "team/web")


def test_repository_is_signed_into_the_confirm_token(fake: FakeAzure, make_service) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health", "team/web")
    other = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health", "team/api")
    body, forged = pending.token.split(".")[1], other.token.split(".")[1]
    with pytest.raises(ConfirmationTampered):  # another body under this signature
        service.confirm_and_run(pending.token.replace(body, forged), ALICE, channel=OPS_CHANNEL)
    assert service.peek(pending.token).repository == "team/web"


# --- 14: US Gov ARM audience ---------------------------------------------------------------


def test_us_gov_asks_the_sdk_audience() -> None:
    assert get_cloud("usgov").arm_scope == "https://management.core.usgovcloudapi.net/.default"


# --- 5 (scrub): bounded work on a long adversarial Azure error body ------------------------


class CountingPattern:
    """Wraps a compiled pattern and records how many characters it was asked to scan."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned: list[int] = []

    def sub(self, repl: str, text: str) -> str:
        self.scanned.append(len(text))
        return self.pattern.sub(repl, text)


@pytest.mark.parametrize(
    "body", ["eyJ" * 34_000, "eyJa." * 20_000, ("eyJ" + "a" * 38 + ".") * 2_500, "a" * 100_000]
)
def test_scrub_clips_before_any_pattern_runs(monkeypatch, body: str) -> None:
    jwt, long_secret = (
        CountingPattern(scrubbing._JWT_RE),
        CountingPattern(scrubbing._LONG_SECRET_RE),
    )
    monkeypatch.setattr(scrubbing, "_JWT_RE", jwt)
    monkeypatch.setattr(scrubbing, "_LONG_SECRET_RE", long_secret)
    out = scrub("error: " + body + " token " + TOKEN, (TOKEN,))
    assert len(body) >= 100_000
    assert max(jwt.scanned + long_secret.scanned) <= scrubbing._SCAN_LIMIT + 4
    assert TOKEN not in out and len(out) <= 303


def test_scrub_patterns_cannot_backtrack() -> None:
    """Shape: the JWT pattern starts only at a run's start and its quantifiers are possessive."""
    pattern = scrubbing._JWT_RE.pattern
    assert pattern.startswith(r"(?<![\w-])eyJ")
    assert re.search(r"[+*](?![+?])", pattern.replace("*+", "").replace("++", "")) is None
    assert scrubbing._LONG_SECRET_RE.pattern.endswith("}+")
    # and the unclipped worst case still finishes (quadratic would be ~10^9 steps here)
    assert scrubbing._JWT_RE.sub("", "eyJ" * 34_000) == "eyJ" * 34_000


def test_scrub_still_redacts_tokens() -> None:
    jwt = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiAidGVuYW50LTEifQ.c2ln"
    assert scrub(f'{{"token":"{jwt}"}} rejected') == '{"token":"[redacted]"} rejected'
    assert scrub(f"Bearer {jwt}") == "Bearer [redacted]"
    cut = "x " * 2_100 + jwt  # a token straddling the clip point is dropped, not half-shown
    assert "eyJ" not in scrub(cut)


# --- issue 7.4: one error tree, behaviour by class -------------------------------------------


def test_every_diagnostics_error_is_an_acrbot_error_with_its_audit_outcome() -> None:
    classes = [
        c
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, Exception) and c.__module__ == errors.__name__
    ]
    assert len(classes) > 20
    for cls in classes:
        assert issubclass(cls, AcrbotError) and isinstance(cls.outcome, str)
    assert audit_outcome(ConfigError("x", "y")) == "config-error"
    assert errors.AzureHTTPError("m", 429).arm_code == "ARM_THROTTLED"
    assert errors.AzureHTTPError("m", 404).arm_code == "REGISTRY_NOT_FOUND"
    assert errors.AzureTLSError("m").registry_code == "CONNECTIVITY_SSL_ERROR"
    assert not issubclass(errors.DeadlineExceeded, errors.AzureCallFailed)


def test_no_kind_strings_left() -> None:
    from pathlib import Path

    root = Path(errors.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "exc.kind" not in text and "_OUTCOMES" not in text, path
