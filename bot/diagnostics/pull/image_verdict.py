"""Is the image there, readable, out of quarantine and built for the node pools' platforms?

Read with acrbot's own registry token (scope ``pull,metadata_read`` on the
repository): the manifest HEAD says whether the tag or digest exists; the
tag and manifest details say whether it is locked (``readEnabled: false``)
or quarantined; an index lists its platforms, and a single image's config
blob names its one (``os``, ``architecture``), compared with each node
pool's OS and architecture (Azure's Arm64 sizes carry a ``p`` among the
size's feature letters: ``Standard_D4ps_v5``).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from bot.diagnostics.azure_client import RegistryAnswer
from bot.diagnostics.pull.findings import Cause, Findings
from bot.diagnostics.pull.shapes import obj, objs

if TYPE_CHECKING:
    from bot.diagnostics.pull.facts import Facts

_SIZE_RE = re.compile(r"Standard_([A-Za-z]+)(\d+)([a-z]*)_", re.IGNORECASE)
TITLE_IMAGE = "Image (manifest)"
TITLE_LOCK = "Lock and quarantine"
TITLE_PLATFORM = "Platforms"

__all__ = ["judge_image", "pool_platform"]


def pool_platform(pool: dict[str, Any]) -> str:
    """``linux/amd64``, ``linux/arm64`` or ``windows/amd64`` for a node pool."""
    os_name = str(pool.get("osType") or "Linux").lower()
    match = _SIZE_RE.match(str(pool.get("vmSize") or ""))
    arm = bool(match and "p" in match.group(3).lower())
    return f"{os_name}/{'arm64' if arm else 'amd64'}"


def judge_image(found: Findings, facts: Facts) -> None:
    image = facts.inputs.image
    token = facts.outcomes["token"]
    role = (
        f"Container Registry Repository Reader on {facts.registry_name} (for {image.repository})"
        if facts.abac
        else f"AcrPull on {facts.registry_name}"
    )
    what = f"the image {image.display()} (tag, lock, quarantine, platforms)"
    if not token.ok:
        found.unverifiable("image", TITLE_IMAGE, what, token, role)
        return
    if not token.value["granted"]:
        found.unverifiable(
            "image",
            TITLE_IMAGE,
            what,
            None,
            role,
            why=f"The registry gave acrbot's identity no pull on {image.repository}.",
        )
        return
    manifest = facts.outcomes["manifest"]
    if not manifest.ok:
        found.unverifiable("image", TITLE_IMAGE, what, manifest, role)
        return
    answer: RegistryAnswer = manifest.value
    meta, tag = _meta(facts), _tag(facts)
    if answer.status == 404 and not _exists_hidden(tag, facts):
        _not_found(found, facts)
        return
    if answer.status not in (200, 403, 404):
        why = f"The manifest read answered HTTP {answer.status}."
        found.unverifiable("image", TITLE_IMAGE, what, None, role, why=why)
        return
    if answer.status == 200:
        digest = answer.headers.get("docker-content-digest", "digest not given")
        found.passed("image", TITLE_IMAGE, f"{image.display()} exists ({digest}).")
    blocked = _lock_and_quarantine(found, facts, tag, meta)
    if answer.status == 200 and not blocked:
        _platforms(found, facts)


def _meta(facts: Facts) -> dict[str, Any] | None:
    value = facts.value("manifest_meta")
    if isinstance(value, RegistryAnswer) and value.status == 200:
        return obj(value.body, "manifest")
    return None


def _tag(facts: Facts) -> dict[str, Any] | None:
    value = facts.value("tag")
    if isinstance(value, RegistryAnswer) and value.status == 200:
        return obj(value.body, "tag")
    return None


def _exists_hidden(tag: dict[str, Any] | None, facts: Facts) -> bool:
    """A tag the manifest read cannot see but the tag list knows: quarantine hides it."""
    return tag is not None and _quarantine_on(facts)


def _quarantine_on(facts: Facts) -> bool:
    policy = obj(facts.registry_props, "policies", "quarantinePolicy")
    return str(policy.get("status") or "").lower() == "enabled"


def _not_found(found: Findings, facts: Facts) -> None:
    image = facts.inputs.image
    listing = facts.value("tags")
    names: list[str] = []
    if isinstance(listing, RegistryAnswer) and listing.status == 200:
        names = [str(t.get("name")) for t in objs(listing.body.get("tags")) if t.get("name")]
    server = facts.registry_props.get("loginServer") or facts.inputs.target.default_login_server
    if names:
        close = (
            difflib.get_close_matches(image.tag or "", names, n=3, cutoff=0.0) if image.tag else []
        )
        suggestions = list(dict.fromkeys(close + names[:2]))[:4]
        fix = (
            f"Deploy an existing tag of {image.repository} (closest first: "
            f"{', '.join(suggestions)}; newest: {names[0]}), or push the missing one: "
            f"docker push {server}/{image.display()}"
        )
        where = f"{image.repository} has no {'digest' if image.digest else 'tag'} {image.reference}"
    else:
        fix = (
            f"Push the image first (docker push {server}/{image.display()}), or correct the "
            "repository name in the pod spec."
        )
        where = f"{facts.registry_name} has no repository {image.repository} (or it has no tags)"
    found.cause(
        "image",
        TITLE_IMAGE,
        Cause(
            "IMAGE_NOT_FOUND", f"{where}: the kubelet gets 'manifest unknown' / 'not found'.", fix
        ),
    )


def _lock_and_quarantine(
    found: Findings, facts: Facts, tag: dict | None, meta: dict | None
) -> bool:
    image = facts.inputs.image
    registry = facts.registry_name
    digest = (meta or {}).get("digest") or (tag or {}).get("digest") or image.digest
    state = (meta or {}).get("quarantineState")
    if _quarantine_on(facts) and (meta is None or state != "Passed"):
        if meta is None and not facts.outcomes["manifest_meta"].ok:
            found.unverifiable(
                "quarantine",
                TITLE_LOCK,
                f"the quarantine state of {image.display()}",
                facts.outcomes["manifest_meta"],
                f"AcrPull on {registry}",
            )
            return True
        found.cause(
            "quarantine",
            TITLE_LOCK,
            Cause(
                "IMAGE_QUARANTINED",
                f"{registry} has quarantine on, and {image.repository}@{digest} is "
                f"{state or 'not yet scanned'}: it is invisible by tag and refused by digest "
                "('The operation is disallowed') until a scanner marks it Passed.",
                f"Have the quarantine scanner finish and mark {image.repository}@{digest} "
                f"Passed; if quarantine is no longer wanted: az acr update -n {registry} --set "
                "policies.quarantinePolicy.status=disabled",
            ),
        )
        return True
    locked_tag = tag is not None and obj(tag, "changeableAttributes").get("readEnabled") is False
    locked_manifest = (
        meta is not None and obj(meta, "changeableAttributes").get("readEnabled") is False
    )
    if locked_tag or locked_manifest:
        ref = image.display() if locked_tag else f"{image.repository}@{digest}"
        found.cause(
            "lock",
            TITLE_LOCK,
            Cause(
                "IMAGE_READ_DISABLED",
                f"{ref} is locked against pull (readEnabled: false on the "
                f"{'tag' if locked_tag else 'manifest'}).",
                f"az acr repository update -n {registry} --image {ref} --read-enabled true",
            ),
        )
        return True
    if meta is None and tag is None and facts.outcomes["manifest"].value.status == 403:
        found.unverifiable(
            "lock",
            TITLE_LOCK,
            f"why {image.display()} is refused (HTTP 403)",
            None,
            "",
            why="Neither the tag nor the manifest details could be read.",
        )
        return True
    found.passed(
        "lock",
        TITLE_LOCK,
        "Not locked"
        + (", and passed quarantine." if _quarantine_on(facts) else "; quarantine is off."),
    )
    return False


def _platforms(found: Findings, facts: Facts) -> None:
    image = facts.inputs.image
    index, config = facts.outcomes["index"], facts.outcomes["config"]
    single = index.skipped == "not-applicable"
    if single and config.skipped == "not-applicable":
        found.passed(
            "platform",
            TITLE_PLATFORM,
            "A single-platform image (not an index); its platform is in its config.",
        )
        return
    read = config if single else index
    if not read.ok or not isinstance(read.value, RegistryAnswer) or read.value.status != 200:
        found.unverifiable(
            "platform",
            TITLE_PLATFORM,
            f"the platforms of {image.display()}",
            read if not read.ok else None,
            "",
            why=f"The image's {'config' if single else 'index'} could not be read.",
        )
        return
    offered = _config_platform(read.value.body) if single else _index_platforms(read.value.body)
    if facts.cluster is None:
        found.passed("platform", TITLE_PLATFORM, f"Built for: {', '.join(sorted(offered))}.")
        return
    pools = objs(facts.cluster_props.get("agentPoolProfiles"))
    missing = [(p, pool_platform(p)) for p in pools if pool_platform(p) not in offered]
    if not missing:
        found.passed(
            "platform",
            TITLE_PLATFORM,
            f"Every node pool's platform is in the image ({', '.join(sorted(offered))}).",
        )
        return
    server = facts.registry_props.get("loginServer") or facts.inputs.target.default_login_server
    wanted = sorted(offered | {platform for _, platform in missing})
    pools_text = ", ".join(
        f"{p.get('name')} ({platform}, {p.get('vmSize')})" for p, platform in missing
    )
    runs = sorted(offered & {pool_platform(p) for p in pools})  # what some pool here can run
    keep = _selector(runs[0], [p for _, p in missing]) if runs else ""
    found.cause(
        "platform",
        TITLE_PLATFORM,
        Cause(
            "PLATFORM_MISMATCH",
            f"{image.display()} is built for {', '.join(sorted(offered)) or 'no platform'} "
            f"only; node pool(s) {pools_text} need another: 'no match for platform in manifest'.",
            f"docker buildx build --platform {','.join(wanted)} -t {server}/{image.display()} "
            "--push ."
            + (f" (or keep the pod off those pools: nodeSelector {keep})" if keep else ""),
        ),
    )


def _selector(keep: str, missing: list[str]) -> str:
    """The node labels that keep a pod on ``keep``'s pools and off each of ``missing``.

    A Windows pool is amd64 too, so only the label that differs tells the pools apart.
    """
    os_name, arch = keep.split("/", 1)
    labels = []
    if any(p.split("/", 1)[0] != os_name for p in missing):
        labels.append(f"kubernetes.io/os: {os_name}")
    if any(p.split("/", 1)[-1] != arch for p in missing):
        labels.append(f"kubernetes.io/arch: {arch}")
    return ", ".join(labels)


def _index_platforms(body: dict[str, Any]) -> set[str]:
    platforms = [obj(m, "platform") for m in objs(body.get("manifests"))]
    offered = {f"{p.get('os')}/{p.get('architecture')}".lower() for p in platforms}
    offered.discard("unknown/unknown")
    return offered


def _config_platform(body: dict[str, Any]) -> set[str]:
    """A single image's platform from its config blob (``os``, ``architecture``)."""
    os_name, arch = str(body.get("os") or "").lower(), str(body.get("architecture") or "").lower()
    return {f"{os_name}/{arch}"} if os_name and arch else set()
