"""Whether a message in a shared help channel is a question acrbot should answer.

In a help channel nobody addressed acrbot: a wrong or unwanted answer costs
more than silence. Two kinds of evidence must agree before it speaks:

- **the text reads as a request for help**: a question mark (``?`` or
  ``？``), a question word or particle (English, Simplified or Traditional
  Chinese), a pasted error, or a complaint that something fails or is
  slow; and it is not an announcement, a thank-you or a report that
  something is fixed. A short message with no signal either way ("acr
  admin credentials", "镜像隔离") is a *topic*: a question only when the
  knowledge base is very sure of it and it names the FAQ's domain (a
  first-person report, "I ran …", is not a topic);
- **the knowledge base is sure**: its best entry clears the channel's bar
  (stricter than a mention's), leads the runner-up by a clear margin, and
  when the message names nothing of the FAQ's own domain (registry, image
  …) the bar is higher still.

No Slack here: the listener passes cleaned text and a search result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type here: the settings that import this stay free of search
    from bot.knowledge.library import SearchResult

# Lead over the second entry needed in a channel: near ties are where wrong answers live.
CHANNEL_MARGIN = 0.2
# A message that names no core concept of the FAQ ("registry", "镜像" …) must be this sure.
NO_DOMAIN_CONFIDENCE = 0.9
DEFAULT_MIN_CONFIDENCE = 0.75
# A bare topic ("acr admin credentials") is taken as a question only this sure, naming the domain.
TOPIC_CONFIDENCE = 0.9
TOPIC_MAX_WORDS = 10
_CJK = re.compile(r"[\u3400-\u9fff]")
_REPORT = re.compile(
    r"^\s*(?:(?:i|i've|i'm|i'll|we|we've|we're|we'll|just)\b|我|刚刚|剛剛|已经|已經)",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")

_QUESTION_MARK = re.compile(r"[?？]")
_EN_QUESTION = re.compile(
    r"(?:^|[.!;:,\n]\s*|\b(?:and|but|so|also|pls|please)\s+)"
    r"(?:how|what|what's|whats|why|where|when|which|who|whom|whose|can|could|should|would|"
    r"will|does|do|did|is|are|was|were|has|have|any|anyone|anybody|is there|"
    r"wondering|help)\b",
    re.IGNORECASE,
)
_EN_ASKING = re.compile(
    r"\b(?:how (?:do|can|to|does|should)|any (?:way|idea|ideas|tips|advice)|is there a way|"
    r"what should|need help|help me|stuck on|not sure how)\b",
    re.IGNORECASE,
)
_ZH_ASKING = re.compile(
    r"怎么|怎麼|怎样|怎樣|如何|为什么|為什麼|为啥|為啥|咋|什么|什麼|哪里|哪裡|哪儿|哪個|哪个|"
    r"能否|能不能|可不可以|可以不|是否|有没有|有沒有|是不是|求助|请问|請問|请教|請教|"
    r"办法|辦法|[吗嗎呢么]\s*$|[吗嗎呢][，,。!！\s]"
)
# Pasted errors: what daemons, CLIs and HTTP say when something fails.
_ERROR_TEXT = re.compile(
    r"\b(?:error|errors|err|denied|unauthori[sz]ed|forbidden|fail|fails|failed|failing|"
    r"failure|timeout|timeouts|timed out|times out|exception|refused|cannot|can't|cant|couldn't|"
    r"won't|doesn't|didn't|didnt|isn't|not working|not taking effect|not effective|does not|"
    r"do not|did not|is not|still blocked|blocked|authentication required|unauthroized|"
    r"401|403|404|429|500|503)\b"
    r"|报错|報錯|错误|錯誤|失败|失敗|异常|異常|超时|逾時|拒绝|拒絕|不生效|没生效|沒生效|"
    r"没有生效|沒有生效|不行|不了|进不去|進不去|未授权|未授權|需要认证|需要認證|没权限|沒權限|"
    r"不正确|不正確|不能|没变|沒變|取消",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"\b(?:slow|slowly|sloooow|forever|takes ages|stuck|hangs|hanging|broken|missing|"
    r"disappears?|not showing|only shows|dropping|still behaves)\b|慢|卡住|卡死|不见|不見",
    re.IGNORECASE,
)
# Not a request: announcements, reports that something is fixed, thanks.
_ANNOUNCEMENT = re.compile(
    r"^\s*(?:[\W_]*\s*)?(?:fyi|psa|heads[- ]up|reminder|announcement|notice|update|"
    r"maintenance|post-?mortem|we(?:'ve| have)? just|we(?:'re| are) (?:deprecating|moving|"
    r"migrating|rolling)|we (?:moved|enabled|rotated|migrated|upgraded|deprecated|released))\b"
    r"|^\s*[【\[(（]\s*(?:通知|公告|提醒|注意|维护|維護|更新)|^\s*(?:通知|公告|提醒|注意)\s*[:：]",
    re.IGNORECASE,
)
_RESOLVED = re.compile(
    r"\b(?:resolved|fixed it|that fixed|works now|working now|is fixed|it's fixed|"
    r"no action needed|closing this|nvm|never ?mind|figured it out|sorted)\b"
    r"|已经?解决|已解決|解决了|解決了|搞定|好了|没事了|沒事了",
    re.IGNORECASE,
)
_GRATITUDE = re.compile(
    r"^\s*(?:<@[^>]+>\s*)?(?:thanks|thank you|thx|ty|tysm|cheers|appreciate|many thanks|"
    r"谢谢|謝謝|感谢|感謝|多谢|多謝|谢啦|謝啦)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QuestionReading:
    """What the text says about itself, before any search."""

    asks: tuple[str, ...]  # signals of a request: "question-mark", "question-word", "error" …
    against: tuple[str, ...]  # signals it is not one: "announcement", "resolved", "thanks"
    size: float = 0.0  # words, a Chinese character counting half
    report: bool = False  # "I ran …", "we pushed …", "我已经 …": a statement about oneself

    @property
    def may_be_a_topic(self) -> bool:
        """A short message with no signal either way ("acr admin credentials", "镜像隔离"):
        a question only if the knowledge base is sure of it (see :func:`decide`)."""
        if self.asks or self.against or self.report:
            return False
        return 0 < self.size <= TOPIC_MAX_WORDS

    @property
    def is_question(self) -> bool:
        """A request for help, unless it announces, thanks or reports a fix.

        A question mark outweighs a thank-you ("thanks! and how do I …?"), never
        an announcement or a fix report (which quote errors without asking).
        """
        if not self.asks:
            return False
        if "announcement" in self.against or "resolved" in self.against:
            return False
        return "thanks" not in self.against or "question-mark" in self.asks


def read_question(text: str) -> QuestionReading:
    """Read ``text`` (already cleaned of Slack markup) for question and non-question signals."""
    asks = []
    if _QUESTION_MARK.search(text):
        asks.append("question-mark")
    if _EN_QUESTION.search(text) or _EN_ASKING.search(text) or _ZH_ASKING.search(text):
        asks.append("question-word")
    if _ERROR_TEXT.search(text):
        asks.append("error")
    if _COMPLAINT.search(text):
        asks.append("complaint")
    against = []
    if _ANNOUNCEMENT.search(text):
        against.append("announcement")
    if _RESOLVED.search(text):
        against.append("resolved")
    if _GRATITUDE.search(text):
        against.append("thanks")
    size = len(_CJK.findall(text)) / 2 + len(_WORD.findall(text))
    return QuestionReading(tuple(asks), tuple(against), size, bool(_REPORT.search(text)))


@dataclass(frozen=True)
class ChannelBar:
    """How sure acrbot must be to speak unasked in a channel."""

    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    margin: float = CHANNEL_MARGIN


@dataclass(frozen=True)
class ChannelDecision:
    """Answer or stay silent, and why (``reason`` goes to metrics and the unanswered record).

    ``question`` is True when the message read as a question: silence on one
    of those is an unanswered question, silence on chatter is not.
    """

    answer: bool
    reason: str  # answered | not-a-question | low-confidence | close-second | nothing-found
    question: bool
    result: SearchResult | None = None


def decide(
    reading: QuestionReading, result: SearchResult | None, bar: ChannelBar
) -> ChannelDecision:
    """The channel's verdict on a message already read and searched."""
    if reading.may_be_a_topic and result is not None and result.hits:
        best = result.hits[0]
        if best.evidence.domain and best.score >= max(bar.min_confidence, TOPIC_CONFIDENCE):
            reading = QuestionReading(("topic",), (), reading.size, reading.report)
    if not reading.is_question:
        return ChannelDecision(False, "not-a-question", False, result)
    if result is None or not result.hits or not result.answered:
        reason = "low-confidence" if result is not None and result.hits else "nothing-found"
        return ChannelDecision(False, reason, True, result)
    best = result.hits[0]
    runner_up = result.hits[1].score if len(result.hits) > 1 else 0.0
    needed = (
        bar.min_confidence
        if best.evidence.domain
        else max(bar.min_confidence, NO_DOMAIN_CONFIDENCE)
    )
    if best.score < needed:
        return ChannelDecision(False, "low-confidence", True, result)
    if best.score - runner_up < bar.margin:
        return ChannelDecision(False, "close-second", True, result)
    return ChannelDecision(True, "answered", True, result)
