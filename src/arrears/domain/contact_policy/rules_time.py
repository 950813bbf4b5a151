"""Rules about when and how often: convenient hours, call frequencies, daily caps, time slots."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING, Final

from arrears.domain.contact_policy.base import (
    MAX_ROUNDS,
    Ctx,
    Rule,
    count_in_days,
    hhmm,
    last_at_or_before,
    lifted_later,
    merged,
    window_cap,
)
from arrears.domain.contact_policy.clock import DAY, MINUTE, date_of
from arrears.domain.contact_policy.ledger import (
    ANY_DEBT,
    EXCLUDED_FROM_CALL_COUNTS,
    PERSONAL_POINTS,
    Interval,
)
from arrears.domain.contact_policy.verdict import Finding, RuleInfo
from arrears.domain.contact_policy.vocab import Channel, ConsentScope, Purpose, Relation
from arrears.domain.errors import InvalidConfig

if TYPE_CHECKING:
    from collections.abc import Callable

    from arrears.domain.contact_policy.clock import ZoneClock

CALLS: Final = frozenset({Channel.CALL})
TIMED: Final = frozenset(
    {
        Channel.CALL,
        Channel.SMS,
        Channel.EMAIL,
        Channel.SOCIAL_PRIVATE,
        Channel.SOCIAL_PUBLIC,
        Channel.VISIT,
    }
)
LOCATED: Final = frozenset({Channel.CALL, Channel.SMS, Channel.VISIT})  # their address has a zone
_EMPTY: Final[list[int]] = []


def _call_consent_at(windows: dict[str, list[Interval]], debt: str, t: int) -> bool:
    for key in (debt, ANY_DEBT):
        for window in windows.get(key, ()):
            if window.start <= t < window.end:
                return True
    return False


def _call_consent_after(windows: dict[str, list[Interval]], debt: str, t: int) -> int | None:
    starts = [w.start for key in (debt, ANY_DEBT) for w in windows.get(key, ()) if w.start > t]
    return min(starts) if starts else None


def _earliest(until: int, other: int | None) -> int:
    return until if other is None else min(until, other)


class ConvenientHours(Rule):
    """Contact only inside local hours in every zone the person may be in; unknown zone: block.

    US-TIME (1692c(a)(1), 1006.6(b)(1)(i)), UK-HOURS, CN-QUIET, ES-HOURS (with days)."""

    __slots__ = ("_label", "day_allowed", "high", "low")
    default_channels = TIMED

    def __init__(
        self,
        info: RuleInfo,
        *,
        opens: int,
        closes: int,
        strict: bool,
        day_allowed: Callable[[int], bool] | None = None,
        channels: frozenset[Channel] | None = None,
    ) -> None:
        super().__init__(info, channels=channels)
        self.low = opens + 1 if strict else opens  # strict: "after 8 o'clock", 1 µs later
        self.high = closes
        self.day_allowed = day_allowed
        self._label = (hhmm(opens), hhmm(closes))

    def _ok(self, zone: ZoneClock, t: int) -> bool:
        local = t + zone.offset(t)
        time_of_day = local % DAY
        return self.low <= time_of_day < self.high and (
            self.day_allowed is None or self.day_allowed(local // DAY)
        )

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        request = ctx.request
        if person.zone_unknown or (
            request.channel in LOCATED and request.address not in person.points
        ):
            # a number or address we hold no zone for may be anywhere: no safe hour exists
            return Finding(self.info, "hours_unknown_zone")
        debts = request.debt_ids
        if person.consents and person.consent_active(ConsentScope.TIME, t, debts=debts):
            return None
        low, high, day_allowed = self.low, self.high, self.day_allowed
        bad = None
        for zone in person.zones:
            local = t + zone.offset(t)
            if low <= local % DAY < high and (day_allowed is None or day_allowed(local // DAY)):
                continue
            bad = [zone.name for zone in person.zones if not self._ok(zone, t)]
            break
        if bad is None:
            return None
        until = self.release(person.zones, t)
        if person.consents:
            until = lifted_later(person, ConsentScope.TIME, t, debts, until)
        key = "hours"
        if self.day_allowed is not None and all(
            self.low <= (t + zone.offset(t)) % DAY < self.high for zone in person.zones
        ):
            key = "hours_day"
        return Finding(
            self.info,
            key,
            {"zones": ", ".join(bad), "open": self._label[0], "close": self._label[1]},
            until,
        )

    def release(self, zones: tuple[ZoneClock, ...], t: int) -> int | None:
        """The earliest instant >= t inside the hours in every zone (None: no common hour)."""
        if len(zones) == 1:
            return zones[0].next_in_hours(t, self.low, self.high, self.day_allowed)
        start = t
        for _ in range(MAX_ROUNDS * 4):
            latest = t
            for zone in zones:
                found = zone.next_in_hours(t, self.low, self.high, self.day_allowed)
                if found is None:
                    return None
                latest = max(latest, found)
            if latest == t:
                return t
            if latest - start > 1100 * DAY:
                return None
            t = latest
        return None


class CallsPerDebt(Rule):
    """US-CALL-7IN7: no call to a person about a debt when 7 counted calls about it already fall
    in the window of 7 local dates ending today (pre-dial: the next call is assumed to connect)."""

    __slots__ = ("days", "limit")
    default_channels = CALLS

    def __init__(self, info: RuleInfo, *, limit: int = 7, days: int = 7) -> None:
        super().__init__(info)
        self.limit = limit
        self.days = days

    def stays_quiet(self, *, call_consents: bool) -> bool:
        # windows only slide forward over a frozen history; a consent window may close later
        return not call_consents

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if person.relation in EXCLUDED_FROM_CALL_COUNTS:
            return None
        recent = person.counted_any  # fewer than `limit` counted calls in all: no debt is capped
        high = bisect_right(recent, ctx.now)
        if high < self.limit or recent[high - self.limit] < t - (self.days + 1) * DAY:
            return None
        worst: Finding | None = None
        for debt in ctx.request.debt_ids:
            instants = person.counted.get(debt)
            if instants is None or len(instants) < self.limit:
                continue
            capped = window_cap(person.day_zones, instants, self.limit, self.days, t, ctx.now)
            if capped is None:
                continue
            consents = person.call_consents
            if consents and _call_consent_at(consents, debt, t):
                continue
            count, until = capped
            if consents:
                until = _earliest(until, _call_consent_after(consents, debt, t))
            if worst is None or (worst.until is not None and until > worst.until):
                worst = Finding(
                    self.info,
                    "calls_7in7",
                    {"count": count, "debt": debt, "limit": self.limit},
                    until,
                )
        return worst


class ConversationCooldown(Rule):
    """US-CALL-CONV7: after a telephone conversation about a debt (either side calling, either
    side raising it), no call about it until the 8th local date (its date is day 1)."""

    __slots__ = ("days",)
    default_channels = CALLS

    def __init__(self, info: RuleInfo, *, days: int = 7) -> None:
        super().__init__(info)
        self.days = days

    def stays_quiet(self, *, call_consents: bool) -> bool:
        # windows only slide forward over a frozen history; a consent window may close later
        return not call_consents

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        if person.relation in EXCLUDED_FROM_CALL_COUNTS:
            return None
        talks = person.phone_conversations
        high = bisect_right(talks, ctx.now)
        if not high or t - talks[high - 1] > (self.days + 1) * DAY:
            return None  # no conversation recent enough to matter in any zone
        general = last_at_or_before(person.general_conversations, ctx.now)
        worst: Finding | None = None
        for debt in ctx.request.debt_ids:
            last = last_at_or_before(person.conversations.get(debt, _EMPTY), ctx.now)
            if general is not None and (last is None or general > last):
                last = general
            if last is None or t - last > (self.days + 1) * DAY:
                continue  # a conversation that long ago is outside every zone's window
            consents = person.call_consents
            if consents and _call_consent_at(consents, debt, t):
                continue
            until = -1
            first_day = 0
            for zone in person.day_zones:
                day = zone.day(last)
                if zone.day(t) - day < self.days:
                    until = max(until, zone.day_start(day + self.days))
                    first_day = day
            if until < 0:
                continue
            if consents:
                until = _earliest(until, _call_consent_after(consents, debt, t))
            if worst is None or (worst.until is not None and until > worst.until):
                worst = Finding(
                    self.info,
                    "conv_7",
                    {"debt": debt, "date": date_of(first_day).isoformat()},
                    until,
                )
        return worst


class CallPattern(Rule):
    """US-CALL-PATTERN (flag): rapid succession, concentration on one number in a day, and what
    the person said before (cmt 14(b)(2)(i)-2)."""

    __slots__ = ("per_day", "rapid")
    default_channels = CALLS

    def __init__(self, info: RuleInfo, *, rapid_minutes: int = 5, per_day: int = 7) -> None:
        super().__init__(info)
        self.rapid = rapid_minutes * MINUTE
        self.per_day = per_day

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        number = ctx.request.address or ""
        attempts = person.attempts.get(number)
        if attempts:
            high = bisect_right(attempts, ctx.now)
            if high and t - attempts[high - 1] < self.rapid:
                return Finding(self.info, "pattern_rapid", {"number": number})
            before = self.per_day - 1  # this call would be the per_day-th of the local day
            if high >= before and attempts[high - before] >= t - 2 * DAY:
                count = max(count_in_days(z, attempts, t, 1, ctx.now) for z in person.day_zones)
                if count >= before:
                    return Finding(
                        self.info, "pattern_concentration", {"count": count, "number": number}
                    )
        if person.signals:
            for instant, signal in reversed(person.signals):
                if instant <= ctx.now:
                    return Finding(self.info, "pattern_signal", {"signal": signal.value})
        return None


class MassachusettsCalls(Rule):
    """US-MA-2IN7: at most 2 collector-initiated calls or texts per debt in 7 days to a
    residence or mobile number, and 2 in 30 days to any other number (209 CMR 18.16(1)(d),
    940 CMR 7.04(1)(f); every connected attempt counts, Armata v. Target, SJC 2018)."""

    __slots__ = ("consumer_like", "limit")
    default_channels = frozenset({Channel.CALL, Channel.SMS})

    def __init__(
        self, info: RuleInfo, *, consumer_like: frozenset[Relation], limit: int = 2
    ) -> None:
        super().__init__(info)
        self.limit = limit
        self.consumer_like = consumer_like

    def stays_quiet(self, *, call_consents: bool) -> bool:
        # windows only slide forward over a frozen history; a consent window may close later
        return not call_consents

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        request = ctx.request
        person = ctx.person
        if request.in_reply_to is not None or request.purpose is Purpose.REPLY:
            return None  # answering the debtor is not initiating a communication
        if not person.consumer_like(self.consumer_like):
            return None
        personal = person.points.get(request.address or "") in PERSONAL_POINTS
        index, days, kind = (
            (person.ma_personal, 7, "residence/mobile")
            if personal
            else (person.ma_other, 30, "other")
        )
        if not index:
            return None
        worst: Finding | None = None
        for debt in request.debt_ids:
            instants = merged(index.get(debt, _EMPTY), index.get(ANY_DEBT, _EMPTY))
            if len(instants) < self.limit:
                continue
            consents = person.call_consents
            if consents and _call_consent_at(consents, debt, t):
                continue
            capped = window_cap(person.day_zones, instants, self.limit, days, t, ctx.now)
            if capped is None:
                continue
            count, until = capped
            if consents:
                until = _earliest(until, _call_consent_after(consents, debt, t))
            if worst is None or (worst.until is not None and until > worst.until):
                params = {
                    "count": count,
                    "debt": debt,
                    "kind": kind,
                    "days": days,
                    "limit": self.limit,
                }
                worst = Finding(self.info, "ma_calls", params, until)
        return worst


_SOURCES: Final[dict[str, Callable[[Ctx], list[int]]]] = {
    "attempts": lambda ctx: ctx.person.attempts.get(ctx.request.address or "", _EMPTY),
    "unconnected": lambda ctx: ctx.person.unconnected.get(ctx.request.address or "", _EMPTY),
    "our_conversations": lambda ctx: ctx.person.our_conversations,
    "contacts": lambda ctx: ctx.person.contacts,
    "channel": lambda ctx: ctx.person.by_channel.get(ctx.request.channel, _EMPTY),
}


class DailyCap(Rule):
    """A cap on instants per window of local dates, read from the person's index.

    `source`: "attempts" (calls to the number), "unconnected" (unanswered calls to the number),
    "our_conversations", "contacts" (every outbound contact), "channel" (the request's channel).
    Used by CN-ATTEMPTS, CN-VOICE3, HOUSE-MAX-CONTACTS and UK-FREQ.
    """

    __slots__ = ("days", "key", "lifted_by_consent", "limit", "source")

    def __init__(
        self,
        info: RuleInfo,
        *,
        source: str,
        limit: int,
        days: int,
        key: str,
        channels: frozenset[Channel],
        lifted_by_consent: bool = False,
    ) -> None:
        super().__init__(info, channels=channels)
        if source not in _SOURCES:
            raise InvalidConfig(f"unknown source {source!r} for {info.rule_id}")
        self.source = source
        self.limit = limit
        self.days = days
        self.key = key
        self.lifted_by_consent = lifted_by_consent

    def _instants(self, ctx: Ctx) -> list[int]:
        return _SOURCES[self.source](ctx)

    def stays_quiet(self, *, call_consents: bool) -> bool:
        return not (self.lifted_by_consent and call_consents)

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        instants = self._instants(ctx)
        if len(instants) < self.limit:
            return None
        person = ctx.person
        if (
            self.lifted_by_consent
            and person.call_consents
            and any(_call_consent_at(person.call_consents, d, t) for d in ctx.request.debt_ids)
        ):
            return None
        capped = window_cap(person.day_zones, instants, self.limit, self.days, t, ctx.now)
        if capped is None:
            return None
        count, until = capped
        if self.lifted_by_consent and person.call_consents:
            for debt in ctx.request.debt_ids:
                until = _earliest(until, _call_consent_after(person.call_consents, debt, t))
        params = {
            "count": count,
            "limit": self.limit,
            "days": self.days,
            "number": ctx.request.address or "",
            "channel": ctx.request.channel.value,
        }
        return Finding(self.info, self.key, params, until)


class TimeSlots(Rule):
    """HOUSE-SLOT: no second call to a person within the same local time slot of a day."""

    __slots__ = ("bounds",)
    default_channels = CALLS

    def __init__(self, info: RuleInfo, *, bounds: tuple[int, ...]) -> None:
        super().__init__(info)
        self.bounds = tuple(sorted({0, *bounds}))

    def stays_quiet(self, *, call_consents: bool) -> bool:
        del call_consents
        return True  # later slots hold no call made up to now

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        person = ctx.person
        calls = person.calls
        high = bisect_right(calls, ctx.now)
        if not high or t - calls[high - 1] >= DAY:
            return None  # no call in the last day: none in this slot
        until = -1
        label = ""
        for zone in person.day_zones:
            day, time_of_day = divmod(zone.local(t), DAY)
            index = bisect_right(self.bounds, time_of_day) - 1
            slot_start = day * DAY + self.bounds[index]
            slot_end = day * DAY + (self.bounds[index + 1] if index + 1 < len(self.bounds) else DAY)
            first = zone.first_at_or_after(zone.day_start(day), slot_start)
            if high - bisect_left(calls, first) > 0:
                until = max(until, zone.first_at_or_after(t, slot_end))
                label = f"{hhmm(slot_start - day * DAY)}-{hhmm(slot_end - day * DAY)}"
        if until < 0:
            return None
        return Finding(self.info, "house_slot", {"slot": label}, until)
