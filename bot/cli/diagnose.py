"""``acrbot diagnose`` and ``acrbot audit``: the diagnostics from a terminal.

The operator at the terminal is trusted (no access rules), but the same
closed list of checks runs through the same service, after the same kind of
confirmation (a prompt, or ``--yes``), and lands in the same audit log.
Exit codes: 0 the check passed, 1 it found problems, 2 it did not run
(bad input, config error, or not confirmed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.args import count
from bot.cli.terminal import Printable, json_line
from bot.config import Settings, load_settings
from bot.diagnostics.audit import AuditLog
from bot.diagnostics.catalogue import CHECK_NAMES
from bot.diagnostics.errors import Declined
from bot.diagnostics.report import CheckReport, Status, StepResult
from bot.errors import AcrbotError

if TYPE_CHECKING:  # the service pulls in httpx and azure-identity: only where it runs
    from bot.diagnostics.service import Diagnostics, PendingRequest

DiagnosticsFactory = Callable[[Settings], "Diagnostics"]
AuditFactory = Callable[[Settings], AuditLog]


def jsonl_audit(settings: Settings) -> AuditLog:
    """The audit log file of ``diagnostics.audit_path`` (without a shared store)."""
    return AuditLog(settings.diagnostics.audit_path)


_MARKS = {
    Status.OK: "[ok]     ",
    Status.WARNING: "[warning]",
    Status.FAILED: "[FAILED] ",
    Status.SKIPPED: "[skipped]",
}


def register(
    subparsers: argparse._SubParsersAction,
    build: DiagnosticsFactory,
    open_audit: AuditFactory = jsonl_audit,
) -> None:
    """Add ``diagnose`` and ``audit``; ``build`` is the composition root's way to make the service.

    This module builds no service of its own: ``bot/cli/__init__.py`` passes
    ``bot.services.build_services``, so the terminal runs what Slack runs, and
    ``open_audit``, so ``acrbot audit`` reads where the bot writes (Redis or a file).
    """
    diagnose = subparsers.add_parser(
        "diagnose",
        help="run a read-only diagnostic against a registry",
        description="Run one of the read-only checks against an Azure container registry.",
    )
    diagnose.add_argument(
        "registry",
        help="name, login server or resource ID of the registry "
        "(--check pull: or the full image reference, REGISTRY/REPOSITORY[:TAG|@DIGEST])",
    )
    diagnose.add_argument(
        "--check", choices=CHECK_NAMES, default=CHECK_NAMES[0], help="which check to run"
    )
    diagnose.add_argument(
        "--repository",
        metavar="REPO",
        help="check-health only: also check that the bot's identity may pull REPO",
    )
    diagnose.add_argument(
        "--image",
        metavar="REPOSITORY[:TAG|@DIGEST]",
        help="pull only: the image to pull (no tag means latest)",
    )
    diagnose.add_argument(
        "--cluster",
        metavar="CLUSTER",
        help="pull only: the AKS cluster that pulls (configured name or alias, resource ID, "
        "or a name in azure.subscriptions); without it only the registry side is read",
    )
    diagnose.add_argument("--yes", action="store_true", help="run without asking first")
    diagnose.add_argument("--json", action="store_true", help="print the report as JSON")
    diagnose.set_defaults(handler=partial(run_diagnose, build=build))

    audit = subparsers.add_parser("audit", help="show recent diagnostics audit records")
    audit.add_argument("-n", "--limit", type=count, default=20, help="how many (default 20)")
    audit.add_argument("--json", action="store_true", help="print JSON lines")
    audit.set_defaults(handler=partial(run_audit, open_audit=open_audit))


def run_diagnose(args: argparse.Namespace, build: DiagnosticsFactory) -> int:
    # Tag, node pool and error texts come from Azure: printed, none of their escapes runs.
    out: TextIO = Printable(sys.stdout)  # type: ignore[assignment]
    try:
        service = build(load_settings(args.config))
        report = service.run_direct(
            args.registry,
            args.check,
            on_step=None if args.json else lambda step: _print_step(step, out),
            confirm=None if args.yes else _ask,
            repository=args.repository,
            image=args.image,
            cluster=args.cluster,
        )
    except Declined as exc:
        return _not_run(args, str(exc) + " Add --yes to run without a prompt.")
    except AcrbotError as exc:
        return _not_run(args, str(exc))
    if args.json:
        print(json_line(report.to_dict(), indent=2))  # Azure's text, no control character raw
    else:
        _print_report(report, out)
    return 0 if report.ok else 1


def run_audit(args: argparse.Namespace, open_audit: AuditFactory) -> int:
    audit = open_audit(load_settings(args.config))  # the Redis stream, or the JSONL file
    records = audit.recent(args.limit)
    if args.json:
        for record in records:
            print(json_line(record))
        return 0
    if not records:
        print(f"No audit records yet ({audit.location}).")
    for record in records:
        print(_audit_line(record))
    return 0


# --- prompting -------------------------------------------------------------------


def _ask(pending: PendingRequest) -> bool:
    """Ask at the terminal; no terminal, end of input or anything but yes means no."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"Run {pending.description}? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}


