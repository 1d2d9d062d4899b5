"""`acrbot feedback`: what people marked unhelpful, and phrasing candidates to approve.

`acrbot feedback --phrasings` and `--approve ID`: from "did you mean" picks to phrasings.yaml.

The search learns a phrasing only when a person approves it: listing shows
the candidates with how often (and by how many people) they were picked,
approving writes one into the reviewed ``phrasings.yaml``, which the library
reloads like any other knowledge file.
"""

from __future__ import annotations

import argparse

from bot.config import Settings, load_settings
from bot.errors import AcrbotError, KnowledgeError
from bot.feedback import FeedbackStore, candidates, summarise, unapproved


def register(sub: argparse._SubParsersAction) -> None:
    feedback = sub.add_parser("feedback", help="which entries and queries people marked unhelpful")
    feedback.add_argument(
        "--phrasings", action="store_true", help="list phrasing candidates ('did you mean' picks)"
    )
    feedback.add_argument(
        "--approve", metavar="ID", help="add candidate ID to the knowledge folder's phrasings.yaml"
    )
    feedback.set_defaults(handler=_feedback)


def _feedback(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    from bot.services import feedback_store, open_shared_storage

    store = feedback_store(settings, open_shared_storage(settings))  # Redis stream or JSONL
    if args.phrasings or args.approve is not None:
        if args.approve is not None:
            return approve(settings, args.approve, store)
        return list_phrasings(settings, store)
    scores, worst = summarise(store)
    if not scores:
        print(f"No feedback yet ({store.location}).")
        return 0
    print("Entries, worst first (👎 share, 👎, 👍):")
    for score in scores:
        print(f"  {score.share_down:5.0%}  {score.down:4d}  {score.up:4d}  {score.entry}")
    if worst:
        print("Queries most often marked unhelpful:")
        for query, entry, count in worst:
            print(f"  {count:3d}×  {query!r} → {entry}")
    return 0


def list_phrasings(settings: Settings, feedback: FeedbackStore | None = None) -> int:
    """``feedback`` is where the clicks are (the shared store's); the JSONL file by default."""
    feedback = feedback or FeedbackStore(settings.feedback_path)
    found = candidates(feedback)
    if found:  # the knowledge base is opened only when there is something to check
        from bot.services import captured_store, library_from  # numpy, OpenCC: only here

        # phrasings approved from Slack (kept in the shared store) are done as well
        found = unapproved(found, library_from(settings, captured=captured_store(settings)).current)
    if not found:
        print(f"No phrasing candidates yet ({feedback.location}).")
        return 0
    print("Phrasing candidates (approve with: acrbot feedback --approve ID):")
    print("  ID        picks  after 👎  people  lang   entry ← query")
    for c in found:
        print(
            f"  {c.id}  {c.count:5d}  {c.after_down:8d}  {c.users:6d}  {c.language or '-':5s}"
            f"  {c.anchor} ← {c.query!r}"
        )
    return 0


def approve(settings: Settings, candidate: str, feedback: FeedbackStore | None = None) -> int:
    wanted = candidate.strip().lower()
    if not wanted:
        raise AcrbotError("--approve needs a candidate ID: see `acrbot feedback --phrasings`")
    feedback = feedback or FeedbackStore(settings.feedback_path)
    match = [c for c in candidates(feedback) if c.id == wanted]
    if not match:
        raise AcrbotError(f"no phrasing candidate {candidate!r}: see `acrbot feedback --phrasings`")
    chosen = match[0]
    from bot.knowledge.phrasings import add_phrasing
    from bot.services import library_from

    library = library_from(settings)
    if library.current.get(chosen.anchor) is None:
        raise AcrbotError(f"the entry {chosen.anchor!r} is no longer in the knowledge base")
    path = library.phrasings_path
    try:
        added = add_phrasing(path, chosen.anchor, chosen.query)
    except (KnowledgeError, OSError) as exc:
        raise AcrbotError(f"cannot update {path}: {exc}") from None
    state = "added to" if added else "already in"
    print(f"{chosen.query!r} → {chosen.anchor}: {state} {path}")
    return 0
