"""The store on SQLite and PostgreSQL: migrations, repositories, constraints, unit of work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, StatementError

from arrears.adapters.store import tables as t
from arrears.adapters.store.db import make_engine
from arrears.adapters.store.migrate import current, downgrade, head, upgrade
from arrears.adapters.store.repositories import (
    BucketHistoryRepository,
    SqlBucketHistoryRepository,
)
from arrears.domain.errors import Conflict, InvalidInput, NotFound
from arrears.domain.model import (
    Address,
    Borrower,
    Charge,
    Installment,
    Loan,
    PartyRole,
    Payment,
    Phone,
    PhoneKind,
    RelatedParty,
    Relation,
)
from arrears.domain.money import Money

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def a_borrower(external_id: str = "B-1") -> Borrower:
    return Borrower(
        external_id=external_id,
        full_name="Lucía Fernández",
        language="es-ES",
        country="ES",
        region="Madrid",
        occupation="nurse",
        employer="Hospital La Paz",
        phones=(
            Phone(PhoneKind.MOBILE, "+34612345678", "ES", ("Atlantic/Canary", "Europe/Madrid")),
            Phone(PhoneKind.WORK, "+34912345678", "ES", ("Europe/Madrid",)),
        ),
        emails=("lucia@example.es",),
        addresses=(Address("Calle Mayor 1", "Madrid", "28013", "Madrid", "ES", "Europe/Madrid"),),
    )


def a_loan(external_id: str = "L-1", borrower_id: str = "B-1") -> Loan:
    return Loan(
        external_id=external_id,
        borrower_id=borrower_id,
        currency="EUR",
        product="personal",
        principal=eur("1200.00"),
        disbursed_on=dt.date(2026, 1, 15),
        annual_interest_rate=Decimal("0.189"),
        installments=tuple(
            Installment(
                number=n,
                due_date=dt.date(2026, 1 + n, 15),
                principal=eur("400.00"),
                interest=eur("18.90"),
                fee=eur("1.50") if n == 1 else eur("0.00"),
            )
            for n in (1, 2, 3)
        ),
        payments=(Payment("P-1", dt.date(2026, 2, 14), eur("420.40")),),
        charges=(Charge("late-fee", "2026-03", 2, dt.date(2026, 3, 20), eur("15.00")),),
    )


def test_migrations_reach_head_and_match_the_tables(database_url, engine):
    assert current(database_url) == head() == "0006"
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), t.metadata
        )
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(database_url):
    downgrade(database_url, "base")
    assert current(database_url) is None
    upgrade(database_url)
    assert current(database_url) == "0006"


def test_borrower_round_trip(uow_factory):
    borrower = a_borrower()
    party = RelatedParty(
        external_id="R-1",
        borrower_id="B-1",
        role=PartyRole.GUARANTOR,
        relation=Relation.SPOUSE,
        full_name="Javier Ruiz",
        phones=(Phone(PhoneKind.MOBILE, "+34622334455", "ES", ("Europe/Madrid",)),),
        emails=("javier@example.es",),
        language="es",
        guarantee_enforceable=True,
    )
    with uow_factory() as uow:
        uow.borrowers.add(borrower, national_id="12345678Z", date_of_birth=dt.date(1980, 5, 1))
        uow.borrowers.add_related_party(party, country="ES")
        uow.commit()
    with uow_factory() as uow:
        assert uow.borrowers.get("B-1") == borrower
        assert uow.borrowers.related_parties("B-1") == (party,)
        with pytest.raises(NotFound):
            uow.borrowers.get("nobody")


def test_loan_round_trip_with_schedule_payments_and_charges(uow_factory, engine):
    loan = a_loan()
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(loan)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.loans.get("L-1")
        assert stored == loan
        assert str(stored.installments[0].principal) == "400.00 EUR"
        assert stored.annual_interest_rate == Decimal("0.189")
        assert uow.loans.for_borrower("B-1") == ("L-1",)
    with engine.connect() as connection:
        cumulative = connection.execute(
            select(t.installments.c.cum_due_before).order_by(t.installments.c.installment_no)
        ).scalars()
        assert list(cumulative) == [Decimal(0), Decimal("420.40"), Decimal("839.30")]


def test_a_charge_is_unique_per_rule_and_period_in_the_database(uow_factory, engine):
    charge = Charge("late-fee", "2026-03", 2, dt.date(2026, 3, 20), eur("15.00"))
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(a_loan())
        assert uow.loans.add_charges("L-1", [charge]) == 0  # already posted: skipped
        uow.commit()
    with engine.connect() as connection:
        loan_pk = connection.execute(select(t.loans.c.id)).scalar_one()
        with pytest.raises(IntegrityError):
            connection.execute(
                insert(t.charges),
                {
                    "loan_id": loan_pk,
                    "installment_no": 3,
                    "rule_id": "late-fee",
                    "period_key": "2026-03",
                    "charged_on": dt.date(2026, 3, 21),
                    "amount": Decimal("15.00"),
                    "currency": "EUR",
                    "created_at": NOW,
                },
            )
        connection.rollback()
        assert connection.execute(select(func.count()).select_from(t.charges)).scalar() == 1


def test_bucket_history_is_append_only(uow_factory, engine):
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(a_loan())
        uow.bucket_history.append("L-1", bucket="M1", dpd=5, added_on=dt.date(2026, 3, 20))
        assert uow.bucket_history.lift("L-1", lifted_on=dt.date(2026, 4, 19))
        uow.bucket_history.append("L-1", bucket="M2", dpd=35, added_on=dt.date(2026, 4, 19))
        uow.commit()
    with uow_factory() as uow:
        history = uow.bucket_history.history("L-1")
        assert [(h.bucket, h.lifted_on) for h in history] == [
            ("M1", dt.date(2026, 4, 19)),
            ("M2", None),
        ]
        current_tag = uow.bucket_history.current("L-1")
        assert current_tag is not None
        assert current_tag.bucket == "M2"
        with pytest.raises(Conflict):  # one open tag per loan
            uow.bucket_history.append("L-1", bucket="M3", dpd=61, added_on=dt.date(2026, 5, 19))

    # no delete path in the repository API ...
    for api in (BucketHistoryRepository, SqlBucketHistoryRepository):
        assert not [n for n in dir(api) if any(w in n for w in ("delete", "remove", "purge"))]
    # ... and the database refuses deletes and rewrites of history
    for statement in (
        "DELETE FROM bucket_history",
        "UPDATE bucket_history SET bucket = 'M0' WHERE lifted_on IS NOT NULL",
        "UPDATE bucket_history SET lifted_on = added_on WHERE lifted_on IS NOT NULL",
    ):
        with engine.connect() as connection, pytest.raises(DBAPIError):
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.bucket_history)).scalar() == 2


def test_audit_events_are_recorded_in_the_transaction_and_never_change(uow_factory, engine):
    with uow_factory() as uow:
        uow.audit.record(
            actor="ana",
            action="loan:payment:recorded",
            subject_type="loan",
            subject_id="L-1",
            before={"paid": Decimal("0.00")},
            after={"paid": Decimal("120.50"), "on": dt.date(2026, 3, 1)},
            request_id="req-1",
        )
        with pytest.raises(InvalidInput):
            uow.audit.record(actor="ana", action="paid", subject_type="loan", subject_id="L-1")
        uow.commit()
    with uow_factory() as uow:
        (event,) = uow.audit.for_subject("loan", "L-1")
        assert event.action == "loan:payment:recorded"
        assert event.after == {"paid": "120.50", "on": "2026-03-01"}
        assert event.before == {"paid": "0.00"}
        assert event.occurred_at.tzinfo is not None
    for statement in ("DELETE FROM audit_events", "UPDATE audit_events SET actor = 'eve'"):
        with engine.connect() as connection, pytest.raises(DBAPIError):
            connection.execute(text(statement))


def test_unit_of_work_rolls_back_unless_committed(uow_factory, engine):
    effects: list[str] = []
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower("B-1"))
        uow.after_commit(lambda: effects.append("sent"))

    def fail_half_way() -> None:
        with uow_factory() as uow:
            uow.borrowers.add(a_borrower("B-2"))
            uow.after_commit(lambda: effects.append("sent"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_half_way()
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower("B-3"))
        uow.after_commit(lambda: effects.append("sent"))
        uow.rollback()
    with engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0
    assert effects == []
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower("B-4"))
        uow.after_commit(lambda: effects.append("sent"))
        uow.commit()
    assert effects == ["sent"]


def test_loan_version_is_an_optimistic_lock(uow_factory):
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(a_loan())
        uow.commit()
    with uow_factory() as uow:
        assert uow.loans.version("L-1") == 1
        assert uow.loans.bump_version("L-1", expected=1) == 2
        uow.commit()
    with uow_factory() as uow, pytest.raises(Conflict):
        uow.loans.bump_version("L-1", expected=1)


def test_payments_are_idempotent_by_external_id(uow_factory):
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(a_loan())
        uow.loans.add_payment("L-1", Payment("P-1", dt.date(2026, 2, 14), eur("420.40")))
        with pytest.raises(Conflict):
            uow.loans.add_payment("L-1", Payment("P-1", dt.date(2026, 2, 14), eur("1.00")))
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.loans.get("L-1").payments) == 1


def test_instants_are_stored_in_utc_and_naive_ones_refused(engine):
    madrid = dt.timezone(dt.timedelta(hours=1))
    row = {
        "id": "b-1",
        "kind": "loans",
        "file_name": "loans.csv",
        "sha256": "0" * 64,
        "rows": 0,
        "inserted": 0,
        "updated": 0,
        "unchanged": 0,
        "actor": "test",
        "started_at": dt.datetime(2026, 3, 1, 10, 30, tzinfo=madrid),
        "finished_at": NOW,
    }
    with engine.begin() as connection:
        connection.execute(insert(t.import_batches), row)
        started = connection.execute(select(t.import_batches.c.started_at)).scalar_one()
        assert started == NOW
        assert started.utcoffset() == dt.timedelta(0)
        with pytest.raises(StatementError):
            connection.execute(
                insert(t.import_batches),
                {**row, "id": "b-2", "started_at": dt.datetime(2026, 3, 1)},
            )


def test_sqlite_connections_enforce_foreign_keys(tmp_path):
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with pytest.raises(IntegrityError):
            connection.execute(
                insert(t.loans),
                {
                    "external_id": "L-x",
                    "borrower_id": 999,
                    "product": "card",
                    "currency": "EUR",
                    "principal": Decimal(1),
                    "disbursed_on": dt.date(2026, 1, 1),
                    "created_at": NOW,
                    "updated_at": NOW,
                },
            )
    engine.dispose()


def test_money_is_stored_exactly_never_as_float(uow_factory, engine):
    big = Money(Decimal("12345678901.2345"), "EUR")
    loan = a_loan()
    tricky = Loan(
        external_id="L-exact",
        borrower_id="B-1",
        currency="EUR",
        principal=big,
        disbursed_on=dt.date(2026, 1, 15),
        installments=(Installment(1, dt.date(2026, 2, 1), big, eur("0.10"), eur("0.20")),),
        payments=(Payment("P-exact", dt.date(2026, 2, 1), eur("0.30")),),
    )
    with uow_factory() as uow:
        uow.borrowers.add(a_borrower())
        uow.loans.add(loan)
        uow.loans.add(tricky)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.loans.get("L-exact")
    assert stored.installments[0].principal.amount == Decimal("12345678901.2345")
    assert stored.payments[0].amount.amount == Decimal("0.30")
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            kinds = connection.execute(text("SELECT DISTINCT typeof(amount) FROM payments"))
            assert set(kinds.scalars()) == {"integer"}
        total = connection.execute(
            select(func.sum(t.installments.c.interest + t.installments.c.fee)).where(
                t.installments.c.loan_id
                == select(t.loans.c.id).where(t.loans.c.external_id == "L-exact").scalar_subquery()
            )
        ).scalar_one()
    assert total == Decimal("0.30")  # sums in SQL stay exact and typed on both databases
