"""The request → confirm → run flow: who may, when, how often, and that all of it is audited."""

from __future__ import annotations

import base64
import json
import logging
import threading

import pytest

from bot.diagnostics.access import AccessDenied
from bot.diagnostics.confirmation import ConfirmationExpired, ConfirmationTampered
from bot.diagnostics.rate_limits import RateLimited, TooBusy
from bot.diagnostics.registry_name import InvalidRegistryName
from bot.diagnostics.service import AlreadyConfirmed, Diagnostics, UnknownCheck
from bot.errors import AcrbotError
from bot.storage import SqliteStorage
from tests.diagnostics.conftest import (
    ALICE,
    BOB,
    MALLORY,
    OPS_CHANNEL,
    TOKEN,
    ServiceFactory,
    assert_no_secret,
    audit_lines,
    base_config,
)
from tests.fakes.azure_api import FakeAzure


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def last(service: Diagnostics) -> dict:
    return audit_lines(service)[-1]


def login_calls(fake: FakeAzure) -> int:
    return len([c for c in fake.calls() if c.path.startswith("/registry/")])


def test_full_flow_is_audited(fake: FakeAzure, make_service: ServiceFactory) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health")
    assert pending.registry == "myreg" and pending.check == "check-health"
    assert "subscription 00000000-0000-0000-0000-000000000001" in pending.description
    report = service.confirm_and_run(pending.token, BOB, channel=OPS_CHANNEL)
    events = [(r["event"], r["outcome"]) for r in audit_lines(service)]
    assert events == [("request", "pending"), ("confirmation", "confirmed"), ("result", "ok")]
    result = last(service)
    assert result["requester"] == ALICE and result["confirmer"] == BOB
    assert result["channel"] == OPS_CHANNEL and result["registry"] == "myreg"
    assert result["check"] == "check-health" and isinstance(result["duration_ms"], int)
    assert len({r["request_id"] for r in audit_lines(service)}) == 1
    assert report.ok


def test_nobody_may_run_anything_by_default(fake: FakeAzure, make_service) -> None:
    config = base_config(fake)
    del config["access"]
    service = make_service(fake, config)
    with pytest.raises(AccessDenied, match="no access rules"):
        service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    assert last(service)["outcome"] == "access-denied" and fake.calls() == []
    assert "access:" in service.describe_access(ALICE, OPS_CHANNEL)


def test_unauthorized_requester(fake: FakeAzure, make_service: ServiceFactory) -> None:
    service = make_service(fake)
    with pytest.raises(AccessDenied, match="not on the list"):
        service.request(MALLORY, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(AccessDenied, match="not from this channel"):
        service.request(ALICE, "CRANDOM", "myreg", "info")
    record = last(service)
    assert (record["event"], record["outcome"]) == ("refusal", "access-denied")
    assert record["requester"] == ALICE and record["registry"] == "myreg"
    assert fake.calls() == []  # refused before any Azure call


def test_usergroup_membership_grants_access(fake: FakeAzure, make_service) -> None:
    config = base_config(fake)
    config["access"]["rules"].append(
        {"usergroups": ["SOPS"], "checks": ["info"], "registries": ["myreg"]}
    )
    service = make_service(
        fake, config, membership=lambda user: {"SOPS"} if user == "UCAROL" else set()
    )
    service.request("UCAROL", "CANY", "myreg", "info")
    with pytest.raises(AccessDenied):
        service.request("UCAROL", "CANY", "myreg", "usage")
    assert "info on myreg" in service.describe_access("UCAROL", "CANY")


def test_unauthorized_confirmer_does_not_use_up_the_request(fake: FakeAzure, make_service) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(AccessDenied):
        service.confirm_and_run(pending.token, MALLORY, channel=OPS_CHANNEL)
    refusal = last(service)
    assert (refusal["event"], refusal["outcome"]) == ("refusal", "access-denied")
    assert refusal["confirmer"] == MALLORY and refusal["requester"] == ALICE
    assert fake.calls("registry") == []
    assert service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL).ok


