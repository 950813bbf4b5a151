"""Instants as integer microseconds since the Unix epoch, and fast exact local-time arithmetic.

The checks run 100,000+ times a second, so they never build `datetime` objects. A `ZoneClock`
learns a zone's UTC-offset transitions (from `zoneinfo`) one block of about 407 days at a time,
the first time an instant in that block is asked for, and answers with a bisect afterwards.

Local dates are day numbers (days since 1970-01-01 on the local wall clock); weekday is
`(day + 3) % 7` with Monday = 0.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from bisect import bisect_right
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable

US: Final = 1_000_000
MINUTE: Final = 60 * US
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_US: Final = dt.timedelta(microseconds=1)
_BLOCK_BITS: Final = 45  # 2**45 µs ≈ 407 days
_SAMPLE_S: Final = 6 * 3600  # sampling step when learning transitions (no zone has two in 6 h)
_SLACK: Final = 2 * DAY  # more than any UTC offset that ever existed
# offsets are learnt between 1900 and 2200; outside, the offset at the nearer bound is used
_MIN_S: Final = -2_208_988_800
_MAX_S: Final = 7_258_118_400


def to_us(moment: dt.datetime, *, what: str = "timestamp") -> int:
    """A tz-aware datetime as µs since the epoch; naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            f"{what} {moment.isoformat()} has no time zone (naive timestamps are refused)"
        )
    return (moment - EPOCH) // _ONE_US


def from_us(instant: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=instant)


def iso(instant: int) -> str:
    """UTC ISO 8601 with a trailing Z; microseconds only when there are any."""
    text = from_us(instant).isoformat()
    return text.removesuffix("+00:00") + "Z"


def weekday(day: int) -> int:
    """Monday = 0 … Sunday = 6 for a day number."""
    return (day + 3) % 7


def day_number(date: dt.date) -> int:
    return date.toordinal() - 719_163  # date(1970, 1, 1).toordinal()


def date_of(day: int) -> dt.date:
    return dt.date.fromordinal(day + 719_163)


class ZoneClock:
    """UTC offsets of one IANA zone as piecewise-constant segments, exact to the second."""

    __slots__ = ("_blocks", "_day_starts", "_memo", "_zone", "name")

    def __init__(self, name: str) -> None:
        try:
            self._zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"{name!r} is not an IANA time zone (e.g. America/New_York)"
            ) from None
        self.name = name
        self._blocks: dict[int, tuple[list[int], list[int]]] = {}
        self._day_starts: dict[int, int] = {}
        self._memo = (0, 0, 0)  # (start, end, offset) of the segment last asked for

    def __repr__(self) -> str:
        return f"ZoneClock({self.name!r})"

    def _offset_at_second(self, second: int) -> int:
        moment = dt.datetime.fromtimestamp(min(max(second, _MIN_S), _MAX_S), self._zone)
        offset = moment.utcoffset()
        return 0 if offset is None else int(offset.total_seconds())

    def _learn(self, key: int) -> tuple[list[int], list[int]]:
        start_us = key << _BLOCK_BITS
        end_us = (key + 1) << _BLOCK_BITS
        first = -(-start_us // US)  # first whole second in the block
        last = (end_us - 1) // US
        starts = [start_us]
        offsets = [self._offset_at_second(first) * US]
        previous_second, previous = first, offsets[0]
        second = first
        while second < last:
            second = min(second + _SAMPLE_S, last)
            current = self._offset_at_second(second) * US
            if current != previous:
                low, high = previous_second, second  # offset changes in (low, high]
                while high - low > 1:
                    middle = (low + high) // 2
                    if self._offset_at_second(middle) * US == previous:
                        low = middle
                    else:
                        high = middle
                starts.append(high * US)
                offsets.append(current)
            previous_second, previous = second, current
        block = (starts, offsets)
        self._blocks[key] = block
        return block

    def _find(self, instant: int) -> tuple[int, int, int]:
        key = instant >> _BLOCK_BITS
        starts, offsets = self._blocks.get(key) or self._learn(key)
        index = bisect_right(starts, instant) - 1
        end = starts[index + 1] if index + 1 < len(starts) else (key + 1) << _BLOCK_BITS
        memo = (starts[index], end, offsets[index])
        self._memo = memo
        return memo

    def offset(self, instant: int) -> int:
        """UTC offset in µs at `instant`. The segment last asked for is memoised: checks mostly
        ask about instants between the same two transitions."""
        start, end, offset = self._memo
        if start <= instant < end:
            return offset
        return self._find(instant)[2]

    def segment(self, instant: int) -> tuple[int, int]:
        """(end, offset): the offset at `instant` holds on [instant, end)."""
        start, end, offset = self._memo
        if not start <= instant < end:
            start, end, offset = self._find(instant)
        return end, offset

    def local(self, instant: int) -> int:
        return instant + self.offset(instant)

    def day(self, instant: int) -> int:
        return (instant + self.offset(instant)) // DAY

    def first_at_or_after(self, instant: int, local_target: int) -> int:
        """The earliest u >= instant whose wall-clock time is >= local_target."""
        while True:
            end, offset = self.segment(instant)
            candidate = max(instant, local_target - offset)
            if candidate < end:
                return candidate
            instant = end

    def day_start(self, day: int) -> int:
        """The earliest instant whose local date is `day` or later (cached per day)."""
        start = self._day_starts.get(day)
        if start is None:
            start = self.first_at_or_after(day * DAY - _SLACK, day * DAY)
            self._day_starts[day] = start
        return start

    def next_in_hours(
        self, instant: int, low: int, high: int, day_allowed: Callable[[int], bool] | None = None
    ) -> int | None:
        """The earliest u >= instant whose local time of day is in [low, high), on a local date
        that `day_allowed` accepts (every date when None). None if there is none within about
        three years (a day filter that refuses everything)."""
        horizon = instant + 1100 * DAY
        while instant < horizon:
            end, offset = self.segment(instant)
            day, time_of_day = divmod(instant + offset, DAY)
            allowed_day = day_allowed is None or day_allowed(day)
            if allowed_day and low <= time_of_day < high:
                return instant
            if time_of_day >= low or not allowed_day:
                day += 1
                if day_allowed is not None:
                    for _ in range(1100):
                        if day_allowed(day):
                            break
                        day += 1
            candidate = day * DAY + low - offset
            instant = min(end, candidate)
        return None


@lru_cache(maxsize=4096)
def zone_clock(name: str) -> ZoneClock:
    """One shared clock per zone name (its tables are learnt once per process)."""
    return ZoneClock(name)


def utc_clock() -> ZoneClock:
    return zone_clock("UTC")
