"""The workflow over the API: scoped cases, claiming and releasing work, logging contacts,
talk tracks; another collector's case is a 404 and the attempt is audited."""

import datetime as dt

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
#: contacts cannot be logged before they happen: an hour ago by the wall clock
EARLIER = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()


@pytest.fixture
def app(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url)
    try:
        seed(app, borrowers=4)
        assign(app, case_borrower="B-01", collector="carla", stage="front_row")
        assign(app, case_borrower="B-02", queue="early:es")
        assign(app, case_borrower="B-03", collector="diego")
        yield app
    finally:
        app.engine.dispose()


def test_cases_claims_contacts_and_denials(app):
    carla = add_user(app, "carla", Role.COLLECTOR)
    http = client(app)
    cases = http.get("/cases", headers=bearer(carla)).json()["data"]
    assert [c["case_id"] for c in cases] == ["C-B-01", "C-B-02"]
    detail = http.get("/cases/C-B-01", headers=bearer(carla)).json()
    assert detail["case"]["case_id"] == "C-B-01"
    denied = http.get("/cases/C-B-03", headers=bearer(carla) | {"X-Request-ID": "probe-1"})
    assert denied.status_code == 404
    contact_elsewhere = http.post(
        "/cases/C-B-03/contacts",
        json={
            "at": EARLIER,
            "channel": "call",
            "direction": "outbound",
            "address": "+34612340003",
            "party": "mobile",
            "party_id": "B-03",
            "purpose": "debt",
            "outcomes": ["no_answer"],
        },
        headers=bearer(carla),
    )
    assert contact_elsewhere.status_code == 404

    claimed = http.post(
        "/worklist/claim-next", json={"business_date": DAY}, headers=bearer(carla)
    ).json()["item"]
    assert claimed["case_id"] == "C-B-02"
    assert claimed["claimed_by"] == "carla"
    assert (
        http.post(
            "/worklist/claim-next", json={"business_date": DAY}, headers=bearer(carla)
        ).json()["item"]
        is None
    )
    released = http.post(
        "/worklist/C-B-02/release",
        json={"business_date": DAY, "to_queue": True},
        headers=bearer(carla),
    ).json()
    assert released["status"] == "released"

    logged = http.post(
        "/cases/C-B-01/contacts",
        json={
            "at": EARLIER,
            "channel": "call",
            "direction": "outbound",
            "address": "+34612340001",
            "party": "mobile",
            "party_id": "B-01",
            "purpose": "debt",
            "outcomes": ["no_answer"],
        },
        headers=bearer(carla) | {"X-Request-ID": "req-contact-1"},
    )
    assert logged.status_code == 201, logged.text
    record_id = logged.json()["record_id"]
    with app.engine.connect() as connection:
        stored = connection.execute(
            select(w.contact_log.c.collector_id).where(w.contact_log.c.record_id == record_id)
        ).scalar_one()
    assert stored == "carla"

    actions = [(r.action, r.entity_id, r.request_id) for r in audit_actions(app)]
    assert ("security:access:denied", "C-B-03", "probe-1") in actions
    assert ("worklist:item:claimed", DAY, actions[-3][2]) in actions
    assert ("worklist:item:released", "C-B-02", actions[-2][2]) in actions
    assert sum(1 for a in actions if a[0] == "worklist:item:claimed") == 1  # not the empty one
    assert ("case:contact:logged", "C-B-01", "req-contact-1") in actions
    # nothing was written by the refused contact on the other collector's case
    assert not [a for a in actions if a[0] == "case:contact:logged" and a[1] == "C-B-03"]
    assert sum(1 for a in actions if a[0] == "security:access:denied") == 2
    assert verify_audit_chain(app.uow_factory).intact


def test_team_leads_see_every_case_and_roles_limit_writes(app):
    lead = add_user(app, "tom", Role.TEAM_LEAD)
    analyst = add_user(app, "ana", Role.ANALYST)
    http = client(app)
    cases = http.get("/cases", params={"limit": 2}, headers=bearer(lead)).json()
    assert [c["case_id"] for c in cases["data"]] == ["C-B-01", "C-B-02"]
    rest = http.get("/cases", params={"cursor": cases["next_cursor"]}, headers=bearer(lead))
    assert [c["case_id"] for c in rest.json()["data"]] == ["C-B-03"]
    assert http.get("/cases/C-B-03", headers=bearer(analyst)).status_code == 200
    claim = http.post("/worklist/claim-next", json={"business_date": DAY}, headers=bearer(analyst))
    assert claim.status_code == 403
    track = http.get("/talk/tracks/opening.es", params={"lang": "es"}, headers=bearer(lead))
    assert track.status_code == 200
    assert track.json()["language"] == "es"
    assert track.json()["title"]
    assert "{agency}" in track.json()["text"]  # placeholders are left for the desk
    assert http.get("/talk/tracks/nope", headers=bearer(lead)).status_code == 404
    assert http.get("/talk/tracks/opening.es", headers=bearer(analyst)).status_code == 403
    missing = http.post("/arrangements/A-nope/approve", json={}, headers=bearer(lead))
    assert missing.status_code == 404
    assert (
        http.post("/arrangements/A-nope/approve", json={}, headers=bearer(analyst)).status_code
        == 403
    )


def test_a_collectors_plan_needs_a_team_leads_approval(app):
    carla = add_user(app, "carla", Role.COLLECTOR)
    tom = add_user(app, "tom", Role.TEAM_LEAD)
    http = client(app)
    plan = {
        "kind": "plan",
        "as_of": DAY,
        "first_due": "2026-12-01",
        "instalments": 3,
        "frequency": "monthly",
    }
    proposed = http.post(
        "/cases/C-B-01/arrangements",
        json=plan,
        headers=bearer(carla) | {"X-Request-ID": "req-plan"},
    )
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["status"] == "pending_approval"
    assert body["required_role"] == "supervisor"
    assert [i["amount"] for i in body["instalments"]] == ["410.00", "410.00", "410.00"]
    assert body["total"] == body["balance"] == "1230.00"
    refused = http.post(
        f"/arrangements/{body['arrangement_id']}/approve", json={}, headers=bearer(carla)
    )
    assert refused.status_code == 403
    approved = http.post(
        f"/arrangements/{body['arrangement_id']}/approve",
        json={"note": "checked income"},
        headers=bearer(tom) | {"X-Request-ID": "req-approve"},
    )
    assert approved.json() == {"arrangement_id": body["arrangement_id"], "status": "active"}
    again = http.post("/cases/C-B-01/arrangements", json=plan, headers=bearer(carla))
    assert again.status_code == 409
    outside = http.post("/cases/C-B-03/arrangements", json=plan, headers=bearer(carla))
    assert outside.status_code == 404
    trail = [(r.action, r.actor, r.request_id) for r in audit_actions(app)]
    assert ("case:arrangement:proposed", "carla", "req-plan") in trail
    assert ("case:arrangement:approved", "tom", "req-approve") in trail
    assert sum(1 for a in trail if a[0] == "case:arrangement:proposed") == 1  # not the 409
    mine = http.get("/worklist", params={"business_date": DAY}, headers=bearer(carla))
    assert mine.json() == []  # only queue items exist today, none assigned to carla
    others = http.get(
        "/worklist", params={"business_date": DAY, "collector": "diego"}, headers=bearer(carla)
    )
    assert others.status_code == 403
