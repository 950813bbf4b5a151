"""Worklists: each collector's list for the business date, built by the nightly cycle, and safe
claiming of the next case during the day (docs/worklists.md).

**Where it computes (D60).** `step_build_worklists` reads its inputs from the database through
the step's own connection (one consistent snapshot: the `case_assignments` the
`case_segmentation` step committed just before, the cases, borrowers' languages, pending
promises, the active collectors and the day's items already claimed or done), hands them to
the batch engine as Arrow tables, and computes priority, ranking and assignment there in SQL.
It does not use INSERT ... SELECT in the database because the expected value needs exact
decimal arithmetic with half-even rounding to each currency's minor unit, and money on SQLite
is a scaled integer (D8): one SQL text for DuckDB / Spark is simpler and testable against the
domain (`priority()`), where two database dialects over two money encodings would not be.
The results go back with `bulk_insert`, and the case updates are set-based UPDATE / INSERT ...
SELECT statements over the items just written. No Python loop runs per case; the only loops
are over collectors (to expand their languages and stages) and over assignment *rounds*.

**Assignment.** (1) Continuity: a case keeps its collector when that collector is active,
speaks the borrower's language (BCP 47 primary tag) and works the case's stage, up to their
capacity, best ranked first. (2) The rest go out in rounds: in each round, within each pool
(stage x language), the i-th best waiting case is offered to the i-th eligible collector with
spare capacity (least loaded first, then by id); a collector offered cases in several pools
takes the best ranked. Every collector gains at most one case a round, so the best cases are
spread evenly. A last set-based pass re-pairs each pool's assigned cases so that the best
ranked of the pool are the ones assigned (a collector who chose another pool in one round
cannot leave a better case of this pool behind). (3) The remainder waits in the team queue of
its pool (collector_id NULL). Everything is ordered by rank and collector id: deterministic.

**Rank (D61).** Expected values are amounts: they are compared within one currency only (as
`rank()` in the domain does). Currencies are interleaved by their fractional position
((position - 0.5) / cases in that currency), so a list mixes currencies in proportion, each
currency's best first. `rank` is the case's position in that order for the whole day, so it
compares across lists and queues (claiming mixes the own list and the queues by it).

**Claiming (D64).** PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1`, then mark claimed, in
one transaction. SQLite has one writer at a time: the claim is one `UPDATE ... WHERE key =
(SELECT ... LIMIT 1) RETURNING` issued as the transaction's first statement, so it takes the
write lock at once (waiting on the busy timeout), never reads a stale snapshot, and claims
serialise without errors.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import (
    Boolean,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    type_coerce,
    update,
)

from arrears.adapters.engine.base import make_engine
from arrears.adapters.engine.extract import read_arrow
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.bulk import bulk_insert
from arrears.adapters.store.tables import UtcDateTime
from arrears.adapters.store.uow import utc_now
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import (
    Conflict,
    InvalidConfig,
    InvalidInput,
    NotFound,
    RejectedRows,
    RowError,
)
from arrears.domain.money import Money, minor_units
from arrears.domain.security.errors import Forbidden
from arrears.domain.security.roles import Role

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from sqlalchemy import Connection
    from sqlalchemy.sql.elements import ColumnElement

    from arrears.adapters.engine.base import SqlEngine
    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.workflow.priority import PriorityWeights
    from arrears.domain.workflow.stages import Strategy
    from arrears.services.cycle import CycleContext

#: case states a collector works (D62); `arrangement` only when a follow-up is due
WORKED_STATES = ("active", "letter", "formal_demand", "field_visit")
FOLLOW_UP_STATES = ("arrangement",)
#: roles that may reassign cases and put them on hold
SUPERVISOR_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMIN})
CLAIMABLE = ("open", "released")
#: item statuses a rerun of the cycle keeps as they are (only `open` items are rebuilt)
KEPT_STATUSES = ("claimed", "done", "released", "held")
SYSTEM_ROLE = "system"
MONEY_SCALE = 4  # MoneyType stores four decimals (D8)
MAX_REASON = 500
MAX_CAPACITY = 1000

# ------------------------------------------------------------------------------- vocabulary


def primary_tag(language: str) -> str:
    """The BCP 47 primary language subtag, lower case: "zh-Hans-CN" -> "zh"."""
    return language.replace("_", "-").split("-", 1)[0].strip().lower()


def queue_name(stage_id: str, language: str) -> str:
    """A pool of work: one stage in one language (`front_row:es`)."""
    return f"{stage_id}:{language}"


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split() if part)


# --------------------------------------------------------------------- priority in SQL


def _scale(weights: PriorityWeights) -> int:
    values = [v for _, v in weights.dpd_curve] + [
        weights.promise_due_today,
        weights.broken_promise,
    ]
    exponents = [int(v.as_tuple().exponent) for v in values]
    scale = max([2, *(-e for e in exponents)])
    if scale > 12:  # room left in DECIMAL(38, 4 + scale)
        raise InvalidConfig("priority weights may have at most 12 decimal places")
    return scale


def _dec(value: Decimal, scale: int) -> str:
    return f"CAST('{value}' AS DECIMAL(18, {scale}))"


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _bands(weights: PriorityWeights) -> list[tuple[int | None, Decimal, str]]:
    """(highest DPD or None, probability, label) with the domain's band labels."""
    bands: list[tuple[int | None, Decimal, str]] = []
    lower = 0
    for limit, value in weights.dpd_curve:
        label = f"DPD {lower}+" if limit is None else f"DPD {lower}-{limit}"
        bands.append((limit, value, label))
        if limit is not None:
            lower = limit + 1
    return bands


