"""Debtor classification against a real database: the nightly step, explain, facts, overrides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.db import session_factory
from arrears.adapters.store.uow import SqlUnitOfWork
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import InvalidInput, NotFound
from arrears.domain.workflow.classification import Rule
from arrears.domain.workflow.errors import ReasonRequired
from arrears.domain.workflow.vocab import DebtorType
from arrears.entrypoints.cli import app
from arrears.services.classification import explain, override, record_fact, step_classification
from arrears.services.cycle import CycleContext

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

pytestmark = pytest.mark.integration

AS_OF = dt.date(2026, 3, 31)
NOW = dt.datetime(2026, 3, 31, 18, 0, tzinfo=dt.UTC)  # the desk's clock in these tests
STRATEGY = load_strategy()
DELINQUENCY = load_delinquency_config(None).policy


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


@pytest.fixture
def uows(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    sessions = session_factory(engine)
    return lambda: SqlUnitOfWork(sessions, clock=lambda: NOW)


def seed(engine: Engine) -> None:
    """Four open cases (borrowers 1-4, one Madrid phone each) and one closed case (borrower 5).

    C1: reached 12 days ago, then 6 unanswered calls -> lost contact.
    C2: said "hardship" 3 days ago -> willing but unable.
    C3: reached yesterday, two broken promises, a payment only outside the window -> unwilling.
    C4: reached yesterday, forgot -> cooperative (already stored so: unchanged).
    """
    rows: dict[Any, list[dict[str, Any]]] = {
        t.borrowers: [
            {
                "id": i,
                "external_id": f"B{i}",
                "full_name": f"Borrower {i}",
                "language": "es",
                "country": "ES",
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(1, 6)
        ],
        t.borrower_phones: [
            {
                "borrower_id": i,
                "kind": "mobile",
                "e164": f"+3460000000{i}",
                "region_code": "ES",
                "time_zones": "Europe/Madrid",
            }
            for i in range(1, 6)
        ],
        t.loans: [
            {
                "id": 3,
                "external_id": "L3",
                "borrower_id": 3,
                "product": "personal",
                "currency": "EUR",
                "principal": Decimal(900),
                "disbursed_on": ago(200),
                "created_at": NOW,
                "updated_at": NOW,
            }
        ],
        t.payments: [
            {
                "external_id": "X3",
                "loan_id": 3,
                "paid_on": ago(45),
                "amount": Decimal(50),
                "currency": "EUR",
                "created_at": NOW,
            }
        ],
        w.cases: [
            {
                "case_id": f"C{i}",
                "borrower_id": i,
                "open_borrower_id": None if i == 5 else i,
                "state": "closed" if i == 5 else "active",
                "opened_on": ago(60),
                "closed_on": ago(1) if i == 5 else None,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(1, 6)
        ],
    }

    def call(rid: str, case: int, day: dt.date, outcomes: str, hour: int = 10) -> dict[str, Any]:
        return {
            "record_id": rid,
            "case_id": f"C{case}",
            "at": at(day, hour),
            "logged_at": at(day, hour),
            "channel": "call",
            "direction": "outbound",
            "address": f"+3460000000{case}",
            "party": "mobile",
            "party_id": f"B{case}",
            "purpose": "debt",
            "outcomes": outcomes,
            "collector_id": "u1",
        }

    rows[w.contact_log] = [
        call("K1-0", 1, ago(12), "right_party_contact"),
        *(call(f"K1-{n}", 1, ago(11 - n), "no_answer") for n in range(1, 7)),
        call("K2-1", 2, ago(3), "right_party_contact hardship"),
        call("K3-1", 3, ago(1), "right_party_contact"),
        call("K4-1", 4, ago(1), "right_party_contact"),
        call("K5-1", 5, ago(1), "right_party_contact refused"),
    ]
    rows[w.promises] = [
        {
            "promise_id": f"P3-{n}",
            "case_id": "C3",
            "set_id": f"S{n}",
            "made_on": ago(20 - n),
            "due_on": ago(18 - n),
            "deadline": ago(17 - n),
            "amount": Decimal(100),
            "currency": "EUR",
            "status": "broken",
            "made_by": "u1",
            "created_at": NOW,
        }
        for n in (1, 5)
    ]
    rows[w.case_facts] = [
        {"case_id": "C4", "kind": "reason", "value": "forgot", "at": at(ago(1)), "by": "u1"}
    ]
    with engine.begin() as conn:
        for table, values in rows.items():
            conn.execute(insert(table), values)


def nightly(uows: Callable[[], SqlUnitOfWork], day: dt.date = AS_OF) -> int:
    book = DuckDBEngine()
    ctx = CycleContext(day, "run-1", book, DELINQUENCY, STRATEGY)
    try:
        with uows() as uow:
            changed = step_classification(ctx, uow.session.connection())
            uow.commit()
    finally:
        book.close()
    return changed


def types(engine: Engine) -> dict[str, tuple[str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(select(w.cases.c.case_id, w.cases.c.debtor_type, w.cases.c.version))
        return {r.case_id: (r.debtor_type, r.version) for r in rows}


def events(engine: Engine, kind: str) -> list[Any]:
    e = w.case_events
    with engine.connect() as conn:
        return list(conn.execute(select(e).where(e.c.kind == kind).order_by(e.c.case_id, e.c.id)))


def test_nightly_step_classifies_open_cases_and_a_rerun_changes_nothing(
    engine: Engine, uows: Callable[[], SqlUnitOfWork]
) -> None:
    seed(engine)
    assert nightly(uows) == 3
    assert types(engine) == {
        "C1": ("lost_contact", 2),
        "C2": ("willing_unable", 2),
        "C3": ("able_unwilling", 2),
        "C4": ("cooperative", 1),
        "C5": ("cooperative", 1),  # closed: not classified
    }
    written = events(engine, "classified")
    assert [(e.case_id, e.before, e.after, e.reason) for e in written] == [
        ("C1", "cooperative", "lost_contact", Rule.UNREACHED.value),
        ("C2", "cooperative", "willing_unable", Rule.HARDSHIP_RECORDED.value),
        ("C3", "cooperative", "able_unwilling", Rule.BROKEN_PROMISES.value),
    ]
    assert "6 attempts without reaching the debtor (last reached 12 days ago)" in written[0].note
    assert written[2].note.startswith(
        "able_unwilling.broken_promises: 2 broken promise(s) and no payment in 30 days"
    )
    # the desk's explanation (the domain, one case) says what the batch wrote
    for event in written:
        shown = explain(uows, event.case_id, AS_OF)
        assert (shown.debtor_type.value, shown.decided_by.value) == (event.after, event.reason)
        assert "\n".join(shown.explain()) == event.note
    assert explain(uows, "C4", AS_OF).decided_by is Rule.DEFAULT
    # a rerun of the finished day changes nothing and writes nothing
    assert nightly(uows) == 0
    assert len(events(engine, "classified")) == 3
    assert types(engine)["C1"] == ("lost_contact", 2)
    with pytest.raises(NotFound):
        explain(uows, "C9", AS_OF)


def test_an_override_wins_until_its_date_then_the_rules_return(
    engine: Engine, uows: Callable[[], SqlUnitOfWork]
) -> None:
    seed(engine)
    nightly(uows)
    until = AS_OF + dt.timedelta(days=2)
    with pytest.raises(ReasonRequired):
        override(uows, "C3", debtor_type="willing_unable", reason="  ", by="u7")
    with pytest.raises(InvalidInput, match="debtor type"):
        override(uows, "C3", debtor_type="stubborn", reason="r", by="u7")
    with pytest.raises(InvalidInput, match="closed"):
        override(uows, "C5", debtor_type="willing_unable", reason="r", by="u7")
    assert events(engine, "classification_overridden") == []
    chosen = override(
        uows,
        "C3",
        debtor_type="willing_unable",
        reason="lost his job last week",
        by="u7",
        until=until,
    )
    assert chosen is DebtorType.WILLING_UNABLE
    assert types(engine)["C3"] == ("willing_unable", 3)
    (event,) = events(engine, "classification_overridden")
    assert (event.before, event.after, event.actor_id) == ("able_unwilling", "willing_unable", "u7")
    with engine.connect() as conn:
        audit = conn.execute(
            select(func.count()).where(
                t.audit_events.c.action == "case:classification:overridden",
                t.audit_events.c.subject_id == "C3",
            )
        ).scalar_one()
    assert audit == 1
    shown = explain(uows, "C3", AS_OF)
    assert shown.overridden
    assert shown.derived_type is DebtorType.ABLE_UNWILLING
    assert "override by u7: willing_unable (lost his job last week)" in shown.explain()
    # while active the nightly step keeps it; the day after `until` the rules decide again
    assert nightly(uows, until) == 0
    assert nightly(uows, until + dt.timedelta(days=1)) == 1
    assert types(engine)["C3"] == ("able_unwilling", 4)
    last = events(engine, "classified")[-1]
    assert (last.case_id, last.after, last.reason) == (
        "C3",
        "able_unwilling",
        Rule.BROKEN_PROMISES.value,
    )


def test_collectors_facts_are_validated_and_read_by_the_next_night(
    engine: Engine, uows: Callable[[], SqlUnitOfWork]
) -> None:
    seed(engine)
    nightly(uows)
    with pytest.raises(InvalidInput, match="not a reason value"):
        record_fact(uows, "C4", kind="reason", value="lazy", by="u1")
    with pytest.raises(InvalidInput, match="unknown fact kind"):
        record_fact(uows, "C4", kind="mood", value="sad", by="u1")
    with pytest.raises(ReasonRequired):
        record_fact(uows, "C4", kind="reason", value="other", by="u1")
    with pytest.raises(NotFound):
        record_fact(uows, "C9", kind="reason", value="forgot", by="u1")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(w.case_facts)).scalar_one() == 1
    record_fact(uows, "C4", kind="reason", value="income_loss", by="u1", note="laid off")
    assert events(engine, "fact_recorded")[0].after == "income_loss"
    assert nightly(uows) == 1
    assert types(engine)["C4"][0] == "willing_unable"
    assert explain(uows, "C4", AS_OF).decided_by is Rule.REASON_INABILITY
    # the collector's own record of willingness outranks what the log suggests
    record_fact(uows, "C2", kind="willingness", value="refuses", by="u1")
    record_fact(uows, "C2", kind="hardship", value="ended", by="u1")
    shown = explain(uows, "C2", AS_OF)
    assert shown.decided_by is Rule.HARDSHIP_RECORDED  # the statement in the window still counts
    assert Rule.REFUSES in {f.rule for f in shown.findings}


def test_the_command_line_explains_records_and_overrides(engine: Engine, database_url: str) -> None:
    seed(engine)
    base = ["--database-url", database_url, "classify"]
    runner = CliRunner()
    shown = runner.invoke(app, [*base, "explain", "C1", "--as-of", AS_OF.isoformat()])
    assert shown.exit_code == 0, shown.output
    assert "lost_contact" in shown.output
    assert "6 attempts without reaching the debtor" in shown.output
    bad = runner.invoke(
        app, [*base, "fact", "C4", "--kind", "reason", "--value", "lazy", "--by", "u1"]
    )
    assert bad.exit_code == 2
    assert "not a reason value" in bad.output
    fact = [*base, "fact", "C4", "--kind", "reason", "--value", "payday_mismatch", "--by", "u1"]
    assert runner.invoke(app, fact).exit_code == 0
    moved = runner.invoke(
        app,
        [
            *base,
            "override",
            "C4",
            "--type",
            "willing_unable",
            "--reason",
            "sick leave",
            "--by",
            "u1",
        ],
    )
    assert moved.exit_code == 0, moved.output
    assert types(engine)["C4"][0] == "willing_unable"
    with engine.connect() as conn:
        stored = conn.execute(select(w.case_facts.c.value).where(w.case_facts.c.case_id == "C4"))
        assert sorted(stored.scalars()) == ["forgot", "payday_mismatch"]
