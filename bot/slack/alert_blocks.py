"""Block Kit for triaged alerts: the message the on-call engineer reads at 3 a.m.

One message per alert: a headline (state, severity, rule, registry), the
signal in human units, up to three FAQ entries with links, and one button
per offered check. The buttons are the same ``diag_request_N`` buttons as
under an answer, so a click goes through the same request → access check →
Confirm flow as ``/acr diagnose``. Words are in the configured
``alerts.language`` (en | zh).

Alert text is someone else's: it is neutralised (no live ``<!channel>`` or
``<url|label>``), shown on one line where the layout has one line for it (a
newline in a severity label must not forge a second headline), and every
mrkdwn text object is ``verbatim``, so Slack does not turn a bare URL,
``#channel`` or ``@here`` in it into a link or a mention. acrbot's own links
are written as ``<url|label>``, which verbatim text still renders.
"""

from __future__ import annotations

import re

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.feedback import printable
from bot.slack import block_limits
from bot.slack.blocks import Message
from bot.slack.check_buttons import button_value, pull_label
from bot.slack.mrkdwn import escape, link, neutralise
from bot.triage.model import State, Triage

MAX_FAQ = 3
MAX_BUTTONS = 5
CHECKS_BLOCK_ID = "alert_checks"  # the first alert's buttons; echo.py recognises it
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "fired": "FIRED",
        "resolved": "RESOLVED",
        "resolved_at": "resolved {time}",
        "fired_at": "fired {time}",
        "storm": "fired {count} times — later firings go in the thread",
        "again": "Fired again: {count} times so far.",
        "resolved_reply": "✅ Resolved {time}.",
        "still_firing": "✅ One resolved {time}; {count} still firing.",
        "resolved_note": "✅ Resolved {time} (I had not seen it fire).",
        "faq": "*What the FAQ says*",
        "run": "Run {check} on {registry}",
        "invalid": "not a valid registry name: {names}",
        "no_registry": "No registry named in it: run `/acr diagnose REGISTRY` to check one.",
        "nothing": (
            "Nothing recognised: no registry and no known registry error in that text. "
            "See `/acr help`."
        ),
        "results": "query results",
        "source": "source",
        "digest": (
            "📋 *{count} more alerts* in this channel — posting each would exceed "
            "Slack's rate for one channel, so they are listed here:"
        ),
        "digest_one": (
            "📋 *1 more alert* in this channel — posting it would exceed "
            "Slack's rate for one channel, so it is listed here:"
        ),
        "digest_more": "…and {count} earlier ones",
        "digest_more_one": "…and 1 earlier one",
        "left_out": (
            "⚠️ *{count} alerts of the Alertmanager group* `{group}` *are not shown here*: "
            "{past} past the {limit} acrbot reads from one delivery, {truncated} dropped by "
            "Alertmanager's `max_alerts`. Alertmanager's own view lists them all."
        ),
        "more_alerts": (
            "…and {count} more alerts not shown here: see the alert channel, "
            "or paste fewer alerts at a time."
        ),
        "more_alerts_one": (
            "…and 1 more alert not shown here: see the alert channel, "
            "or paste fewer alerts at a time."
        ),
        "unread": "{count} of them were not read: {why}.",
        "unread_one": "1 of them was not read: {why}.",
        "unread_past": "{count} past the {limit} acrbot reads from one paste",
        "unread_truncated": "{count} dropped by Alertmanager's `max_alerts` before it sent them",
        "unlaid": (
            "⚠️ I triaged that paste but could not lay the reply out as a Slack message "
            "({reason}), so here it is as plain text. Paste fewer alerts at a time, or run "
            "`acrbot triage` on it in a terminal."
        ),
        "failed": (
            "⚠️ Something went wrong in acrbot while triaging that paste (it is logged). "
            "Try again with fewer alerts or just the error line, or run `acrbot triage` "
            "on it in a terminal."
        ),
    },
    "zh": {
        "fired": "告警",
        "resolved": "已恢复",
        "resolved_at": "恢复于 {time}",
        "fired_at": "触发于 {time}",
        "storm": "已触发 {count} 次 — 后续触发记录在话题中",
        "again": "再次触发：目前共 {count} 次。",
        "resolved_reply": "✅ 已于 {time} 恢复。",
        "still_firing": "✅ 其中一个已于 {time} 恢复；仍有 {count} 个在告警。",
        "resolved_note": "✅ 已于 {time} 恢复（之前未收到触发通知）。",
        "faq": "*FAQ 中的相关条目*",
        "run": "对 {registry} 运行 {check}",
        "invalid": "不是有效的注册表名称：{names}",
        "no_registry": "其中没有注册表名称：可用 `/acr diagnose 注册表名` 检查。",
        "nothing": "未识别出任何内容：文本中没有注册表，也没有已知的注册表错误。请看 `/acr help`。",
        "results": "查询结果",
        "source": "来源",
        "digest": "📋 *本频道另有 {count} 条告警* — 逐条发送会超过 Slack 单频道的速率，汇总如下：",
        "digest_more": "……以及更早的 {count} 条",
        "left_out": (
            "⚠️ *Alertmanager 告警组* `{group}` *中有 {count} 条告警未在此显示*："
            "{past} 条超出 acrbot 单次读取的 {limit} 条上限，{truncated} 条被 Alertmanager 的 "
            "`max_alerts` 截断。完整列表请查看 Alertmanager。"
        ),
        "more_alerts": "……另有 {count} 条告警未在此显示：请查看告警频道，或每次少粘贴几条。",
        "unread": "其中 {count} 条未被读取：{why}。",
        "unread_past": "{count} 条超出 acrbot 单次读取的 {limit} 条上限",
        "unread_truncated": "{count} 条在发送前已被 Alertmanager 的 `max_alerts` 截断",
        "unlaid": (
            "⚠️ 已完成分诊，但回复无法排成 Slack 消息（{reason}），以下为纯文本。"
            "请每次少粘贴几条告警，或在终端运行 `acrbot triage`。"
        ),
        "failed": (
            "⚠️ acrbot 分诊时出错（已记录日志）。请少粘贴几条或只粘贴报错行后重试，"
            "或在终端运行 `acrbot triage`。"
        ),
    },
}
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})")


