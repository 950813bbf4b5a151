"""The zone clock against zoneinfo: offsets, local days, day starts, hour searches."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.contact_policy.clock import (
    DAY,
    HOUR,
    MINUTE,
    ZoneClock,
    day_number,
    from_us,
    iso,
    to_us,
    weekday,
    zone_clock,
)
from arrears.domain.errors import InvalidInput

ZONES = (
    "America/New_York",
    "America/Santiago",  # DST changes at midnight
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Europe/Madrid",
    "Pacific/Chatham",
    "America/St_Johns",
    "UTC",
)
instants = st.integers(
    to_us(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)), to_us(dt.datetime(2040, 1, 1, tzinfo=dt.UTC))
)


@given(st.sampled_from(ZONES), instants)
def test_offsets_match_zoneinfo(name, instant):
    expected = from_us(instant).astimezone(ZoneInfo(name)).utcoffset()
    assert zone_clock(name).offset(instant) == expected // dt.timedelta(microseconds=1)


@given(st.sampled_from(ZONES), instants)
def test_local_day_matches_zoneinfo(name, instant):
    local = from_us(instant).astimezone(ZoneInfo(name))
    clock = zone_clock(name)
    assert clock.day(instant) == day_number(local.date())
    assert weekday(clock.day(instant)) == local.weekday()


@given(st.sampled_from(ZONES), instants)
def test_day_start_is_the_first_instant_of_the_local_date(name, instant):
    clock = zone_clock(name)
    day = clock.day(instant)
    start = clock.day_start(day)
    assert clock.day(start) == day
    assert clock.day(start - 1) < day


@given(st.sampled_from(ZONES), instants, st.integers(0, 23), st.integers(1, 24))
def test_next_in_hours_is_the_earliest_such_instant(name, instant, low_hour, span):
    clock = zone_clock(name)
    low, high = low_hour * HOUR, min(24, low_hour + span) * HOUR
    found = clock.next_in_hours(instant, low, high)
    assert found is not None
    assert found >= instant
    assert low <= clock.local(found) % DAY < high
    # brute force at one-minute steps finds nothing earlier (transitions fall on whole minutes)
    probe = instant
    while probe < found:
        assert not low <= clock.local(probe) % DAY < high
        probe = (probe // MINUTE + 1) * MINUTE


def test_transition_instants_are_exact():
    clock = zone_clock("America/New_York")
    change = to_us(dt.datetime(2026, 3, 8, 7, tzinfo=dt.UTC))  # 02:00 EST becomes 03:00 EDT
    assert clock.offset(change - 1) == -5 * HOUR
    assert clock.offset(change) == -4 * HOUR
    assert clock.day_start(day_number(dt.date(2026, 3, 8))) == to_us(
        dt.datetime(2026, 3, 8, 5, tzinfo=dt.UTC)
    )


def test_midnight_that_does_not_exist():
    # Santiago springs forward at 24:00 on 2026-09-05: 6 September starts at 01:00 local
    clock = zone_clock("America/Santiago")
    start = clock.day_start(day_number(dt.date(2026, 9, 6)))
    local = from_us(start).astimezone(ZoneInfo("America/Santiago"))
    assert local.date() == dt.date(2026, 9, 6)
    assert local.hour == 1


def test_naive_and_unknown_are_refused():
    with pytest.raises(InvalidInput, match="no time zone"):
        to_us(dt.datetime(2026, 1, 1))
    with pytest.raises(InvalidInput, match="IANA"):
        ZoneClock("Mars/Olympus_Mons")


def test_iso_rendering():
    assert iso(to_us(dt.datetime(2026, 4, 8, 12, tzinfo=dt.UTC))) == "2026-04-08T12:00:00Z"
    assert (
        iso(to_us(dt.datetime(2026, 4, 8, 12, 0, 0, 1, tzinfo=dt.UTC)))
        == "2026-04-08T12:00:00.000001Z"
    )
