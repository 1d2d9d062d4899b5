"""Argument types the sub-commands share, so a bad number is argparse's one-line error."""

from __future__ import annotations

import argparse


def count(text: str) -> int:
    """A whole number of at least 1 (``--limit 0`` or ``-1`` would silently mean "all")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
