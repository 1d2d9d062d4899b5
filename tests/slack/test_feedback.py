"""The 👍 / 👎 record (bot/feedback.py): append, read back, summarise, survive crashes."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from bot.feedback import EntryScore, Feedback, FeedbackStore, summarise


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "state" / "nested" / "feedback.jsonl")


def test_record_appends_one_json_line(store: FeedbackStore) -> None:
    item = store.record("acr 的 admin 密码", "faq#admin", "UALICE", "up")
    assert isinstance(item, Feedback)
    (line,) = store.path.read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data == {
        "query": "acr 的 admin 密码",
        "entry": "faq#admin",
        "user": "UALICE",
        "verdict": "up",
        "time": item.time,
    }
    assert "的" in line  # not \\u escaped: readable with grep
    assert store.path.read_bytes().endswith(b"\n")


def test_record_refuses_unknown_verdicts(store: FeedbackStore) -> None:
    for verdict in ("UP", "meh", ""):
        with pytest.raises(ValueError):
            store.record("q", "e", "u", verdict)
    assert not store.path.exists()


def test_query_is_capped(store: FeedbackStore) -> None:
    assert len(store.record("q" * 5000, "e", "u", "down").query) == 1000


def test_iterate_gives_back_what_was_recorded_in_order(store: FeedbackStore) -> None:
    written = [store.record(f"q{n}", f"e{n % 3}", "u", "up" if n % 2 else "down") for n in range(7)]
    assert list(store) == written


def test_iterate_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert list(FeedbackStore(tmp_path / "none.jsonl")) == []


def test_a_torn_last_line_is_skipped(store: FeedbackStore) -> None:
    first = store.record("q1", "e1", "u", "up")
    with store.path.open("a", encoding="utf-8") as file:
        file.write('{"query": "q2", "entry": "e')  # the process died mid-write
    assert list(store) == [first]


def test_a_click_after_a_torn_line_is_not_lost(store: FeedbackStore) -> None:
    first = store.record("q1", "e1", "u", "up")
    with store.path.open("a", encoding="utf-8") as file:
        file.write('{"query": "q2", "entry": "e')
    third = store.record("q3", "e3", "u", "down")
    assert list(store) == [first, third]


def test_lines_that_are_not_feedback_are_skipped(store: FeedbackStore) -> None:
    good = store.record("q", "e", "u", "up")
    with store.path.open("a", encoding="utf-8") as file:
        for junk in ("not json", "[1, 2]", "42", "null", '{"query": "q"}', ""):
            file.write(junk + "\n")
        extra = {"query": "q", "entry": "e", "user": "u", "verdict": "up", "time": 1, "x": 2}
        file.write(json.dumps(extra) + "\n")
    again = store.record("q", "e", "u", "down")
    assert list(store) == [good, again]


@pytest.mark.parametrize("writers", [1, 2])
def test_concurrent_appends_keep_every_line_intact(tmp_path: Path, writers: int) -> None:
    path = tmp_path / "feedback.jsonl"
    stores = [FeedbackStore(path) for _ in range(writers)]  # 2: two locks, like two workers
    threads_count, per_thread = 8, 150
    start = threading.Barrier(threads_count)

    def click(number: int) -> None:
        store = stores[number % writers]
        start.wait()
        for click_number in range(per_thread):
            query = f"{number}-{click_number} " + "长问题" * (click_number % 50)
            store.record(query, f"e{click_number % 5}", f"U{number}", "up")

    threads = [threading.Thread(target=click, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    if writers == 1:
        assert "" not in lines
    # Separate writers may leave a harmless blank line (see FeedbackStore.record), nothing worse.
    lines = [line for line in lines if line]
    assert len(lines) == threads_count * per_thread
    parsed = [json.loads(line) for line in lines]  # every line is whole JSON
    seen = {item["query"].split(" ")[0] for item in parsed}
    assert seen == {f"{n}-{c}" for n in range(threads_count) for c in range(per_thread)}
    assert len(list(FeedbackStore(path))) == threads_count * per_thread


def item(query: str, entry: str, verdict: str) -> Feedback:
    return Feedback(query, entry, "u", verdict, 0.0)


def test_summarise_orders_entries_worst_first() -> None:
    items = [
        item("q", "good", "up"),
        item("q", "good", "up"),
        item("q", "bad", "down"),
        item("q", "bad", "down"),
        item("q", "bad", "up"),
        item("q", "worst", "down"),
        item("q", "half", "down"),
        item("q", "half", "up"),
    ]
    scores, _ = summarise(items)
    assert scores == [
        EntryScore("worst", 0, 1),
        EntryScore("bad", 1, 2),
        EntryScore("half", 1, 1),
        EntryScore("good", 2, 0),
    ]
    assert scores[1].share_down == pytest.approx(2 / 3)


def test_summarise_breaks_ties_by_count_then_name() -> None:
    items = [item("q", "b", "down")] * 2 + [item("q", "a", "down")] * 2 + [item("q", "c", "down")]
    scores, _ = summarise(items)
    assert [s.entry for s in scores] == ["a", "b", "c"]


def test_summarise_groups_unhelpful_queries_case_and_space_insensitive() -> None:
    items = [
        item("Admin Password ", "e1", "down"),
        item("admin password", "e1", "down"),
        item("ADMIN PASSWORD", "e2", "down"),
        item("admin password", "e1", "up"),
    ]
    _, worst = summarise(items)
    assert worst == [("admin password", "e1", 2), ("admin password", "e2", 1)]


def test_summarise_keeps_the_ten_worst_queries() -> None:
    items = [item(f"q{n}", "e", "down") for n in range(15) for _ in range(n + 1)]
    _, worst = summarise(items)
    assert [q for q, _, _ in worst] == [f"q{n}" for n in range(14, 4, -1)]


def test_summarise_of_nothing() -> None:
    assert summarise([]) == ([], [])
    assert EntryScore("e", 0, 0).share_down == 0.0


def test_summarise_reads_a_store(store: FeedbackStore) -> None:
    store.record("slow push", "e", "u1", "down")
    store.record("slow push", "e", "u2", "up")
    assert summarise(store) == ([EntryScore("e", 1, 1)], [("slow push", "e", 1)])
