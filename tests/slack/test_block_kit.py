"""block_kit.py's dicts are exactly what slack_sdk's typed models make of the same content."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack import block_kit as bk


def test_each_builder_matches_the_typed_model() -> None:
    pairs = [
        (bk.header("Admin 帐户"), HeaderBlock(text="Admin 帐户")),
        (bk.section("*bold* `code`"), SectionBlock(text=MarkdownTextObject(text="*bold* `code`"))),
        (bk.context("a", "b"), ContextBlock(elements=[MarkdownTextObject(text=t) for t in "ab"])),
        (bk.divider(), DividerBlock()),
        (
            bk.actions("ids", [bk.button("👍", "up", "v"), bk.button("S", "s", "w", "primary")]),
            ActionsBlock(
                block_id="ids",
                elements=[
                    ButtonElement(text="👍", action_id="up", value="v"),
                    ButtonElement(text="S", action_id="s", value="w", style="primary"),
                ],
            ),
        ),
    ]
    for made, typed in pairs:
        assert made == typed.to_dict()
