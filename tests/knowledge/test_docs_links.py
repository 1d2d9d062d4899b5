"""Each knowledge file declares its own docs link (issue 14): a page, a base, a docs-site page, or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import DEFAULT_DOCS_BASE_URL, DEFAULT_DOCS_BASE_URLS, bundled_knowledge_dir
from bot.errors import KnowledgeError
from bot.knowledge.editions import view_of
from bot.knowledge.library import Library
from bot.knowledge.markdown_parser import parse_markdown
from bot.slack.blocks import entry_message

URLS = {**DEFAULT_DOCS_BASE_URLS, "zh": DEFAULT_DOCS_BASE_URL}
RUNBOOK = """## <a name="runbook"></a>Runbook

### <a name="how-do-i-rotate-the-webhook-secret"></a>How do I rotate the webhook secret?

Regenerate it in the portal; see [webhooks](webhooks.md) and [the CLI](https://example.com/cli).
"""


def library(folder: Path, **files: str) -> Library:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Library([folder], DEFAULT_DOCS_BASE_URL, reload_interval=0, docs_base_urls=URLS)


def test_a_file_without_front_matter_has_no_docs_link_in_any_language(tmp_path):
    lib = library(tmp_path / "k", **{"runbook.md": RUNBOOK})
    (entry,) = lib.current.entries
    for language in ("en", "zh", "zh-tw"):
        assert view_of(entry, language).docs_url == ""
    relative, absolute = entry.links
    assert relative.url is None and relative.text == "webhooks"  # nothing to resolve it against
    assert absolute.url == "https://example.com/cli"


def test_no_link_means_no_docs_line_in_the_terminal_or_slack(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "k"
    library(folder, **{"runbook.md": RUNBOOK})
    monkeypatch.setenv("ACRBOT_KNOWLEDGE_DIR", str(folder))
    assert main(["ask", "how do I rotate the webhook secret"]) == 0
    out = capsys.readouterr().out
    assert "Q: How do I rotate the webhook secret?" in out
    assert "Docs:" not in out and "learn.microsoft.com" not in out
    assert "webhooks" in out and "<webhooks" not in out  # the relative link stays text
    (entry,) = Library([folder], DEFAULT_DOCS_BASE_URL).current.entries
    message = entry_message(entry, "rotate", "en")
    assert "learn.microsoft.com" not in str(message.blocks) + message.text
    assert "Docs" not in str(message.blocks)


@pytest.mark.parametrize(
    ("front", "page"),
    [
        ("docs_url: https://wiki.example.com/acr/runbook", "https://wiki.example.com/acr/runbook"),
        ("docs_base_url: https://wiki.example.com/acr", "https://wiki.example.com/acr/runbook"),
        (
            "docs_page: runbook",
            "https://learn.microsoft.com/zh-cn/azure/container-registry/runbook",
        ),
    ],
)
def test_each_way_of_declaring_the_page(front, page):
    (entry,) = parse_markdown(f"---\n{front}\n---\n{RUNBOOK}", "runbook.md", DEFAULT_DOCS_BASE_URL)
    assert entry.docs_url == page + "#how-do-i-rotate-the-webhook-secret"
    assert entry.links[0].url == page.rsplit("/", 1)[0] + "/webhooks"


def test_a_declared_page_is_the_link_whatever_the_askers_language(tmp_path):
    lib = library(
        tmp_path / "k", **{"runbook.md": "---\ndocs_url: https://wiki.example/rb\n---\n" + RUNBOOK}
    )
    (entry,) = lib.current.entries
    urls = {view_of(entry, language).docs_url for language in ("en", "zh", "zh-tw")}
    assert urls == {"https://wiki.example/rb#how-do-i-rotate-the-webhook-secret"}


def test_the_bundled_faq_declares_its_learn_page_in_every_language():
    lib = Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL, docs_base_urls=URLS)
    faq = [e for e in lib.current.entries if e.source.startswith("container-registry-faq")]
    assert len(faq) >= 30
    for entry in faq:
        for language, locale in (("en", "en-us"), ("zh", "zh-cn"), ("zh-tw", "zh-tw")):
            assert view_of(entry, language).docs_url == (
                f"https://learn.microsoft.com/{locale}/azure/container-registry/"
                f"container-registry-faq#{entry.id}"
            )


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: x\ndocs_url: 5", "runbook.md: line 3: docs_url must be an http(s) URL, not 5"),
        ("docs_url: ftp://x/y", "runbook.md: line 2: docs_url must be an http(s) URL"),
        ("docs_url: [a, b]", "runbook.md: line 2: docs_url must be an http(s) URL"),
        ("docs_base_url: wiki/acr", "runbook.md: line 2: docs_base_url must be an http(s) URL"),
        ("docs_page: https://x/y", "runbook.md: line 2: docs_page must be a page name"),
        (
            "docs_page: faq\ndocs_url: https://x/y",
            "runbook.md: line 3: docs_page and docs_url both say where the docs are; keep one",
        ),
        (
            "title: x\n\ndoc_url: https://x/y",
            "runbook.md: line 4: unknown key 'doc_url'; did you mean docs_url?",
        ),
        ("docs-url: https://x/y", "did you mean docs_url?"),
        ("title: [unclosed", "runbook.md: line 3: front matter is not valid YAML"),
        ("- a list", "runbook.md: line 2: front matter must be a YAML mapping"),
    ],
)
def test_broken_front_matter_names_the_file_and_line(front, message):
    with pytest.raises(KnowledgeError) as raised:
        parse_markdown(f"---\n{front}\n---\n{RUNBOOK}", "runbook.md", DEFAULT_DOCS_BASE_URL)
    assert message in str(raised.value)


def test_broken_front_matter_is_one_line_from_the_cli_not_a_traceback(
    tmp_path, capsys, monkeypatch
):
    folder = tmp_path / "k"
    library(folder, **{"runbook.md": "---\ndocs_url: 5\n---\n" + RUNBOOK})
    other = '### <a name="purge"></a>How do I purge old images from the registry?\n\nUse a task.\n'
    (folder / "other.md").write_text(other, encoding="utf-8")
    monkeypatch.setenv("ACRBOT_KNOWLEDGE_DIR", str(folder))
    assert main(["ask", "how do I purge old images from the registry"]) == 0
    captured = capsys.readouterr()
    assert (
        "acrbot: warning: runbook.md: line 2: docs_url must be an http(s) URL, not 5"
        in captured.err
    )
    assert "Traceback" not in captured.err + captured.out
    assert "Q: How do I purge old images from the registry?" in captured.out  # the rest serves
