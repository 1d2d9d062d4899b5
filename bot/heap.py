"""Give freed heap memory back to the system (glibc), after start-up's large, short-lived work.

Loading the knowledge base reads word lists and dictionaries of tens of
megabytes that are dropped once the index is built; glibc keeps the freed
pages in its arenas unless asked, so a replica would stay as large as its
start-up peak. Elsewhere (musl, macOS) this does nothing.

A worker's request threads would each get a malloc arena of their own (up to
eight per core), every one keeping a few hundred kilobytes it freed:
:func:`limit_arenas` lets them share two.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import lru_cache

M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)
SERVER_ARENAS = 2


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _function(name: str):
    return getattr(_libc(), name, None)


def trim() -> None:
    """Return free memory at the top of glibc's heaps to the system (cheap: ~1 ms)."""
    malloc_trim = _function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)


def limit_arenas(count: int = SERVER_ARENAS) -> None:
    """At most ``count`` malloc arenas from now on, unless ``MALLOC_ARENA_MAX`` sets it.

    glibc fixes the limit when a second arena is first needed, so this must run
    before the threads start (in the server's master: its workers inherit it).
    """
    mallopt = _function("mallopt")
    if mallopt is not None and "MALLOC_ARENA_MAX" not in os.environ:
        mallopt(M_ARENA_MAX, count)
