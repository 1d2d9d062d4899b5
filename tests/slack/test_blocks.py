"""Block Kit answers (bot/slack/blocks.py) for every bundled entry and for monsters."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.knowledge.editions import view_of
from bot.knowledge.index import Evidence, Hit
from bot.knowledge.library import SearchResult
from bot.knowledge.markdown_parser import parse_markdown
from bot.knowledge.model import Entry
from bot.slack import block_limits
from bot.slack.blocks import (
    QUERY_IN_BUTTON,
    Message,
    answer_message,
    button_value,
    entry_message,
    help_message,
    no_answer_message,
    notice,
    read_button_value,
)
from bot.slack.i18n import HELP, MESSAGES
from tests.fakes.slack_api import message_problems, validate_blocks

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"
EVIDENCE = Evidence(coverage=1, known_coverage=1, strength=1, lead=1, title=1, matched=1)


def hit(entry: Entry, score: float) -> Hit:
    return Hit(entry=entry, score=score, evidence=EVIDENCE)


def result(query: str, *hits: Hit, answered: bool = True) -> SearchResult:
    return SearchResult(query, tuple(hits), answered, suggest_threshold=0.2)


def buttons(message: Message) -> list[dict[str, Any]]:
    return [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def sections(message: Message) -> list[str]:
    return [b["text"]["text"] for b in message.blocks if b["type"] == "section"]


def assert_sendable(message: Message) -> None:
    """Everything Slack (and our stricter fake) would check, three independent ways."""
    assert 0 < len(message.blocks) <= block_limits.MAX_BLOCKS
    assert list(block_limits.problems_in(message.blocks)) == []
    assert validate_blocks(message.blocks) == []
    assert message_problems(message.as_kwargs()) is None
    for block in message.blocks:
        assert Block.parse(block).to_dict() == block  # slack_sdk validates while rendering
    assert message.text.strip()
    assert len(message.text) <= block_limits.FALLBACK_TEXT
    for element in buttons(message):
        if element["action_id"].startswith(("feedback_", "share_answer", "show_entry_")):
            parsed = read_button_value(element["value"])
            assert parsed is not None, element
    for block in message.blocks:
        if block["type"] == "actions":
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids)), ids


# --------------------------------------------------------------------------- button values


def test_button_value_round_trips() -> None:
    value = button_value("faq.zh-cn#admin", 'acr 的 admin 密码 "quoted" \\ <x>')
    assert read_button_value(value) == ("faq.zh-cn#admin", 'acr 的 admin 密码 "quoted" \\ <x>')


def test_button_value_keeps_non_ascii_readable_and_short() -> None:
    value = button_value("k", "镜像推送特别慢怎么办")
    assert "镜像" in value
    assert len(value) == len('{"k": "k", "q": "镜像推送特别慢怎么办"}')


def test_button_value_cuts_the_query() -> None:
    key, query = read_button_value(button_value("k", "q" * 5000))
    assert (key, query) == ("k", "q" * QUERY_IN_BUTTON)


@pytest.mark.parametrize("query", ["\x1b" * 2000, '"' * 2000, "\\" * 2000, "\x01x" * 900])
def test_button_value_fits_a_button_even_when_json_escapes_inflate_it(query: str) -> None:
    key = "container-registry-faq.zh-cn#" + "a" * 200
    value = button_value(key, query)
    assert len(value) <= block_limits.BUTTON_VALUE
    read_key, read_query = read_button_value(value)
    assert read_key == key
    assert query.startswith(read_query) and read_query


@pytest.mark.parametrize(
    "value",
    [None, "", "not json", "[]", "{}", '{"q": "x"}', "null", "42", '"k"', "{'k': 'x'}"],
)
def test_read_button_value_refuses_anything_we_did_not_make(value) -> None:
    assert read_button_value(value) is None


def test_read_button_value_without_query() -> None:
    assert read_button_value('{"k": "x"}') == ("x", "")


# --------------------------------------------------------------------------- every bundled entry


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_bundled_entry_makes_a_sendable_answer(entries, language) -> None:
    every = list(entries.values())
    assert len(every) >= 25
    for number, entry in enumerate(every):
        others = [every[(number + k) % len(every)] for k in (1, 2, 3)]
        scores = (0.45, 0.3, 0.1)  # the last is below the 0.2 suggestion threshold
        found = result(
            "a question",
            hit(entry, 0.91),
            *(hit(o, s) for o, s in zip(others, scores, strict=True)),
        )
        view = view_of(entry, language)  # the asker's edition (issue 11)
        assert view.language == language
        for shareable in (False, True):
            message = answer_message(found, language, shareable=shareable)
            assert_sendable(message)
            assert message.blocks[0] == {
                "type": "header",
                "text": {"type": "plain_text", "text": view.question, "emoji": True},
            }
            assert message.text.startswith(view.question + "\n")
            assert message.text.endswith(view.docs_url)
            keys = {"feedback_up": entry.key, "feedback_down": entry.key}
            keys |= {"share_answer": entry.key} if shareable else {}
            keys |= {"show_entry_0": others[0].key, "show_entry_1": others[1].key}
            assert [b["action_id"] for b in buttons(message)] == list(keys)
            for element in buttons(message):
                assert read_button_value(element["value"]) == (
                    keys[element["action_id"]],
                    "a question",
                )


def test_every_bundled_entry_keeps_its_code_visible(entries) -> None:
    for entry in entries.values():
        text = "\n".join(sections(entry_message(entry, "q", "zh")))
        for block in entry.code_blocks:
            first = block.code.strip().splitlines()[0].strip()
            first = first.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            assert first in text, (entry.id, first)


def test_admin_credentials_answer_in_detail(entries) -> None:
    entry = entries[ADMIN]
    message = answer_message(result("acr 的 admin 密码", hit(entry, 0.97)), "zh", shareable=True)
    assert [b["type"] for b in message.blocks] == ["header", "section", "context", "actions"]
    (body,) = sections(message)
    assert body.startswith("> *Important:* 管理员用户帐户")
    assert "```\naz acr credential show -n myRegistry\n```" in body
    context = message.blocks[2]["elements"][0]["text"]
    assert context == f"<{entry.docs_url}|文档> · 置信度 0.97"
    assert [e["text"]["text"] for e in buttons(message)] == ["👍 有帮助", "👎 没帮助", "分享到频道"]
    assert buttons(message)[2]["style"] == "primary"
    assert message.blocks[3]["block_id"] == "answer_actions"


def test_english_labels_for_an_english_question(entries) -> None:
    message = answer_message(result("admin password", hit(entries[ADMIN], 0.5)), "en")
    assert message.blocks[2]["elements"][0]["text"].endswith("|Docs> · confidence 0.50")
    assert [e["text"]["text"] for e in buttons(message)] == ["👍 Helpful", "👎 Not helpful"]


def test_unknown_language_falls_back_to_english(entries) -> None:
    message = answer_message(result("q", hit(entries[ADMIN], 0.5)), "fr")
    assert [e["text"]["text"] for e in buttons(message)] == ["👍 Helpful", "👎 Not helpful"]


def test_shared_entry_names_who_shared_it_without_confidence(entries) -> None:
    message = entry_message(entries[ADMIN], "q", "en", shared_by="UALICE")
    assert message.blocks[2]["elements"][0]["text"] == (
        f"<{view_of(entries[ADMIN], 'en').docs_url}|Docs> · Shared by <@UALICE>"
    )
    assert_sendable(message)


# --------------------------------------------------------------------------- did you mean


def test_did_you_mean_buttons(entries) -> None:
    every = list(entries.values())
    found = result("q", hit(every[0], 0.8), *(hit(e, 0.3) for e in every[1:4]))
    message = answer_message(found, "en")
    assert message.blocks[-3] == {"type": "divider"}
    assert message.blocks[-2]["text"]["text"] == "*Did you mean:*"
    suggestions = message.blocks[-1]
    assert suggestions["block_id"] == "suggestions"
    assert [e["action_id"] for e in suggestions["elements"]] == [
        "show_entry_0",
        "show_entry_1",
        "show_entry_2",
    ]
    for element, entry in zip(suggestions["elements"], every[1:4], strict=True):
        assert read_button_value(element["value"]) == (entry.key, "q")
        label = view_of(entry, "en").question  # in the asker's language
        assert element["text"]["text"] == block_limits.clip(label, block_limits.BUTTON_TEXT)
        assert len(element["text"]["text"]) <= block_limits.BUTTON_TEXT
    assert_sendable(message)


def test_did_you_mean_is_in_chinese_for_chinese(entries) -> None:
    every = list(entries.values())
    message = answer_message(result("q", hit(every[0], 0.8), hit(every[1], 0.3)), "zh")
    assert message.blocks[-2]["text"]["text"] == "*你是不是想问：*"


def test_suggestions_below_the_threshold_are_not_offered(entries) -> None:
    every = list(entries.values())
    message = answer_message(result("q", hit(every[0], 0.8), hit(every[1], 0.1)), "en")
    assert all(b["type"] != "divider" for b in message.blocks)
    assert [e["action_id"] for e in buttons(message)] == ["feedback_up", "feedback_down"]


def test_long_question_is_clipped_in_header_and_buttons(entries) -> None:
    entry = replace(entries[ADMIN], question="为什么" * 100)  # 300 characters
    message = answer_message(result("q", hit(entry, 0.9), hit(entry, 0.5)), "zh")
    assert message.blocks[0]["text"]["text"] == block_limits.clip(entry.question, 150)
    assert len(message.blocks[0]["text"]["text"]) == 150
    assert buttons(message)[-1]["text"]["text"].endswith("…")
    assert_sendable(message)


# --------------------------------------------------------------------------- no answer, help


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_answer_is_honest_and_has_a_fallback(language) -> None:
    message = no_answer_message(result("what's for lunch?", answered=False), language)
    assert message.text == MESSAGES[language]["no_answer"]
    assert message.blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{MESSAGES[language]['no_answer']}*\n{MESSAGES[language]['no_answer_hint']}",
            },
        }
    ]
    assert_sendable(message)


def test_no_answer_offers_every_near_miss(entries) -> None:
    every = list(entries.values())
    found = result("q", *(hit(e, 0.45) for e in every[:5]), answered=False)
    message = answer_message(found, "en")
    assert message.text == "I don't know a good answer to that."
    ids = [e["action_id"] for e in buttons(message)]
    assert ids == ["show_entry_0", "show_entry_1", "show_entry_2"]  # at most three
    assert "feedback_up" not in ids
    assert_sendable(message)


@pytest.mark.parametrize("language", ["en", "zh", "fr"])
def test_help_message(language) -> None:
    message = help_message(language)
    expected = HELP.get(language, HELP["en"])
    assert message.blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": expected}}]
    assert message.text == expected.replace("*", "")
    assert "/acr diagnose" in message.text
    assert_sendable(message)


def test_help_with_access_note_escapes_it() -> None:
    message = help_message("en", "You may run <all> checks & more")
    assert message.blocks[1] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "You may run &lt;all&gt; checks &amp; more"}],
    }
    assert_sendable(message)


def test_notice_clips_and_keeps_fallback() -> None:
    message = notice("x" * 5000)
    assert len(message.blocks[0]["text"]["text"]) == 3000
    assert len(message.text) <= block_limits.FALLBACK_TEXT
    assert notice("*hi*", "hi").text == "hi"
    assert_sendable(message)


def test_message_refuses_blocks_that_break_limits() -> None:
    with pytest.raises(block_limits.BlockLimitError, match="51 blocks"):
        Message("x", [{"type": "divider"}] * 51)


def test_message_clips_an_overlong_fallback() -> None:
    assert len(Message("y" * 10_000).text) == block_limits.FALLBACK_TEXT


# --------------------------------------------------------------------------- monsters


def huge_markdown(size: int = 200_000) -> str:
    parts = ['### <a name="how-big"></a>How big can an answer get?\n']
    number = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"Paragraph {number} with *stars* & <angle> [a link](page-{number}.md) `code_{number}`.\n"
        )
        parts.append(
            f'```bash\naz acr show -n reg{number} --query "[?a<b]" && echo *done*\n'
            + "x = 1\n" * 30
            + "```\n"
        )
        parts.append(
            f"- item {number}\n  - nested {number}\n\n    ```\n    code {number}\n    ```\n"
        )
        number += 1
    return "\n".join(parts)


@pytest.fixture(scope="module")
def huge_entry() -> Entry:
    text = "---\ndocs_page: huge\n---\n" + huge_markdown()  # relative links resolve on the site
    (entry,) = parse_markdown(text, "huge.md", "https://docs.example.com/acr/")
    assert len(entry.answer_markdown) > 190_000
    return entry


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_200_kb_answer_is_truncated_to_fifty_blocks(huge_entry, entries, language) -> None:
    every = list(entries.values())
    found = result("q", hit(huge_entry, 0.9), *(hit(e, 0.5) for e in every[:3]))
    message = answer_message(found, language, shareable=True)
    assert len(message.blocks) == block_limits.MAX_BLOCKS
    assert_sendable(message)
    texts = sections(message)
    truncated = MESSAGES[language]["truncated"]
    assert texts[-2] == truncated  # last answer section, before "did you mean"
    assert message.blocks[-4]["type"] == "actions"  # the feedback buttons survived
    assert [b["action_id"] for b in buttons(message)][-3:] == [
        "show_entry_0",
        "show_entry_1",
        "show_entry_2",
    ]
    for text in texts[:-2]:
        assert text.count("```") % 2 == 0, text
    assert texts[0].startswith(
        "Paragraph 0 with _stars_ &amp;  <https://docs.example.com/acr/page-0|a link> `code_0`.\n\n"
        '```\naz acr show -n reg0 --query "[?a&lt;b]" &amp;&amp; echo *done*\nx = 1\n'
    )


def test_a_200_kb_answer_without_suggestions_uses_all_the_room(huge_entry) -> None:
    message = entry_message(huge_entry, "q", "en")
    assert len(message.blocks) == block_limits.MAX_BLOCKS
    assert [b["type"] for b in message.blocks[-2:]] == ["context", "actions"]
    assert sections(message)[-1] == MESSAGES["en"]["truncated"]
    assert_sendable(message)


def test_an_answer_of_giant_lines_still_fits(entries) -> None:
    markdown = (
        "A" * 10_000
        + "\n\n```\n"
        + "B" * 7_000
        + "\n```\n\n"
        + " ".join(["<x> & y"] * 2000)
        + "\n\n- "
        + "C" * 5000
    )
    entry = replace(entries[ADMIN], answer_markdown=markdown)  # its primary (zh) edition
    message = entry_message(entry, "q" * 3000, "zh", shareable=True)
    assert_sendable(message)
    body = "".join(sections(message)).replace("\n", "").replace("`", "")
    assert body.count("A") == 10_000 and body.count("B") == 7_000 and body.count("C") == 5000


def test_an_entry_with_an_empty_answer_still_has_a_section(entries) -> None:
    entry = replace(entries[ADMIN], answer_markdown="")  # its primary (zh) edition
    message = entry_message(entry, "q", "zh")
    assert sections(message)[0] == "…"
    assert message.text.strip()
    assert_sendable(message)


def test_fallback_is_plain_question_first_block_and_link(entries) -> None:
    entry = entries[ADMIN]
    message = entry_message(entry, "q", "zh")
    first = "> *Important:* 管理员用户帐户"
    lines = message.text.split("\n")
    assert lines[0] == entry.question
    assert lines[1].startswith(first)
    assert lines[-1] == entry.docs_url


def test_as_kwargs_is_what_chat_post_message_takes(entries) -> None:
    message = entry_message(entries[ADMIN], "q", "en")
    kwargs = message.as_kwargs()
    assert set(kwargs) == {"text", "blocks"}
    json.dumps(kwargs)  # plain data, no slack_sdk objects left


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(600, "10 minutes"), (60, "1 minute"), (90, "90 seconds"), (7200, "2 hours"), (1, "1 second")],
)
def test_confirm_lifetime_is_shown_as_configured(seconds: float, shown: str) -> None:
    from bot.slack.diagnostics_blocks import lifetime

    assert lifetime(seconds) == shown
