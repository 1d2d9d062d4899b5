"""check-health against the fake Azure: every path a person can hit, as they would see it."""

from __future__ import annotations

import json
import socket

import pytest

from bot.diagnostics.checks.health import parse_challenge
from bot.diagnostics.report import CheckReport, Status
from tests.diagnostics.conftest import (
    ALICE,
    OPS_CHANNEL,
    TOKEN,
    FaqRecorder,
    ServiceFactory,
    assert_no_secret,
    audit_lines,
    base_config,
)
from tests.fakes.azure_api import FakeAzure, FakeRegistry


def run(service, registry: str = "myreg", check: str = "check-health", **kwargs) -> CheckReport:
    """Request, confirm and run; every outcome must also leave a result line in the audit log."""
    pending = service.request(ALICE, OPS_CHANNEL, registry, check)
    report = service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL, **kwargs)
    result = audit_lines(service)[-1]
    assert (result["event"], result["request_id"]) == ("result", pending.request_id)
    assert result["outcome"] == ("ok" if report.ok else "problems")
    for failed in (s for s in report.steps if s.status == Status.FAILED):
        assert failed.code in result["detail"]
    return report


def statuses(report: CheckReport) -> dict[str, str]:
    return {step.name: str(step.status) for step in report.steps}


def step(report: CheckReport, name: str):
    return next(s for s in report.steps if s.name == name)


def with_registry(**knobs) -> FakeAzure:
    return FakeAzure([FakeRegistry("myreg", **knobs)], token=TOKEN, slow_seconds=1.5)


def test_healthy_registry(fake: FakeAzure, make_service: ServiceFactory) -> None:
    seen = []
    service = make_service(fake)
    report = run(service, on_step=seen.append)
    assert report.ok and set(statuses(report).values()) == {"ok"}
    assert [s.name for s in seen] == [s.name for s in report.steps]
    assert report.registry.login_server == "myreg.azurecr.io"
    assert report.facts["Login server"] == "myreg.azurecr.io"
    assert report.faq_links == ()
    assert any("bot's network" in note for note in report.notes)
    exchange = fake.calls("exchange")[0]
    assert exchange.form["tenant"] and exchange.form["service"] == "myreg.azurecr.io"
    assert fake.calls("token")[0].form["scope"] == "registry:catalog:*"
    assert audit_lines(service)[-1]["outcome"] == "ok"
    assert_no_secret(json.dumps(report.to_dict()), fake.calls("exchange")[0].form["access_token"])


def test_dns_failure_skips_the_network_steps(fake: FakeAzure, make_service) -> None:
    def nxdomain(host: str, timeout: float) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    report = run(make_service(fake, resolver=nxdomain))
    dns = step(report, "dns")
    assert dns.status == Status.FAILED and dns.code == "CONNECTIVITY_DNS_ERROR"
    assert "no such name" in dns.detail
    assert dns.help_url == "https://aka.ms/acr/errors#connectivity_dns_error"
    for name in ("challenge", "auth_challenge", "aad_token", "refresh_token", "access_token"):
        assert step(report, name).status == Status.SKIPPED
    assert "DNS lookup" in step(report, "challenge").explanation
    assert step(report, "cmk_identity").status == Status.OK  # does not depend on the network
    assert not report.ok and fake.calls("challenge") == []


def test_connection_refused(fake: FakeAzure, make_service: ServiceFactory) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = base_config(fake)
    config["azure"]["login_server_url"] = f"http://127.0.0.1:{port}/{{name}}"
    report = run(make_service(fake, config))
    challenge = step(report, "challenge")
    assert challenge.code == "CONNECTIVITY_CHALLENGE_ERROR"
    assert "refused" in challenge.detail or "connect" in challenge.detail.lower()


def test_timeout(make_service: ServiceFactory) -> None:
    with with_registry(slow=frozenset({"challenge"})) as fake:
        report = run(make_service(fake))
    challenge = step(report, "challenge")
    assert challenge.code == "CONNECTIVITY_CHALLENGE_ERROR"
    assert "did not answer in time" in challenge.detail
    assert step(report, "access_token").status == Status.SKIPPED


def test_deadline_stops_the_check(make_service: ServiceFactory) -> None:
    with with_registry(slow=frozenset({"challenge"})) as fake:
        config = base_config(fake, deadline_seconds=0.6, read_timeout_seconds=5)
        report = run(make_service(fake, config))
    assert step(report, "challenge").code == "DEADLINE_EXCEEDED"
    assert "ran out of time" in step(report, "auth_challenge").explanation
    assert step(report, "cmk_identity").status == Status.SKIPPED


