"""The case state machine, field visits, the three stops and supervisor escalation."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from workflow_fixtures import D, at

from arrears.domain.errors import DomainError, InvalidInput
from arrears.domain.workflow.cases import (
    ESCALATION_STATES,
    TRANSITIONS,
    Case,
    CaseState,
    Evidence,
    FieldVisitPolicy,
    Reason,
    Stop,
    ThreatKind,
    ThreeStops,
    VisitOutcome,
    VisitStatus,
    allowed_targets,
    complete_visit,
    escalate_to_supervisor,
    record_threat,
    resolve_referral,
    schedule_visit,
    transition,
)
from arrears.domain.workflow.errors import (
    InvalidFlowStep,
    ReasonRequired,
    RoleRequired,
    TransitionNotAllowed,
)
from arrears.domain.workflow.vocab import Role

NOW = at(D(2026, 3, 2))


def move(case, target, reason, role=Role.MANAGER, **kw):
    return transition(case, target, reason=reason, actor_id="u1", actor_role=role, at=NOW, **kw)


def test_a_case_moves_along_allowed_transitions_with_events():
    case = Case("C1", "B1")
    case, event = move(case, CaseState.ARRANGEMENT, Reason.PLAN_AGREED, Role.COLLECTOR)
    assert (event.before, event.after, event.reason, event.version) == (
        CaseState.ACTIVE,
        CaseState.ARRANGEMENT,
        Reason.PLAN_AGREED,
        1,
    )
    case, _ = move(case, CaseState.ACTIVE, Reason.ARRANGEMENT_BROKEN, Role.COLLECTOR)
    assert case.state is CaseState.ACTIVE
    case, _ = move(case, CaseState.CLOSED, Reason.CURED, Role.COLLECTOR)
    assert case.closure is Reason.CURED
    assert case.version == 3


def test_disallowed_transition_names_the_allowed_ones():
    with pytest.raises(TransitionNotAllowed) as err:
        move(Case("C1", "B1"), CaseState.LEGAL_REFERRAL, Reason.CLAIM_VIABLE)
    assert err.value.code == "case_transition_not_allowed"
    assert "legal_review" in err.value.message


def test_reason_must_fit_the_transition():
    with pytest.raises(ReasonRequired):
        move(Case("C1", "B1"), CaseState.CLOSED, Reason.SETTLED)  # settled needs an arrangement


def test_role_is_checked():
    case = Case("C1", "B1", state=CaseState.LEGAL_REVIEW)
    with pytest.raises(RoleRequired):
        move(case, CaseState.LEGAL_REFERRAL, Reason.CLAIM_VIABLE, Role.SUPERVISOR)
    moved, _ = move(case, CaseState.LEGAL_REFERRAL, Reason.CLAIM_VIABLE, Role.MANAGER)
    assert moved.state is CaseState.LEGAL_REFERRAL


def test_stage_limits_escalations():
    case = Case("C1", "B1")
    with pytest.raises(TransitionNotAllowed):
        move(
            case,
            CaseState.FIELD_VISIT,
            Reason.LOST_CONTACT,
            stage_allows=frozenset({CaseState.LETTER}),
        )
    moved, _ = move(
        case, CaseState.LETTER, Reason.NO_RESPONSE, stage_allows=frozenset({CaseState.LETTER})
    )
    assert moved.state is CaseState.LETTER


def test_payment_closes_a_case_from_any_open_state():
    for state in CaseState:
        if state in {CaseState.CLOSED, CaseState.WRITTEN_OFF}:
            continue
        closed, _ = move(
            Case("C1", "B1", state=state), CaseState.CLOSED, Reason.PAID, Role.COLLECTOR
        )
        assert closed.closure is Reason.PAID


def test_roles_can_differ_by_reason_on_one_transition():
    on_hold = Case("C1", "B1", state=CaseState.ON_HOLD)
    with pytest.raises(RoleRequired):
        move(on_hold, CaseState.CLOSED, Reason.NOT_OWED, Role.COLLECTOR)
    assert move(on_hold, CaseState.CLOSED, Reason.NOT_OWED, Role.SUPERVISOR)[0].closure is (
        Reason.NOT_OWED
    )


def test_agency_placement_and_recall():
    case, _ = move(Case("C1", "B1"), CaseState.AGENCY, Reason.STAGE_POLICY, Role.SUPERVISOR)
    case, event = move(case, CaseState.ACTIVE, Reason.RECALLED, Role.SUPERVISOR)
    assert event.before is CaseState.AGENCY


def test_write_off_needs_a_manager_and_late_recovery_still_closes():
    case = Case("C1", "B1", state=CaseState.LEGAL_REVIEW)
    with pytest.raises(RoleRequired):
        move(case, CaseState.WRITTEN_OFF, Reason.UNECONOMIC, Role.SUPERVISOR)
    case, _ = move(case, CaseState.WRITTEN_OFF, Reason.UNECONOMIC, Role.MANAGER)
    case, _ = move(case, CaseState.CLOSED, Reason.PAID, Role.COLLECTOR)
    assert case.state is CaseState.CLOSED


def test_closed_is_terminal_and_every_state_is_reachable():
    assert allowed_targets(CaseState.CLOSED) == frozenset()
    seen, frontier = {CaseState.ACTIVE}, [CaseState.ACTIVE]
    while frontier:
        for target in allowed_targets(frontier.pop()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(CaseState)


def test_naive_times_are_refused():
    with pytest.raises(InvalidInput):
        transition(
            Case("C1", "B1"),
            CaseState.LETTER,
            reason=Reason.NO_RESPONSE,
            actor_id="u",
            actor_role=Role.COLLECTOR,
            at=dt.datetime(2026, 3, 2, 10, 0),
        )


@given(st.data())
def test_no_state_is_ever_reached_by_a_disallowed_transition(data):
    case = Case("C1", "B1")
    stage = frozenset({CaseState.LETTER, CaseState.FIELD_VISIT})
    moved = 0
    for _ in range(data.draw(st.integers(0, 30))):
        allowed = sorted(allowed_targets(case.state))
        if allowed and data.draw(st.booleans()):  # mostly plausible moves, some wild ones
            target = data.draw(st.sampled_from(allowed))
            reason = data.draw(st.sampled_from(sorted(TRANSITIONS[case.state, target].reasons)))
        else:
            target = data.draw(st.sampled_from(list(CaseState)))
            reason = data.draw(st.sampled_from(list(Reason)))
        role = data.draw(st.sampled_from(list(Role)))
        gated = data.draw(st.booleans())
        before = case
        try:
            case, event = transition(
                case,
                target,
                reason=reason,
                actor_id="u",
                actor_role=role,
                at=NOW,
                stage_allows=stage if gated else None,
            )
        except DomainError:
            assert case == before
            continue
        moved += 1
        rule = TRANSITIONS[before.state, target]
        assert reason in rule.reasons
        assert role.covers(rule.role(reason))
        assert not (gated and target in ESCALATION_STATES and target not in stage)
        assert (event.before, event.after) == (before.state, case.state)
        assert case.version == before.version + 1 == moved
        assert (case.closure is not None) == (case.state is CaseState.CLOSED)


# ---- supervisor escalation -------------------------------------------------------------------


def test_a_threat_goes_to_a_supervisor_at_once_and_pauses_contact():
    case = Case("C1", "B1")
    assert not case.automated_contact_paused
    case, event = record_threat(
        case,
        kind=ThreatKind.REFUSAL_IF_CONTACTED,
        note="won't pay if called",
        actor_id="u1",
        at=NOW,
    )
    assert event.trigger == "threat:refusal_if_contacted"
    assert case.referral is not None
    assert case.referral.open
    assert case.automated_contact_paused
    again, _ = escalate_to_supervisor(case, trigger="x", note="", actor_id="u1", at=NOW)
    assert again == case  # one open referral at a time
    with pytest.raises(RoleRequired):
        resolve_referral(case, resolution="ok", actor_id="u1", actor_role=Role.COLLECTOR, at=NOW)
    with pytest.raises(ReasonRequired):
        resolve_referral(case, resolution=" ", actor_id="s1", actor_role=Role.SUPERVISOR, at=NOW)
    done = resolve_referral(
        case,
        resolution="called back; contact by letter",
        actor_id="s1",
        actor_role=Role.SUPERVISOR,
        at=NOW,
    )
    assert not done.automated_contact_paused


# ---- field visits ----------------------------------------------------------------------------

VISITS = FieldVisitPolicy()


def visiting_case():
    case, _ = move(Case("C1", "B1"), CaseState.FIELD_VISIT, Reason.LOST_CONTACT, Role.SUPERVISOR)
    return case


def test_visits_need_two_people_and_sociable_hours():
    case = visiting_case()
    with pytest.raises(InvalidFlowStep) as err:
        schedule_visit(
            visit_id="V1",
            case=case,
            address_id="A1",
            scheduled_for=at(D(2026, 3, 3), 11),
            visitors=("u1", "u1"),
            purpose="verify situation",
            policy=VISITS,
        )
    assert err.value.fields["rule"] == "two_person"
    with pytest.raises(InvalidFlowStep):
        schedule_visit(
            visit_id="V1",
            case=case,
            address_id="A1",
            scheduled_for=at(D(2026, 3, 3), 21),
            visitors=("u1", "u2"),
            purpose="verify situation",
            policy=VISITS,
        )
    visit = schedule_visit(
        visit_id="V1",
        case=case,
        address_id="A1",
        scheduled_for=at(D(2026, 3, 3), 11),
        visitors=("u1", "u2"),
        purpose="verify situation",
        policy=VISITS,
    )
    assert visit.status is VisitStatus.SCHEDULED


def test_a_visit_needs_the_case_in_field_visit_and_evidence_to_complete():
    with pytest.raises(InvalidFlowStep):
        schedule_visit(
            visit_id="V1",
            case=Case("C1", "B1"),
            address_id="A1",
            scheduled_for=at(D(2026, 3, 3), 11),
            visitors=("u1", "u2"),
            purpose="x",
            policy=VISITS,
        )
    visit = schedule_visit(
        visit_id="V1",
        case=visiting_case(),
        address_id="A1",
        scheduled_for=at(D(2026, 3, 3), 11),
        visitors=("u1", "u2"),
        purpose="verify",
        policy=VISITS,
    )
    with pytest.raises(InvalidFlowStep):
        complete_visit(visit, outcome=VisitOutcome.NOT_HOME, evidence=(), at=NOW, policy=VISITS)
    done = complete_visit(
        visit,
        outcome=VisitOutcome.ASKED_TO_LEAVE,
        evidence=(Evidence("report", "docs/v1.pdf"),),
        at=at(D(2026, 3, 3), 12),
        policy=VISITS,
    )
    assert done.status is VisitStatus.COMPLETED
    with pytest.raises(InvalidFlowStep):
        complete_visit(done, outcome=VisitOutcome.MET_DEBTOR, evidence=(), at=NOW, policy=VISITS)


# ---- three stops -----------------------------------------------------------------------------


def test_three_stops_run_in_order_and_end_the_call():
    flow = ThreeStops("C1", "K1")
    assert flow.next_stop is Stop.REMIND
    with pytest.raises(InvalidFlowStep):
        flow.log_stop(Stop.END_CALL, at=NOW)
    flow = flow.log_stop(Stop.REMIND, at=NOW)
    flow = flow.log_stop(Stop.EQUAL_STANDING, at=NOW + dt.timedelta(seconds=30))
    with pytest.raises(InvalidFlowStep):
        flow.log_stop(Stop.END_CALL, at=NOW)  # earlier than the last step
    flow = flow.log_stop(Stop.END_CALL, at=NOW + dt.timedelta(minutes=1))
    assert flow.call_ended
    assert flow.needs_supervisor_review
    assert [s.talk_track for s in flow.steps] == [
        "three_stops.remind",
        "three_stops.equal_standing",
        "three_stops.end_call",
    ]
    with pytest.raises(InvalidFlowStep):
        flow.log_stop(Stop.END_CALL, at=NOW + dt.timedelta(minutes=2))


def test_three_stops_close_early_when_the_debtor_calms_down():
    flow = ThreeStops("C1", "K1").log_stop(Stop.REMIND, at=NOW).calmed(at=NOW)
    assert flow.finished
    assert not flow.call_ended
    assert flow.next_stop is None
    with pytest.raises(InvalidFlowStep):
        flow.calmed(at=NOW)
