"""``acrbot triage [FILE] [--json]``: triage an alert from a file or stdin in the terminal.

Exit 0 whenever the input could be read, recognised or not; 2 with one line
when it could not (missing file, not UTF-8 text, larger than 1 MB).

Alert text is someone else's: the text rendering goes through
:class:`~bot.cli.terminal.Printable` (no escape sequence or bidi control in an
annotation reaches the terminal) with each headline field on one line, and
``--json`` escapes every control character. Alerts of an Alertmanager group
that were not read (past ``MAX_ALERTS``, or ``truncatedAlerts``) are counted
in a last line (on stderr with ``--json``, so stdout stays one object per alert).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.cli.terminal import Printable, json_line, one_line
from bot.config import load_settings
from bot.errors import AcrbotError
from bot.triage.model import State, Triage
from bot.triage.readers import read_any, unread
from bot.triage.readers.alertmanager import MAX_ALERTS

MAX_INPUT_BYTES = 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "triage", help="triage an alert (Azure Monitor, Alertmanager or pasted text)"
    )
    parser.add_argument("file", nargs="?", help="the alert (JSON or text); stdin when omitted")
    parser.add_argument("--json", action="store_true", help="one JSON object per alert")
    parser.set_defaults(handler=_triage)


def read_input(file: str | None, stdin: BinaryIO | None = None) -> str:
    """The input as text, or :class:`AcrbotError` saying in one line why it cannot be read."""
    where = file or "stdin"
    try:
        if file is None or file == "-":
            data = (stdin or sys.stdin.buffer).read(MAX_INPUT_BYTES + 1)
        else:
            with Path(file).open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except IsADirectoryError:
        raise AcrbotError(f"cannot read {where}: it is a folder, not a file") from None
    except OSError as exc:
        raise AcrbotError(f"cannot read {where}: {exc.strerror or 'read error'}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise AcrbotError(f"{where} is larger than 1 MB: that is not an alert")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AcrbotError(f"{where} is not UTF-8 text (an alert is JSON or text)") from None


def _triage(args: argparse.Namespace) -> int:
    text = read_input(args.file)
    settings = load_settings(args.config)
    from bot.services import library_from, triager_from  # numpy, wordfreq and OpenCC

    triager = triager_from(settings, library_from(settings))
    triages = triager.triage_all(read_any(text))
    note = unread_note(*unread(text))
    if args.json:
        for triage in triages:
            print(json_line(triage.to_json()))
        if note:
            print(note, file=Printable(sys.stderr))
    else:
        # Annotations and descriptions are the sender's text: printed, none of their escapes runs.
        out: TextIO = Printable(sys.stdout)  # type: ignore[assignment]
        print("\n\n".join(render(t) for t in triages) or render_empty(), file=out)
        if note:
            print(f"\n{note}", file=out)
    return 0


def render_empty() -> str:
    return "The Alertmanager group holds no alerts."


def unread_note(past: int, truncated: int) -> str:
    """ "…and N more alerts were not read: …", or "" when every alert of the input was."""
    if not past and not truncated:
        return ""
    why = []
    if past:
        why.append(f"{past} past the first {MAX_ALERTS}, the most acrbot reads from one group")
    if truncated:
        why.append(
            f"{truncated} dropped by Alertmanager's max_alerts before it sent the group "
            "(truncatedAlerts)"
        )
    total = past + truncated
    alerts = "alert was" if total == 1 else "alerts were"
    return f"…and {total} more {alerts} not read: {'; '.join(why)}. Alertmanager lists them all."


# --- text rendering (``acrbot triage`` without ``--json``) ---------------------------

NOTHING = (
    "Nothing recognised: no registry and no known registry error in this input. "
    "Ask a question with `acrbot ask …` (in Slack: /acr help)."
)


def headline(triage: Triage) -> str:
    """State · severity · rule · registries, the first line of every rendering."""
    alert = triage.alert
    state = "RESOLVED" if alert.state == State.RESOLVED else "FIRED"
    parts = [state]
    parts += [f for f in (_field(alert.severity, 40), _field(alert.rule, 300)) if f]
    if triage.registries:
        parts.append(", ".join(triage.registries))
    elif triage.rejected:
        names = (_field(name, 100) for name in triage.rejected)
        parts.append("not a valid registry name: " + ", ".join(names))
    return " · ".join(parts) + f"  ({alert.source})"


def _field(text: str | None, limit: int) -> str:
    """A headline field on one line: a line break in a label is a space, not a new line."""
    return one_line(" ".join((text or "").split()), limit)


def render(triage: Triage) -> str:
    if not triage.recognised:
        return NOTHING
    lines = [headline(triage), triage.summary]
    if triage.faq:
        lines.append("FAQ:")
        lines += [f"  {f.score:.2f}  {f.title}  {f.url}".rstrip() for f in triage.faq]
    if triage.checks:
        lines.append("Checks worth running:")
        for check in triage.checks:
            extra = f" --repository {check.repository}" if check.repository else ""
            if check.image:
                extra = f" --image {check.image}"
                extra += f" --cluster {check.cluster.ref}" if check.cluster else ""
            lines.append(f"  acrbot diagnose {check.registry} --check {check.check}{extra}")
    elif triage.about_registry and not triage.registries:
        lines.append("Name the registry to run a check: acrbot diagnose REGISTRY")
    return "\n".join(lines)