def test_expired_confirmation(fake: FakeAzure, make_service: ServiceFactory) -> None:
    clock = Clock()
    service = make_service(fake, clock=clock)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    clock.now += 601
    with pytest.raises(ConfirmationExpired, match="10 minutes"):
        service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
    assert last(service)["outcome"] == "expired" and fake.calls("registry") == []


def test_replayed_confirmation_runs_once(fake: FakeAzure, make_service) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health")
    service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
    with pytest.raises(AlreadyConfirmed, match="at most once"):
        service.confirm_and_run(pending.token, BOB, channel=OPS_CHANNEL)
    assert last(service)["outcome"] == "replayed"
    assert login_calls(fake) == 3  # one challenge, one exchange, one token


def test_replay_from_another_worker_process(fake: FakeAzure, make_service, tmp_path) -> None:
    secret = b"s" * 32
    first = make_service(fake, secret=secret, claims=SqliteStorage(tmp_path / "shared.sqlite"))
    second = make_service(fake, secret=secret, claims=SqliteStorage(tmp_path / "shared.sqlite"))
    pending = first.request(ALICE, OPS_CHANNEL, "myreg", "info")
    first.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
    with pytest.raises(AlreadyConfirmed):
        second.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)


def test_double_click_at_the_same_moment_runs_once(fake: FakeAzure, make_service) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health")
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def click() -> None:
        start.wait()
        try:
            service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
            outcomes.append("ran")
        except AcrbotError as exc:
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["AlreadyConfirmed"] * 3 + ["ran"]
    assert len(fake.calls("challenge")) == 1


def _payload(token: str) -> tuple[str, dict, str]:
    version, body, sig = token.split(".")
    return version, json.loads(base64.urlsafe_b64decode(body + "==")), sig


def _with(token: str, **changes) -> str:
    version, payload, sig = _payload(token)
    payload.update(changes)
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{version}.{body}.{sig}"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: _with(t, k="usage"),
        lambda t: _with(t, r="otherreg"),
        lambda t: _with(t, s="00000000-0000-0000-0000-000000000099"),
        lambda t: _with(t, u="UMALLORY"),
        lambda t: t[:-2],
        lambda t: "<!channel>",
        lambda t: "x" * 10_000,
        lambda t: "",
    ],
)
def test_tampered_button_values_run_nothing(fake: FakeAzure, make_service, tamper) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(ConfirmationTampered) as caught:
        service.confirm_and_run(tamper(pending.token), ALICE, channel=OPS_CHANNEL)
    assert "<!channel>" not in str(caught.value)
    refusal = last(service)
    assert (refusal["event"], refusal["outcome"]) == ("refusal", "tampered")
    assert refusal["confirmer"] == ALICE
    assert fake.calls("registry") == []
    assert service.confirm_and_run(
        pending.token, ALICE, channel=OPS_CHANNEL
    ).ok  # the genuine one still works


def test_confirmation_from_another_channel_is_refused(fake: FakeAzure, make_service) -> None:
    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(ConfirmationTampered, match="another conversation"):
        service.confirm_and_run(pending.token, ALICE, channel="COTHER")


