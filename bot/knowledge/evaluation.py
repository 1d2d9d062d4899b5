"""Measuring search on labelled queries: the numbers the issue's targets name."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import AcrbotError
from bot.knowledge.library import KnowledgeBase


@dataclass(frozen=True)
class Labelled:
    query: str
    anchor: str | None
    kind: str = ""
    line: int = 0  # where in its file, for messages


@dataclass(frozen=True)
class Report:
    total: int
    in_domain: int
    off_topic: int
    top1: float
    top3: float
    mrr: float
    rejected: float
    overall: float
    p50_ms: float
    p99_ms: float
    calibration_error: float
    misses: tuple[str, ...]
    by_kind: dict[str, dict[str, float]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        counts = f"{self.in_domain} answerable, {self.off_topic} off-topic"
        return [
            f"queries        {self.total} ({counts})",
            f"top-1          {self.top1:.1%}",
            f"top-3          {self.top3:.1%}",
            f"MRR            {self.mrr:.3f}",
            f"off-topic rejected {self.rejected:.1%}",
            f"overall        {self.overall:.1%}  (answered and right, or rightly unanswered)",
            f"calibration    {self.calibration_error:.3f} (expected calibration error)",
            f"latency        p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms",
            *(_kind_line(kind, numbers) for kind, numbers in sorted(self.by_kind.items())),
        ]

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "misses"}


def _kind_line(kind: str, numbers: dict[str, float]) -> str:
    head = f"  {kind or '(no kind)':12} {int(numbers['queries']):4d} queries"
    if "top1" in numbers:
        return f"{head}: top-1 {numbers['top1']:.1%}, top-3 {numbers['top3']:.1%}"
    return f"{head}: left unanswered {numbers['rejected']:.1%}"


_KEYS = frozenset({"query", "anchor", "kind"})


def read_labelled(path: Path) -> list[Labelled]:
    """Labelled queries, one JSON object a line; any mistake names its line and stops.

    A line needs a string "query"; "anchor" is an entry id or null; "kind"
    is optional. A misspelt key ("expected" for "anchor") would otherwise
    turn an answerable query into an off-topic one and skew every number.
    """
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AcrbotError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise AcrbotError(f"{path.name}: not UTF-8 text") from None
    shape = '{"query": ..., "anchor": "<id>" or null, "kind": ...}'
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            data = json.loads(line)
        except ValueError:
            raise AcrbotError(f"{where}: not JSON; expected {shape}") from None
        if not isinstance(data, dict):
            raise AcrbotError(f"{where}: expected {shape}")
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise AcrbotError(f"{where}: unknown key {unknown[0]!r}; expected {shape}")
        query, anchor, kind = data.get("query"), data.get("anchor"), data.get("kind", "")
        if not isinstance(query, str) or not query.strip():
            raise AcrbotError(f'{where}: needs a non-empty "query" string; expected {shape}')
        if anchor is not None and (not isinstance(anchor, str) or not anchor):
            raise AcrbotError(f'{where}: "anchor" must be an entry id or null')
        if not isinstance(kind, str):
            raise AcrbotError(f'{where}: "kind" must be a string')
        items.append(Labelled(query, anchor, kind, number))
    if not items:
        raise AcrbotError(f"{path.name}: no labelled queries in the file")
    return items


def check_anchors(items: list[Labelled], kb: KnowledgeBase, path: Path) -> None:
    """Refuse an anchor the knowledge base lacks: that query could never count as right."""
    known = {e.id for e in kb.entries}
    for item in items:
        if item.anchor is not None and item.anchor not in known:
            raise AcrbotError(
                f"{path.name}:{item.line}: anchor {item.anchor!r} is not in the knowledge base"
            )


def evaluate(kb: KnowledgeBase, labelled: Iterable[Labelled]) -> Report:
    items = list(labelled)
    latencies, reciprocal, misses = [], [], []
    confidence: list[tuple[float, bool]] = []  # top hit: (confidence, is it the right entry)
    top1 = top3 = rejected = right = answerable = 0
    kinds: dict[str, list[tuple[int, bool]]] = defaultdict(list)  # kind → (rank or -1, answered)
    for item in items:
        started = time.perf_counter()
        result = kb.ask(item.query)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [hit.entry.id for hit in result.hits]
        if result.hits:
            confidence.append((result.hits[0].score, ids[0] == item.anchor))
        top = result.answer.entry.id if result.answer else None
        if item.anchor is None:
            kinds[item.kind].append((-1, result.answered))
            rejected += not result.answered
            right += not result.answered
            if result.answered:
                misses.append(f"answered off-topic {item.query!r} with {top}")
            continue
        answerable += 1
        rank = ids.index(item.anchor) + 1 if item.anchor in ids else 0
        kinds[item.kind].append((rank, result.answered))
        top1 += rank == 1
        top3 += 0 < rank <= 3
        reciprocal.append(1 / rank if rank else 0.0)
        right += top == item.anchor
        if top != item.anchor:
            misses.append(f"{item.query!r}: wanted {item.anchor}, got {top or 'no answer'}")
    off_topic = len(items) - answerable
    latencies.sort()
    return Report(
        total=len(items),
        in_domain=answerable,
        off_topic=off_topic,
        top1=top1 / answerable if answerable else 0.0,
        top3=top3 / answerable if answerable else 0.0,
        mrr=sum(reciprocal) / answerable if answerable else 0.0,
        rejected=rejected / off_topic if off_topic else 1.0,
        overall=right / len(items) if items else 0.0,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        calibration_error=expected_calibration_error(confidence),
        misses=tuple(misses),
        by_kind={kind: _kind_numbers(rows) for kind, rows in kinds.items()},
    )


def _kind_numbers(rows: list[tuple[int, bool]]) -> dict[str, float]:
    """Per kind of query (en, zh, zh-tw, off-topic …): top-1/top-3, or the share left unanswered."""
    answerable = [rank for rank, _ in rows if rank >= 0]
    numbers: dict[str, float] = {"queries": len(rows)}
    if answerable:
        numbers["top1"] = sum(r == 1 for r in answerable) / len(answerable)
        numbers["top3"] = sum(0 < r <= 3 for r in answerable) / len(answerable)
    if len(answerable) < len(rows):
        unanswerable = [answered for rank, answered in rows if rank < 0]
        numbers["rejected"] = sum(not a for a in unanswerable) / len(unanswerable)
    return numbers


def expected_calibration_error(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """How far confidence is from the observed share of right answers, averaged over bins."""
    if not pairs:
        return 0.0
    total = 0.0
    for number in range(bins):
        low, high = number / bins, (number + 1) / bins
        members = [(c, ok) for c, ok in pairs if low <= c < high or (high == 1.0 and c == 1.0)]
        if members:
            mean = sum(c for c, _ in members) / len(members)
            right = sum(ok for _, ok in members) / len(members)
            total += len(members) / len(pairs) * abs(mean - right)
    return round(total, 4)


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    position = min(len(values) - 1, round(pct / 100 * (len(values) - 1)))
    return values[position]
