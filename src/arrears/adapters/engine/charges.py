"""Late fees and penalty interest for a whole book, in SQL: the rules of `arrears.domain.charges`.

Inputs are relations of an `SqlEngine` (DuckDB, or Spark through `dialects.transpile`):

- loans(loan_id, currency)
- installments(loan_id, installment_no, due_date, principal, interest, fee)
- payments(loan_id, paid_on, amount)
- charges(loan_id, installment_no, rule_id, period_key, charged_on, amount)   -- already posted
- pauses(loan_id, start_date, end_date)                                       -- merged per loan

`accrue_charges` assesses the charges that fall due in a window of business dates (the days
since the previous cycle, up to and including this one) and are not posted yet: an anti-join on
(loan, rule, period key), so a rerun or a resume finds nothing new. The domain posts a loan's
charges one after the other, each seeing the ones before it (a charge is owed first and changes
what later payments cover); the engine does the same in *waves*: wave k assesses every loan's
k-th candidate, in the domain's order (date, fees before penalty interest, installment, rule),
with the charges of waves 1..k-1 included. Each wave is one set-based query over the loans that
have a k-th candidate; a daily run needs one wave for most loans.

Money stays DECIMAL. Amounts are rounded half-even to the currency's minor units without
division: penalty interest (accrued x rate / 365) takes a floor quotient estimated in DOUBLE
and corrected exactly in DECIMAL, then the remainder decides the rounding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import pyarrow as pa

from arrears.adapters.engine.delinquency import (
    MONEY,
    positions_component_first,
    positions_installment_first,
)
from arrears.domain.allocation import AllocationMode
from arrears.domain.charges import FeeBasis
from arrears.domain.errors import InvalidConfig
from arrears.domain.money import minor_units

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arrears.adapters.engine.base import SqlEngine
    from arrears.domain.charges import ChargePolicy
    from arrears.domain.delinquency import DelinquencyPolicy

ONE_DAY = dt.timedelta(days=1)
RATE = "DECIMAL(18, 12)"
NEW_CHARGE_COLUMNS = (
    "loan_id",
    "installment_no",
    "rule_id",
    "period_key",
    "charged_on",
    "amount",
)
# engine tables this module creates (prefixed, so they never clash with a step's own)
CANDIDATES, NEW, CURRENCIES = "chg_candidates", "chg_new", "chg_currencies"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _day(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _decimal(value: Decimal, sql_type: str = RATE) -> str:
    if value.as_tuple().exponent < -12:  # type: ignore[operator]
        raise InvalidConfig(f"{value} has more than 12 decimal places")
    return f"CAST('{value:f}' AS {sql_type})"


def _selects(rows: Iterable[str], empty: str) -> str:
    """UNION ALL of one-row SELECTs (both engines read it; VALUES lists differ)."""
    items = list(rows)
    return "\n        UNION ALL ".join(items) if items else empty


def month_ends(since: dt.date, until: dt.date) -> list[dt.date]:
    """The last days of months in (since, until]."""
    out: list[dt.date] = []
    day = since + ONE_DAY
    while day <= until:
        first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = first_next - ONE_DAY
        if end <= until:
            out.append(end)
        day = first_next
    return out


@dataclass(frozen=True, slots=True)
class ChargeWindow:
    """Charges whose posting date is in (since, until]: one cycle's days."""

    since: dt.date
    until: dt.date


def currencies_table(codes: Iterable[str]) -> pa.Table:
    """currency -> 10^minor units and one minor unit, for rounding in SQL."""
    codes = sorted(set(codes))
    digits = [minor_units(code) for code in codes]
    return pa.table(
        {
            "currency": pa.array(codes, pa.string()),
            "pow10": pa.array([10**d for d in digits], pa.int64()),
            "unit": pa.array([Decimal(1).scaleb(-d) for d in digits], pa.decimal128(38, 4)),
        }
    )


