"""Escalation on SQLite and PostgreSQL: field visits, threats and the three-stops flow."""

import datetime as dt

import pytest
from case_setup import NOW, STRATEGY, address_id, audit_actions, case_row, events, seed_case
from sqlalchemy import insert, select
from typer.testing import CliRunner

from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import InvalidInput
from arrears.domain.workflow.cases import Evidence
from arrears.domain.workflow.errors import InvalidFlowStep, ReasonRequired, RoleRequired
from arrears.entrypoints.cli import app
from arrears.services.escalation import (
    complete_field_visit,
    record_threat,
    schedule_field_visit,
    three_stops_step,
)

pytestmark = pytest.mark.integration

MADRID_10AM = dt.datetime(2026, 4, 8, 8, 0, tzinfo=dt.UTC)  # 10:00 in Madrid (CEST)


def schedule(uow_factory, address, **options):
    defaults = {
        "address_id": address,
        "scheduled_for": MADRID_10AM,
        "visitors": ("ana", "luis"),
        "purpose": "verify the debtor's situation after four unanswered letters",
        "actor_id": "sam",
        "actor_role": "supervisor",
        "strategy": STRATEGY,
    }
    return schedule_field_visit(uow_factory, "C-1", **{**defaults, **options})


def test_a_field_visit_needs_two_visitors_sociable_hours_and_evidence(engine, uow_factory):
    address = address_id(engine, seed_case(uow_factory))
    with pytest.raises(RoleRequired, match="needs supervisor"):
        schedule(uow_factory, address, actor_id="ana", actor_role="collector")
    with pytest.raises(InvalidFlowStep, match="2 different visitors, got 1"):
        schedule(uow_factory, address, visitors=("ana", "ana"))
    # 18:00 UTC is within 9-19 in UTC but 20:00 at the address
    with pytest.raises(InvalidFlowStep, match="between 9:00 and 19:00"):
        schedule(uow_factory, address, scheduled_for=dt.datetime(2026, 4, 8, 18, tzinfo=dt.UTC))
    assert (case_row(engine, "C-1")["state"], events(engine, "C-1")) == ("active", [])

    visit = schedule(uow_factory, address)
    assert visit.scheduled_for.hour == 10
    assert case_row(engine, "C-1")["state"] == "field_visit"
    assert [e[0] for e in events(engine, "C-1")] == ["transition", "visit_scheduled"]
    with pytest.raises(InvalidFlowStep, match="needs evidence"):
        complete_field_visit(
            uow_factory,
            visit.visit_id,
            outcome="met_debtor",
            evidence=(),
            actor_id="ana",
            actor_role="collector",
            strategy=STRATEGY,
        )
    done = complete_field_visit(
        uow_factory,
        visit.visit_id,
        outcome="met_debtor",
        evidence=(Evidence("report", "visits/V-1.pdf"),),
        actor_id="ana",
        actor_role="collector",
        strategy=STRATEGY,
        notes="debtor lost her job; hardship plan to be offered",
    )
    assert done.status == "completed"
    with engine.connect() as conn:
        stored = conn.execute(select(w.field_visits)).mappings().one()
    assert (stored["status"], stored["outcome"], stored["visitors"]) == (
        "completed",
        "met_debtor",
        "ana luis",
    )
    assert stored["evidence"] == [{"kind": "report", "ref": "visits/V-1.pdf", "sha256": None}]
    assert case_row(engine, "C-1")["state"] == "active"
    assert events(engine, "C-1")[-2:] == [
        ("visit_completed", "met_debtor", visit.visit_id),
        ("transition", "active", "visit_completed"),
    ]
    actions = audit_actions(engine)
    assert actions.count("workflow:case:transitioned") == 2
    assert {"case:visit:scheduled", "case:visit:completed"} <= set(actions)


