"""Markdown → Slack mrkdwn (bot/slack/mrkdwn.py), checked output by output."""

from __future__ import annotations

import re

from bot.slack.mrkdwn import escape, link, to_mrkdwn

BASE = "https://learn.microsoft.com/zh-cn/azure/container-registry/container-registry-faq"
DOCS = "https://learn.microsoft.com/zh-cn/azure/container-registry/"


def one(markdown: str, base_url: str | None = BASE) -> str:
    (block,) = to_mrkdwn(markdown, base_url)
    return block


def raw_angles(text: str) -> list[str]:
    """``<`` / ``>`` that are not part of a Slack link, quote marker or fence: must not exist."""
    without_links = re.sub(r"<(?:https?|mailto):[^<>]*>", "", text)
    without_quotes = re.sub(r"(?m)^> ", "", without_links)
    return re.findall(r"[<>]", without_quotes)


# --------------------------------------------------------------------------- escaping


def test_escape_the_three_entities_ampersand_first() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    # & first: an already-escaped entity is escaped again, never left half-done
    assert escape("&lt;") == "&amp;lt;"
    assert escape("<&>") == "&lt;&amp;&gt;"


def test_escape_leaves_quotes_alone_unlike_html_escape() -> None:
    assert escape("\"double\" and 'single'") == "\"double\" and 'single'"


def test_paragraph_text_is_escaped_and_quotes_kept() -> None:
    assert one("a & b < c > d \"q\" 's'") == "a &amp; b &lt; c &gt; d \"q\" 's'"


# --------------------------------------------------------------------------- links


def test_absolute_link_becomes_slack_link() -> None:
    assert one("see [the docs](https://example.com/p)") == "see <https://example.com/p|the docs>"


def test_link_label_with_pipe_cannot_end_the_label_early() -> None:
    out = one("[a|b](https://example.com/p)")
    assert out == "<https://example.com/p|a¦b>"
    assert out.count("|") == 1


def test_link_label_with_angle_brackets_and_ampersand_is_escaped() -> None:
    assert one("[a < b & c](https://example.com)") == "<https://example.com|a &lt; b &amp; c>"
    assert one("[`List<T>`](https://example.com)") == "<https://example.com|List&lt;T&gt;>"


def test_link_label_formatting_is_stripped_not_doubled() -> None:
    assert one("[**bold link**](https://example.com)") == "<https://example.com|bold link>"


def test_url_with_pipe_space_or_angle_is_percent_encoded() -> None:
    assert link("https://example.com/a|b c>d<e", "x") == "<https://example.com/a%7Cb%20c%3Ed%3Ce|x>"
    assert one("[x](<https://example.com/a b>)") == "<https://example.com/a%20b|x>"


def test_link_helper_without_label_and_with_escaped_label() -> None:
    assert link("https://example.com") == "<https://example.com>"
    assert link("https://example.com", "la|bel <x>") == "<https://example.com|la¦bel &lt;x&gt;>"


def test_link_whose_label_is_its_url_has_no_label() -> None:
    assert one("[https://example.com](https://example.com)") == "<https://example.com>"
    assert one("<https://example.com/x>") == "<https://example.com/x>"


def test_relative_md_link_resolves_against_the_base_url_without_md() -> None:
    assert one("[删除映像](container-registry-delete.md)") == (
        f"<{DOCS}container-registry-delete|删除映像>"
    )


def test_relative_md_link_keeps_its_fragment() -> None:
    assert one("[x](container-registry-delete.md#tags)") == (
        f"<{DOCS}container-registry-delete#tags|x>"
    )


def test_relative_link_without_base_url_is_plain_text() -> None:
    assert one("[删除映像](container-registry-delete.md)", None) == "删除映像"


def test_anchor_link_becomes_plain_text() -> None:
    assert one("[see above](#how-do-i-get-admin-credentials)") == "see above"


def test_link_to_another_scheme_is_kept() -> None:
    assert one("[mail](mailto:a@example.com)") == "<mailto:a@example.com|mail>"


# --------------------------------------------------------------------------- code


def test_code_block_kept_escaped_and_stars_untouched() -> None:
    markdown = "```bash\necho *a* _b_ <x> & y\n```"
    assert one(markdown) == "```\necho *a* _b_ &lt;x&gt; &amp; y\n```"


