"""Every error the diagnostics raise on purpose, in one tree; behaviour lives on the classes.

Callers decide by class, never by a ``kind`` string: a step catches
:class:`AzureCallFailed` (one call went wrong; the step can explain it) and
lets :class:`DeadlineExceeded` through (the whole check is out of time). Each
class says what the audit log records when it ends a request (``outcome``)
and which report code explains it when it ends an ARM call (``arm_code``), so
no caller keeps a side table of ``isinstance`` tests. Every message is a
plain sentence safe to show a person: status codes and Azure error codes,
never a token (see :mod:`bot.diagnostics.azure_client`'s ``scrub``).
"""

from __future__ import annotations

from bot.errors import AcrbotError, ConfigError


class DiagnosticsError(AcrbotError):
    """Base of the tree; ``outcome`` is the audit log's word for a request it ended."""

    outcome = "refused"


# --- refusals before anything runs ------------------------------------------------


class RateLimited(DiagnosticsError):
    """This person asked too often; ``retry_after`` says how long to wait, in seconds."""

    outcome = "rate-limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooBusy(DiagnosticsError):
    """Too many checks are running right now."""

    outcome = "busy"


class UnknownCheck(DiagnosticsError):
    """The request names a check that is not in the catalogue."""

    outcome = "unknown-check"


class InvalidRegistryName(DiagnosticsError):
    """The text is not a registry name; the message explains why without echoing it."""

    outcome = "invalid-registry"


class InvalidRepositoryName(DiagnosticsError):
    """The text is not a repository name; the message shows only a defanged preview."""

    outcome = "invalid-repository"


class AccessDenied(DiagnosticsError):
    """The person may not run this check on this registry here; the message says why."""

    outcome = "access-denied"


class RegistryNotFound(DiagnosticsError):
    """No registry of that name in the places acrbot is configured to look."""

    outcome = "not-found"


class OutsideConfiguredScope(RegistryNotFound):
    """A resource ID points at a subscription acrbot was not configured to reach."""

    outcome = "out-of-scope"


class RegistrySearchIncomplete(RegistryNotFound):
    """Not found, but some subscriptions could not be searched: absence is not proven."""


class AmbiguousRegistry(DiagnosticsError):
    """More than one registry matched; the person must say which one."""

    outcome = "ambiguous"


class InvalidClusterName(DiagnosticsError):
    """The text is not a cluster name or AKS resource ID; the message shows only a preview."""

    outcome = "invalid-cluster"


class ClusterNotFound(DiagnosticsError):
    """No AKS cluster of that name where acrbot is configured to look (or out of its reach)."""

    outcome = "cluster-not-found"


class AmbiguousCluster(DiagnosticsError):
    """More than one cluster matched; the person must say which one."""

    outcome = "ambiguous"


class InvalidImageReference(DiagnosticsError):
    """The text is not an image reference; the message shows only a defanged preview."""

    outcome = "invalid-image"


class Declined(DiagnosticsError):
    """The operator answered no at the terminal prompt."""

    outcome = "declined"


class DiagnosticsFailed(DiagnosticsError):
    """An unexpected internal error; details are in the bot's log, not in this message."""

    outcome = "error"


class DiagnosticsConfigError(ConfigError, DiagnosticsError):
    """A diagnostics setting (credential, cloud, secret) cannot be used as configured."""

    outcome = "config-error"


# --- confirmations -------------------------------------------------------------------


class ConfirmationError(DiagnosticsError):
    """A confirmation cannot be honoured; nothing was run."""


class ConfirmationTampered(ConfirmationError):
    """The token was altered, truncated, signed with another secret, or used elsewhere."""

    outcome = "tampered"


class ConfirmationExpired(ConfirmationError):
    """The token is older than the confirmation window."""

    outcome = "expired"


class AlreadyConfirmed(ConfirmationError):
    """This request was confirmed before (a double click or a redelivery); it ran once."""

    outcome = "replayed"


# --- talking to Azure ------------------------------------------------------------------


class ReadOnlyViolation(DiagnosticsError):
    """Something tried a call other than a GET or the two token POSTs; it was not sent."""

    outcome = "read-only-violation"


