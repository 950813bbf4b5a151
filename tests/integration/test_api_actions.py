"""The desk's remaining operations over the API: talk-track suggestions, case transitions,
completing a claimed case, a team lead's reassignment and holds, rejecting and cancelling an
arrangement; scope (404, audited), roles (403) and the audit chain."""

import pytest
from sqlalchemy import select

from api_support import (
    add_user,
    api_app,
    assign,
    audit_actions,
    bearer,
    client,
    fast_password_hashing,
    seed,
)
from arrears.adapters.store import workflow_tables as w
from arrears.domain.security import Role
from arrears.services.security import verify_audit_chain

pytestmark = pytest.mark.integration
DAY = "2026-11-23"
PLAN = {
    "kind": "plan",
    "as_of": DAY,
    "first_due": "2026-12-01",
    "instalments": 3,
    "frequency": "monthly",
}


@pytest.fixture
def app(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url)
    try:
        seed(app, borrowers=4)
        assign(app, case_borrower="B-01", collector="carla", stage="front_row")
        assign(app, case_borrower="B-02", queue="early:es")
        assign(app, case_borrower="B-03", collector="diego", stage="front_row")
        assign(app, case_borrower="B-04", queue="early:es")
        yield app
    finally:
        app.engine.dispose()


def _item_status(app, case_id):
    with app.engine.connect() as connection:
        return connection.execute(
            select(w.worklist_items.c.status).where(w.worklist_items.c.case_id == case_id)
        ).scalar_one()


