"""Per-user sliding-window rate limit and the global concurrency cap."""

from __future__ import annotations

import pytest

from bot.diagnostics.rate_limits import ConcurrencyLimiter, RateLimited, RateLimiter, TooBusy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_is_per_user_and_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60, clock)
    limiter.hit("U1")
    clock.now += 30
    limiter.hit("U1")
    limiter.hit("U2")
    with pytest.raises(RateLimited) as caught:
        limiter.hit("U1")
    assert caught.value.retry_after == 30
    assert "wait 30 s" in str(caught.value)
    clock.now += 30  # the first hit leaves the window
    limiter.hit("U1")
    with pytest.raises(RateLimited):
        limiter.hit("U1")


def test_refused_hits_do_not_count() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock)
    limiter.hit("U1")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.hit("U1")
    clock.now += 10
    limiter.hit("U1")


def test_concurrency_cap_refuses_rather_than_queues() -> None:
    limiter = ConcurrencyLimiter(2)
    with (
        limiter.slot(),
        limiter.slot(),
        pytest.raises(TooBusy, match="2 diagnostics are already running"),
        limiter.slot(),
    ):
        pass
    with limiter.slot():
        pass


def test_slot_is_released_when_the_check_raises() -> None:
    limiter = ConcurrencyLimiter(1)
    with pytest.raises(ValueError), limiter.slot():
        raise ValueError("boom")
    with limiter.slot():
        pass
