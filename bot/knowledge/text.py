"""Turning text in either language into the terms search compares.

Three kinds of term, prefixed so they never collide:

* ``w:stem`` — an English (or any Latin-script) word, lower-cased and lightly
  stemmed so that "images", "image" and "imaging" meet;
* ``c:两字`` — a pair of adjacent CJK characters: Chinese has no spaces, and
  overlapping bigrams match words without a segmentation dictionary;
* ``#concept`` — a glossary concept, found in either language. This is the
  bridge that lets "admin password" meet "管理员凭据".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.knowledge.glossary import Glossary
from bot.knowledge.language import is_traditional, to_simplified

_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
CJK_RUN = _CJK_RUN
_STRETCHED = re.compile(r"([a-z])\1{2,}")  # "sloooow" → "slow"

# Words that carry no topic. Question words are here too: "how do I" says
# nothing about which entry is meant.
ENGLISH_STOPWORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from into onto over
    under about as is are was were be been being am do does did doing done have has had
    having i me my mine we us our you your yours he she it its they them their this that
    these those there here what which who whom whose when where why how can could should
    would will shall may might must not no yes so too very just also only any some all
    each every more most other such than via per please pls plz thanks thank hi hello hey
    get got getting want wants need needs trying try tried use using used way ways
    anyone someone something anything thing things know let lets make makes made
    i'm im it's dont don't doesnt cant can't won't isnt s t d ll re ve m e g ie eg etc
    one ok okay up out again still even much many really actually guys folks team""".split()
) | frozenset(
    # Topic-neutral words: how people talk around a question (time, size,
    # feelings, filler). They neither match an entry nor count as unexplained.
    """today yesterday tomorrow now morning night week weekend day days hour hours minute
    minutes min mins second seconds ago since before after last first next soon later
    always never sometimes often usually already yet while until whenever everytime
    big bigger large larger small smaller few little lot lots bunch couple several whole
    new old same different another own else enough almost barely quite rather pretty
    good bad better best worse worst great nice fine weird strange odd normal right wrong
    sure able unable possible impossible easy hard quick quickly simple simply
    seem seems seemed keep keeps kept happen happens happened happening go goes going went
    gone come comes came take took give gave find found look looking looked tell told
    say says said ask asked think thought wonder wondering guess hope mean means meant
    help helps anybody somebody everyone nobody people person user users guy colleague
    here's there's what's that's how's where's whats thats hows wheres why's
    doc docs documentation article answer question questions idea ideas way reason
    currently recently suddenly finally basically literally totally completely
    definitely probably maybe perhaps kinda sorta super painfully extremely
    built builtin inbuilt native""".split()
)

# Function words of a Chinese question. They are cut out before bigrams are
# formed, so "今天吃什么" shares nothing with "为什么删除映像后…".
CHINESE_STOPWORDS = (
    "为什么", "怎么办", "怎么样", "怎么", "如何实现", "如何", "什么", "是否", "能否", "可以",
    "能不能", "可不可以", "有没有", "请问", "一下", "我们", "你们", "他们", "我的", "你的",
    "这个", "那个", "哪里", "哪个", "的话", "时候", "情况", "问题", "一个", "需要", "应该",
    "已经", "还是", "但是", "然后", "因为", "所以", "如果", "或者", "以及", "进行", "使用",
    "吗", "呢", "吧", "啊", "呀", "了", "的", "地", "得", "着", "过", "我", "你", "他", "她",
    "它", "是", "在", "有", "和", "与", "或", "及", "就", "都", "也", "还", "又", "要", "会",
    "能", "对", "把", "被", "让", "给", "从", "到", "这", "那", "哪", "谁", "个", "些",
    # Topic-neutral words (time, degree, feelings): they say how, not what.
    "特别", "非常", "一直", "总是", "突然", "现在", "刚才", "刚刚", "昨天", "今天", "明天",
    "好像", "感觉", "觉得", "一点", "有点", "正常", "其实", "到底", "究竟", "大家", "同事",
    "帮忙", "谢谢", "请教", "麻烦", "怎样", "哪儿", "哪些", "多少", "好的", "知道",
)  # fmt: skip
_ZH_STOP = re.compile("|".join(sorted(map(re.escape, CHINESE_STOPWORDS), key=len, reverse=True)))


