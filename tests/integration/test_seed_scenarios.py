"""One scenario per situation in the collectors' handbooks (../shared/seeds), end to end:
import files → nightly cycle → the collector's contact log and actions → payments → the next
days' cycles, asserting the case's state, its promises and what is planned or queued next.

Seed references: 000 (Spanish talk tracks, four situations, three stops), 001 (Spanish overdue
control: payment notice, tracking, four debtor types), 002 (Chinese collection tips: reasons,
threats, third parties), 003 (English: front/back row, three-day promises), 004 (Chinese phone
collection: number order, no false records).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from arrears.adapters.store import workflow_tables as w
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.money import Money
from arrears.services.arrangements import approve_arrangement, propose_arrangement
from arrears.services.cases import resolve_supervisor_referral, transition_case
from arrears.services.contacts import log_contact, record_promises, report_dialer_attempt
from arrears.services.cycle import run_cycle
from arrears.services.ingest import import_file
from arrears.services.worklists import CollectorSpec, claim_next, save_collectors

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration
STRATEGY = load_strategy()
D = dt.date(2026, 6, 15)  # a Monday; installments fall due on the 10th: B1 is 5 days past due
KINDS = ("borrowers", "related-parties", "loans", "installments", "payments")


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def ingest(uow_factory, folder: Path, *, paid_installments: int = 4, guarantor: bool = False):
    """One borrower (B1, es-ES) with a 12-month loan of 100 + 10 a month from January, a
    reference, optionally an enforceable guarantor; `paid_installments` paid on time."""
    files = {
        "borrowers": [
            {
                "borrower_id": "B1",
                "full_name": "Lucía Martín Gómez",
                "language": "es-ES",
                "country": "ES",
                "mobile_phone": "+34612345001",
                "home_phone": "+34911234001",
                "email": "lucia@example.com",
                "address_line": "Calle Mayor 1",
                "city": "Madrid",
                "postal_code": "28013",
                "time_zone": "Europe/Madrid",
            }
        ],
        "related-parties": [
            {
                "party_id": "R1",
                "borrower_id": "B1",
                "role": "reference",
                "relation": "sibling",
                "full_name": "Pablo Martín Gómez",
                "phone": "+34612345002",
                "guarantee_enforceable": "",
            },
            *(
                [
                    {
                        "party_id": "G1",
                        "borrower_id": "B1",
                        "role": "guarantor",
                        "relation": "parent",
                        "full_name": "Carmen Gómez Ruiz",
                        "phone": "+34612345003",
                        "guarantee_enforceable": "true",
                    }
                ]
                if guarantor
                else []
            ),
        ],
        "loans": [
            {
                "loan_id": "L1",
                "borrower_id": "B1",
                "product": "personal",
                "currency": "EUR",
                "principal": "1200.00",
                "disbursed_on": "2025-12-10",
            }
        ],
        "installments": [
            {
                "loan_id": "L1",
                "installment_no": n,
                "due_date": dt.date(2026, n, 10).isoformat(),
                "principal": "100.00",
                "interest": "10.00",
                "fee": "0.00",
            }
            for n in range(1, 13)
        ],
        "payments": [
            {
                "payment_id": f"P{n}",
                "loan_id": "L1",
                "paid_on": dt.date(2026, n, 9).isoformat(),
                "amount": "110.00",
                "currency": "EUR",
                "channel": "debit",
            }
            for n in range(1, paid_installments + 1)
        ],
    }
    save_collectors(
        uow_factory,
        [
            CollectorSpec(collector_id="ana", full_name="Ana Ruiz", languages=("es",), capacity=30),
            CollectorSpec(
                collector_id="wei", full_name="Wei Zhang", languages=("zh",), capacity=30
            ),
        ],
        actor="test",
    )
    for kind in KINDS:
        if files[kind]:
            import_file(
                uow_factory,
                kind=kind,
                path=_write(folder / f"{kind}.csv", files[kind]),
                actor="test",
            )


def pay(uow_factory, folder: Path, payment_id: str, day: dt.date, amount: str) -> None:
    import_file(
        uow_factory,
        kind="payments",
        path=_write(
            folder / f"pay-{payment_id}.csv",
            [
                {
                    "payment_id": payment_id,
                    "loan_id": "L1",
                    "paid_on": day.isoformat(),
                    "amount": amount,
                    "currency": "EUR",
                    "channel": "transfer",
                }
            ],
        ),
        actor="test",
    )


def work_item(engine, case_id: str, day: dt.date) -> dict | None:
    with engine.connect() as conn:
        row = (
            conn.execute(
                select(w.worklist_items).where(
                    w.worklist_items.c.case_id == case_id,
                    w.worklist_items.c.business_date == day,
                )
            )
            .mappings()
            .first()
        )
    return None if row is None else dict(row)


def the_case(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(select(w.cases).order_by(w.cases.c.opened_on)).mappings().all()
    assert rows, "the cycle opened no case"
    return dict(rows[-1])


def attempts(engine, case_id: str, day: dt.date) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(w.planned_attempts).where(
                    w.planned_attempts.c.case_id == case_id,
                    w.planned_attempts.c.business_date == day,
                )
            ).mappings()
        ]


def promises(engine, case_id: str) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                select(w.promises)
                .where(w.promises.c.case_id == case_id)
                .order_by(w.promises.c.due_on)
            ).mappings()
        ]


def _log(uow_factory, case_id: str, when: dt.datetime, attempt: dict | None, **fields):
    return log_contact(
        uow_factory,
        case_id=case_id,
        at=when,
        channel="call",
        direction="outbound",
        party_id="B1",
        purpose="debt",
        collector_id="ana",
        attempt_id=None if attempt is None else attempt["attempt_id"],
        **fields,
    )


def test_will_pay_when_i_have_money_part_now_rest_within_three_days(uow_factory, engine, tmp_path):
    """Seed 000 situation 4 / seed 003: a partial payment now and the rest within the promise
    horizon; the part paid keeps its promise, the unpaid rest breaks after its grace day and the
    case is followed up on the next working day."""
    ingest(uow_factory, tmp_path)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    assert case["stage_id"] == "front_row"
    planned = attempts(engine, case["case_id"], D)
    first_call = next(a for a in planned if a["channel"] == "call")
    record = _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 9, 30, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "promise"],
        talk_track="front.service_reminder",
        notes="pays 40 today and the rest on Thursday",
    ).record_id
    record_promises(
        uow_factory,
        case_id=case["case_id"],
        made_on=D,
        items=[(D, Money(Decimal("40.00"), "EUR")), (D + dt.timedelta(days=3), eur("70.00"))],
        policy=STRATEGY.promises,
        made_by="ana",
        contact_record_id=record,
    )
    pay(uow_factory, tmp_path, "P-part", D, "40.00")
    day2 = D + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=day2)
    kept, rest = promises(engine, case["case_id"])
    assert (kept["status"], rest["status"]) == ("kept", "pending")
    assert attempts(engine, case["case_id"], day2) == []  # no chasing while a promise runs
    # Thursday passes, then Friday's grace day, with no payment: broken on Friday's close
    for offset in (2, 3, 4):
        run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=offset))
    kept, rest = promises(engine, case["case_id"])
    assert rest["status"] == "broken"
    assert rest["credited"] == Decimal("0.0000")
    assert the_case(engine)["follow_up_on"] == dt.date(2026, 6, 22)  # the next Monday
    # Monday: the case is on Ana's list (Spanish speaker, continuity), ranked up for the
    # broken promise, and she gets it when she claims her next case
    monday = dt.date(2026, 6, 22)
    for offset in (5, 6, 7):
        run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=offset))
    item = work_item(engine, case["case_id"], monday)
    assert item is not None
    assert item["collector_id"] == "ana"
    assert "broken_promise" in item["reasons"]
    claimed = claim_next(uow_factory, collector_id="ana", business_date=monday)
    assert claimed is not None
    assert claimed.case_id == case["case_id"]


def test_forgot_to_pay_then_pays_and_the_case_closes_cured(uow_factory, engine, tmp_path):
    """Seed 001, cooperative debtor who forgot: reminded, promises for tomorrow, pays in full;
    the next cycle closes the case as cured."""
    ingest(uow_factory, tmp_path, paid_installments=5)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    assert work_item(engine, case["case_id"], D)["collector_id"] == "ana"  # language match
    planned = attempts(engine, case["case_id"], D)
    first_call = next(a for a in planned if a["channel"] == "call")
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "promise"],
    )
    record_promises(
        uow_factory,
        case_id=case["case_id"],
        made_on=D,
        items=[(D + dt.timedelta(days=1), eur("110.00"))],
        policy=STRATEGY.promises,
        made_by="ana",
    )
    pay(uow_factory, tmp_path, "P-full", D + dt.timedelta(days=1), "110.00")
    run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=1))
    closed = the_case(engine)
    assert (closed["state"], closed["closure"]) == ("closed", "cured")
    assert work_item(engine, case["case_id"], D + dt.timedelta(days=1)) is None
    assert [p["status"] for p in promises(engine, case["case_id"])] == ["kept"]


def test_if_you_call_again_i_wont_pay_goes_to_a_supervisor_at_once(uow_factory, engine, tmp_path):
    """Seed 002 item 14: a debtor's threat is reported upwards at once; automated contact
    pauses until a supervisor resolves it, then the treatment resumes."""
    ingest(uow_factory, tmp_path)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    first_call = next(a for a in attempts(engine, case["case_id"], D) if a["channel"] == "call")
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 11, 0, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "threat"],
        notes="si me vuelven a llamar no pago",
    )
    referred = the_case(engine)
    assert referred["referral"]["trigger"] == "threat"
    day2 = D + dt.timedelta(days=2)  # front row calls every other day
    run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=1))
    run_cycle(uow_factory, engine, business_date=day2)
    assert attempts(engine, case["case_id"], day2) == []
    assert work_item(engine, case["case_id"], day2) is None  # the supervisor has it
    resolve_supervisor_referral(
        uow_factory,
        case["case_id"],
        resolution="called back by the team lead; agreed to talk on Thursday",
        actor_id="lead",
        actor_role="supervisor",
    )
    # the threat also made the debtor "able but unwilling" (seed 001's third type) the night
    # after; once the supervisor is done, the firm-but-accurate treatment runs (every 2 days
    # from its day 0, the day of the reclassification)
    day3 = D + dt.timedelta(days=3)
    run_cycle(uow_factory, engine, business_date=day3)
    after = the_case(engine)
    assert (after["debtor_type"], after["treatment_id"]) == ("able_unwilling", "front_firm")
    calls = [a for a in attempts(engine, case["case_id"], day3) if a["channel"] == "call"]
    assert [a["talk_track"] for a in calls] == ["front.firm_accurate_consequences"]
    assert work_item(engine, case["case_id"], day3) is not None


def test_a_dispute_puts_the_case_on_hold_and_nothing_is_planned(uow_factory, engine, tmp_path):
    """Seed 002 (product dissatisfaction): a dispute is answered before collecting; the case
    goes on hold and the strategy plans no contact until the hold is lifted."""
    ingest(uow_factory, tmp_path)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    first_call = next(a for a in attempts(engine, case["case_id"], D) if a["channel"] == "call")
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "dispute"],
        notes="says the insurance in the loan was never explained",
    )
    transition_case(
        uow_factory,
        case["case_id"],
        "on_hold",
        reason="dispute",
        actor_id="ana",
        actor_role="collector",
        note="dispute sent to customer care",
    )
    day2 = D + dt.timedelta(days=2)
    run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=1))
    run_cycle(uow_factory, engine, business_date=day2)
    held = the_case(engine)
    assert held["state"] == "on_hold"
    assert attempts(engine, case["case_id"], day2) == []
    assert work_item(engine, case["case_id"], day2) is None


def eur(value: str) -> Money:
    return Money(Decimal(value), "EUR")


def test_lost_my_job_leads_to_a_plan_and_a_broken_plan_returns_the_case(
    uow_factory, engine, tmp_path
):
    """Seed 002 / 000 (willing but unable): hardship leads to a payment plan within the stage's
    limits — a three-instalment plan needs a supervisor — never to pressure to borrow. While the
    plan runs nothing is planned; a missed instalment breaks it after its grace days and the case
    returns to its stage's treatment."""
    ingest(uow_factory, tmp_path, paid_installments=4)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    assert case["stage_id"] == "front_row"
    first_call = next(a for a in attempts(engine, case["case_id"], D) if a["channel"] == "call")
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "hardship"],
        talk_track="front.hardship_options",
        notes="lost her job in May; can pay a part each month",
    )
    proposed = propose_arrangement(
        uow_factory,
        case["case_id"],
        kind="plan",
        as_of=D,
        first_due=D + dt.timedelta(days=7),
        instalments=3,
        frequency="monthly",
        actor_id="ana",
        actor_role="collector",
        strategy=STRATEGY,
    )
    assert proposed.status == "pending_approval"
    assert proposed.required_role == "supervisor"
    assert the_case(engine)["state"] == "active"  # nothing agreed until approved
    approve_arrangement(
        uow_factory,
        proposed.arrangement.arrangement_id,
        actor_id="lead",
        actor_role="supervisor",
        strategy=STRATEGY,
    )
    assert the_case(engine)["state"] == "arrangement"
    day2 = D + dt.timedelta(days=2)
    run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=1))
    run_cycle(uow_factory, engine, business_date=day2)
    assert attempts(engine, case["case_id"], day2) == []
    # the first instalment (Jun 22) is not paid: broken after 3 grace days (Jun 25's close)
    for offset in range(3, 11):
        run_cycle(uow_factory, engine, business_date=D + dt.timedelta(days=offset))
    back = the_case(engine)
    assert back["state"] == "active"
    with engine.connect() as conn:
        status = conn.execute(
            select(w.arrangements.c.status).where(
                w.arrangements.c.arrangement_id == proposed.arrangement.arrangement_id
            )
        ).scalar_one()
    assert status == "broken"


