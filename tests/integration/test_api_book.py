"""Borrowers and loans over the API: pages, filters, masking, audited unmasked reads, the
collector's scope (with denied attempts audited) and idempotent payments."""

import datetime as dt

import pytest
from sqlalchemy import func, select

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
from arrears.adapters.store import security_tables as s
from arrears.adapters.store import tables as t
from arrears.domain.security import Role
from arrears.services.security import verify_audit_chain

pytestmark = pytest.mark.integration


@pytest.fixture
def app(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url)
    try:
        seed(app)
        yield app
    finally:
        app.engine.dispose()


def test_borrowers_are_paged_filtered_and_masked_for_every_role(app):
    token = add_user(app, "olga", Role.COMPLIANCE_OFFICER)
    http = client(app)
    first = http.get("/borrowers", params={"limit": 1}, headers=bearer(token)).json()["data"][0]
    assert first["national_id"] == "••••678Z"  # lists never unmask, whoever reads them
    assert first["phones"] == ["+34 •••••0001"]
    assert audit_actions(app)[-1].action == "security:token:issued"  # masked reads: no audit
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = http.get("/borrowers", params=params, headers=bearer(token)).json()
        seen.extend(b["external_id"] for b in page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["B-01", "B-02", "B-03", "B-04", "B-05"]
    china = http.get("/borrowers", params={"country": "cn"}, headers=bearer(token)).json()
    assert [b["external_id"] for b in china["data"]] == ["B-02", "B-04"]
    named = http.get("/borrowers", params={"name": "fernández 3"}, headers=bearer(token))
    assert [b["external_id"] for b in named.json()["data"]] == ["B-03"]
    after_b03 = http.get("/borrowers", params={"cursor": "B-03"}, headers=bearer(token))
    assert [b["external_id"] for b in after_b03.json()["data"]] == ["B-04", "B-05"]
    too_big = http.get("/borrowers", params={"limit": 1000}, headers=bearer(token))
    assert too_big.status_code == 422
    assert too_big.json()["code"] == "invalid_request"


def test_unmasked_reads_follow_the_role_and_are_audited(app):
    analyst = add_user(app, "ana", Role.ANALYST)
    officer = add_user(app, "olga", Role.COMPLIANCE_OFFICER)
    lead = add_user(app, "tom", Role.TEAM_LEAD)
    http = client(app)
    masked = http.get("/borrowers/B-01", headers=bearer(analyst)).json()
    assert masked["national_id"] == "••••678Z"
    assert masked["phones"][0]["number"] == "+34 •••••0001"
    assert masked["unmasked"] == []
    refused = http.get("/borrowers/B-01", params={"unmask": True}, headers=bearer(analyst))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    full = http.get(
        "/borrowers/B-01",
        params={"unmask": True},
        headers=bearer(officer) | {"X-Request-ID": "req-pii-1"},
    ).json()
    assert full["national_id"] == "12345678Z"
    assert full["phones"][0]["number"] == "+34612340001"
    assert full["unmasked"] == ["phones", "national_id"]
    phones_only = http.get("/borrowers/B-01", params={"unmask": True}, headers=bearer(lead))
    assert phones_only.json()["national_id"] == "••••678Z"
    assert phones_only.json()["phones"][0]["number"] == "+34612340001"
    reads = [r for r in audit_actions(app) if r.action == "pii:borrower:unmasked"]
    assert [(r.actor, r.entity_id, r.request_id) for r in reads] == [
        ("olga", "B-01", "req-pii-1"),
        ("tom", "B-01", reads[1].request_id),
    ]
    assert reads[0].after == {"fields": ["phones", "national_id"]}
    assert reads[1].after == {"fields": ["phones"]}
    assert verify_audit_chain(app.uow_factory).intact


def test_a_collector_sees_only_own_and_queued_cases_and_other_reads_are_audited(app):
    assign(app, case_borrower="B-01", collector="carla")
    assign(app, case_borrower="B-02", queue="early:es")  # a pool carla works (Spanish)
    assign(app, case_borrower="B-03", collector="diego")
    assign(app, case_borrower="B-04", queue="early:zh")  # a pool she does not
    carla = add_user(app, "carla", Role.COLLECTOR, team="north")
    http = client(app)
    listed = http.get("/borrowers", headers=bearer(carla)).json()["data"]
    assert [b["external_id"] for b in listed] == ["B-01", "B-02"]
    loans = http.get("/loans", headers=bearer(carla)).json()["data"]
    assert [loan["external_id"] for loan in loans] == ["L-01", "L-02"]
    assert http.get("/borrowers/B-02", headers=bearer(carla)).status_code == 200
    for path in ("/borrowers/B-03", "/loans/L-03", "/borrowers/B-05"):
        denied = http.get(path, headers=bearer(carla) | {"X-Request-ID": f"probe{path[-2:]}"})
        assert denied.status_code == 404
        assert denied.json()["code"] == "not_found"
    unknown = http.get("/borrowers/B-99", headers=bearer(carla))
    assert unknown.status_code == 404
    denials = [r for r in audit_actions(app) if r.action == "security:access:denied"]
    assert [(r.actor, r.entity_id, r.request_id) for r in denials] == [
        ("carla", "B-03", "probe03"),
        ("carla", "L-03", "probe03"),
        ("carla", "B-05", "probe05"),
    ]
    payment = http.post(
        "/loans/L-03/payments",
        json={"paid_on": "2026-11-20", "amount": "10.00", "currency": "EUR"},
        headers=bearer(carla) | {"Idempotency-Key": "k-outside"},
    )
    assert payment.status_code == 404


def test_a_loan_in_detail_and_a_payment_written_once_per_idempotency_key(app):
    token = add_user(app, "tom", Role.TEAM_LEAD)
    with app.uow_factory() as uow:
        uow.bucket_history.append("L-01", bucket="M1", dpd=5, added_on=dt.date(2026, 3, 20))
        uow.commit()
    http = client(app)
    loan = http.get("/loans/L-01", headers=bearer(token)).json()
    assert [i["number"] for i in loan["installments"]] == [1, 2, 3]
    assert loan["installments"][0]["principal"] == "400.00"
    assert loan["bucket_history"] == [
        {"bucket": "M1", "dpd": 5, "added_on": "2026-03-20", "lifted_on": None}
    ]
    assert loan["status"] is None  # no nightly cycle yet
    assert loan["version"] == 1
    headers = bearer(token) | {"Idempotency-Key": "pay-1", "X-Request-ID": "req-pay-1"}
    body = {"paid_on": "2026-11-20", "amount": "125.50", "currency": "EUR", "channel": "card"}
    first = http.post("/loans/L-01/payments", json=body, headers=headers)
    assert first.status_code == 201
    again = http.post("/loans/L-01/payments", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    other = http.post("/loans/L-01/payments", json=body | {"amount": "99.00"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    loan = http.get("/loans/L-01", headers=bearer(token)).json()
    assert [(p["amount"], p["paid_on"]) for p in loan["payments"]] == [("125.50", "2026-11-20")]
    assert loan["version"] == 2
    recorded = [r for r in audit_actions(app) if r.action == "loan:payment:recorded"]
    assert len(recorded) == 1
    assert recorded[0].request_id == "req-pay-1"
    assert recorded[0].after["amount"] == "125.50"
    assert verify_audit_chain(app.uow_factory).intact


def test_payment_errors_have_stable_codes_and_write_nothing(app):
    token = add_user(app, "tom", Role.TEAM_LEAD)
    analyst = add_user(app, "ana", Role.ANALYST)
    http = client(app)
    body = {"paid_on": "2026-11-20", "amount": "10.00", "currency": "EUR"}

    def post(loan, payload, key="k", who=token):
        return http.post(
            f"/loans/{loan}/payments", json=payload, headers=bearer(who) | {"Idempotency-Key": key}
        )

    assert post("L-01", body | {"currency": "USD"}).json()["code"] == "currency_mismatch"
    assert post("L-01", body | {"amount": "-5"}).json()["code"] == "invalid_request"
    assert post("L-01", body | {"amount": 10.5}).status_code == 422  # floats are refused
    assert post("L-99", body).status_code == 404
    assert post("L-01", body, who=analyst).status_code == 403
    missing = http.post("/loans/L-01/payments", json=body, headers=bearer(token))
    assert missing.status_code == 422
    with app.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.payments)).scalar() == 0
        assert (
            connection.execute(select(func.count()).select_from(s.idempotency_keys)).scalar() == 0
        )


def test_the_dialers_policy_check_adds_the_ledgers_history(app):
    import json  # noqa: PLC0415 - only this test builds ledger lines

    from arrears.services.ledger import record_events  # noqa: PLC0415

    token = add_user(app, "tom", Role.TEAM_LEAD)
    request = {
        "presets": ["us-regf"],
        "events": [
            {"type": "person", "person_id": "P-1", "phones": [{"number": "+12025550123"}]},
            {
                "type": "contact_request",
                "request_id": "dial-1",
                "person_id": "P-1",
                "channel": "call",
                "address": "+12025550123",
                "debt_ids": ["L-1"],
                "at": "2026-11-23T18:00:00Z",
            },
        ],
    }
    http = client(app)
    first = http.post("/policy/check", json=request, headers=bearer(token)).json()
    assert first["verdicts"][0]["decision"] == "allow"
    calls = [
        {
            "type": "call_attempt",
            "id": f"call-{day}",
            "ts": f"2026-11-{day}T15:00:00Z",
            "person_id": "P-1",
            "number": "+12025550123",
            "attributed_debt_ids": ["L-1"],
            "outcome": "no_answer_rang",
        }
        for day in range(17, 24)  # seven calls in the seven days before the request
    ]
    record_events(app.uow_factory, lines=[json.dumps(c) for c in calls], actor="dialer")
    second = http.post("/policy/check", json=request, headers=bearer(token)).json()
    verdict = second["verdicts"][0]
    assert verdict["decision"] == "block"
    assert verdict["next_allowed"].startswith("2026-11-24")
    assert "US-CALL-7IN7" in verdict["reason"]
    bad = http.post("/policy/check", json=request | {"presets": ["mars"]}, headers=bearer(token))
    assert bad.status_code == 422
    analyst = add_user(app, "ana", Role.ANALYST)
    assert http.post("/policy/check", json=request, headers=bearer(analyst)).status_code == 403
