"""Precision and recall of "answered" for help channels on a labelled set (issue 15).

    python benchmarks/help_channel_eval.py tests/eval/help_channel_dev.jsonl [-v]

Tune on the dev set only; the held-out set is measured once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_settings
from bot.knowledge.channel_evaluation import (
    channel_decision,
    evaluate_channel,
    read_labelled,
)
from bot.knowledge.channel_questions import DEFAULT_MIN_CONFIDENCE, ChannelBar
from bot.services import library_from
from bot.slack.questions import clean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--min-confidence", type=float, default=DEFAULT_MIN_CONFIDENCE)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    library = library_from(load_settings(env={}))
    bar = ChannelBar(min_confidence=args.min_confidence)
    rows = read_labelled(args.path)
    scores = evaluate_channel(rows, lambda text: channel_decision(library, clean(text), bar))
    print(f"{args.path}: {len(rows)} messages, min_confidence {bar.min_confidence}")
    print(
        f"  answered right {scores.right}, wrongly {scores.wrong}; missed {scores.missed}; "
        f"silent as expected {scores.silent}"
    )
    print(f"  precision {scores.precision:.3f}  recall {scores.recall:.3f}")
    if args.verbose:
        for m in scores.mistakes:
            print(f"  {m['reason']:15} got={m['got']} want={m.get('anchor')}  {m['text'][:90]}")


if __name__ == "__main__":
    main()
