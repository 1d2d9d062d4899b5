"""The ``acrbot`` command line run in this process: ``bot.cli.main(argv)``, output captured.

A subprocess costs about a second here (interpreter, imports, often the
index); most CLI tests are about what a command prints and returns, not
about the process, so they call :func:`run_cli`, which answers like
``subprocess.run(..., capture_output=True, text=True)``. The environment is
replaced for the call (as ``env=`` would), standard input can be given, and
the root logger is put back afterwards (``serve`` and ``config check`` set
up their own handler). Tests where the process is the point (the console
script, a real exit status, start-up) still use ``subprocess``.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from bot import logs

ROOT = Path(__file__).parents[2]


@dataclass(frozen=True)
class Done:
    """What ``subprocess.run`` would have returned."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class _Stdin(io.TextIOWrapper):
    """Text standard input with a ``buffer``, as a terminal's or a pipe's has."""


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | bytes | None = None,
    cwd: Path = ROOT,
) -> Done:
    """``acrbot *args`` with exactly ``env`` as its environment (default: this one)."""
    from bot.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    data = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    stdin = _Stdin(io.BytesIO(data), encoding="utf-8")
    root = logging.getLogger()
    handlers, level, chosen = list(root.handlers), root.level, logs._chosen
    previous_cwd = Path.cwd()
    try:
        os.chdir(cwd)
        with (
            mock.patch.dict(os.environ, dict(env if env is not None else os.environ), clear=True),
            mock.patch.object(sys, "stdin", stdin),
            redirect_stdout(stdout),
            redirect_stderr(stderr),
        ):
            try:
                code = main(list(args))
            except SystemExit as exit:  # argparse: --help, --version, usage errors
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 2)
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
    finally:
        os.chdir(previous_cwd)
        root.handlers[:] = handlers
        root.setLevel(level)
        logs._chosen = chosen
    return Done(tuple(args), code, stdout.getvalue(), stderr.getvalue())
