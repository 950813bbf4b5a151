"""The workflow's nightly steps on real databases: cases open and close with the book, the
strategy's assignment (stage, segment, arm) equals the domain's, due treatment steps become
planned attempts, promises are evaluated and broken ones followed up, reruns change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from arrears.adapters.store import workflow_tables as w
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.model import (
    Borrower,
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
from arrears.domain.workflow.stages import CasePosition, assign
from arrears.domain.workflow.vocab import DebtorType
from arrears.services.contacts import log_contact, record_promises
from arrears.services.cycle import run_cycle
from arrears.services.day_summary import day_summary

pytestmark = pytest.mark.integration
D = dt.date(2026, 6, 1)  # a Monday
STRATEGY = load_strategy()


def eur(value: str) -> Money:
    return Money(Decimal(value), "EUR")


def _loan(loan_id: str, borrower: str, *, paid: str | None, first_due: int = 10) -> Loan:
    installments = tuple(
        Installment(n, dt.date(2026, n, first_due), eur("100.00"), eur("10.00"), eur("0"))
        for n in range(1, 7)
    )
    payments = (Payment(f"P-{loan_id}", dt.date(2026, 1, 5), eur(paid)),) if paid else ()
    return Loan(
        loan_id,
        borrower,
        "EUR",
        installments,
        payments,
        (),
        principal=eur("600.00"),
        disbursed_on=dt.date(2025, 12, 10),
    )


def seed(uow_factory) -> None:
    """B0 pays everything up to June (current); B1 is ~1 month behind (M1); B2 ~3 months
    (M3); B3 is current and due tomorrow (pre-due notice)."""
    borrowers = [
        Borrower(
            f"B{i}",
            f"Borrower {i}",
            "es-ES",
            "ES",
            phones=(
                Phone(PhoneKind.HOME, f"+3491123456{i}", "ES", ("Europe/Madrid",)),
                Phone(PhoneKind.MOBILE, f"+3461234567{i}", "ES", ("Europe/Madrid",)),
            ),
            emails=(f"b{i}@example.com",),
        )
        for i in range(4)
    ]
    loans = [
        _loan("L0", "B0", paid="660.00"),
        _loan("L1", "B1", paid="440.00"),  # Jan-Apr paid, May 10 unpaid: 22 DPD
        _loan("L2", "B2", paid="220.00"),  # Mar 10 oldest unpaid: 83 DPD
        _loan("L3", "B3", paid="550.00", first_due=2),  # Jun 2 due tomorrow
    ]
    with uow_factory() as uow:
        for borrower in borrowers:
            uow.borrowers.add(borrower)
        uow.borrowers.add_related_party(
            RelatedParty(
                "R1",
                "B2",
                PartyRole.REFERENCE,
                Relation.FRIEND,
                "A Friend",
                phones=(Phone(PhoneKind.MOBILE, "+34612000111", "ES"),),
            )
        )
        for loan in loans:
            uow.loans.add(loan)
        uow.commit()


def cases(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r["case_id"]: dict(r) for r in conn.execute(select(w.cases)).mappings()}


def snapshot(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: sorted(
                tuple(str(v) for k, v in r.items() if k not in {"id", "updated_at", "version"})
                for r in conn.execute(select(table)).mappings()
            )
            for name, table in {
                "cases": w.cases,
                "assignments": w.case_assignments,
                "attempts": w.planned_attempts,
                "events": w.case_events,
                "promises": w.promises,
            }.items()
        }


def test_cases_follow_the_book_and_the_strategy(uow_factory, engine):
    seed(uow_factory)
    run_cycle(uow_factory, engine, business_date=D)
    opened = cases(engine)
    by_borrower = {c["case_id"].split("-")[1]: c for c in opened.values()}
    assert set(by_borrower) == {"B1", "B2", "B3"}  # B0 is current and not due tomorrow
    assert by_borrower["B1"]["stage_id"] == "front_row"
    assert by_borrower["B2"]["stage_id"] == "back_row"
    assert by_borrower["B3"]["stage_id"] == "payment_notice"
    for case in opened.values():
        assert case["state"] == "active"
        assert case["case_id"].endswith("-20260601")
        # the arm is the domain's deterministic assignment
        with engine.connect() as conn:
            row = (
                conn.execute(
                    select(w.case_assignments).where(
                        w.case_assignments.c.case_id == case["case_id"]
                    )
                )
                .mappings()
                .one()
            )
        position = CasePosition(
            dpd=row["dpd"],
            bucket={"front_row": "M1", "back_row": "M3", "payment_notice": "M0"}[row["stage_id"]],
            days_before_due=row["days_before_due"],
        )
        expected = assign(
            STRATEGY,
            case_id=case["case_id"],
            position=position,
            debtor_type=DebtorType.COOPERATIVE,
        )
        assert expected is not None
        assert (row["segment_id"], row["arm"], row["treatment_id"], row["point"]) == (
            expected.segment_id,
            expected.group,
            expected.treatment_id,
            expected.point,
        )
    # entry day: the treatment's day-0 steps are planned with the contact plan's numbers
    with engine.connect() as conn:
        attempts = conn.execute(select(w.planned_attempts)).mappings().all()
    assert attempts
    notice = [a for a in attempts if a["stage_id"] == "payment_notice"]
    assert notice
    assert {a["case_id"] for a in attempts} <= set(opened)
    for attempt in attempts:
        if attempt["channel"] == "call" and attempt["target"] == "borrower":
            assert attempt["address"].startswith("+34612")  # mobile first, then home
        if attempt["target"] == "reference":
            assert attempt["purpose"] == "location_only"
    # the next day B3 pays, B1 cures: their cases close; a rerun changes nothing
    with uow_factory() as uow:
        uow.loans.add_payment("L1", Payment("P-L1-cure", dt.date(2026, 6, 2), eur("110.00")))
        uow.loans.add_payment("L3", Payment("P-L3-pay", dt.date(2026, 6, 2), eur("110.00")))
        uow.commit()
    day2 = D + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=day2)
    after = {c["case_id"].split("-")[1]: c for c in cases(engine).values()}
    assert after["B1"]["state"] == "closed"
    assert after["B1"]["closure"] == "cured"
    assert after["B3"]["state"] == "closed"
    assert after["B3"]["closure"] == "paid"
    assert after["B2"]["state"] == "active"
    before = snapshot(engine)
    run_cycle(uow_factory, engine, business_date=day2)
    assert snapshot(engine) == before


def test_promises_are_evaluated_and_broken_ones_followed_up(uow_factory, engine):
    seed(uow_factory)
    day1 = D + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=D)
    run_cycle(uow_factory, engine, business_date=day1)  # back row: the first call is on day 1
    case_id = next(c for c in cases(engine) if "-B2-" in c)
    with engine.connect() as conn:
        attempt = conn.execute(
            select(w.planned_attempts.c.attempt_id, w.planned_attempts.c.address).where(
                w.planned_attempts.c.case_id == case_id,
                w.planned_attempts.c.channel == "call",
                w.planned_attempts.c.business_date == day1,
            )
        ).first()
    assert attempt is not None
    logged = log_contact(
        uow_factory,
        case_id=case_id,
        at=dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC),
        channel="call",
        direction="outbound",
        address=attempt.address,
        party="mobile",
        party_id="B2",
        purpose="debt",
        outcomes=["right_party_contact", "promise"],
        collector_id="ana",
        attempt_id=attempt.attempt_id,
        talk_track="back.negotiate_plan",
    )
    assert logged.flag is None
    # "part now, the rest in three days" (seed 000): two promises in one set
    record_promises(
        uow_factory,
        case_id=case_id,
        made_on=day1,
        items=[(day1, eur("50.00")), (day1 + dt.timedelta(days=3), eur("100.00"))],
        policy=STRATEGY.promises,
        made_by="ana",
        contact_record_id=logged.record_id,
    )
    with uow_factory() as uow:
        uow.loans.add_payment("L2", Payment("P-L2-part", day1, eur("50.00")))
        uow.commit()
    # a pending promise holds the treatment: no new attempts for the case meanwhile
    day2 = day1 + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=day2)
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(w.promises.c.promise_id, w.promises.c.status)).all())
        planned_day2 = conn.execute(
            select(w.planned_attempts.c.attempt_id).where(
                w.planned_attempts.c.case_id == case_id,
                w.planned_attempts.c.business_date == day2,
            )
        ).all()
    assert sorted(statuses.values()) == ["kept", "pending"]
    assert planned_day2 == []
    # nothing more is paid: the second promise is due Fri Jun 5, deadline Sat Jun 6 (1 grace
    # day); decided at the close of Jun 7, followed up on the next working day, Mon Jun 8
    for offset in range(3, 7):
        run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=offset))
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(w.promises.c.promise_id, w.promises.c.status)).all())
    assert sorted(statuses.values()) == ["broken", "kept"]
    case = cases(engine)[case_id]
    assert case["follow_up_on"] == dt.date(2026, 6, 8)


def test_a_call_without_a_planned_attempt_is_flagged_and_a_threat_refers_at_once(
    uow_factory, engine
):
    seed(uow_factory)
    run_cycle(uow_factory, engine, business_date=D)
    case_id = next(c for c in cases(engine) if "-B1-" in c)
    logged = log_contact(
        uow_factory,
        case_id=case_id,
        at=dt.datetime(2026, 6, 1, 11, 0, tzinfo=dt.UTC),
        channel="call",
        direction="outbound",
        address="+34612345671",
        party="mobile",
        party_id="B1",
        purpose="debt",
        outcomes=["right_party_contact", "threat"],
        collector_id="ana",
        notes="if you call again I won't pay",
    )
    assert logged.flag == "unplanned"
    assert logged.referred
    case = cases(engine)[case_id]
    assert case["referral"]["trigger"] == "threat"
    # a referral pauses automated contact: no planned attempts the next day
    run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=2))
    with engine.connect() as conn:
        later = conn.execute(
            select(w.planned_attempts.c.attempt_id).where(
                w.planned_attempts.c.case_id == case_id,
                w.planned_attempts.c.business_date == D + dt.timedelta(days=2),
            )
        ).all()
    assert later == []


def test_the_day_summary_counts_what_the_cycle_prepared(uow_factory, engine):
    seed(uow_factory)
    run_cycle(uow_factory, engine, business_date=D)
    summary = day_summary(engine, STRATEGY, D)
    rows = {row.stage_id: row for row in summary.stages}
    assert [row.stage_id for row in summary.stages][:5] == [s.stage_id for s in STRATEGY.stages]
    assert {k: v.open_cases for k, v in rows.items() if v.open_cases} == {
        "payment_notice": 1,
        "front_row": 1,
        "back_row": 1,
    }
    assert sum(r.opened for r in rows.values()) == 3
    with engine.connect() as conn:
        planned = conn.execute(select(w.planned_attempts.c.channel)).scalars().all()
    assert sum(sum(r.attempts.values()) for r in rows.values()) == len(planned)
    assert summary.closed == {}