def _not_run(args: argparse.Namespace, message: str) -> int:
    if getattr(args, "json", False):
        print(json_line({"ok": False, "error": message}))
    else:
        print(f"acrbot: {message}", file=sys.stderr)
    return 2


# --- rendering --------------------------------------------------------------------


def _print_step(step: StepResult, out: TextIO) -> None:
    took = f"{step.duration_ms} ms" if step.status != Status.SKIPPED else ""
    print(f"{_MARKS[step.status]} {step.label:<36} {took:>8}  {step.code or ''}".rstrip(), file=out)
    if step.status == Status.OK:
        print(f"            {step.explanation}", file=out)
        return
    lines = [step.explanation]
    if step.detail:
        lines.append(f"Detail: {step.detail}")
    if step.advice:
        lines.append(f"What to do: {step.advice}")
    if step.help_url:
        lines.append(f"Reference: {step.help_url}")
    for line in lines:
        print(f"            {line}", file=out)


def _print_report(report: CheckReport, out: TextIO) -> None:
    registry = report.registry
    print("", file=out)
    print(report.summary, file=out)
    print(
        f"Registry: {registry.name} ({registry.login_server}), subscription "
        f"{registry.subscription}, resource group {registry.resource_group}, "
        f"{registry.cloud} cloud; took {report.duration_ms} ms.",
        file=out,
    )
    for label, value in report.facts.items():
        print(f"  {label}: {value}", file=out)
    if report.image is not None:
        _print_verdict(report, out)
    if report.faq_links:
        print("FAQ entries that may help:", file=out)
        for link in report.faq_links:
            print(f"  - {link.title}: {link.url}" if link.url else f"  - {link.title}", file=out)
    for note in report.notes:
        print(f"Note: {note}", file=out)


def _print_verdict(report: CheckReport, out: TextIO) -> None:
    """The pull check's causes (most likely first) with their fixes, and what went unverified."""
    for number, cause in enumerate(report.causes, 1):
        print(f"Cause {number}: {cause.code}", file=out)
        print(f"  {cause.explanation}", file=out)
        print(f"  Fix: {cause.fix}", file=out)
    for item in report.unverified:
        print(f"Not verified: {item}", file=out)


def _audit_line(record: dict[str, Any]) -> str:
    who = str(record.get("requester", "-"))
    if record.get("confirmer") and record.get("confirmer") != record.get("requester"):
        who += f" -> {record['confirmer']}"
    duration = f"{record['duration_ms']} ms" if "duration_ms" in record else ""
    fields = [
        str(record.get("time", "?")),
        f"{record.get('event', '?'):<12}",
        f"{record.get('outcome', '?'):<16}",
        who,
        str(record.get("channel", "-")),
        str(record.get("registry", "-")),
        str(record.get("check", "-")),
        duration,
    ]
    line = "  ".join(fields).rstrip()
    if record.get("outcome") not in ("pending", "confirmed", "ok") and record.get("detail"):
        line += f"\n      {record['detail']}"
    return line
