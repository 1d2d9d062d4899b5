"""`acrbot knowledge pending|approve|reject|export` on the store the bot uses (issue 16)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.knowledge.markdown_parser import parse_markdown_file
from bot.services import captured_store

LINK = "https://acme.slack.com/archives/C1/p1700000000000100"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    return tmp_path


def test_pending_approve_reject_and_export_round_trip(env: Path, capsys) -> None:
    store = captured_store(load_settings())
    kept = store.submit(
        "How do I move a webhook to a new region?", "Recreate it.\n", "en", LINK, "U1"
    )
    dropped = store.submit("怎么删除所有镜像？", "不要这样做。\n", "zh", "", "U2")
    assert main(["knowledge", "pending"]) == 0
    out = capsys.readouterr().out
    assert kept.id in out and dropped.id in out and "by U1" in out
    assert main(["knowledge", "approve", kept.id]) == 0
    assert main(["knowledge", "reject", f"captured-{dropped.id}"]) == 0  # the anchor works too
    assert main(["knowledge", "approve", kept.id]) == 2  # decided once; the second says so
    err = capsys.readouterr().err
    assert "already approved" in err
    assert main(["knowledge", "pending"]) == 0
    assert "Nothing waits" in capsys.readouterr().out
    assert main(["knowledge", "export", "--out", str(env / "out")]) == 0
    (page,) = sorted((env / "out").iterdir())
    assert page.name == "captured.en.md"
    (entry,) = parse_markdown_file(page, "https://x/")
    assert (entry.id, entry.question, entry.answer_markdown, entry.docs_url) == (
        kept.anchor,
        kept.question,
        kept.answer_markdown,
        LINK,
    )


def test_an_unknown_id_is_a_one_line_error(env: Path, capsys) -> None:
    assert main(["knowledge", "approve", "nope"]) == 2
    assert "acrbot knowledge pending" in capsys.readouterr().err
    assert main(["knowledge", "export", "--out", str(env / "o")]) == 0
    assert "No approved" in capsys.readouterr().out


def test_report_prints_the_admin_figures_as_json_and_text(env: Path, capsys) -> None:
    import json

    from bot.knowledge.asked import QuestionLog

    store = captured_store(load_settings())
    log = QuestionLog(store.storage)
    now = time.time()  # one second apart: "newest wording" must not hang on a clock tick
    log.record("help_channel", False, "", "U1", "why does the flux capacitor misfire", now - 2)
    log.record("reaction", False, "", "U2", "flux capacitor misfire why", now - 1)
    log.record("command", True, "docker-pull-is-slow", "U1", "docker pull is slow", now)
    log.flush()
    store.submit("How do I move a webhook?", "Recreate it.\n", "en", LINK, "U1")
    assert main(["report", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    week = report["windows"]["7"]
    assert (week["asked"], week["answered"]) == (3, 1)
    assert week["by_source"]["help_channel"] == {"asked": 1, "answered": 0}
    assert week["unanswered"][0] == {
        "example": "flux capacitor misfire why",
        "count": 2,
        "people": 2,
    }
    assert sum(d["answered"] + d["not_answered"] for d in week["per_day"]) == 3
    assert report["windows"]["30"]["asked"] == 3 and report["pending"][0]["kind"] == "answer"
    assert "docker-pull-is-slow" not in report["never_used"]
    assert main(["report", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert "Last 1 days: 3 asked, 1 answered (33%)" in out and "2x" in out
    with pytest.raises(SystemExit) as refused:
        main(["report", "--days", "0"])
    assert refused.value.code == 2 and "at least 1" in capsys.readouterr().err