def chinese_pieces(run: str) -> list[str]:
    """A run of Chinese characters cut at its function words (the pieces bigrams come from)."""
    return [p for p in _ZH_STOP.split(run) if p]


def strip_format_characters(text: str) -> str:
    """Remove invisible format characters (Unicode category Cf: U+200B..U+200D, U+2060, U+FEFF …).

    Pasted from chat or a web page, "pass\u200bword" looks like "password" but
    would be two words to the analyzer.
    """
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


# Names in a pasted error say what it was about, not what went wrong: every pull error
# has them, and the tag's digits ("1.4") would match an FAQ example's. A registry API URL
# (Docker's /v2/…, the token endpoint /oauth2/…) keeps its host (myreg.azurecr.io says
# which service it was), an image reference its registry. Other URLs are links whose words
# name the topic (https://aka.ms/acr/authorization): they stay.
_URL_PATH = re.compile(
    r"(\bhttps?://[^/\s\"'<>|]++)/(?:v2|oauth2)(?:[/?][^\s\"'<>|]*+)?(?![^\s\"'<>|])",
    re.IGNORECASE,
)
_URL = re.compile(r"\bhttps?://[^\s\"'<>|]*+", re.IGNORECASE)
WORDS_BESIDE_A_URL = 6  # an error chain says a dozen; a question about an API path, one or two
_IMAGE_REFERENCE = re.compile(  # ASCII: the Chinese after a tag ("…:2.7镜像拉取失败") stays
    r"(?<![\w./-])((?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?)/[\w./-]+(?::[\w.-]+)?(?:@sha256:\w+)?",
    re.IGNORECASE | re.ASCII,
)
# A repository and tag without a registry ("shop/api:1.4", as people write them).
# Not a platform (linux/arm64:v8 is an OS, an architecture and a variant).
_TAGGED_REPOSITORY = re.compile(
    r"(?<![\w./:-])(?!(?:linux|windows|darwin|freebsd)/)[a-z0-9][\w.-]*+(?:/[\w.-]++)++:\w[\w.-]*+",
    re.IGNORECASE | re.ASCII,
)
# gRPC's envelope around a kubelet's error: "rpc error: code = NotFound desc = …". The
# code is what gRPC classified it as (the glossary knows NotFound); "Unknown", the code
# of most pull errors, says only that it has none.
_GRPC_STATUS = re.compile(r"\brpc error: code = (\w+) desc = ", re.IGNORECASE)


def without_names(text: str) -> str:
    """A pasted error's wording without the names in it, and without gRPC's empty code.

    Only a registry API URL loses its path, and only when the text says more than
    the URL: asked alone ("GET https://myreg.azurecr.io/v2/_catalog"), the path is
    the question.
    """
    if "/" not in text:  # most questions: no URL, no image reference
        return _GRPC_STATUS.sub(_grpc_code, text)
    if "://" in text and len(_URL.sub(" ", text).split()) >= WORDS_BESIDE_A_URL:
        text = _URL_PATH.sub(_host_only, text)
    text = _IMAGE_REFERENCE.sub(r"\1", text)
    text = _TAGGED_REPOSITORY.sub("", text)
    return _GRPC_STATUS.sub(_grpc_code, text)


def _host_only(match: re.Match[str]) -> str:
    """The URL's host, and the punctuation it ended on ("…/manifests/1.4: 403")."""
    whole = match.group(0)
    return match.group(1) + whole[len(whole.rstrip(":;,.)]")) :]


def _grpc_code(match: re.Match[str]) -> str:
    code = match.group(1)
    return "" if code.lower() == "unknown" else f"{code}: "


