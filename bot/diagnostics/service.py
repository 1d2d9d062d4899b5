"""The diagnostics facade: the only entry point the Slack layer and the CLI use.

It strings the pieces together in the one order that is safe: rate limit,
known check, valid registry name, access rule, registry location; then a
signed confirmation; then, on Confirm, the same access rule for whoever
clicked, expiry, a once-only claim, a free concurrency slot, and the check
itself under its deadline. Every request, confirmation, refusal and result
is appended to the audit log on the way, so nothing runs unrecorded.
"""

from __future__ import annotations

import getpass
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.diagnostics.access import AccessPolicy, Membership, describe_grant
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.azure_client import AzureClient, Deadline, TokenCredential
from bot.diagnostics.checks import CHECKS, DEFAULT_CHECK, Check, CheckContext, run_check
from bot.diagnostics.checks.base import OnStep, Resolver
from bot.diagnostics.checks.dns import system_resolver
from bot.diagnostics.checks.health import CHECK_HEALTH
from bot.diagnostics.clouds import Cloud, get_cloud, is_login_url_of
from bot.diagnostics.confirmation import (
    ConfirmationClaims,
    ConfirmationSigner,
    new_request_id,
)
from bot.diagnostics.credentials import make_credential
from bot.diagnostics.errors import (
    AccessDenied,
    AlreadyConfirmed,
    ConfirmationError,
    ConfirmationTampered,
    Declined,
    DiagnosticsFailed,
    InvalidRepositoryName,
    UnknownCheck,
    audit_outcome,
)
from bot.diagnostics.limits import ConcurrencyLimiter, RateLimiter
from bot.diagnostics.login_servers import LoginServers
from bot.diagnostics.registries import RegistryTarget, locate
from bot.diagnostics.registry_name import RegistryInput, parse_registry, preview
from bot.diagnostics.report import CheckReport, FaqLookup, Status
from bot.diagnostics.repository_name import parse_repository
from bot.diagnostics.settings import DiagnosticsSettings
from bot.errors import AcrbotError
from bot.storage import Storage, StorageUnavailable

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

CredentialFactory = Callable[[], TokenCredential]
CHECK_HEALTH_NAME = CHECK_HEALTH.name
TERMINAL_CHANNEL = "terminal"


class DiagnosticsUnavailable(StorageUnavailable):
    """The shared store is down: without the once-only guarantee and limits, nothing runs."""

    outcome = "unavailable"


UNAVAILABLE = (
    "Diagnostics are temporarily unavailable (acrbot cannot reach its shared state); "
    "please try again in a minute. Questions are still answered."
)


__all__ = [
    "AlreadyConfirmed",
    "Declined",
    "Diagnostics",
    "DiagnosticsFailed",
    "DiagnosticsUnavailable",
    "PendingRequest",
    "UnknownCheck",
]


@dataclass(frozen=True)
class PendingRequest:
    """A request waiting for Confirm; ``token`` (the signed ``claims``) goes in the button value."""

    token: str
    claims: ConfirmationClaims
    description: str
    expires_at: float

    @property
    def registry(self) -> str:
        return self.claims.registry

    @property
    def check(self) -> str:
        return self.claims.check

    @property
    def subscription(self) -> str:
        return self.claims.subscription

    @property
    def resource_group(self) -> str:
        return self.claims.resource_group

    @property
    def request_id(self) -> str:
        return self.claims.request_id

    @property
    def repository(self) -> str | None:
        return self.claims.repository or None


