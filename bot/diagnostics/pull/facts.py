"""What the verdict modules read: the inputs, every read's outcome, the registry and the cluster.

Its own module so that the registry, network and image verdicts share it
without importing the module that puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.diagnostics.pull.plan import Outcome
from bot.diagnostics.pull.reads import PullInputs, properties_of
from bot.diagnostics.pull.roles import ABAC_MODE
from bot.diagnostics.pull.shapes import obj


@dataclass(frozen=True)
class Facts:
    """What the verdict modules share: inputs, outcomes and the parsed registry and cluster."""

    inputs: PullInputs
    outcomes: dict[str, Outcome]
    registry: dict[str, Any] | None
    cluster: dict[str, Any] | None

    def value(self, name: str) -> Any:
        outcome = self.outcomes.get(name)
        return outcome.value if outcome is not None and outcome.ok else None

    @property
    def registry_props(self) -> dict[str, Any]:
        return properties_of(self.registry)

    @property
    def cluster_props(self) -> dict[str, Any]:
        return properties_of(self.cluster)

    @property
    def abac(self) -> bool:
        return self.registry_props.get("roleAssignmentMode") == ABAC_MODE

    @property
    def registry_name(self) -> str:
        return self.inputs.target.name

    @property
    def cluster_name(self) -> str:
        return self.inputs.cluster.name if self.inputs.cluster else ""

    @property
    def kubelet(self) -> dict[str, Any]:
        return obj(properties_of(self.cluster), "identityProfile", "kubeletidentity")
