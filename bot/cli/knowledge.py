"""``acrbot knowledge pending|approve ID|reject ID|export [--out DIR]``: approvals in a terminal.

The same decisions the Approve / Reject buttons make in Slack, on the same
shared store (Redis with ``REDIS_URL``, else the host's SQLite file), so a
decision here is answered by every replica at once. ``export`` writes the
approved answers as FAQ markdown a team can commit to its knowledge folder
(a committed entry then wins over the store's copy of the same anchor).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bot.config import load_settings
from bot.errors import AcrbotError
from bot.feedback import printable

TERMINAL = "terminal"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "knowledge", help="captured answers and phrasings: pending, approve, reject, export"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("pending", help="what waits for an approver (answers and phrasings)")
    for name, what in (("approve", "answer from it on every replica"), ("reject", "never use it")):
        action = actions.add_parser(name, help=f"{name} a pending item: {what}")
        action.add_argument("id", metavar="ID", help="the ID `acrbot knowledge pending` shows")
    export = actions.add_parser("export", help="approved answers as FAQ markdown, one per language")
    export.add_argument(
        "--out", metavar="DIR", default=".", help="folder to write (default: current folder)"
    )
    parser.set_defaults(handler=_knowledge)


def _knowledge(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    from bot.services import captured_store, feedback_store, library_from

    store = captured_store(settings)
    if args.action == "export":
        return export(store, Path(args.out))
    from bot.knowledge import review

    clicks = feedback_store(settings, store.storage)
    knowledge = library_from(settings, captured=store).current
    if args.action == "pending":
        return show_pending(review.pending(store, clicks, knowledge))
    decide = review.approve if args.action == "approve" else review.reject
    done = decide(store, args.id, TERMINAL, clicks, knowledge)
    print(f"{args.action}d: {done.id} {printable(done.question)!r}")
    return 0


def show_pending(items: list) -> int:
    if not items:
        print("Nothing waits for approval.")
        return 0
    print("Pending (acrbot knowledge approve ID | reject ID):")
    for item in items:
        if item.kind == "answer":
            where = f" {item.link}" if item.link else ""
            print(f"  {item.id}  answer    {item.language:5s} by {item.submitted_by}{where}")
        else:
            language = item.language or "-"
            print(f"  {item.id}  phrasing  {language:5s} {item.count} picks → {item.detail}")
        print(f"      Q: {printable(item.question)}")
        if item.kind == "answer":
            first = printable(item.detail.strip().splitlines()[0] if item.detail.strip() else "")
            print(f"      A: {first[:100]}")
    return 0


def export(store: object, out: Path) -> int:
    from bot.knowledge.captured_markdown import pages

    approved = store.entries("approved")  # type: ignore[attr-defined]
    if not approved:
        print("No approved captured answers to export.")
        return 0
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in pages(approved).items():
            _write_atomically(out / name, text)
            print(f"wrote {out / name}")
    except OSError as exc:
        raise AcrbotError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """A folder the library watches never sees half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".captured-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
