"""Block Kit limits of capture and App Home hold for long text, many groups, many pending items."""

from __future__ import annotations

import json

from bot.knowledge.asked import Asked, summary
from bot.knowledge.captured import MAX_ANSWER, MAX_QUESTION, Captured
from bot.knowledge.report import AdminReport
from bot.knowledge.review import Pending
from bot.slack import block_limits
from bot.slack.capture_blocks import Draft, modal, review_message
from bot.slack.from_mrkdwn import to_markdown
from bot.slack.home_blocks import HOME_BLOCKS, HomeData, home_view

LONG = "why " * 2000


def test_the_modal_clips_pre_filled_text_to_its_fields() -> None:
    view = modal(Draft(LONG, LONG, "zh-tw", "https://x.slack.com/" + "p" * 600), "zh-tw")
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert len(inputs["question"]["initial_value"]) <= MAX_QUESTION
    assert len(inputs["answer"]["initial_value"]) <= MAX_ANSWER
    assert len(inputs["permalink"]["initial_value"]) <= 500
    assert len(view["title"]["text"]) <= 24 and inputs["language"]["initial_option"]["value"]


def test_the_approver_dm_fits_for_the_longest_answer() -> None:
    answer = ("`code` *bold* <tag> & " * 200)[:MAX_ANSWER]
    item = Captured("abc", "q" * MAX_QUESTION, answer, "en", "https://x.slack.com/p1", "U1")
    message = review_message(item, "en")
    block_limits.check(message.blocks)
    assert any(b.get("block_id") == "capture_review_abc" for b in message.blocks)


def test_a_busy_admin_home_is_trimmed_and_says_so() -> None:
    asked = [
        Asked("dm", False, "", f"U{n}", n * 10.0, f"topic{n} w{n} x{n} {LONG}") for n in range(300)
    ]
    figures = {d: summary(asked, d, now=4000.0) for d in (7, 30)}
    pending = [Pending("answer", f"id{n}", LONG, LONG, "en", "U1", "https://x") for n in range(40)]
    report = AdminReport(figures, [], [], pending, {7: 1, 30: 2}, {7: 3, 30: 4})
    data = HomeData("UADMIN", "en", [(a, "entry") for a in asked[:20]], [], "books", report=report)
    view = home_view(data)
    assert len(view["blocks"]) <= HOME_BLOCKS
    block_limits.check(view["blocks"], max_blocks=HOME_BLOCKS)
    text = json.dumps(view)
    assert "and 292 more" in text and "and 32 more" in text  # trimmed lists say so


def test_slack_mrkdwn_becomes_markdown_with_code_kept() -> None:
    text = "*Do* this _now_ ~not that~:\n• one\n• two &lt;x&gt;\n```a *b* _c_ &amp;```\n`x*y*`"
    assert to_markdown(text) == (
        "**Do** this *now* ~~not that~~:\n- one\n- two <x>\n\n```\na *b* _c_ &\n```\n\n`x*y*`\n"
    )
    assert (
        to_markdown("<https://a.b/c_d_e|docs> <@U1|bob> <!here>")
        == "[docs](https://a.b/c_d_e) bob here\n"
    )


HOSTILE = "How do I fix <https://evil.example/phish|click to fix> <#C0GENERAL> pulls?"


def test_a_captured_question_plants_no_link_in_the_answer_or_the_review_dm() -> None:
    """Blocks and fallback text alike: a person's captured text is shown, never made live."""
    from bot.config import DEFAULT_DOCS_BASE_URL, bundled_knowledge_dir
    from bot.knowledge.captured import CapturedStore
    from bot.knowledge.library import Library
    from bot.slack.questions import result_message
    from bot.storage import MemoryStorage

    store = CapturedStore(MemoryStorage())
    item = store.submit(HOSTILE, "Run `az acr login` first.\n", "en", "", "UEXPERT")
    review = review_message(item, "en")
    store.decide(item.id, "approved", "UAPPROVER")
    library = Library([bundled_knowledge_dir()], DEFAULT_DOCS_BASE_URL, captured=store)
    answer = result_message(library.ask(HOSTILE))
    assert answer.blocks and answer.text
    for message in (review, answer):
        # Slack reads mrkdwn objects and the fallback text for links; plain_text never.
        sent = [message.text, *_mrkdwn_texts(message.blocks)]
        assert not [t for t in sent if "<https://evil" in t or "<#C0GENERAL>" in t]
        assert "evil.example" in message.text  # shown as text, not dropped


def _mrkdwn_texts(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for value in node.values() for t in _mrkdwn_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _mrkdwn_texts(item)]
    return []