def test_indented_code_block_is_a_code_block() -> None:
    assert one("    indented code\n    more") == "```\nindented code\nmore\n```"


def test_code_block_is_its_own_block_between_paragraphs() -> None:
    assert to_mrkdwn("before\n\n```\nx\n```\n\nafter") == ["before", "```\nx\n```", "after"]


def test_inline_code_escaped_and_stars_untouched() -> None:
    assert one("use `a<b>*c*_d_` here") == "use `a&lt;b&gt;*c*_d_` here"


def test_blank_inline_code_is_dropped() -> None:
    assert one("a ` ` b") == "a  b"


def test_real_faq_xml_in_code_is_escaped(entries) -> None:
    entry = entries[
        "authentication-information-is-not-given-in-the-correct-format-on-direct-rest-api-calls"
    ]
    blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
    xml = next(b for b in blocks if "InvalidAuthenticationInfo&lt;/Code&gt;" in b)
    assert xml.startswith('```\n&lt;?xml version="1.0" encoding="utf-8"?&gt;\n')
    assert xml.endswith("&lt;/Message&gt;&lt;/Error&gt;\n```")
    assert all(raw_angles(b) == [] for b in blocks)


# --------------------------------------------------------------------------- emphasis and headings


def test_bold_and_italic_use_slack_marks() -> None:
    assert one("**bold** and *it* and _it2_") == "*bold* and _it_ and _it2_"


def test_heading_becomes_a_bold_line() -> None:
    assert to_mrkdwn("# Title\n\ntext") == ["*Title*", "text"]
    assert one("## Title with `code`") == "*Title with `code`*"


def test_bold_inside_a_heading_is_not_doubled() -> None:
    assert one("## **Note** here") == "*Note here*"
    assert one("# A *b* **c**") == "*A _b_ c*"


def test_heading_html_anchor_is_dropped(faq_text) -> None:
    heading = '### <a name="docker-pull-is-slow"></a>Docker 拉取速度缓慢'
    assert heading in faq_text
    assert one(heading) == "*Docker 拉取速度缓慢*"


# --------------------------------------------------------------------------- lists


def test_bullet_list() -> None:
    assert one("- a\n- b") == "• a\n• b"
    assert one("* star\n* two") == "• star\n• two"


def test_nested_bullet_list_is_indented_with_a_hollow_bullet() -> None:
    assert one("- a\n- b\n  - c\n  - d\n- e") == "• a\n• b\n    ◦ c\n    ◦ d\n• e"
    assert one("* a\n    * b\n        * c") == "• a\n    ◦ b\n        ◦ c"


def test_ordered_list_numbers_and_start() -> None:
    assert one("1. one\n2. two\n3. three") == "1. one\n2. two\n3. three"
    assert one("3. three\n4. four") == "3. three\n4. four"
    assert one("1) one\n1) two") == "1. one\n2. two"  # renumbered, not copied


def test_nested_ordered_list() -> None:
    assert one("1. one\n2. two\n   1. sub\n   2. sub2\n3. three") == (
        "1. one\n2. two\n    1. sub\n    2. sub2\n3. three"
    )


def test_list_item_with_a_code_block() -> None:
    markdown = "- item\n\n  ```bash\n  ls -la *.txt\n  ```\n- next"
    assert one(markdown) == "• item\n   ```\n   ls -la *.txt\n   ```\n• next"


def test_ordered_item_with_a_code_block_and_second_paragraph() -> None:
    markdown = "1. step\n\n   ```\n   a < b\n   ```\n\n   then this\n2. next"
    assert one(markdown) == "1. step\n   ```\n   a &lt; b\n   ```\n   then this\n2. next"


def test_list_item_that_starts_with_a_code_block() -> None:
    assert one("- ```\n  x\n  ```") == "• ```\n   x\n   ```"


