"""Captured answers (issue 16): pending until a person approves, then answered; export round-trips."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import create_autospec

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL
from bot.errors import KnowledgeError
from bot.feedback import FeedbackStore
from bot.knowledge import captured_markdown, review
from bot.knowledge.asked import MAX_RECORDS, Asked, QuestionLog, group_unanswered, summary
from bot.knowledge.captured import CapturedStore, CaptureRefused, UnknownCapture
from bot.knowledge.library import Library
from bot.knowledge.markdown_parser import parse_markdown
from bot.storage import MemoryStorage
from bot.storage.sqlite import SqliteStorage

QUESTION = "How do I rotate the webhook secret of a geo-replicated registry?"
ANSWER = (
    "Rotate it on every replica, then update the sender:\n\n"
    "```bash\naz acr webhook update -r myreg -n hook --headers X-Key=<new-key>\n```\n"
)
LINK = "https://acme.slack.com/archives/C1/p1700000000000100"
ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


@pytest.fixture
def setup(knowledge_dir: Path) -> tuple[CapturedStore, Library]:
    store = CapturedStore(MemoryStorage())
    return store, Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, captured=store)


def answered_by(library: Library, question: str) -> str | None:
    result = library.ask(question)
    return result.answer.entry.id if result.answer else None


def test_a_pending_answer_is_not_answered_until_approved(setup) -> None:
    store, library = setup
    item = store.submit(QUESTION, ANSWER, "en", LINK, "UEXPERT")
    assert item.status == "pending" and item.anchor.startswith("captured-")
    assert answered_by(library, QUESTION) != item.anchor
    store.decide(item.id, "approved", "UAPPROVER")
    result = library.ask(QUESTION)  # the next question already sees it: no reload wait
    assert result.answer is not None and result.answer.entry.id == item.anchor
    assert result.answer.view.docs_url == LINK
    assert "az acr webhook update" in result.answer.view.answer_markdown


def test_the_library_is_current_until_an_approval_and_again_once_asked(
    knowledge_dir: Path,
) -> None:
    """The server answers `/acr ask` on its event loop only while no rebuild is due."""
    store = CapturedStore(MemoryStorage())
    library = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, captured=store, background=True)
    assert library.is_current()  # files are checked in the background: never a wait
    item = store.submit("How do I rotate a webhook secret?", "Update it.", "en", "", "UEXPERT")
    assert not library.is_current()  # any write to the captured table is read again
    library.ask("anything")
    assert library.is_current()
    store.decide(item.id, "approved", "UAPPROVER")
    assert not library.is_current()
    with Library.answering_without_waiting():  # the event loop: no rebuild in this thread
        assert answered_by(library, "How do I rotate a webhook secret?") != item.anchor
        elsewhere = threading.Thread(target=library.refresh_captured)  # a pool thread may
        elsewhere.start()
        elsewhere.join()
    assert library.is_current()
    store.decide(store.submit("Second?", "Yes.", "en", "", "U2").id, "approved", "UA")
    result = library.ask("How do I rotate a webhook secret?")  # takes the approval in
    assert library.is_current() and result.answer and result.answer.entry.id == item.anchor
    foreground = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0)
    assert not foreground.is_current()  # the CLI and tests check files in the asking thread


def test_a_rejected_answer_is_never_answered_and_cannot_be_approved_after(setup) -> None:
    store, library = setup
    item = store.submit(QUESTION, ANSWER, "en", LINK, "UEXPERT")
    store.decide(item.id, "rejected", "UAPPROVER")
    assert answered_by(library, QUESTION) != item.anchor
    with pytest.raises(UnknownCapture, match="already rejected"):
        store.decide(item.id, "approved", "UAPPROVER")


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        ("use the token xoxb-123456789012-abcdefABCDEF", "a token"),
        ("docker login myreg.azurecr.io -u admin -p S3cr3tPassw0rd", "a password"),
        ("set password: hunter2hunter2 in the pipeline", "a password"),
        ("AccountKey=abcdefghijklmnopqrstuvwxyz0123456789ABCD==", "key"),
        ("header: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk", "web token"),
    ],
)
def test_a_submission_carrying_a_secret_is_refused_with_the_reason(setup, answer, what) -> None:
    store, _ = setup
    with pytest.raises(CaptureRefused) as refused:
        store.submit(QUESTION, answer, "en", LINK, "UEXPERT")
    assert refused.value.field == "answer" and what in refused.value.reason
    assert store.entries() == []


def test_placeholders_are_not_secrets(setup) -> None:
    store, _ = setup
    text = "docker login myreg.azurecr.io -u admin -p <password>; or --password $ACR_PASSWORD"
    assert store.submit(QUESTION, text, "en", LINK, "UEXPERT").status == "pending"


def test_sizes_pings_and_headings_are_kept_in_bounds(setup) -> None:
    store, _ = setup
    with pytest.raises(CaptureRefused, match="under 300"):
        store.submit("why " * 100, ANSWER, "en", LINK, "U1")
    with pytest.raises(CaptureRefused, match="under 2800"):
        store.submit(QUESTION, "x " * 2000, "en", LINK, "U1")
    for link in (
        "javascript:alert(1)",
        "https://evil.example/slack.com",
        "https://a.slack.com@x.io/",
    ):
        with pytest.raises(CaptureRefused, match="Slack thread"):
            store.submit(QUESTION, ANSWER, "en", link, "U1")
    item = store.submit(
        "<!here> <@U123|bob> how?", "# Step one\n<!channel> ping\n\n```\n# kept\n```", "en", "", "U"
    )
    assert item.question == "here bob how?"
    assert "<!" not in item.answer_markdown and "**Step one**" in item.answer_markdown
    assert "# kept" in item.answer_markdown  # code is not touched


def test_export_parses_back_into_the_same_entries(setup) -> None:
    store, library = setup
    chinese = store.submit(
        "镜像推送到另一个区域很慢怎么办？", "先检查 *复制* 状态。\n", "zh", LINK, "U1"
    )
    odd = store.submit("What does `[x]` & <y> #z mean?", "1. one\n2. two\n", "en", "", "U2")
    plain = store.submit(QUESTION, ANSWER, "en", LINK, "U3")
    for item in (chinese, odd, plain):
        store.decide(item.id, "approved", "UA")
    pages = captured_markdown.pages(store.entries("approved"))
    assert sorted(pages) == ["captured.en.md", "captured.zh-cn.md"]
    parsed = [e for name, text in pages.items() for e in parse_markdown(text, name, "https://x/")]
    kept = {
        (e.id, e.question, e.answer_markdown, e.docs_url if e.id != odd.anchor else "")
        for e in parsed
    }
    expected = {
        (i.anchor, i.question, i.answer_markdown, i.permalink) for i in (chinese, odd, plain)
    }
    assert kept == expected
    assert {e.id for e in library.current.entries} >= {chinese.anchor, odd.anchor, plain.anchor}


def test_phrasings_wait_in_the_same_list_and_join_every_replica_when_approved(
    setup, tmp_path: Path
) -> None:
    store, library = setup
    clicks = FeedbackStore(tmp_path / "feedback.jsonl")
    odd = "the keys to the blue whale castle"
    clicks.record(odd, f"container-registry-faq.zh-cn#{ADMIN}", "U1", "picked", "en")
    answer = store.submit(QUESTION, ANSWER, "en", LINK, "UEXPERT")
    listed = review.pending(store, clicks, library.current)
    assert (listed[0].kind, listed[0].id) == ("answer", answer.id)
    (phrasing,) = [p for p in listed if p.kind == "phrasing"]
    other = Library(library.paths, DEFAULT_DOCS_BASE_URL, captured=store)  # another replica
    review.approve(store, phrasing.id, "UA", clicks, library.current)
    assert answered_by(other, odd) == ADMIN
    assert [p.kind for p in review.pending(store, clicks, other.current)] == ["answer"]
    with pytest.raises(UnknownCapture, match="acrbot knowledge pending"):
        review.reject(store, "nope", "UA", clicks, other.current)


def test_questions_are_recorded_bounded_and_grouped() -> None:
    log = QuestionLog(MemoryStorage())
    for n in range(3):
        log.record("mention", False, "", f"U{n}", "how do I purge untagged manifests?", 1000.0 + n)
    log.record("dm", False, "", "U9", "purge untagged manifests how", 1010.0)
    log.record("command", True, ADMIN, "U1", "admin password", 1020.0)
    log.record("dm", False, "", "U5", "镜像同步很慢", 1030.0)
    figures = summary(log.all(), 7, now=2000.0)
    assert figures.asked == 6 and figures.answered == 1
    assert figures.by_source["mention"] == (3, 0) and figures.by_source["command"] == (1, 1)
    first = figures.unanswered[0]
    assert first.count == 4 and len(first.users) == 4
    assert sum(n for _, n, _ in figures.per_day) == 1
    assert log.of_user("U1")[0].entry == ADMIN
    many = [Asked("dm", False, "", "U", n, f"why does w{n} break v{n} on z{n}") for n in range(50)]
    assert len(group_unanswered(many)) == 50  # different questions are not lumped together


def test_questions_asked_together_are_written_together(tmp_path: Path) -> None:
    """Under load one write carries many questions; none is dropped, each keeps its slot."""
    store = SqliteStorage(tmp_path / "state.sqlite3")
    log = QuestionLog(store, gather=0.3)
    for n in range(300):
        log.record("command", True, ADMIN, f"U{n}", f"question {n}", now=1000.0 + n)
    recorded = log.all()
    assert [a.text for a in recorded] == [f"question {n}" for n in range(300)]
    assert store.table_version("questions") <= 2  # one write (two if the writer woke mid-loop)
    assert store.count("questions-sequence") == 300
    store.close()


def test_question_batches_wrap_around_the_ring_and_a_reader_never_waits_the_gather() -> None:
    store = MemoryStorage()
    store.incr("questions-sequence", 3600, by=MAX_RECORDS - 10)  # ten slots before the end
    log = QuestionLog(store, gather=30)  # a reader must not wait half a minute for it
    started = time.monotonic()
    for batch in range(2):
        for n in range(20):
            log.record("dm", False, "", "U1", f"b{batch} q{n}", now=1000.0 + 20 * batch + n)
        log.flush()
    assert time.monotonic() - started < 5
    slots = sorted(int(k) for k in store.table("questions"))
    assert slots == [*range(31), *range(MAX_RECORDS - 9, MAX_RECORDS)]  # 4991..4999, then 0..30
    texts = [a.text for a in log.all()]
    assert texts == [f"b{b} q{n}" for b in range(2) for n in range(20)]  # none overwritten
    assert store.table_version("questions") == 2


def test_a_reader_under_steady_traffic_waits_for_one_write_not_for_a_quiet_moment() -> None:
    store = MemoryStorage()
    real_put = store.table_put_many

    def slow_put(*args, **kwargs):  # a store that takes 5 ms a write
        time.sleep(0.005)
        return real_put(*args, **kwargs)

    store.table_put_many = create_autospec(real_put, side_effect=slow_put)  # type: ignore[method-assign]
    log = QuestionLog(store, gather=0.05)
    stop = threading.Event()

    def traffic() -> None:  # another thread asking every millisecond or so
        while not stop.is_set():
            log.record("dm", False, "", "U2", "noise")
            time.sleep(0.001)

    others = threading.Thread(target=traffic)
    others.start()
    try:
        time.sleep(0.1)
        log.record("command", True, ADMIN, "U1", "mine")
        started = time.monotonic()
        log.flush(timeout=5)
        assert time.monotonic() - started < 2
        assert "mine" in [r["text"] for r in store.table("questions").values()]
    finally:
        stop.set()
        others.join()


def test_pending_confirms_and_checks_run_come_from_the_audit_records() -> None:
    from bot.knowledge.report import admin_report, pending_confirms

    def at(seconds: float) -> str:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")

    now = 1_800_000_000.0
    audit = [
        {"event": "request", "outcome": "pending", "requester": "U1", "request_id": "a",
         "time": at(now - 60), "check": "usage", "registry": "r1"},
        {"event": "request", "outcome": "pending", "requester": "U1", "request_id": "b",
         "time": at(now - 30), "check": "info", "registry": "r2"},
        {"event": "confirmation", "outcome": "confirmed", "request_id": "b", "time": at(now - 20)},
        {"event": "request", "outcome": "pending", "requester": "U1", "request_id": "c",
         "time": at(now - 3600), "check": "usage", "registry": "old"},
        {"event": "request", "outcome": "pending", "requester": "U2", "request_id": "d",
         "time": at(now - 10)},
        {"event": "confirmation", "outcome": "confirmed", "request_id": "e",
         "time": at(now - 20 * 86400)},
    ]  # fmt: skip
    waiting = pending_confirms(audit, "U1", ttl=300, now=now)
    assert [w["registry"] for w in waiting] == ["r1"]  # b ran, c expired, d is someone else's
    report = admin_report([], [], [], [], audit, now=now)
    assert report.checks_run == {7: 1, 30: 2}


def test_entry_links_give_one_entry_its_own_link_and_refuse_bad_values() -> None:
    page = (
        "---\ndocs_url: https://wiki.example/acr\nentry_links:\n  b: https://x.slack.com/p1\n---\n"
    )
    page += '## S\n\n### A?\n\nOne.\n\n### <a name="b"></a>B?\n\nTwo.\n'
    first, second = parse_markdown(page, "runbook.en.md", "https://x/")
    assert first.docs_url == "https://wiki.example/acr#a"
    assert second.docs_url == "https://x.slack.com/p1"
    broken = page.replace("https://x.slack.com/p1", "javascript:alert(1)")
    with pytest.raises(KnowledgeError, match="line 3: entry_links must map anchors"):
        parse_markdown(broken, "runbook.en.md", "https://x/")


def test_two_approvers_at_once_make_one_decision(setup) -> None:
    import threading

    store, _ = setup
    item = store.submit(QUESTION, ANSWER, "en", LINK, "UEXPERT")
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def decide(n: int) -> None:
        start.wait()
        try:
            outcomes.append(
                store.decide(item.id, "approved" if n % 2 else "rejected", f"U{n}").status
            )
        except UnknownCapture:
            outcomes.append("refused")

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = [o for o in outcomes if o != "refused"]
    assert len(decided) == 1 and store.get(item.id).status == decided[0]


def test_recording_a_question_never_waits_for_the_store() -> None:
    """The record is written by the log's own thread: a slow store cannot delay an answer."""
    import threading

    storage = MemoryStorage()
    release = threading.Event()
    real_incr = storage.incr

    def slow_incr(*args, **kwargs):  # a store that takes its time
        release.wait(5)
        return real_incr(*args, **kwargs)

    storage.incr = slow_incr  # type: ignore[method-assign]
    log = QuestionLog(storage, gather=0)
    started = time.monotonic()
    log.record("command", True, ADMIN, "U1", "admin password?")
    assert time.monotonic() - started < 1.0  # returned while the store was still busy
    release.set()
    assert [a.entry for a in log.all()] == [ADMIN]  # all() waits for what was queued here