def test_firewall_403_links_the_firewall_faq(make_service, faq: FaqRecorder) -> None:
    with with_registry(forbidden=True) as fake:
        report = run(make_service(fake))
    challenge = step(report, "challenge")
    assert challenge.code == "CONNECTIVITY_FORBIDDEN_ERROR"
    assert "firewall" in challenge.explanation and "network" in challenge.advice
    assert any("firewall" in q for q in faq.queries)
    assert report.faq_links and report.faq_links[0].url.startswith("https://faq.example/")
    assert "CONNECTIVITY_FORBIDDEN_ERROR" in report.summary


def test_401_without_challenge(make_service: ServiceFactory) -> None:
    with with_registry(no_challenge=True) as fake:
        report = run(make_service(fake))
    challenge = step(report, "challenge")
    assert challenge.code == "CONNECTIVITY_CHALLENGE_ERROR"
    assert "without a WWW-Authenticate" in challenge.detail


def test_basic_challenge_means_no_aad_login(make_service: ServiceFactory) -> None:
    with with_registry(basic_challenge=True) as fake:
        report = run(make_service(fake))
    assert step(report, "auth_challenge").code == "CONNECTIVITY_AAD_LOGIN_ERROR"
    assert step(report, "aad_token").status == Status.SKIPPED


def test_exchange_denied_links_the_permissions_faq(make_service, faq: FaqRecorder) -> None:
    with with_registry(exchange_denied=True) as fake:
        report = run(make_service(fake))
    refresh = step(report, "refresh_token")
    assert refresh.code == "CONNECTIVITY_REFRESH_TOKEN_ERROR"
    assert "HTTP 401" in refresh.detail and "AcrPull" in refresh.advice
    assert step(report, "access_token").status == Status.SKIPPED
    assert any("permissions" in q for q in faq.queries)
    assert_no_secret(json.dumps(report.to_dict()))


