"""The workflow's set-based SQL for the nightly cycle, written once in DuckDB's dialect.

Each builder returns one SELECT over tables the caller registered in the batch engine (DuckDB, or
Spark through `dialects.transpile`). The pure-Python domain functions are the reference: the
unit tests feed both the same rows and compare.

- `promise_evaluation_sql`: the rule of `arrears.domain.workflow.promises` (module docstring,
  steps 1-5) as window functions.
- `case_position_sql`: each borrower's position (worst DPD and its bucket, overdue in the worst
  loan's currency, days to the next unpaid due date) from the delinquency `status` table.
- `segmentation_sql`: stage, segment, champion/challenger arm and treatment day per borrower,
  from small configuration tables built from the strategy (`strategy_tables`).
- `due_steps_sql`: the treatment steps due today per case, with the address to use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from arrears.domain.workflow.stages import POINTS, StageKind, StepTarget

if TYPE_CHECKING:
    import datetime as dt

    from arrears.domain.workflow.stages import Strategy

MONEY = "DECIMAL(38, 4)"


def _date(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stable_point_sql(parts_sql: str, *, dialect: str = "duckdb") -> str:
    """SQL for `stages.stable_point`: the first 8 bytes of SHA-256, big-endian, mod POINTS.

    `parts_sql` is an SQL string expression already joined with the unit separator.
    """
    if dialect == "spark":
        return (
            f"CAST(CAST(conv(substr(sha2({parts_sql}, 256), 1, 16), 16, 10) AS DECIMAL(20, 0))"
            f" % {POINTS} AS INT)"
        )
    return f"CAST(('0x' || substr(sha256({parts_sql}), 1, 16))::UBIGINT % {POINTS} AS INTEGER)"


# ----------------------------------------------------------------------------- promises


def promise_evaluation_sql(as_of: dt.date, *, promises: str, payments: str) -> str:
    """Every promise's status and credit at the close of `as_of`.

    `promises`: promise_id, case_id, set_id, made_on, due_on, deadline, amount, currency.
    `payments`: case_id, paid_on, amount, currency (the case's borrower's payments).
    Result: promise_id, case_id, set_id, status, credited, deadline.
    """
    day = _date(as_of)
    return f"""
