"""What kind of problem an alert describes, and which diagnostics follow from it.

Each :class:`Signal` is recognised from the words registry problems are
reported in (kubelet and Docker errors, ACR log tables, ACR metric names).
The checks follow the signal: storage and quota point at ``usage``; pull and
push failures, timeouts, 401/403, TLS and firewall denials at
``check-health``, plus ``info`` where network rules are the likely cause.
``search_words`` phrase the problem for the FAQ search; which entries come
back is up to the search, not to this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_SCAN_LIMIT = 20_000


@dataclass(frozen=True)
class Signal:
    kind: str
    pattern: re.Pattern[str]
    checks: tuple[str, ...]
    search_words: str
    label: str


def _p(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.IGNORECASE)


# Most specific first: the first signal found names the problem in the summary.
SIGNALS: tuple[Signal, ...] = (
    Signal(
        "firewall",
        _p(
            r"is not allowed access|aka\.ms/acr/firewall|client with ip|firewall"
            r"|network ?rule|denied by network|private endpoint|DENIED_BY_NETWORK"
        ),
        ("check-health", "info"),
        "registry firewall rules client IP not allowed",
        "firewall / network rules",
    ),
    Signal(
        "timeout",
        _p(
            r"timed? ?out|timeout|deadline exceeded|request canceled while waiting"
            r"|connection (?:refused|reset)|no such host|dial tcp|i/o timeout"
        ),
        ("check-health", "info"),
        "docker pull fails net/http request canceled while waiting for connection timeout",
        "timeout / network",
    ),
    Signal(
        "tls",
        _p(r"x509|certificate (?:signed by unknown|has expired|is not valid)|\btls\b|\bssl\b"),
        ("check-health",),
        "TLS 1.2 certificate registry",
        "TLS",
    ),
    Signal(
        "auth",
        _p(
            r"(?<![\d#])40[13](?!\d)|unauthori[sz]ed|forbidden|authentication required"
            r"|failed to authorize|denied: requested access|access denied|insufficient_scope"
            r"|fail(?:ed|ing|ure)?[ _-]?log ?ins?|log ?in[ _-]?fail|invalid credentials"
            r"|AuthorizationFailed|ContainerRegistryLoginEvents"
        ),
        ("check-health",),
        "docker pull fails unauthorized authentication required",
        "authentication / authorization",
    ),
    Signal(
        "not-found",
        _p(r"manifest unknown|name unknown|not found|does not exist"),
        ("check-health",),
        "repository or tag not found",
        "image not found",
    ),
    Signal(
        "pull",
        _p(
            r"imagepullbackoff|errimagepull|failed to pull|pull ?(?:fail|error)|pull ?count"
            r"|\bpull(?!\s?requests?\b)"  # a pull request is code review, not an image pull
        ),
        ("check-health",),
        "docker pull fails from registry",
        "image pull",
    ),
    Signal(
        "push",
        _p(r"failed to push|push ?(?:fail|error)|push ?count|\bpush"),
        ("check-health",),
        "docker push fails to registry",
        "image push",
    ),
    Signal(
        "storage",
        _p(r"storage|quota|size limit|exceeds? (?:the )?limit"),
        ("usage",),
        "registry storage quota usage",
        "storage / quota",
    ),
    Signal(
        "throttling",
        _p(r"(?<!\d)429(?!\d)|too many requests|throttl"),
        ("usage", "info"),
        "registry throttling too many requests",
        "throttling",
    ),
    Signal(
        "health",
        # Said of something ("is unavailable", "Service Unavailable", "degraded pulls"), not a
        # bare status word: a Resource Health event lists the previous status beside the
        # current one, so a lone "Unavailable" may be what a recovery recovered from.
        _p(
            r"\b(?:is|are|was|were|been|became|becomes|service|registry|endpoint)"
            r"\s+(?:(?:currently|now|temporarily|partially|still)\s+)?"
            r"(?:unavailable|degraded|unhealthy|down|not available|not healthy)\b"
            r"|\bdegraded (?:performance|availability|pulls?|pushes?|service)\b|\boutage\b"
            r"|不可用|降级"
        ),
        ("check-health",),
        "registry unavailable or degraded health check",
        "availability / health",
    ),
    Signal(
        "tasks",
        _p(r"RunDuration|AgentPoolCPUTime|acr task|task run|\brun failed"),
        (),
        "ACR tasks runs",
        "ACR Tasks",
    ),
)

# Words that make an error an ACR error even when no registry is named.
_ACR_MARKER = _p(
    r"azurecr\.|container ?registry|ContainerRegistry|\bACR\b|aka\.ms/acr|az acr|acr_|_acr"
)
# What says a message reports a problem or is an alert, not chat that names ACR: a failure in
# words (English, Chinese), an HTTP error status, slowness, a hang, a pod not ready, a usage past
# a threshold or a percentage full, or an alerting tool's header and states.
_ALERT_EVIDENCE = _p(
    r"\b(?:errors?|err|fail(?:s|ed|ing|ures?)?|denied|refused|unavailable|unreachable|unhealthy"
    r"|degraded|outage|incident|exceeded|cannot|can't|could ?n[o']t|unable to|crash\w*"
    r"|back-?off|timed? ?out|timeouts?|not working|broken)\b"
    r"|\b(?:is|are|was|were|went|goes|gone|been) down\b"
    r"|\bslow(?:s|er|ly|ness|ing|ed)?\b|\b(?:hangs?|hanging|hung|stuck|freez(?:e|es|ing)|frozen)\b"
    r"|\b(?:unresponsive|not responding|no response)\b|(?:not|non)[ -]?ready\b"
    r"|\b\d{1,3}(?:\.\d+)?\s?%\s?(?:full|used|utili[sz]ed|of (?:the |its )?(?:quota|storage|limit))"
    r"|\b(?:used|usage|utili[sz]ation|consumed|full)\b[^\n%]{0,20}?\b\d{1,3}(?:\.\d+)?\s?%"
    r"|\b(?:almost|nearly|is|are) full\b"
    r"|\b(?:above|over|exceeds?|exceeding|past|reached) (?:the |its )?(?:quota|limit|capacity)\b"
    r"|(?<![\w.:/#-])[45]\d\d(?![\w.:/-])"
    r"|\[(?:FIRING|RESOLVED|Alerting|OK|No ?Data)\b|\bFIRING\b|\b(?:fired|triggered|activated)\b"
    r"|\balert ?(?:name|rule)?\s{0,3}[:=]|\b(?:sev ?[0-4]|severity|threshold)\b"
    r"|失败|错误|无法|告警|报警|超时|拒绝|異常|异常|失敗|錯誤|無法|超時"
    r"|[很太变變好超较較]慢|慢[了得]|缓慢|緩慢|速度慢|拉取慢|下载慢|下載慢|推送慢"
    r"|卡住|卡死|挂起|掛起|无响应|無回應|未就绪|未就緒|不可用|已满|已滿|将满|將滿|快满|快滿|满了|滿了"
    r"|阈值|閾值|(?:使用率|用量|占用|佔用|使用了?)[^\n%]{0,8}?\d{1,3}(?:\.\d+)?\s?%"
)
# The kinds of signal that name what went wrong (not what was being done, like a pull).
ERROR_KINDS = frozenset({"firewall", "timeout", "tls", "auth", "not-found", "throttling"})


# A container runtime or Kubernetes saying an image could not be pulled: kube-state-metrics'
# waiting reasons, the kubelet's events and log lines, containerd's, CRI-O's and Docker's errors.
_PULL_FAILURE = _p(
    r"ImagePullBackOff|ErrImagePull|ErrImageNeverPull|ImageInspectError|InvalidImageName"
    r"|RegistryUnavailable|SignatureValidationFailed|back-?off pulling image"
    r"|fail(?:ed|ure)? to pull(?: and unpack)? image|PullImage .{0,600}?failed"
    r"|pull access denied|error pulling image"
)
# Errors of the registry client that a pull and a push share: a pull only when no push is said.
_CLIENT_ERROR = _p(
    r"failed to resolve reference|failed to fetch (?:anonymous|oauth) token"
    r"|Error response from daemon: (?:manifest|Get https?://)"
)
# Words that say an image was being pushed, not pulled (a push alert gets no pull check).
_PUSH = _p(r"failed to push|push ?(?:fail|error)|\bpushing\b|docker push")


def is_pull_failure(texts: Iterable[str], signals: Iterable[Signal]) -> bool:
    """Whether the alert says an image could not be pulled.

    Kubernetes or a container runtime said so in its own words; or a
    registry client's error, or a pull signal with an error (401, timeout,
    not found, firewall), comes with nothing that says it was a push.
    """
    haystack = "\n".join(t[:_SCAN_LIMIT] for t in texts if isinstance(t, str))
    if _PULL_FAILURE.search(haystack):
        return True
    if _PUSH.search(haystack):
        return False
    kinds = {s.kind for s in signals}
    errors = {"auth", "not-found", "timeout", "firewall", "tls"}
    return bool(_CLIENT_ERROR.search(haystack)) or ("pull" in kinds and bool(kinds & errors))


def detect(texts: Iterable[str]) -> tuple[Signal, ...]:
    """The signals present in ``texts``, most specific first."""
    haystack = "\n".join(t[:_SCAN_LIMIT] for t in texts if isinstance(t, str))
    return tuple(s for s in SIGNALS if s.pattern.search(haystack))


def reports_a_problem(texts: Iterable[str], signals: Iterable[Signal]) -> bool:
    """Whether the text reads as an alert or an error rather than chat that names ACR.

    An error signal (401, timeout, firewall, not found, TLS, throttling), a
    pull failure in Kubernetes' or a runtime's words, failure words, or an
    alerting tool's header ("[FIRING:1]", "alertname:", "Sev2").
    """
    texts = [t for t in texts if isinstance(t, str)]
    signals = tuple(signals)
    if any(s.kind in ERROR_KINDS for s in signals) or is_pull_failure(texts, signals):
        return True
    return any(_ALERT_EVIDENCE.search(t[:_SCAN_LIMIT]) for t in texts)


def mentions_acr(texts: Iterable[str]) -> bool:
    return any(isinstance(t, str) and _ACR_MARKER.search(t[:_SCAN_LIMIT]) for t in texts)


def offered_checks(signals: Iterable[Signal]) -> tuple[str, ...]:
    """The checks worth offering for these signals, in a stable order, without repeats."""
    ordered: list[str] = []
    for signal in signals:
        for check in signal.checks:
            if check not in ordered:
                ordered.append(check)
    return tuple(ordered)