def candidates_sql(charges: ChargePolicy, window: ChargeWindow) -> str:
    """Every (loan, rule, period) that falls due in the window and is not posted yet, with its
    wave: its place in the loan's posting order."""
    until = _day(window.until)
    since = _day(window.since)
    fee_rules = _selects(
        (
            f"SELECT {_lit(r.rule_id)} AS rule_id, {int(r.days_after_due)} AS days"
            for r in charges.late_fees
        ),
        "SELECT CAST(NULL AS VARCHAR) AS rule_id, 0 AS days WHERE FALSE",
    )
    penalty_rules = _selects(
        (f"SELECT {_lit(r.rule_id)} AS rule_id" for r in charges.penalty_interest),
        "SELECT CAST(NULL AS VARCHAR) AS rule_id WHERE FALSE",
    )
    ends = _selects(
        (
            f"SELECT {_day(end)} AS month_end, {_day(end.replace(day=1))} AS month_start, "
            f"'{end:%Y-%m}' AS month_key"
            for end in month_ends(window.since, window.until)
        ),
        "SELECT CAST(NULL AS DATE) AS month_end, CAST(NULL AS DATE) AS month_start, "
        "CAST(NULL AS VARCHAR) AS month_key WHERE FALSE",
    )
    return f"""
    WITH
    fee_rules AS ({fee_rules}),
    penalty_rules AS ({penalty_rules}),
    month_ends AS ({ends}),
    due_inst AS (
        SELECT i.loan_id, l.currency, CAST(i.installment_no AS BIGINT) AS installment_no,
               i.due_date
        FROM installments i JOIN loans l ON l.loan_id = i.loan_id
        WHERE i.due_date < {until}
    ),
    fee_raw AS (
        SELECT d.loan_id, d.currency, d.installment_no, d.due_date, r.rule_id, r.days
        FROM due_inst d CROSS JOIN fee_rules r
        WHERE d.due_date + r.days <= {until}
          -- a fee falls due `days` ageing days after the due date, later only if paused: so
          -- without a pause it is in the window only if due_date + days is
          AND (d.due_date + r.days > {since}
               OR d.loan_id IN (SELECT loan_id FROM pauses))
    ),
    fee_pauses AS (
        SELECT f.loan_id, f.installment_no, f.rule_id, f.due_date, f.days,
               GREATEST(p.start_date, f.due_date + 1) AS eff_start,
               date_diff('day', GREATEST(p.start_date, f.due_date + 1), p.end_date) AS len
        FROM fee_raw f JOIN pauses p ON p.loan_id = f.loan_id AND p.end_date > f.due_date + 1
    ),
    fee_shift AS (
        SELECT loan_id, installment_no, rule_id, SUM(len) AS shift
        FROM (
            SELECT fp.*, COALESCE(SUM(len) OVER (
                       PARTITION BY loan_id, installment_no, rule_id ORDER BY eff_start
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
            FROM fee_pauses fp
        ) x
        WHERE eff_start <= due_date + CAST(days + before AS INTEGER)
        GROUP BY loan_id, installment_no, rule_id
    ),
    fees AS (
        SELECT f.loan_id, f.currency, f.installment_no, f.due_date, 0 AS kind, f.rule_id,
               'inst-' || CAST(f.installment_no AS VARCHAR) AS period_key,
               f.due_date + CAST(f.days + COALESCE(s.shift, 0) AS INTEGER) AS charged_on,
               CAST(NULL AS DATE) AS month_start
        FROM fee_raw f LEFT JOIN fee_shift s
          ON s.loan_id = f.loan_id AND s.installment_no = f.installment_no
         AND s.rule_id = f.rule_id
    ),
    penalties AS (
        SELECT d.loan_id, d.currency, d.installment_no, d.due_date, 1 AS kind, r.rule_id,
               'inst-' || CAST(d.installment_no AS VARCHAR) || ':' || m.month_key AS period_key,
               m.month_end AS charged_on, m.month_start
        FROM due_inst d CROSS JOIN penalty_rules r JOIN month_ends m ON d.due_date < m.month_end
    ),
    candidates AS (
        SELECT * FROM fees WHERE charged_on > {since} AND charged_on <= {until}
        UNION ALL SELECT * FROM penalties
    ),
    fresh AS (
        SELECT c.* FROM candidates c
        LEFT JOIN charges p
          ON p.loan_id = c.loan_id AND p.rule_id = c.rule_id AND p.period_key = c.period_key
        WHERE p.loan_id IS NULL
    )
    SELECT f.*, ROW_NUMBER() OVER (PARTITION BY loan_id
               ORDER BY charged_on, kind, installment_no, rule_id) AS wave
    FROM fresh f
    """


