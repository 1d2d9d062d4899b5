"""Editions (issue 11): one entry, several languages, paired by anchor across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_DOCS_BASE_URL, DEFAULT_DOCS_BASE_URLS, bundled_knowledge_dir
from bot.knowledge.editions import languages, view_of
from bot.knowledge.language import to_traditional
from bot.knowledge.library import Library
from bot.knowledge.script import convert_prose

URLS = {**DEFAULT_DOCS_BASE_URLS, "zh": DEFAULT_DOCS_BASE_URL, "ja": "https://docs.example.jp/acr/"}

# The team's FAQ is a page of the configured docs site, in every language.
ON_SITE = "---\ndocs_page: faq\n---\n"

ZH = (
    ON_SITE
    + """# <a name="faq"></a>常见问题

## <a name="general"></a>一般

### <a name="how-do-i-rotate-the-webhook-secret"></a>如何轮换 Webhook 密钥？

在门户中重新生成 Webhook 密钥，然后更新接收方。

```bash
az acr webhook update -n hook -r myregistry --secret-key new
```

### <a name="why-is-the-frobnicator-offline"></a>为什么 frobnicator 离线？

frobnicator 每晚维护一小时。
"""
)

EN = (
    ON_SITE
    + """# <a name="faq"></a>FAQ

## <a name="general"></a>General

### <a name="how-do-i-rotate-the-webhook-secret"></a>How do I rotate the webhook secret?

Regenerate the webhook secret in the portal, then update the receiver.

```bash
az acr webhook update -n hook -r myregistry --secret-key new
```

### <a name="can-i-paint-the-dashboard-purple"></a>Can I paint the dashboard purple?

Only on Fridays: the dashboard colour follows the theme setting.
"""
)

JA = (
    ON_SITE
    + """# <a name="faq"></a>よくある質問

### <a name="how-do-i-rotate-the-webhook-secret"></a>Webhook のシークレットを更新するには？

