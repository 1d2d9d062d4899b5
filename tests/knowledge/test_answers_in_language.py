"""An English question gets English, a Traditional Chinese one Traditional (issue 11, Slack side)."""

from __future__ import annotations

import json

from bot.knowledge.evaluation import Labelled, evaluate
from bot.slack.blocks import answer_message
from bot.slack.i18n import language_of, say
from bot.slack.questions import result_message

ADMIN = "how-do-i-get-admin-credentials-for-a-container-registry"


def texts(message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def test_english_question_gets_an_english_answer_and_docs_link(kb):
    message = result_message(kb.ask("where do I find the admin password of my registry?"))
    header = message.blocks[0]["text"]["text"]
    assert header == "How do I get the admin credentials for a container registry?"
    body = texts(message)
    assert "https://learn.microsoft.com/en-us/azure/container-registry/" in body
    assert "/zh-cn/" not in body
    assert "管理员" not in body
    assert "az acr credential show -n myRegistry" in body


def test_did_you_mean_labels_follow_the_asker(kb):
    english = kb.ask("admin credentials")
    labels = [
        e["text"]["text"]
        for b in answer_message(english, "en").blocks
        if b.get("block_id") == "suggestions"
        for e in b["elements"]
    ]
    assert labels and all(label.isascii() for label in labels)


def test_traditional_question_gets_a_traditional_answer(kb):
    found = kb.ask("如何取得容器登錄的管理員認證")
    message = result_message(found)
    body = texts(message)
    assert found.answer.entry.id == ADMIN
    assert message.blocks[0]["text"]["text"] == found.answer.view.question
    assert "管理員" in body and "管理员" not in body
    assert "https://learn.microsoft.com/zh-tw/azure/container-registry/" in body
    assert say("zh-tw", "docs") in body  # acrbot's own words in Traditional too
    assert language_of("如何取得容器登錄的管理員認證") == "zh-tw"
    assert say("zh-tw", "helpful") != say("zh", "helpful")


def test_eval_reports_each_kind_of_query(kb):
    report = evaluate(
        kb,
        [
            Labelled("admin password", ADMIN, "en"),
            Labelled("如何取得容器登錄的管理員認證", ADMIN, "zh-tw"),
            Labelled("best ramen near the office?", None, "off-topic"),
        ],
    )
    assert report.by_kind["zh-tw"] == {"queries": 1, "top1": 1.0, "top3": 1.0}
    assert report.by_kind["off-topic"] == {"queries": 1, "rejected": 1.0}
    assert any(line.strip().startswith("zh-tw") for line in report.lines())
