"""What a server process only reads, loaded once and kept out of the garbage collector's way.

A worker's code and its read-only tables (the everyday-word sets and OpenCC's
dictionaries, which every knowledge base reads) are about
57,000 objects, against under 2,000 for the knowledge base itself. CPython's
full collection visits every one of them, and the sets' 300,000 words, each
time it runs: about 35 ms with the event loop held (rare in steady traffic:
once in 150,000 in-process asks here, but every ack in flight waits it out).
:func:`preload` loads them and moves them into the collector's permanent
generation (:func:`gc.freeze`), so a full collection walks only what the
process allocated since (about 0.2 ms).

With several workers the master preloads before it forks, so the workers
share these pages instead of each reading its own copy (a frozen object's
header is never written by a collection, so its page stays shared). With
one worker there is nothing to share: the worker preloads after the fork and
the master, which only supervises, stays small.

The knowledge base is built after the freeze, so a reload (a changed file, an
approved answer) still frees the snapshot it replaces.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

_done = False


def preload() -> int:
    """Import the worker's code and load its read-only tables, then freeze them (once).

    Returns how many objects the collector no longer visits (0 when already done).
    """
    global _done
    if _done:  # a forked worker inherits the master's
        return 0
    started = time.perf_counter()
    import bot.web.app  # noqa: F401 (the worker's code: Bolt, search, Azure, the routes)
    from bot.knowledge.general_words import common_words
    from bot.knowledge.language import warm as warm_opencc

    common_words("en"), common_words("zh")
    warm_opencc()
    gc.collect()  # start-up's garbage is freed, not frozen with the rest
    gc.freeze()
    _done = True
    frozen = gc.get_freeze_count()
    log.debug("preloaded %d objects in %.2f s", frozen, time.perf_counter() - started)
    return frozen
