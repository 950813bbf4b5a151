import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain.allocation import allocate
from arrears.domain.delinquency import (
    Bucket,
    BucketSet,
    DelinquencyPolicy,
    Pause,
    ageing_days,
    compute_delinquency,
    worst_dpd_by_borrower,
)
from arrears.domain.errors import InvalidBuckets, InvalidConfig
from arrears.domain.model import Component, Installment, Loan, Payment
from arrears.domain.money import Money
from strategies import as_of_dates, loans, pauses

D = dt.date


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


def loan(*payments: Payment, loan_id: str = "L1", borrower: str = "B1") -> Loan:
    return Loan(
        external_id=loan_id,
        borrower_id=borrower,
        currency="EUR",
        installments=(
            Installment(1, D(2026, 1, 10), eur("90"), eur("9"), eur("1")),
            Installment(2, D(2026, 2, 10), eur("90"), eur("9"), eur("1")),
            Installment(3, D(2026, 3, 10), eur("90"), eur("9"), eur("1")),
        ),
        payments=payments,
    )


def test_dpd_is_zero_on_the_due_date_and_one_the_day_after():
    assert compute_delinquency(loan(), D(2026, 1, 10)).dpd == 0
    status = compute_delinquency(loan(), D(2026, 1, 11))
    assert status.dpd == 1
    assert status.bucket == "M1"
    assert status.oldest_unpaid_due_date == D(2026, 1, 10)
    assert status.overdue_total == eur("100")
    assert status.overdue[Component.PRINCIPAL] == eur("90")


def test_dpd_counts_from_the_oldest_installment_not_fully_paid():
    partial = loan(Payment("P1", D(2026, 1, 10), eur("99.99")))
    status = compute_delinquency(partial, D(2026, 2, 15))
    assert status.dpd == 36  # from 10 January, not 10 February
    assert status.bucket == "M2"
    assert status.missed_installments == 2
    assert status.overdue_total == eur("100.01")
    assert status.last_payment_date == D(2026, 1, 10)


def test_payments_after_as_of_are_ignored():
    paid_later = loan(Payment("P1", D(2026, 1, 20), eur("100")))
    assert compute_delinquency(paid_later, D(2026, 1, 19)).dpd == 9
    assert compute_delinquency(paid_later, D(2026, 1, 20)).dpd == 0


def test_grace_days_move_the_start_of_ageing():
    policy = DelinquencyPolicy(grace_days=3)
    assert compute_delinquency(loan(), D(2026, 1, 13), policy).dpd == 0
    assert compute_delinquency(loan(), D(2026, 1, 14), policy).dpd == 1
    # overdue amounts are reported during grace even though the loan does not age yet
    assert compute_delinquency(loan(), D(2026, 1, 12), policy).overdue_total == eur("100")


def test_tolerance_ignores_small_shortfalls_but_not_large_ones():
    policy = DelinquencyPolicy(tolerance=Decimal(5))
    short = loan(Payment("P1", D(2026, 1, 10), eur("96")))
    assert compute_delinquency(short, D(2026, 2, 1), policy).dpd == 0
    # the next installment unpaid too: ageing counts from the installment that crossed the limit
    assert compute_delinquency(short, D(2026, 2, 20), policy).dpd == 10
    strict = DelinquencyPolicy(tolerance=Decimal("3.99"))
    assert compute_delinquency(short, D(2026, 2, 1), strict).dpd == 22


def test_tolerance_per_currency():
    policy = DelinquencyPolicy(tolerance_by_currency={"EUR": Decimal(200)})
    assert compute_delinquency(loan(), D(2026, 2, 20), policy).dpd == 0


def test_pause_stops_ageing_start_inclusive_end_exclusive():
    pause = Pause(D(2026, 1, 15), D(2026, 1, 20))
    dpds = [
        compute_delinquency(loan(), D(2026, 1, day), pauses=[pause]).dpd for day in range(13, 23)
    ]
    # 13, 14 age; 15..19 paused; 20 resumes
    assert dpds == [3, 4, 4, 4, 4, 4, 4, 5, 6, 7]


def test_ageing_days_merges_overlapping_pauses():
    overlapping = [Pause(D(2026, 1, 5), D(2026, 1, 10)), Pause(D(2026, 1, 8), D(2026, 1, 12))]
    assert ageing_days(D(2026, 1, 1), D(2026, 1, 31), overlapping) == 30 - 7


def test_default_buckets_and_validation():
    buckets = BucketSet.default()
    assert [buckets.classify(d).name for d in (0, 1, 30, 31, 180, 181, 5000)] == [
        "M0",
        "M1",
        "M1",
        "M2",
        "M6",
        "M7",
        "M7",
    ]
    with pytest.raises(InvalidBuckets, match="overlap"):
        BucketSet((Bucket("A", 0, 10), Bucket("B", 10, None)))
    with pytest.raises(InvalidBuckets, match="falls between"):
        BucketSet((Bucket("A", 0, 10), Bucket("B", 12, None)))
    with pytest.raises(InvalidBuckets, match="start at DPD 0"):
        BucketSet((Bucket("A", 1, 10), Bucket("B", 11, None)))
    with pytest.raises(InvalidBuckets, match="open-ended"):
        BucketSet((Bucket("A", 0, 10), Bucket("B", 11, 20)))
    with pytest.raises(InvalidBuckets, match="unique"):
        BucketSet((Bucket("A", 0, 10), Bucket("A", 11, None)))


def test_policy_rejects_negative_settings():
    with pytest.raises(InvalidConfig):
        DelinquencyPolicy(grace_days=-1)
    with pytest.raises(InvalidConfig):
        DelinquencyPolicy(tolerance=Decimal(-1))
    with pytest.raises(InvalidConfig):
        Pause(D(2026, 1, 2), D(2026, 1, 2))


def test_worst_dpd_per_borrower():
    statuses = [
        compute_delinquency(loan(loan_id="L1", borrower="B1"), D(2026, 1, 20)),
        compute_delinquency(
            loan(Payment("P", D(2026, 1, 10), eur("100")), loan_id="L2", borrower="B1"),
            D(2026, 1, 20),
        ),
        compute_delinquency(loan(loan_id="L3", borrower="B2"), D(2026, 1, 12)),
    ]
    assert worst_dpd_by_borrower(statuses) == {"B1": 10, "B2": 2}


@given(
    loan=loans(with_charges=True),
    as_of=as_of_dates,
    grace=st.integers(0, 10),
    tolerance=st.integers(0, 3000).map(lambda n: Decimal(n) / 100),
    paused=pauses(),
)
def test_dpd_is_zero_iff_nothing_past_due_is_unpaid_beyond_tolerance(
    loan, as_of, grace, tolerance, paused
):
    policy = DelinquencyPolicy(grace_days=grace, tolerance=tolerance)
    status = compute_delinquency(loan, as_of, policy, pauses=paused)
    positions = allocate(loan, as_of).positions
    unpaid_past_grace = sum(
        (
            p.outstanding_total.amount
            for p in positions
            if p.due_date + dt.timedelta(days=grace) < as_of
        ),
        Decimal(0),
    )
    if unpaid_past_grace <= tolerance:
        assert status.dpd == 0
    elif not paused:
        assert status.dpd > 0
    assert status.dpd >= 0
    assert status.bucket == policy.buckets.classify(status.dpd).name
    # never more than the days since the oldest unpaid due date
    if status.oldest_unpaid_due_date is not None:
        assert status.dpd <= (as_of - status.oldest_unpaid_due_date).days
    else:
        assert status.dpd == 0
