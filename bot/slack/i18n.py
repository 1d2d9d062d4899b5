"""acrbot's own words in the language of the question (English, Simplified or Traditional Chinese).

Traditional Chinese ("zh-tw") is the Simplified table converted with OpenCC,
all of it at once on first use (:func:`render_ahead`), so the two never
drift apart and no later message loads OpenCC's dictionaries again; other
languages get English labels.
"""

from __future__ import annotations

from functools import lru_cache

from bot.knowledge.language import ZH_TW, detect, rendering_ahead, to_traditional

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "no_answer": "I don't know a good answer to that.",
        "no_answer_hint": ("Try the error message or the feature's name, or see `/acr help`."),
        "did_you_mean": "*Did you mean:*",
        "confidence": "confidence {value}",
        "docs": "Docs",
        "helpful": "👍 Helpful",
        "not_helpful": "👎 Not helpful",
        "share": "Share in channel",
        "shared_by": "Shared by <@{user}>",
        "thanks_feedback": "Thanks — your feedback was recorded.",
        "run_check": "🩺 Run check-health on {registry}",
        "truncated": "… the answer continues in the docs.",
        "empty_question": "Ask me a question, e.g. `/acr ask how do I get admin credentials?`",
        "unknown_entry": (
            "That entry is no longer in the knowledge base. Ask again to get a fresh answer."
        ),
        "not_available": (
            "`/acr {command}` is not available yet: it is being built. "
            "Questions work now: `/acr ask …`."
        ),
        "error": "Something went wrong on my side; please try again in a minute.",
        "expired_button": (
            "This button no longer works (the message is too old or was changed). Ask again."
        ),
        "reading_as": "Reading this as: {text}",
        "handoff_posted": "{group} <@{user}> still needs help with this question.",
        "handoff_already": "The team has already been asked to help in this thread.",
        "handoff_reminder": "Reminder {group}: this question is still open.",
        "handoff_resolved": "✅ Resolved by <@{user}>.",
        "handoff_not_yours": "Only the person who asked, or someone in {group}, can resolve this.",
        "handoff_gone": "This hand-off is already resolved.",
        "reaction_no_answer": (
            "You asked me about a message with :{reaction}:, but I don't know a good answer "
            "to it. Try `/acr ask` with the error text or the feature's name."
        ),
        "reaction_unreadable": (
            "You asked me about a message with :{reaction}:, but I can't read any words in it "
            "(it may be gone, or I may not be able to see it yet). React again later, or try "
            "`/acr ask` with its text."
        ),
    },
    "zh": {
        "no_answer": "这个问题我暂时找不到合适的答案。",
        "no_answer_hint": "可以贴上报错信息或功能名称再问一次，或查看 `/acr help`。",
        "did_you_mean": "*你是不是想问：*",
        "confidence": "置信度 {value}",
        "docs": "文档",
        "helpful": "👍 有帮助",
        "not_helpful": "👎 没帮助",
        "share": "分享到频道",
        "shared_by": "由 <@{user}> 分享",
        "thanks_feedback": "谢谢，已记录你的反馈。",
        "run_check": "🩺 对 {registry} 运行健康检查",
        "truncated": "……完整答案请看文档。",
        "empty_question": "请提问，例如 `/acr ask 怎么获取管理员凭据？`",
        "unknown_entry": "这个条目已不在知识库中，请重新提问。",
        "not_available": "`/acr {command}` 还不可用（正在开发）。现在可以提问：`/acr ask …`。",
        "error": "我这边出了点问题，请稍后再试。",
        "expired_button": "这个按钮已失效（消息过旧或已更改），请重新提问。",
        "reading_as": "我的理解：{text}",
        "handoff_posted": "{group} <@{user}> 这个问题还需要人工帮助。",
        "handoff_already": "已经请团队在这个话题里帮忙了。",
        "handoff_reminder": "提醒 {group}：这个问题仍未解决。",
        "handoff_resolved": "✅ 已由 <@{user}> 标记为已解决。",
        "handoff_not_yours": "只有提问的人或 {group} 的成员可以标记为已解决。",
        "handoff_gone": "这个求助已经解决了。",
        "reaction_no_answer": (
            "你用 :{reaction}: 问了一条消息，但我找不到合适的答案。"
            "可以用 `/acr ask` 加上报错信息或功能名称再问一次。"
        ),
        "reaction_unreadable": (
            "你用 :{reaction}: 问了一条消息，但我读不到其中的文字"
            "（消息可能已删除，或我暂时看不到）。请稍后再加一次表情，或用 `/acr ask` 加上它的内容。"
        ),
    },
}

HELP = {
    "en": (
        "*acrbot* answers Azure Container Registry questions, in English or Chinese.\n"
        "• `/acr ask QUESTION` (or just `/acr QUESTION`): an answer only you see, "
        "with a button to share it\n"
        "• mention me in a channel, or DM me: I answer in a thread\n"
        "• `/acr diagnose REGISTRY [REPOSITORY]`: read-only health check (and pull access "
        "to REPOSITORY), after you confirm\n"
        "• `/acr usage REGISTRY`: storage and webhook usage against the limits\n"
        "• `/acr info REGISTRY`: SKU, network rules, policies (never a credential)\n"
        "• `/acr pull IMAGE [CLUSTER]`: why can't this cluster pull this image? "
        "(read-only, from configuration)\n"
        "• `/acr triage TEXT`: paste an alert or an error: what it is about, the FAQ, the checks\n"
        "• `/acr help`: this message"
    ),
    "zh": (
        "*acrbot* 用中文或英文回答 Azure 容器注册表（ACR）相关问题。\n"
        "• `/acr ask 问题`（或直接 `/acr 问题`）：只有你能看到的答案，可一键分享到频道\n"
        "• 在频道里 @我，或私信我：我会在话题中回复\n"
        "• `/acr diagnose 注册表名 [存储库]`：确认后运行只读的健康检查（并检查能否拉取该存储库）\n"
        "• `/acr usage 注册表名`：存储和 Webhook 用量与上限\n"
        "• `/acr info 注册表名`：SKU、网络规则、策略（从不显示凭据）\n"
        "• `/acr pull 映像 [集群]`：这个集群为什么拉取不了这个映像？（只读，依据配置判断）\n"
        "• `/acr triage 文本`：粘贴告警或报错：涉及什么、FAQ 条目和可运行的检查\n"
        "• `/acr help`：显示本帮助"
    ),
}


def language_of(text: str) -> str:
    """``zh`` or ``zh-tw`` if the text has Chinese in it (mixed messages come from Chinese
    speakers; the characters tell Traditional from Simplified), else ``en`` (or ``ja``/``ko``)."""
    return detect(text)


@lru_cache(maxsize=1)
def render_ahead() -> None:
    """Every message and the help in Traditional Chinese, converted once and kept."""
    with rendering_ahead("messages"):
        for text in (*MESSAGES["zh"].values(), HELP["zh"]):
            to_traditional(text)


def say(language: str, key: str, **values: str) -> str:
    if language == ZH_TW:
        render_ahead()
        return to_traditional(MESSAGES["zh"][key]).format(**values)
    table = MESSAGES.get(language, MESSAGES["en"])
    return table.get(key, MESSAGES["en"][key]).format(**values)


def help_text(language: str) -> str:
    if language == ZH_TW:
        render_ahead()
        return to_traditional(HELP["zh"])
    return HELP.get(language, HELP["en"])
