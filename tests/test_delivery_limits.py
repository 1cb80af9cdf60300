"""The broadcast limiter keeps every one-second window under Telegram's cap.

Telegram allows about 30 messages per second per bot (paid broadcasts up to
1000/s; Bot API FAQ). :func:`bot.delivery.worker.leaky_bucket` is what keeps the
delivery worker under that. The throughput these settings give in practice is
measured by bench/broadcast.py, not here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.worker import SKEW_SECONDS, leaky_bucket


@given(st.floats(min_value=1.0, max_value=1000.0))
def test_no_one_second_window_can_exceed_the_cap(rate):
    limiter = leaky_bucket(rate)
    capacity = limiter.max_rate
    drain = capacity / limiter.time_period  # sends per second
    assert capacity >= 1
    # With senders always waiting, the floor(rate) sends that follow any send take
    # (n - capacity + 1) / drain seconds at the least: over one second, plus the room
    # kept for requests that arrive out of step.
    following = math.floor(rate)
    assert (following - capacity + 1) / drain >= 1 + SKEW_SECONDS - 1e-9


@given(st.integers(min_value=30, max_value=1000))
def test_the_rate_stays_close_to_the_cap(rate):
    # No more is given away than that room: a broadcast is not slowed down for nothing.
    limiter = leaky_bucket(rate)
    assert limiter.max_rate / limiter.time_period >= 0.95 * rate


def test_the_default_cap_sends_one_at_a_time():
    # 30/s, Telegram's free limit: no bursts at all, one message every ~34 ms.
    limiter = leaky_bucket(30)
    assert limiter.max_rate == 1
    assert 1 / limiter.time_period == pytest.approx(30 / (1 + SKEW_SECONDS))
