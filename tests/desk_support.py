"""A small book for the desk's tests: two Spanish-speaking borrowers with an open back-row case
each, two collectors (one case each on today's worklist), a planned call with its talk track,
and users for a collector, another collector, a team lead and an analyst in three languages."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import insert, select

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.bootstrap import App
from arrears.domain.model import Address, Borrower, Installment, Loan
from arrears.domain.money import Money
from arrears.domain.security import Role
from arrears.services.security import create_user

DAY = dt.date(2026, 4, 1)
NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test fixture
QUEUE = "back_row:es"
TRACK = "front.service_reminder"


@dataclass(frozen=True)
class DeskBook:
    mine: str = "C-1"  # ana's case
    other: str = "C-2"  # beto's case
    ana: str = "COL-ANA"  # collector, desk in Spanish
    beto: str = "COL-BETO"  # collector, desk in English
    lead: str = "lead"  # team lead, desk in Chinese
    analyst: str = "analyst"  # analyst, desk in English


def _borrower(uow_factory, external_id: str, name: str, phone: str) -> int:
    eur = lambda amount: Money(Decimal(amount), "EUR")  # noqa: E731
    with uow_factory() as uow:
        uow.borrowers.add(
            Borrower(
                external_id=external_id,
                full_name=name,
                language="es-ES",
                country="ES",
                addresses=(
                    Address("Calle Mayor 1", "Madrid", "28013", "Madrid", "ES", "Europe/Madrid"),
                ),
            )
        )
        uow.loans.add(
            Loan(
                external_id=f"L-{external_id}",
                borrower_id=external_id,
                currency="EUR",
                product="personal",
                principal=eur("1200.00"),
                disbursed_on=dt.date(2025, 9, 15),
                installments=tuple(
                    Installment(
                        number=n,
                        due_date=dt.date(2025, 9 + n, 15),
                        principal=eur("400.00"),
                        interest=eur("0.00"),
                        fee=eur("0.00"),
                    )
                    for n in (1, 2, 3)
                ),
            )
        )
        conn = uow.session.connection()
        pk = conn.execute(
            select(t.borrowers.c.id).where(t.borrowers.c.external_id == external_id)
        ).scalar_one()
        conn.execute(
            insert(t.borrower_phones).values(
                borrower_id=pk,
                kind="mobile",
                e164=phone,
                region_code="ES",
                time_zones="Europe/Madrid",
            )
        )
        uow.commit()
    return int(pk)


def seed_desk(app: App, book: DeskBook = DeskBook()) -> DeskBook:
    """Write the book, the floor, today's worklist and the users (see the module docstring)."""
    people = {
        book.mine: ("B-1", "Lucía Fernández", "+34600111222", book.ana, 1),
        book.other: ("B-2", "Javier Romero", "+34600333444", book.beto, 2),
    }
    pks = {
        case: _borrower(app.uow_factory, bid, name, phone)
        for case, (bid, name, phone, _, _) in people.items()
    }
    with app.uow_factory() as uow:
        conn = uow.session.connection()
        for collector, name in ((book.ana, "Ana Ruiz"), (book.beto, "Beto Gil")):
            conn.execute(
                insert(w.collectors).values(
                    collector_id=collector,
                    full_name=name,
                    team="es-back",
                    languages="es",
                    stages="back_row",
                    capacity=40,
                    active=True,
                )
            )
        for case_id, (_bid, _name, phone, collector, rank) in people.items():
            pk = pks[case_id]
            conn.execute(
                insert(w.cases).values(
                    case_id=case_id,
                    borrower_id=pk,
                    open_borrower_id=pk,
                    state="active",
                    opened_on=dt.date(2026, 1, 20),
                    stage_id="back_row",
                    arm="champion",
                    collector_id=collector,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            conn.execute(
                insert(w.worklist_items).values(
                    business_date=DAY,
                    case_id=case_id,
                    collector_id=collector,
                    queue=QUEUE,
                    rank=rank,
                    expected_value=Decimal("720.0000"),
                    currency="EUR",
                    reasons="720.00 EUR = balance 1200.00 EUR x 0.60",
                    status="open",
                )
            )
            conn.execute(
                insert(w.planned_attempts).values(
                    attempt_id=f"A-{case_id}",
                    business_date=DAY,
                    case_id=case_id,
                    source="planned",
                    stage_id="back_row",
                    treatment_id="back_negotiate",
                    step_index=0,
                    channel="call",
                    target="mobile",
                    person_id=people[case_id][0],
                    address=phone,
                    purpose="debt",
                    talk_track=TRACK,
                    status="planned",
                )
            )
        uow.commit()
    users = (
        (book.ana, Role.COLLECTOR, "es", "Ana Ruiz"),
        (book.beto, Role.COLLECTOR, "en", "Beto Gil"),
        (book.lead, Role.TEAM_LEAD, "zh", "Li Wei"),
        (book.analyst, Role.ANALYST, "en", "Ann Alyst"),
    )
    for username, role, locale, display in users:
        create_user(
            app.uow_factory,
            username=username,
            password=PASSWORD,
            role=role,
            team="es-back" if role is Role.COLLECTOR else None,
            display_name=display,
            locale=locale,
            actor="test",
        )
    return book


__all__ = ["DAY", "PASSWORD", "QUEUE", "TRACK", "DeskBook", "seed_desk"]