ポータルでシークレットを再生成し、受信側を更新します。
"""
)


def library(folder: Path, **files: str) -> Library:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Library([folder], DEFAULT_DOCS_BASE_URL, reload_interval=0, docs_base_urls=URLS)


def by_id(lib: Library) -> dict:
    return {e.id: e for e in lib.current.entries}


def test_the_bundled_faq_pairs_every_entry_with_its_english_edition():
    lib = Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL, docs_base_urls=URLS)
    entries = [e for e in lib.current.entries if e.source.startswith("container-registry-faq")]
    assert len(entries) == len({e.id for e in entries}) >= 30  # paired, not doubled
    for entry in entries:
        assert languages(entry) == ["zh", "en"], entry.id
        english = view_of(entry, "en")
        assert english.question.isascii() and english.language == "en"
        assert english.docs_url.startswith("https://learn.microsoft.com/en-us/")
        assert english.docs_url.endswith("#" + entry.id)
        assert view_of(entry, "zh").docs_url == entry.docs_url
        assert "/zh-cn/" in entry.docs_url


def test_search_and_answer_in_the_askers_language(tmp_path):
    lib = library(tmp_path / "k", **{"faq.zh-cn.md": ZH, "faq.en.md": EN})
    english = lib.ask("how to rotate the webhook secret")
    chinese = lib.ask("怎么轮换 webhook 密钥")
    assert (
        english.answer.entry.id == chinese.answer.entry.id == "how-do-i-rotate-the-webhook-secret"
    )
    assert english.language == "en" and english.answer.view.language == "en"
    assert english.answer.view.question == "How do I rotate the webhook secret?"
    assert english.answer.view.docs_url == (
        "https://learn.microsoft.com/en-us/azure/container-registry/faq"
        "#how-do-i-rotate-the-webhook-secret"
    )
    assert chinese.answer.view.question == "如何轮换 Webhook 密钥？"
    assert chinese.answer.view.docs_url.startswith(DEFAULT_DOCS_BASE_URL)


def test_a_missing_edition_falls_back_to_the_other(tmp_path):
    entries = by_id(library(tmp_path / "k", **{"faq.zh-cn.md": ZH, "faq.en.md": EN}))
    only_zh = entries["why-is-the-frobnicator-offline"]
    assert languages(only_zh) == ["zh"]
    view = view_of(only_zh, "en")
    assert view.language == "zh" and view.question == "为什么 frobnicator 离线？"
    only_en = entries["can-i-paint-the-dashboard-purple"]
    assert view_of(only_en, "zh").language == "en"
    assert view_of(only_en, "zh-tw").language == "en"


def test_mismatched_anchors_stay_separate_entries(tmp_path):
    lib = library(tmp_path / "k", **{"faq.zh-cn.md": ZH, "faq.en.md": EN})
    assert sorted(by_id(lib)) == [
        "can-i-paint-the-dashboard-purple",
        "how-do-i-rotate-the-webhook-secret",
        "why-is-the-frobnicator-offline",
    ]
    # each still answers in its only language, whoever asks
    found = lib.ask("can I paint the dashboard purple")
    assert found.answer.entry.id == "can-i-paint-the-dashboard-purple"


def test_different_pages_with_the_same_anchor_are_not_paired(tmp_path):
    lib = library(tmp_path / "k", **{"faq.zh-cn.md": ZH, "other.en.md": EN})
    rotate = [e for e in lib.current.entries if e.id == "how-do-i-rotate-the-webhook-secret"]
    assert len(rotate) == 2 and all(len(languages(e)) == 1 for e in rotate)


def test_a_repeated_anchor_in_one_language_is_not_merged(tmp_path):
    twice = EN + EN.split("## ", 1)[1].join(["\n## ", ""])
    lib = library(tmp_path / "k", **{"faq.en.md": twice})
    ids = [e.id for e in lib.current.entries]
    assert ids.count("how-do-i-rotate-the-webhook-secret") == 2


def test_a_team_adds_a_third_language(tmp_path):
    lib = library(tmp_path / "k", **{"faq.zh-cn.md": ZH, "faq.en.md": EN, "faq.ja.md": JA})
    entry = by_id(lib)["how-do-i-rotate-the-webhook-secret"]
    assert languages(entry) == ["zh", "en", "ja"]
    asked = lib.ask("Webhook のシークレットを更新するには")
    assert asked.language == "ja"
    assert asked.answer.entry.id == entry.id
    assert asked.answer.view.question == "Webhook のシークレットを更新するには？"
    assert asked.answer.view.docs_url == "https://docs.example.jp/acr/faq#" + entry.id
    # Buttons made from any edition's key still find the entry.
    assert lib.current.get("faq.ja#how-do-i-rotate-the-webhook-secret") is entry
    assert lib.current.get("faq.en#how-do-i-rotate-the-webhook-secret") is entry
    assert lib.current.get(entry.key) is entry


def test_traditional_chinese_view_is_converted_and_keeps_code_verbatim(tmp_path):
    entry = by_id(library(tmp_path / "k", **{"faq.zh-cn.md": ZH}))[
        "how-do-i-rotate-the-webhook-secret"
    ]
    view = view_of(entry, "zh-tw")
    assert view.converted and view.language == "zh-tw"
    assert view.question == to_traditional("如何轮换 Webhook 密钥？") != "如何轮换 Webhook 密钥？"
    assert "az acr webhook update -n hook -r myregistry --secret-key new" in view.answer_markdown
    assert view.docs_url.startswith("https://learn.microsoft.com/zh-tw/")


def test_a_traditional_edition_is_used_as_written_and_searched(tmp_path):
    tw = ZH.replace("如何轮换 Webhook 密钥？", "如何輪換 Webhook 金鑰？")
    lib = library(tmp_path / "k", **{"faq.zh-tw.md": tw, "faq.en.md": EN})
    found = lib.ask("如何輪換 webhook 金鑰")
    assert found.language == "zh-tw"
    assert found.answer.view.question == "如何輪換 Webhook 金鑰？"
    assert not found.answer.view.converted


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("汉字\n```\n汉字 code\n```\n汉字", "漢字\n```\n汉字 code\n```\n漢字"),
        ("```\n汉字 unclosed", "```\n汉字 unclosed"),
        ("", ""),
    ],
)
def test_convert_prose_never_touches_code(markdown, expected):
    assert convert_prose(markdown, to_traditional) == expected


def test_docs_base_urls_from_config(tmp_path):
    from bot.config import load_settings
    from bot.errors import ConfigError

    config = tmp_path / "acrbot.yaml"
    config.write_text(
        "knowledge:\n  docs_base_url: https://wiki.example.com/zh\n"
        "  docs_base_urls: {en: 'https://wiki.example.com/en', ja: 'https://wiki.example.jp/'}\n",
        encoding="utf-8",
    )
    urls = load_settings(config, env={}).knowledge.docs_base_urls
    assert urls["zh"] == "https://wiki.example.com/zh/"  # docs_base_url stays the zh default
    assert urls["en"] == "https://wiki.example.com/en/"
    assert urls["ja"] == "https://wiki.example.jp/"
    assert urls["zh-tw"].startswith("https://learn.microsoft.com/zh-tw/")
    config.write_text("knowledge:\n  docs_base_urls: {en: 5}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"knowledge\.docs_base_urls"):
        load_settings(config, env={})
