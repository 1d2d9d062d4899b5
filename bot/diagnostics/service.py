"""The diagnostics facade: the only entry point the Slack layer and the CLI use.

It strings the pieces together in the one order that is safe: rate limit,
known check, valid registry name, access rule, registry location; then a
signed confirmation; then, on Confirm, the same access rule for whoever
clicked, expiry, a once-only claim, a free concurrency slot, and the check
itself under its deadline. Every request, confirmation, refusal and result
is appended to the audit log on the way, so nothing runs unrecorded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.diagnostics.access import AccessPolicy, Membership, describe_grant
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.checks import CHECKS, DEFAULT_CHECK, Check
from bot.diagnostics.checks.base import OnStep, Resolver
from bot.diagnostics.checks.dns import system_resolver
from bot.diagnostics.checks.health import CHECK_HEALTH
from bot.diagnostics.clouds import get_cloud
from bot.diagnostics.clusters import locate_cluster
from bot.diagnostics.confirmation import ConfirmationClaims, ConfirmationSigner
from bot.diagnostics.credentials import make_credential
from bot.diagnostics.errors import (
    AccessDenied,
    AlreadyConfirmed,
    ConfirmationError,
    ConfirmationTampered,
    Declined,
    DiagnosticsFailed,
    InvalidImageReference,
    InvalidRepositoryName,
    OutsideConfiguredScope,
    RegistryNotFound,
    RegistrySearchIncomplete,
    UnknownCheck,
)
from bot.diagnostics.pending import PendingRequest
from bot.diagnostics.pull.image_ref import ImageRef
from bot.diagnostics.pull.request import PULL, PullRequest, from_claims, split_image
from bot.diagnostics.rate_limits import ConcurrencyLimiter, RateLimiter
from bot.diagnostics.refusals import (
    DiagnosticsUnavailable,
    claims_record,
    new_record,
    refusals_audited,
    terminal_user,
)
from bot.diagnostics.registry_location import RegistryTarget, locate
from bot.diagnostics.registry_name import RegistryInput, parse_registry, preview
from bot.diagnostics.report import CheckReport
from bot.diagnostics.repository_name import parse_repository
from bot.diagnostics.runner import CheckRunner, CredentialFactory
from bot.diagnostics.settings import DiagnosticsSettings
from bot.faq_links import FaqSearch
from bot.storage import Storage

if TYPE_CHECKING:
    import httpx

CHECK_HEALTH_NAME = CHECK_HEALTH.name
TERMINAL_CHANNEL = "terminal"


__all__ = [
    "AlreadyConfirmed",
    "Declined",
    "Diagnostics",
    "DiagnosticsFailed",
    "DiagnosticsUnavailable",
    "PendingRequest",
    "UnknownCheck",
]


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
        faq_search: FaqSearch | None = None,
        membership: Membership | None = None,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.audit = audit
        self._signer = ConfirmationSigner(secret, settings.confirm_ttl_seconds)
        self._claims = claims
        self._policy = AccessPolicy(settings.access_rules, membership)
        self._clock = clock
        self._runner = CheckRunner(
            settings,
            audit,
            credential_factory or (lambda: make_credential(settings.azure)),
            faq_search=faq_search,
            resolver=resolver,
            transport=transport,
        )
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
        *,
        image: str | None = None,
        cluster: str | None = None,
    ) -> PendingRequest:
        """Validate and authorise a request; return what the Confirm button needs.

        ``repository`` (check-health only) asks whether the bot's identity may
        pull that repository; it travels inside the signed Confirm token. For
        the pull check, ``registry_text`` may be a full image reference, or
        ``image`` names the image; ``cluster`` (optional) the cluster.
        """
        record = new_record("request", requester, channel, registry_text, check)
        with refusals_audited(self.audit, record):
            self._rate.hit(requester)
            if not channel:
                raise AccessDenied("Diagnostics run only from a known conversation.")
            known = self._known_check(check)
            registry_text, ref = self._image(known, registry_text, image, cluster, record)
            wanted = parse_registry(registry_text)
            record["registry"] = wanted.name
            repo = self._repository(known, repository, record)
            self._policy.require(requester, channel, known.name, wanted.name)
            target = self._locate(wanted, missing_ok=ref is not None)
            pull = self._pull(ref, cluster, record)
            pending = self._pending(
                requester, channel, known, target, record["request_id"], repo, pull
            )
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
        with refusals_audited(self.audit, record):
            claims = self._signer.verify(token, self._clock())
            record.update(claims_record(claims))
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
                pull=from_claims(claims) if known.name == PULL else None,
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
        with refusals_audited(self.audit, record):
            claims = self._signer.verify(token, self._clock())
            record.update(claims_record(claims))
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
        image: str | None = None,
        cluster: str | None = None,
    ) -> CheckReport:
        """Run from the terminal: no access rules (the operator is at the keyboard), still audited.

        ``confirm`` is asked with the located request before anything runs;
        answering no raises :class:`Declined`.
        """
        requester = requester or terminal_user()
        record = new_record("request", requester, TERMINAL_CHANNEL, registry_text, check)
        with refusals_audited(self.audit, record):
            known = self._known_check(check)
            registry_text, ref = self._image(known, registry_text, image, cluster, record)
            wanted = parse_registry(registry_text)
            record["registry"] = wanted.name
            repo = self._repository(known, repository, record)
            target = self._locate(wanted, missing_ok=ref is not None)
            pull = self._pull(ref, cluster, record)
            pending = self._pending(
                requester, TERMINAL_CHANNEL, known, target, record["request_id"], repo, pull
            )
            self.audit.append({**record, "outcome": "pending", "detail": pending.description})
            if confirm is not None and not confirm(pending):
                raise Declined("Not run: the check was not confirmed.")
            record.update(event="confirmation", confirmer=requester)
            return self._run_confirmed(known, target, on_step, record, repository=repo, pull=pull)

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

    def _locate(self, wanted: RegistryInput, missing_ok: bool = False) -> RegistryTarget:
        """Where the registry lives, within the configured subscriptions (see registries.locate).

        With ``missing_ok`` (the pull check) a registry that is nowhere to be
        found is not a refusal but the verdict ``REGISTRY_NOT_FOUND``: the
        target then has no subscription, and the check says what exists.
        """
        try:
            return locate(
                wanted,
                self.settings.azure,
                self._runner.open_client,
                named_by_rules=self._policy.names_registry,
            )
        except (OutsideConfiguredScope, RegistrySearchIncomplete):
            raise  # not proof that the registry does not exist
        except RegistryNotFound:
            if not missing_ok or wanted.subscription:
                raise
            return RegistryTarget(wanted.name, "", "", self.settings.azure.cloud, "missing")

    def _image(
        self,
        check: Check,
        registry_text: str,
        image: str | None,
        cluster: str | None,
        record: dict[str, Any],
    ) -> tuple[str, ImageRef | None]:
        """The pull check's image (validated; recorded in the audit line); None for the others."""
        if check.name != PULL:
            if image is not None or cluster is not None:
                raise InvalidImageReference(
                    f"Only {PULL} takes an image and a cluster; {check.name} does not."
                )
            return registry_text, None
        registry_text, ref = split_image(registry_text, image)
        record["image"] = ref.display()
        return registry_text, ref

    def _pull(
        self, ref: ImageRef | None, cluster: str | None, record: dict[str, Any]
    ) -> PullRequest | None:
        """The cluster resolved (after the access rules: resolving may call ARM)."""
        if ref is None:
            return None
        if cluster is None:
            return PullRequest(ref)
        record["cluster"] = preview(str(cluster))
        found = locate_cluster(cluster, self.settings.azure, self._runner.open_client)
        record["cluster"] = found.resource_id
        return PullRequest(ref, found)

    def _pending(
        self,
        requester: str,
        channel: str,
        check: Check,
        target: RegistryTarget,
        request_id: str,
        repository: str | None = None,
        pull: PullRequest | None = None,
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
            image=pull.image.display() if pull else "",
            cluster=pull.cluster.resource_id if pull and pull.cluster else "",
        )
        what = f" (may it pull {repository}?)" if repository else ""
        if pull is not None:
            what = f": {pull.describe()}"
            if not target.subscription:
                what += " (the registry was not found in the configured subscriptions)"
        return PendingRequest(
            token=self._signer.issue(claims),
            claims=claims,
            description=f"{check.name} against {target.describe()}{what}",
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
        pull: PullRequest | None = None,
    ) -> CheckReport:
        """Take a concurrency slot, claim the request once (if asked), then run and audit it."""
        self._runner.credential()  # a broken credential config is refused before the claim
        with self._running.slot():
            if once is not None:
                self._claim_once(once)
            self.audit.append({**record, "outcome": "confirmed"})
            return self._runner.execute(
                check,
                target,
                on_step,
                record,
                repository,
                image=pull.image if pull else None,
                cluster=pull.cluster if pull else None,
            )

    def _claim_once(self, request_id: str) -> None:
        ttl = self.settings.confirm_ttl_seconds + 3600
        if not self._claims.claim(f"diagnostics:confirm:{request_id}", ttl):
            raise AlreadyConfirmed(
                "This request was already confirmed or cancelled, so it runs at most once; "
                "a confirmed run posts its result with the first confirmation."
            )
