"""The summary keeps an error chain's cause (red-team item 10).

A containerd pull error names the pull first and the cause last ("…: 429 Too
Many Requests - Server message: toomanyrequests"); the excerpt was clipped
around the first match (the pull) and cut the cause away.
"""

from __future__ import annotations

from bot.triage import Triager, read_any
from tests.triage.conftest import FIXTURES


def test_a_long_pull_error_keeps_its_429_cause():
    (alert,) = read_any((FIXTURES / "rt_dom_t_acr_429.txt").read_text(encoding="utf-8"))
    triage = Triager().triage(alert)
    assert "429 Too Many Requests" in triage.summary
    assert "toomanyrequests" in triage.summary
    assert len(triage.summary) <= 250 and triage.summary.startswith("…")
    assert {"pull", "throttling"} <= set(triage.signals)


def test_the_cause_after_a_long_head_is_kept_whatever_the_signal():
    head = 'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4": rpc error: ' + "x" * 300
    for cause in ("403 Forbidden", "manifest unknown", "x509: certificate has expired"):
        triage = Triager().triage(read_any(f"{head}: {cause}")[0])
        assert cause in triage.summary, cause
