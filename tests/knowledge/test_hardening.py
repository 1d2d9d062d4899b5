"""Issue 8 items 5 (terminal.py), 15, 16, 17 (glossary, front matter) and 20 for the knowledge side."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from bot.cli import answer_text as terminal
from bot.config import DEFAULT_DOCS_BASE_URL
from bot.errors import KnowledgeError
from bot.feedback import FeedbackStore, printable, record_click, summarise
from bot.knowledge.files import read_regular_bytes
from bot.knowledge.glossary import load_glossary
from bot.knowledge.library import Library
from bot.knowledge.markdown_parser import parse_markdown
from bot.knowledge.model import View
from tests.fakes.cli import run_cli

ROOT = Path(__file__).parents[2]
ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{chr(99 + n)}: &{chr(99 + n)} [" + ", ".join([f"*{chr(98 + n)}"] * 9) + "]\n"
    for n in range(8)
)

# ----------------------------------------------------------------- item 20: FIFOs


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_in_the_knowledge_folder_is_skipped(knowledge_dir):
    os.mkfifo(knowledge_dir / "stuck.md")
    os.mkfifo(knowledge_dir / "stuck.yaml")
    loaded: list[Library] = []
    worker = threading.Thread(
        target=lambda: loaded.append(Library([knowledge_dir], DEFAULT_DOCS_BASE_URL)), daemon=True
    )
    worker.start()
    worker.join(30)  # a liveness guard, not a timing assertion: a FIFO read never returns
    assert loaded, "loading blocked on a FIFO"
    assert loaded[0].current.get(ADMIN) is not None
    assert loaded[0].current.errors == ()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_reading_a_fifo_directly_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "named.md"
    os.mkfifo(fifo)
    with pytest.raises(KnowledgeError, match="not a regular file"):
        read_regular_bytes(fifo)


# ----------------------------------------------------------------- item 17: YAML aliases


def test_glossary_refuses_aliases_and_duplicate_keys(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="aliases"):
        load_glossary(bomb)
    twice = tmp_path / "twice.yaml"
    twice.write_text("terms: []\nterms: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate key"):
        load_glossary(twice)


def test_front_matter_refuses_aliases_and_duplicate_keys():
    with pytest.raises(KnowledgeError, match="aliases"):
        parse_markdown(f"---\n{BOMB}---\n### How do I x?\n\ny\n", "bomb.md", DEFAULT_DOCS_BASE_URL)
    with pytest.raises(KnowledgeError, match="duplicate key"):
        parse_markdown("---\ntitle: a\ntitle: b\n---\n### x?\n", "dup.md", DEFAULT_DOCS_BASE_URL)


def test_an_alias_bomb_file_keeps_the_rest_serving(knowledge_dir):
    (knowledge_dir / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    library = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL)
    assert library.current.get(ADMIN) is not None
    assert any("aliases" in e for e in library.current.errors)


# ----------------------------------------------------------------- item 5: terminal.py


def view(markdown: str) -> View:
    return View("en", "Q?", "S", markdown, "https://docs.example.com/acr/faq#q")


ADVERSARIAL = {
    "unclosed fences": "```\n" * 50_000,
    "fence openers on one line": "```" * 33_000 + "\nx",
    "open brackets": "[" * 100_000,
    "link texts without targets": "[a]" * 33_000,
    "link starts": "[a](" * 25_000,
    "nested brackets": "[[[[a](((((" * 9_000,
    "notes": "> [!" * 25_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_terminal_rendering_is_linear_on_100k_adversarial_answers(name):
    text = terminal._prose(view(ADVERSARIAL[name]))
    assert len(text) <= terminal.MAX_RENDERED * 2


def test_terminal_patterns_cannot_backtrack_across_delimiters():
    """Bounded work by construction, checked without a clock.

    Fences are found by a loop over lines (no pattern spans lines). A link
    attempt from a "[" stops at the next bracket or newline and its
    quantifiers are possessive, so no character is rescanned from many starts.
    """
    link = terminal._LINK.pattern
    assert "\\[\\]\\n]*+" in link and "()\\n]*+" in link
    assert ".*" not in link and not hasattr(terminal, "_FENCE")
    assert terminal._FENCE_LINE.pattern == "[ \\t]*+```"
    # Each match attempt from a "[" is bounded by the next delimiter:
    probe = "[" + "a" * 50 + "[" + "a" * 50 + "](u)"
    assert terminal._LINK.search(probe).start() == 51


def test_terminal_rendering_still_renders_code_links_and_notes():
    markdown = "> [!NOTE]\n> See [the docs](page.md).\n\n```bash\n  az acr login\n```\nafter\n"
    text = terminal._prose(view(markdown))
    assert "Note:" in text
    assert "the docs <https://docs.example.com/acr/page>" in text
    assert "    [bash]\n    az acr login" in text and text.endswith("after")


# ----------------------------------------------------------------- items 15, 16: feedback


def test_only_known_entry_keys_are_recorded(tmp_path, kb):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    forged = "\x1b[31mevil\x1b[0m#" + ADMIN
    assert record_click(store, kb, "q", forged, "U1", "down") is None
    assert not store.path.exists()
    recorded = record_click(store, kb, "q", ADMIN, "U1", "down")  # the anchor alone resolves
    assert recorded is not None and recorded.entry == kb.get(ADMIN).key


def test_a_lone_surrogate_does_not_lose_the_click(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    item = store.record("bad \ud800 text", "faq#x\udfff", "U\ud83d", "up")
    assert item.query == "bad \ufffd text"
    assert list(store) == [item]


def test_printable_strips_terminal_escapes_and_bidi_controls():
    assert printable("a\x1b[2J\x07b\u202ec\x00\nd") == "a[2Jbc d"


def test_feedback_output_has_no_control_characters(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.record("\x1b]0;owned\x07 query", "\x1b[31mfaq#entry\x1b[0m", "U1", "down")  # an old file
    scores, worst = summarise(store)
    assert scores[0].entry == "[31mfaq#entry[0m"
    assert worst == [("]0;owned query", "[31mfaq#entry[0m", 1)]
    done = run_cli("feedback", env={**os.environ, "ACRBOT_STATE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "faq#entry" in done.stdout