def _half_even(value: str) -> str:
    """`value` (>= 0, DECIMAL) rounded half-even to the currency's minor units; needs columns
    pow10 and unit (from chg_currencies) in scope."""
    scaled = f"CAST({value} AS DECIMAL(30, 8)) * CAST(pow10 AS DECIMAL(5, 0))"
    return (
        f"CAST((FLOOR({scaled}) + CASE WHEN {scaled} - FLOOR({scaled}) > 0.5 OR "
        f"({scaled} - FLOOR({scaled}) = 0.5 AND FLOOR({scaled}) % 2 = 1) THEN 1 ELSE 0 END) "
        f"* unit AS {MONEY})"
    )


def _by_currency(mapping: dict[str, Decimal]) -> str:
    if not mapping:
        return "CAST(NULL AS DECIMAL(38, 4))"
    whens = " ".join(
        f"WHEN {_lit(code)} THEN {_decimal(amount, 'DECIMAL(30, 8)')}"
        for code, amount in sorted(mapping.items())
    )
    return f"CASE c.currency {whens} END"


def _fee_amount(charges: ChargePolicy) -> str:
    """The raw (unrounded, capped) amount of each fee rule, or NULL when it has none."""
    cases = []
    for rule in charges.late_fees:
        if rule.basis is FeeBasis.FLAT:
            base = _by_currency(dict(rule.flat_amounts))
        else:
            base = (
                f"CAST(po.principal - po.paid_principal + po.interest - po.paid_interest "
                f"AS DECIMAL(24, 4)) * {_decimal(rule.percent, 'DECIMAL(13, 12)')}"
            )
        cap = _by_currency(dict(rule.cap))
        capped = f"CASE WHEN {cap} IS NULL THEN {base} ELSE LEAST({base}, {cap}) END"
        cases.append(f"WHEN {_lit(rule.rule_id)} THEN {capped}")
    return f"CASE c.rule_id {' '.join(cases)} END" if cases else "CAST(NULL AS DECIMAL(38, 4))"


def _rate(charges: ChargePolicy) -> str:
    cases = " ".join(
        f"WHEN {_lit(r.rule_id)} THEN {_decimal(r.annual_rate, 'DECIMAL(13, 12)')}"
        for r in charges.penalty_interest
    )
    return f"CASE c.rule_id {cases} END" if cases else "CAST(NULL AS DECIMAL(13, 12))"


WAVE, WAVE_CHARGES, STRETCHES, POSITIONS = (
    "chg_wave",
    "chg_wave_charges",
    "chg_stretches",
    "chg_positions",
)


