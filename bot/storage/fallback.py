"""De-duplication that survives a Redis outage by falling back to this process.

Answering a question twice is a small harm; not answering it is a bigger
one. So Slack event de-duplication (and replayed interactive payloads) keep
working while the shared store is down, claimed in this process only, and
the log says so once per outage. Confirm claims and rate limits do *not* use
this: without the shared guarantee, diagnostics are refused instead.
"""

from __future__ import annotations

import logging
import threading

from bot import metrics
from bot.storage.base import Storage, StorageUnavailable
from bot.storage.memory import MemoryStorage

log = logging.getLogger(__name__)


class ProcessFallback:
    """``claim(key, ttl)`` on ``primary``, or on a process-local store while it is down."""

    def __init__(self, primary: Storage, fallback: Storage | None = None) -> None:
        self.primary = primary
        self._fallback = fallback or MemoryStorage()
        self._lock = threading.Lock()
        self._falling_back = False

    @property
    def falling_back(self) -> bool:
        return self._falling_back

    def claim(self, key: str, ttl: float) -> bool:
        try:
            claimed = self.primary.claim(key, ttl)
        except StorageUnavailable:
            self._switch(True)
            metrics.storage_fallback()
            return self._fallback.claim(key, ttl)
        if self._falling_back:
            self._switch(False)
        return claimed

    async def claim_async(self, key: str, ttl: float) -> bool | None:
        """:meth:`claim`, awaited on an event loop; ``None`` means "claim from a thread".

        That is the answer while the primary is known to be down, so that the
        blocking claim probes it and says when it is back.
        """
        try:
            claimed = await self.primary.claim_async(key, ttl)
        except StorageUnavailable:
            self._switch(True)
            metrics.storage_fallback()
            return self._fallback.claim(key, ttl)
        if claimed is not None and self._falling_back:
            self._switch(False)
        return claimed

    def _switch(self, down: bool) -> None:
        with self._lock:
            if self._falling_back == down:
                return
            self._falling_back = down
        if down:
            log.warning(
                "shared de-duplication is unavailable (%s store down): de-duplicating within "
                "this process until it is back; a retry reaching another replica may be "
                "answered twice",
                self.primary.kind,
            )
        else:
            log.warning("shared de-duplication is back (%s store)", self.primary.kind)