@pytest.mark.parametrize(
    ("knob", "route", "name", "code"),
    [
        ("challenge_throttled", "challenge", "challenge", "CONNECTIVITY_CHALLENGE_ERROR"),
        ("exchange_throttled", "exchange", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR"),
        ("token_throttled", "token", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR"),
    ],
)
def test_throttling_keeps_the_cli_code_of_the_step(
    make_service: ServiceFactory, knob: str, route: str, name: str, code: str
) -> None:
    """Issue 8.12: as the CLI, a 429 at a step is that step's error, explained as throttling."""
    with with_registry(**{knob: True}) as fake:
        report = run(make_service(fake))
        assert len(fake.calls(route)) == 3  # the first try and two retries
    throttled = step(report, name)
    assert throttled.code == code and throttled.status == Status.FAILED
    assert "the registry throttled" in throttled.explanation.lower()
    assert "429" in throttled.detail


def test_token_denied(make_service: ServiceFactory) -> None:
    with with_registry(token_denied=True) as fake:
        report = run(make_service(fake))
    assert step(report, "refresh_token").status == Status.OK
    assert step(report, "access_token").code == "CONNECTIVITY_ACCESS_TOKEN_ERROR"


def test_429_with_retry_after_is_retried(make_service: ServiceFactory) -> None:
    with with_registry(rate_limited_once=frozenset({"registry", "challenge"})) as fake:
        report = run(make_service(fake))
        assert len(fake.calls("registry")) == 2 and len(fake.calls("challenge")) == 2
    assert report.ok


def test_5xx_on_the_login_server(make_service: ServiceFactory) -> None:
    with with_registry(server_error={"challenge": 503}) as fake:
        report = run(make_service(fake))
        assert len(fake.calls("challenge")) == 3
    challenge = step(report, "challenge")
    assert challenge.code == "CONNECTIVITY_CHALLENGE_ERROR" and "HTTP 503" in challenge.detail


def test_arm_errors_fall_back_to_the_name_and_suffix(make_service: ServiceFactory) -> None:
    with with_registry(server_error={"registry": 500}) as fake:
        report = run(make_service(fake))
    login = step(report, "login_server")
    assert login.status == Status.WARNING and login.code == "ARM_ERROR"
    assert "Using myreg.azurecr.io instead" in login.detail
    assert step(report, "access_token").status == Status.OK
    assert step(report, "cmk_identity").status == Status.SKIPPED
    assert report.ok


def test_malformed_json_from_arm(make_service: ServiceFactory) -> None:
    with with_registry(malformed_json=frozenset({"registry"})) as fake:
        report = run(make_service(fake))
    assert step(report, "login_server").code == "MALFORMED_RESPONSE"


def test_malformed_json_from_the_token_endpoint(make_service: ServiceFactory) -> None:
    with with_registry(malformed_json=frozenset({"exchange"})) as fake:
        report = run(make_service(fake))
    refresh = step(report, "refresh_token")
    assert refresh.code == "CONNECTIVITY_REFRESH_TOKEN_ERROR" and "not valid JSON" in refresh.detail


@pytest.mark.parametrize(
    ("cmk", "cmk_status", "status"),
    [
        ("match", "enabled", Status.OK),
        ("mismatch", "enabled", Status.FAILED),
        ("system", "enabled", Status.OK),  # issue 8.9: the system identity is a valid choice
        ("system-missing", "enabled", Status.FAILED),  # "system", but the registry has none
        ("mismatch", "disabled", Status.FAILED),  # checked whenever keyVaultProperties is set
    ],
)
def test_customer_managed_key_identity(
    make_service, cmk: str, cmk_status: str, status: Status
) -> None:
    with with_registry(cmk=cmk, cmk_status=cmk_status) as fake:
        report = run(make_service(fake))
    cmk_step = step(report, "cmk_identity")
    assert cmk_step.status == status
    assert (cmk_step.code == "CMK_ERROR") is (status == Status.FAILED)
    assert "SECRET-KEY-VERSION" not in json.dumps(report.to_dict())


def test_a_login_server_outside_the_cloud_gets_no_token(make_service) -> None:
    """Issue 8.8: ARM's loginServer is checked against the cloud's suffix before any token."""
    with with_registry(login_server_override="myreg.evil.example") as fake:
        config = base_config(fake)
        del config["azure"]["login_server_url"]  # no pinned data plane: ARM's answer would rule
        resolved: list[str] = []
        service = make_service(fake, config, resolver=lambda h, t: resolved.append(h) or ["x"])
        report = run(service)
        assert fake.calls("exchange") == [] and fake.calls("token") == []
    login = step(report, "login_server")
    assert login.code == "LOGIN_SERVER_ERROR" and "myreg.evil.example" in login.detail
    assert "no token was sent" in login.detail and resolved == []
    assert step(report, "aad_token").status == Status.SKIPPED


@pytest.mark.parametrize(("denied", "allowed"), [(frozenset(), True), ({"team/web"}, False)])
def test_repository_pull_permission_from_the_access_claim(
    make_service, denied: frozenset[str], allowed: bool
) -> None:
    """Issue 8.13: the token step asks for repository:REPO:pull and reads the access claim."""
    with with_registry(pull_denied=frozenset(denied)) as fake:
        service = make_service(fake)
        pending = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health", "team/web")
        assert pending.repository == "team/web" and "team/web" in pending.description
        report = service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
        assert fake.calls("token")[0].form["scope"] == "repository:team/web:pull"
    access = step(report, "access_token")
    assert report.ok is allowed
    assert report.facts["Pull permission"] == f"team/web: {'allowed' if allowed else 'not allowed'}"
    if not allowed:
        assert access.code == "CONNECTIVITY_ACCESS_TOKEN_ERROR"
        assert "pull team/web" in access.explanation and "AcrPull" in access.advice
    assert audit_lines(service)[0]["repository"] == "team/web"
    assert_no_secret(json.dumps(report.to_dict()))


def test_credential_failure_for_the_registry_audience(fake: FakeAzure, make_service) -> None:
    class ArmOnly:
        def __init__(self) -> None:
            self.scopes: list[str] = []

        def get_token(self, *scopes: str, **kwargs):
            self.scopes.extend(scopes)
            if "containerregistry" in scopes[0]:
                raise RuntimeError("no token for that audience")
            return type("T", (), {"token": TOKEN})()

    credential = ArmOnly()
    report = run(make_service(fake, credential_factory=lambda: credential))
    assert step(report, "aad_token").code == "AAD_TOKEN_ERROR"
    assert "https://management.azure.com/.default" in credential.scopes
    assert "https://containerregistry.azure.net/.default" in credential.scopes


def test_tenant_is_read_from_the_token_when_not_configured(make_service) -> None:
    jwt = "eyJhbGciOiJub25lIn0.eyJ0aWQiOiAidGVuYW50LTEifQ.c2ln"  # tid = tenant-1
    with FakeAzure([FakeRegistry("myreg")], token=jwt) as fake:
        config = base_config(fake)
        del config["azure"]["tenant_id"]
        report = run(make_service(fake, config))
        assert fake.calls("exchange")[0].form["tenant"] == "tenant-1"
    assert report.ok


def test_parse_challenge_handles_commas_in_quotes() -> None:
    scheme, params = parse_challenge(
        'Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io",'
        'scope="repository:x:pull,push"'
    )
    assert scheme == "bearer"
    assert params == {
        "realm": "https://r.azurecr.io/oauth2/token",
        "service": "r.azurecr.io",
        "scope": "repository:x:pull,push",
    }
    assert parse_challenge('Basic realm="x"')[0] == "basic"