# A search normalizes its query several times over (its terms, typo repair, the
# off-topic share, title similarity): the last few results are kept, so each
# query's text is normalized and split into words once. Too few to outlive a
# question: 32 texts, and their words.
@lru_cache(maxsize=32)
def normalize(text: str) -> str:
    """No format characters; NFKC folds full-width forms (，？ＡＣＲ) onto ASCII; lower case."""
    text = unicodedata.normalize("NFKC", strip_format_characters(text)).lower()
    return _STRETCHED.sub(r"\1", text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately small stemmer: consistent beats clever for matching."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def words(text: str) -> list[str]:
    return list(_words(text))


@lru_cache(maxsize=32)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize(text)))


@dataclass(frozen=True)
class Analyzer:
    """Text → weighted terms, with the glossary's concepts recognised."""

    latin_forms: dict[tuple[str, ...], frozenset[str]]
    cjk_forms: re.Pattern[str] | None
    cjk_concepts: dict[str, frozenset[str]]
    max_form_words: int
    first_words: frozenset[str]
    traditional: dict[str, str] | None = None  # zh-tw glossary form → Simplified form
    traditional_forms: re.Pattern[str] | None = None
    # Terms that name a core concept: "#id", its one-word forms ("w:acr") and the
    # character pairs of its Chinese forms ("c:镜像"), since a longer phrase
    # ("acr build" is #build) may have taken the word over.
    core: frozenset[str] = frozenset()

    @classmethod
    def from_glossary(cls, glossary: Glossary) -> Analyzer:
        latin: dict[tuple[str, ...], set[str]] = {}
        cjk: dict[str, set[str]] = {}
        for form, concepts in glossary.forms().items():
            form = normalize(form)
            if _CJK_RUN.search(form):
                cjk.setdefault(form.replace(" ", ""), set()).update(concepts)
            else:
                key = tuple(stem(w) for w in _WORD.findall(form))
                if key:
                    latin.setdefault(key, set()).update(concepts)
        pattern = None
        if cjk:
            ordered = sorted(cjk, key=len, reverse=True)
            pattern = re.compile("|".join(re.escape(f) for f in ordered))
        traditional = glossary.traditional_forms()
        traditional_pattern = None
        if traditional:
            ordered = sorted(traditional, key=len, reverse=True)
            traditional_pattern = re.compile("|".join(re.escape(f) for f in ordered))
        return cls(
            latin_forms={k: frozenset(v) for k, v in latin.items()},
            cjk_forms=pattern,
            cjk_concepts={k: frozenset(v) for k, v in cjk.items()},
            max_form_words=max((len(k) for k in latin), default=1),
            first_words=frozenset(k[0] for k in latin),
            traditional=traditional,
            traditional_forms=traditional_pattern,
            core=_core_terms(glossary.core_concepts(), latin, cjk),
        )

    def simplify(self, text: str) -> str:
        """Traditional Chinese → Simplified: glossary zh-tw words first, then OpenCC (tw2sp).

        The glossary goes first because Taiwan's ACR vocabulary reuses words
        that mean something else on the mainland (登錄 is "registry" there,
        "log in" here); OpenCC alone would turn a registry into a login.
        """
        if not _CJK_RUN.search(text) or not is_traditional(text):
            return text
        if self.traditional_forms is not None and self.traditional:
            table = self.traditional
            text = self.traditional_forms.sub(lambda m: table[m.group(0)], text)
        return to_simplified(text)

    def terms(self, text: str) -> list[str]:
        """All terms of ``text``, repeated as often as they occur."""
        return [term for term, _ in self.analyze(text)]

    def analyze(self, text: str) -> list[tuple[str, bool]]:
        """Terms, each flagged when it lies inside a glossary phrase.

        A flagged word is already carried by its concept: a query may then
        count it lightly, so "password" is not worth more than its meaning
        ("credentials") just because one answer happens to spell it out.
        """
        text = normalize(text)
        stems = [stem(w) for w in _WORD.findall(text)]
        concepts, covered = self._latin_concepts(stems)
        # A lone letter is no word ("d o c k e r" is spelt out, not asked about).
        found = [
            (f"w:{s}", i in covered)
            for i, s in enumerate(stems)
            if s not in _STEMMED_STOPWORDS and not (len(s) == 1 and s.isalpha())
        ]
        found += [(f"#{c}", False) for c in concepts]
        for run in _CJK_RUN.findall(text):
            found += self._cjk_terms(run)
        return found

    def glossary_forms(self, text: str) -> list[tuple[str, str]]:
        """The glossary phrases ``text`` says, as (form term, concept term) pairs.

        The form term ("f:not found", "f:stuck", "f:卡住") tells the wordings of one
        concept apart where the concept term ("#not-found", "#timeout") does not.
        The phrases are those :meth:`analyze` finds.
        """
        text = normalize(text)
        stems = [stem(w) for w in _WORD.findall(text)]
        found = []
        index = 0
        while index < len(stems):
            size = self._phrase_at(stems, index) if stems[index] in self.first_words else 0
            if size:
                key = tuple(stems[index : index + size])
                found += [(f"f:{' '.join(key)}", f"#{c}") for c in self.latin_forms[key]]
            index += size or 1
        if self.cjk_forms is not None:
            for run in _CJK_RUN.findall(text):
                for match in self.cjk_forms.finditer(run):
                    form = match.group(0)
                    found += [(f"f:{form}", f"#{c}") for c in self.cjk_concepts[form]]
        return found

    def _latin_concepts(self, stems: list[str]) -> tuple[list[str], set[int]]:
        """Longest glossary phrase at each position, over stemmed words."""
        concepts: list[str] = []
        covered: set[int] = set()
        index = 0
        while index < len(stems):
            size = self._phrase_at(stems, index) if stems[index] in self.first_words else 0
            if size:
                concepts += self.latin_forms[tuple(stems[index : index + size])]
                covered.update(range(index, index + size))
            index += size or 1
        return concepts, covered

    def _phrase_at(self, stems: list[str], index: int) -> int:
        forms, left = self.latin_forms, len(stems) - index
        for size in self._form_sizes.get(stems[index], ()):
            if size <= left and tuple(stems[index : index + size]) in forms:
                return size
        return 0

    @cached_property
    def _form_sizes(self) -> dict[str, tuple[int, ...]]:
        """For each first word of a glossary phrase, the phrases' lengths, longest first:
        the only lengths a phrase at that word can have."""
        sizes: dict[str, set[int]] = {}
        for key in self.latin_forms:
            sizes.setdefault(key[0], set()).add(len(key))
        return {word: tuple(sorted(found, reverse=True)) for word, found in sizes.items()}

    def _cjk_terms(self, run: str) -> list[tuple[str, bool]]:
        found: list[tuple[str, bool]] = []
        covered: set[int] = set()
        if self.cjk_forms is not None:
            for match in self.cjk_forms.finditer(run):
                found += [(f"#{c}", False) for c in self.cjk_concepts[match.group(0)]]
                covered.update(range(match.start(), match.end()))
        start = 0
        for stop in [*_ZH_STOP.finditer(run), None]:
            end = stop.start() if stop else len(run)
            piece = run[start:end]
            if len(piece) == 1:
                found.append((f"c:{piece}", start in covered))
            if covered:
                found += [
                    (f"c:{piece[i : i + 2]}", start + i in covered and start + i + 1 in covered)
                    for i in range(len(piece) - 1)
                ]
            else:
                found += [(f"c:{piece[i : i + 2]}", False) for i in range(len(piece) - 1)]
            start = stop.end() if stop else end
        return found


def _core_terms(
    core: frozenset[str], latin: dict[tuple[str, ...], set[str]], cjk: dict[str, set[str]]
) -> frozenset[str]:
    terms = {f"#{c}" for c in core}
    terms.update(f"w:{key[0]}" for key, ids in latin.items() if len(key) == 1 and ids & core)
    for form, ids in cjk.items():
        if ids & core and len(form) <= 3:
            terms.update(f"c:{form[i : i + 2]}" for i in range(len(form) - 1))
    return frozenset(terms)


_STEMMED_STOPWORDS = frozenset(stem(w) for w in ENGLISH_STOPWORDS) | ENGLISH_STOPWORDS
