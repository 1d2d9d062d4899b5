"""``acrbot report [--days N] [--json]``: the admin figures of App Home, in a terminal.

The same numbers, read from the same shared store (questions asked,
feedback, captured answers and phrasings waiting, the audit records, the
alerts triaged), built by the same :func:`bot.knowledge.report.admin_report`.
"""

from __future__ import annotations

import argparse

from bot.cli.args import count
from bot.cli.terminal import json_line
from bot.config import load_settings
from bot.feedback import printable
from bot.knowledge.report import AdminReport

AUDIT_READ = 5000
MAX_DAYS = 366


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("report", help="questions asked and answered, what is missing, pending")
    parser.add_argument("--days", type=count, help="one window of N days (default: 7 and 30)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    from bot.knowledge import review
    from bot.knowledge.asked import QuestionLog
    from bot.knowledge.report import admin_report, grouping_terms
    from bot.services import audit_log, captured_store, feedback_store, library_from
    from bot.triage.tally import triaged_since

    days = (min(args.days, MAX_DAYS),) if args.days else (7, 30)
    captured = captured_store(settings)
    shared = captured.storage
    clicks = list(feedback_store(settings, shared))
    knowledge = library_from(settings, captured=captured).current
    report = admin_report(
        QuestionLog(shared).all(),
        clicks,
        knowledge.entries,
        review.pending(captured, clicks, knowledge),
        audit_log(settings, shared).recent(AUDIT_READ),
        days=days,
        alerts_triaged={d: triaged_since(shared, d) for d in days},
        terms=grouping_terms(knowledge),
    )
    if args.json:
        print(json_line(report.as_json()))
    else:
        print_report(report)
    return 0


def print_report(report: AdminReport) -> None:
    for days, figures in sorted(report.windows.items()):
        print(
            f"Last {days} days: {figures.asked} asked, {figures.answered} answered "
            f"({figures.share:.0%}); {report.checks_run.get(days, 0)} checks run, "
            f"{report.alerts_triaged.get(days, 0)} alerts triaged"
        )
        sources = [f"{s} {n}/{a}" for s, (a, n) in figures.by_source.items() if a]
        print("  by source (answered/asked): " + (", ".join(sources) or "-"))
    shortest = report.windows[min(report.windows)]
    print(f"Per day, last {shortest.days} days (answered/asked):")
    for day, answered, missed in shortest.per_day:
        print(f"  {day}  {'#' * answered}{'.' * missed}  {answered}/{answered + missed}")
    longest = report.windows[max(report.windows)]
    print(f"Not answered, grouped ({longest.days} days):")
    for group in longest.unanswered[:20] or []:
        print(f"  {group.count:4d}x  {len(group.users):3d} people  {printable(group.example)!r}")
    if not longest.unanswered:
        print("  (none)")
    if report.worst:
        print("Most 👎:")
        for score in report.worst:
            print(f"  {score.down:4d} 👎 {score.up:4d} 👍  {score.entry}")
    print(f"Never used ({longest.days} days): {len(report.never_used)} entries")
    for entry in report.never_used[:20]:
        print(f"  {entry.id}")
    print(f"Waiting for approval: {len(report.pending)}")
    for item in report.pending:
        print(f"  {item.id}  {item.kind:8s}  {printable(item.question)!r}")