def test_a_threat_goes_to_a_supervisor_at_once(engine, uow_factory, database_url):
    seed_case(uow_factory)
    with pytest.raises(ReasonRequired):
        record_threat(uow_factory, "C-1", kind="refusal_if_contacted", note="", actor_id="ana")
    with pytest.raises(InvalidInput, match="unknown threat kind"):
        record_threat(uow_factory, "C-1", kind="complaint", note="will complain", actor_id="ana")
    result = CliRunner().invoke(
        app,
        [
            "--database-url",
            database_url,
            "case",
            "threat",
            "C-1",
            "--kind",
            "refusal_if_contacted",
            "--note",
            "if you call again I won't pay",
            "--by",
            "ana",
        ],
    )
    assert result.exit_code == 0, result.output
    referral = case_row(engine, "C-1")["referral"]
    assert referral["trigger"] == "threat:refusal_if_contacted"
    assert referral["resolved_at"] is None
    assert [e[0] for e in events(engine, "C-1")] == ["threat", "supervisor_referral"]
    assert {"case:threat:recorded", "workflow:case:referred"} <= set(audit_actions(engine))
    shown = CliRunner().invoke(app, ["--database-url", database_url, "case", "show", "C-1"])
    assert shown.exit_code == 0, shown.output
    assert "open supervisor referral" in shown.output
    move = ["--database-url", database_url, "case", "move", "C-1", "--by", "ana"]
    refused = CliRunner().invoke(
        app, [*move, "--to", "legal_referral", "--reason", "claim_viable", "--role", "manager"]
    )
    assert refused.exit_code == 2
    assert "case_transition_not_allowed" in refused.output
    moved = CliRunner().invoke(
        app, [*move, "--to", "letter", "--reason", "no_response", "--role", "collector"]
    )
    assert moved.exit_code == 0, moved.output
    assert case_row(engine, "C-1")["state"] == "letter"


def _call(engine, record_id, case_id="C-1"):
    with engine.begin() as conn:
        conn.execute(
            insert(w.contact_log).values(
                record_id=record_id,
                case_id=case_id,
                at=NOW,
                logged_at=NOW,
                channel="call",
                direction="outbound",
                address="+34612345678",
                party="borrower",
                party_id="B-1",
                purpose="debt",
                outcomes="abusive",
                collector_id="ana",
            )
        )


def test_the_three_stops_come_in_order_and_the_last_refers(engine, uow_factory, database_url):
    seed_case(uow_factory)
    seed_case(uow_factory, case_id="C-2", borrower="B-2")
    _call(engine, "R-1")
    _call(engine, "R-2", case_id="C-2")

    def step(stop, record="R-1", **options):
        return three_stops_step(
            uow_factory, "C-1", record_id=record, stop=stop, actor_id="ana", **options
        )

    with pytest.raises(InvalidFlowStep, match="the next stop is remind, not equal_standing"):
        step("equal_standing")
    with pytest.raises(InvalidInput, match="belongs to another case"):
        step("remind", record="R-2")
    with pytest.raises(InvalidFlowStep, match=r"uses talk track three_stops\.remind"):
        step("remind", talk_track="late.final_offer")
    first = step("remind", talk_track="three_stops.remind", note="asked to mind the language")
    assert (first.referred, first.flow.next_stop) == (False, "equal_standing")
    with pytest.raises(InvalidFlowStep, match="the next stop is equal_standing, not end_call"):
        step("end_call")
    step("equal_standing")
    assert case_row(engine, "C-1")["referral"] is None
    last = CliRunner().invoke(
        app,
        [
            "--database-url",
            database_url,
            "case",
            "three-stops",
            "C-1",
            "--record",
            "R-1",
            "--stop",
            "end_call",
            "--by",
            "ana",
            "--note",
            "call ended; will write",
        ],
    )
    assert last.exit_code == 0, last.output
    assert "referred to a supervisor" in last.output
    with pytest.raises(InvalidFlowStep, match="finished"):
        step("remind")
    assert case_row(engine, "C-1")["referral"]["trigger"] == "three_stops:end_call"
    assert events(engine, "C-1") == [
        ("three_stops:remind", "remind", "R-1"),
        ("three_stops:equal_standing", "equal_standing", "R-1"),
        ("three_stops:end_call", "end_call", "R-1"),
        ("supervisor_referral", None, "three_stops:end_call"),
    ]
    assert audit_actions(engine).count("contact:three_stops:step") == 3
    # another call: the debtor calms down after the first stop, which closes that flow
    _call(engine, "R-3")
    step("remind", record="R-3")
    calmed = step("calmed", record="R-3")
    assert (calmed.referred, calmed.flow.finished) == (False, True)
    with pytest.raises(InvalidFlowStep, match="finished"):
        step("equal_standing", record="R-3")
    assert events(engine, "C-1")[-1] == ("three_stops:calmed", "calmed", "R-3")