class Diagnostics:
    """Request, confirm and run the closed list of read-only checks."""

    def __init__(
        self,
        settings: DiagnosticsSettings,
        *,
        secret: bytes,
        claims: Storage,
        audit: AuditLog,
        credential_factory: CredentialFactory | None = None,
        faq_lookup: FaqLookup | None = None,
        membership: Membership | None = None,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.audit = audit
        self._signer = ConfirmationSigner(secret, settings.confirm_ttl_seconds)
        self._claims = claims
        self._faq_lookup = faq_lookup
        self._policy = AccessPolicy(settings.access_rules, membership)
        self._resolver = resolver
        self._transport = transport
        self._clock = clock
        self._make_credential = credential_factory or (lambda: make_credential(settings.azure))
        self._credential: TokenCredential | None = None
        self._credential_lock = threading.Lock()
        # Limits live in the same store as the claims: per host (SQLite) or shared (Redis).
        self._rate = RateLimiter(
            settings.rate_limit_requests, settings.rate_limit_window_seconds, store=claims
        )
        self._running = ConcurrencyLimiter(
            settings.max_concurrent, store=claims, slot_ttl=settings.deadline_seconds + 60
        )

    # --- public API ----------------------------------------------------------

    @property
    def checks(self) -> list[Check]:
        """The catalogue, for menus and help."""
        return list(CHECKS.values())

    def request(
        self,
        requester: str,
        channel: str,
        registry_text: str,
        check: str = DEFAULT_CHECK,
        repository: str | None = None,
    ) -> PendingRequest:
        """Validate and authorise a request; return what the Confirm button needs.

        ``repository`` (check-health only) asks whether the bot's identity may
        pull that repository; it travels inside the signed Confirm token.
        """
        record = self._record("request", requester, channel, registry_text, check)
        with self._refusals_audited(record):
            self._rate.hit(requester)
            if not channel:
                raise AccessDenied("Diagnostics run only from a known conversation.")
            known = self._known_check(check)
            wanted = parse_registry(registry_text)
            record["registry"] = wanted.name
            repo = self._repository(known, repository, record)
            self._policy.require(requester, channel, known.name, wanted.name)
            target = self._locate(wanted)
            pending = self._pending(requester, channel, known, target, record["request_id"], repo)
        self.audit.append({**record, "outcome": "pending", "detail": pending.description})
        return pending

    def confirm_and_run(
        self,
        token: str,
        confirmer: str,
        on_step: OnStep | None = None,
        channel: str | None = None,
    ) -> CheckReport:
        """Run a confirmed request once, if the confirmer may run it and it has not expired.

        ``channel`` is where the click happened and must be where the request
        was made; a click that does not say where it happened runs nothing
        (a missing channel is a refusal, never a wildcard).
        """
        record: dict[str, Any] = {"event": "confirmation", "confirmer": confirmer}
        record["channel"] = channel
        with self._refusals_audited(record):
            claims = self._signer.verify(token, self._clock())
            record.update(_claims_record(claims))
            if not channel or channel != claims.channel:
                raise ConfirmationTampered(
                    "This confirmation belongs to another conversation (or did not say which "
                    "one it came from); nothing was run."
                )
            known = self._known_check(claims.check)
            self._policy.require(confirmer, claims.channel, known.name, claims.registry)
            target = RegistryTarget(
                claims.registry,
                claims.subscription,
                claims.resource_group,
                get_cloud(claims.cloud),
                "confirmed",
            )
            return self._run_confirmed(
                known,
                target,
                on_step,
                record,
                once=claims.request_id,
                repository=claims.repository or None,
            )

    def peek(self, token: str) -> ConfirmationClaims | None:
        """What a genuine, unexpired token asks for; no side effects (for progress messages)."""
        try:
            return self._signer.verify(token, self._clock())
        except ConfirmationError:
            return None

    def cancel(self, token: str, user: str, channel: str | None = None) -> str:
        """Withdraw a pending request; afterwards its Confirm button runs nothing.

        Anyone who could confirm may cancel, and so may the requester. Returns
        the description of what was cancelled.
        """
        record: dict[str, Any] = {"event": "cancel", "confirmer": user, "channel": channel}
        with self._refusals_audited(record):
            claims = self._signer.verify(token, self._clock())
            record.update(_claims_record(claims))
            if user != claims.requester:
                self._policy.require(user, claims.channel, claims.check, claims.registry)
            self._claim_once(claims.request_id)
        self.audit.append({**record, "outcome": "cancelled"})
        return f"{claims.check} against {claims.registry}"

    def run_direct(
        self,
        registry_text: str,
        check: str = DEFAULT_CHECK,
        on_step: OnStep | None = None,
        *,
        confirm: Callable[[PendingRequest], bool] | None = None,
        requester: str | None = None,
        repository: str | None = None,
    ) -> CheckReport:
        """Run from the terminal: no access rules (the operator is at the keyboard), still audited.

        ``confirm`` is asked with the located request before anything runs;
        answering no raises :class:`Declined`.
        """
        requester = requester or _terminal_user()
        record = self._record("request", requester, TERMINAL_CHANNEL, registry_text, check)
        with self._refusals_audited(record):
            known = self._known_check(check)
            wanted = parse_registry(registry_text)
            record["registry"] = wanted.name
            repo = self._repository(known, repository, record)
            target = self._locate(wanted)
            pending = self._pending(
                requester, TERMINAL_CHANNEL, known, target, record["request_id"], repo
            )
            self.audit.append({**record, "outcome": "pending", "detail": pending.description})
            if confirm is not None and not confirm(pending):
                raise Declined("Not run: the check was not confirmed.")
            record.update(event="confirmation", confirmer=requester)
            return self._run_confirmed(known, target, on_step, record, repository=repo)

    def describe_access(self, user: str, channel: str) -> str:
        """What ``user`` may run in ``channel``, or how an operator can allow it (for help)."""
        grants = self._policy.grants_for(user, channel)
        if not grants:
            return (
                "You cannot run diagnostics here yet. An operator can allow it in the "
                "acrbot config, for example:\n" + describe_grant(user, DEFAULT_CHECK, "myregistry")
            )
        lines = [
            f"- {', '.join('any check' if c == '*' else c for c in checks)} on "
            f"{', '.join('any registry' if r == '*' else r for r in registries)}"
            for checks, registries in grants
        ]
        return "You may run:\n" + "\n".join(lines)

    # --- steps of the flow ---------------------------------------------------

    def _known_check(self, name: str) -> Check:
        check = CHECKS.get(name) if isinstance(name, str) else None
        if check is None:
            raise UnknownCheck(
                f"There is no check called '{preview(str(name))}'. "
                f"Available checks: {', '.join(CHECKS)}."
            )
        return check

    def _repository(
        self, check: Check, repository: str | None, record: dict[str, Any]
    ) -> str | None:
        """The validated repository, for check-health only; recorded in the audit line."""
        if repository is None:
            return None
        record["repository"] = preview(str(repository))
        if check.name != CHECK_HEALTH_NAME:
            raise InvalidRepositoryName(
                f"Only {CHECK_HEALTH_NAME} takes a repository; {check.name} does not."
            )
        name = parse_repository(repository)
        record["repository"] = name
        return name

    def _locate(self, wanted: RegistryInput) -> RegistryTarget:
        """Where the registry lives, within the configured subscriptions (see registries.locate)."""
        return locate(
            wanted,
            self.settings.azure,
            self._open_client,
            named_by_rules=self._policy.names_registry,
        )

    def _pending(
        self,
        requester: str,
        channel: str,
        check: Check,
        target: RegistryTarget,
        request_id: str,
        repository: str | None = None,
    ) -> PendingRequest:
        issued = int(self._clock())
        claims = ConfirmationClaims(
            requester=requester,
            channel=channel,
            registry=target.name,
            check=check.name,
            subscription=target.subscription,
            resource_group=target.resource_group,
            cloud=target.cloud.name,
            request_id=request_id,
            issued_at=issued,
            repository=repository or "",
        )
        pull = f" (may it pull {repository}?)" if repository else ""
        return PendingRequest(
            token=self._signer.issue(claims),
            claims=claims,
            description=f"{check.name} against {target.describe()}{pull}",
            expires_at=issued + self.settings.confirm_ttl_seconds,
        )

    def _run_confirmed(
        self,
        check: Check,
        target: RegistryTarget,
        on_step: OnStep | None,
        record: dict[str, Any],
        once: str | None = None,
        repository: str | None = None,
    ) -> CheckReport:
        """Take a concurrency slot, claim the request once (if asked), then run and audit it."""
        self._credential_once()  # a broken credential config is refused before the claim
        with self._running.slot():
            if once is not None:
                self._claim_once(once)
            self.audit.append({**record, "outcome": "confirmed"})
            return self._execute(check, target, on_step, record, repository)

    def _claim_once(self, request_id: str) -> None:
        ttl = self.settings.confirm_ttl_seconds + 3600
        if not self._claims.claim(f"diagnostics:confirm:{request_id}", ttl):
            raise AlreadyConfirmed(
                "This request was already confirmed or cancelled, so it runs at most once; "
                "a confirmed run posts its result with the first confirmation."
            )

    def _execute(
        self,
        check: Check,
        target: RegistryTarget,
        on_step: OnStep | None,
        record: dict,
        repository: str | None = None,
    ) -> CheckReport:
        started = time.monotonic()
        azure = self.settings.azure
        servers = LoginServers(target.name, target.cloud, azure.login_server_url)
        with self._open_client(target.cloud, login_hosts=servers.allows) as client:
            context = CheckContext(
                target=target,
                client=client,
                login_base=servers.base,
                resolve=self._resolver,
                tenant_id=azure.tenant_id,
                repository=repository,
                dns_timeout=self.settings.connect_timeout_seconds,
                storage_warning_percent=self.settings.storage_warning_percent,
            )
            report = run_check(check, context, on_step, self._faq_lookup)
        codes = sorted({s.code for s in report.steps if s.code and s.status != Status.OK})
        metrics.diagnostic(check.name, "ok" if report.ok else "problems")
        self.audit.append(
            {
                **record,
                "event": "result",
                "outcome": "ok" if report.ok else "problems",
                "duration_ms": int((time.monotonic() - started) * 1000),
                "detail": report.summary + (f" [{', '.join(codes)}]" if codes else ""),
            }
        )
        return report

    def _open_client(
        self, cloud: Cloud, login_hosts: Callable[[str], bool] | None = None
    ) -> AzureClient:
        s = self.settings
        return AzureClient(
            self._credential_once(),
            arm_base=s.azure.arm_base(cloud),
            arm_scope=cloud.arm_scope,
            acr_scope=cloud.acr_scope,
            api_version=s.azure.api_version,
            deadline=Deadline(s.deadline_seconds),
            connect_timeout=s.connect_timeout_seconds,
            read_timeout=s.read_timeout_seconds,
            max_retries=s.max_retries,
            max_retry_wait=s.max_retry_wait_seconds,
            transport=self._transport,
            login_hosts=login_hosts or (lambda url: is_login_url_of(cloud, url)),
        )

    def _credential_once(self) -> TokenCredential:
        with self._credential_lock:
            if self._credential is None:
                self._credential = self._make_credential()
            return self._credential

    # --- audit helpers -------------------------------------------------------

    def _record(
        self, event: str, requester: str, channel: str, registry_text: str, check: str
    ) -> dict[str, Any]:
        return {
            "event": event,
            "request_id": new_request_id(),
            "requester": requester,
            "channel": channel,
            "registry": preview(str(registry_text)),
            "check": check if check in CHECKS else preview(str(check)),
        }

    @contextmanager
    def _refusals_audited(self, record: dict[str, Any]) -> Iterator[None]:
        """Any error inside becomes an audited refusal carrying a message safe to show."""
        try:
            yield
        except StorageUnavailable:
            _count_refusal(record, "unavailable")
            self.audit.append(
                {**record, "event": "refusal", "outcome": "unavailable", "detail": UNAVAILABLE}
            )
            raise DiagnosticsUnavailable(UNAVAILABLE) from None
        except AcrbotError as exc:
            _count_refusal(record, audit_outcome(exc))
            self.audit.append(
                {**record, "event": "refusal", "outcome": audit_outcome(exc), "detail": str(exc)}
            )
            raise
        except Exception as exc:
            log.error("diagnostics failed unexpectedly: %s", type(exc).__name__, exc_info=True)
            self.audit.append(
                {**record, "event": "refusal", "outcome": "error", "detail": type(exc).__name__}
            )
            raise DiagnosticsFailed(
                "Something went wrong inside acrbot while handling this request; nothing more "
                "was run. An operator can find the details in the bot's log."
            ) from None


def _count_refusal(record: Mapping[str, Any], outcome: str) -> None:
    metrics.refusal(outcome)
    if record.get("check") in CHECKS:  # a closed list: never user text as a label
        metrics.diagnostic(record["check"], outcome)


def _claims_record(claims: ConfirmationClaims) -> dict[str, Any]:
    return {
        "request_id": claims.request_id,
        "requester": claims.requester,
        "channel": claims.channel,
        "registry": claims.registry,
        "check": claims.check,
        "repository": claims.repository or None,
    }


def _terminal_user() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{preview(name)}"
