"""Alerts answered 2xx and not yet shown, as items of a work queue in the shared store.

The webhook answers 200 only once every alert of the delivery is an item
here (503 with ``Retry-After`` while the store cannot take them), so an
acknowledged alert survives a Slack outage, a restart and a replica killed
mid-post: the item stays until it is shown, and a lease lets one worker at
a time try it. An item is the alert, its channel, how many attempts failed,
and the decision of the last failed attempt (so a retry shows what that
attempt meant to show instead of counting the firing again).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from bot.triage.model import Alert, Measurement, Source, State
from bot.triage.policy import Action, Decision, Posted

QUEUE = "alerts"
ITEM_TTL = 86400.0  # an alert not shown within a day is dropped (and said so)


def item_id(alert: Alert) -> str:
    """The delivery key: a sender's retry of a queued delivery is the same item."""
    return alert.delivery_key or f"unkeyed:{uuid.uuid4().hex}"


def to_item(alert: Alert, channel: str) -> dict[str, Any]:
    return {"alert": _alert_record(alert), "channel": channel, "attempts": 0}


def from_item(record: dict[str, Any]) -> tuple[Alert, str]:
    raw = dict(record["alert"])
    measurement = raw.pop("measurement", None)
    tuples = {f.name for f in dataclasses.fields(Alert) if str(f.type).startswith("tuple")}
    values = {k: tuple(v) if k in tuples else v for k, v in raw.items()}
    alert = Alert(
        **{
            **values,
            "source": Source(raw["source"]),
            "state": State(raw["state"]),
            "measurement": Measurement(**measurement) if measurement else None,
        }
    )
    return alert, str(record["channel"])


def decision_record(decision: Decision) -> dict[str, Any]:
    record = dataclasses.asdict(decision)
    record["action"] = str(decision.action)
    return record


def decision_from(record: Any) -> Decision | None:
    if not isinstance(record, dict):
        return None
    message = record.get("message")
    return Decision(
        **{
            **record,
            "action": Action(record["action"]),
            "message": Posted(**message) if isinstance(message, dict) else None,
        }
    )


_ALERT_FIELDS = tuple(f.name for f in dataclasses.fields(Alert))


def _alert_record(alert: Alert) -> dict[str, Any]:
    """``dataclasses.asdict(alert)``, JSON-able, without its deep copy of every string.

    The copy was a fifth of accepting a delivery; an alert's fields are
    immutable (strings, numbers, tuples of strings) and one nested dataclass.
    """
    record = {name: getattr(alert, name) for name in _ALERT_FIELDS}
    record["source"], record["state"] = str(alert.source), str(alert.state)
    if alert.measurement is not None:
        record["measurement"] = dataclasses.asdict(alert.measurement)
    return record
