"""Block Kit limits (bot/slack/block_limits.py): clip, pack, check / problems_in."""

from __future__ import annotations

import copy
import re

import pytest

from bot.slack import block_limits
from bot.slack.block_limits import BlockLimitError, check, clip, pack, problems_in
from bot.slack.mrkdwn import to_mrkdwn
from tests.fakes.slack_api import validate_blocks

# --------------------------------------------------------------------------- clip


def test_clip_leaves_short_text_alone() -> None:
    assert clip("abc", 3) == "abc"
    assert clip("", 0) == ""


def test_clip_adds_an_ellipsis_within_the_limit() -> None:
    assert clip("abcdef", 4) == "abc…"
    assert len(clip("x" * 500, 150)) == 150


def test_clip_strips_trailing_space_before_the_ellipsis() -> None:
    assert clip("ab   cdef", 6) == "ab…"


def test_clip_with_custom_ellipsis() -> None:
    assert clip("abcdefgh", 6, "...") == "abc..."


# --------------------------------------------------------------------------- pack

FENCE = re.compile(r"(?m)^\s*```")


def fences_balanced(text: str) -> bool:
    return len(FENCE.findall(text)) % 2 == 0


def content(texts: list[str]) -> str:
    """All non-fence, non-blank characters, in order: what a reader gets to see."""
    lines = "\n".join(texts).split("\n")
    return "".join(line.replace(" ", "") for line in lines if not line.strip().startswith("```"))


def test_pack_joins_small_pieces_with_blank_lines() -> None:
    assert pack(["a", "b", "c"], 100) == ["a\n\nb\n\nc"]


def test_pack_starts_a_new_text_when_the_next_piece_does_not_fit() -> None:
    assert pack(["a" * 6, "b" * 6, "c" * 6], 15) == ["aaaaaa\n\nbbbbbb", "cccccc"]


def test_pack_of_nothing_is_nothing() -> None:
    assert pack([], 100) == []


def test_pack_keeps_a_piece_that_fits_exactly() -> None:
    assert pack(["x" * 100], 100) == ["x" * 100]


def test_pack_splits_a_long_paragraph_at_line_ends_in_order() -> None:
    piece = "\n".join(f"line {n:02d}" for n in range(30))
    texts = pack([piece], 40)
    assert all(len(t) <= 40 for t in texts)
    assert "\n".join(texts).split("\n") == piece.split("\n")


def test_pack_closes_and_reopens_a_code_fence_it_cuts() -> None:
    code = "```\n" + "\n".join(f"echo {n}" for n in range(40)) + "\n```"
    texts = pack(["intro", code, "outro"], 100)
    assert len(texts) > 2
    for text in texts:
        assert len(text) <= 100
        assert fences_balanced(text), text
    assert texts[0].startswith("intro\n\n```\necho 0\n")
    assert texts[1].startswith("```\n")
    assert texts[-1].endswith("```\n\noutro")
    assert content(texts) == content(["intro", code, "outro"])


def test_pack_never_makes_an_empty_code_block() -> None:
    code = "```\n" + "\n".join("y" * 40 for _ in range(4)) + "\n```"
    texts = pack([code], 100)
    assert texts == [
        "```\n" + "y" * 40 + "\n" + "y" * 40 + "\n```",
        "```\n" + "y" * 40 + "\n" + "y" * 40 + "\n```",
    ]


def test_pack_cuts_code_lines_longer_than_the_limit_and_stays_within_it() -> None:
    code = "```\n" + "\n".join(f"{n}" + "x" * 200 for n in range(6)) + "\n```"
    texts = pack([code], 100)
    for text in texts:
        assert len(text) <= 100, (len(text), text)
        assert fences_balanced(text), text
        assert text.strip("`\n"), "an empty code block"
    assert content(texts) == content([code])


def test_pack_keeps_every_word_of_a_paragraph_longer_than_a_section() -> None:
    paragraph = " ".join(f"word{n}" for n in range(1500))  # 12,389 characters, no newline
    texts = pack([paragraph], block_limits.SECTION_TEXT)
    assert len(texts) == 5
    assert all(len(t) <= block_limits.SECTION_TEXT for t in texts)
    assert " ".join(texts).split() == paragraph.split()  # cut at spaces: no word is broken


def test_pack_cuts_chinese_text_without_spaces() -> None:
    paragraph = "镜像推送特别慢怎么办" * 700  # 7,000 characters
    texts = pack([paragraph], block_limits.SECTION_TEXT)
    assert [len(t) for t in texts] == [3000, 3000, 1000]
    assert "".join(texts) == paragraph


def test_pack_never_cuts_inside_a_slack_link_or_entity() -> None:
    text = "see <https://example.com/a/long/path|a label with spaces> &amp; more " * 60
    texts = pack([text], 300)
    for part in texts:
        assert len(part) <= 300
        assert part.count("<") == part.count(">"), part
        assert not re.search(r"&(?!amp;)", part), part
    assert " ".join(texts).split() == text.split()


def test_pack_preserves_order_across_pieces() -> None:
    pieces = [f"piece {n}: " + "z" * (n * 37 % 500) for n in range(60)]
    texts = pack(pieces, 1000)
    assert all(len(t) <= 1000 for t in texts)
    assert "\n\n".join(texts).split("\n\n") == pieces


def test_pack_of_a_real_faq_answer_matches_its_blocks(entries) -> None:
    entry = entries[
        "how-do-i-grant-access-to-pull-or-push-images-without-permission-to-manage-the-registry-resource"
    ]
    blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
    assert pack(blocks) == ["\n\n".join(blocks)]  # under 3,000: one section, unchanged
    small = pack(blocks, 300)
    assert all(len(t) <= 300 and fences_balanced(t) for t in small)
    assert content(small) == content(blocks)


