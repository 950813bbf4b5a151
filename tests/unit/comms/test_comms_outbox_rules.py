"""The outbox's retry schedule and crash recovery rules (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.comms import OutboxState, RetryPolicy, after_crash
from arrears.domain.errors import InvalidConfig

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def test_backoff_doubles_until_the_cap() -> None:
    policy = RetryPolicy(
        base=dt.timedelta(minutes=1), max_delay=dt.timedelta(minutes=10), jitter=0.0
    )
    delays = [policy.delay(n, 0.5).total_seconds() for n in range(1, 7)]
    assert delays == [60, 120, 240, 480, 600, 600]


@given(attempt=st.integers(1, 200), draw=st.floats(0, 1, exclude_max=True))
def test_jitter_stays_within_its_bounds(attempt: int, draw: float) -> None:
    policy = RetryPolicy(jitter=0.2)
    plain = min(60 * 2 ** min(attempt - 1, 64), policy.max_delay.total_seconds())
    delay = policy.delay(attempt, draw).total_seconds()
    assert plain * 0.8 - 0.001 <= delay <= plain * 1.2 + 0.001


def test_the_last_attempt_makes_a_message_undeliverable() -> None:
    policy = RetryPolicy(max_attempts=3, jitter=0.0)
    assert policy.after_failure(1, NOW, 0.0) == (OutboxState.FAILED, NOW + dt.timedelta(minutes=1))
    assert policy.after_failure(2, NOW, 0.0) == (OutboxState.FAILED, NOW + dt.timedelta(minutes=2))
    assert policy.after_failure(3, NOW, 0.0) == (OutboxState.UNDELIVERABLE, None)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"base": dt.timedelta(0)}, "base must be positive"),
        ({"jitter": 1.0}, "jitter"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"factor": 0}, "factor"),
    ],
)
def test_bad_retry_settings_are_refused(changes: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidConfig, match=match):
        RetryPolicy(**changes)  # type: ignore[arg-type]


def test_a_crashed_send_is_never_resent_blindly() -> None:
    assert after_crash(started=False, was_sent=None) is OutboxState.QUEUED
    assert after_crash(started=True, was_sent=True) is OutboxState.SENT
    assert after_crash(started=True, was_sent=False) is OutboxState.FAILED
    assert after_crash(started=True, was_sent=None) is OutboxState.UNKNOWN
