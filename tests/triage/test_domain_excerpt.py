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


# Review of red-team item 10: moving the window to the last match of any signal kept a
# trailing "Back-off pulling image" and lost the 401 before it, and the FAQ with it.
def test_a_long_kubelet_line_keeps_its_401_not_the_back_off_after_it(triager):
    (alert,) = read_any((FIXTURES / "rt_dom_t_kubelet_401_long.txt").read_text(encoding="utf-8"))
    triage = triager.triage(alert)
    assert "401 Unauthorized" in triage.summary
    assert "Back-off pulling" not in triage.summary
    assert len(triage.summary) <= 250
    titles = [f.title for f in triage.faq]
    assert titles and all("401" in t or "unauthorized" in t.lower() for t in titles), titles


def test_the_faq_query_keeps_the_cause_and_the_head_of_a_clipped_line():
    from bot.triage.signals import detect
    from bot.triage.triager import MAX_QUERY, _query

    (alert,) = read_any((FIXTURES / "rt_dom_t_kubelet_401_long.txt").read_text(encoding="utf-8"))
    texts = list(alert.text)
    query = _query(alert, detect(texts), texts)
    assert "401 Unauthorized" in query and "Failed to pull image" in query
    assert "9f0c2f4e" not in query and "https://" not in query  # ids and URLs are noise
    assert len(query) <= MAX_QUERY


def test_a_cause_on_its_own_line_outranks_the_pull_line_before_it():
    text = (
        'Failed to pull image "contosoreg.azurecr.io/shop/api:1.4"\n'
        "Error response from registry: 429 Too Many Requests - toomanyrequests"
    )
    triage = Triager().triage(read_any(text)[0])
    assert "429 Too Many Requests" in triage.summary