def wave_stages(
    policy: DelinquencyPolicy, charges: ChargePolicy, wave: int
) -> list[tuple[str, str]]:
    """The statements of wave `wave`, in order, as (table to create, SQL). The last one appends
    the wave's new charges (loan_id, installment_no, rule_id, period_key, charged_on, amount;
    positive amounts only) to NEW. Stored stage by stage, so no engine plans one huge query
    (Spark inlines every CTE where it is used) and each stage reads the rows before it."""
    keys = "loan_id, eval_on"
    if policy.waterfall.mode is AllocationMode.INSTALLMENT_FIRST:
        positions = positions_installment_first(policy, keys)
    else:
        positions = positions_component_first(policy, "eval_on", keys)
    pen = f"""    pen AS (
        SELECT loan_id, rule_id, period_key, installment_no, charged_on AS month_end,
               GREATEST(month_start, due_date + 1) AS start_day
        FROM {WAVE} WHERE kind = 1
    )"""
    return [
        (WAVE, f"SELECT * FROM {CANDIDATES} WHERE wave = {int(wave)}"),
        (
            WAVE_CHARGES,
            f"""
    WITH
    wave_loans AS (SELECT DISTINCT loan_id FROM {WAVE}),
    book_charges AS (
        SELECT c.loan_id, CAST(c.installment_no AS BIGINT) AS installment_no, c.charged_on,
               CAST(c.amount AS {MONEY}) AS amount
        FROM charges c JOIN wave_loans w ON w.loan_id = c.loan_id
        UNION ALL
        SELECT n.loan_id, n.installment_no, n.charged_on, n.amount
        FROM {NEW} n JOIN wave_loans w ON w.loan_id = n.loan_id
    )
    SELECT * FROM book_charges""",
        ),
        (
            STRETCHES,
            f"""
    WITH
    wave_loans AS (SELECT DISTINCT loan_id FROM {WAVE}),
    book_charges AS (SELECT * FROM {WAVE_CHARGES}),
{pen},
    loan_days AS (
        SELECT p.loan_id, p.paid_on AS d FROM payments p JOIN wave_loans w USING (loan_id)
        UNION SELECT loan_id, charged_on AS d FROM book_charges
        UNION SELECT i.loan_id, i.due_date AS d
        FROM installments i JOIN wave_loans w USING (loan_id)
    ),
    edges AS (
        SELECT p.loan_id, p.rule_id, p.period_key, e.d
        FROM pen p JOIN loan_days e
          ON e.loan_id = p.loan_id AND e.d >= p.start_day AND e.d <= p.month_end + 1
        UNION SELECT loan_id, rule_id, period_key, start_day AS d FROM pen
        UNION SELECT loan_id, rule_id, period_key, month_end + 1 AS d FROM pen
    ),
    stretches AS (
        SELECT * FROM (
            SELECT loan_id, rule_id, period_key, d AS begin_day,
                   LEAD(d) OVER (PARTITION BY loan_id, rule_id, period_key ORDER BY d) AS end_day
            FROM edges
        ) s WHERE end_day IS NOT NULL
    ),
    stretch_days AS (
        SELECT s.loan_id, s.rule_id, s.period_key, s.begin_day,
               date_diff('day', s.begin_day, s.end_day) - COALESCE(SUM(
                   CASE WHEN pz.loan_id IS NOT NULL THEN GREATEST(0,
                       date_diff('day', GREATEST(pz.start_date, s.begin_day),
                                 LEAST(pz.end_date, s.end_day))) END), 0) AS days
        FROM stretches s LEFT JOIN pauses pz ON pz.loan_id = s.loan_id
        GROUP BY s.loan_id, s.rule_id, s.period_key, s.begin_day, s.end_day
    )
    SELECT * FROM stretch_days""",
        ),
        (
            POSITIONS,
            f"""
    WITH
    wave AS (SELECT * FROM {WAVE}),
    stretch_days AS (SELECT * FROM {STRETCHES}),
    book_charges AS (SELECT * FROM {WAVE_CHARGES}),
    points AS (
        SELECT loan_id, charged_on AS eval_on FROM wave WHERE kind = 0
        UNION SELECT loan_id, begin_day AS eval_on FROM stretch_days WHERE days > 0
    ),
    received AS (
        SELECT pt.loan_id, pt.eval_on, SUM(CAST(p.amount AS {MONEY})) AS received
        FROM points pt JOIN payments p ON p.loan_id = pt.loan_id AND p.paid_on <= pt.eval_on
        GROUP BY pt.loan_id, pt.eval_on
    ),
    posted AS (
        SELECT pt.loan_id, pt.eval_on, c.installment_no, SUM(c.amount) AS penalty
        FROM points pt JOIN book_charges c ON c.loan_id = pt.loan_id AND c.charged_on <= pt.eval_on
        GROUP BY pt.loan_id, pt.eval_on, c.installment_no
    ),
    dues AS (
        SELECT pt.loan_id, pt.eval_on, CAST(i.installment_no AS BIGINT) AS installment_no,
               i.due_date,
               CAST(COALESCE(pe.penalty, 0) AS {MONEY}) AS penalty,
               CAST(i.fee AS {MONEY}) AS fee,
               CAST(i.interest AS {MONEY}) AS interest,
               CAST(i.principal AS {MONEY}) AS principal,
               CAST(COALESCE(pe.penalty, 0) + CAST(i.fee AS {MONEY})
                 + CAST(i.interest AS {MONEY}) + CAST(i.principal AS {MONEY}) AS {MONEY}) AS due
        FROM points pt JOIN installments i ON i.loan_id = pt.loan_id
        LEFT JOIN posted pe ON pe.loan_id = pt.loan_id AND pe.eval_on = pt.eval_on
             AND pe.installment_no = i.installment_no
    ),
    {positions}
    SELECT * FROM positions""",
        ),
        (
            NEW,
            f"""
    SELECT * FROM {NEW} UNION ALL SELECT * FROM (
    WITH
    wave AS (SELECT * FROM {WAVE}),
    stretch_days AS (SELECT * FROM {STRETCHES}),
    positions AS (SELECT * FROM {POSITIONS}),
{pen},
    fee_raw AS (
        SELECT c.loan_id, c.currency, c.installment_no, c.rule_id, c.period_key, c.charged_on,
               CASE WHEN (po.penalty - po.paid_penalty) + (po.fee - po.paid_fee)
                         + (po.interest - po.paid_interest)
                         + (po.principal - po.paid_principal) > 0
                    THEN {_fee_amount(charges)} END AS raw
        FROM wave c JOIN positions po
          ON po.loan_id = c.loan_id AND po.eval_on = c.charged_on
         AND po.installment_no = c.installment_no
        WHERE c.kind = 0
    ),
    accrued AS (
        SELECT s.loan_id, s.rule_id, s.period_key,
               SUM(CAST(po.principal - po.paid_principal AS {MONEY}) * s.days) AS accrued
        FROM stretch_days s
        JOIN pen p ON p.loan_id = s.loan_id AND p.rule_id = s.rule_id
             AND p.period_key = s.period_key
        JOIN positions po ON po.loan_id = s.loan_id AND po.eval_on = s.begin_day
             AND po.installment_no = p.installment_no
        WHERE s.days > 0
        GROUP BY s.loan_id, s.rule_id, s.period_key
    ),
    pen_scaled AS (
        SELECT c.loan_id, c.installment_no, c.rule_id, c.period_key, c.charged_on, k.unit,
               CAST(a.accrued AS DECIMAL(22, 4)) * CAST(k.pow10 AS DECIMAL(5, 0))
                 * {_rate(charges)} AS y
        FROM wave c
        JOIN accrued a ON a.loan_id = c.loan_id AND a.rule_id = c.rule_id
             AND a.period_key = c.period_key
        JOIN {CURRENCIES} k ON k.currency = c.currency
        WHERE c.kind = 1
    ),
    pen_q0 AS (
        SELECT p.*, CAST(FLOOR(CAST(y AS DOUBLE) / 365) AS DECIMAL(24, 0)) AS q0
        FROM pen_scaled p
    ),
    pen_q AS (
        SELECT p.*,
               q0 + CASE WHEN y - q0 * 365 < 0 THEN -1 WHEN y - q0 * 365 >= 365 THEN 1
                         ELSE 0 END AS q
        FROM pen_q0 p
    ),
    pen_amounts AS (
        SELECT loan_id, installment_no, rule_id, period_key, charged_on,
               CAST((q + CASE WHEN (y - q * 365) * 2 > 365
                               OR ((y - q * 365) * 2 = 365 AND q % 2 = 1) THEN 1 ELSE 0 END)
                    * unit AS {MONEY}) AS amount
        FROM pen_q
    ),
    fee_amounts AS (
        SELECT f.loan_id, f.installment_no, f.rule_id, f.period_key, f.charged_on,
               {_half_even("f.raw")} AS amount
        FROM fee_raw f JOIN {CURRENCIES} k ON k.currency = f.currency
        WHERE f.raw IS NOT NULL
    )
    SELECT * FROM (
        SELECT * FROM fee_amounts UNION ALL SELECT * FROM pen_amounts
    ) x
    WHERE amount > 0
    ORDER BY loan_id, rule_id, period_key
    ) w""",
        ),
    ]


