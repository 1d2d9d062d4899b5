"""On-call alert triage: read an alert, say what it is about and what to do next.

This package knows nothing of Slack or HTTP. Readers turn an Azure Monitor
common-schema payload, an Alertmanager webhook or free text into neutral
:class:`~bot.triage.model.Alert` objects; :class:`~bot.triage.triager.Triager`
turns each into a :class:`~bot.triage.model.Triage` (registries, a one-line
summary, FAQ entries found by search, the diagnostics worth offering). The
Slack layer and the CLI only render triages.
"""

from bot.faq_links import FaqLink
from bot.triage.model import Alert, Measurement, OfferedCheck, State, Triage
from bot.triage.readers import UnknownShape, read_alertmanager, read_any, read_azure_monitor
from bot.triage.triager import Triager

__all__ = [
    "Alert",
    "FaqLink",
    "Measurement",
    "OfferedCheck",
    "State",
    "Triage",
    "Triager",
    "UnknownShape",
    "read_alertmanager",
    "read_any",
    "read_azure_monitor",
]
