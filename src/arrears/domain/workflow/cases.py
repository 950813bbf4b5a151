"""The case state machine, field visits, the "three stops" flow and supervisor escalation.

A case moves between states only along the transitions listed in `TRANSITIONS`; each transition
names the reasons that justify it and the least senior role that may make it. Every move returns
the new case and a past-tense event (`CaseTransitioned`) for the audit trail.

Supervisor escalation is not a state: a threat ("if you call again I won't pay", seed 002 item
14) or abuse puts a `SupervisorReferral` on the case at once, whatever its state, and automated
contact pauses until a supervisor resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.domain.workflow.errors import (
    InvalidFlowStep,
    ReasonRequired,
    RoleRequired,
    TransitionNotAllowed,
)
from arrears.domain.workflow.vocab import Role

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping


class CaseState(StrEnum):
    ACTIVE = "active"  # worked in its stage by the strategy's treatment
    ARRANGEMENT = "arrangement"  # a plan or settlement is running
    LETTER = "letter"  # a collection letter was sent; awaiting an answer
    FORMAL_DEMAND = "formal_demand"  # a formal demand (pre-legal notice) was sent
    FIELD_VISIT = "field_visit"  # a visit is scheduled or under way
    LEGAL_REVIEW = "legal_review"  # counsel reviews whether a claim is viable and proportionate
    LEGAL_REFERRAL = "legal_referral"  # referred for proceedings
    AGENCY = "agency"  # placed with an external agency
    ON_HOLD = "on_hold"  # dispute, death, insolvency, breathing space: no collection
    WRITTEN_OFF = "written_off"  # no longer carried; late recoveries still close it
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self is not CaseState.CLOSED


class Reason(StrEnum):
    # why a case moves
    PLAN_AGREED = "plan_agreed"
    SETTLEMENT_AGREED = "settlement_agreed"
    ARRANGEMENT_BROKEN = "arrangement_broken"
    ARRANGEMENT_CANCELLED = "arrangement_cancelled"
    NO_RESPONSE = "no_response"
    PROMISES_BROKEN = "promises_broken"
    STAGE_POLICY = "stage_policy"  # the strategy's stage calls for this step
    LOST_CONTACT = "lost_contact"
    VERIFY_SITUATION = "verify_situation"
    VISIT_COMPLETED = "visit_completed"
    CONTACT_REESTABLISHED = "contact_reestablished"
    CLAIM_VIABLE = "claim_viable"
    CLAIM_NOT_VIABLE = "claim_not_viable"
    RECALLED = "recalled"  # back from an agency
    DISPUTE = "dispute"
    DECEASED = "deceased"
    INSOLVENCY = "insolvency"
    BREATHING_SPACE = "breathing_space"
    VULNERABILITY = "vulnerability"
    HOLD_LIFTED = "hold_lifted"
    UNECONOMIC = "uneconomic"
    TIME_BARRED = "time_barred"
    ESTATE_CLOSED = "estate_closed"
    # why a case closes
    PAID = "paid"
    SETTLED = "settled"
    CURED = "cured"  # back to current through payments
    NOT_OWED = "not_owed"  # a dispute upheld: the debt is not owed


_S = CaseState
_R = Reason
_WORKING = (_S.ACTIVE, _S.LETTER, _S.FORMAL_DEMAND, _S.FIELD_VISIT)
_ALL_OPEN = tuple(s for s in CaseState if s.is_open and s is not _S.WRITTEN_OFF)
_HOLD_REASONS = frozenset(
    {_R.DISPUTE, _R.DECEASED, _R.INSOLVENCY, _R.BREATHING_SPACE, _R.VULNERABILITY}
)


@dataclass(frozen=True, slots=True)
class TransitionRule:
    """The reasons that justify one transition, each with the least senior role allowed."""

    roles: Mapping[Reason, Role]

    @property
    def reasons(self) -> frozenset[Reason]:
        return frozenset(self.roles)

    def role(self, reason: Reason) -> Role:
        return self.roles[reason]


def _table() -> dict[tuple[CaseState, CaseState], TransitionRule]:
    merged: dict[tuple[CaseState, CaseState], dict[Reason, Role]] = {}

    def allow(
        sources: tuple[CaseState, ...], target: CaseState, reasons: set[Reason], role: Role
    ) -> None:
        for source in sources:
            if source is not target:
                entry = merged.setdefault((source, target), {})
                for reason in reasons:
                    entry[reason] = role

    collector, supervisor, manager = Role.COLLECTOR, Role.SUPERVISOR, Role.MANAGER
    allow(
        (*_WORKING, _S.LEGAL_REVIEW, _S.LEGAL_REFERRAL, _S.AGENCY),
        _S.ARRANGEMENT,
        {_R.PLAN_AGREED, _R.SETTLEMENT_AGREED},
        collector,
    )
    allow(
        (_S.ARRANGEMENT,), _S.ACTIVE, {_R.ARRANGEMENT_BROKEN, _R.ARRANGEMENT_CANCELLED}, collector
    )
    allow((_S.ACTIVE,), _S.LETTER, {_R.NO_RESPONSE, _R.PROMISES_BROKEN, _R.STAGE_POLICY}, collector)
    allow(
        (_S.ACTIVE, _S.LETTER),
        _S.FORMAL_DEMAND,
        {_R.NO_RESPONSE, _R.PROMISES_BROKEN, _R.STAGE_POLICY},
        supervisor,
    )
    allow(
        (_S.ACTIVE, _S.LETTER, _S.FORMAL_DEMAND),
        _S.FIELD_VISIT,
        {_R.LOST_CONTACT, _R.VERIFY_SITUATION, _R.NO_RESPONSE, _R.STAGE_POLICY},
        supervisor,
    )
    allow(
        (_S.LETTER, _S.FORMAL_DEMAND, _S.FIELD_VISIT),
        _S.ACTIVE,
        {_R.CONTACT_REESTABLISHED, _R.VISIT_COMPLETED},
        collector,
    )
    allow(
        (_S.ACTIVE, _S.FORMAL_DEMAND, _S.FIELD_VISIT),
        _S.LEGAL_REVIEW,
        {_R.NO_RESPONSE, _R.PROMISES_BROKEN, _R.STAGE_POLICY},
        supervisor,
    )
    allow((_S.LEGAL_REVIEW,), _S.LEGAL_REFERRAL, {_R.CLAIM_VIABLE}, manager)
    allow((_S.LEGAL_REVIEW,), _S.ACTIVE, {_R.CLAIM_NOT_VIABLE}, supervisor)
    allow(
        (*_WORKING, _S.LEGAL_REVIEW),
        _S.AGENCY,
        {_R.STAGE_POLICY, _R.LOST_CONTACT, _R.NO_RESPONSE},
        supervisor,
    )
    allow((_S.AGENCY,), _S.ACTIVE, {_R.RECALLED}, supervisor)
    allow(_ALL_OPEN, _S.ON_HOLD, set(_HOLD_REASONS), collector)
    allow((_S.ON_HOLD,), _S.ACTIVE, {_R.HOLD_LIFTED}, supervisor)
    allow(
        (_S.LEGAL_REVIEW, _S.LEGAL_REFERRAL, _S.AGENCY, _S.ON_HOLD),
        _S.WRITTEN_OFF,
        {_R.UNECONOMIC, _R.TIME_BARRED, _R.ESTATE_CLOSED, _R.INSOLVENCY},
        manager,
    )
    allow(_ALL_OPEN, _S.CLOSED, {_R.PAID, _R.CURED}, collector)
    allow((_S.ARRANGEMENT,), _S.CLOSED, {_R.SETTLED}, collector)
    allow((_S.ON_HOLD,), _S.CLOSED, {_R.NOT_OWED}, supervisor)
    allow((_S.WRITTEN_OFF,), _S.CLOSED, {_R.PAID, _R.SETTLED}, collector)
    return {key: TransitionRule(MappingProxyType(roles)) for key, roles in merged.items()}


TRANSITIONS: Mapping[tuple[CaseState, CaseState], TransitionRule] = MappingProxyType(_table())
ESCALATION_STATES = frozenset(
    {
        CaseState.LETTER,
        CaseState.FORMAL_DEMAND,
        CaseState.FIELD_VISIT,
        CaseState.LEGAL_REVIEW,
        CaseState.LEGAL_REFERRAL,
        CaseState.AGENCY,
        CaseState.WRITTEN_OFF,
    }
)


def allowed_targets(state: CaseState) -> frozenset[CaseState]:
    return frozenset(target for source, target in TRANSITIONS if source is state)


def _aware(value: dt.datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"{what} has no time zone (naive timestamps are refused)")


@dataclass(frozen=True, slots=True)
class SupervisorReferral:
    raised_at: dt.datetime
    trigger: str  # the outcome or flow that raised it
    note: str
    raised_by: str
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    borrower_id: str
    state: CaseState = CaseState.ACTIVE
    stage_id: str | None = None
    closure: Reason | None = None
    referral: SupervisorReferral | None = None
    version: int = 0

    @property
    def automated_contact_paused(self) -> bool:
        """No treatment step runs while a case is on hold, closed or waiting for a supervisor."""
        return self.state in {CaseState.ON_HOLD, CaseState.CLOSED, CaseState.WRITTEN_OFF} or (
            self.referral is not None and self.referral.open
        )


@dataclass(frozen=True, slots=True)
class CaseTransitioned:
    """Event: `case:state:changed`."""

    case_id: str
    before: CaseState
    after: CaseState
    reason: Reason
    note: str
    actor_id: str
    actor_role: Role
    at: dt.datetime
    version: int


@dataclass(frozen=True, slots=True)
class SupervisorEscalated:
    """Event: `case:supervisor:escalated`."""

    case_id: str
    trigger: str
    note: str
    actor_id: str
    at: dt.datetime


def transition(
    case: Case,
    target: CaseState,
    *,
    reason: Reason,
    actor_id: str,
    actor_role: Role,
    at: dt.datetime,
    note: str = "",
    stage_allows: frozenset[CaseState] | None = None,
) -> tuple[Case, CaseTransitioned]:
    """Move a case along an allowed transition, or raise saying why not.

    `stage_allows`, when given, is the set of escalation states the case's strategy stage
    permits (for example, legal review only from M5): other escalations are refused.
    """
    _aware(at, "transition time")
    rule = TRANSITIONS.get((case.state, target))
    fields = {"case_id": case.case_id, "from_state": case.state, "to_state": target}
    if rule is None:
        allowed = ", ".join(sorted(allowed_targets(case.state))) or "none"
        raise TransitionNotAllowed(f"allowed from here: {allowed}", **fields)
    if reason not in rule.reasons:
        raise ReasonRequired(
            f"{case.state} -> {target} needs one of: {', '.join(sorted(rule.reasons))}; "
            f"got {reason}",
            **fields,
        )
    required = rule.role(reason)
    if not actor_role.covers(required):
        raise RoleRequired(
            f"{case.state} -> {target} ({reason})",
            required=required,
            actor=actor_id,
            actual=actor_role,
        )
    if stage_allows is not None and target in ESCALATION_STATES and target not in stage_allows:
        raise TransitionNotAllowed(f"the case's stage does not allow {target}", **fields)
    moved = replace(
        case,
        state=target,
        closure=reason if target is CaseState.CLOSED else None,
        version=case.version + 1,
    )
    event = CaseTransitioned(
        case_id=case.case_id,
        before=case.state,
        after=target,
        reason=reason,
        note=note,
        actor_id=actor_id,
        actor_role=actor_role,
        at=at,
        version=moved.version,
    )
    return moved, event


def escalate_to_supervisor(
    case: Case, *, trigger: str, note: str, actor_id: str, at: dt.datetime
) -> tuple[Case, SupervisorEscalated]:
    """Refer the case to a supervisor now. Automated contact pauses until it is resolved."""
    _aware(at, "escalation time")
    if case.referral is not None and case.referral.open:
        return case, SupervisorEscalated(case.case_id, trigger, note, actor_id, at)
    referral = SupervisorReferral(raised_at=at, trigger=trigger, note=note, raised_by=actor_id)
    moved = replace(case, referral=referral, version=case.version + 1)
    return moved, SupervisorEscalated(case.case_id, trigger, note, actor_id, at)


def resolve_referral(
    case: Case, *, resolution: str, actor_id: str, actor_role: Role, at: dt.datetime
) -> Case:
    _aware(at, "resolution time")
    if case.referral is None or not case.referral.open:
        raise InvalidFlowStep(f"case {case.case_id} has no open supervisor referral")
    if not actor_role.covers(Role.SUPERVISOR):
        raise RoleRequired(
            "resolving a referral", required=Role.SUPERVISOR, actual=actor_role, actor=actor_id
        )
    if not resolution.strip():
        raise ReasonRequired("a referral is resolved with a note saying how")
    done = replace(case.referral, resolved_at=at, resolved_by=actor_id, resolution=resolution)
    return replace(case, referral=done, version=case.version + 1)


class ThreatKind(StrEnum):
    """Statements that go to a supervisor at once. A complaint is a right, never a threat."""

    REFUSAL_IF_CONTACTED = "refusal_if_contacted"  # "if you call again I won't pay"
    HARM_TO_STAFF = "harm_to_staff"
    SELF_HARM = "self_harm"  # a welfare matter first: the vulnerability process applies


def record_threat(
    case: Case, *, kind: ThreatKind, note: str, actor_id: str, at: dt.datetime
) -> tuple[Case, SupervisorEscalated]:
    """Seed 002 item 14: a threat is reported upwards at once, not argued with on the call."""
    return escalate_to_supervisor(
        case, trigger=f"threat:{kind}", note=note, actor_id=actor_id, at=at
    )


# ---- field visits -------------------------------------------------------------------------


class VisitStatus(StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class VisitOutcome(StrEnum):
    MET_DEBTOR = "met_debtor"
    PROMISE = "promise"
    HARDSHIP_OBSERVED = "hardship_observed"
    NOT_HOME = "not_home"
    MOVED = "moved"
    ADDRESS_INVALID = "address_invalid"
    REFUSED_ENTRY = "refused_entry"
    ASKED_TO_LEAVE = "asked_to_leave"  # the visitors left at once, as the policy requires


@dataclass(frozen=True, slots=True)
class FieldVisitPolicy:
    min_visitors: int = 2  # two people on every visit
    evidence_required: bool = True  # a completed visit carries a report or photo reference
    earliest_hour: int = 8  # local time at the address
    latest_hour: int = 20

    def __post_init__(self) -> None:
        if self.min_visitors < 1:
            raise InvalidConfig("a visit needs at least one visitor")
        if not 0 <= self.earliest_hour < self.latest_hour <= 24:
            raise InvalidConfig("visit hours must satisfy 0 <= earliest < latest <= 24")


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # report, photo, signed_acknowledgement ...
    ref: str  # a document store key
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class FieldVisit:
    visit_id: str
    case_id: str
    address_id: str
    scheduled_for: dt.datetime  # aware, in the address's zone
    visitors: tuple[str, ...]
    purpose: str
    status: VisitStatus = VisitStatus.SCHEDULED
    outcome: VisitOutcome | None = None
    evidence: tuple[Evidence, ...] = ()
    notes: str = ""
    completed_at: dt.datetime | None = None


def schedule_visit(
    *,
    visit_id: str,
    case: Case,
    address_id: str,
    scheduled_for: dt.datetime,
    visitors: tuple[str, ...],
    purpose: str,
    policy: FieldVisitPolicy,
) -> FieldVisit:
    _aware(scheduled_for, "visit time")
    if case.state is not CaseState.FIELD_VISIT:
        raise InvalidFlowStep(f"case {case.case_id} is {case.state}, not in field_visit")
    if len(set(visitors)) < policy.min_visitors:
        raise InvalidFlowStep(
            f"a visit needs {policy.min_visitors} different visitors, got {len(set(visitors))}",
            rule="two_person",
        )
    if not policy.earliest_hour <= scheduled_for.hour < policy.latest_hour:
        raise InvalidFlowStep(
            f"visits happen between {policy.earliest_hour}:00 and {policy.latest_hour}:00 local "
            "time"
        )
    if not purpose.strip():
        raise ReasonRequired("a visit states its purpose")
    return FieldVisit(
        visit_id=visit_id,
        case_id=case.case_id,
        address_id=address_id,
        scheduled_for=scheduled_for,
        visitors=tuple(dict.fromkeys(visitors)),
        purpose=purpose,
    )


def complete_visit(
    visit: FieldVisit,
    *,
    outcome: VisitOutcome,
    evidence: tuple[Evidence, ...],
    at: dt.datetime,
    policy: FieldVisitPolicy,
    notes: str = "",
) -> FieldVisit:
    _aware(at, "visit completion time")
    if visit.status is not VisitStatus.SCHEDULED:
        raise InvalidFlowStep(f"visit {visit.visit_id} is already {visit.status}")
    if policy.evidence_required and not evidence:
        raise InvalidFlowStep(f"visit {visit.visit_id}: a completed visit needs evidence")
    return replace(
        visit,
        status=VisitStatus.COMPLETED,
        outcome=outcome,
        evidence=evidence,
        notes=notes,
        completed_at=at,
    )


# ---- the three stops ----------------------------------------------------------------------


class Stop(StrEnum):
    """Seed 000, collection skills item 1: the "three stops" for an abusive debtor.

    The handbook's third stop threatens "other methods"; arrears replaces it with a lawful
    close: the collector says the call will end and how the conversation can continue, then
    ends it. No stop threatens anything.
    """

    REMIND = "remind"  # ask the debtor to mind their language
    EQUAL_STANDING = "equal_standing"  # both sides deserve equal respect
    END_CALL = "end_call"  # say the call is ending and will continue in writing; end it


STOP_TALK_TRACKS: Mapping[Stop, str] = MappingProxyType(
    {
        Stop.REMIND: "three_stops.remind",
        Stop.EQUAL_STANDING: "three_stops.equal_standing",
        Stop.END_CALL: "three_stops.end_call",
    }
)
_STOP_ORDER = (Stop.REMIND, Stop.EQUAL_STANDING, Stop.END_CALL)


@dataclass(frozen=True, slots=True)
class StopLogged:
    """Event: `contact:three_stops:step`."""

    stop: Stop
    at: dt.datetime
    talk_track: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ThreeStops:
    """The guided flow for one call. Steps run in order; calm resolves the flow early."""

    case_id: str
    record_id: str  # the contact record of the call
    steps: tuple[StopLogged, ...] = ()
    calmed_at: dt.datetime | None = None

    @property
    def next_stop(self) -> Stop | None:
        if self.finished:
            return None
        return _STOP_ORDER[len(self.steps)]

    @property
    def call_ended(self) -> bool:
        return bool(self.steps) and self.steps[-1].stop is Stop.END_CALL

    @property
    def finished(self) -> bool:
        return self.call_ended or self.calmed_at is not None

    def log_stop(self, stop: Stop, *, at: dt.datetime, note: str = "") -> ThreeStops:
        _aware(at, "stop time")
        expected = self.next_stop
        if expected is None:
            raise InvalidFlowStep("the three-stops flow is finished")
        if stop is not expected:
            raise InvalidFlowStep(f"the next stop is {expected}, not {stop}")
        if self.steps and at < self.steps[-1].at:
            raise InvalidFlowStep("stops are logged in time order")
        logged = StopLogged(stop, at, STOP_TALK_TRACKS[stop], note)
        return replace(self, steps=(*self.steps, logged))

    def calmed(self, *, at: dt.datetime) -> ThreeStops:
        """The debtor calmed down: the conversation goes on and the flow closes."""
        _aware(at, "calm time")
        if self.finished:
            raise InvalidFlowStep("the three-stops flow is finished")
        return replace(self, calmed_at=at)

    @property
    def needs_supervisor_review(self) -> bool:
        """A call ended at the third stop is reviewed by a supervisor (not escalated at once)."""
        return self.call_ended
