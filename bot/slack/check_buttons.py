"""The value and the words of an alert's check buttons (``diag_request_N``), in one place.

The value is the request the click makes, as small JSON: ``r`` the
registry, ``c`` the check, ``p`` a repository (check-health), ``i`` the image
and ``k`` the cluster (pull). Building and reading it live side by side so
the two cannot drift apart. The words say what the click will do ("Why
can't aks-prod pull shop/api:1.4?"); everything shown that came from an
alert goes through :func:`~bot.slack.mrkdwn.neutralise`, even after the
domain has validated it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack import block_limits
from bot.slack.mrkdwn import neutralise
from bot.triage.model import OfferedCheck

PULL = "pull"
_DIGEST_SHOWN = 12  # hex digits of a digest worth showing on a button
WORDS = {
    "en": {
        "pull_by": "Why can't {cluster} pull {image}?",
        "pull": "Why can't {image} be pulled?",
    },
    "zh": {
        "pull_by": "为什么 {cluster} 拉取不了 {image}？",
        "pull": "为什么拉取不了 {image}？",
    },
}


@dataclass(frozen=True)
class Requested:
    """What a clicked button asks for (still only a request: access and Confirm follow)."""

    registry: str
    check: str
    repository: str | None = None
    image: str | None = None
    cluster: str | None = None


def button_value(offered: OfferedCheck) -> str:
    """The button's value; at most ``block_limits.BUTTON_VALUE`` characters, or a ValueError."""
    value: dict[str, str] = {"r": offered.registry, "c": offered.check}
    if offered.repository:
        value["p"] = offered.repository
    if offered.check == PULL and offered.image:
        value["i"] = offered.image
        if offered.cluster is not None:
            value["k"] = offered.cluster.ref
    encoded = json.dumps(value, separators=(",", ":"))
    if len(encoded) > block_limits.BUTTON_VALUE:  # a clipped value would be a broken request
        raise ValueError(f"button value of {len(encoded)} characters")
    return encoded


def read_value(raw: Any) -> Requested | None:
    """The request a button's value makes, or ``None`` when it is not one acrbot built."""
    try:
        wanted = json.loads(str(raw or ""))
        registry, check = str(wanted["r"]), str(wanted["c"])
    except (ValueError, KeyError, TypeError):
        return None
    repository = str(wanted["p"]) if wanted.get("p") else None
    if check != PULL:
        return Requested(registry, check, repository)
    if not wanted.get("i"):
        return None
    cluster = str(wanted["k"]) if wanted.get("k") else None
    return Requested(registry, check, image=str(wanted["i"]), cluster=cluster)


def pull_label(offered: OfferedCheck, language: str) -> str | None:
    """A pull button's words, within Slack's 75 characters (the image shortened first).

    ``None`` for the other checks, whose buttons say "Run CHECK on REGISTRY".
    """
    if offered.check != PULL or not offered.image:
        return None
    words = WORDS.get(language, WORDS["en"])
    image = neutralise(_short_digest(offered.image))
    cluster = neutralise(offered.cluster.name) if offered.cluster else ""
    template = "🔎 " + (words["pull_by"] if cluster else words["pull"])
    room = block_limits.BUTTON_TEXT - len(template.format(cluster="", image=""))
    if cluster:  # the cluster gets what the image leaves, but never under a third
        cluster = block_limits.clip(cluster, max(room // 3, room - len(image)))
    image = block_limits.clip(image, room - len(cluster))
    return template.format(cluster=cluster, image=image)


def _short_digest(image: str) -> str:
    """``shop/api@sha256:0123456789ab…``: enough of a digest to recognise it on a button."""
    name, at, digest = image.partition("@")
    if not at:
        return image
    algorithm, _, hexdigits = digest.partition(":")
    return f"{name}@{algorithm}:{hexdigits[:_DIGEST_SHOWN]}…"