def word(language: str, key: str, **values: object) -> str:
    """The words for ``key``; with a ``count`` of 1, its ``_one`` form where a language has one."""
    table = WORDS.get(language, WORDS["en"])
    if values.get("count") == 1 and f"{key}_one" in table:
        key = f"{key}_one"
    return table[key].format(**values)


def short_time(iso: str | None) -> str:
    """``2026-11-29T02:41:07.64Z`` → ``2026-11-29 02:41 UTC`` (alerts send UTC).

    Anything else is the sender's text, shown as it is: on one line and neutralised
    (an ``endsAt`` of ``<!channel>`` in a plain-text "Resolved" reply must not ping).
    """
    match = _TIME.match(iso or "")
    if match:
        return f"{match.group(1)} {match.group(2)} UTC"
    return neutralise(one_line((iso or "")[:40]))


def one_line(text: str) -> str:
    """``text`` on one line: every run of whitespace one space (``str.split`` takes U+0085,
    U+2028 and the like for line breaks too), then each word without the control and
    format characters (bidi overrides, zero-width) :func:`bot.feedback.printable` drops."""
    return " ".join(filter(None, (printable(word) for word in text.split())))


def mrkdwn(text: str) -> MarkdownTextObject:
    """A verbatim mrkdwn text: Slack links and mentions only what acrbot wrote as such."""
    return MarkdownTextObject(text=text, verbatim=True)


def headline(triage: Triage, language: str) -> str:
    alert = triage.alert
    resolved = alert.state == State.RESOLVED
    parts = [("✅ *" if resolved else "🔴 *") + word(language, alert.state.value) + "*"]
    severity = one_line(alert.severity or "")
    if severity:
        parts.append(neutralise(block_limits.clip(severity, 40)))
    rule = one_line(alert.rule or "")
    if rule:
        rule = block_limits.clip(rule.replace("`", "'"), 150)
        parts.append(f"`{neutralise(rule)}`")
    if triage.registries:
        parts.append(", ".join(f"*{one_line(name)}*" for name in triage.registries))
    elif triage.rejected:
        names = ", ".join(f"`{neutralise(one_line(r))}`" for r in triage.rejected[:3])
        parts.append(word(language, "invalid", names=names))
    return " · ".join(parts)


def alert_text(triage: Triage, language: str = "en") -> str:
    """The alert in one plain line: an alert message's fallback text."""
    return f"{_plain(headline(triage, language))}: {neutralise(triage.summary)}"


