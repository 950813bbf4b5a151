"""The contact ledger on real databases: append-only, amended with reasons, replayed to policy."""

import json

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from arrears.adapters.store import tables as t
from arrears.domain.errors import InvalidInput, NotFound, RejectedRows
from arrears.services.ledger import amend_event, check_with_ledger, history_lines, record_events

pytestmark = pytest.mark.integration

PERSON = {
    "type": "person",
    "person_id": "C1",
    "phones": [{"number": "+12125550100", "kind": "mobile"}],
    "addresses": [{"address_id": "A1", "kind": "home", "time_zone": "America/New_York"}],
}


def call(n: int, *, day: int, hour: int = 15, **extra) -> str:
    return json.dumps(
        {
            "type": "call_attempt",
            "id": f"c{n}",
            "ts": f"2026-04-{day:02d}T{hour:02d}:00:00Z",
            "person_id": "C1",
            "number": "+12125550100",
            "attributed_debt_ids": ["CARD"],
            "outcome": "no_answer_rang",
            **extra,
        }
    )


SEVEN_CALLS = [json.dumps(PERSON)] + [call(n, day=n) for n in range(1, 8)]
REQUEST = json.dumps(
    {
        "type": "contact_request",
        "request_id": "r1",
        "at": "2026-04-07T18:00:00Z",
        "person_id": "C1",
        "channel": "call",
        "debt_ids": ["CARD"],
        "address": "+12125550100",
    }
)


def ledger_rows(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(t.contact_ledger)).scalar_one()


def verdict(uow_factory):
    [result] = check_with_ledger(uow_factory, lines=[REQUEST], presets=["us-regf"], now=None)
    return result


def test_recorded_history_is_replayed_to_the_policy(uow_factory, engine):
    summary = record_events(uow_factory, lines=SEVEN_CALLS, actor="dialer-1", source="dialer")
    assert (summary.inserted, summary.duplicates) == (8, 0)
    # seven counted calls about CARD in seven days: the eighth is blocked until the window slides
    blocked = verdict(uow_factory)
    assert blocked["decision"] == "block"
    assert "US-CALL-7IN7" in blocked["rules"]
    # 1 April leaves the window at local midnight; 08:00 in New York is 12:00 UTC
    assert blocked["next_allowed"].startswith("2026-04-08T12:00:00")
    # recording the same lines again changes nothing
    again = record_events(uow_factory, lines=SEVEN_CALLS, actor="dialer-1", source="dialer")
    assert (again.inserted, again.duplicates) == (0, 8)
    assert ledger_rows(engine) == 8
    history = history_lines(uow_factory, "C1")
    assert [json.loads(line)["type"] for line in history] == ["person"] + ["call_attempt"] * 7


def test_a_correction_is_a_new_record_with_a_reason_and_the_original_stays(uow_factory, engine):
    record_events(uow_factory, lines=SEVEN_CALLS, actor="dialer-1", source="dialer")
    corrected = call(7, day=7, number_owner_status="later_found_wrong")
    with pytest.raises(InvalidInput, match="needs a reason"):
        amend_event(uow_factory, event_key="c7", line=corrected, reason=" ", actor="lead")
    key = amend_event(
        uow_factory,
        event_key="c7",
        line=corrected,
        reason="number belongs to someone else",
        actor="team-lead",
    )
    assert key.startswith("c7~")
    assert ledger_rows(engine) == 9  # the original call is still there
    history = [json.loads(line) for line in history_lines(uow_factory, "C1")]
    assert len(history) == 8
    assert history[-1]["number_owner_status"] == "later_found_wrong"
    # a misdirected call does not count: the next call is allowed again
    assert verdict(uow_factory)["decision"] == "allow"
    with engine.connect() as connection:
        audit = connection.execute(
            select(t.audit_events.c.action, t.audit_events.c.actor).where(
                t.audit_events.c.subject_id == "c7"
            )
        ).one()
    assert tuple(audit) == ("ledger:event:amended", "team-lead")
    with pytest.raises(NotFound):
        amend_event(uow_factory, event_key="nope", line=corrected, reason="x", actor="lead")
    with pytest.raises(InvalidInput, match="keeps the event's type"):
        amend_event(uow_factory, event_key="c7", line=json.dumps(PERSON), reason="x", actor="l")


def test_bad_lines_are_all_reported_and_nothing_is_written(uow_factory, engine):
    lines = [
        *SEVEN_CALLS[:3],
        '{"type": "call_attempt", "id": "x1", "ts": "2026-04-01T15:00:00"}',  # naive, incomplete
        '{"type": "teleport", "id": "x2"}',
        REQUEST,
        "{not json",
    ]
    with pytest.raises(RejectedRows) as info:
        record_events(uow_factory, lines=lines, actor="a", label="batch.jsonl")
    rows = {(e.row, e.reason.split(":")[0]) for e in info.value.errors}
    assert {r for r, _ in rows} == {4, 5, 6, 7}
    text = " ".join(str(e) for e in info.value.errors)
    assert "unknown event type 'teleport'" in text
    assert "not the ledger" in text or "not a ledger event" in text
    assert "malformed JSON" in text
    assert ledger_rows(engine) == 0


def test_the_same_id_with_other_content_is_a_conflict_not_an_edit(uow_factory, engine):
    record_events(uow_factory, lines=SEVEN_CALLS, actor="a")
    changed = call(3, day=3, outcome="answered")
    with pytest.raises(RejectedRows, match="rejected") as info:
        record_events(uow_factory, lines=[call(8, day=8), changed], actor="a")
    assert "amend it with a reason" in str(info.value.errors[0])
    assert ledger_rows(engine) == 8  # c8 was not written either


def test_the_database_refuses_edits_and_deletes(uow_factory, engine):
    record_events(uow_factory, lines=SEVEN_CALLS[:2], actor="a")
    for statement in (
        delete(t.contact_ledger),
        update(t.contact_ledger).values(type="conversation"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(statement)
    assert ledger_rows(engine) == 2


def test_unknown_source_is_refused(uow_factory):
    with pytest.raises(InvalidInput, match="unknown source"):
        record_events(uow_factory, lines=SEVEN_CALLS, actor="a", source="rumour")
