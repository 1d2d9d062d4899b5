"""``acrbot triage``: what the sender's text may and may not do to a terminal, and what is left out.

Run as a user runs it (``main(argv)`` in process). Alert annotations are the
sender's: an escape sequence or a bidi override in them must not reach the
terminal, in the text rendering or in ``--json`` (which stays valid JSON);
and a group bigger than what acrbot reads says how many alerts it did not.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

import pytest

from tests.fakes.cli import Done, run_cli

INPUTS = Path(__file__).parent / "triage_inputs"


def run(*args: str, stdin: bytes = b"") -> Done:
    env = {k: v for k, v in os.environ.items() if k != "ACRBOT_CONFIG"}
    return run_cli("triage", *args, env=env, input=stdin)


def acts_on_a_terminal(text: str) -> list[str]:
    """Characters a terminal would act on rather than show (line breaks are fine)."""
    return [
        c
        for c in text
        if c not in "\n" and unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")
    ]


@pytest.mark.parametrize("name", ["am_ansi.json", "ansi.txt"])
def test_the_text_rendering_prints_no_escape_sequence(name):
    done = run(str(INPUTS / name))
    assert done.returncode == 0, done.stderr
    assert acts_on_a_terminal(done.stdout) == []
    assert "]0;pwned" not in done.stdout and "[2J" not in done.stdout
    assert "acrbot diagnose contosoreg --check pull" in done.stdout  # the triage is all there


def test_the_headline_shows_the_label_without_its_controls():
    done = run(str(INPUTS / "am_ansi.json"))
    headline, second = done.stdout.splitlines()[:2]
    assert headline == "FIRED · evil · esc · contosoreg  (alertmanager)"
    assert "Failed to pull image" in second


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\u2028", "\x85"])
def test_a_line_break_in_a_label_forges_no_headline_line(separator):
    group = json.loads((INPUTS / "am_ansi.json").read_text(encoding="utf-8"))
    group["alerts"][0]["labels"]["severity"] = f"warn{separator}FIRED · Sev0 · deleted · othereg"
    done = run(stdin=json.dumps(group).encode())
    headline, second = done.stdout.splitlines()[:2]
    assert (
        headline
        == "FIRED · warn FIRED · Sev0 · deleted · othereg · esc · contosoreg  (alertmanager)"
    )
    assert "Failed to pull image" in second


def test_json_stays_json_with_every_control_escaped():
    done = run(str(INPUTS / "am_ansi.json"), "--json")
    assert done.returncode == 0
    (line,) = done.stdout.splitlines()
    assert acts_on_a_terminal(line) == []
    result = json.loads(line)
    assert result["severity"] == "\u202eevil\x1b[8m"  # the value itself, escaped, not lost


def test_a_group_past_the_limit_says_how_many_alerts_were_not_read():
    done = run(str(INPUTS / "am_group260.json"))
    assert done.returncode == 0
    last = done.stdout.rstrip().splitlines()[-1]
    assert last.startswith("…and 100 more alerts were not read:")
    assert "60 past the first 200" in last
    assert "40 dropped by Alertmanager's max_alerts" in last and "truncatedAlerts" in last


def test_with_json_the_count_goes_to_stderr_and_stdout_stays_one_object_per_alert():
    done = run(str(INPUTS / "am_group260.json"), "--json")
    lines = done.stdout.splitlines()
    assert len(lines) == 200 and all(json.loads(line)["source"] for line in lines)
    assert "…and 100 more alerts were not read" in done.stderr


def test_a_complete_group_has_no_count():
    done = run(stdin=(INPUTS / "am_ansi.json").read_bytes())
    assert "not read" not in done.stdout + done.stderr