WITH p AS (
    SELECT promise_id, case_id, set_id, made_on, due_on, deadline,
           CAST(amount AS {MONEY}) AS amount, currency
    FROM {promises} WHERE made_on <= {day}
),
sets AS (
    SELECT case_id, set_id, MIN(made_on) AS made_on, MIN(currency) AS currency
    FROM p GROUP BY case_id, set_id
),
ordered AS (
    SELECT case_id, set_id, made_on, currency,
           LEAD(made_on) OVER (PARTITION BY case_id ORDER BY made_on, set_id) AS next_start
    FROM sets
),
pays AS (
    SELECT o.case_id, o.set_id, x.paid_on, CAST(x.amount AS {MONEY}) AS amount
    FROM ordered o
    JOIN {payments} x
      ON x.case_id = o.case_id AND x.currency = o.currency AND o.made_on <= x.paid_on
     AND (o.next_start IS NULL OR x.paid_on < o.next_start)
    WHERE x.paid_on <= {day}
),
members AS (
    SELECT p.promise_id, p.case_id, p.set_id, p.due_on, p.deadline, p.amount, o.next_start,
           SUM(p.amount) OVER (
               PARTITION BY p.case_id, p.set_id ORDER BY p.due_on, p.promise_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS promised
    FROM p JOIN ordered o ON o.case_id = p.case_id AND o.set_id = p.set_id
),
paid AS (
    SELECT m.promise_id, COALESCE(SUM(a.amount), 0) AS s
    FROM members m
    LEFT JOIN pays a
      ON a.case_id = m.case_id AND a.set_id = m.set_id
     AND a.paid_on <= LEAST({day}, m.deadline)
    GROUP BY m.promise_id
),
running AS (
    SELECT m.*,
           LEAST(CAST(0 AS {MONEY}), MIN(pd.s - m.promised) OVER (
               PARTITION BY m.case_id, m.set_id ORDER BY m.due_on, m.promise_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS running_min
    FROM members m JOIN paid pd ON pd.promise_id = m.promise_id
),
credit AS (
    SELECT *,
           promised + running_min - COALESCE(LAG(promised + running_min) OVER (
               PARTITION BY case_id, set_id ORDER BY due_on, promise_id), 0) AS credited
    FROM running
)
SELECT promise_id, case_id, set_id,
       CASE WHEN credited = amount THEN 'kept'
            WHEN next_start IS NOT NULL AND next_start <= deadline THEN 'superseded'
            WHEN {day} < deadline THEN 'pending'
            WHEN credited > 0 THEN 'partially_kept'
            ELSE 'broken' END AS status,
       CAST(credited AS {MONEY}) AS credited, deadline
FROM credit
"""


# ------------------------------------------------------------------- position and stages


def case_position_sql(as_of: dt.date) -> str:
    """Per borrower: worst DPD, its bucket, overdue in the worst loan's currency, and days to
    the next due date not yet covered by payments (NULL when nothing is due any more).

    Reads the cycle's `status` (per loan), `loans`, `installments` and `payments` tables. An
    installment counts as covered when everything paid on the loan up to `as_of` reaches its
    cumulative amount due (payments fill installments oldest first).
    """
    day = _date(as_of)
    return f"""
WITH received AS (
    SELECT loan_id, SUM(CAST(amount AS {MONEY})) AS paid
    FROM payments WHERE paid_on <= {day} GROUP BY loan_id
),
sched AS (
    SELECT loan_id, due_date,
           SUM(CAST(principal AS {MONEY}) + CAST(interest AS {MONEY}) + CAST(fee AS {MONEY}))
             OVER (PARTITION BY loan_id ORDER BY installment_no
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_due
    FROM installments
),
next_due AS (
    SELECT s.loan_id, MIN(s.due_date) AS next_due
    FROM sched s LEFT JOIN received r ON r.loan_id = s.loan_id
    WHERE s.due_date >= {day} AND s.cum_due > COALESCE(r.paid, 0)
    GROUP BY s.loan_id
),
per_loan AS (
    SELECT l.borrower_pk, l.borrower_id, l.currency, st.dpd, st.bucket,
           CAST(st.overdue_total AS {MONEY}) AS overdue_total,
           CASE WHEN st.dpd = 0 THEN date_diff('day', {day}, n.next_due) END AS days_before_due
    FROM status st JOIN loans l ON l.loan_id = st.loan_id
    LEFT JOIN next_due n ON n.loan_id = st.loan_id
),
worst AS (
    SELECT borrower_pk, MAX(dpd) AS dpd FROM per_loan GROUP BY borrower_pk
),
worst_currency AS (
    SELECT w.borrower_pk, w.dpd, MIN(pl.currency) AS currency, MIN(pl.bucket) AS bucket
    FROM worst w JOIN per_loan pl ON pl.borrower_pk = w.borrower_pk AND pl.dpd = w.dpd
    GROUP BY w.borrower_pk, w.dpd
)
SELECT wc.borrower_pk, MIN(pl.borrower_id) AS borrower_id, wc.dpd, wc.bucket, wc.currency,
       CAST(SUM(pl.overdue_total) FILTER (WHERE pl.currency = wc.currency) AS {MONEY})
         AS overdue_total,
       MIN(pl.days_before_due) AS days_before_due
FROM worst_currency wc JOIN per_loan pl ON pl.borrower_pk = wc.borrower_pk
GROUP BY wc.borrower_pk, wc.dpd, wc.bucket, wc.currency
"""


def strategy_tables(strategy: Strategy) -> dict[str, pa.Table]:
    """The strategy as small tables the SQL joins: stages, segments, arms, treatment steps."""
    stage_rows: list[dict[str, object]] = []
    segment_rows: list[dict[str, object]] = []
    arm_rows: list[dict[str, object]] = []
    for order, stage in enumerate(strategy.stages):
        window = stage.days_before_due
        stage_rows.extend(
            {
                "stage_id": stage.stage_id,
                "stage_order": order,
                "kind": stage.kind.value,
                "bucket": bucket,
                "low": None if window is None else window[0],
                "high": None if window is None else window[1],
            }
            for bucket in stage.buckets or (None,)
        )
        for seg_order, segment in enumerate(stage.segments):
            types: list[str | None] = [str(d) for d in sorted(segment.debtor_types)] or [None]
            scored = segment.min_score is not None or segment.max_score is not None
            segment_rows.extend(
                {
                    "stage_id": stage.stage_id,
                    "seg_order": seg_order,
                    "segment_id": segment.segment_id,
                    "debtor_type": debtor_type,
                    "needs_score": scored,
                }
                for debtor_type in types
            )
            lower = 0
            for challenger in segment.challengers:
                arm_rows.append(
                    {
                        "stage_id": stage.stage_id,
                        "segment_id": segment.segment_id,
                        "arm": challenger.arm_id,
                        "treatment_id": challenger.treatment_id,
                        "lower": lower,
                        "upper": lower + challenger.points,
                    }
                )
                lower += challenger.points
            arm_rows.append(
                {
                    "stage_id": stage.stage_id,
                    "segment_id": segment.segment_id,
                    "arm": "champion",
                    "treatment_id": segment.champion,
                    "lower": lower,
                    "upper": POINTS,
                }
            )
    step_rows: list[dict[str, object]] = [
        {
            "treatment_id": treatment.treatment_id,
            "step_index": index,
            "day": step.day,
            "every_days": step.every_days,
            "channel": step.channel.value,
            "target": step.target.value,
            "when_": step.when.value,
            "talk_track": step.talk_track,
        }
        for treatment in strategy.treatments.values()
        for index, step in enumerate(treatment.steps)
    ]
    schemas = {
        "wf_stages": pa.schema(
            [
                ("stage_id", pa.string()),
                ("stage_order", pa.int64()),
                ("kind", pa.string()),
                ("bucket", pa.string()),
                ("low", pa.int64()),
                ("high", pa.int64()),
            ]
        ),
        "wf_segments": pa.schema(
            [
                ("stage_id", pa.string()),
                ("seg_order", pa.int64()),
                ("segment_id", pa.string()),
                ("debtor_type", pa.string()),
                ("needs_score", pa.bool_()),
            ]
        ),
        "wf_arms": pa.schema(
            [
                ("stage_id", pa.string()),
                ("segment_id", pa.string()),
                ("arm", pa.string()),
                ("treatment_id", pa.string()),
                ("lower", pa.int64()),
                ("upper", pa.int64()),
            ]
        ),
        "wf_steps": pa.schema(
            [
                ("treatment_id", pa.string()),
                ("step_index", pa.int64()),
                ("day", pa.int64()),
                ("every_days", pa.int64()),
                ("channel", pa.string()),
                ("target", pa.string()),
                ("when_", pa.string()),
                ("talk_track", pa.string()),
            ]
        ),
    }
    rows = {
        "wf_stages": stage_rows,
        "wf_segments": segment_rows,
        "wf_arms": arm_rows,
        "wf_steps": step_rows,
    }
    return {name: pa.Table.from_pylist(rows[name], schema=schemas[name]) for name in schemas}


def segmentation_sql(
    as_of: dt.date, *, strategy_version: str, positions: str, cases: str, dialect: str = "duckdb"
) -> str:
    """Stage, segment, arm and treatment day for every borrower in a stage today.

    `positions`: the result of `case_position_sql`. `cases`: the open cases (case_id,
    borrower_pk, stage_id, stage_entered_on, treatment_id, debtor_type). A treatment's clock
    (`stage_entered_on`, day 0 of its steps) restarts when the stage or the treatment changes:
    a debtor reclassified into another segment starts that segment's treatment from its first
    step. Borrowers without an open case get
    the deterministic id of the case the step opens for them (`new_case_id`).
    """
    day = _date(as_of)
    sep = "chr(31)"
    parts = (
        f"{_text(strategy_version)} || {sep} || a.stage_id || '/' || a.segment_id || {sep} "
        "|| a.case_id"
    )
    pre_due, delinquent = StageKind.PRE_DUE.value, StageKind.DELINQUENT.value
    return f"""
WITH staged AS (
    SELECT pos.*,
           COALESCE(
             (SELECT MIN_BY(s.stage_id, s.stage_order) FROM wf_stages s
               WHERE s.kind = '{delinquent}' AND pos.dpd > 0 AND s.bucket = pos.bucket),
             (SELECT MIN_BY(s.stage_id, s.stage_order) FROM wf_stages s
               WHERE s.kind = '{pre_due}' AND pos.dpd = 0 AND pos.days_before_due IS NOT NULL
                 AND pos.days_before_due BETWEEN s.low AND s.high)) AS stage_id
    FROM {positions} pos
),
with_case AS (
    SELECT st.*, c.case_id AS open_case_id, c.stage_id AS previous_stage,
           c.treatment_id AS previous_treatment,
           c.stage_entered_on AS previous_entry,
           COALESCE(c.debtor_type, 'cooperative') AS debtor_type,
           COALESCE(c.case_id, 'C-' || st.borrower_id || '-{as_of:%Y%m%d}') AS case_id
    FROM staged st LEFT JOIN {cases} c ON c.borrower_pk = st.borrower_pk
    WHERE st.stage_id IS NOT NULL
),
segmented AS (
    SELECT w.*,
           (SELECT MIN_BY(g.segment_id, g.seg_order) FROM wf_segments g
             WHERE g.stage_id = w.stage_id AND NOT g.needs_score
               AND (g.debtor_type IS NULL OR g.debtor_type = w.debtor_type)) AS segment_id
    FROM with_case w
),
pointed AS (
    SELECT a.*, {stable_point_sql(parts, dialect=dialect)} AS point FROM segmented a
)
SELECT p.case_id, p.open_case_id IS NULL AS is_new, p.borrower_pk, p.stage_id,
       (SELECT s.kind FROM wf_stages s WHERE s.stage_id = p.stage_id LIMIT 1) AS stage_kind,
       p.segment_id, r.arm, r.treatment_id, p.point, p.dpd, p.days_before_due,
       p.overdue_total, p.currency,
       CASE WHEN p.previous_stage = p.stage_id AND p.previous_treatment = r.treatment_id
            THEN p.previous_entry ELSE {day} END AS stage_entered_on,
       p.previous_stage
FROM pointed p
JOIN wf_arms r ON r.stage_id = p.stage_id AND r.segment_id = p.segment_id
 AND p.point >= r.lower AND p.point < r.upper
"""


def due_steps_sql(
    as_of: dt.date, *, assignments: str, workable: str, contacts: str, dialect: str = "duckdb"
) -> str:
    """The treatment steps due today for each workable case, with the person and address.

    `assignments`: today's case_assignments rows. `workable`: case_id of the cases whose
    automated contact may run (not paused, no pending promise). `contacts`: one row per
    (borrower_pk, target, channel_kind, rank, person_id, address) — the contact plan flattened:
    channel_kind 'phone' (calls), 'mobile' (SMS), 'email', 'postal'.
    Steps for third parties are calls only (a message could disclose the debt to them).
    """
    sep = "chr(31)"
    key = (
        f"case_id || {sep} || '{as_of.isoformat()}' || {sep} || stage_id || {sep} "
        f"|| treatment_id || {sep} || CAST(step_index AS VARCHAR)"
    )
    digest = f"sha2({key}, 256)" if dialect == "spark" else f"sha256({key})"
    attempt_id = f"'pa_' || substr({digest}, 1, 24)"
    borrower = StepTarget.BORROWER.value
    return f"""
WITH due AS (
    SELECT a.case_id, a.borrower_pk, a.stage_id, a.treatment_id, s.step_index, s.channel,
           s.target, s.when_, s.talk_track
    FROM {assignments} a
    JOIN {workable} k ON k.case_id = a.case_id
    JOIN wf_steps s ON s.treatment_id = a.treatment_id
     AND (a.treatment_day = s.day
          OR (s.every_days IS NOT NULL AND a.treatment_day > s.day
              AND (a.treatment_day - s.day) % s.every_days = 0))
),
kinds AS (
    SELECT d.*,
           CASE WHEN d.channel = 'call' THEN 'phone'
                WHEN d.channel = 'sms' THEN 'mobile'
                WHEN d.channel = 'email' THEN 'email'
                ELSE 'postal' END AS channel_kind
    FROM due d
    WHERE d.target = '{borrower}' OR d.channel = 'call'
),
picked AS (
    SELECT k.*, c.person_id, c.address, c.purpose,
           ROW_NUMBER() OVER (PARTITION BY k.case_id, k.step_index ORDER BY c.rank) AS n
    FROM kinds k
    JOIN {contacts} c ON c.borrower_pk = k.borrower_pk AND c.target = k.target
     AND c.channel_kind = k.channel_kind
)
SELECT {attempt_id} AS attempt_id, case_id, stage_id, treatment_id, step_index, channel,
       target, person_id, address, purpose, talk_track, when_ <> 'always' AS contingent
FROM picked WHERE n = 1
"""


__all__ = [
    "case_position_sql",
    "due_steps_sql",
    "promise_evaluation_sql",
    "segmentation_sql",
    "stable_point_sql",
    "strategy_tables",
]
