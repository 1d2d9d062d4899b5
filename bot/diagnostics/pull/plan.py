"""Independent reads at once: a small scheduler that starts each read when its inputs are in.

The pull check makes a dozen or more calls, most of them independent (the
cluster, the registry and the registry token need nothing from each other).
Each read names the reads it needs; it starts as soon as they have
succeeded, on a small thread pool, and is skipped when one of them failed.
A read that fails keeps its error (a 403 is an answer to report, not a
reason to stop); nothing here decides what the answers mean.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from bot.diagnostics.errors import AzureError

log = logging.getLogger(__name__)

NOT_APPLICABLE = object()
"""A read returns this when, given its inputs, there is nothing to read."""

ReadFn = Callable[[Mapping[str, Any]], Any]

__all__ = ["NOT_APPLICABLE", "Outcome", "ReadPlan"]


@dataclass(frozen=True)
class Outcome:
    """A read's result: its value, the Azure error that ended it, or why it did not run."""

    value: Any = None
    error: AzureError | None = None
    skipped: str | None = None  # "needs" (an input failed) or "not-applicable"
    bug: bool = False  # an unexpected exception (logged)

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None and not self.bug


@dataclass(frozen=True)
class _Read:
    name: str
    fn: ReadFn
    needs: tuple[str, ...]
    after: tuple[str, ...] = ()


class ReadPlan:
    """Reads and their inputs; :meth:`run` does them, as concurrently as the inputs allow."""

    def __init__(self, max_workers: int = 8) -> None:
        self._reads: dict[str, _Read] = {}
        self._max_workers = max_workers

    def add(
        self, name: str, fn: ReadFn, needs: tuple[str, ...] = (), after: tuple[str, ...] = ()
    ) -> None:
        """``needs`` must succeed first; ``after`` must only finish (their value, or None)."""
        unknown = [n for n in needs + after if n not in self._reads]
        if unknown:
            raise ValueError(f"read {name} needs unknown reads {unknown}")
        self._reads[name] = _Read(name, fn, needs, after)

    def run(self) -> dict[str, Outcome]:
        results: dict[str, Outcome] = {}
        waiting = dict(self._reads)
        running: dict[Future[Outcome], str] = {}
        with ThreadPoolExecutor(self._max_workers, thread_name_prefix="pull-read") as pool:
            while waiting or running:
                self._start_ready(waiting, results, running, pool)
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future)] = future.result()
        return results

    def _start_ready(
        self,
        waiting: dict[str, _Read],
        results: dict[str, Outcome],
        running: dict[Future[Outcome], str],
        pool: ThreadPoolExecutor,
    ) -> None:
        progress = True
        while progress:
            progress = False
            for name, read in list(waiting.items()):
                if not all(n in results for n in read.needs + read.after):
                    continue
                del waiting[name]
                progress = True
                if not all(results[n].ok for n in read.needs):
                    results[name] = Outcome(skipped="needs")
                    continue
                inputs = {n: results[n].value for n in read.needs + read.after}
                running[pool.submit(_call, read, inputs)] = name


def _call(read: _Read, inputs: Mapping[str, Any]) -> Outcome:
    try:
        value = read.fn(inputs)
    except AzureError as exc:
        return Outcome(error=exc)
    except Exception as exc:  # a bug in one read must not lose the others
        log.error("pull read %s failed: %s", read.name, type(exc).__name__, exc_info=True)
        return Outcome(bug=True)
    if value is NOT_APPLICABLE:
        return Outcome(skipped="not-applicable")
    return Outcome(value=value)
