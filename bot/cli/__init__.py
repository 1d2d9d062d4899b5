"""The ``acrbot`` command line: one sub-command per job, each registered by its module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot import __version__
from bot.errors import AcrbotError

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.diagnostics.audit import AuditLog
    from bot.diagnostics.service import Diagnostics


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="acrbot", description="Azure Container Registry assistant for Slack and the terminal."
    )
    parser.add_argument("--version", action="version", version=f"acrbot {__version__}")
    parser.add_argument(
        "--config", metavar="PATH", help="YAML config file (default: $ACRBOT_CONFIG, if set)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from bot.cli import ask, config, diagnose, feedback, handoffs, knowledge, report, serve, triage

    ask.register(sub)
    serve.register(sub)
    config.register(sub)
    feedback.register(sub)
    handoffs.register(sub)
    knowledge.register(sub)
    report.register(sub)
    diagnose.register(sub, _terminal_diagnostics, _shared_audit)
    triage.register(sub)
    return parser


def _terminal_diagnostics(settings: Settings) -> Diagnostics:
    """Terminal runs: the same wiring as Slack, with claims kept in memory."""
    from bot.services import build_services

    return build_services(settings, persistent_claims=False).diagnostics


def _shared_audit(settings: Settings) -> AuditLog:
    """Where the bot writes its audit records: the Redis stream, or the JSONL file."""
    from bot.services import audit_log, open_shared_storage

    return audit_log(settings, open_shared_storage(settings))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except AcrbotError as exc:
        print(f"acrbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `acrbot ask … | head` closed the pipe: not an error
        sys.stderr.close()
        return 0
