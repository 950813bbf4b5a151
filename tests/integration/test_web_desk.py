"""The web desk over a real database (SQLite and PostgreSQL): pages in each user's language,
CSRF on every form, the collector's scope (denials audited, for the desk and the API), and forms
that write through the services (claim, contact, promise, arrangement, approval, three stops)."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, insert, select
from typer.testing import CliRunner

from api_support import api_app, audit_actions, bearer, client, fast_password_hashing
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.domain.money import Money
from arrears.entrypoints.api.deps import CSRF_COOKIE
from arrears.entrypoints.cli import app as cli
from arrears.entrypoints.web import read
from arrears.services.security import issue_token, list_users
from desk_support import DAY, PASSWORD, DeskBook, seed_desk

pytestmark = pytest.mark.integration


@pytest.fixture
def app(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url)
    try:
        seed_desk(app)
        yield app
    finally:
        app.engine.dispose()


def log_in(http, username: str) -> str:
    """Log in through the desk's form; returns the CSRF token the forms carry."""
    answer = http.post(
        "/desk/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    return http.cookies[CSRF_COOKIE]


def rows(app, table, **where):
    with app.engine.connect() as conn:
        query = select(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        return conn.execute(query).mappings().all()


def test_pages_render_in_each_users_language(app):
    book = DeskBook()
    ana = client(app)
    log_in(ana, book.ana)
    desk = ana.get("/desk")
    assert desk.status_code == 200
    assert "Lista de trabajo de hoy" in desk.text  # Spanish desk for a Spanish-speaking user
    assert book.mine in desk.text
    assert book.other not in desk.text  # beto's case is not in ana's list
    assert "default-src 'none'" in desk.headers["Content-Security-Policy"]
    case = ana.get(f"/desk/case/{book.mine}")
    assert case.status_code == 200
    assert "Dictamen de cumplimiento antes del contacto" in case.text
    assert 'data-testid="verdict-decision"' in case.text
    assert "ES-HOURS" in case.text or "ALLOW" in case.text  # the verdict names its rules
    assert "+34 •" in case.text
    assert "+34600111222" not in case.text
    assert "Le llamo porque" in case.text  # the talk track in the debtor's language (es)
    assert "Voy a terminar la llamada ahora" in case.text  # the three stops' words, in Spanish
    assert "1.200,00" in case.text  # amounts in the user's locale

    lead = client(app)
    log_in(lead, book.lead)
    supervisor = lead.get("/desk/supervisor")
    assert supervisor.status_code == 200
    assert "待审批" in supervisor.text
    assert "队列与容量" in supervisor.text

    analyst = client(app)
    log_in(analyst, book.analyst)
    dashboard = analyst.get("/desk/dashboard")
    assert dashboard.status_code == 200
    assert "Loans by bucket" in dashboard.text
    assert "Collector results (30 days)" in dashboard.text
    assert analyst.get("/desk/supervisor").status_code == 403  # analysts do not supervise
    assert analyst.get("/desk/static/desk.css").status_code == 200
    assert analyst.get("/desk/static/other.css").status_code == 404


def test_login_is_required_and_wrong_passwords_are_refused(app):
    http = client(app)
    assert http.get("/desk", follow_redirects=False).headers["location"] == "/desk/login"
    refused = http.post("/desk/login", data={"username": "lead", "password": "nope"})
    assert refused.status_code == 401
    assert 'data-testid="error"' in refused.text
    spanish = http.get("/desk/login", params={"lang": "es"})
    assert "Entrar en la mesa de cobranza" in spanish.text


def test_every_form_needs_the_sessions_csrf_token(app):
    book = DeskBook()
    http = client(app)
    token = log_in(http, book.ana)
    promise = {"due_1": DAY.isoformat(), "amount_1": "100.00"}
    for sent in ({}, {"csrf_token": "forged"}):
        refused = http.post(f"/desk/case/{book.mine}/promise", data=promise | sent)
        assert refused.status_code == 403
        assert "csrf_failed" in refused.text
    assert http.post("/desk/claim", data={"csrf_token": "forged"}).status_code == 403
    assert rows(app, w.promises) == []
    assert rows(app, w.worklist_items, status="claimed") == []
    accepted = http.post(
        f"/desk/case/{book.mine}/promise",
        data=promise | {"csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    assert [p["made_by"] for p in rows(app, w.promises)] == [book.ana]


def test_a_collector_gets_404_for_another_collectors_case_and_it_is_audited(app):
    book = DeskBook()
    http = client(app)
    token = log_in(http, book.ana)
    denied = http.get(f"/desk/case/{book.other}")
    assert denied.status_code == 404
    assert "Javier Romero" not in denied.text
    written = http.post(
        f"/desk/case/{book.other}/contact",
        data={"outcome": "no_answer", "csrf_token": token},
    )
    assert written.status_code == 404
    assert rows(app, w.contact_log) == []
    unknown = http.get("/desk/case/C-404")
    assert unknown.status_code == 404
    api_token = issue_token(
        app.uow_factory, username=book.ana, name="t", ttl=dt.timedelta(days=1), actor="test"
    ).secret
    over_api = client(app).get(f"/cases/{book.other}", headers=bearer(api_token))
    assert over_api.status_code == 404
    denials = [
        (r.actor, r.entity_id) for r in audit_actions(app) if r.action == "security:access:denied"
    ]
    assert denials == [(book.ana, book.other)] * 3  # desk read, desk write, API; not C-404
    lead = client(app)
    log_in(lead, book.lead)
    assert lead.get(f"/desk/case/{book.other}").status_code == 200  # a team lead sees all


def test_forms_write_through_the_services(app):
    book = DeskBook()
    http = client(app)
    token = log_in(http, book.ana)
    claimed = http.post("/desk/claim", data={"csrf_token": token}, follow_redirects=False)
    assert claimed.headers["location"] == f"/desk/case/{book.mine}"
    [item] = rows(app, w.worklist_items, case_id=book.mine)
    assert (item["status"], item["claimed_by"]) == ("claimed", book.ana)

    logged = http.post(
        f"/desk/case/{book.mine}/contact",
        data={
            "outcome": ["right_party_contact", "promise"],
            "attempt_id": f"A-{book.mine}",
            "notes": "pagará el viernes",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert logged.status_code == 303, logged.text
    [record] = rows(app, w.contact_log, case_id=book.mine)
    assert record["outcomes"].split() == ["right_party_contact", "promise"]
    assert record["collector_id"] == book.ana
    assert record["flag"] is None  # it answers the planned attempt
    assert rows(app, w.planned_attempts, attempt_id=f"A-{book.mine}")[0]["status"] == "done"

    too_far = http.post(
        f"/desk/case/{book.mine}/promise",
        data={
            "due_1": (DAY + dt.timedelta(days=10)).isoformat(),
            "amount_1": "100",
            "csrf_token": token,
        },
    )
    assert too_far.status_code == 422  # beyond the strategy's three-day horizon
    assert rows(app, w.promises) == []
    http.post(
        f"/desk/case/{book.mine}/promise",
        data={"due_1": (DAY + dt.timedelta(days=2)).isoformat(), "amount_1": "150,50"}
        | {"csrf_token": token},
    )
    [promise] = rows(app, w.promises)
    assert (promise["amount"], promise["contact_record_id"]) == (
        Decimal("150.50"),
        record["record_id"],
    )

    # five monthly instalments: inside back_row's limits, above a collector's authority
    proposed = http.post(
        f"/desk/case/{book.mine}/arrangement",
        data={
            "kind": "plan",
            "first_due": (DAY + dt.timedelta(days=7)).isoformat(),
            "instalments": "5",
            "frequency": "monthly",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert proposed.status_code == 303, proposed.text
    [plan] = rows(app, w.arrangements, case_id=book.mine)
    assert (plan["status"], plan["required_role"]) == ("pending_approval", "supervisor")

    stop = http.post(
        f"/desk/case/{book.mine}/stop",
        data={"step": "remind", "csrf_token": token},
        follow_redirects=False,
    )
    assert stop.status_code == 303
    kinds = [e["kind"] for e in rows(app, w.case_events, case_id=book.mine)]
    assert "three_stops:remind" in kinds

    lead = client(app)
    lead_token = log_in(lead, book.lead)
    assert plan["arrangement_id"] in lead.get("/desk/supervisor").text
    approved = lead.post(
        f"/desk/supervisor/arrangement/{plan['arrangement_id']}",
        data={"decision": "approve", "note": "ok", "csrf_token": lead_token},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    [plan] = rows(app, w.arrangements, case_id=book.mine)
    assert (plan["status"], plan["decided_by"]) == ("active", book.lead)
    assert rows(app, w.cases, case_id=book.mine)[0]["state"] == "arrangement"

    done = http.post(
        f"/desk/case/{book.mine}/finish",
        data={"action": "complete", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/desk?done=completed"
    assert rows(app, w.worklist_items, case_id=book.mine)[0]["status"] == "done"
    actions = [
        r["action"] for r in rows(app, t.audit_events) if r["subject_id"] == book.mine
    ]  # the services' audit events, one per write
    assert {
        "case:worklist:claimed",
        "workflow:promise:recorded",
        "case:worklist:done",
    } <= set(actions)


def test_a_collector_may_not_approve_or_open_the_supervisors_views(app):
    book = DeskBook()
    http = client(app)
    token = log_in(http, book.ana)
    assert http.get("/desk/supervisor").status_code == 403
    refused = http.post(
        "/desk/supervisor/hold",
        data={"case_id": book.mine, "until": DAY.isoformat(), "reason": "x", "csrf_token": token},
    )
    assert refused.status_code == 403
    assert rows(app, w.cases, case_id=book.mine)[0]["hold_until"] is None


def test_the_dashboard_reads_roll_rates_recoveries_and_results(app):
    book = DeskBook()
    start = DAY - dt.timedelta(days=30)
    with app.uow_factory() as uow:
        conn = uow.session.connection()
        loans = dict(conn.execute(select(t.loans.c.external_id, t.loans.c.id)).all())
        zero = Decimal(0)
        # L-B-1 rolls M3 -> M4; L-B-2 cures M3 -> M0
        for loan, day, dpd, bucket in (
            ("L-B-1", start, 75, "M3"),
            ("L-B-1", DAY, 105, "M4"),
            ("L-B-2", start, 80, "M3"),
            ("L-B-2", DAY, 0, "M0"),
        ):
            conn.execute(
                insert(t.delinquency_snapshots).values(
                    business_date=day,
                    loan_id=loans[loan],
                    dpd=dpd,
                    bucket=bucket,
                    overdue_principal=zero,
                    overdue_interest=zero,
                    overdue_fee=zero,
                    overdue_penalty=zero,
                    overdue_total=Decimal(400) if dpd else zero,
                    missed_installments=1 if dpd else 0,
                )
            )
        for case_id, arm in ((book.mine, "champion"), (book.other, "early_settlement")):
            conn.execute(
                insert(w.case_assignments).values(
                    business_date=start,
                    case_id=case_id,
                    strategy_version="1",
                    stage_id="back_row",
                    segment_id="all",
                    arm=arm,
                    treatment_id="back_negotiate",
                    point=0,
                    dpd=75,
                    treatment_day=0,
                    overdue_total=Decimal(400),
                    currency="EUR",
                )
            )
        for n, (loan, day, amount) in enumerate(
            (
                ("L-B-1", DAY - dt.timedelta(days=5), "100.00"),
                ("L-B-2", DAY - dt.timedelta(days=3), "1200.00"),
                ("L-B-2", start - dt.timedelta(days=10), "999.00"),  # before the window
            )
        ):
            conn.execute(
                insert(t.payments).values(
                    external_id=f"P-{n}",
                    loan_id=loans[loan],
                    paid_on=day,
                    amount=Decimal(amount),
                    currency="EUR",
                    created_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
                )
            )
        uow.commit()
    with app.engine.connect() as conn:
        matrix = read.roll_rates(conn, DAY)
        assert matrix is not None
        assert (matrix.start, matrix.end) == (start, DAY)
        assert matrix.counts == {("M3", "M4"): 1, ("M3", "M0"): 1}
        assert matrix.share("M3", "M0") == 0.5
        assert matrix.buckets == ("M0", "M3", "M4")
        assert read.recoveries(conn, DAY, by="stage") == [
            ("back_row", "EUR", Money(Decimal("1300.00"), "EUR"))
        ]
        assert read.recoveries(conn, DAY, by="arm") == [
            ("champion", "EUR", Money(Decimal("100.00"), "EUR")),
            ("early_settlement", "EUR", Money(Decimal("1200.00"), "EUR")),
        ]
        assert read.bucket_distribution(conn, DAY) == [("M0", 1), ("M4", 1)]
    analyst = client(app)
    log_in(analyst, book.analyst)
    page = analyst.get("/desk/dashboard").text
    assert "50.0%" in page  # M3 -> M0 and M3 -> M4, half each
    assert "€1,200.00" in page
    assert "early_settlement" in page


def test_seed_users_creates_one_user_per_role_and_leaves_existing_ones(app, database_url):
    runner = CliRunner()
    first = runner.invoke(
        cli, ["--database-url", database_url, "desk", "seed-users", "--collectors", "2"]
    )
    assert first.exit_code == 0, first.output
    lines = {line.split()[0]: line.split() for line in first.output.splitlines()[2:]}
    book = DeskBook()
    # the floor's collectors and the seeded lead / analyst existed: shown, not changed
    assert lines[book.ana][1:3] == ["(exists)", "collector"]
    assert lines[book.beto][1:3] == ["(exists)", "collector"]
    assert lines["lead"][1] == "(exists)"
    assert lines["compliance"][2] == "compliance_officer"
    assert lines["admin"][2] == "admin"
    users = {u.username: u for u in list_users(app.uow_factory)}
    assert users["compliance"].role.value == "compliance_officer"
    http = client(app)
    answer = http.post(
        "/desk/login",
        data={"username": "admin", "password": lines["admin"][1]},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/desk/supervisor"  # the printed password works
    again = runner.invoke(cli, ["--database-url", database_url, "desk", "seed-users"])
    assert again.exit_code == 0
    assert "(exists)" in again.output
    assert len(list_users(app.uow_factory)) == len(users)


def test_page_query_counts_do_not_grow_with_the_rows_shown(app):
    """A fixed number of statements per page, whatever the number of rows (no query per row)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    book = DeskBook()
    ana, lead = client(app), client(app)
    log_in(ana, book.ana)
    log_in(lead, book.lead)
    measured = {}
    event.listen(app.engine, "before_cursor_execute", count)
    try:
        for who, http, rows_shown in (("ana", ana, 1), ("lead", lead, 2)):
            statements.clear()
            page = http.get("/desk")
            assert (
                page.text.count('<tr class="mine">') + page.text.count('<tr class="queue">')
                == rows_shown
            )
            measured[who] = len(statements)
    finally:
        event.remove(app.engine, "before_cursor_execute", count)
    assert measured["ana"] <= 12
    assert measured["lead"] <= measured["ana"]  # two rows cost no more than one