def test_no_money_this_month_makes_the_debtor_willing_but_unable(uow_factory, engine, tmp_path):
    """Seed 000 situation 1 / seed 001 (willing but unable): the debtor says there is no money
    this month; the next night's classification reads the hardship from the log, the case moves
    to the hardship segment and its treatment starts from its first step."""
    ingest(uow_factory, tmp_path, paid_installments=5)
    run_cycle(uow_factory, engine, business_date=D)
    case = the_case(engine)
    assert (case["segment_id"], case["debtor_type"]) == ("cooperative", "cooperative")
    first_call = next(a for a in attempts(engine, case["case_id"], D) if a["channel"] == "call")
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC),
        first_call,
        address=first_call["address"],
        party="mobile",
        outcomes=["right_party_contact", "hardship"],
        notes="no hay dinero este mes; cobra a fin de mes",
    )
    day2 = D + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=day2)
    moved = the_case(engine)
    assert moved["debtor_type"] == "willing_unable"
    assert (moved["segment_id"], moved["treatment_id"]) == ("willing_unable", "front_hardship")
    assert moved["stage_entered_on"] == day2  # the hardship treatment starts at its day 0
    planned = attempts(engine, case["case_id"], day2)
    assert [a["talk_track"] for a in planned if a["channel"] == "call"] == [
        "front.hardship_options"
    ]
    with engine.connect() as conn:
        reasons = (
            conn.execute(
                select(w.case_events.c.reason).where(
                    w.case_events.c.case_id == case["case_id"], w.case_events.c.kind == "classified"
                )
            )
            .scalars()
            .all()
        )
    assert reasons == ["willing_unable.hardship_recorded"]


