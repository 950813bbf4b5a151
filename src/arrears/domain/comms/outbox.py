"""The outbox's states and retry schedule (pure: the instant and the random draw are passed in).

    queued ──claim──▶ sending ──started──▶ (adapter) ──▶ sent
      ▲                  │                      │
      │  crash before    │                      ├─ transient error ─▶ failed ─(due)─▶ sending
      └─── the send ─────┘                      ├─ permanent error / attempts spent ─▶ undeliverable
                                                └─ crash after start: adapter.was_sent(key)
                                                     True ▶ sent · False ▶ failed · None ▶ unknown

`unknown` waits for a person: it is never sent again on its own (a message is never sent twice).
`held`: the contact policy refused the message at send time with no instant at which it would
be allowed (a hold that waits for an event); it is not sent unless re-queued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from arrears.domain.errors import InvalidConfig


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # a transient failure; retried at next_attempt_at
    UNDELIVERABLE = "undeliverable"
    UNKNOWN = "unknown"  # crashed mid-send and the channel cannot tell: a person decides
    HELD = "held"  # the contact policy holds it until an event


#: states a dispatcher picks up when due
DUE_STATES = (OutboxState.QUEUED, OutboxState.FAILED)
FINAL_STATES = frozenset({OutboxState.SENT, OutboxState.UNDELIVERABLE})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with bounded jitter: attempt n waits base * factor**(n-1), capped at
    `max_delay`, times a factor drawn uniformly from [1 - jitter, 1 + jitter]."""

    base: dt.timedelta = dt.timedelta(minutes=1)
    factor: int = 2
    max_delay: dt.timedelta = dt.timedelta(hours=6)
    jitter: float = 0.2
    max_attempts: int = 5

    def __post_init__(self) -> None:
        if self.base <= dt.timedelta(0) or self.max_delay < self.base:
            raise InvalidConfig("retry: base must be positive and max_delay at least base")
        if self.factor < 1:
            raise InvalidConfig("retry: factor must be 1 or more")
        if not 0 <= self.jitter < 1:
            raise InvalidConfig("retry: jitter must be in [0, 1)")
        if self.max_attempts < 1:
            raise InvalidConfig("retry: max_attempts must be 1 or more")

    def delay(self, attempt: int, draw: float) -> dt.timedelta:
        """The wait after failed attempt number `attempt` (1-based); `draw` is uniform in [0, 1)."""
        if attempt < 1:
            raise InvalidConfig("retry: attempts are numbered from 1")
        if not 0 <= draw < 1:
            raise InvalidConfig("retry: draw must be in [0, 1)")
        seconds = self.base.total_seconds() * self.factor ** min(attempt - 1, 64)
        capped = min(seconds, self.max_delay.total_seconds())
        spread = 1 - self.jitter + 2 * self.jitter * draw
        return dt.timedelta(seconds=round(capped * spread, 3))

    def after_failure(
        self, attempt: int, now: dt.datetime, draw: float
    ) -> tuple[OutboxState, dt.datetime | None]:
        """(failed, when to retry) or (undeliverable, None) once the attempts are spent."""
        if attempt >= self.max_attempts:
            return OutboxState.UNDELIVERABLE, None
        return OutboxState.FAILED, now + self.delay(attempt, draw)


def after_crash(*, started: bool, was_sent: bool | None) -> OutboxState:
    """Where a message found in `sending` after its dispatcher died goes.

    Not started: the adapter was never handed the message, so it goes back to the queue.
    Started: only the channel can say; it said sent, not sent, or cannot tell (unknown)."""
    if not started:
        return OutboxState.QUEUED
    if was_sent is None:
        return OutboxState.UNKNOWN
    return OutboxState.SENT if was_sent else OutboxState.FAILED


__all__ = ["DUE_STATES", "FINAL_STATES", "OutboxState", "RetryPolicy", "after_crash"]
