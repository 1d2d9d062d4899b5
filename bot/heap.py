"""Give freed heap memory back to the system (glibc), after start-up's large, short-lived work.

Loading the knowledge base reads word lists and dictionaries of tens of
megabytes that are dropped once the index is built; glibc keeps the freed
pages in its arenas unless asked, so a replica would stay as large as its
start-up peak. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def trim() -> None:
    """Return free memory at the top of glibc's heaps to the system (cheap: ~1 ms)."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)
