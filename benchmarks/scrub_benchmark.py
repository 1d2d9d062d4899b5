"""How long ``scrub`` takes on 100 kB adversarial Azure error bodies (issue 8, item 5).

Prints, per body shape: the time of ``scrub`` itself (which clips first), the
time of today's token patterns on the whole unclipped body, and the time of
the pattern acrbot used before (quadratic on ``eyJeyJ…``; skip it with --fast).

    python benchmarks/scrub_benchmark.py [--fast]
"""

from __future__ import annotations

import re
import sys
import time

from bot.diagnostics import scrubbing

OLD_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
BODIES = {
    "eyJ repeated": "eyJ" * 34_000,
    "eyJa. repeated": "eyJa." * 20_000,
    "39-char runs": ("eyJ" + "a" * 36 + ".") * 2_500,
    "spaced words": "word " * 20_000,
}


def _ms(fn, text: str) -> float:
    started = time.perf_counter()
    fn(text)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    fast = "--fast" in sys.argv[1:]
    for name, body in BODIES.items():
        scrub_ms = _ms(scrubbing.scrub, body)
        patterns_ms = _ms(
            lambda t: scrubbing._LONG_SECRET_RE.sub("", scrubbing._JWT_RE.sub("", t)), body
        )
        old = "skipped" if fast else f"{_ms(lambda t: OLD_JWT.sub('', t), body):.0f} ms"
        print(
            f"{name:<16} {len(body):>7} chars: scrub {scrub_ms:.2f} ms; "
            f"new patterns unclipped {patterns_ms:.1f} ms; old JWT pattern {old}"
        )


if __name__ == "__main__":
    main()
