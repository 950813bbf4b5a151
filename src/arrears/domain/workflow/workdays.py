"""Working days: a weekend rule and a holiday list, injected by the caller.

The domain never looks holidays up itself. A `holidays`-package adapter, a table of bank
holidays or a test's fixed set can all stand behind the `WorkingDays` protocol.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from arrears.domain.errors import InvalidConfig

ONE_DAY = dt.timedelta(days=1)
_SEARCH_LIMIT = 400  # a calendar with no working day in more than a year is a mistake


class WorkingDays(Protocol):
    def is_working_day(self, day: dt.date) -> bool: ...


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Weekend days (Monday = 0 ... Sunday = 6) and holidays on which nobody works."""

    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if any(day not in range(7) for day in self.weekend):
            raise InvalidConfig(
                f"weekend days must be 0 (Monday) to 6 (Sunday), got {self.weekend}"
            )
        if len(self.weekend) == 7:
            raise InvalidConfig("a week needs at least one working day")

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays


def next_working_day(after: dt.date, calendar: WorkingDays) -> dt.date:
    """The first working day strictly after `after`."""
    day = after + ONE_DAY
    for _ in range(_SEARCH_LIMIT):
        if calendar.is_working_day(day):
            return day
        day += ONE_DAY
    raise InvalidConfig(f"no working day within {_SEARCH_LIMIT} days after {after}")


def working_day_on_or_after(day: dt.date, calendar: WorkingDays) -> dt.date:
    return day if calendar.is_working_day(day) else next_working_day(day, calendar)
