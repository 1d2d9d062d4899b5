"""Language detection and Simplified ↔ Traditional conversion with OpenCC (issue 11)."""

from __future__ import annotations

from unittest.mock import create_autospec

import pytest

from bot.config import bundled_knowledge_dir
from bot.knowledge import language
from bot.knowledge.language import detect, is_traditional, normalise, to_simplified, to_traditional
from bot.knowledge.library import Library

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how do I get admin credentials?", "en"),
        ("如何获取容器注册表的管理员凭据", "zh"),
        ("如何取得容器登錄的管理員認證", "zh-tw"),
        ("docker pull 很慢", "zh"),
        ("docker pull 很慢，映像檔下載不動", "zh-tw"),
        ("的", "en"),
        ("Webhook のシークレット", "ja"),
        ("", "en"),
    ],
)
def test_detect_reads_the_characters(text, language):
    assert detect(text) == language


@pytest.mark.parametrize(
    ("code", "normal"),
    [("zh-CN", "zh"), ("zh-cn", "zh"), ("zh-TW", "zh-tw"), ("zh-HK", "zh-tw"), ("en-us", "en"),
     ("ja", "ja"), ("zh_Hant", "zh-tw")],
)  # fmt: skip
def test_normalise(code, normal):
    assert normalise(code) == normal


def test_conversion_both_ways():
    assert to_simplified("資訊清單") == "信息清单"  # Taiwan phrase → mainland phrase
    assert is_traditional("資訊清單") and not is_traditional("信息清单")
    assert to_traditional("镜像") != "镜像"
    assert not is_traditional(to_simplified("如何取得容器登錄的管理員認證"))


def test_traditional_questions_meet_the_simplified_faq(kb):
    simplified = kb.ask("如何获取容器注册表的管理员凭据")
    traditional = kb.ask("如何取得容器登錄的管理員認證")
    assert simplified.answer.entry.id == traditional.answer.entry.id == ADMIN
    assert traditional.language == "zh-tw"
    view = traditional.answer.view
    assert view.language == "zh-tw" and view.converted and "管理員" in view.question


def test_taiwan_registry_word_is_not_read_as_login(kb):
    # 登錄 is "registry" in Taiwan's Azure docs; OpenCC alone would make it 登录 (log in).
    analyzer = kb.index.analyzer
    assert "注册表" in analyzer.simplify("容器登錄的資訊清單")
    assert analyzer.simplify("simplified 登录 stays") == "simplified 登录 stays"


def test_forced_language(kb):
    found = kb.ask("how do I get admin credentials", language="zh-tw")
    assert found.language == "zh-tw"
    assert found.answer.view.language == "zh-tw"
    assert kb.ask("怎么获取管理员密码", language="en").answer.view.question.isascii()


def test_reloading_an_unchanged_knowledge_base_converts_nothing_again(monkeypatch):
    """The Traditional views a reload needs were all rendered by the load before it."""
    loader = language._converter

    def no_rendering_dictionary(config):
        assert config != "s2twp", "s2twp loaded again"
        return loader(config)

    first = Library([bundled_knowledge_dir()], "https://learn.microsoft.com/azure/")
    guarded = create_autospec(loader, side_effect=no_rendering_dictionary)
    monkeypatch.setattr(language, "_converter", guarded)
    again = Library([bundled_knowledge_dir()], "https://learn.microsoft.com/azure/")
    for entry, same in zip(first.current.entries, again.current.entries, strict=True):
        assert again.current.view(same, "zh-tw") == first.current.view(entry, "zh-tw")
