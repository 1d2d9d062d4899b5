"""bot.heap: glibc's malloc asked to give memory back and to keep few arenas."""

from __future__ import annotations

from unittest.mock import create_autospec

import pytest

from bot import heap


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, *args: int) -> int:
        self.calls.append(args)
        return 1


@pytest.fixture
def libc(monkeypatch) -> dict[str, Recorder]:
    found = {"mallopt": Recorder(), "malloc_trim": Recorder()}
    monkeypatch.setattr(heap, "_function", create_autospec(heap._function, side_effect=found.get))
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    return found


def test_the_server_keeps_two_arenas(libc):
    heap.limit_arenas()
    assert libc["mallopt"].calls == [(heap.M_ARENA_MAX, 2)]


def test_malloc_arena_max_in_the_environment_wins(libc, monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    heap.limit_arenas()
    assert libc["mallopt"].calls == []


def test_trim_asks_glibc(libc):
    heap.trim()
    assert libc["malloc_trim"].calls == [(0,)]


def test_without_glibc_nothing_happens(monkeypatch):
    monkeypatch.setattr(heap, "_function", create_autospec(heap._function, return_value=None))
    heap.trim()
    heap.limit_arenas()