INJECTIONS = ["myreg; rm -rf /", "../../x", "<!channel>", "x" * 10_000, "myreg\n<@U1>"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_like_names_are_refused_and_audited(fake: FakeAzure, make_service, text) -> None:
    service = make_service(fake)
    with pytest.raises(InvalidRegistryName) as caught:
        service.request(ALICE, OPS_CHANNEL, text, "check-health")
    message = str(caught.value)
    assert "<" not in message and ";" not in message and len(message) < 400
    record = last(service)
    assert (record["event"], record["outcome"]) == ("refusal", "invalid-registry")
    assert len(record["registry"]) <= 43 and "<" not in record["registry"]
    assert fake.calls() == []


@pytest.mark.parametrize("check", ["delete", "check-health; rm -rf /", "<!here>", ""])
def test_unknown_checks_are_refused(fake: FakeAzure, make_service, check: str) -> None:
    service = make_service(fake)
    with pytest.raises(UnknownCheck, match="Available checks: check-health, usage, info"):
        service.request(ALICE, OPS_CHANNEL, "myreg", check)
    assert "<" not in str(last(service)) and last(service)["outcome"] == "unknown-check"


def test_rate_limit_per_user(fake: FakeAzure, make_service: ServiceFactory) -> None:
    config = base_config(fake, rate_limit={"max_requests": 2, "window_seconds": 60})
    service = make_service(fake, config)
    service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    with pytest.raises(RateLimited, match="please wait"):
        service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    assert last(service)["outcome"] == "rate-limited"
    service.request(BOB, OPS_CHANNEL, "myreg", "info")


def test_concurrency_cap(fake: FakeAzure, make_service: ServiceFactory) -> None:
    service = make_service(fake, base_config(fake, max_concurrent=1))
    first = service.request(ALICE, OPS_CHANNEL, "myreg", "check-health")
    second = service.request(BOB, OPS_CHANNEL, "myreg", "info")
    running, release = threading.Event(), threading.Event()

    def hold(step) -> None:
        running.set()
        release.wait(5)

    worker = threading.Thread(
        target=service.confirm_and_run, args=(first.token, ALICE, hold, OPS_CHANNEL)
    )
    worker.start()
    assert running.wait(5)
    try:
        with pytest.raises(TooBusy):
            service.confirm_and_run(second.token, BOB, channel=OPS_CHANNEL)
        assert last(service)["outcome"] == "busy"
    finally:
        release.set()
        worker.join()
    assert service.confirm_and_run(
        second.token, BOB, channel=OPS_CHANNEL
    ).ok  # not used up by the refusal


def test_a_failing_progress_callback_does_not_break_the_check(fake, make_service) -> None:
    def broken(step) -> None:
        raise RuntimeError("slack update failed")

    service = make_service(fake)
    pending = service.request(ALICE, OPS_CHANNEL, "myreg", "info")
    report = service.confirm_and_run(pending.token, ALICE, broken, channel=OPS_CHANNEL)
    assert report.ok and len(report.steps) == 2


def test_no_token_anywhere(fake: FakeAzure, make_service, caplog, tmp_path) -> None:
    caplog.set_level(logging.DEBUG)
    service = make_service(fake)
    texts = []
    for check in ("check-health", "usage", "info"):
        pending = service.request(ALICE, OPS_CHANNEL, "myreg", check)
        texts += [pending.token, pending.description, repr(pending)]
        report = service.confirm_and_run(pending.token, ALICE, channel=OPS_CHANNEL)
        texts.append(json.dumps(report.to_dict()))
    texts.append((tmp_path / "state" / "audit.jsonl").read_text())
    texts.append(caplog.text)
    texts += [json.dumps(c.headers) + json.dumps(c.form) for c in fake.calls()]
    assert_no_secret(*texts)
    assert all(
        c.headers.get("authorization", "Bearer <redacted>") == "Bearer <redacted>"
        for c in fake.calls()
    )
    assert TOKEN in fake.token  # sanity: the fake did see and check the real token


def test_terminal_runs_skip_access_but_are_audited(fake: FakeAzure, make_service) -> None:
    config = base_config(fake)
    del config["access"]
    service = make_service(fake, config)
    asked = []
    report = service.run_direct("myreg", "usage", confirm=lambda p: asked.append(p) or True)
    assert report.ok and asked[0].description.startswith("usage against myreg")
    records = audit_lines(service)
    assert [r["event"] for r in records] == ["request", "confirmation", "result"]
    assert all(r["requester"].startswith("cli:") and r["channel"] == "terminal" for r in records)
