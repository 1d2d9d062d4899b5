"""`acrbot ask`, `acrbot search --json` and `acrbot eval`: the knowledge base from a terminal."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.terminal import json_line, printable
from bot.config import load_settings
from bot.errors import AcrbotError

if TYPE_CHECKING:  # search pulls in numpy, wordfreq and OpenCC: imported where it runs
    from bot.config import Settings
    from bot.knowledge.captured import CapturedStore
    from bot.knowledge.library import Library, SearchResult

LANGUAGES = ("en", "zh", "zh-tw")


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser(
        "ask", help="answer one question from the knowledge base and the answers approved in Slack"
    )
    ask.add_argument("question", nargs="+", help="the question, in English or Chinese")
    ask.add_argument(
        "--language",
        type=_language,
        help="answer in en, zh (zh-CN) or zh-TW (zh-Hant), any case (default: the question's)",
    )
    ask.set_defaults(handler=_ask)

    search = sub.add_parser("search", help="search many queries (one per line on stdin)")
    search.add_argument("--json", action="store_true", required=True, help="JSON lines out")
    search.add_argument(
        "--limit", type=int, default=5, help="results per query, 1 to 5 (more is read as 5)"
    )
    search.set_defaults(handler=_search)

    ev = sub.add_parser(
        "eval", help="measure search of the knowledge files on a labelled JSON-lines file"
    )
    ev.add_argument("file", type=Path, help='lines of {"query": ..., "anchor": "<id>" or null}')
    ev.add_argument("--misses", action="store_true", help="also list every wrong answer")
    ev.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    ev.set_defaults(handler=_eval)


def _language(value: str) -> str:
    """``--language``: en, zh or zh-tw in any case, or a region or script code that says
    which Chinese (``zh-CN``, ``zh-Hans``: Simplified; ``zh-HK``, ``zh-Hant``: Traditional)."""
    from bot.knowledge.language import normalise  # opencc loads only for a command that asks

    code = normalise(value)
    if code not in LANGUAGES:
        raise argparse.ArgumentTypeError(f"choose from en, zh, zh-TW (not {value!r})")
    return code


def open_library(args: argparse.Namespace, *, captured: bool = True) -> Library:
    """The composition root's library, its load warnings shown; an empty one is an error.

    With ``captured``, answers approved in Slack are asked too, as the bot
    asks them, from the store the bot keeps them in; a store that cannot be
    read is said once, and the files answer alone.
    """
    from bot.services import library_from

    settings = load_settings(args.config)
    store = _readable(settings) if captured else None
    library = library_from(settings, captured=store)
    for error in library.current.errors:
        print(f"acrbot: warning: {error}", file=sys.stderr)
    if not library.current.entries:
        raise AcrbotError("the knowledge base is empty: check knowledge.paths in the config")
    return library


def _readable(settings: Settings) -> CapturedStore | None:
    from bot.services import existing_captured_store
    from bot.storage import StorageUnavailable

    try:
        store = existing_captured_store(settings)
        if store is not None:
            store.version()
    except (StorageUnavailable, sqlite3.Error, OSError) as exc:
        why = "" if isinstance(exc, StorageUnavailable) else f" ({type(exc).__name__})"
        where = _where(settings)
        print(
            f"acrbot: warning: cannot read answers approved in Slack from {where}{why}; "
            "answering from the knowledge files alone",
            file=sys.stderr,
        )
        return None
    return store


def _where(settings: Settings) -> str:
    """The store named as the logs name it: a Redis URL without its password, or the file."""
    from bot.storage import SQLITE_FILE

    if settings.storage.redis_url:
        from bot.storage.redis import describe_url

        return describe_url(settings.storage.redis_url)
    return str(settings.state_dir / SQLITE_FILE)


def _ask(args: argparse.Namespace) -> int:
    library = open_library(args)
    from bot.cli.answer_text import render

    # An answer approved in Slack is a person's text: no escape sequence of theirs runs here.
    print(printable(render(library.ask(" ".join(args.question), language=args.language))))
    return 0


def result_json(result: SearchResult) -> dict[str, object]:
    return {
        "query": result.query,
        "answered": result.answered,
        "results": [
            {
                "id": h.entry.id,
                "title": (h.view.question if h.view else h.entry.question),
                "score": round(h.score, 4),
                "language": h.view.language if h.view else result.language,
            }
            for h in result.hits
        ],
    }


def _search(args: argparse.Namespace) -> int:
    if args.limit < 1:  # refused before reading stdin: 0 or less would silently mean one
        raise AcrbotError(f"--limit must be 1 or more (5 at most), not {args.limit}")
    library = open_library(args)
    limit = min(args.limit, 5)
    for line in sys.stdin:
        query = line.rstrip("\r\n")
        if not query.strip():
            continue
        print(json_line(result_json(library.ask(query, limit))), flush=True)
    return 0


def _eval(args: argparse.Namespace) -> int:
    library = open_library(args, captured=False)  # the files as labelled, the same on every host
    from bot.knowledge.evaluation import check_anchors, evaluate, read_labelled

    labelled = read_labelled(args.file)
    check_anchors(labelled, library.current, args.file)
    report = evaluate(library.current, labelled)
    if args.json:
        print(json_line(report.to_dict()))
        return 0
    print(f"{args.file}:")
    print("\n".join(f"  {line}" for line in report.lines()))
    if args.misses:
        print("misses:")
        print("\n".join(f"  {miss}" for miss in report.misses))
    return 0