class AzureError(DiagnosticsError):
    """A call to Azure did not give a usable answer.

    ``status`` and ``code`` carry the HTTP status and Azure's error code when
    there was a response; ``arm_code`` is the report code for an ARM call
    that ended this way.
    """

    outcome = "azure-error"
    arm_code = "ARM_ERROR"
    status: int | None = None
    code: str | None = None


class DeadlineExceeded(AzureError):
    """The check ran out of its total time budget: stop, do not explain it step by step."""

    arm_code = "DEADLINE_EXCEEDED"

    def __init__(self, message: str = "The check ran out of time before Azure answered.") -> None:
        super().__init__(message)


class AzureCallFailed(AzureError):
    """One call failed; the step that made it may turn it into a problem and carry on."""


class AzureUnreachable(AzureCallFailed):
    """No answer at all: the host could not be resolved, connected to, or did not answer."""

    arm_code = "ARM_UNREACHABLE"
    registry_code: str | None = None  # the CLI's code when this happens on a login server


class AzureDNSError(AzureUnreachable):
    """The host name does not resolve."""


class AzureConnectError(AzureUnreachable):
    """The connection was refused or dropped."""


class AzureTimeout(AzureUnreachable):
    """The host did not answer within the call's timeout (the check still has time)."""


class AzureTLSError(AzureUnreachable):
    """A TLS connection could not be made (often an inspecting proxy)."""

    registry_code = "CONNECTIVITY_SSL_ERROR"


class AzureHTTPError(AzureCallFailed):
    """Azure answered with an error status; ``status`` and ``code`` say which."""

    def __init__(
        self,
        message: str,
        status: int,
        code: str | None = None,
        retry_after: float | None = None,
        registry_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after  # seconds, from a throttled answer's Retry-After
        self.registry_code = registry_code  # the CLI's code, when a login server answered

    @property
    def throttled(self) -> bool:
        return self.status == 429

    @property
    def arm_code(self) -> str:  # type: ignore[override]
        if self.status == 404 or self.code in {"ResourceNotFound", "ResourceGroupNotFound"}:
            return "REGISTRY_NOT_FOUND"
        if self.status in (401, 403):
            return "ARM_AUTHORIZATION_FAILED"
        return "ARM_THROTTLED" if self.throttled else "ARM_ERROR"


class AzureResourceMissing(AzureHTTPError):
    """ARM has nothing at a path acrbot was configured with (404); ``what`` names the resource.

    ``AzureHTTPError`` calls any 404 ``REGISTRY_NOT_FOUND``, which misleads when
    the missing resource is, say, the configured cluster.
    """

    def __init__(self, exc: AzureHTTPError, what: str, report_code: str) -> None:
        super().__init__(str(exc), exc.status or 404, exc.code)
        self.what = what
        self._report_code = report_code

    @property
    def arm_code(self) -> str:
        return self._report_code


class RegistryForbidden(AzureCallFailed):
    """The registry's /v2/ answered 403 before any credential: its firewall, seen by acrbot."""

    arm_code = "CONNECTIVITY_FORBIDDEN_ERROR"


class AzureMalformedResponse(AzureCallFailed):
    """Azure answered, but not with the JSON expected (or pointed somewhere it should not)."""

    arm_code = "MALFORMED_RESPONSE"


class AzureCredentialError(AzureCallFailed):
    """The configured credential could not produce an Azure AD token."""

    arm_code = "AAD_TOKEN_ERROR"


class UntrustedLoginServer(AzureCallFailed):
    """A token was about to go to a host outside the cloud's registry suffix; it was not sent."""

    arm_code = "LOGIN_SERVER_ERROR"


def audit_outcome(exc: BaseException) -> str:
    """The audit log's word for a refusal: the class says it; other acrbot errors are 'refused'."""
    if isinstance(exc, DiagnosticsError):
        return exc.outcome
    # A ConfigError raised outside the diagnostics (settings shared with the rest of the app).
    return "config-error" if isinstance(exc, ConfigError) else "refused"
