"""Audit records for the diagnostics flow, and the one way a refusal is recorded.

Every request, confirmation and refusal becomes an audit line; any error
inside the flow leaves as a refusal carrying a message safe to show (an
unexpected one as a generic sentence, its details only in the log).
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from bot import metrics
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.catalogue import CHECK_NAMES
from bot.diagnostics.confirmation import ConfirmationClaims, new_request_id
from bot.diagnostics.errors import DiagnosticsFailed, audit_outcome
from bot.diagnostics.registry_name import preview
from bot.errors import AcrbotError
from bot.storage import StorageUnavailable

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "Diagnostics are temporarily unavailable (acrbot cannot reach its shared state); "
    "please try again in a minute. Questions are still answered."
)

__all__ = [
    "UNAVAILABLE",
    "DiagnosticsUnavailable",
    "claims_record",
    "new_record",
    "refusals_audited",
    "terminal_user",
]


class DiagnosticsUnavailable(StorageUnavailable):
    """The shared store is down: without the once-only guarantee and limits, nothing runs."""

    outcome = "unavailable"


def new_record(
    event: str, requester: str, channel: str, registry_text: str, check: str
) -> dict[str, Any]:
    """The fields every audit line of one request shares (user text previewed, never raw)."""
    return {
        "event": event,
        "request_id": new_request_id(),
        "requester": requester,
        "channel": channel,
        "registry": preview(str(registry_text)),
        "check": check if check in CHECK_NAMES else preview(str(check)),
    }


@contextmanager
def refusals_audited(audit: AuditLog, record: dict[str, Any]) -> Iterator[None]:
    """Any error inside becomes an audited refusal carrying a message safe to show."""
    try:
        yield
    except StorageUnavailable:
        _count_refusal(record, "unavailable")
        audit.append(
            {**record, "event": "refusal", "outcome": "unavailable", "detail": UNAVAILABLE}
        )
        raise DiagnosticsUnavailable(UNAVAILABLE) from None
    except AcrbotError as exc:
        _count_refusal(record, audit_outcome(exc))
        audit.append(
            {**record, "event": "refusal", "outcome": audit_outcome(exc), "detail": str(exc)}
        )
        raise
    except Exception as exc:
        log.error("diagnostics failed unexpectedly: %s", type(exc).__name__, exc_info=True)
        audit.append(
            {**record, "event": "refusal", "outcome": "error", "detail": type(exc).__name__}
        )
        raise DiagnosticsFailed(
            "Something went wrong inside acrbot while handling this request; nothing more "
            "was run. An operator can find the details in the bot's log."
        ) from None


def _count_refusal(record: Mapping[str, Any], outcome: str) -> None:
    metrics.refusal(outcome)
    if record.get("check") in CHECK_NAMES:  # a closed list: never user text as a label
        metrics.diagnostic(record["check"], outcome)


def claims_record(claims: ConfirmationClaims) -> dict[str, Any]:
    """The audit fields a confirmation token carries."""
    return {
        "request_id": claims.request_id,
        "requester": claims.requester,
        "channel": claims.channel,
        "registry": claims.registry,
        "check": claims.check,
        "repository": claims.repository or None,
        "image": claims.image or None,
        "cluster": claims.cluster or None,
    }


def terminal_user() -> str:
    """Who is at the keyboard, as the audit log names terminal runs."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{preview(name)}"
