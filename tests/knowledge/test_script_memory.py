"""Chinese script tools keep no large OpenCC dictionary once start-up is done (issue 17)."""

from __future__ import annotations

import opencc

from bot.knowledge import language
from bot.knowledge.language import is_traditional, rendering_ahead, to_traditional


def test_characters_are_told_apart_as_opencc_would_one_by_one() -> None:
    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    sample = "软件登錄檔注册表資訊清单镜像鏡像的是"
    for char in sample:
        expected = 1 if t2s.convert(char) != char else -1 if s2t.convert(char) != char else 0
        assert language._kind(char) == expected, char
    assert is_traditional("容器登錄的資訊清單")
    assert not is_traditional("容器注册表的清单")


def test_text_rendered_ahead_is_kept_and_the_dictionaries_dropped() -> None:
    with rendering_ahead("test"):
        kept = to_traditional("如何为注册表启用管理员用户")
    assert "s2twp" not in language._converters
    assert to_traditional("如何为注册表启用管理员用户") == kept
    assert "s2twp" not in language._converters  # served from what was kept


def test_text_nobody_rendered_ahead_is_still_converted() -> None:
    with rendering_ahead("test"):
        pass
    assert to_traditional("软件") == "軟體"