def priority_sql(weights: PriorityWeights, source: str, currencies: str) -> str:
    """The domain heuristic (`arrears.domain.workflow.priority.priority`) as one query.

    `source` has case_id, dpd, balance (DECIMAL), currency, promise_due_today and
    broken_promise (booleans); `currencies` has currency, factor (10^minor units, DECIMAL)
    and unit (10^-minor units, DECIMAL). Returns case_id, currency, dpd, probability,
    expected_value (DECIMAL(38, 4), rounded half-even to the currency's minor unit) and
    reasons (the components, as the domain explains them).
    """
    s = _scale(weights)
    bands = _bands(weights)
    base_cases = " ".join(
        f"WHEN dpd <= {limit} THEN {_dec(value, s)}" for limit, value, _ in bands[:-1]
    )
    base = f"CASE {base_cases} ELSE {_dec(bands[-1][1], s)} END"
    label_cases = " ".join(
        f"WHEN dpd <= {limit} THEN {_text(f'dpd {value} (base probability for {label})')}"
        for limit, value, label in bands[:-1]
    )
    last = bands[-1]
    label = (
        f"CASE {label_cases} ELSE {_text(f'dpd {last[1]} (base probability for {last[2]})')} END"
    )
    if len(bands) == 1:
        base = _dec(last[1], s)
        label = _text(f"dpd {last[1]} (base probability for {last[2]})")
    due = _dec(weights.promise_due_today, s)
    broken = _dec(weights.broken_promise, s)
    due_text = _text(f" + promise_due_today {weights.promise_due_today} (a promise is due)")
    broken_text = _text(f" + broken_promise {weights.broken_promise} (follow up a broken promise)")
    one = _dec(Decimal(1), s)
    zero = _dec(Decimal(0), s)

    def shown(value: str) -> str:
        # a DECIMAL(38, 4) that is whole in minor units, printed with the currency's digits
        return (
            f"CASE WHEN minor = 0 THEN left(CAST({value} AS VARCHAR), "
            f"length(CAST({value} AS VARCHAR)) - {MONEY_SCALE + 1}) "
            f"ELSE left(CAST({value} AS VARCHAR), "
            f"length(CAST({value} AS VARCHAR)) - ({MONEY_SCALE} - minor)) END"
        )

    def half_even(value: str) -> str:
        scaled = f"({value}) * factor"
        floor = f"floor({scaled})"
        rest = f"{scaled} - {floor}"
        bump = (
            f"CASE WHEN {rest} > 0.5 THEN 1 WHEN {rest} < 0.5 THEN 0 "
            f"WHEN {floor} % 2 = 0 THEN 0 ELSE 1 END"
        )
        return f"CAST(({floor} + {bump}) * unit AS DECIMAL(38, {MONEY_SCALE}))"

    return f"""
WITH parts AS (
  SELECT s.case_id, s.currency, s.dpd, CAST(s.balance AS DECIMAL(38, {MONEY_SCALE})) AS balance,
         {base} AS base, {label} AS base_text,
         CASE WHEN s.promise_due_today THEN {due} ELSE {zero} END AS due_part,
         CASE WHEN s.promise_due_today THEN {due_text} ELSE '' END AS due_text,
         CASE WHEN s.broken_promise THEN {broken} ELSE {zero} END AS broken_part,
         CASE WHEN s.broken_promise THEN {broken_text} ELSE '' END AS broken_text,
         c.factor, c.unit, c.minor
  FROM {source} s JOIN {currencies} c ON c.currency = s.currency
), probable AS (
  SELECT *, least({one}, base + due_part + broken_part) AS probability FROM parts
), valued AS (
  SELECT *, {half_even("balance * probability")} AS expected_value,
         {half_even("balance")} AS balance_shown
  FROM probable
)
SELECT case_id, currency, dpd, probability, expected_value,
       {shown("expected_value")} || ' ' || currency || ' = balance '
         || {shown("balance_shown")} || ' ' || currency || ' x min(1, '
         || base_text || due_text || broken_text || ')' AS reasons
FROM valued
"""


def ranked_sql(priorities: str) -> str:
    """Day order (D61): by expected value within a currency, currencies interleaved by their
    fractional position; ties by DPD then case id, as `rank()` in the domain."""
    return f"""
WITH positioned AS (
  SELECT *, row_number() OVER (
           PARTITION BY currency ORDER BY expected_value DESC, dpd DESC, case_id) AS position,
         count(*) OVER (PARTITION BY currency) AS in_currency
  FROM {priorities}
)
SELECT *, row_number() OVER (
         ORDER BY (CAST(position AS DOUBLE) - 0.5) / in_currency, currency, case_id) AS day_rank
FROM positioned
"""


def currency_table(currencies: Iterable[str]) -> pa.Table:
    """currency, minor, factor (10^minor) and unit (10^-minor) for the currencies present."""
    names = sorted(set(currencies))
    digits = [minor_units(c) for c in names]
    for name, places in zip(names, digits, strict=True):
        if places > MONEY_SCALE:
            raise InvalidInput(f"{name} has {places} minor digits; money is stored with 4")
    return pa.table(
        {
            "currency": pa.array(names, pa.string()),
            "minor": pa.array(digits, pa.int32()),
            "factor": pa.array([Decimal(10) ** d for d in digits], pa.decimal128(18, 0)),
            "unit": pa.array(
                [Decimal(1).scaleb(-d) for d in digits], pa.decimal128(18, MONEY_SCALE)
            ),
        }
    )


# ------------------------------------------------------------------- reading the inputs


def _candidates_query(day: dt.date) -> Any:
    ca, c, b, p = w.case_assignments, w.cases, t.borrowers, w.promises
    due_today = exists().where(
        p.c.case_id == c.c.case_id, p.c.status == "pending", p.c.due_on == day
    )
    follow_up = and_(c.c.follow_up_on.is_not(None), c.c.follow_up_on <= day)
    return (
        select(
            ca.c.case_id,
            ca.c.stage_id,
            ca.c.dpd,
            ca.c.overdue_total,
            ca.c.currency,
            type_coerce(case((due_today, True), else_=False), Boolean()),
            type_coerce(case((follow_up, True), else_=False), Boolean()),
            b.c.language,
            c.c.collector_id,
        )
        .join_from(ca, c, c.c.case_id == ca.c.case_id)
        .join(b, b.c.id == c.c.borrower_id)
        .where(
            ca.c.business_date == day,
            or_(c.c.state.in_(WORKED_STATES), and_(c.c.state.in_(FOLLOW_UP_STATES), follow_up)),
            or_(c.c.hold_until.is_(None), c.c.hold_until < day),
            c.c.referral.is_(None),
        )
        .order_by(ca.c.case_id)
    )


