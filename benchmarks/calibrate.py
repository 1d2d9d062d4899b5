"""Fit the confidence model on labelled queries and write bot/knowledge/calibration.json.

    python benchmarks/calibrate.py tests/eval/hard_queries.jsonl [more.jsonl …]

A sample is the top hit's evidence, labelled 1 when that hit is the right
entry and 0 otherwise (wrong entry, or an off-topic query). Re-run it after
changing the index or the glossary, then check `acrbot eval` on a set that
was not used here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.config import load_settings
from bot.knowledge.calibration import FITTED_PATH, features, fit
from bot.knowledge.evaluation import read_labelled
from bot.knowledge.library import Library


def main(files: list[str]) -> int:
    if not files:
        print(__doc__)
        return 2
    kb = Library.from_settings(load_settings().knowledge).current
    samples = []
    for name in files:
        for item in read_labelled(Path(name)):
            hits = kb.index.search(item.query)
            if not hits:
                continue
            right = item.anchor is not None and hits[0].entry.id == item.anchor
            samples.append((features(hits[0].evidence), int(right)))
    calibration = fit(samples)
    FITTED_PATH.write_text(json.dumps(calibration.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(f"fitted on {len(samples)} samples -> {FITTED_PATH}")
    print(json.dumps(calibration.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
