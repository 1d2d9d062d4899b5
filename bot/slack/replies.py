"""What every listener shares: the ack, private replies, refusals and the diagnostic request.

``/acr diagnose REGISTRY`` and a "Run check-health on X" button both go
through :func:`request_diagnostic`, so they validate, authorise, audit and
answer identically.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.errors import AcrbotError
from bot.services import Services
from bot.slack.blocks import notice
from bot.slack.diagnostics_blocks import confirmation_message
from bot.slack.mrkdwn import escape


def acknowledge(ack: Ack) -> None:
    """Ack at once; the work happens in the lazy listener after Slack has its 200."""
    ack()


def private(respond: Respond, **message: Any) -> None:
    """A reply only the clicker sees, leaving the clicked message as it is."""
    respond(response_type="ephemeral", replace_original=False, **message)


def refuse(respond: Respond, error: AcrbotError) -> None:
    """The one way a refusal is shown: ⛔ and the error's own (safe) sentence, privately."""
    private(respond, **notice(f":no_entry: {escape(str(error))}", str(error)).as_kwargs())


def request_diagnostic(
    services: Services,
    respond: Respond,
    user: str,
    channel: str,
    target: str,
    check: str,
    *,
    repository: str | None = None,
    image: str | None = None,
    cluster: str | None = None,
) -> None:
    """Validate and authorise a check; show Confirm / Cancel, or why not.

    For ``pull``, ``target`` is the full image reference (``/acr pull``) or
    the registry with ``image`` apart (an alert's button), and ``cluster`` the
    cluster that pulls it (optional).
    """
    try:
        wanted = {"image": image, "cluster": cluster}
        extra = {key: value for key, value in wanted.items() if value is not None}
        pending = services.diagnostics.request(user, channel, target, check, repository, **extra)
    except AcrbotError as exc:
        refuse(respond, exc)
        return
    private(respond, **confirmation_message(pending).as_kwargs())