def test_talk_suggestion_transitions_and_arrangement_decisions(app):
    carla = add_user(app, "carla", Role.COLLECTOR)
    tom = add_user(app, "tom", Role.TEAM_LEAD)
    ana = add_user(app, "ana", Role.ANALYST)
    http = client(app)

    said = {"text": "I lost my job last month", "language": "es", "stage_id": "front_row"}
    suggestion = http.post("/talk/suggest", json=said, headers=bearer(carla))
    assert suggestion.status_code == 200, suggestion.text
    body = suggestion.json()
    assert body["category"] == "lost_income"
    assert body["language"] == "es"
    assert body["track_id"]
    assert body["text"]
    assert http.post("/talk/suggest", json=said, headers=bearer(ana)).status_code == 403
    blank = http.post("/talk/suggest", json={**said, "text": "   "}, headers=bearer(carla))
    assert (blank.status_code, blank.json()["code"]) == (422, "invalid_input")

    moved = http.post(
        "/cases/C-B-01/transitions",
        json={"target": "letter", "reason": "no_response", "note": "three calls, no answer"},
        headers=bearer(carla) | {"X-Request-ID": "req-move"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["state"] == "letter"
    unknown = http.post(
        "/cases/C-B-01/transitions",
        json={"target": "nowhere", "reason": "no_response"},
        headers=bearer(carla),
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "invalid_input")
    elsewhere = http.post(
        "/cases/C-B-03/transitions",
        json={"target": "letter", "reason": "no_response"},
        headers=bearer(carla) | {"X-Request-ID": "probe-move"},
    )
    assert elsewhere.status_code == 404

    proposed = http.post("/cases/C-B-03/arrangements", json=PLAN, headers=bearer(tom)).json()
    pending = http.post("/cases/C-B-01/arrangements", json=PLAN, headers=bearer(carla)).json()
    assert pending["status"] == "pending_approval"
    assert proposed["status"] == "active"  # within a supervisor's own authority
    refused = http.post(
        f"/arrangements/{pending['arrangement_id']}/reject",
        json={"note": "no"},
        headers=bearer(carla),
    )
    assert refused.status_code == 403  # collectors do not approve or reject
    rejected = http.post(
        f"/arrangements/{pending['arrangement_id']}/reject",
        json={"note": "income not verified"},
        headers=bearer(tom) | {"X-Request-ID": "req-reject"},
    )
    assert rejected.json() == {"arrangement_id": pending["arrangement_id"], "status": "rejected"}
    again = http.post(
        f"/arrangements/{pending['arrangement_id']}/reject",
        json={"note": "twice"},
        headers=bearer(tom),
    )
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    not_mine = http.post(
        f"/arrangements/{proposed['arrangement_id']}/cancel",
        json={"note": "debtor withdrew"},
        headers=bearer(carla),
    )
    assert not_mine.status_code == 404  # diego's case: outside carla's scope
    cancelled = http.post(
        f"/arrangements/{proposed['arrangement_id']}/cancel",
        json={"note": "debtor withdrew"},
        headers=bearer(tom) | {"X-Request-ID": "req-cancel"},
    )
    assert cancelled.json()["status"] == "cancelled"
    missing = http.post("/arrangements/A-none/cancel", json={"note": "x"}, headers=bearer(tom))
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    trail = [(r.action, r.entity_id, r.request_id) for r in audit_actions(app)]
    assert ("case:state:transitioned", "C-B-01", "req-move") in trail
    assert ("security:access:denied", "C-B-03", "probe-move") in trail
    assert ("case:arrangement:rejected", pending["arrangement_id"], "req-reject") in trail
    assert ("case:arrangement:cancelled", proposed["arrangement_id"], "req-cancel") in trail
    assert not [a for a in trail if a[0] == "case:state:transitioned" and a[1] == "C-B-03"]
    assert verify_audit_chain(app.uow_factory).intact


def test_complete_reassign_and_holds(app):
    carla = add_user(app, "carla", Role.COLLECTOR)
    diego = add_user(app, "diego", Role.COLLECTOR)
    tom = add_user(app, "tom", Role.TEAM_LEAD)
    http = client(app)
    day = {"business_date": DAY}

    claimed = http.post("/worklist/claim-next", json=day, headers=bearer(carla)).json()["item"]
    assert claimed["case_id"] == "C-B-02"
    by_other = http.post("/worklist/C-B-02/complete", json=day, headers=bearer(diego))
    assert (by_other.status_code, by_other.json()["code"]) == (409, "conflict")
    busy = http.post(
        "/worklist/C-B-02/reassign",
        json={"to_collector": "diego", "reason": "workload"},
        headers=bearer(tom),
    )
    assert busy.status_code == 409  # being worked: complete or release first
    done = http.post(
        "/worklist/C-B-02/complete",
        json={**day, "note": "promise taken"},
        headers=bearer(carla) | {"X-Request-ID": "req-done"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done"
    assert _item_status(app, "C-B-02") == "done"
    twice = http.post("/worklist/C-B-02/complete", json=day, headers=bearer(carla))
    assert twice.status_code == 409

    by_collector = http.post(
        "/worklist/C-B-03/hold",
        json={"until": DAY, "reason": "dispute"},
        headers=bearer(diego),
    )
    assert (by_collector.status_code, by_collector.json()["code"]) == (403, "forbidden")
    moved = http.post(
        "/worklist/C-B-03/reassign",
        json={"to_collector": "carla", "reason": "language match"},
        headers=bearer(tom) | {"X-Request-ID": "req-reassign"},
    )
    assert moved.status_code == 200, moved.text
    assert http.get("/cases/C-B-03", headers=bearer(carla)).status_code == 200
    assert http.get("/cases/C-B-03", headers=bearer(diego)).status_code == 404

    held = http.post(
        "/worklist/C-B-04/hold",
        json={"until": DAY, "reason": "dispute under review"},
        headers=bearer(tom) | {"X-Request-ID": "req-hold"},
    )
    assert held.json() == {"case_id": "C-B-04", "items": 1}, held.text
    assert _item_status(app, "C-B-04") == "held"
    nothing = http.post("/worklist/claim-next", json=day, headers=bearer(carla)).json()
    assert nothing["item"] is None  # the held case is off the list
    lifted = http.post(
        "/worklist/C-B-04/lift-hold", json={"reason": "resolved"}, headers=bearer(tom)
    )
    assert lifted.json() == {"case_id": "C-B-04", "items": 1}
    assert _item_status(app, "C-B-04") == "open"
    not_held = http.post(
        "/worklist/C-B-04/lift-hold", json={"reason": "again"}, headers=bearer(tom)
    )
    assert (not_held.status_code, not_held.json()["code"]) == (409, "conflict")
    with app.engine.connect() as connection:
        kinds = connection.execute(
            select(w.case_events.c.kind).where(w.case_events.c.case_id == "C-B-04")
        ).scalars()
        assert [k for k in kinds if k.startswith("hold")] == ["hold", "hold_lifted"]

    trail = [(r.action, r.entity_id, r.request_id) for r in audit_actions(app)]
    assert ("worklist:item:completed", "C-B-02", "req-done") in trail
    assert ("worklist:case:reassigned", "C-B-03", "req-reassign") in trail
    assert ("worklist:case:held", "C-B-04", "req-hold") in trail
    assert sum(1 for a in trail if a[0] == "worklist:item:completed") == 1  # not the 409s
    assert verify_audit_chain(app.uow_factory).intact
