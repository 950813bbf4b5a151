"""Contact-policy throughput: checks per second on one core against a realistic ledger.

`python -m bench.policy_bench` (or `main()` from bench/run.py). The ledger: POLICY_BENCH_PEOPLE
people (default 200,000), each with 1-3 debts, one or two US time zones, about three months of
call attempts with realistic outcomes, conversations, messages, and a few percent with consents,
designations and disputes. The planned contacts: one call per person (and a share of emails and
texts) spread over the next day, checked in bulk with `Policy.check_at` under us-regf + house
presets. Building the ledger is timed separately from checking. Deterministic (seeded).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import time
from zoneinfo import ZoneInfo

from arrears.domain.contact_policy import (
    AddressFact,
    CallAttempt,
    Channel,
    Consent,
    ConsentScope,
    ContactRequest,
    Conversation,
    Designation,
    DesignationKind,
    Dispute,
    EmailFact,
    Initiator,
    Ledger,
    LedgerEvent,
    MessageSent,
    Outcome,
    PersonFacts,
    PhoneFact,
    PointKind,
    TimeWindow,
    build_policy,
)
from arrears.domain.contact_policy.clock import to_us

UTC = dt.UTC
ROUNDS = 3
START = dt.datetime(2026, 8, 24, tzinfo=UTC)  # history: about 90 days before NOW
NOW = dt.datetime(2026, 11, 23, 12, tzinfo=UTC)
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
OUTCOMES = (
    (Outcome.NO_ANSWER_RANG, 40),
    (Outcome.VOICEMAIL_REACHED, 15),
    (Outcome.VOICEMAIL_LEFT_LCM, 12),
    (Outcome.BUSY, 8),
    (Outcome.NOT_IN_SERVICE, 3),
    (Outcome.ANSWERED, 18),
    (Outcome.ANSWERED_DROPPED, 4),
)


def build_events(
    people: int, seed: int = 7
) -> tuple[list[object], list[tuple[ContactRequest, int]]]:
    rng = random.Random(seed)
    outcomes = [o for o, w in OUTCOMES for _ in range(w)]
    span = int((NOW - START).total_seconds())
    events: list[LedgerEvent] = []
    planned: list[tuple[ContactRequest, int]] = []
    now_us = to_us(NOW)
    for index in range(people):
        pid = f"P{index}"
        home = rng.choice(ZONES)
        mobile_zone = home if rng.random() < 0.85 else rng.choice(ZONES)
        mobile = f"+1202{index:07d}"
        landline = f"+1303{index:07d}"
        email = f"p{index}@example.com"
        events.append(
            PersonFacts(
                pid,
                phones=(
                    PhoneFact(mobile, PointKind.MOBILE, (mobile_zone,)),
                    PhoneFact(landline, PointKind.HOME, (home,)),
                ),
                addresses=(AddressFact(f"A{index}", PointKind.HOME, home),),
                emails=(EmailFact(email),),
            )
        )
        debts = tuple(f"D{index}-{k}" for k in range(rng.choice((1, 1, 1, 2, 2, 3))))
        calls = rng.randint(4, 30)
        instants = sorted(rng.randrange(span) for _ in range(calls))
        for number, offset in enumerate(instants):
            ts = START + dt.timedelta(seconds=offset)
            outcome = rng.choice(outcomes)
            call_id = f"C{index}-{number}"
            phone = mobile if rng.random() < 0.7 else landline
            events.append(CallAttempt(call_id, ts, pid, phone, (rng.choice(debts),), outcome))
            if outcome is Outcome.ANSWERED and rng.random() < 0.8:
                events.append(Conversation(f"V{call_id}", ts, pid, Initiator.US, call_id))
        for number in range(rng.randint(0, 4)):
            ts = START + dt.timedelta(seconds=rng.randrange(span))
            events.append(MessageSent(f"M{index}-{number}", ts, pid, Channel.EMAIL, debts, email))
        roll = rng.random()
        if roll < 0.03:
            events.append(
                Designation(
                    pid,
                    DesignationKind.INCONVENIENT_TIME,
                    START,
                    windows=(TimeWindow(dt.time(9), dt.time(12), frozenset({0, 1, 2, 3, 4})),),
                )
            )
        elif roll < 0.05:
            events.append(Consent(pid, ConsentScope.CALLS, NOW - dt.timedelta(days=2), debts[0]))
        elif roll < 0.06:
            events.append(
                Dispute(pid, debts[0], START, in_writing=True, within_validation_period=True)
            )
        elif roll < 0.07:
            events.append(
                Designation(pid, DesignationKind.MEDIUM_OPT_OUT, START, channel=Channel.CALL)
            )
        # the plan: tomorrow, some local daytime hour
        local = dt.datetime(
            2026, 11, 24, rng.randint(7, 21), rng.randrange(60), tzinfo=ZoneInfo(home)
        )
        channel = Channel.CALL if rng.random() < 0.8 else Channel.EMAIL
        address = (mobile if rng.random() < 0.7 else landline) if channel is Channel.CALL else email
        request = ContactRequest(
            pid, channel, (rng.choice(debts),), address, has_opt_out_notice=True
        )
        planned.append((request, max(to_us(local), now_us)))
    return events, planned


def main() -> dict[str, object]:
    people = int(os.environ.get("POLICY_BENCH_PEOPLE", "200000"))
    presets = ("us-regf", "house")
    started = time.perf_counter()
    events, planned = build_events(people)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    ledger = Ledger.build(events)
    indexed = time.perf_counter() - started
    del events
    gc.collect()
    gc.freeze()
    policy = build_policy(presets)
    check_at = policy.check_at
    for request, at in planned[:2000]:  # warm the zone tables
        check_at(ledger, request, at)
    gc.disable()
    timings = []
    for _ in range(ROUNDS):  # best of ROUNDS passes over the whole plan
        started = time.perf_counter()
        for request, at in planned:
            check_at(ledger, request, at)
        timings.append(time.perf_counter() - started)
    gc.enable()
    elapsed = min(timings)
    decisions: dict[str, int] = {}
    for request, at in planned:
        decision = check_at(ledger, request, at).decision.value
        decisions[decision] = decisions.get(decision, 0) + 1
    rate = len(planned) / elapsed
    result: dict[str, object] = {
        "people": people,
        "ledger_events": ledger.size,
        "checks": len(planned),
        "presets": list(presets),
        "generate_s": round(generated, 2),
        "index_s": round(indexed, 2),
        "check_s": round(elapsed, 3),
        "checks_per_s": round(rate),
        "decisions": decisions,
    }
    print(
        f"contact policy: {len(planned):,} checks against {ledger.size:,} events "
        f"({people:,} people) in {elapsed:.2f} s = {rate:,.0f} checks/s on one core "
        f"(index {indexed:.1f} s); decisions {decisions}"
    )
    return result


if __name__ == "__main__":
    main()