@pytest.mark.parametrize("limit", [60, 100, 250, 3000])
def test_pack_of_every_bundled_answer_respects_any_limit(entries, limit) -> None:
    for entry in entries.values():
        blocks = to_mrkdwn(entry.answer_markdown, entry.docs_url)
        texts = pack(blocks, limit)
        assert texts
        for text in texts:
            assert len(text) <= limit, (entry.id, limit, text)
            assert fences_balanced(text), (entry.id, limit, text)
        assert content(texts) == content(blocks), entry.id


# --------------------------------------------------------------------------- check / problems_in


def section(text: str = "hi", **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "b", text: str = "Go", value: str = "v", **extra) -> dict:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
        **extra,
    }


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def confirm(title="T", text="Sure?", yes="Yes", no="No") -> dict:
    return {
        "title": {"type": "plain_text", "text": title},
        "text": {"type": "mrkdwn", "text": text},
        "confirm": {"type": "plain_text", "text": yes},
        "deny": {"type": "plain_text", "text": no},
    }


def only_problem(blocks: list[dict]) -> str:
    (problem,) = list(problems_in(blocks))
    with pytest.raises(BlockLimitError) as raised:
        check(blocks)
    assert problem in str(raised.value)
    assert validate_blocks(blocks), "the fake Slack disagrees: it accepts this"
    return problem


def test_a_valid_message_has_no_problems() -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        section("s" * 3000),
        actions(button("a", "t" * 75, "v" * 2000, url="https://x.example/" + "u" * 2982)),
        actions(button("b", confirm=confirm("t" * 100, "x" * 300, "y" * 30, "n" * 30))),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
    ]
    assert list(problems_in(blocks)) == []
    check(blocks)
    assert validate_blocks(blocks) == []


def test_fifty_blocks_pass_fifty_one_fail() -> None:
    check([section() for _ in range(50)])
    assert only_problem([section() for _ in range(51)]) == "51 blocks, at most 50"


def test_section_text_limit() -> None:
    assert only_problem([section("s" * 3001)]) == (
        "blocks[0].text has 3001 characters, at most 3000"
    )


def test_section_fields_count_and_length() -> None:
    field = {"type": "mrkdwn", "text": "f"}
    assert "11 fields, at most 10" in only_problem([section(fields=[field] * 11)])
    long_field = {"type": "mrkdwn", "text": "f" * 2001}
    assert only_problem([section(fields=[field, long_field])]) == (
        "blocks[0].fields[1] has 2001 characters, at most 2000"
    )


def test_header_limit() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    assert only_problem([section(), header]) == "blocks[1].text has 151 characters, at most 150"


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        (button(text="t" * 76), "blocks[0].elements[0].text has 76 characters, at most 75"),
        (button(value="v" * 2001), "blocks[0].elements[0].value has 2001 characters, at most 2000"),
        (
            button(url="https://x.example/" + "u" * 2983),
            "blocks[0].elements[0].url has 3001 characters, at most 3000",
        ),
        (
            button(action_id="a" * 256),
            "blocks[0].elements[0].action_id has 256 characters, at most 255",
        ),
    ],
)
def test_button_limits(element: dict, expected: str) -> None:
    assert only_problem([actions(element)]) == expected


def test_button_as_section_accessory_is_checked_too() -> None:
    assert only_problem([section(accessory=button(text="t" * 80))]) == (
        "blocks[0].accessory.text has 80 characters, at most 75"
    )


@pytest.mark.parametrize(
    ("key", "limit"), [("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)]
)
def test_confirm_dialog_limits(key: str, limit: int) -> None:
    dialog = confirm()
    dialog[key]["text"] = "x" * (limit + 1)
    assert only_problem([actions(button(confirm=dialog))]) == (
        f"blocks[0].elements[0].confirm.{key} has {limit + 1} characters, at most {limit}"
    )
    dialog[key]["text"] = "x" * limit
    check([actions(button(confirm=dialog))])


def test_duplicate_action_id_in_one_actions_block() -> None:
    assert only_problem([actions(button("same"), button("same"))]) == (
        "blocks[0]: duplicate action_id"
    )


def test_same_action_id_in_two_blocks_is_allowed() -> None:
    check([actions(button("same")), actions(button("same"))])


def test_duplicate_block_id() -> None:
    blocks = [section(block_id="x"), section(block_id="y"), section(block_id="x")]
    assert only_problem(blocks) == "blocks[2]: duplicate block_id 'x'"


def test_long_block_id() -> None:
    assert only_problem([section(block_id="b" * 256)]) == (
        "blocks[0].block_id has 256 characters, at most 255"
    )


def test_too_many_elements() -> None:
    many = [button(f"b{n}") for n in range(26)]
    assert only_problem([actions(*many)]) == "blocks[0]: 26 elements, at most 25"
    context = {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}
    assert only_problem([context]) == "blocks[0]: more than 10 context elements"


def test_every_problem_is_reported_at_once() -> None:
    blocks = [section("s" * 3001)] * 51 + [actions(button("a" * 300, "t" * 80))]
    problems = list(problems_in(blocks))
    assert problems[0] == "52 blocks, at most 50"
    assert len(problems) == 1 + 51 + 2
    with pytest.raises(BlockLimitError) as raised:
        check(blocks)
    assert str(raised.value) == "; ".join(problems)


def test_check_does_not_modify_the_blocks() -> None:
    blocks = [section("s" * 10), actions(button())]
    before = copy.deepcopy(blocks)
    check(blocks)
    assert blocks == before
