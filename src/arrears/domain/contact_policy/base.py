"""What every rule shares: the check context, the rule base class and the time-window helpers.

A rule answers two questions at an instant t >= now, with the ledger frozen as of now (no
contact after `now` is counted: the question is "would *this* contact be allowed at t if nothing
else happened?"): does it object at t, and if so, from which instant on would it stop objecting
(its `until`)? The engine combines the `until`s of all objecting rules into the exact next
allowed instant.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Final

from arrears.domain.contact_policy.clock import DAY
from arrears.domain.contact_policy.vocab import CONTACT_CHANNELS, Channel, ConsentScope, Purpose

if TYPE_CHECKING:
    from arrears.domain.contact_policy.clock import ZoneClock
    from arrears.domain.contact_policy.events import ContactRequest
    from arrears.domain.contact_policy.ledger import Ledger, PersonView
    from arrears.domain.contact_policy.verdict import Finding, RuleInfo

MAX_ROUNDS: Final = 400  # searches for a release give up (None) after this many steps


class Ctx:
    """One check: the ledger, the person contacted, the request, and `now` (the event cutoff)."""

    __slots__ = ("ledger", "now", "person", "request")

    def __init__(
        self, ledger: Ledger, person: PersonView, request: ContactRequest, now: int
    ) -> None:
        self.ledger = ledger
        self.person = person
        self.request = request
        self.now = now


class Needs(StrEnum):
    """What must exist for a rule to be able to object; the engine skips the rule otherwise."""

    NOTHING = "nothing"  # may object on any request
    PERSON_FACTS = "person_facts"  # designations, consents, statuses or inbound messages
    DEBT_FACTS = "debt_facts"  # disputes, transfers or assessments on a requested debt
    THIRD_PARTY = "third_party"  # the person contacted is not (known to be) the consumer


class Rule:
    """A rule of a preset. Subclasses set `default_channels`, `needs` and implement `check`."""

    __slots__ = ("channels", "info")
    default_channels: ClassVar[frozenset[Channel]] = CONTACT_CHANNELS
    needs: ClassVar[Needs] = Needs.NOTHING

    def __init__(self, info: RuleInfo, *, channels: frozenset[Channel] | None = None) -> None:
        self.info = info
        self.channels = channels if channels is not None else type(self).default_channels

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.rule_id})"

    def check(self, ctx: Ctx, t: int) -> Finding | None:
        raise NotImplementedError

    def stays_quiet(self, *, call_consents: bool) -> bool:
        """True when, not objecting at a check's `now`, this rule cannot object at any later
        instant (the history being frozen), given whether the person has call consents (the only
        thing the answer may depend on): the search for the next allowed instant skips it."""
        del call_consents
        return False


def count_in_days(zone: ZoneClock, instants: list[int], t: int, days: int, cutoff: int) -> int:
    """Instants <= cutoff whose local date (in `zone`) is among the `days` dates ending with
    t's local date. A window start is the first instant of its first date, so an hour repeated
    across midnight at a DST change counts in both dates (conservative)."""
    start = zone.day_start(zone.day(t) - days + 1)
    return bisect_right(instants, cutoff) - bisect_left(instants, start)


def days_release(zone: ZoneClock, instants: list[int], limit: int, days: int, cutoff: int) -> int:
    """The first instant at which fewer than `limit` instants (<= cutoff) fall in the window of
    `days` local dates; call only when the window holds `limit` or more now."""
    high = bisect_right(instants, cutoff)
    oldest_kept = instants[high - limit]
    day = zone.day(oldest_kept) + 1
    while zone.day_start(day) <= oldest_kept:
        day += 1
    return zone.day_start(day + days - 1)


def window_cap(  # noqa: PLR0917 - positional on purpose: the hot path of every check
    zones: tuple[ZoneClock, ...], instants: list[int], limit: int, days: int, t: int, cutoff: int
) -> tuple[int, int] | None:
    """(worst count, until) when some zone's window of `days` local dates holds >= limit."""
    high = bisect_right(instants, cutoff)
    # a window of `days` local dates starts less than days + 1 days before t in any zone
    if high < limit or instants[high - limit] < t - (days + 1) * DAY:
        return None
    worst = 0
    until = -1
    for zone in zones:
        count = count_in_days(zone, instants, t, days, cutoff)
        if count >= limit:
            worst = max(worst, count)
            until = max(until, days_release(zone, instants, limit, days, cutoff))
    return None if until < 0 else (worst, until)


def merged(first: list[int], second: list[int]) -> list[int]:
    if not second:
        return first
    if not first:
        return second
    return sorted(first + second)


def last_at_or_before(instants: list[int], cutoff: int) -> int | None:
    index = bisect_right(instants, cutoff)
    return instants[index - 1] if index else None


def reply_allowed(ctx: Ctx, t: int) -> bool:
    """The one answer to a consumer-initiated message, through the same medium, on the same
    local date (Reg F cmts 6(b)(1)-2 and 14(h)(2)(ii)); a second answer is not covered."""
    request = ctx.request
    if request.purpose is not Purpose.REPLY or request.in_reply_to is None:
        return False
    person = ctx.person
    inbound = person.inbound.get(request.in_reply_to)
    if inbound is None or inbound.instant > ctx.now or inbound.channel is not request.channel:
        return False
    first_reply = person.replies.get(request.in_reply_to)
    if first_reply is not None and first_reply <= ctx.now:
        return False
    return all(zone.day(t) == zone.day(inbound.instant) for zone in person.day_zones)


def lifted_later(
    person: PersonView,
    scope: ConsentScope,
    t: int,
    debts: tuple[str, ...],
    until: int | None,
    *,
    address: str | None = None,
) -> int | None:
    """`until`, brought forward to the start of a consent of `scope` recorded to begin after t
    (a consent lifts the rule from then on, so the rule's objection may end there)."""
    opening = None
    for consent in person.consents:
        start = consent.active.start
        if (
            consent.scope is scope
            and start > t
            and (consent.debt is None or not debts or consent.debt in debts)
            and (consent.address is None or consent.address == address)
            and (opening is None or start < opening)
        ):
            opening = start
    if opening is None:
        return until
    return opening if until is None else min(until, opening)


def to_local_time(hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> int:
    return ((hour * 60 + minute) * 60 + second) * 1_000_000 + microsecond


def hhmm(local_time: int) -> str:
    minutes = local_time // 60_000_000
    if local_time == DAY:
        return "24:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