def _empty_new() -> pa.Table:
    return pa.table(
        {
            "loan_id": pa.array([], pa.string()),
            "installment_no": pa.array([], pa.int64()),
            "rule_id": pa.array([], pa.string()),
            "period_key": pa.array([], pa.string()),
            "charged_on": pa.array([], pa.date32()),
            "amount": pa.array([], pa.decimal128(38, 4)),
        }
    )


def accrue_charges(
    book: SqlEngine,
    policy: DelinquencyPolicy,
    charges: ChargePolicy,
    window: ChargeWindow,
) -> str:
    """Assess the window's new charges in `book`; returns the name of the engine table that
    holds them (columns NEW_CHARGE_COLUMNS, plus nothing when the policy has no rules)."""
    book.register_arrow(NEW, _empty_new())
    if not charges.late_fees and not charges.penalty_interest:
        return NEW
    codes = book.query_arrow("SELECT DISTINCT currency FROM loans").column(0).to_pylist()
    book.register_arrow(CURRENCIES, currencies_table(str(c) for c in codes))
    book.create_table(CANDIDATES, candidates_sql(charges, window))
    waves = book.query_arrow(f"SELECT MAX(wave) AS n FROM {CANDIDATES}").column(0)[0].as_py()
    for wave in range(1, int(waves or 0) + 1):
        for name, sql in wave_stages(policy, charges, wave):
            book.create_table(name, sql)
    return NEW
