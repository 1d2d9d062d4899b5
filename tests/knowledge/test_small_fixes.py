"""zh-TW wording, the answer's language with pasted Chinese, and the CLI's refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
from bot.feedback import FeedbackStore, candidate_id, record_click
from bot.knowledge.language import EN, ZH, detect
from bot.knowledge.library import Library

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


def test_zh_tw_answers_say_container_registry_not_windows_registry_file(kb):
    asked = kb.ask("如何取得容器登錄的管理員認證")
    assert asked.language == "zh-tw"
    view = asked.answer.view
    text = view.question + view.answer_markdown
    assert "登錄檔" not in text and "訪問" not in text
    assert "容器登錄" in view.question


def test_the_rendering_table_is_glossary_data(tmp_path, knowledge_dir):
    glossary = knowledge_dir / "glossary.yaml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8") + "  管理員: 系統管理員\n", encoding="utf-8"
    )
    try:
        lib = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0)
        assert "系統管理員" in lib.ask("如何取得容器登錄的管理員認證").answer.view.question
    finally:  # the table is process-wide (set by the latest load): put the bundled one back
        Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL, reload_interval=0)


@pytest.mark.parametrize(
    ("query", "language"),
    [
        ("how do I fix error 认证失败 when pushing", EN),
        ('what does "认证失败" mean when I push', EN),
        ("docker pull 很慢", ZH),
        ("az acr login 失败", ZH),
        ("用 resource manager template 新建 acr 可以吗", ZH),
    ],
)
def test_the_answer_language_follows_the_sentence_not_a_pasted_error(query, language):
    assert detect(query) == language


def test_ask_language_is_case_insensitive(capsys):
    assert main(["ask", "--language", "zh-TW", "admin", "password"]) == 0
    assert "管理員" in capsys.readouterr().out
    assert main(["ask", "--language", "EN", "管理员密码"]) == 0
    assert "admin credentials" in capsys.readouterr().out


@pytest.mark.parametrize("limit", ["0", "-3"])
def test_search_refuses_a_limit_below_one(capsys, monkeypatch, limit):
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("docker pull slow\n"))
    assert main(["search", "--json", "--limit", limit]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--limit" in err


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"query": "x", "expected": "docker-pull-is-slow"}\n', ":1: unknown key 'expected'"),
        ('\n{"anchor": null}\n', ':2: needs a non-empty "query"'),
        ('{"query": "x", "anchor": "no-such-entry"}\n', ":1: anchor 'no-such-entry' is not"),
        ("", "no labelled queries"),
        ("[1, 2]\n", ":1: expected"),
    ],
)
def test_eval_refuses_a_bad_line_naming_it(tmp_path, capsys, content, said):
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(content, encoding="utf-8")
    assert main(["eval", str(labelled)]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and err.count("\n") == 0


def _setup(tmp_path: Path, knowledge_dir: Path) -> tuple[Path, Path, Library]:
    config = tmp_path / "acrbot.yaml"
    config.write_text(f"knowledge:\n  paths: [{knowledge_dir}]\n  reload_interval: 0.01\n")
    state = tmp_path / "state"
    return config, state, Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0)


def test_feedback_approve_empty_is_refused(tmp_path, knowledge_dir, capsys, monkeypatch):
    config, state, _ = _setup(tmp_path, knowledge_dir)
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(state))
    assert main(["--config", str(config), "feedback", "--approve", ""]) == 2
    assert "--approve needs a candidate ID" in capsys.readouterr().err


def test_an_approved_phrasing_is_no_longer_a_candidate(
    tmp_path, knowledge_dir, capsys, monkeypatch
):
    config, state, library = _setup(tmp_path, knowledge_dir)
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(state))
    monkeypatch.delenv("ACRBOT_KNOWLEDGE_DIR", raising=False)
    store = FeedbackStore(state / "feedback.jsonl")
    odd = "the keys to the blue whale castle"
    record_click(store, library.current, odd, library.current.get(ADMIN).key, "U1", "picked")
    wanted = candidate_id(odd, ADMIN)
    assert main(["--config", str(config), "feedback", "--phrasings"]) == 0
    assert wanted in capsys.readouterr().out
    assert main(["--config", str(config), "feedback", "--approve", wanted]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "feedback", "--phrasings"]) == 0
    assert wanted not in capsys.readouterr().out


def test_a_click_without_a_query_records_nothing(tmp_path, kb):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    key = kb.get(ADMIN).key
    assert record_click(store, kb, None, key, "U1", "picked") is None  # type: ignore[arg-type]
    assert list(store) == []
    assert json.dumps(record_click(store, kb, "admin pw", key, "U1", "up") is not None)
