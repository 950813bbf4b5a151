"""Hypothesis: the 7-in-7 limit cannot be beaten, overrides stay labelled, and the next allowed
instant is exact (allowed there, refused just before and at sampled instants in between)."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain.contact_policy import (
    AddressFact,
    CallAttempt,
    Channel,
    Consent,
    ConsentScope,
    ContactRequest,
    Conversation,
    Decision,
    Designation,
    DesignationKind,
    Dispute,
    Effect,
    Initiator,
    Ledger,
    MessageSent,
    Outcome,
    Override,
    OverrideReason,
    OwnerStatus,
    PersonFacts,
    PhoneFact,
    PointKind,
    PolicyOptions,
    Status,
    StatusFlag,
    TimeWindow,
    build_policy,
)
from arrears.domain.contact_policy.clock import to_us

START = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)  # spans the US DST change of 8 March
NUMBERS = ("+12125550100", "+12125550199")
DEBTS = ("A", "B")
ZONE_SETS = (
    ("America/New_York",),
    ("America/New_York", "America/Los_Angeles"),
    ("Asia/Kolkata", "America/New_York"),
    ("Australia/Lord_Howe", "America/Santiago"),
)
US_POLICY = build_policy(["us-regf"])
ONE_US = dt.timedelta(microseconds=1)


def facts(zones):
    return PersonFacts(
        "C1",
        phones=(
            PhoneFact(NUMBERS[0], PointKind.MOBILE, (zones[0],)),
            PhoneFact(NUMBERS[1], PointKind.HOME, (zones[-1],)),
        ),
        addresses=(AddressFact("H", PointKind.HOME, zones[-1]),),
    )


attempt = st.fixed_dictionaries(
    {
        "gap_minutes": st.integers(3, 1500),
        "debt": st.sampled_from(DEBTS),
        "number": st.sampled_from(NUMBERS),
        "outcome": st.sampled_from(list(Outcome)),
        "wrong_number": st.integers(0, 19).map(lambda n: n == 0),
        "talk": st.sampled_from([None, (), ("A",), ("B",), ("A", "B")]),
        "override": st.sampled_from([None, None, None, *OverrideReason]),
        "consent": st.sampled_from([None] * 8 + ["A", "B", "*"]),
        "consent_days": st.sampled_from([None, 1, 3]),
        "inbound": st.sampled_from([None] * 6 + [(), ("A",), ("B",)]),
    }
)


def local_date(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(zone)).date()


def consent_windows(events, zones):
    """Oracle: each direct call consent covers its receipt to the end of the 7th local date (the
    earliest over the zones), its explicit end, or the next conversation about the debt."""
    windows = []
    talks = sorted(
        (e.ts, set(e.debts_discussed) | set(calls_by_id(events).get(e.call_id, ())))
        for e in events
        if isinstance(e, Conversation)
    )
    for e in events:
        if not isinstance(e, Consent) or e.scope is not ConsentScope.CALLS:
            continue
        ends = [
            dt.datetime.combine(
                local_date(e.received_ts, z) + dt.timedelta(days=7), dt.time(), ZoneInfo(z)
            )
            for z in zones
        ]
        if e.explicit_end:
            ends.append(e.explicit_end)
        for ts, debts in talks:
            if ts > e.received_ts and (not debts or e.debt_id is None or e.debt_id in debts):
                ends.append(ts + ONE_US)
                break
        windows.append((e.debt_id, e.received_ts, min(ends)))
    return windows


def calls_by_id(events):
    return {e.id: e.attributed_debt_ids for e in events if isinstance(e, CallAttempt)}


def counted_calls(events, zones):
    """Oracle: (instant, debts, overridden) of calls that count under 1006.14(b)(3)."""
    windows = consent_windows(events, zones)
    discussed = {}
    for e in events:
        if isinstance(e, Conversation) and e.call_id:
            discussed.setdefault(e.call_id, set()).update(e.debts_discussed)
    result = []
    for e in events:
        if not isinstance(e, CallAttempt):
            continue
        if e.outcome in {Outcome.BUSY, Outcome.NOT_IN_SERVICE}:
            continue
        if e.owner_status is OwnerStatus.LATER_FOUND_WRONG:
            continue
        debts = {
            d
            for d in set(e.attributed_debt_ids) | discussed.get(e.id, set())
            if not any(start <= e.ts < end and debt in {None, d} for debt, start, end in windows)
        }
        if debts:
            result.append((e.ts, debts, e.override is not None))
    return result


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONE_SETS), st.lists(attempt, min_size=10, max_size=45))
def test_no_eighth_counted_call_in_any_seven_day_window_without_an_override(zones, plan):
    events: list[object] = [facts(zones)]
    moment = START
    for number, step in enumerate(plan):
        moment += dt.timedelta(minutes=step["gap_minutes"])
        if step["consent"] is not None:
            end = (
                None
                if step["consent_days"] is None
                else moment + dt.timedelta(days=step["consent_days"])
            )
            debt = None if step["consent"] == "*" else step["consent"]
            events.append(
                Consent(
                    "C1",
                    ConsentScope.CALLS,
                    moment - dt.timedelta(minutes=1),
                    debt,
                    explicit_end=end,
                )
            )
        if step["inbound"] is not None:
            events.append(
                Conversation(
                    f"in-{number}",
                    moment - dt.timedelta(minutes=2),
                    "C1",
                    Initiator.THEM,
                    debts_discussed=step["inbound"],
                )
            )
        override = (
            None
            if step["override"] is None
            else Override(step["override"], "sup", controlled_by="court")
        )
        request = ContactRequest(
            "C1", Channel.CALL, (step["debt"],), step["number"], override=override
        )
        verdict = US_POLICY.check(Ledger.build(events), request, moment)
        # overrides are always labelled, and only ever lift overridable findings
        if verdict.override is not None:
            assert verdict.decision is Decision.FLAG
            assert verdict.presumed_violation
            assert step["override"].value in verdict.override.label()
            assert "presumed violation" in verdict.override.label()
            assert set(verdict.override.rule_ids) <= {"US-CALL-7IN7", "US-CALL-CONV7"}
            assert verdict.to_dict()["presumed_violation"] is True
        elif verdict.allowed:
            assert all(f.outcome is Effect.FLAG for f in verdict.findings)
        if not verdict.allowed:
            continue
        call_id = f"c-{number}"
        outcome = Outcome.ANSWERED if step["talk"] is not None else step["outcome"]
        status = OwnerStatus.LATER_FOUND_WRONG if step["wrong_number"] else OwnerStatus.CONSUMER
        used = verdict.override.override.reason if verdict.override else None
        events.append(
            CallAttempt(
                call_id, moment, "C1", step["number"], (step["debt"],), outcome, status, used
            )
        )
        if step["talk"] is not None:
            events.append(
                Conversation(f"v-{number}", moment, "C1", Initiator.US, call_id, step["talk"])
            )
    counted = counted_calls(events, zones)
    for zone in zones:
        dates = {local_date(ts, zone) for ts, _, _ in counted}
        for last in dates:
            window = {last - dt.timedelta(days=k) for k in range(7)}
            for debt in DEBTS:
                inside = [
                    o
                    for ts, debts, o in counted
                    if debt in debts and local_date(ts, zone) in window
                ]
                if not any(inside):  # no override in this window: at most seven
                    assert len(inside) <= 7, (zone, last, debt, len(inside))


# ------------------------------------------------------------------------ next allowed: exact

happening = st.one_of(
    st.tuples(
        st.just("call"),
        st.integers(0, 14 * 24 * 60),
        st.sampled_from(DEBTS),
        st.sampled_from(list(Outcome)),
    ),
    st.tuples(
        st.just("talk"),
        st.integers(0, 14 * 24 * 60),
        st.sampled_from([(), ("A",), ("B",)]),
        st.just(None),
    ),
    st.tuples(
        st.just("window"), st.integers(0, 14 * 24 * 60), st.integers(0, 23), st.integers(1, 10)
    ),
    st.tuples(
        st.just("hold"),
        st.integers(0, 14 * 24 * 60),
        st.integers(1, 72 * 60),
        st.sampled_from(["dispute", "breathing"]),
    ),
    st.tuples(
        st.just("consent"),
        st.integers(0, 14 * 24 * 60),
        st.sampled_from(["calls", "time"]),
        st.integers(1, 48 * 60),
    ),
    st.tuples(st.just("mail"), st.integers(0, 14 * 24 * 60), st.sampled_from(DEBTS), st.just(None)),
    st.tuples(
        st.just("optout"),
        st.integers(0, 14 * 24 * 60),
        st.sampled_from(list(Channel)[:3]),
        st.integers(0, 96 * 60),
    ),
    st.tuples(
        st.just("place"),
        st.integers(0, 14 * 24 * 60),
        st.sampled_from(["home", "H"]),
        st.integers(0, 96 * 60),
    ),
)


def build_history(zones, happenings):
    events: list[object] = [facts(zones)]
    for index, (kind, minute, a, b) in enumerate(happenings):
        when = START + dt.timedelta(minutes=minute)
        if kind == "call":
            events.append(CallAttempt(f"c{index}", when, "C1", NUMBERS[index % 2], (a,), b))
        elif kind == "talk":
            events.append(Conversation(f"v{index}", when, "C1", Initiator.THEM, debts_discussed=a))
        elif kind == "window":
            end = dt.time((a + b) % 24)
            window = TimeWindow(dt.time(a), end, frozenset({index % 7, (index + 3) % 7}))
            events.append(
                Designation("C1", DesignationKind.INCONVENIENT_TIME, when, windows=(window,))
            )
        elif kind == "hold":
            end = when + dt.timedelta(minutes=a)
            if b == "dispute":
                events.append(
                    Dispute(
                        "C1",
                        "A",
                        when,
                        in_writing=True,
                        within_validation_period=True,
                        resolved_ts=end,
                    )
                )
            else:
                events.append(Status("C1", StatusFlag.IN_BREATHING_SPACE, when, end))
        elif kind == "consent":
            scope = ConsentScope.CALLS if a == "calls" else ConsentScope.TIME
            events.append(Consent("C1", scope, when, explicit_end=when + dt.timedelta(minutes=b)))
        elif kind == "optout":
            end = when + dt.timedelta(minutes=b) if b else None
            events.append(Designation("C1", DesignationKind.MEDIUM_OPT_OUT, when, end, channel=a))
        elif kind == "place":
            end = when + dt.timedelta(minutes=b) if b else None
            events.append(Designation("C1", DesignationKind.INCONVENIENT_PLACE, when, end, place=a))
        else:
            events.append(
                MessageSent(f"m{index}", when, "C1", Channel.EMAIL, (a,), "c1@example.com")
            )
    return events


POLICIES = (
    build_policy(["us-regf"]),
    build_policy(["us-regf", "us-ma", "house"]),
    build_policy(["uk-fca", "house"], PolicyOptions(house_max_contacts=3)),
    build_policy(["cn"]),
    build_policy(["es"]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONE_SETS),
    st.lists(happening, max_size=25),
    st.integers(0, 16 * 24 * 60),
    st.sampled_from(POLICIES),
    st.sampled_from(DEBTS),
    st.lists(st.floats(0, 1), min_size=8, max_size=8),
    st.sampled_from(
        [
            (Channel.CALL, NUMBERS[0]),
            (Channel.CALL, NUMBERS[1]),
            (Channel.SMS, NUMBERS[0]),
            (Channel.EMAIL, "c1@example.com"),
            (Channel.LETTER, "H"),
        ]
    ),
)
def test_next_allowed_is_the_earliest_allowed_instant(  # noqa: PLR0917 - hypothesis arguments
    zones, happenings, minute, policy, debt, probes, medium
):
    # the history is what happened up to now (calls, talks, mail); facts may start later
    past = [h for h in happenings if h[0] not in {"call", "talk", "mail"} or h[1] <= minute]
    ledger = Ledger.build(build_history(zones, past))
    request = ContactRequest("C1", medium[0], (debt,), medium[1], has_opt_out_notice=True)
    now = START + dt.timedelta(minutes=minute, seconds=17)
    verdict = policy.check(ledger, request, now)
    nxt = verdict.next_allowed_at
    if verdict.allowed:
        assert nxt == now
        return
    if nxt is None:
        for probe in probes:  # nothing in the next 40 days
            assert not policy.check(ledger, request, now + dt.timedelta(days=40 * probe)).allowed
        return
    assert nxt > now
    assert policy.check(ledger, request, nxt).allowed
    assert not policy.check(ledger, request, nxt - ONE_US).allowed
    span = to_us(nxt) - to_us(now)
    for probe in probes:
        instant = now + dt.timedelta(microseconds=int(span * probe))
        if instant < nxt:
            assert not policy.check(ledger, request, instant).allowed
    # every finding's own `until` is never later than the joint next instant
    for finding in verdict.findings:
        if finding.until is not None and finding.outcome is not Effect.FLAG:
            assert finding.until <= to_us(nxt)
