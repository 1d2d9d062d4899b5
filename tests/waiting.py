"""Waiting in a test for something another thread or process does, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable


def eventually(condition: Callable[[], object], timeout: float = 10.0, every: float = 0.05) -> bool:
    """Whether ``condition()`` came true within ``timeout`` seconds, tried every ``every``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