def test_lost_contact_turns_to_the_guarantor_and_references_for_location_only(
    uow_factory, engine, tmp_path
):
    """Seeds 001 / 003 / 004 (lost contact): every number of the debtor is wrong or out of
    service; the case is classified lost contact, the enforceable guarantor is called to honour
    the guarantee and the reference is called for the debtor's whereabouts only."""
    ingest(uow_factory, tmp_path, paid_installments=2, guarantor=True)  # 97 DPD: back row
    run_cycle(uow_factory, engine, business_date=D)
    day1 = D + dt.timedelta(days=1)
    run_cycle(uow_factory, engine, business_date=day1)
    case = the_case(engine)
    assert case["stage_id"] == "back_row"
    call = next(a for a in attempts(engine, case["case_id"], day1) if a["channel"] == "call")
    assert call["address"] == "+34612345001"  # the mobile first (seed 004's order)
    _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 16, 9, 0, tzinfo=dt.UTC),
        call,
        address="+34612345001",
        party="mobile",
        outcomes=["wrong_number"],
    )
    # the dialer moved on to the home number on its own: it reports that attempt
    report_dialer_attempt(
        uow_factory,
        attempt_id="dialer-1",
        case_id=case["case_id"],
        business_date=day1,
        channel="call",
        address="+34911234001",
    )
    logged = _log(
        uow_factory,
        case["case_id"],
        dt.datetime(2026, 6, 16, 9, 5, tzinfo=dt.UTC),
        {"attempt_id": "dialer-1"},
        address="+34911234001",
        party="home",
        outcomes=["not_in_service"],
    )
    assert logged.flag is None  # a dialer-reported attempt is not a free-floating record
    day2 = D + dt.timedelta(days=2)
    run_cycle(uow_factory, engine, business_date=day2)
    traced = the_case(engine)
    assert traced["debtor_type"] == "lost_contact"
    assert traced["treatment_id"] == "back_trace"
    planned = attempts(engine, case["case_id"], day2)
    assert {(a["target"], a["purpose"], a["address"]) for a in planned} == {
        ("guarantor", "guarantee", "+34612345003")
    }
    # day 1 of the trace treatment: the reference, for the whereabouts only
    day3 = D + dt.timedelta(days=3)
    run_cycle(uow_factory, engine, business_date=day3)
    planned = attempts(engine, case["case_id"], day3)
    assert {(a["target"], a["purpose"]) for a in planned} == {("reference", "location_only")}
    assert all(a["talk_track"] == "trace.location_only" for a in planned)