CANDIDATES = pa.schema(
    [
        ("case_id", pa.string()),
        ("stage_id", pa.string()),
        ("dpd", pa.int64()),
        ("balance", pa.decimal128(38, MONEY_SCALE)),
        ("currency", pa.string()),
        ("promise_due_today", pa.bool_()),
        ("broken_promise", pa.bool_()),
        ("language", pa.string()),
        ("current_collector", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class _Collector:
    collector_id: str
    languages: tuple[str, ...]
    stages: tuple[str, ...]  # empty: every stage
    capacity: int


def _active_collectors(conn: Connection) -> list[_Collector]:
    col = w.collectors
    rows = conn.execute(
        select(col.c.collector_id, col.c.languages, col.c.stages, col.c.capacity)
        .where(col.c.active.is_(True))
        .order_by(col.c.collector_id)
    ).all()
    return [
        _Collector(
            r.collector_id,
            tuple(dict.fromkeys(primary_tag(x) for x in _split(r.languages))),
            tuple(dict.fromkeys(_split(r.stages))),
            int(r.capacity),
        )
        for r in rows
    ]


# ----------------------------------------------------------------- the cycle step


def _continuity(book: SqlEngine) -> None:
    """Over every candidate (`wl_ranked`, in the cycle's engine): `wl_assigned` holds the
    cases that stay with their collector, `wl_pending` the others that the spare capacity of
    their pool could ever take (at most the floor's capacity per pool)."""
    book.create_table(
        "wl_assigned",
        """
SELECT case_id, collector_id, 0 AS round FROM (
  SELECT r.case_id, r.current_collector AS collector_id, c.capacity - c.used AS spare,
         row_number() OVER (PARTITION BY r.current_collector ORDER BY r.day_rank) AS k
  FROM wl_ranked r
  JOIN wl_eligible e ON e.collector_id = r.current_collector AND e.stage_id = r.stage_id
                    AND e.lang = r.lang
  JOIN wl_collectors c ON c.collector_id = r.current_collector
  WHERE NOT r.kept
) WHERE k <= spare
""",
    )
    # waiting cases, cut to what the pool's spare capacity could ever take
    book.create_table(
        "wl_pending",
        """
WITH spare AS (
  SELECT c.collector_id, c.capacity - c.used - count(a.case_id) AS spare
  FROM wl_collectors c LEFT JOIN wl_assigned a ON a.collector_id = c.collector_id
  GROUP BY c.collector_id, c.capacity, c.used
), pool AS (
  SELECT e.stage_id, e.lang, sum(s.spare) AS room
  FROM wl_eligible e JOIN spare s ON s.collector_id = e.collector_id
  GROUP BY e.stage_id, e.lang
), waiting AS (
  SELECT r.case_id, r.stage_id, r.lang, r.day_rank,
         row_number() OVER (PARTITION BY r.stage_id, r.lang ORDER BY r.day_rank) AS pos
  FROM wl_ranked r
  WHERE NOT r.kept AND r.case_id NOT IN (SELECT case_id FROM wl_assigned)
)
SELECT w.case_id, w.stage_id, w.lang, w.day_rank
FROM waiting w JOIN pool p ON p.stage_id = w.stage_id AND p.lang = w.lang
WHERE w.pos <= p.room
""",
    )


def _rounds(book: SqlEngine, *, max_rounds: int) -> int:
    """Rounds and the re-pairing pass over `wl_assigned` and `wl_pending`; leaves `wl_final`
    (case_id, collector_id). Returns the number of rounds run."""
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        book.create_table(
            "wl_round",
            f"""
WITH used AS (
  SELECT collector_id, count(*) AS n FROM wl_assigned GROUP BY collector_id
), spare AS (
  SELECT c.collector_id, c.used + coalesce(u.n, 0) AS load
  FROM wl_collectors c LEFT JOIN used u ON u.collector_id = c.collector_id
  WHERE c.capacity - c.used - coalesce(u.n, 0) > 0
), slots AS (
  SELECT e.stage_id, e.lang, s.collector_id,
         row_number() OVER (PARTITION BY e.stage_id, e.lang ORDER BY s.load, s.collector_id)
           AS pos
  FROM wl_eligible e JOIN spare s ON s.collector_id = e.collector_id
), waiting AS (
  SELECT p.case_id, p.stage_id, p.lang, p.day_rank,
         row_number() OVER (PARTITION BY p.stage_id, p.lang ORDER BY p.day_rank) AS pos
  FROM wl_pending p
  WHERE p.case_id NOT IN (SELECT case_id FROM wl_assigned)
), offers AS (
  SELECT w.case_id, s.collector_id, w.day_rank,
         row_number() OVER (PARTITION BY s.collector_id ORDER BY w.day_rank) AS choice
  FROM waiting w JOIN slots s ON s.stage_id = w.stage_id AND s.lang = w.lang AND s.pos = w.pos
)
SELECT case_id, collector_id, {rounds} AS round FROM offers WHERE choice = 1
""",
        )
        taken = book.query_arrow("SELECT count(*) AS n FROM wl_round").column("n")[0].as_py()
        if not taken:
            break
        book.create_table("wl_next", "SELECT * FROM wl_assigned UNION ALL SELECT * FROM wl_round")
        book.create_table("wl_assigned", "SELECT * FROM wl_next")
    # re-pair within each pool: its best ranked cases are the ones assigned (counts kept)
    book.create_table(
        "wl_final",
        """
WITH moved AS (
  SELECT a.case_id, a.collector_id, p.stage_id, p.lang, p.day_rank
  FROM wl_assigned a JOIN wl_pending p ON p.case_id = a.case_id WHERE a.round > 0
), cases_in_order AS (
  SELECT case_id, stage_id, lang,
         row_number() OVER (PARTITION BY stage_id, lang ORDER BY day_rank) AS pos
  FROM wl_pending
), holders AS (
  SELECT collector_id, stage_id, lang,
         row_number() OVER (PARTITION BY stage_id, lang ORDER BY day_rank) AS pos
  FROM moved
)
SELECT c.case_id, h.collector_id
FROM cases_in_order c JOIN holders h ON h.stage_id = c.stage_id AND h.lang = c.lang
                                     AND h.pos = c.pos
UNION ALL
SELECT case_id, collector_id FROM wl_assigned WHERE round = 0
""",
    )
    return rounds


ITEM_COLUMNS = (
    "business_date",
    "case_id",
    "collector_id",
    "queue",
    "rank",
    "expected_value",
    "currency",
    "reasons",
    "status",
)


def step_build_worklists(ctx: CycleContext, conn: Connection) -> int:
    """Build the business date's worklists (replacing its open items); returns items written.

    Reads `case_assignments` for the date, so it runs after `case_segmentation`.
    """
    day = ctx.business_date
    items = w.worklist_items
    kept_rows = conn.execute(
        select(items.c.case_id, items.c.collector_id).where(
            items.c.business_date == day, items.c.status.in_(KEPT_STATUSES)
        )
    ).all()
    collectors = _active_collectors(conn)
    stage_ids = [s.stage_id for s in ctx.strategy.stages]
    used: dict[str, int] = {}
    for row in kept_rows:  # per kept item (claimed / done today), not per case of the book
        if row.collector_id is not None:
            used[row.collector_id] = used.get(row.collector_id, 0) + 1
    book = ctx.book
    book.register_arrow("wl_candidates", read_arrow(conn, _candidates_query(day), CANDIDATES))
    book.register_arrow(
        "wl_kept", pa.table({"case_id": pa.array([r.case_id for r in kept_rows], pa.string())})
    )
    book.register_arrow(
        "wl_collectors",
        pa.table(
            {
                "collector_id": pa.array([c.collector_id for c in collectors], pa.string()),
                "capacity": pa.array([c.capacity for c in collectors], pa.int64()),
                "used": pa.array([used.get(c.collector_id, 0) for c in collectors], pa.int64()),
            }
        ),
    )
    eligible = [
        (c.collector_id, stage, lang)
        for c in collectors
        for stage in (c.stages or stage_ids)
        for lang in c.languages
    ]
    book.register_arrow(
        "wl_eligible",
        pa.table(
            {
                "collector_id": pa.array([e[0] for e in eligible], pa.string()),
                "stage_id": pa.array([e[1] for e in eligible], pa.string()),
                "lang": pa.array([e[2] for e in eligible], pa.string()),
            }
        ),
    )
    present = book.query_arrow("SELECT DISTINCT currency FROM wl_candidates")
    book.register_arrow("wl_currencies", currency_table(present.column(0).to_pylist()))
    book.create_table(
        "wl_priority", priority_sql(ctx.strategy.priority, "wl_candidates", "wl_currencies")
    )
    book.create_table(
        "wl_ranked",
        f"""
SELECT r.*, c.stage_id, c.current_collector,
       lower(split_part(replace(c.language, '_', '-'), '-', 1)) AS lang,
       c.case_id IN (SELECT case_id FROM wl_kept) AS kept
FROM ({ranked_sql("wl_priority")}) r JOIN wl_candidates c ON c.case_id = r.case_id
""",
    )
    _continuity(book)
    # the rounds touch at most the floor's capacity per pool: an embedded DuckDB runs them
    # (a round is one small query there, but a job on Spark)
    local = book if book.name == "duckdb" else make_engine("duckdb")
    try:
        if local is not book:
            for name in ("wl_collectors", "wl_eligible", "wl_assigned", "wl_pending"):
                local.register_arrow(name, book.query_arrow(f"SELECT * FROM {name}"))
        _rounds(local, max_rounds=sum(c.capacity for c in collectors) + 1)
        if local is not book:
            book.register_arrow("wl_final", local.query_arrow("SELECT * FROM wl_final"))
    finally:
        if local is not book:
            local.close()
    result = book.query_arrow(
        """
SELECT r.case_id, f.collector_id, r.stage_id || ':' || r.lang AS queue, r.day_rank AS rank,
       r.expected_value, r.currency, r.reasons
FROM wl_ranked r LEFT JOIN wl_final f ON f.case_id = r.case_id
WHERE NOT r.kept
ORDER BY r.day_rank
"""
    )
    conn.execute(delete(items).where(items.c.business_date == day, items.c.status == "open"))
    columns = [col.to_pylist() for col in result.columns]
    written = bulk_insert(
        conn,
        items,
        ITEM_COLUMNS,
        ((day, *row, "open") for row in zip(*columns, strict=True)),
    )
    _record_new_owners(conn, day, actor=f"cycle:{ctx.run_id}")
    return written


def _record_new_owners(conn: Connection, day: dt.date, *, actor: str) -> int:
    """Cases whose collector changed today keep it from now on (continuity), with an event."""
    c, wi = w.cases, w.worklist_items
    today = and_(
        wi.c.business_date == day,
        wi.c.case_id == c.c.case_id,
        wi.c.status == "open",
        wi.c.collector_id.is_not(None),
    )
    changed = exists().where(
        today, or_(c.c.collector_id.is_(None), c.c.collector_id != wi.c.collector_id)
    )
    now = utc_now()
    new_owner = select(wi.c.collector_id).where(today).scalar_subquery()
    events = select(
        c.c.case_id,
        literal(now, UtcDateTime()),
        literal("assigned"),
        c.c.collector_id,
        new_owner,
        case((c.c.collector_id.is_(None), "worklist_new"), else_="worklist_reallocated"),
        literal(f"worklist of {day.isoformat()}"),
        literal(actor),
        literal(SYSTEM_ROLE),
    ).where(changed)
    conn.execute(
        insert(w.case_events).from_select(
            [
                "case_id",
                "at",
                "kind",
                "before",
                "after",
                "reason",
                "note",
                "actor_id",
                "actor_role",
            ],
            events,
        )
    )
    result = conn.execute(
        update(c)
        .where(changed)
        .values(collector_id=new_owner, version=c.c.version + 1, updated_at=now)
    )
    return int(result.rowcount or 0)


# ------------------------------------------------------------------------ day work


@dataclass(frozen=True, slots=True)
class WorkItem:
    business_date: dt.date
    case_id: str
    collector_id: str | None  # None: the team queue
    queue: str
    rank: int
    expected_value: Money
    reasons: str
    status: str
    claimed_by: str | None
    claimed_at: dt.datetime | None


ClaimedItem = WorkItem


def _item(row: Any) -> WorkItem:
    return WorkItem(
        business_date=row.business_date,
        case_id=row.case_id,
        collector_id=row.collector_id,
        queue=row.queue,
        rank=int(row.rank),
        # stored with four decimals, whole in minor units: shown with the currency's digits
        expected_value=Money(row.expected_value, row.currency).rounded(),
        reasons=row.reasons,
        status=row.status,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
    )


def _collector(conn: Connection, collector_id: str) -> Any:
    row = conn.execute(
        select(w.collectors).where(w.collectors.c.collector_id == collector_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no collector {collector_id!r}")
    return row


def _claimable(collector: Any, business_date: dt.date) -> tuple[ColumnElement[bool], Any]:
    """Where the collector may claim from, and the order: own list first, then the queues of
    their stages and languages, each by rank."""
    wi = w.worklist_items
    languages = [primary_tag(x) for x in _split(collector.languages)]
    stages = _split(collector.stages)
    if stages:
        queues: ColumnElement[bool] = wi.c.queue.in_(
            [queue_name(s, lang) for s in stages for lang in languages]
        )
    else:
        queues = or_(*(wi.c.queue.like(f"%:{lang}") for lang in languages))
    where = and_(
        wi.c.business_date == business_date,
        wi.c.status.in_(CLAIMABLE),
        or_(
            wi.c.collector_id == collector.collector_id,
            and_(wi.c.collector_id.is_(None), queues),
        ),
    )
    order = (case((wi.c.collector_id.is_(None), 1), else_=0), wi.c.rank, wi.c.case_id)
    return where, order


def claim_next(
    uow_factory: Callable[[], SqlUnitOfWork], *, collector_id: str, business_date: dt.date
) -> ClaimedItem | None:
    """Claim the collector's next case for the day, or None when nothing is left.

    Safe under concurrency: two collectors never get the same item (PostgreSQL skips rows
    another transaction has locked; SQLite serialises claims on its single writer lock).
    """
    wi = w.worklist_items
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        marks = {"status": "claimed", "claimed_by": collector_id, "claimed_at": now}
        row: Any
        if conn.dialect.name == "postgresql":
            collector = _collector(conn, collector_id)
            if not collector.active:
                raise Conflict(f"collector {collector_id} is not active")
            where, order = _claimable(collector, business_date)
            key = conn.execute(
                select(wi.c.case_id)
                .where(where)
                .order_by(*order)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalar_one_or_none()
            if key is None:
                return None
            row = conn.execute(
                update(wi)
                .where(wi.c.business_date == business_date, wi.c.case_id == key)
                .values(**marks)
                .returning(*wi.c)
            ).one()
        else:
            # single writer: the UPDATE is the transaction's first statement, so it takes
            # the write lock at once and reads the latest committed state (D64)
            row = conn.execute(
                update(wi)
                .where(
                    wi.c.business_date == business_date,
                    wi.c.case_id == _sqlite_next(collector_id, business_date),
                )
                .values(**marks)
                .returning(*wi.c)
            ).one_or_none()
            collector = _collector(conn, collector_id)
            if not collector.active:
                raise Conflict(f"collector {collector_id} is not active")
            if row is None:
                return None
        item = _item(row)
        _case_event(
            conn,
            case_id=item.case_id,
            at=now,
            kind="worklist_claimed",
            before=item.collector_id,
            after=collector_id,
            note=f"{item.queue} rank {item.rank}",
            actor=collector_id,
            role=Role.COLLECTOR.value,
        )
        uow.audit.record(
            actor=collector_id,
            action="case:worklist:claimed",
            subject_type="case",
            subject_id=item.case_id,
            after={
                "business_date": business_date.isoformat(),
                "queue": item.queue,
                "rank": item.rank,
            },
        )
        uow.commit()
        return item


def _sqlite_next(collector_id: str, business_date: dt.date) -> Any:
    """The next claimable case id as a scalar subquery (the collector read inside it)."""
    wi, col = w.worklist_items, w.collectors
    me = (
        select(col.c.languages, col.c.stages)
        .where(col.c.collector_id == collector_id, col.c.active.is_(True))
        .subquery()
    )
    # languages and stages are found as whole words in the space-padded lists (no split)
    padded_langs = literal(" ") + me.c.languages + literal(" ")
    padded_stages = literal(" ") + me.c.stages + literal(" ")
    queue_stage = func.substr(wi.c.queue, 1, func.instr(wi.c.queue, ":") - 1)
    queue_lang = func.substr(wi.c.queue, func.instr(wi.c.queue, ":") + 1)
    in_queue = and_(
        wi.c.collector_id.is_(None),
        func.instr(padded_langs, literal(" ") + queue_lang + literal(" ")) > 0,
        or_(
            func.trim(me.c.stages) == "",
            func.instr(padded_stages, literal(" ") + queue_stage + literal(" ")) > 0,
        ),
    )
    return (
        select(wi.c.case_id)
        .select_from(wi.join(me, true()))
        .where(
            wi.c.business_date == business_date,
            wi.c.status.in_(CLAIMABLE),
            or_(wi.c.collector_id == collector_id, in_queue),
        )
        .order_by(case((wi.c.collector_id.is_(None), 1), else_=0), wi.c.rank, wi.c.case_id)
        .limit(1)
        .scalar_subquery()
    )


def _case_event(
    conn: Connection,
    *,
    case_id: str,
    at: dt.datetime,
    kind: str,
    before: str | None,
    after: str | None,
    note: str,
    actor: str,
    role: str,
    reason: str | None = None,
) -> None:
    conn.execute(
        insert(w.case_events).values(
            case_id=case_id,
            at=at,
            kind=kind,
            before=before,
            after=after,
            reason=reason,
            note=note,
            actor_id=actor,
            actor_role=role,
        )
    )


def _own_claim(conn: Connection, business_date: dt.date, case_id: str, collector_id: str) -> Any:
    wi = w.worklist_items
    row = conn.execute(
        select(wi).where(wi.c.business_date == business_date, wi.c.case_id == case_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"case {case_id} is not on the worklist of {business_date}")
    if row.status != "claimed" or row.claimed_by != collector_id:
        raise Conflict(
            f"case {case_id} is {row.status}"
            + (f" by {row.claimed_by}" if row.claimed_by else "")
            + f", not claimed by {collector_id}"
        )
    return row


def _finish(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    business_date: dt.date,
    case_id: str,
    collector_id: str,
    status: str,
    values: dict[str, Any],
    note: str,
) -> WorkItem:
    wi = w.worklist_items
    with uow_factory() as uow:
        conn = uow.session.connection()
        before = _own_claim(conn, business_date, case_id, collector_id)
        row = conn.execute(
            update(wi)
            .where(
                wi.c.business_date == business_date,
                wi.c.case_id == case_id,
                wi.c.status == "claimed",
                wi.c.claimed_by == collector_id,
            )
            .values(status=status, **values)
            .returning(*wi.c)
        ).one_or_none()
        if row is None:  # pragma: no cover - guarded by the read above in this transaction
            raise Conflict(f"case {case_id} changed meanwhile; try again")
        _case_event(
            conn,
            case_id=case_id,
            at=uow.now(),
            kind=f"worklist_{status}",
            before=before.status,
            after=status,
            note=note,
            actor=collector_id,
            role=Role.COLLECTOR.value,
        )
        uow.audit.record(
            actor=collector_id,
            action=f"case:worklist:{status}",
            subject_type="case",
            subject_id=case_id,
            before={"status": before.status, "collector_id": before.collector_id},
            after={"status": status, "collector_id": row.collector_id, "note": note},
        )
        uow.commit()
        return _item(row)


def complete(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    business_date: dt.date,
    case_id: str,
    collector_id: str,
    note: str = "",
) -> WorkItem:
    """The collector finished the case they claimed for the day."""
    return _finish(
        uow_factory,
        business_date=business_date,
        case_id=case_id,
        collector_id=collector_id,
        status="done",
        values={},
        note=note,
    )


def release(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    business_date: dt.date,
    case_id: str,
    collector_id: str,
    to_queue: bool = False,
    note: str = "",
) -> WorkItem:
    """Give a claimed case back unworked: it is claimable again (status `released`), in the
    collector's own list, or in the team queue of its pool with `to_queue`."""
    values: dict[str, Any] = {"claimed_by": None, "claimed_at": None}
    if to_queue:
        values["collector_id"] = None
    return _finish(
        uow_factory,
        business_date=business_date,
        case_id=case_id,
        collector_id=collector_id,
        status="released",
        values=values,
        note=note,
    )


def _supervisor(role: Role | str, by: str, reason: str) -> Role:
    try:
        checked = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}") from None
    if checked not in SUPERVISOR_ROLES:
        allowed = " or ".join(sorted(r.value for r in SUPERVISOR_ROLES))
        raise Forbidden(f"only a {allowed} may do this, not a {checked.value}", role=checked.value)
    if not by.strip():
        raise InvalidInput("say who does it (by)")
    if not reason.strip():
        raise InvalidInput("a reason is required")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters")
    return checked


def _open_case(conn: Connection, case_id: str) -> Any:
    row = conn.execute(select(w.cases).where(w.cases.c.case_id == case_id)).one_or_none()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    if row.state == "closed":
        raise Conflict(f"case {case_id} is closed")
    return row


def _bump(conn: Connection, current: Any, values: dict[str, Any], now: dt.datetime) -> None:
    c = w.cases
    result = conn.execute(
        update(c)
        .where(c.c.case_id == current.case_id, c.c.version == current.version)
        .values(**values, version=current.version + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise Conflict(f"case {current.case_id} was changed meanwhile; try again")


def reassign(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    case_id: str,
    to_collector: str,
    by: str,
    role: Role | str,
    reason: str,
) -> int:
    """A supervisor moves a case to another collector, from now on (continuity) and on the
    worklists where it is waiting. Returns the number of worklist items moved."""
    checked = _supervisor(role, by, reason)
    wi = w.worklist_items
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        target = _collector(conn, to_collector)
        if not target.active:
            raise Conflict(f"collector {to_collector} is not active")
        current = _open_case(conn, case_id)
        busy = conn.execute(
            select(wi.c.business_date, wi.c.claimed_by).where(
                wi.c.case_id == case_id, wi.c.status == "claimed"
            )
        ).first()
        if busy is not None:
            raise Conflict(
                f"case {case_id} is being worked by {busy.claimed_by} "
                f"({busy.business_date}); it must be completed or released first"
            )
        _bump(conn, current, {"collector_id": to_collector}, now)
        moved = conn.execute(
            update(wi)
            .where(wi.c.case_id == case_id, wi.c.status.in_(CLAIMABLE))
            .values(collector_id=to_collector)
        ).rowcount
        _case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="reassigned",
            before=current.collector_id,
            after=to_collector,
            note=reason,
            actor=by,
            role=checked.value,
        )
        uow.audit.record(
            actor=by,
            action="case:collector:reassigned",
            subject_type="case",
            subject_id=case_id,
            before={"collector_id": current.collector_id},
            after={"collector_id": to_collector, "reason": reason, "role": checked.value},
        )
        uow.commit()
        return int(moved or 0)


def hold(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    case_id: str,
    until: dt.date,
    reason: str,
    by: str,
    role: Role | str,
) -> int:
    """A supervisor keeps a case off the worklists up to and including `until`; its waiting
    items (up to that day) become `held`. Returns the number of items held."""
    checked = _supervisor(role, by, reason)
    wi = w.worklist_items
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        current = _open_case(conn, case_id)
        _bump(conn, current, {"hold_until": until, "hold_reason": reason}, now)
        held = conn.execute(
            update(wi)
            .where(
                wi.c.case_id == case_id,
                wi.c.status.in_((*CLAIMABLE, "claimed")),
                wi.c.business_date <= until,
            )
            .values(status="held", claimed_by=None, claimed_at=None)
        ).rowcount
        _case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="hold",
            before=current.hold_until.isoformat() if current.hold_until else None,
            after=until.isoformat(),
            note=reason,
            actor=by,
            role=checked.value,
        )
        uow.audit.record(
            actor=by,
            action="case:hold:placed",
            subject_type="case",
            subject_id=case_id,
            before={"hold_until": current.hold_until, "hold_reason": current.hold_reason},
            after={"hold_until": until, "hold_reason": reason, "role": checked.value},
        )
        uow.commit()
        return int(held or 0)


def lift_hold(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    case_id: str,
    reason: str,
    by: str,
    role: Role | str,
) -> int:
    """End a supervisor's hold; the case's held items are open again. Returns their number."""
    checked = _supervisor(role, by, reason)
    wi = w.worklist_items
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        current = _open_case(conn, case_id)
        if current.hold_until is None:
            raise Conflict(f"case {case_id} is not on hold")
        _bump(conn, current, {"hold_until": None, "hold_reason": None}, now)
        reopened = conn.execute(
            update(wi).where(wi.c.case_id == case_id, wi.c.status == "held").values(status="open")
        ).rowcount
        _case_event(
            conn,
            case_id=case_id,
            at=now,
            kind="hold_lifted",
            before=current.hold_until.isoformat(),
            after=None,
            note=reason,
            actor=by,
            role=checked.value,
        )
        uow.audit.record(
            actor=by,
            action="case:hold:lifted",
            subject_type="case",
            subject_id=case_id,
            before={"hold_until": current.hold_until, "hold_reason": current.hold_reason},
            after={"reason": reason, "role": checked.value},
        )
        uow.commit()
        return int(reopened or 0)


def worklist_items(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    business_date: dt.date,
    collector_id: str | None = None,
    limit: int | None = None,
) -> tuple[WorkItem, ...]:
    """The day's items by rank: one collector's list (or everything)."""
    wi = w.worklist_items
    query = select(wi).where(wi.c.business_date == business_date)
    if collector_id is not None:
        query = query.where(wi.c.collector_id == collector_id)
    query = query.order_by(wi.c.rank, wi.c.case_id)
    if limit is not None:
        query = query.limit(limit)
    with uow_factory() as uow:
        rows = uow.session.connection().execute(query).all()
    return tuple(_item(r) for r in rows)


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, slots=True)
class QueueLine:
    stage_id: str
    language: str
    collector_id: str | None  # None: the team queue
    items: int
    open: int
    claimed: int
    done: int
    released: int
    held: int


@dataclass(frozen=True, slots=True)
class CollectorLine:
    collector_id: str
    full_name: str
    capacity: int
    assigned: int  # items in their own list today
    done: int

    @property
    def used(self) -> float:
        """Share of the day's capacity taken by the list (display only)."""
        return self.assigned / self.capacity if self.capacity else 0.0


@dataclass(frozen=True, slots=True)
class StageLine:
    stage_id: str
    items: int
    to_collectors: int
    in_queue: int
    done: int


@dataclass(frozen=True, slots=True)
class WorklistSummary:
    business_date: dt.date
    stages: tuple[StageLine, ...]
    queues: tuple[QueueLine, ...]
    collectors: tuple[CollectorLine, ...]

    @property
    def items(self) -> int:
        return sum(s.items for s in self.stages)


def worklist_summary(conn: Connection, business_date: dt.date) -> WorklistSummary:
    """Counts per stage, per pool and owner (collector or team queue), and capacity used."""
    wi, col = w.worklist_items, w.collectors

    def count(status: str) -> Any:
        return func.sum(case((wi.c.status == status, 1), else_=0))

    rows = conn.execute(
        select(
            wi.c.queue,
            wi.c.collector_id,
            func.count(),
            count("open"),
            count("claimed"),
            count("done"),
            count("released"),
            count("held"),
        )
        .where(wi.c.business_date == business_date)
        .group_by(wi.c.queue, wi.c.collector_id)
    ).all()
    queues = []
    for queue, owner, *numbers in rows:  # per (pool, owner): a few hundred rows at most
        stage, _, lang = str(queue).rpartition(":")
        queues.append(QueueLine(stage, lang, owner, *(int(n or 0) for n in numbers)))
    queues.sort(
        key=lambda q: (q.stage_id, q.language, q.collector_id is None, q.collector_id or "")
    )
    stages: dict[str, list[int]] = {}
    for q in queues:
        line = stages.setdefault(q.stage_id, [0, 0, 0, 0])
        line[0] += q.items
        line[1 if q.collector_id else 2] += q.items
        line[3] += q.done
    per_collector = conn.execute(
        select(
            col.c.collector_id,
            col.c.full_name,
            col.c.capacity,
            func.count(wi.c.case_id),
            func.coalesce(func.sum(case((wi.c.status == "done", 1), else_=0)), 0),
        )
        .select_from(
            col.outerjoin(
                wi,
                and_(wi.c.collector_id == col.c.collector_id, wi.c.business_date == business_date),
            )
        )
        .where(col.c.active.is_(True))
        .group_by(col.c.collector_id, col.c.full_name, col.c.capacity)
        .order_by(col.c.collector_id)
    ).all()
    return WorklistSummary(
        business_date=business_date,
        stages=tuple(StageLine(s, *v) for s, v in sorted(stages.items())),
        queues=tuple(queues),
        collectors=tuple(
            CollectorLine(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in per_collector
        ),
    )


# ------------------------------------------------------------------------ collectors


class CollectorSpec(BaseModel):
    """One collector as added on the command line or imported from a file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    collector_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    team: str = Field(default="default", min_length=1, max_length=64)
    languages: tuple[str, ...] = Field(min_length=1)
    stages: tuple[str, ...] = ()
    capacity: int = Field(ge=0, le=MAX_CAPACITY)
    active: bool = True

    @field_validator("languages", "stages", mode="before")
    @classmethod
    def _words(cls, value: object) -> object:
        return tuple(value.split()) if isinstance(value, str) else value

    @field_validator("languages")
    @classmethod
    def _tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        tags = []
        for word in value:
            tag = word.lower()
            if not (2 <= len(tag) <= 3 and tag.isascii() and tag.isalpha()):
                msg = f"{word!r} is not a language primary tag (es, zh, en ...)"
                raise ValueError(msg)
            if tag not in tags:
                tags.append(tag)
        return tuple(tags)


@dataclass(frozen=True, slots=True)
class CollectorChange:
    added: int
    updated: int
    unchanged: int


def _check_stages(spec: CollectorSpec, strategy: Strategy) -> str | None:
    known = {s.stage_id for s in strategy.stages}
    unknown = [s for s in spec.stages if s not in known]
    if unknown:
        return f"unknown stage(s) {', '.join(unknown)}; the strategy has {', '.join(sorted(known))}"
    return None


def _row(spec: CollectorSpec) -> dict[str, Any]:
    return {
        "collector_id": spec.collector_id,
        "full_name": spec.full_name,
        "team": spec.team,
        "languages": " ".join(spec.languages),
        "stages": " ".join(spec.stages),
        "capacity": spec.capacity,
        "active": spec.active,
    }


def _upsert(uow: SqlUnitOfWork, specs: Sequence[CollectorSpec], actor: str) -> CollectorChange:
    col = w.collectors
    conn = uow.session.connection()
    ids = [s.collector_id for s in specs]
    existing = {
        r.collector_id: {k: getattr(r, k) for k in r._fields}
        for r in conn.execute(select(col).where(col.c.collector_id.in_(ids)))
    }
    added = updated = 0
    for spec in specs:  # per collector: a floor has tens or hundreds of them
        row = _row(spec)
        before = existing.get(spec.collector_id)
        if before is None:
            conn.execute(insert(col).values(**row))
            added += 1
        elif before != row:
            conn.execute(update(col).where(col.c.collector_id == spec.collector_id).values(**row))
            updated += 1
        else:
            continue
        uow.audit.record(
            actor=actor,
            action="worklist:collector:added" if before is None else "worklist:collector:updated",
            subject_type="collector",
            subject_id=spec.collector_id,
            before=before,
            after=row,
        )
    return CollectorChange(added, updated, len(specs) - added - updated)


def save_collectors(
    uow_factory: Callable[[], SqlUnitOfWork],
    specs: Sequence[CollectorSpec],
    *,
    actor: str,
    strategy: Strategy | None = None,
) -> CollectorChange:
    """Add or update collectors (by id), all in one transaction, audited."""
    plan = strategy or load_strategy()
    for spec in specs:
        problem = _check_stages(spec, plan)
        if problem:
            raise InvalidInput(f"collector {spec.collector_id}: {problem}")
    with uow_factory() as uow:
        change = _upsert(uow, specs, actor)
        uow.commit()
    return change


CSV_COLUMNS = ("collector_id", "full_name", "team", "languages", "stages", "capacity", "active")
REQUIRED_COLUMNS = ("collector_id", "full_name", "languages", "capacity")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def parse_collectors_csv(path: Path, *, strategy: Strategy | None = None) -> list[CollectorSpec]:
    """Read and validate a collectors file; every bad cell is reported as FILE:ROW:COLUMN."""
    plan = strategy or load_strategy()
    label = path.name
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from None
    errors: list[RowError] = []
    specs: list[CollectorSpec] = []
    seen: dict[str, int] = {}
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        extra = [c for c in header if c not in CSV_COLUMNS]
        errors.extend(
            RowError(file=label, row=1, column=c, reason="required column missing") for c in missing
        )
        errors.extend(
            RowError(
                file=label, row=1, column=c, reason=f"unknown column (use {', '.join(CSV_COLUMNS)})"
            )
            for c in extra
        )
        if errors:
            raise RejectedRows(errors, what=label)
        for line, raw in enumerate(reader, start=2):
            data: dict[str, Any] = {k: v for k, v in raw.items() if k and v not in (None, "")}
            if "stages" in raw and raw.get("stages") is not None:
                data["stages"] = raw["stages"] or ""
            active = str(data.get("active", "true")).strip().lower()
            if active not in _TRUE | _FALSE:
                errors.append(
                    RowError(
                        file=label,
                        row=line,
                        column="active",
                        reason=f"{active!r} is not true/false",
                    )
                )
                continue
            data["active"] = active in _TRUE
            try:
                spec = CollectorSpec.model_validate(data)
            except ValidationError as error:
                errors.extend(
                    RowError(
                        file=label,
                        row=line,
                        column=str(problem["loc"][0]) if problem["loc"] else None,
                        reason=problem["msg"],
                    )
                    for problem in error.errors()
                )
                continue
            problem_text = _check_stages(spec, plan)
            if problem_text:
                errors.append(RowError(file=label, row=line, column="stages", reason=problem_text))
                continue
            if spec.collector_id in seen:
                errors.append(
                    RowError(
                        file=label,
                        row=line,
                        column="collector_id",
                        reason=f"repeats row {seen[spec.collector_id]}",
                    )
                )
                continue
            seen[spec.collector_id] = line
            specs.append(spec)
    if errors:
        raise RejectedRows(errors, what=label)
    if not specs:
        raise InvalidInput(f"{label}: no collectors in the file")
    return specs


def import_collectors(
    uow_factory: Callable[[], SqlUnitOfWork],
    path: Path,
    *,
    actor: str,
    strategy: Strategy | None = None,
) -> CollectorChange:
    """Import a collectors CSV: validated whole first, then written all or nothing."""
    plan = strategy or load_strategy()
    return save_collectors(
        uow_factory, parse_collectors_csv(path, strategy=plan), actor=actor, strategy=plan
    )


_FAKER_LOCALES = {"es": "es_ES", "zh": "zh_CN", "en": "en_US"}
DEMO_STAGES = (("front_row",), ("front_row",), ("back_row",))  # two front, one back


def apportion(counts: dict[str, int], total: int) -> dict[str, int]:
    """Split `total` over the keys in proportion to `counts` (largest remainder, ties by key)."""
    weight = sum(counts.values())
    if weight <= 0 or total <= 0:
        return dict.fromkeys(counts, 0)
    exact = {k: Decimal(total * v) / weight for k, v in counts.items()}
    shares = {k: int(v) for k, v in exact.items()}
    left = total - sum(shares.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - shares[k]), k))[:left]:
        shares[key] += 1
    return shares


def seed_demo_collectors(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    count: int,
    actor: str,
    seed: int = 7,
    strategy: Strategy | None = None,
) -> CollectorChange:
    """A realistic floor for the demo: languages in proportion to the borrowers' (each collector
    speaks one, a third also English), capacities 30-60, two front-row collectors to one
    back-row. Same count and seed, same floor (ids DEMO-001 ...)."""
    from faker import Faker  # noqa: PLC0415 - heavy; only the demo needs it

    if not 1 <= count <= MAX_CAPACITY:
        raise InvalidInput(f"--count must be between 1 and {MAX_CAPACITY}")
    plan = strategy or load_strategy()
    stage_ids = {s.stage_id for s in plan.stages}
    with uow_factory() as uow:
        rows = (
            uow.session.connection()
            .execute(select(t.borrowers.c.language, func.count()).group_by(t.borrowers.c.language))
            .all()
        )
    languages: dict[str, int] = {}
    for language, n in rows:  # per distinct language tag
        tag = primary_tag(language)
        languages[tag] = languages.get(tag, 0) + int(n)
    if not languages:
        raise InvalidInput("no borrowers in the database: import or generate a book first")
    shares = apportion(languages, count)
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    specs: list[CollectorSpec] = []
    number = 0
    for tag in sorted(shares):
        faker = Faker(_FAKER_LOCALES.get(tag, "en_US"))
        faker.seed_instance(seed + number)
        for i in range(shares[tag]):
            number += 1
            stages = tuple(s for s in DEMO_STAGES[i % len(DEMO_STAGES)] if s in stage_ids)
            extra = ("en",) if tag != "en" and i % 3 == 0 else ()
            specs.append(
                CollectorSpec(
                    collector_id=f"DEMO-{number:03d}",
                    full_name=faker.name(),
                    team=f"{tag}-{'back' if 'back_row' in stages else 'front'}",
                    languages=(tag, *extra),
                    stages=stages,
                    capacity=rng.randint(30, 60),
                )
            )
    return save_collectors(uow_factory, specs, actor=actor, strategy=plan)


@dataclass(frozen=True, slots=True)
class CollectorView:
    collector_id: str
    full_name: str
    team: str
    languages: tuple[str, ...]
    stages: tuple[str, ...]
    capacity: int
    active: bool


def list_collectors(uow_factory: Callable[[], SqlUnitOfWork]) -> tuple[CollectorView, ...]:
    col = w.collectors
    with uow_factory() as uow:
        rows = uow.session.connection().execute(select(col).order_by(col.c.collector_id)).all()
    return tuple(
        CollectorView(
            r.collector_id,
            r.full_name,
            r.team,
            _split(r.languages),
            _split(r.stages),
            int(r.capacity),
            bool(r.active),
        )
        for r in rows
    )


__all__ = [
    "CLAIMABLE",
    "KEPT_STATUSES",
    "SUPERVISOR_ROLES",
    "WORKED_STATES",
    "ClaimedItem",
    "CollectorChange",
    "CollectorLine",
    "CollectorSpec",
    "CollectorView",
    "QueueLine",
    "StageLine",
    "WorkItem",
    "WorklistSummary",
    "apportion",
    "claim_next",
    "complete",
    "currency_table",
    "hold",
    "import_collectors",
    "lift_hold",
    "list_collectors",
    "parse_collectors_csv",
    "primary_tag",
    "priority_sql",
    "queue_name",
    "ranked_sql",
    "reassign",
    "release",
    "save_collectors",
    "seed_demo_collectors",
    "step_build_worklists",
    "worklist_items",
    "worklist_summary",
]
