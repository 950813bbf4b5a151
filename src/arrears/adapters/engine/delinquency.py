"""Set-based delinquency in SQL: the same rules as `arrears.domain.delinquency`, for whole books.

The pure-Python domain is the reference; tests compare the two on generated portfolios. Inputs are
relations (tables or views) of an `SqlEngine` (DuckDB, or Spark through
`arrears.adapters.engine.dialects.transpile`):

- installments(loan_id, installment_no, due_date, principal, interest, fee)
- payments(loan_id, payment_id, paid_on, amount)
- charges(loan_id, installment_no, charged_on, amount)            -- optional
- pauses(loan_id, start_date, end_date)                           -- optional, merged per loan

Money stays DECIMAL from file to file: nothing passes through floating point.

The SQL is written once, in DuckDB's dialect, using only constructs that mean the same after
transpiling to Spark SQL (docs/engines.md): day counts are `date_diff('day', a, b)`, never
`b - a` (days in DuckDB, an INTERVAL in Spark); dates move by whole days as `date + integer`;
every money operand is cast to DECIMAL(38, 4) before it is added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from arrears.domain.allocation import AllocationMode
from arrears.domain.model import Component

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    import duckdb

    from arrears.domain.delinquency import DelinquencyPolicy, Pause

MONEY = "DECIMAL(38, 4)"

OUTPUT_COLUMNS = (
    "loan_id",
    "dpd",
    "bucket",
    "overdue_principal",
    "overdue_interest",
    "overdue_fee",
    "overdue_total",
    "missed_installments",
    "oldest_unpaid_due_date",
    "last_payment_date",
)


@dataclass(frozen=True, slots=True)
class EngineInputs:
    installments: str = "installments"
    payments: str = "payments"
    charges: str | None = None
    pauses: str | None = None


def _component_split(order: tuple[Component, ...]) -> str:
    """SQL columns paid_<component>, pouring `paid_inst` into the components in `order`."""
    parts: list[str] = []
    poured: list[str] = []
    for component in order:
        already = " - ".join(["paid_inst", *(f"paid_{c}" for c in poured)])
        parts.append(f"LEAST({component}, GREATEST({already}, 0)) AS paid_{component}")
        poured.append(component)
    return ",\n            ".join(parts)


def positions_installment_first(policy: DelinquencyPolicy, keys: str = "loan_id") -> str:
    """CTEs `cum`, `paid_inst`, `positions` over CTEs `dues` and `received`, both keyed by
    `keys` (a loan, or a loan at an evaluation date: "loan_id, eval_on")."""
    split = _component_split(policy.waterfall.components)
    return f"""
    cum AS (
        SELECT d.*,
               COALESCE(SUM(due) OVER (PARTITION BY {keys} ORDER BY installment_no
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before
        FROM dues d
    ),
    paid_inst AS (
        SELECT c.*, LEAST(due, GREATEST(COALESCE(r.received, 0) - cum_before, 0)) AS paid_inst,
               GREATEST(cum_before + due - COALESCE(r.received, 0), 0) AS owed_through
        FROM cum c LEFT JOIN received r USING ({keys})
    ),
    positions AS (
        SELECT {keys}, installment_no, due_date, penalty, fee, interest, principal, owed_through,
            {split}
        FROM paid_inst
    )"""


def _positions_installment_first(policy: DelinquencyPolicy) -> str:
    return positions_installment_first(policy)


def positions_component_first(policy: DelinquencyPolicy, as_of: str, keys: str = "loan_id") -> str:
    """As `positions_installment_first`, for the component-first waterfall; `as_of` is the
    evaluation date (a literal, or the column `eval_on` when keyed by it)."""
    ranks = {c: policy.waterfall.rank(c) for c in Component}
    unions = "\n        UNION ALL ".join(
        f"SELECT {keys}, installment_no, due_date, '{c}' AS component, {ranks[c]} AS rnk, "
        f"{c} AS amount FROM dues"
        for c in Component
    )
    pivots = ",\n               ".join(
        f"SUM(CASE WHEN component = '{c}' THEN paid END) AS paid_{c}" for c in Component
    )
    return f"""
    lines AS (
        {unions}
    ),
    ordered AS (
        SELECT l.*, due_date > {as_of} AS future,
               COALESCE(SUM(amount) OVER (PARTITION BY {keys} ORDER BY
                   due_date > {as_of},
                   CASE WHEN due_date > {as_of} THEN installment_no ELSE rnk END,
                   CASE WHEN due_date > {as_of} THEN rnk ELSE installment_no END
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before
        FROM lines l
    ),
    paid_lines AS (
        SELECT o.*, LEAST(amount, GREATEST(COALESCE(r.received, 0) - cum_before, 0)) AS paid
        FROM ordered o LEFT JOIN received r USING ({keys})
    ),
    positions AS (
        SELECT {", ".join(f"d.{k.strip()}" for k in keys.split(","))}, d.installment_no,
               d.due_date, d.penalty, d.fee, d.interest,
               d.principal, p.paid_penalty, p.paid_fee, p.paid_interest, p.paid_principal
        FROM dues d JOIN (
            SELECT {keys}, installment_no,
               {pivots}
            FROM paid_lines GROUP BY {keys}, installment_no
        ) p USING ({keys}, installment_no)
    )"""


def _positions_component_first(policy: DelinquencyPolicy, as_of: str) -> str:
    return positions_component_first(policy, as_of)


def delinquency_sql(
    policy: DelinquencyPolicy,
    as_of: dt.date,
    inputs: EngineInputs | None = None,
    *,
    scale: int = 2,
    tolerance_sql: str | None = None,
) -> str:
    """One SQL query giving a row per loan with the output columns of `arrears delinquency`.

    `tolerance_sql` may name a per-loan tolerance expression over the `loan_id`; by default the
    policy's single tolerance applies.
    """
    inputs = inputs or EngineInputs()
    day = f"DATE '{as_of.isoformat()}'"
    grace = int(policy.grace_days)
    tolerance = tolerance_sql or f"CAST('{policy.tolerance:f}' AS {MONEY})"
    charges = (
        f"""SELECT loan_id, installment_no, SUM(CAST(amount AS {MONEY})) AS penalty
            FROM {inputs.charges} WHERE charged_on <= {day} GROUP BY loan_id, installment_no"""
        if inputs.charges
        else f"SELECT NULL::VARCHAR AS loan_id, NULL::BIGINT AS installment_no, "
        f"NULL::{MONEY} AS penalty WHERE FALSE"
    )
    pauses = (
        f"SELECT loan_id, start_date, end_date FROM {inputs.pauses}"
        if inputs.pauses
        else "SELECT NULL::VARCHAR AS loan_id, NULL::DATE AS start_date, NULL::DATE AS end_date "
        "WHERE FALSE"
    )
    if policy.waterfall.mode is AllocationMode.INSTALLMENT_FIRST:
        positions = _positions_installment_first(policy)
        # installment-first pours payments in installment order, so what is still owed on the
        # installments up to this one is simply max(cumulative due - received, 0): no window
        owed_through = "owed_through,"
        running = "owed_through"
    else:
        positions = _positions_component_first(policy, day)
        owed_through = ""
        running = (
            "SUM(o_total) OVER (PARTITION BY loan_id ORDER BY installment_no "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        )
    bucket_case = "\n            ".join(
        f"WHEN dpd >= {b.min_dpd}"
        + (f" AND dpd <= {b.max_dpd}" if b.max_dpd is not None else "")
        + f" THEN '{b.name}'"
        for b in policy.buckets.buckets
    )

    def money(expr: str) -> str:
        return f"CAST({expr} AS DECIMAL(18, {scale}))"

    return f"""
    WITH
    received AS (
        SELECT loan_id,
               SUM(CAST(amount AS {MONEY})) FILTER (WHERE paid_on <= {day}) AS received,
               MAX(paid_on) FILTER (WHERE paid_on <= {day}) AS last_paid
        FROM {inputs.payments} GROUP BY loan_id
    ),
    penalties AS ({charges}),
    dues AS (
        SELECT i.loan_id, i.installment_no, i.due_date,
               COALESCE(p.penalty, 0)::{MONEY} AS penalty,
               CAST(i.fee AS {MONEY}) AS fee,
               CAST(i.interest AS {MONEY}) AS interest,
               CAST(i.principal AS {MONEY}) AS principal,
               (COALESCE(p.penalty, 0) + CAST(i.fee AS {MONEY}) + CAST(i.interest AS {MONEY})
                 + CAST(i.principal AS {MONEY}))::{MONEY} AS due
        FROM {inputs.installments} i
        LEFT JOIN penalties p USING (loan_id, installment_no)
    ),
    {positions},
    outstanding AS (
        SELECT o.*, {running} AS running_total
        FROM (
            SELECT loan_id, installment_no, due_date, {owed_through}
                   penalty - paid_penalty AS o_penalty, fee - paid_fee AS o_fee,
                   interest - paid_interest AS o_interest,
                   principal - paid_principal AS o_principal,
                   (penalty - paid_penalty) + (fee - paid_fee) + (interest - paid_interest)
                     + (principal - paid_principal) AS o_total
            FROM positions
        ) o
    ),
    per_loan AS (
        SELECT loan_id,
               SUM(o_penalty) FILTER (WHERE due_date < {day}) AS overdue_penalty,
               SUM(o_fee) FILTER (WHERE due_date < {day}) AS overdue_fee,
               SUM(o_interest) FILTER (WHERE due_date < {day}) AS overdue_interest,
               SUM(o_principal) FILTER (WHERE due_date < {day}) AS overdue_principal,
               SUM(o_total) FILTER (WHERE due_date < {day}) AS overdue_total,
               COUNT(*) FILTER (WHERE due_date < {day} AND o_total > 0) AS missed_installments,
               MIN(due_date) FILTER (WHERE due_date < {day} AND o_total > 0)
                 AS oldest_unpaid_due_date,
               MIN(due_date) FILTER (WHERE due_date + {grace} < {day}
                                     AND running_total > {tolerance}) + {grace} AS ageing_from
        FROM outstanding GROUP BY loan_id
    ),
    paused AS (
        SELECT a.loan_id,
               SUM(GREATEST(0, date_diff('day', GREATEST(p.start_date, a.ageing_from + 1),
                   LEAST(p.end_date, {day} + 1)))) AS paused_days
        FROM per_loan a JOIN ({pauses}) p USING (loan_id)
        WHERE a.ageing_from IS NOT NULL GROUP BY a.loan_id
    ),
    result AS (
        SELECT COALESCE(o.loan_id, r.loan_id) AS loan_id,
               CAST(COALESCE(date_diff('day', o.ageing_from, {day})
                    - COALESCE(p.paused_days, 0), 0) AS BIGINT) AS dpd,
               o.overdue_principal, o.overdue_interest, o.overdue_fee, o.overdue_penalty,
               o.overdue_total, o.missed_installments, o.oldest_unpaid_due_date,
               r.last_paid AS last_payment_date
        FROM per_loan o
        FULL OUTER JOIN received r ON r.loan_id = o.loan_id
        LEFT JOIN paused p ON p.loan_id = o.loan_id
    )
    SELECT loan_id, dpd,
           CASE {bucket_case} END AS bucket,
           {money("COALESCE(overdue_principal, 0)")} AS overdue_principal,
           {money("COALESCE(overdue_interest, 0)")} AS overdue_interest,
           {money("COALESCE(overdue_fee, 0)")} AS overdue_fee,
           {money("COALESCE(overdue_total, 0)")} AS overdue_total,
           CAST(COALESCE(missed_installments, 0) AS BIGINT) AS missed_installments,
           oldest_unpaid_due_date, last_payment_date
    FROM result
    ORDER BY loan_id
    """


def compute(
    con: duckdb.DuckDBPyConnection,
    policy: DelinquencyPolicy,
    as_of: dt.date,
    inputs: EngineInputs | None = None,
    *,
    scale: int = 2,
) -> duckdb.DuckDBPyRelation:
    return con.sql(delinquency_sql(policy, as_of, inputs, scale=scale))


def pauses_table(pauses: Mapping[str, Iterable[Pause]]) -> pa.Table:
    """Per-loan pauses as the `pauses(loan_id, start_date, end_date)` input of the query."""
    rows = [(loan, p.start, p.end) for loan, items in pauses.items() for p in items]
    return pa.table(
        {
            "loan_id": pa.array([r[0] for r in rows], pa.string()),
            "start_date": pa.array([r[1] for r in rows], pa.date32()),
            "end_date": pa.array([r[2] for r in rows], pa.date32()),
        }
    )
