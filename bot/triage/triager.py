"""From a neutral alert to a triage: registries, a one-line summary, FAQ entries, checks.

The FAQ entries come from the knowledge base's own search, injected as a
function: the query is made of the alert's words (its error line and the
problem it describes), so what the FAQ says about an alert changes when the
FAQ changes, with no table from alerts to entries to keep in step.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from bot.diagnostics.registry_name import SUFFIX_PATTERN
from bot.faq_links import FaqLink, FaqSearch
from bot.triage.model import (
    Alert,
    KnownCluster,
    Measurement,
    OfferedCheck,
    Source,
    State,
    Triage,
)
from bot.triage.readers.common import resource_type
from bot.triage.registries import Found, find_registries, images_elsewhere
from bot.triage.signals import (
    ERROR_KINDS,
    Signal,
    detect,
    is_pull_failure,
    mentions_acr,
    offered_checks,
    reports_a_problem,
)
from bot.triage.units import human_duration, human_value

"""Given a query and a limit, the best knowledge-base entries (best first, scored 0..1)."""

ClusterLookup = Callable[[str], KnownCluster | None]
"""What an alert calls a cluster (an alias, an AKS resource ID) → the cluster, if configured."""

ACR_TYPE = "microsoft.containerregistry/registries"
AKS_TYPE = "microsoft.containerservice/managedclusters"
MAX_REGISTRIES_CHECKED = 2
MAX_IMAGES_CHECKED = 2
_PULLISH = frozenset({"pull", "auth", "not-found", "timeout", "firewall", "tls"})
MAX_QUERY = 300
log = logging.getLogger(__name__)

_OPERATORS = {
    "en": {
        "greaterthan": "above",
        "greaterthanorequal": "at or above",
        "lessthan": "below",
        "lessthanorequal": "at or below",
        "equals": "equal to",
        "notequals": "not equal to",
        "greaterorlessthan": "outside the expected range of",
    },
    "zh": {
        "greaterthan": "高于",
        "greaterthanorequal": "不低于",
        "lessthan": "低于",
        "lessthanorequal": "不高于",
        "equals": "等于",
        "notequals": "不等于",
        "greaterorlessthan": "超出预期范围",
    },
}
_WORDS = {
    "en": {
        "threshold": "threshold",
        "over": "over",
        "not_registry": "not about a registry: no check to offer",
        "nothing": "nothing recognised",
        "cluster": "cluster {name}",
    },
    "zh": {
        "threshold": "阈值",
        "over": "统计窗口",
        "not_registry": "与容器镜像仓库无关，没有可运行的检查",
        "nothing": "未识别出任何内容",
        "cluster": "集群 {name}",
    },
}
_EXCERPT = 240
# Hashes, URLs, image references and IP addresses only dilute a FAQ search.
_NOISE = re.compile(
    r"sha256:[0-9a-f]{16,}|\b[0-9a-f]{32,}\b|https?://\S+|\S*(?:" + SUFFIX_PATTERN + r")\S*"
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b",
    re.IGNORECASE,
)


class Triager:
    """Turns alerts into triages; holds the FAQ search and the reply language."""

    def __init__(
        self,
        search: FaqSearch | None = None,
        *,
        faq_limit: int = 3,
        min_score: float = 0.4,
        language: str = "en",
        clusters: ClusterLookup | None = None,
    ) -> None:
        self._search = search
        self._clusters = clusters
        self._faq_limit = faq_limit
        self._min_score = min_score
        self.language = language if language in _WORDS else "en"

    def triage(self, alert: Alert, *, unsolicited: bool = False) -> Triage:
        """The triage of ``alert``.

        ``unsolicited``: text nobody asked acrbot about (a message in a watched
        channel), which is an alert only with alert evidence (chat that names a
        registry or ACR is not one). Text pasted to ``/acr triage`` or ``acrbot
        triage`` was asked about: triaged whenever it names a registry or an ACR
        problem. A webhook's payload is an alert either way.
        """
        texts = list(alert.text) + ([alert.detail] if alert.detail else [])
        found = find_registries(list(alert.target_ids) + texts, alert.registry_fields)
        signals = detect(texts + ([alert.measurement.name] if alert.measurement else []))
        target_types = {resource_type(t) for t in alert.target_ids}
        unasked_text = unsolicited and alert.source == Source.TEXT
        chat = unasked_text and not _alert_like(alert, signals, texts)
        about = not chat and bool(
            found.registries
            or found.rejected
            or ACR_TYPE in target_types
            or self._marked_acr(alert, signals, texts)
        )
        checks: list[OfferedCheck] = []
        if about:
            checks += self._pull_checks(alert, found, signals, texts)
            repos = dict(found.repositories)
            pulling = any(s.kind in ("pull", "not-found", "auth", "timeout") for s in signals)
            for registry in found.registries[:MAX_REGISTRIES_CHECKED]:
                for check in offered_checks(signals):
                    repo = repos.get(registry) if check == "check-health" and pulling else None
                    checks.append(OfferedCheck(check, registry, repo))
        faq: tuple[FaqLink, ...] = ()
        if about or (alert.source == Source.TEXT and signals and reports_a_problem(texts, signals)):
            faq = self._faq(alert, signals, texts)
        return Triage(
            alert=alert,
            summary=self._summary(alert, signals, texts, about),
            registries=found.registries,
            rejected=found.rejected,
            repositories=tuple(dict.fromkeys(repo for _, repo in found.repositories)),
            signals=tuple(s.kind for s in signals),
            about_registry=about,
            faq=faq,
            checks=tuple(checks),
        )

    def triage_all(self, alerts: Sequence[Alert], *, unsolicited: bool = False) -> list[Triage]:
        return [self.triage(alert, unsolicited=unsolicited) for alert in alerts]

    @staticmethod
    def _marked_acr(alert: Alert, signals: Sequence[Signal], texts: Sequence[str]) -> bool:
        """Whether ACR's words (no registry named) make this an ACR alert.

        Not from the name of the resource the alert is on (a VM called
        ``acr-build-agent-01`` is a VM), and not when every image the alert
        names is on another registry.
        """
        names = {
            t.rstrip("/").rsplit("/", 1)[-1]
            for t in alert.target_ids
            if resource_type(t) not in (None, ACR_TYPE)
        }
        names.discard("")
        if names:
            pattern = re.compile(
                "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), re.IGNORECASE
            )
            texts = [pattern.sub(" ", t) for t in texts]
        return mentions_acr(texts) and not images_elsewhere(texts)

    # -- the pull check -----------------------------------------------------------------

    def _pull_checks(
        self, alert: Alert, found: Found, signals: Sequence[Signal], texts: Sequence[str]
    ) -> list[OfferedCheck]:
        """``pull`` for each image an image-pull failure names, with the cluster when known.

        A pull failure is Kubernetes' or the runtime's own words, a pull
        signal with an error, or an error on a managed cluster's alert; an
        alert without an image reference gets no pull check (the check needs one).
        """
        if not found.images:
            return []
        on_cluster = any(resource_type(t) == AKS_TYPE for t in alert.target_ids)
        kinds = {s.kind for s in signals}
        if not (is_pull_failure(texts, signals) or (on_cluster and kinds & _PULLISH)):
            return []
        cluster_of = self._cluster_of(alert, texts)
        allowed = found.registries[:MAX_REGISTRIES_CHECKED]
        return [
            OfferedCheck("pull", registry, image=image, cluster=cluster_of(registry, image))
            for registry, image in found.images
            if registry in allowed
        ][:MAX_IMAGES_CHECKED]

    def _cluster_of(
        self, alert: Alert, texts: Sequence[str]
    ) -> Callable[[str, str], KnownCluster | None]:
        """Which cluster pulled each image: the one its own block names, else the alert's.

        Pasted text can hold several alerts (a Grafana or Alertmanager message
        of two, each with its ``cluster`` label): an image goes with the
        cluster named in its paragraph (the nearest mention there). When its
        paragraph names none, it goes with the first cluster of the alert that
        configuration knows (label, field, target). A cluster the image's
        block names that configuration does not know is no cluster, never
        another block's.
        """
        if self._clusters is None:
            return lambda registry, image: None
        lookups: dict[str, KnownCluster | None] = {}
        failed = False

        def lookup(candidate: str) -> KnownCluster | None:
            nonlocal failed
            if failed:
                return None
            if candidate not in lookups:
                try:
                    lookups[candidate] = self._clusters(candidate)  # type: ignore[misc]
                except Exception:  # a lookup bug must not lose the alert: offer pull without it
                    log.exception("triage: cluster lookup failed")
                    failed = True
                    return None
            return lookups[candidate]

        targets = [t for t in alert.target_ids if resource_type(t) == AKS_TYPE]
        first = next((k for c in (*alert.cluster_fields, *targets) if (k := lookup(c))), None)
        mentions = _cluster_mentions(alert.cluster_fields, texts)

        def cluster_of(registry: str, image: str) -> KnownCluster | None:
            named = _named_beside(registry, image, texts, mentions)
            if named is None:
                return None if failed else first
            return lookup(named)

        return cluster_of

    # -- the summary line ---------------------------------------------------------------

    def _summary(
        self, alert: Alert, signals: Sequence[Signal], texts: Sequence[str], about: bool
    ) -> str:
        words = _WORDS[self.language]
        parts: list[str] = []
        if alert.measurement:
            parts.append(self._measurement(alert.measurement))
        if alert.detail and alert.source != Source.TEXT:
            parts.append(alert.detail)
        excerpt = _excerpt(signals, [t for t in texts if t != alert.rule])
        if excerpt and not any(excerpt in p or p in excerpt for p in parts):
            parts.append(excerpt)
        elif excerpt is None and alert.source != Source.TEXT and not alert.measurement:
            # No problem recognised: still say where (the description names the pod and
            # namespace in kube-prometheus' rules; the cluster is a label's).
            described = _description(alert, texts)
            if described and not any(described in p or p in described for p in parts):
                parts.append(described)
            shown = " ".join(parts).lower()
            clusters = [c for c in alert.cluster_fields if c.lower() not in shown][:1]
            if clusters and not any(c.lower() in shown for c in alert.cluster_fields):
                parts.append(words["cluster"].format(name=clusters[0]))
        if not parts and alert.detail:
            parts.append(alert.detail)
        if not parts:
            parts.append(alert.rule or words["nothing"])
        if alert.source != Source.TEXT and not about:
            parts.append(words["not_registry"])
        return " — ".join(_one_line(p) for p in parts)[:600]

    def _measurement(self, m: Measurement) -> str:
        words = _WORDS[self.language]
        text = m.name
        if m.value is not None:
            text += f" {human_value(m.value, m.unit)}"
        condition = []
        if m.operator or m.threshold is not None:
            op = _OPERATORS[self.language].get((m.operator or "").lower(), m.operator or "")
            threshold = human_value(m.threshold, m.unit) if m.threshold is not None else ""
            condition.append(f"{words['threshold']}: {op} {threshold}".strip())
        window = human_duration(m.window)
        if window or m.aggregation:
            aggregation = (m.aggregation or "").lower()
            condition.append(" ".join(x for x in (aggregation, words["over"], window) if x))
        if condition:
            text += f" ({'; '.join(condition)})"
        return text

    # -- the FAQ ------------------------------------------------------------------------

    def _faq(
        self, alert: Alert, signals: Sequence[Signal], texts: Sequence[str]
    ) -> tuple[FaqLink, ...]:
        """Entries the alert's own words find; the signals' phrasing only when they find none.

        A signal's ``search_words`` say what such problems usually are ("docker
        pull fails … unauthorized"): searched beside the alert's error line they
        can outweigh it (an entry on timeouts for "no such host"). So the
        alert's words are searched first, and the phrasing is added only when
        they find nothing sure; a pull or push signal lends its phrasing only
        when the alert says something failed (``SuccessfulPullCount`` is a
        metric, not a failure).
        """
        if self._search is None:
            return ()
        own = _query(alert, signals, texts, phrased=())
        hits = self._hits(own)
        if hits is None:
            return ()
        if not hits:
            phrased = [s for s in signals if s.kind not in _ACTIVITIES or _failed(signals, texts)]
            query = _query(alert, signals, texts, phrased=phrased)
            if query != own:
                hits = self._hits(query) or ()
        return tuple(hits)[: self._faq_limit]

    def _hits(self, query: str) -> list[FaqLink] | None:
        """The sure hits for ``query`` ([] for none or no query); None when the search failed."""
        if not query:
            return []
        try:
            hits = self._search(query, self._faq_limit)  # type: ignore[misc]
        except Exception:  # a search bug must not lose the alert: post it without FAQ links
            log.exception("triage: FAQ search failed")
            return None
        return [h for h in hits if h.score >= self._min_score]


def _alert_like(alert: Alert, signals: Sequence[Signal], texts: Sequence[str]) -> bool:
    """Whether unsolicited text is an alert or a problem, not chat that names ACR or a registry.

    Evidence: a severity, a resolved state, an error, a failure, slowness, a
    hang, a usage past a threshold in its words, an alerting tool's header
    ("Heads up: ACR team standup moved to 3pm" is none, and neither is "pulls
    from contosoreg.azurecr.io should be faster now").
    """
    return bool(
        alert.severity or alert.state == State.RESOLVED or reports_a_problem(texts, signals)
    )


# Signals that name what was being done, not what went wrong.
_ACTIVITIES = frozenset({"pull", "push"})
_CAUSES = ERROR_KINDS | {"health"}  # what went wrong, a registry's health included


def _failed(signals: Sequence[Signal], texts: Sequence[str]) -> bool:
    """Whether the alert says the pull or push failed (a cause, or a runtime's pull failure)."""
    return any(s.kind in _CAUSES for s in signals) or is_pull_failure(texts, signals)


def _query(
    alert: Alert,
    signals: Sequence[Signal],
    texts: Sequence[str],
    phrased: Sequence[Signal] = (),
) -> str:
    """The words to search the FAQ with: the alert's error line, and the problem's phrasing.

    ``phrased``: the signals whose ``search_words`` join the query (at most two).
    """
    parts = [s.search_words for s in phrased[:2]]
    found = _cause_line(signals, [t for t in texts if t != alert.rule])
    if found:
        # Noise out first, then clip around the cause: ids and URLs take no room from it, and
        # the chain before the cause ("Failed to pull image … 401") weighs more than what follows.
        line, at, end = found
        pieces = (line[:at], line[at:end], line[end:])
        head, cause, tail = (" ".join(_NOISE.sub(" ", piece).split()) for piece in pieces)
        room = MAX_QUERY - len(" ".join(parts)) - 3
        cleaned = " ".join(p for p in (head, cause, tail) if p)
        at = len(head) + 1 if head else 0
        width = max(room, len(cause))
        parts.append(_clipped(cleaned, at, at + len(cause), width, after=40).strip("…"))
    if not parts:
        parts = [p for p in (alert.rule, alert.detail) if p]
    return " ".join(" ".join(parts).split())[:MAX_QUERY]


def _description(alert: Alert, texts: Sequence[str]) -> str | None:
    """The alert's own sentence after its summary: the first fragment of words, not a value.

    Label values and IDs are one token; a description is a sentence
    ("Pod shop/api-7d9f (api) is in waiting state…"), clipped like an excerpt.
    """
    for fragment in texts:
        line = _one_line(fragment)
        if fragment in (alert.rule, alert.detail) or " " not in line:
            continue
        if line.startswith(("http://", "https://")):
            continue
        return line if len(line) <= _EXCERPT else line[: _EXCERPT - 1].rstrip() + "…"
    return None


def _cause_line(signals: Sequence[Signal], texts: Sequence[str]) -> tuple[str, int, int] | None:
    """The line of the alert that shows the most specific cause, and where on it (start, end).

    A cause (401, 403, 429, not found, timeout, TLS, a firewall, health) outranks
    what was being done (pull, push): in ``Failed to pull image …: 401
    Unauthorized … Back-off pulling image`` the 401 is the news. Among causes,
    and among the rest, the order of :data:`SIGNALS` (most specific first).
    """
    ranked = [s for s in signals if s.kind in _CAUSES] + [
        s for s in signals if s.kind not in _CAUSES
    ]
    for signal in ranked:
        for fragment in texts:
            match = signal.pattern.search(fragment[:20_000])
            if not match:
                continue
            start = fragment.rfind("\n", 0, match.start()) + 1
            end = fragment.find("\n", match.end())
            raw = fragment[start : end if end != -1 else len(fragment)]
            shift = start + len(raw) - len(raw.lstrip())
            return raw.strip(), match.start() - shift, match.end() - shift
    return None


def _excerpt(signals: Sequence[Signal], texts: Sequence[str]) -> str | None:
    """The line of the alert that shows the most specific cause, clipped around it."""
    found = _cause_line(signals, texts)
    return _clipped(*found, _EXCERPT) if found else None


def _clipped(line: str, at: int, end: int, width: int, after: int | None = None) -> str:
    """``line`` in at most ``width`` characters (and two ellipses) that keep line[at:end].

    Error chains end with the cause ("…: 401 Unauthorized", "…: 429 Too Many
    Requests"): the cause's match, ``after`` characters after it (half the
    width unless said), and what precedes it, starting at a word.
    """
    if len(line) <= width:
        return line
    hi = min(len(line), end + (width // 2 if after is None else after))
    lo = max(0, hi - width)
    clipped = line[lo:hi]
    if lo and " " in clipped[: at - lo]:
        clipped = clipped[clipped.index(" ") + 1 :]
    return ("…" if lo else "") + clipped.strip() + ("…" if hi < len(line) else "")


# Paragraphs: blocks of a pasted message (one alert of a group each, in Grafana's and
# Alertmanager's templates), split at blank lines.
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _cluster_mentions(
    names: Sequence[str], texts: Sequence[str]
) -> dict[int, list[tuple[int, str]]]:
    """Per text fragment, where each cluster is named as one (``cluster = aks-dr``), in order."""
    if not names:
        return {}
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    pattern = re.compile(
        rf"cluster[^\n]{{0,40}}?(?<![\w.-])(?P<name>{alternatives})(?![\w.-])", re.IGNORECASE
    )
    by_name = {n.lower(): n for n in names}
    found: dict[int, list[tuple[int, str]]] = {}
    for index, fragment in enumerate(texts):
        for match in pattern.finditer(fragment[:20_000]):
            name = by_name.get(match.group("name").lower(), match.group("name"))
            found.setdefault(index, []).append((match.start("name"), name))
    return found


def _named_beside(
    registry: str,
    image: str,
    texts: Sequence[str],
    mentions: dict[int, list[tuple[int, str]]],
) -> str | None:
    """The cluster named in the same paragraph as the image's first mention (nearest), if any."""
    repository = image.partition("@")[0]
    if ":" in repository:
        repository = repository.rpartition(":")[0]
    reference = re.compile(
        rf"(?<![\w.-]){re.escape(registry)}\.[A-Za-z0-9.-]+(?::\d{{1,5}})?/{re.escape(repository)}"
        r"(?![\w/-])",
        re.IGNORECASE,
    )
    for index, fragment in enumerate(texts):
        if index not in mentions:
            continue
        match = reference.search(fragment[:20_000])
        if not match:
            continue
        at = match.start()
        starts = [0] + [m.end() for m in _PARAGRAPH.finditer(fragment[:20_000])]
        lo = max(b for b in starts if b <= at)
        hi = min((b for b in starts if b > at), default=len(fragment))
        beside = [(abs(pos - at), name) for pos, name in mentions[index] if lo <= pos < hi]
        if beside:
            return min(beside)[1]
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
