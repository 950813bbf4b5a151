"""A tiny harness for policy scenarios: add events one by one and assert verdicts in between."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from arrears.domain.contact_policy import (
    AddressFact,
    CallAttempt,
    Channel,
    ContactRequest,
    Conversation,
    Decision,
    Initiator,
    Ledger,
    Outcome,
    PersonFacts,
    PhoneFact,
    PointKind,
    PolicyOptions,
    Verdict,
    build_policy,
)

NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
DENVER = ZoneInfo("America/Denver")
MOBILE = "+12125550100"
HOME = "+12125550199"


def at(*parts: int, tz: dt.tzinfo = NY) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=tz)


def consumer(
    person_id: str = "C1",
    *,
    zones: tuple[str, ...] = ("America/New_York",),
    address_zone: str | None = "America/New_York",
) -> PersonFacts:
    return PersonFacts(
        person_id,
        phones=(
            PhoneFact(MOBILE, PointKind.MOBILE, zones),
            PhoneFact(HOME, PointKind.HOME, ("America/New_York",)),
        ),
        addresses=(AddressFact("A-home", PointKind.HOME, address_zone),),
    )


def call_request(
    debts: tuple[str, ...] = ("D1",), number: str = MOBILE, **kw: object
) -> ContactRequest:
    return ContactRequest("C1", Channel.CALL, debts, number, **kw)  # type: ignore[arg-type]


class Scenario:
    def __init__(self, *presets: str, options: PolicyOptions | None = None, events=()) -> None:
        self.policy = build_policy(list(presets) or ["us-regf"], options)
        self.events = list(events)
        self._calls = 0

    def add(self, *events: object) -> Scenario:
        self.events.extend(events)
        return self

    def call(
        self,
        when: dt.datetime,
        debts: tuple[str, ...] = ("D1",),
        outcome: Outcome = Outcome.NO_ANSWER_RANG,
        *,
        person: str = "C1",
        number: str = MOBILE,
        talk: tuple[str, ...] | None = None,
    ) -> Scenario:
        """Add a call (and, with `talk`, the conversation on it about those debts)."""
        self._calls += 1
        call_id = f"call-{self._calls}"
        if talk is not None:
            outcome = Outcome.ANSWERED
        self.events.append(CallAttempt(call_id, when, person, number, debts, outcome))
        if talk is not None:
            self.events.append(
                Conversation(f"conv-{self._calls}", when, person, Initiator.US, call_id, talk)
            )
        return self

    def verdict(self, request: ContactRequest, when: dt.datetime) -> Verdict:
        return self.policy.check(Ledger.build(self.events), request, when)

    def expect(
        self,
        request: ContactRequest,
        when: dt.datetime,
        decision: Decision,
        *,
        rules: tuple[str, ...] = (),
        next_allowed: dt.datetime | str | None = "same",
    ) -> Verdict:
        verdict = self.verdict(request, when)
        assert verdict.decision is decision, verdict.to_dict()
        assert set(rules) <= set(verdict.rule_ids), verdict.to_dict()
        if decision in {Decision.ALLOW, Decision.FLAG} and verdict.override is None:
            assert verdict.next_allowed_at == when
        if next_allowed != "same":
            assert verdict.next_allowed_at == next_allowed, verdict.to_dict()
        return verdict


def after(moment: dt.datetime) -> dt.datetime:
    """The first instant strictly after a local hour (strict edges: 08:00:00.000001)."""
    return moment + dt.timedelta(microseconds=1)
