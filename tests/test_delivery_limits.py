"""The broadcast limiter keeps every one-second window under Telegram's cap.

Telegram allows about 30 messages per second per bot (paid broadcasts up to
1000/s; Bot API FAQ). :func:`bot.delivery.leaky_bucket` is what keeps the
delivery worker under that: a leaky bucket of capacity ``c`` draining ``r`` per
second lets through at most ``c + r - 1`` in any window of one second, counted at
the turns. The throughput these settings give in practice is measured by
bench/broadcast.py, not here.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery import leaky_bucket


def window_at_turns(capacity: float, drain: float) -> float:
    """The most acquisitions a bucket passes in a one-second window when senders are
    always waiting: the first ``capacity`` at once, then one every ``1/drain`` s."""
    return capacity + drain - 1


@given(st.floats(min_value=1.0, max_value=1000.0))
def test_no_window_exceeds_the_cap_and_the_rate_stays_close_to_it(rate):
    limiter = leaky_bucket(rate)
    capacity = limiter.max_rate
    drain = capacity / limiter.time_period  # acquisitions per second
    assert capacity >= 1
    # 3 % of the cap (30 ms of it) stays free for requests that leave late after their turn.
    assert window_at_turns(capacity, drain) <= 0.97 * rate + 1e-9
    # ... and no more than that is given away: a broadcast is not slowed down for nothing.
    assert drain >= 0.96 * rate


def test_the_default_cap_sends_one_at_a_time():
    # 30/s, Telegram's free limit: no bursts at all, one message every ~34 ms.
    limiter = leaky_bucket(30)
    assert limiter.max_rate == 1
    assert 1 / limiter.time_period == pytest.approx(0.97 * 30)
