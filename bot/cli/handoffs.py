"""`acrbot handoffs [--open] [--json]`: the questions handed to people, open or resolved.

Read from where the server records them: the Redis stream with Redis, else
``handoffs.jsonl`` in the state folder.
"""

from __future__ import annotations

import argparse
import time

from bot.cli.terminal import json_line
from bot.config import load_settings
from bot.helpdesk.handoffs import Handoff


def register(sub: argparse._SubParsersAction) -> None:
    handoffs = sub.add_parser("handoffs", help="questions handed off to people (Still need help?)")
    handoffs.add_argument("--open", action="store_true", help="only the open ones")
    handoffs.add_argument("--json", action="store_true", help="one JSON object per hand-off")
    handoffs.set_defaults(handler=_handoffs)


def _handoffs(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    from bot.services import handoff_book, open_shared_storage

    book = handoff_book(settings, open_shared_storage(settings))
    found = book.list(open_only=args.open)
    if args.json:
        for handoff in found:
            print(json_line(handoff.as_json()))
        return 0
    if not found:
        which = "open hand-offs" if args.open else "hand-offs"
        print(f"No {which} yet ({book.stream.location}).")
        return 0
    for handoff in found:
        print(line(handoff))
    return 0


def line(handoff: Handoff, now: float | None = None) -> str:
    """One hand-off for the terminal: state, age, where, who, the question's start."""
    now = time.time() if now is None else now
    state = "open" if handoff.is_open else f"resolved by {handoff.resolved_by}"
    age = _age(now - handoff.opened_at)
    question = " ".join(handoff.question.split())[:80] or "(question not recorded)"
    reminded = ", reminded" if handoff.reminded_at and handoff.is_open else ""
    return (
        f"{handoff.id}  {state}{reminded}  {age:>4} ago  {handoff.channel} thread "
        f"{handoff.thread}  asked by {handoff.asker}: {question}"
    )


def _age(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h"
    return f"{minutes // (24 * 60)}d"
