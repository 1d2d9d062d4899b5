"""Learning from use (issue 11): a "did you mean" pick → --phrasings → --approve → answered."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL
from bot.errors import KnowledgeError
from bot.feedback import FeedbackStore, candidate_id, candidates, record_click, unapproved
from bot.knowledge.library import Library
from bot.knowledge.phrasings import add_phrasing
from tests.fakes.cli import Done, run_cli

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"
ODD = "the keys to the blue whale castle"  # a phrasing the search cannot place today


def acrbot(*args: str, config: Path, state: Path) -> Done:
    env = {**os.environ, "ACRBOT_STATE_DIR": str(state)}
    env.pop("ACRBOT_KNOWLEDGE_DIR", None)
    return run_cli("--config", str(config), *args, env=env)


@pytest.fixture
def setup(tmp_path: Path, knowledge_dir: Path) -> tuple[Path, Path, Library]:
    config = tmp_path / "acrbot.yaml"
    config.write_text(f"knowledge:\n  paths: [{knowledge_dir}]\n  reload_interval: 0.01\n")
    state = tmp_path / "state"
    library = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0)
    return config, state, library


def test_a_pick_becomes_a_phrasing_the_index_answers(setup):
    config, state, library = setup
    assert library.ask(ODD).answer is None or library.ask(ODD).answer.entry.id != ADMIN
    store = FeedbackStore(state / "feedback.jsonl")
    key = library.current.get(ADMIN).key
    # What the Slack listeners call: 👎 on the wrong answer, then a "did you mean" pick,
    # from two people.
    record_click(store, library.current, ODD, key, "UALICE", "down", "en")
    record_click(store, library.current, ODD, key, "UALICE", "picked", "en")
    record_click(store, library.current, ODD.upper(), key, "UBOB", "picked", "en")

    listed = acrbot("feedback", "--phrasings", config=config, state=state)
    assert listed.returncode == 0, listed.stderr
    wanted = candidate_id(ODD, ADMIN)
    (row,) = [line for line in listed.stdout.splitlines() if wanted in line]
    assert ADMIN in row and "blue whale" in row
    assert row.split()[1:5] == ["2", "1", "2", "en"]  # picks, after 👎, people, language

    approved = acrbot("feedback", "--approve", wanted, config=config, state=state)
    assert approved.returncode == 0, approved.stderr
    phrasings = library.phrasings_path
    assert phrasings.parent == library.paths[0]
    assert "blue whale" in phrasings.read_text(encoding="utf-8")

    found = library.ask(ODD)  # reloaded like any other knowledge file
    assert found.answer is not None and found.answer.entry.id == ADMIN
    asked = acrbot("ask", ODD, config=config, state=state)
    assert "az acr credential show" in asked.stdout

    again = acrbot("feedback", "--approve", wanted, config=config, state=state)
    assert again.returncode == 0 and "already in" in again.stdout


def test_nothing_is_learned_without_approval(setup):
    _config, state, library = setup
    store = FeedbackStore(state / "feedback.jsonl")
    record_click(store, library.current, ODD, library.current.get(ADMIN).key, "U1", "picked")
    assert not library.phrasings_path.exists()
    found = library.ask(ODD)
    assert found.answer is None or found.answer.entry.id != ADMIN


def test_approving_an_unknown_id_is_a_clear_error(setup):
    config, state, _ = setup
    done = acrbot("feedback", "--approve", "deadbeef", config=config, state=state)
    assert done.returncode == 2
    assert "no phrasing candidate 'deadbeef'" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_candidates_yet(setup):
    config, state, _ = setup
    done = acrbot("feedback", "--phrasings", config=config, state=state)
    assert done.returncode == 0 and "No phrasing candidates yet" in done.stdout


def test_candidates_count_picks_and_ignore_votes(tmp_path):
    store = FeedbackStore(tmp_path / "f.jsonl")
    store.record("docker  PUSH slow", "faq.zh-cn#docker-push-is-slow", "U1", "picked", "en")
    store.record("docker push slow", "faq.zh-cn#docker-push-is-slow", "U2", "picked", "en")
    store.record("docker push slow", "faq.zh-cn#docker-push-is-slow", "U3", "up")
    (only,) = candidates(store)
    assert (only.anchor, only.count, only.users, only.after_down) == (
        "docker-push-is-slow", 2, 2, 0,
    )  # fmt: skip


def test_a_candidate_already_approved_is_no_longer_offered(tmp_path, knowledge_dir):
    store = FeedbackStore(tmp_path / "f.jsonl")
    store.record("docker push slow", "faq.zh-cn#docker-push-is-slow", "U1", "picked", "en")
    store.record("push never ends", "faq.zh-cn#docker-push-is-slow", "U1", "picked", "en")
    store.record("gone away", "faq.zh-cn#no-such-entry", "U1", "picked", "en")
    library = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0)
    add_phrasing(library.phrasings_path, "docker-push-is-slow", "Docker  push SLOW")
    kb = library.current
    left = unapproved(candidates(store), kb)
    assert sorted(c.query for c in left) == ["gone away", "push never ends"]


def test_a_hand_edited_phrasings_file_is_loaded_and_checked(knowledge_dir):
    (knowledge_dir / "phrasings.yaml").write_text(
        f"phrasings:\n  {ADMIN}:\n    - {ODD}\n  no-such-anchor:\n    - whatever\n",
        encoding="utf-8",
    )
    library = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL)
    assert library.ask(ODD).answer.entry.id == ADMIN
    assert any("no-such-anchor" in e for e in library.current.errors)


def test_add_phrasing_refuses_a_broken_file(tmp_path):
    path = tmp_path / "phrasings.yaml"
    path.write_text("phrasings: &a\n  x: *a\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="aliases"):
        add_phrasing(path, ADMIN, ODD)
    fresh = tmp_path / "new" / "phrasings.yaml"
    assert add_phrasing(fresh, ADMIN, "  many   spaces ")
    assert not add_phrasing(fresh, ADMIN, "many spaces")
    assert json.dumps(fresh.read_text(encoding="utf-8")).count("many spaces") == 1
