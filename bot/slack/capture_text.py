"""The words of capture, approval and App Home, in English and Chinese (Traditional by OpenCC).

Kept apart from :mod:`bot.slack.i18n` (the answers' words) and rendered
ahead the same way: Traditional Chinese is converted once, at start-up.
"""

from __future__ import annotations

from functools import lru_cache

from bot.knowledge.language import ZH_TW, normalise, rendering_ahead, to_traditional

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "modal_title": "Save as acrbot answer",
        "edit_title": "Edit captured answer",
        "save": "Save",
        "cancel": "Cancel",
        "question": "Question",
        "answer": "Answer (markdown)",
        "language": "Language",
        "permalink": "Link to the thread",
        "modal_hint": (
            "An approver checks it before acrbot answers from it. Never include tokens "
            "or passwords."
        ),
        "submitted": "Thanks! Your answer to _{question}_ waits for an approver.",
        "no_approvers": (
            "Saved, but no approvers are configured (knowledge.approvers): ask an admin to "
            "approve it with `acrbot knowledge approve {id}`."
        ),
        "review_title": "New answer to approve",
        "review_by": "Submitted by <@{user}> · {lang} · `{id}`",
        "thread": "Thread",
        "approve": "Approve",
        "edit": "Edit",
        "reject": "Reject",
        "reject_confirm": "Reject this answer? acrbot will never answer from it.",
        "approved": ":white_check_mark: Approved by <@{user}>: acrbot answers it now.",
        "rejected": ":x: Rejected by <@{user}>.",
        "edited": ":pencil2: Edited by <@{user}>; still waiting for approval.",
        "not_approver": "Only the approvers named in knowledge.approvers can do that.",
        "offer": "Save this message as an acrbot answer?",
        "open": "Open the form",
        "gone": "That message can no longer be read (deleted, or acrbot is not in the channel).",
        "home_title": "acrbot",
        "home_can": (
            "*What I can do here*\n• mention me or DM me a question about Azure Container "
            "Registry: I answer in a thread\n• `/acr ask`, `/acr diagnose`, `/acr usage`, "
            "`/acr info`, `/acr triage`, `/acr help`\n• the message shortcut *Save as acrbot "
            "answer* turns an expert's reply into an answer, once an approver agrees"
        ),
        "reaction_hint": "• react with :{reaction}: to a reply to offer it as an answer",
        "your_questions": "*Your recent questions*",
        "no_questions": "You have not asked me anything yet.",
        "answered_by": "answered by {entry}",
        "not_answered": "not answered",
        "your_confirms": "*Your checks waiting for Confirm*",
        "your_handoffs": "*Your questions handed to people (open)*",
        "open_handoffs": "*Open hand-offs*: {count}",
        "admin_title": "Admin",
        "asked": "*Last {days} days*: {asked} asked, {answered} answered ({share})",
        "by_source": "by source",
        "per_day": "*Answered vs not, per day* (█ answered, ░ not)",
        "unanswered": "*Not answered, grouped*",
        "none_unanswered": "Every question was answered.",
        "times": "{count}× ({users} people) e.g. _{example}_",
        "write": "Write an answer",
        "worst": "*Most 👎*",
        "unused": "*Never used ({days} days)*",
        "pending": "*Waiting for approval*",
        "nothing_pending": "Nothing waits for approval.",
        "phrasing": "phrasing for {entry}, picked {count}×",
        "ops": "*Operations ({days} days)*: {checks} checks run, {alerts} alerts triaged",
        "more": "… and {count} more (see `acrbot knowledge pending` / `acrbot report`)",
    },
    "zh": {
        "modal_title": "保存为 acrbot 答案",
        "edit_title": "编辑答案",
        "save": "保存",
        "cancel": "取消",
        "question": "问题",
        "answer": "答案（markdown）",
        "language": "语言",
        "permalink": "话题链接",
        "modal_hint": "审批人确认后 acrbot 才会用它回答。不要包含令牌或密码。",
        "submitted": "谢谢！你对 _{question}_ 的答案正在等待审批。",
        "no_approvers": (
            "已保存，但没有配置审批人（knowledge.approvers）：请管理员运行 "
            "`acrbot knowledge approve {id}`。"
        ),
        "review_title": "有新答案待审批",
        "review_by": "提交人 <@{user}> · {lang} · `{id}`",
        "thread": "话题",
        "approve": "批准",
        "edit": "编辑",
        "reject": "拒绝",
        "reject_confirm": "拒绝这个答案？acrbot 将不会用它回答。",
        "approved": ":white_check_mark: 已由 <@{user}> 批准，acrbot 现在就会用它回答。",
        "rejected": ":x: 已由 <@{user}> 拒绝。",
        "edited": ":pencil2: 已由 <@{user}> 编辑，仍在等待审批。",
        "not_approver": "只有 knowledge.approvers 中的审批人可以这样做。",
        "offer": "把这条消息保存为 acrbot 答案？",
        "open": "打开表单",
        "gone": "无法读取那条消息（已删除，或 acrbot 不在该频道）。",
        "home_title": "acrbot",
        "home_can": (
            "*我能做什么*\n• 在频道里 @我 或私信我 Azure 容器注册表的问题：我在话题中回答\n"
            "• `/acr ask`、`/acr diagnose`、`/acr usage`、`/acr info`、`/acr triage`、"
            "`/acr help`\n• 消息快捷方式 *保存为 acrbot 答案*：审批通过后，专家的回复就成为答案"
        ),
        "reaction_hint": "• 对回复添加 :{reaction}: 表情，即可提交为答案",
        "your_questions": "*你最近的问题*",
        "no_questions": "你还没有问过我问题。",
        "answered_by": "由 {entry} 回答",
        "not_answered": "未回答",
        "your_confirms": "*等待你确认的检查*",
        "your_handoffs": "*已转交给同事、仍未解决的问题*",
        "open_handoffs": "*未解决的转交*：{count} 个",
        "admin_title": "管理",
        "asked": "*最近 {days} 天*：提问 {asked} 个，已回答 {answered} 个（{share}）",
        "by_source": "按来源",
        "per_day": "*每天已回答与未回答*（█ 已回答，░ 未回答）",
        "unanswered": "*未回答的问题（已归类）*",
        "none_unanswered": "所有问题都已回答。",
        "times": "{count} 次（{users} 人），例如 _{example}_",
        "write": "写一个答案",
        "worst": "*👎 最多*",
        "unused": "*从未用到（{days} 天）*",
        "pending": "*等待审批*",
        "nothing_pending": "没有等待审批的内容。",
        "phrasing": "{entry} 的问法，被选 {count} 次",
        "ops": "*运维（{days} 天）*：运行检查 {checks} 次，分诊告警 {alerts} 条",
        "more": "……还有 {count} 项（见 `acrbot knowledge pending` / `acrbot report`）",
    },
}


@lru_cache(maxsize=1)
def render_ahead() -> None:
    with rendering_ahead("capture messages"):
        for text in TEXT["zh"].values():
            to_traditional(text)


def words(language: str, key: str, **values: object) -> str:
    language = normalise(language or "en")
    if language == ZH_TW:
        render_ahead()
        template = to_traditional(TEXT["zh"][key])
    else:
        template = TEXT.get(language, TEXT["en"]).get(key, TEXT["en"][key])
    return template.format(**values)
