"""Loading the knowledge folder: drop-in files, live reload, and broken files."""

from __future__ import annotations

import os
from pathlib import Path

from bot.config import DEFAULT_DOCS_BASE_URL
from bot.knowledge.library import Library

EXTRA = """---
title: Runbook
docs_base_url: https://wiki.example.com/acr/
---
## <a name="runbook"></a>Runbook

### <a name="how-do-i-rotate-the-webhook-secret"></a>How do I rotate the webhook secret?

Open the webhook in the portal and regenerate it. See [webhooks](webhooks.md).
"""


def touch_later(path: Path) -> None:
    """Make sure the change is visible to an mtime check on coarse file systems."""
    stat = path.stat()
    os.utime(path, (stat.st_atime + 5, stat.st_mtime + 5))


def library(folder: Path) -> Library:
    return Library([folder], DEFAULT_DOCS_BASE_URL, reload_interval=0)


def test_a_dropped_in_markdown_file_is_searchable(knowledge_dir):
    (knowledge_dir / "runbook.md").write_text(EXTRA, encoding="utf-8")
    result = library(knowledge_dir).ask("rotate the webhook secret")
    assert result.answered
    assert result.answer.entry.id == "how-do-i-rotate-the-webhook-secret"
    assert result.answer.entry.links[0].url == "https://wiki.example.com/acr/webhooks"


def test_changes_are_picked_up_without_a_restart(knowledge_dir):
    lib = library(knowledge_dir)
    assert not lib.ask("rotate the webhook secret").answered
    (knowledge_dir / "runbook.md").write_text(EXTRA, encoding="utf-8")
    assert lib.ask("rotate the webhook secret").answered
    (knowledge_dir / "runbook.md").unlink()
    assert not lib.ask("rotate the webhook secret").answered


def test_a_broken_edit_keeps_the_last_good_version_serving(knowledge_dir):
    page = knowledge_dir / "runbook.md"
    page.write_text(EXTRA, encoding="utf-8")
    lib = library(knowledge_dir)
    assert lib.ask("rotate the webhook secret").answered
    page.write_text("---\ntitle: [oops\n---\n### broken?\n", encoding="utf-8")
    touch_later(page)
    assert lib.reload_if_changed()
    assert lib.ask("rotate the webhook secret").answered
    assert lib.ask("admin credentials").answered
    (error,) = lib.current.errors
    assert "runbook.md" in error and "last good version" in error


def test_a_new_broken_file_is_reported_and_the_rest_serves(knowledge_dir):
    (knowledge_dir / "bad.md").write_bytes(b"### caf\xe9?\n")
    lib = library(knowledge_dir)
    assert lib.ask("admin credentials").answered
    assert any("bad.md" in e and "UTF-8" in e for e in lib.current.errors)


def test_a_broken_glossary_is_reported_not_fatal(knowledge_dir):
    (knowledge_dir / "extra-terms.yaml").write_text("terms: {not: a list}\n", encoding="utf-8")
    lib = library(knowledge_dir)
    assert lib.ask("admin credentials").answered
    assert any("extra-terms.yaml" in e for e in lib.current.errors)


def test_a_dropped_in_glossary_bridges_new_words(knowledge_dir):
    lib = library(knowledge_dir)
    assert not lib.ask("zorblax").answered
    (knowledge_dir / "team-terms.yaml").write_text(
        "terms:\n  - id: quarantine\n    en: [zorblax]\n", encoding="utf-8"
    )
    result = lib.ask("zorblax")
    assert result.hits[0].entry.id == "how-do-i-enable-automatic-image-quarantine-for-a-registry"


def test_an_empty_folder_says_so(tmp_path):
    lib = library(tmp_path)
    assert lib.current.entries == ()
    assert "no knowledge files" in lib.current.errors[0]
    assert not lib.ask("anything").answered


def test_background_reload_serves_the_old_base_until_the_new_one_is_ready(knowledge_dir):
    import time

    lib = Library([knowledge_dir], DEFAULT_DOCS_BASE_URL, reload_interval=0, background=True)
    before = lib.current
    (knowledge_dir / "runbook.md").write_text(EXTRA, encoding="utf-8")
    deadline = time.monotonic() + 10
    while not lib.ask("rotate the webhook secret").answered:
        assert time.monotonic() < deadline, "the background reload never landed"
        time.sleep(0.05)
    assert lib.current is not before
    assert before.ask("admin credentials").answered  # the old snapshot still works