def alert_message(
    triage: Triage,
    language: str = "en",
    *,
    count: int = 1,
    checks_block_id: str = CHECKS_BLOCK_ID,
) -> Message:
    """The message for an alert (webhook, watched channel or ``/acr triage``).

    ``checks_block_id`` names the buttons' block: a reply that shows several
    alerts gives each its own (Slack refuses a message with two alike).
    """
    alert = triage.alert
    top = headline(triage, language)
    summary = neutralise(triage.summary)
    blocks: list[Block] = [SectionBlock(text=mrkdwn(block_limits.clip(f"{top}\n{summary}", 3000)))]
    context = []
    if alert.state == State.RESOLVED and alert.resolved_at:
        context.append(word(language, "resolved_at", time=short_time(alert.resolved_at)))
    elif alert.fired_at:
        context.append(word(language, "fired_at", time=short_time(alert.fired_at)))
    if count > 1:
        context.append(word(language, "storm", count=count))
    context.append(f"{word(language, 'source')}: {alert.source}")
    if alert.links:
        context.append(link(alert.links[0], word(language, "results")))
    blocks.append(ContextBlock(elements=[mrkdwn(" · ".join(context))]))
    if triage.faq:
        lines = [word(language, "faq")]
        for ref in triage.faq[:MAX_FAQ]:
            title = block_limits.clip(ref.title, 200)
            lines.append(f"• {link(ref.url, title) if ref.url else escape(title)}")
        blocks.append(SectionBlock(text=mrkdwn("\n".join(lines))))
    if triage.checks and alert.state == State.FIRED:
        blocks.append(check_buttons(triage, language, checks_block_id))
    elif triage.about_registry and not triage.registries and alert.state == State.FIRED:
        blocks.append(ContextBlock(elements=[mrkdwn(word(language, "no_registry"))]))
    return Message.of(alert_text(triage, language), blocks)


def check_buttons(triage: Triage, language: str, block_id: str = CHECKS_BLOCK_ID) -> ActionsBlock:
    buttons = []
    for number, offered in enumerate(triage.checks[:MAX_BUTTONS]):
        label = pull_label(offered, language) or "🩺 " + word(
            language, "run", check=offered.check, registry=offered.registry
        )
        buttons.append(
            ButtonElement(
                text=block_limits.clip(label, block_limits.BUTTON_TEXT),
                action_id=f"diag_request_{number}",
                value=button_value(offered),
            )
        )
    return ActionsBlock(block_id=block_id, elements=buttons)


def storm_reply(triage: Triage, count: int, language: str = "en") -> Message:
    text = word(language, "again", count=count) + f" {neutralise(triage.summary)}"
    return Message(block_limits.clip(text, 3000), [])


def resolved_reply(triage: Triage, language: str = "en", still_firing: int = 0) -> Message:
    when = short_time(triage.alert.resolved_at) if triage.alert.resolved_at else ""
    if still_firing:
        text = word(language, "still_firing", time=when, count=still_firing)
    else:
        text = word(language, "resolved_reply", time=when)
    return Message(text.replace("  ", " ").replace(" ;", ";"), [])


def resolved_note(triage: Triage, language: str = "en") -> Message:
    when = short_time(triage.alert.resolved_at) if triage.alert.resolved_at else ""
    top = headline(triage, language)
    text = f"{top}\n{word(language, 'resolved_note', time=when)}"
    blocks = [SectionBlock(text=mrkdwn(block_limits.clip(text, 3000)))]
    return Message.of(_plain(top) + " " + word(language, "resolved_note", time=when), blocks)


def digest_message(entries: list[dict[str, str]], total: int, language: str = "en") -> Message:
    """One message listing alerts folded past a channel's posting budget (newest last)."""
    lines = [word(language, "digest", count=total)]
    if total > len(entries):
        lines.append(word(language, "digest_more", count=total - len(entries)))
    for entry in entries:
        mark = "✅" if entry.get("state") == State.RESOLVED else "🔴"
        rule = block_limits.clip(one_line(str(entry.get("rule") or "")).replace("`", "'"), 120)
        summary = block_limits.clip(one_line(str(entry.get("summary") or "")), 200)
        lines.append(f"{mark} `{neutralise(rule)}` {neutralise(summary)}".rstrip())
    text = block_limits.clip("\n".join(lines), 3000)
    blocks = [SectionBlock(text=mrkdwn(text))]
    return Message.of(_plain(lines[0]), blocks)


def left_out_message(
    group: str, past: int, truncated: int, limit: int, language: str = "en"
) -> Message:
    """Alerts of a group that acrbot did not read: how many, and why."""
    name = neutralise(block_limits.clip(one_line(group).replace("`", "'"), 150))
    text = word(
        language, "left_out", count=past + truncated, group=name, past=past,
        truncated=truncated, limit=limit,
    )  # fmt: skip
    blocks = [SectionBlock(text=mrkdwn(block_limits.clip(text, 3000)))]
    return Message.of(block_limits.clip(_plain(text), 3000), blocks)


def nothing_recognised(language: str = "en") -> Message:
    return Message(word(language, "nothing"), [])


def _plain(mrkdwn: str) -> str:
    return mrkdwn.replace("*", "").replace("`", "")
