"""One loan walked day by day: due, partial payment, pause, resume and cure."""

import datetime as dt
import itertools
from decimal import Decimal

from arrears.domain.delinquency import DelinquencyPolicy, Pause, compute_delinquency
from arrears.domain.model import Installment, Loan, Payment
from arrears.domain.money import Money

D = dt.date


def eur(value: str) -> Money:
    return Money.of(value, "EUR")


INSTALLMENTS = (
    Installment(1, D(2026, 3, 1), eur("100"), eur("10"), eur("0")),
    Installment(2, D(2026, 4, 1), eur("100"), eur("10"), eur("0")),
    Installment(3, D(2026, 5, 1), eur("100"), eur("10"), eur("0")),
)
PAYMENTS = (
    Payment("P1", D(2026, 3, 5), eur("60")),  # partial, four days late
    Payment("P2", D(2026, 4, 20), eur("50")),  # clears installment 1 on day 50
    Payment("P3", D(2026, 5, 12), eur("220")),  # cures the loan
)
# hardship: delinquency paused 5 to 15 April (breathing space); ageing frozen
PAUSE = Pause(D(2026, 4, 5), D(2026, 4, 15))


def walk(start: dt.date, end: dt.date) -> dict[dt.date, tuple[int, str]]:
    loan = Loan("L1", "B1", "EUR", INSTALLMENTS, PAYMENTS)
    policy = DelinquencyPolicy()
    days = {}
    day = start
    while day <= end:
        status = compute_delinquency(loan, day, policy, pauses=[PAUSE])
        days[day] = (status.dpd, status.bucket)
        day += dt.timedelta(days=1)
    return days


def test_walk_through_due_partial_pause_resume_and_cure():
    days = walk(D(2026, 2, 27), D(2026, 5, 15))
    expected = {
        D(2026, 2, 28): (0, "M0"),  # before the first due date
        D(2026, 3, 1): (0, "M0"),  # due today: not overdue
        D(2026, 3, 2): (1, "M1"),
        D(2026, 3, 5): (4, "M1"),  # partial payment does not clear installment 1
        D(2026, 3, 31): (30, "M1"),
        D(2026, 4, 1): (31, "M2"),  # crosses into M2
        D(2026, 4, 4): (34, "M2"),
        D(2026, 4, 5): (34, "M2"),  # pause starts: frozen (start inclusive)
        D(2026, 4, 14): (34, "M2"),  # last paused day
        D(2026, 4, 15): (35, "M2"),  # resumes (end exclusive)
        D(2026, 4, 19): (39, "M2"),
        # installment 1 cleared: ageing now counts from installment 2 (1 April), less 10 paused
        D(2026, 4, 20): (9, "M1"),
        D(2026, 5, 1): (20, "M1"),
        D(2026, 5, 2): (21, "M1"),
        D(2026, 5, 11): (30, "M1"),
        D(2026, 5, 12): (0, "M0"),  # cured
        D(2026, 5, 15): (0, "M0"),
    }
    for day, value in expected.items():
        assert days[day] == value, day
    # between the named days DPD moves by at most one a day unless a payment lands
    payment_days = {p.paid_on for p in PAYMENTS}
    ordered = sorted(days)
    for before, after in itertools.pairwise(ordered):
        if after not in payment_days:
            assert days[after][0] - days[before][0] in (0, 1), after


def test_grace_and_tolerance_in_the_same_walk():
    loan = Loan("L1", "B1", "EUR", INSTALLMENTS, (Payment("P1", D(2026, 3, 1), eur("108")),))
    policy = DelinquencyPolicy(grace_days=5, tolerance=Decimal("2.00"))
    assert compute_delinquency(loan, D(2026, 3, 20), policy).dpd == 0  # 2.00 short: tolerated
    assert compute_delinquency(loan, D(2026, 4, 6), policy).dpd == 0  # installment 2 in grace
    # then installment 2 (1 April + 5 days grace) starts ageing, not installment 1
    assert compute_delinquency(loan, D(2026, 4, 7), policy).dpd == 1
