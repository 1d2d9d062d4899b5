"""Every labelled query's search result, as JSON: to show a speed-up changed no answer.

    python benchmarks/search_snapshot.py before.json [--large]
    python benchmarks/search_snapshot.py after.json [--large] && diff before.json after.json

For each query of tests/eval/*.jsonl (its "query" or "text") on the bundled
knowledge base: the asker's language, whether the bot answers, and each hit's
entry key, confidence and every evidence feature, floats rounded to 1e-9.
``--large`` adds the benchmark's queries on search_benchmark's generated
10,000-entry base (same seed, so the same entries every run).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path

from search_benchmark import QUERY_FILES, generate  # benchmarks/ is on sys.path

from bot.config import load_settings
from bot.knowledge.library import Library

ROOT = Path(__file__).resolve().parent.parent


def queries_of(path: Path) -> list[str]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            found.append(item.get("query", item.get("text")))
    return [q for q in found if isinstance(q, str)]


def _rounded(value: object) -> object:
    return round(value, 9) if isinstance(value, float) else value


def snapshot(library: Library, queries: list[str]) -> list[dict[str, object]]:
    kb = library.current
    out = []
    for query in queries:
        result = kb.ask(query)
        out.append(
            {
                "query": query,
                "language": result.language,
                "answered": result.answered,
                "hits": [
                    {
                        "key": hit.entry.key,
                        "score": _rounded(hit.score),
                        "view": hit.view.language if hit.view else None,
                        **{
                            f.name: _rounded(getattr(hit.evidence, f.name))
                            for f in dataclasses.fields(hit.evidence)
                        },
                    }
                    for hit in result.hits
                ],
            }
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--large", action="store_true", help="also the generated 10k base")
    args = parser.parse_args()
    bundled = Library.from_settings(load_settings().knowledge)
    results: dict[str, object] = {}
    for path in sorted((ROOT / "tests/eval").glob("*.jsonl")):
        results[path.name] = snapshot(bundled, queries_of(path))
    if args.large:
        queries = [q for f in QUERY_FILES if f.exists() for q in queries_of(f)]
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), 10_000)
            big = Library([Path(tmp)], "https://example.invalid/docs/", reload_interval=3600)
            results["large-10k"] = snapshot(big, queries)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
