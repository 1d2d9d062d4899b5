"""`acrbot ask`, `search --json` and `eval`, run as a user runs them (``main(argv)`` in process)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.services import captured_store
from tests.fakes.cli import Done, run_cli

LINK = "https://acme.slack.com/archives/C1/p1700000000000100"


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state folder of the test's own: no answers captured on this host leak in."""
    monkeypatch.setenv("ACRBOT_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("ACRBOT_CONFIG", raising=False)
    return tmp_path / "state"


def run(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> Done:
    return run_cli(*args, input=stdin, env={**os.environ, **(env or {})})


def test_ask_prints_the_answer_with_code_docs_and_confidence(capsys):
    assert main(["ask", "how", "do", "I", "get", "the", "admin", "password"]) == 0
    out = capsys.readouterr().out
    assert "Q: How do I get the admin credentials for a container registry?" in out
    assert "az acr credential show -n myRegistry" in out
    assert (
        "Docs: https://learn.microsoft.com/en-us/azure/container-registry/container-registry-faq#"
        in out
    )
    assert "Confidence: 0." in out


def test_ask_in_chinese_or_forced_language(capsys):
    assert main(["ask", "怎么获取管理员密码"]) == 0
    out = capsys.readouterr().out
    assert "Q: 如何实现获取容器注册表的管理员凭据？" in out
    assert "Docs: https://learn.microsoft.com/zh-cn/azure/container-registry/" in out
    assert (
        main(["ask", "--language", "zh-tw", "how", "do", "I", "get", "admin", "credentials"]) == 0
    )
    out = capsys.readouterr().out
    assert "管理員" in out and "管理员" not in out  # Traditional, converted from Simplified
    assert "Docs: https://learn.microsoft.com/zh-tw/azure/container-registry/" in out
    assert "az acr credential show -n myRegistry" in out  # code stays as written


def test_ask_says_plainly_when_it_does_not_know(capsys):
    assert main(["ask", "what's the weather tomorrow"]) == 0
    out = capsys.readouterr().out
    assert "No answer: I don't know a good answer to “what's the weather tomorrow”." in out


@pytest.mark.parametrize(
    ("argv", "said", "not_said"),
    [
        (["ask", "今天中午吃什么"], "我暂时找不到合适的答案", "know"),
        (["ask", "--language", "zh-Hant", "what is for lunch"], "我暫時找不到合適的答案", "暂"),
        (["ask", "--language", "zh-CN", "what is for lunch"], "我暂时找不到合适的答案", "know"),
    ],
)
def test_i_dont_know_is_said_in_the_askers_language(capsys, argv, said, not_said):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert said in out and not_said not in out


def test_an_unanswered_question_is_said_back_on_one_clipped_line(capsys):
    pasted = "lunch? " + "\x1b[2J\x1b[31m" + "menu " * 10_000 + "\u2028end"
    assert main(["ask", pasted]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("No answer: I don't know a good answer to “lunch? menu menu")
    assert first.endswith("…”.") and len(first) < 200
    assert "\x1b" not in first


def approve_one(question: str, answer: str) -> str:
    store = captured_store(load_settings())
    submitted = store.submit(question, answer, "en", LINK, "U1")
    store.decide(submitted.id, "approved", "U2")
    return submitted.anchor


def test_ask_and_search_answer_from_what_was_approved_in_slack(state: Path, capsys) -> None:
    anchor = approve_one("How do I rotate the flux capacitor token?", "Run `flux rotate`.\n")
    assert main(["ask", "how", "do", "I", "rotate", "the", "flux", "capacitor", "token"]) == 0
    out = capsys.readouterr().out
    assert "Q: How do I rotate the flux capacitor token?" in out and "flux rotate" in out
    done = run("search", "--json", stdin="rotate the flux capacitor token\n")
    assert json.loads(done.stdout)["results"][0]["id"] == anchor, done.stderr
    assert done.stderr == ""


def test_eval_measures_the_files_alone(state: Path, tmp_path: Path) -> None:
    anchor = approve_one("How do I rotate the flux capacitor token?", "Run `flux rotate`.\n")
    labelled = tmp_path / "l.jsonl"
    labelled.write_text(json.dumps({"query": "rotate flux token", "anchor": anchor}) + "\n")
    done = run("eval", str(labelled))
    assert done.returncode == 2 and anchor in done.stderr  # not an entry of the files


def test_asking_from_a_terminal_creates_no_state(state: Path, capsys) -> None:
    assert main(["ask", "how do I get the admin password"]) == 0
    assert "Q: How do I get the admin credentials" in capsys.readouterr().out
    assert not state.exists()


def test_a_store_that_is_down_is_said_once_and_the_files_answer(capsys) -> None:
    done = run("ask", "docker pull is slow", env={"REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"})
    assert done.returncode == 0
    assert "docker" in done.stdout.lower() and "Q: " in done.stdout
    warned = [line for line in done.stderr.splitlines() if "approved in Slack" in line]
    assert warned == [
        "acrbot: warning: cannot read answers approved in Slack from redis://127.0.0.1:1/0; "
        "answering from the knowledge files alone"
    ]
    assert "hunter2" not in done.stderr + done.stdout


def test_a_store_file_that_cannot_be_read_is_said_once_and_the_files_answer(state: Path) -> None:
    state.mkdir(parents=True)
    (state / "claims.sqlite3").write_bytes(b"not a database, whatever it once was" * 10)
    done = run("ask", "docker pull is slow")
    assert done.returncode == 0 and "Q: " in done.stdout
    assert done.stderr.splitlines() == [
        f"acrbot: warning: cannot read answers approved in Slack from {state / 'claims.sqlite3'} "
        "(DatabaseError); answering from the knowledge files alone"
    ]


def test_search_json_contract():
    queries = "docker pull is slow\n怎么查看管理员密码\nthanks!\n\nkubernets\n"
    done = run("search", "--json", stdin=queries)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["query"] for line in lines] == [
        "docker pull is slow", "怎么查看管理员密码", "thanks!", "kubernets",
    ]  # fmt: skip
    for line in lines:
        assert set(line) == {"query", "answered", "results"}
        language = "zh" if line["query"].startswith("怎么") else "en"
        assert isinstance(line["answered"], bool)
        assert len(line["results"]) <= 5
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True)
        for result in line["results"]:
            assert set(result) == {"id", "title", "score", "language"}
            assert result["language"] == language
            assert 0.0 <= result["score"] <= 1.0
    assert lines[0]["answered"] and lines[0]["results"][0]["id"] == "docker-pull-is-slow"
    assert lines[2]["answered"] is False


def test_eval_prints_every_metric(tmp_path, capsys):
    labelled = tmp_path / "set.jsonl"
    labelled.write_text(
        '{"query": "docker pull is slow", "anchor": "docker-pull-is-slow"}\n'
        '{"query": "what is the weather tomorrow", "anchor": null}\n',
        encoding="utf-8",
    )
    assert main(["eval", str(labelled)]) == 0
    out = capsys.readouterr().out
    for label in ("top-1", "top-3", "MRR", "off-topic rejected", "overall", "calibration", "p99"):
        assert label in out
    assert "overall        100.0%" in out


def test_eval_rejects_a_malformed_file_with_the_line_number(tmp_path):
    labelled = tmp_path / "set.jsonl"
    labelled.write_text('{"query": "x", "anchor": null}\nnot json\n', encoding="utf-8")
    done = run("eval", str(labelled))
    assert done.returncode == 2
    assert "set.jsonl:2" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_config_stops_with_one_clear_line(tmp_path):
    config = tmp_path / "acrbot.yaml"
    config.write_text("knowledge:\n  answer_threshold: high\n", encoding="utf-8")
    done = run("--config", str(config), "ask", "x")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "acrbot: configuration error in knowledge.answer_threshold: must be a number, got 'high'"
    )


def test_knowledge_folder_from_config(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "team.md").write_text("### How do I page the ACR owner?\n\nUse #acr-help.\n")
    config = tmp_path / "acrbot.yaml"
    config.write_text("knowledge:\n  paths: [kb]\n", encoding="utf-8")
    done = run("ask", "page the acr owner", env={"ACRBOT_CONFIG": str(config)})
    assert done.returncode == 0
    assert "How do I page the ACR owner?" in done.stdout


def test_calibration_error_is_zero_when_confidence_matches_outcomes():
    from bot.knowledge.evaluation import expected_calibration_error

    assert expected_calibration_error([(1.0, True), (0.0, False)]) == 0.0
    assert expected_calibration_error([(0.95, False), (0.95, False)]) == 0.95
    assert (
        expected_calibration_error([(0.75, True), (0.75, True), (0.75, True), (0.75, False)]) == 0.0
    )
