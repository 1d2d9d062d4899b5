"""The help desk's shared state on its own: thread windows, hand-off records, unanswered log."""

from __future__ import annotations

from bot.helpdesk.handoffs import HandoffBook, fold
from bot.helpdesk.threads import ANY_PERSON, ThreadBook, ThreadMemory
from bot.helpdesk.unanswered import Unanswered, UnansweredLog
from bot.storage import MemoryStorage


def test_one_answer_per_thread_and_a_counted_followup_window() -> None:
    book = ThreadBook(MemoryStorage(), max_followups=2, idle_seconds=60)
    assert book.claim_answer("C1", "1.1") and not book.claim_answer("C1", "1.1")
    book.remember(ThreadMemory("C1", "1.1", "U1", "docker pull is slow", "help_channel"))
    assert book.followup("C1", "1.1", "U2") is None  # not the asker
    assert book.followup("C1", "1.1", "U1").context == "docker pull is slow"
    assert book.followup("C1", "1.1", "U1") is not None
    assert book.followup("C1", "1.1", "U1") is None  # the third: past max_count
    assert book.recall("C1", "1.1") is None


def test_an_alert_thread_takes_anyones_reply_and_goes_quiet_when_idle() -> None:
    now = [1000.0]
    book = ThreadBook(MemoryStorage(clock=lambda: now[0]), max_followups=5, idle_seconds=60)
    book.remember(ThreadMemory("C1", "2.2", ANY_PERSON, "ImagePullBackOff", "alert"))
    now[0] += 59
    assert book.followup("C1", "2.2", "U9") is not None  # anyone; and the idle time restarts
    now[0] += 59
    assert book.followup("C1", "2.2", "U7") is not None
    now[0] += 61
    assert book.followup("C1", "2.2", "U9") is None  # idle for longer than idle_seconds


def test_handoffs_open_once_resolve_once_and_remind_once() -> None:
    store = MemoryStorage()
    book = HandoffBook(store, store.stream("handoffs"))
    kwargs = dict(
        channel="C1",
        thread="1.1",
        question_ts="1.1",
        asker="U1",
        requested_by="U1",
        question="why",
        usergroup="S1",
    )
    handoff = book.open(**kwargs)
    assert handoff is not None and book.open(**kwargs) is None
    assert book.open_count() == 1
    assert book.due_reminders(600, now=handoff.opened_at + 10) == []
    (due,) = book.due_reminders(600, now=handoff.opened_at + 601)
    assert due.id == handoff.id
    assert book.due_reminders(600, now=handoff.opened_at + 9999) == []
    assert book.resolve(handoff.id, "U2").resolved_by == "U2"
    assert book.resolve(handoff.id, "U2") is None
    assert book.open_count() == 0 and book.get(handoff.id).reminded_at is not None
    again = book.open(**kwargs)  # resolved questions may be handed off again
    assert again is not None and again.id != handoff.id


def test_fold_skips_events_for_unknown_or_broken_handoffs() -> None:
    events = [
        {"event": "resolved", "id": "nope", "at": 1},
        {"event": "opened", "id": "x"},  # no channel: broken
        {"event": "opened", "id": "a", "channel": "C", "thread": "1", "question_ts": "1"},
    ]
    assert [h.id for h in fold(events)] == ["a"]


def test_unanswered_records_are_clipped() -> None:
    log = UnansweredLog(MemoryStorage().stream("unanswered"))
    log.record(Unanswered("C1", "1.1", "U1", "x" * 5000, "help_channel", "low-confidence"))
    (record,) = log.recent(5)
    assert len(record["text"]) == 500 and record["reason"] == "low-confidence"
