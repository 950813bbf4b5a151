"""Minimal borrowers, loans, payments and cases for the arrangement and escalation tests."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, insert, select

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.extract import load_book
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.model import Address, Borrower, Installment, Loan, Payment
from arrears.domain.money import Money
from arrears.services.cycle import CycleContext

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
STRATEGY = load_strategy()


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def seed_case(
    uow_factory,
    *,
    case_id: str = "C-1",
    borrower: str = "B-1",
    state: str = "active",
    stage_id: str | None = "back_row",
    instalment: str = "400.00",
) -> int:
    """A borrower in Madrid with one EUR loan of three instalments and an open case; returns
    the borrower's key."""
    with uow_factory() as uow:
        uow.borrowers.add(
            Borrower(
                external_id=borrower,
                full_name="Lucía Fernández",
                language="es-ES",
                country="ES",
                addresses=(
                    Address("Calle Mayor 1", "Madrid", "28013", "Madrid", "ES", "Europe/Madrid"),
                ),
            )
        )
        uow.loans.add(
            Loan(
                external_id=f"L-{borrower}",
                borrower_id=borrower,
                currency="EUR",
                product="personal",
                principal=eur(instalment) * 3,
                disbursed_on=dt.date(2025, 9, 15),
                installments=tuple(
                    Installment(
                        number=n,
                        due_date=dt.date(2025, 9 + n, 15),
                        principal=eur(instalment),
                        interest=eur("0.00"),
                        fee=eur("0.00"),
                    )
                    for n in (1, 2, 3)
                ),
            )
        )
        conn = uow.session.connection()
        pk = conn.execute(
            select(t.borrowers.c.id).where(t.borrowers.c.external_id == borrower)
        ).scalar_one()
        conn.execute(
            insert(w.cases).values(
                case_id=case_id,
                borrower_id=pk,
                open_borrower_id=None if state == "closed" else pk,
                state=state,
                opened_on=dt.date(2026, 1, 20),
                closed_on=dt.date(2026, 3, 1) if state == "closed" else None,
                stage_id=stage_id,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        uow.commit()
    return int(pk)


def pay(uow_factory, borrower: str, payment_id: str, paid_on: dt.date, amount: str) -> None:
    with uow_factory() as uow:
        uow.loans.add_payment(f"L-{borrower}", Payment(payment_id, paid_on, eur(amount)))
        uow.commit()


def address_id(engine, borrower_pk: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(t.borrower_addresses.c.id).where(
                    t.borrower_addresses.c.borrower_id == borrower_pk
                )
            ).scalar_one()
        )


def run_step(engine, uow_factory, step, business_date: dt.date) -> int:
    """Run one cycle step as the cycle does: the book in DuckDB, one transaction."""
    book = DuckDBEngine()
    try:
        load_book(engine, book)
        ctx = CycleContext(
            business_date=business_date,
            run_id="test-run",
            book=book,
            policy=load_delinquency_config(None).policy,
            strategy=STRATEGY,
        )
        with uow_factory() as uow:
            rows = step(ctx, uow.session.connection())
            uow.commit()
    finally:
        book.close()
    return int(rows)


def case_row(engine, case_id: str):
    with engine.connect() as conn:
        return conn.execute(select(w.cases).where(w.cases.c.case_id == case_id)).mappings().one()


def events(engine, case_id: str) -> list[tuple[str, str | None, str | None]]:
    e = w.case_events
    with engine.connect() as conn:
        return [
            (r.kind, r.after, r.reason)
            for r in conn.execute(
                select(e.c.kind, e.c.after, e.c.reason)
                .where(e.c.case_id == case_id)
                .order_by(e.c.id)
            )
        ]


def audit_actions(engine) -> list[str]:
    a = t.audit_events
    with engine.connect() as conn:
        return list(conn.execute(select(a.c.action).order_by(a.c.id)).scalars())


def count(engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