def test_real_faq_list_items_with_code_blocks(entries) -> None:
    entry = entries[
        "how-do-i-grant-access-to-pull-or-push-images-without-permission-to-manage-the-registry-resource"
    ]
    blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
    assert blocks[0] == (
        "ACR 支持提供不同级别的权限的"
        f"<{DOCS}container-registry-roles|自定义角色>。 具体而言`AcrPull` , `AcrPush`和角色"
        "允许用户在 Azure 中没有管理注册表资源的权限的情况下请求和/或推送映像。"
    )
    assert blocks[1].startswith(
        "• Azure 门户：注册表 &gt; 访问控制 (IAM)-&gt; 添加 (为角色选择`AcrPull`或`AcrPush` )。\n"
        "• Azure CLI：通过运行以下命令查找注册表的资源 ID:\n"
        "   ```\n   az acr show -n myRegistry\n   ```\n"
    )
    # the source over-indents this code line and its closing fence: dedented, still one block
    assert (
        "   ```\n   az role assignment create --scope resource_id --role AcrPull "
        "--assignee user@example.com\n   ```"
    ) in blocks[1]
    for block in blocks:
        assert block.count("```") % 2 == 0, block


def test_real_faq_ordered_list_broken_by_under_indented_code(entries) -> None:
    entry = entries[
        "docker-push-succeeds-but-docker-pull-fails-with-error-unauthorized-authentication-required"
    ]
    blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
    # "2." after a 2-space-indented fence starts a new list that keeps its number
    assert "2. 通过运行以下命令重启 Docker 后台程序服务:" in blocks
    assert "```\nsudo systemctl restart docker.service\n```" in blocks


# --------------------------------------------------------------------------- quotes, html, rest


def test_important_note_from_the_faq(faq_text) -> None:
    markdown = (
        "> [!IMPORTANT]\n"
        "> 管理员用户帐户旨在使单个用户访问注册表, 主要用于测试目的。 建议不要与多个用户共享管理员"
        "帐户凭据。 建议用户和服务主体在无外设方案中使用单个标识。 请参阅[身份验证概述]"
        "(container-registry-authentication.md)。"
    )
    assert markdown in faq_text
    assert one(markdown) == (
        "> *Important:* 管理员用户帐户旨在使单个用户访问注册表, 主要用于测试目的。 建议不要与多个用户"
        "共享管理员帐户凭据。 建议用户和服务主体在无外设方案中使用单个标识。 请参阅"
        f"<{DOCS}container-registry-authentication|身份验证概述>。"
    )


def test_note_kinds_are_capitalised_and_text_escaped() -> None:
    assert one("> [!NOTE]\n> Be careful & safe.") == "> *Note:* Be careful &amp; safe."
    assert one("> [!WARNING]\n> x") == "> *Warning:* x"


def test_plain_quote_keeps_the_marker_on_every_line() -> None:
    assert one("> one  \n> two") == "> one\n> two"


def test_list_inside_a_quote_puts_the_marker_first() -> None:
    assert one("> - a\n> - b") == "> • a\n> • b"
    assert to_mrkdwn("> [!NOTE]\n> - a\n>   - b\n> - c") == [
        "> *Note:* ",
        "> • a\n>     ◦ b\n> • c",
    ]


def test_inline_html_tags_are_dropped_text_kept() -> None:
    assert one('Hello <b>world</b> <a name="x"></a>done') == "Hello world done"


def test_html_block_is_dropped() -> None:
    assert to_mrkdwn("<div>\nblock html\n</div>\n\npara") == ["para"]


def test_horizontal_rule_and_image_alt_text() -> None:
    assert to_mrkdwn("a\n\n---\n\nb") == ["a", "───", "b"]
    assert one("![diagram <1>](pic.png)") == "diagram &lt;1&gt;"


def test_hard_break_is_a_newline_soft_break_a_space() -> None:
    assert one("a  \nb") == "a\nb"
    assert one("a\nb") == "a b"


def test_empty_markdown_gives_no_blocks() -> None:
    assert to_mrkdwn("") == []
    assert to_mrkdwn("<a name='x'></a>\n\n   \n") == []


def test_every_bundled_entry_converts_to_balanced_escaped_mrkdwn(entries) -> None:
    assert len(entries) >= 25
    for entry in entries.values():
        blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
        assert blocks, entry.id
        for block in blocks:
            assert block.count("```") % 2 == 0, (entry.id, block)
            assert raw_angles(block) == [], (entry.id, block)
            assert "](" not in block or "`" in block, (entry.id, block)  # no markdown link left
            assert not re.search(r"&(?!amp;|lt;|gt;)", block), (entry.id, block)
