"""Debtor classification: the nightly set-based step, the desk's explanation, facts and overrides.

The rules are the domain's (`arrears.domain.workflow.classification`); this module applies them
in two ways that must agree (tests/unit/workflow/test_classification_sql.py proves they do):

- `explain(...)`: one case, with the domain functions (`summarize`, `facts_from_history`,
  `classify`), every finding and the active override: what the desk shows.
- `step_classification(ctx, conn)`: every open case at once, as ONE query in DuckDB's dialect run
  by the batch engine (no per-case Python): the facts, the findings' texts, the deciding rule and
  the type, then a bulk write of the cases whose type changed, each with a `classified` event.

What each fact is read from (docs/classification.md):
- contacts: `contact_log`, the current version of each record (a record amended by a later one is
  superseded, as in `ContactLog.current`), days read in the borrower's time zone (first address
  with a zone, else the first zone of the first phone with one, else UTC);
- working numbers: the borrower's phone numbers whose latest contact did not end as wrong number,
  not in service or undelivered;
- promises: the stored statuses (evaluated by the earlier promise step); cancelled ones count
  neither way;
- payments: every loan of the borrower, in the window;
- collectors' facts (`case_facts`, the latest of each kind wins): `reason`, `ability` and
  `willingness` (they replace what the contact log suggests), `hardship` (`recorded` / `ended`)
  and `dispute` (`open` / `resolved`);
- overrides (`classification_overrides`): the latest one made up to the business date, while
  active (no end date, or the business date is not past it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
from sqlalchemy import and_, bindparam, insert, or_, select, update

from arrears.adapters.engine.extract import read_table
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.bulk import bulk_insert
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import Conflict, InvalidInput, NotFound
from arrears.domain.model import Payment
from arrears.domain.money import Money
from arrears.domain.workflow.classification import (
    Ability,
    Classification,
    ClassificationPolicy,
    DebtorFacts,
    Override,
    Rule,
    Willingness,
    classify,
    facts_from_history,
)
from arrears.domain.workflow.contact_log import (
    INVALID_ADDRESS,
    ContactLog,
    ContactRecord,
    Outcome,
    summarize,
)
from arrears.domain.workflow.errors import ReasonRequired
from arrears.domain.workflow.promises import PromiseResult, PromiseStatus
from arrears.domain.workflow.reasons import REASONS, DelinquencyReason
from arrears.domain.workflow.vocab import (
    Channel,
    ContactPurpose,
    DebtorType,
    Direction,
    Role,
    TargetKind,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from sqlalchemy import Connection

    from arrears.adapters.engine.base import SqlEngine
    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.services.cycle import CycleContext

SYSTEM_ACTOR = "cycle"
SYSTEM_ROLE = "system"
RESULT_TABLE = "classification"  # the step's result, per open case, in the batch engine
OVERRIDE_REASON = "override"  # case_events.reason when an active override decides the type
EVENT_CLASSIFIED = "classified"
EVENT_FACT = "fact_recorded"
EVENT_OVERRIDE = "classification_overridden"
FACT_KINDS = ("reason", "ability", "willingness", "hardship", "dispute")
HARDSHIP_VALUES = ("recorded", "ended")
DISPUTE_VALUES = ("open", "resolved")
DEFAULT_ZONE = "UTC"
_BORROWER_PARTIES = tuple(k.value for k in TargetKind if k.is_borrower)
_INABILITY = (Ability.CANNOT_PAY.value, Ability.CAN_PAY_PART.value)
UTC_TS = pa.timestamp("us", tz="UTC")


# ----------------------------------------------------------------------- the domain path


@dataclass(frozen=True, slots=True)
class CaseFact:
    """One row of `case_facts`: what a collector recorded (the latest of each kind counts)."""

    kind: str
    value: str
    at: dt.datetime
    seq: int  # the row id: orders facts recorded at the same instant


@dataclass(frozen=True, slots=True)
class StoredOverride:
    override: Override
    seq: int


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """Everything the classification of one case reads, as domain objects."""

    case_id: str
    zone: str  # IANA zone in which contact days are read
    records: tuple[ContactRecord, ...]  # every version, in the order they were logged
    numbers: tuple[str, ...]  # the borrower's phone numbers
    promises: tuple[PromiseResult, ...]  # stored results, cancelled ones left out
    payments: tuple[Payment, ...]  # the borrower's payments, every loan
    facts: tuple[CaseFact, ...] = ()
    overrides: tuple[StoredOverride, ...] = ()


def borrower_zone(
    address_zones: Iterable[tuple[int, str | None]], phone_zones: Iterable[tuple[int, str]]
) -> str:
    """The zone for reading contact days: the first address (by id) with a zone, else the first
    zone of the first phone (by id) that has one, else UTC."""
    for _, zone in sorted(address_zones):
        if zone:
            return zone
    for _, zones in sorted(phone_zones):
        if zones.strip():
            return zones.strip().split(" ")[0]
    return DEFAULT_ZONE


def _day(instant: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return instant.astimezone(zone).date()


def _latest_facts(facts: Iterable[CaseFact], *, as_of: dt.date, zone: dt.tzinfo) -> dict[str, str]:
    latest: dict[str, CaseFact] = {}
    for fact in sorted(facts, key=lambda f: (f.at, f.seq)):
        if _day(fact.at, zone) <= as_of:
            latest[fact.kind] = fact
    return {kind: fact.value for kind, fact in latest.items()}


def latest_override(
    overrides: Iterable[StoredOverride], *, as_of: dt.date, zone: dt.tzinfo
) -> Override | None:
    """The latest override made up to `as_of` (active or not: `classify` checks its end)."""
    made = [o for o in overrides if _day(o.override.at, zone) <= as_of]
    if not made:
        return None
    return max(made, key=lambda o: (o.override.at, o.seq)).override


def facts_of_history(
    history: CaseHistory, *, as_of: dt.date, policy: ClassificationPolicy
) -> tuple[DebtorFacts, Override | None]:
    """The facts the rules read and the latest override, from one case's history."""
    zone = _zone(history.zone)
    current = ContactLog(history.case_id, history.records).current()
    summary = summarize(current, as_of=as_of, window_days=policy.window_days, tz=zone)
    recorded = _latest_facts(history.facts, as_of=as_of, zone=zone)
    reason = recorded.get("reason")
    ability = recorded.get("ability")
    facts = facts_from_history(
        as_of=as_of,
        summary=summary,
        borrower_addresses=history.numbers,
        promise_results=history.promises,
        payments=history.payments,
        policy=policy,
        reason=DelinquencyReason(reason) if reason is not None else None,
        stated_ability=Ability(ability) if ability is not None else None,
        dispute_open=recorded.get("dispute") == "open",
    )
    willingness = recorded.get("willingness")
    if willingness is not None:
        facts = replace(facts, stated_willingness=Willingness(willingness))
    if recorded.get("hardship") == "recorded":
        facts = replace(facts, hardship_recorded=True)
    return facts, latest_override(history.overrides, as_of=as_of, zone=zone)


def classify_history(
    history: CaseHistory, *, as_of: dt.date, policy: ClassificationPolicy
) -> Classification:
    """The domain's classification of one case from its history (the oracle of the SQL)."""
    facts, override = facts_of_history(history, as_of=as_of, policy=policy)
    return classify(facts, policy, override=override)


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}") from None


def note_of(classification: Classification) -> str:
    """The text stored with a `classified` event: one line per finding, then the override."""
    return "\n".join(classification.explain())


# ------------------------------------------------------------------------ the set-based step


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema(list(fields))


SCHEMAS: dict[str, pa.Schema] = {
    "cls_cases": _schema(
        ("case_id", pa.string()),
        ("borrower_pk", pa.int64()),
        ("debtor_type", pa.string()),
        ("version", pa.int64()),
    ),
    "cls_contacts": _schema(
        ("case_id", pa.string()),
        ("record_id", pa.string()),
        ("at", UTC_TS),
        ("direction", pa.string()),
        ("party", pa.string()),
        ("address", pa.string()),
        ("outcomes", pa.string()),
        ("amends", pa.string()),
    ),
    "cls_phones": _schema(
        ("borrower_pk", pa.int64()),
        ("phone_pk", pa.int64()),
        ("e164", pa.string()),
        ("time_zones", pa.string()),
    ),
    "cls_addresses": _schema(
        ("borrower_pk", pa.int64()),
        ("address_pk", pa.int64()),
        ("time_zone", pa.string()),
    ),
    "cls_facts": _schema(
        ("case_id", pa.string()),
        ("fact_pk", pa.int64()),
        ("kind", pa.string()),
        ("value", pa.string()),
        ("at", UTC_TS),
    ),
    "cls_overrides": _schema(
        ("case_id", pa.string()),
        ("override_pk", pa.int64()),
        ("debtor_type", pa.string()),
        ("reason", pa.string()),
        ("made_by", pa.string()),
        ("at", UTC_TS),
        ("until", pa.date32()),
    ),
    "cls_promises": _schema(("case_id", pa.string()), ("status", pa.string())),
    "cls_payments": _schema(("borrower_pk", pa.int64()), ("paid_on", pa.date32())),
    "cls_reasons": _schema(
        ("code", pa.string()),
        ("description", pa.string()),
        ("suggests", pa.string()),
        ("temporary", pa.bool_()),
    ),
}


def reasons_table() -> pa.Table:
    """The reason codes with what the rules read from them, from the domain's table."""
    infos = list(REASONS.values())
    return pa.table(
        {
            "code": [i.code.value for i in infos],
            "description": [i.description for i in infos],
            "suggests": [i.suggests.value if i.suggests else None for i in infos],
            "temporary": [i.temporary for i in infos],
        },
        schema=SCHEMAS["cls_reasons"],
    )


def _open_case_queries(as_of: dt.date, policy: ClassificationPolicy) -> dict[str, Any]:
    """Typed Core selects of the rows the step reads: open cases and what belongs to them."""
    c, k, f, o, p = w.cases, w.contact_log, w.case_facts, w.classification_overrides, w.promises
    ph, ad, pay, ln = t.borrower_phones, t.borrower_addresses, t.payments, t.loans
    is_open = c.c.state != "closed"
    open_ids = select(c.c.case_id).where(is_open)
    open_borrowers = select(c.c.borrower_id).where(is_open)
    # a contact's local day is at most 14 hours off its UTC day: read a safe superset
    horizon = dt.datetime.combine(as_of + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    start = as_of - dt.timedelta(days=policy.window_days - 1)
    return {
        "cls_cases": select(c.c.case_id, c.c.borrower_id, c.c.debtor_type, c.c.version).where(
            is_open
        ),
        "cls_contacts": select(
            k.c.case_id,
            k.c.record_id,
            k.c.at,
            k.c.direction,
            k.c.party,
            k.c.address,
            k.c.outcomes,
            k.c.amends,
        ).where(k.c.case_id.in_(open_ids), or_(k.c.at < horizon, k.c.amends.is_not(None))),
        "cls_phones": select(ph.c.borrower_id, ph.c.id, ph.c.e164, ph.c.time_zones).where(
            ph.c.borrower_id.in_(open_borrowers)
        ),
        "cls_addresses": select(ad.c.borrower_id, ad.c.id, ad.c.time_zone).where(
            ad.c.borrower_id.in_(open_borrowers)
        ),
        "cls_facts": select(f.c.case_id, f.c.id, f.c.kind, f.c.value, f.c.at).where(
            f.c.case_id.in_(open_ids), f.c.at < horizon
        ),
        "cls_overrides": select(
            o.c.case_id, o.c.id, o.c.debtor_type, o.c.reason, o.c.by, o.c.at, o.c.until
        ).where(o.c.case_id.in_(open_ids), o.c.at < horizon),
        "cls_promises": select(p.c.case_id, p.c.status).where(p.c.case_id.in_(open_ids)),
        "cls_payments": select(ln.c.borrower_id, pay.c.paid_on)
        .join_from(pay, ln, ln.c.id == pay.c.loan_id)
        .where(
            ln.c.borrower_id.in_(open_borrowers),
            and_(pay.c.paid_on >= start, pay.c.paid_on <= as_of),
        ),
    }


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_quote(v) for v in values) + ")"


def _contains(outcome: Outcome) -> str:
    return f"list_contains(string_split(k.outcomes, ' '), {_quote(outcome.value)})"


def _text(rule: Rule, condition: str, text: str) -> str:
    """One finding's line, as `Classification.explain` writes it, when `condition` holds."""
    return f"CASE WHEN {condition} THEN {_quote(f'{rule}: ')} || {text} END"


def classification_sql(as_of: dt.date, policy: ClassificationPolicy) -> str:
    """One query (DuckDB dialect) over the `cls_*` tables: per open case, the facts, the derived
    and final type, the deciding rule and the findings' text, exactly as `classify_history`."""
    day = f"DATE '{as_of.isoformat()}'"
    start = f"DATE '{(as_of - dt.timedelta(days=policy.window_days - 1)).isoformat()}'"
    window = str(policy.window_days)
    invalid = " OR ".join(_contains(o) for o in sorted(INVALID_ADDRESS))
    refuse = f"willingness = {_quote(Willingness.REFUSES)}"
    r = Rule
    decisive = (
        (r.NO_WORKING_NUMBER, "f_no_number"),
        (r.UNREACHED, "f_unreached"),
        (r.HARDSHIP_RECORDED, "hardship_recorded"),
        (r.REFUSES, "f_refuses"),
        (r.STATES_INABILITY, "f_states"),
        (r.REASON_INABILITY, "f_reason"),
        (r.PARTIAL_EFFORT, "f_partial"),
        (r.BROKEN_PROMISES, "f_broken"),
    )
    decided_by = (
        "CASE "
        + " ".join(f"WHEN {cond} THEN {_quote(rule)}" for rule, cond in decisive)
        + f" ELSE {_quote(r.DEFAULT)} END"
    )
    lines = ",\n        ".join(
        (
            _text(
                r.NO_WORKING_NUMBER,
                "f_no_number",
                "'every known number of the debtor is wrong or out of service'",
            ),
            _text(
                r.UNREACHED,
                "f_unreached",
                "CAST(since_rpc AS VARCHAR) || ' attempts without reaching the debtor (' || "
                "CASE WHEN last_rpc IS NULL THEN 'never reached' ELSE 'last reached ' || "
                "CAST(since_days AS VARCHAR) || ' days ago' END || ')'",
            ),
            _text(r.HARDSHIP_RECORDED, "hardship_recorded", "'hardship was recorded'"),
            _text(r.REFUSES, "f_refuses", "'the debtor refused to pay'"),
            _text(r.STATES_INABILITY, "f_states", "'the debtor says: ' || ability"),
            _text(r.REASON_INABILITY, "f_reason", "'reason for delinquency: ' || description"),
            _text(
                r.PARTIAL_EFFORT,
                "f_partial",
                "CAST(partially_kept AS VARCHAR) || ' promise(s) partly kept and ' || "
                "CAST(payments AS VARCHAR) || ' payment(s) made'",
            ),
            _text(
                r.BROKEN_PROMISES,
                "f_broken",
                f"CAST(broken AS VARCHAR) || ' broken promise(s) and no payment in {window} days'",
            ),
            _text(
                r.REACHED,
                "rpcs > 0",
                f"'reached ' || CAST(rpcs AS VARCHAR) || ' time(s) in {window} days'",
            ),
            _text(r.KEPT_PROMISES, "kept > 0", "CAST(kept AS VARCHAR) || ' promise(s) kept'"),
            _text(r.TEMPORARY_REASON, "temporary", "'usually temporary: ' || description"),
            _text(
                r.DISPUTE_OPEN,
                f"dispute_open OR reason = {_quote(DelinquencyReason.DISPUTE)}",
                "'a dispute is open: answer it before collecting (the case belongs on hold)'",
            ),
            _text(
                r.THIRD_PARTY_USE,
                f"reason = {_quote(DelinquencyReason.THIRD_PARTY_USE)}",
                "'says someone else has the money: the borrower remains the party we deal with'",
            ),
            _text(
                r.DEFAULT,
                f"decided_by = {_quote(r.DEFAULT)}",
                "'no sign of inability or unwillingness'",
            ),
            (
                "CASE WHEN override_active THEN 'override by ' || o_by || ': ' || o_type "
                "|| ' (' || o_reason || ')' END"
            ),
        )
    )
    return f"""
WITH zones AS (
    SELECT c.case_id, c.borrower_pk, c.debtor_type AS stored_type, c.version,
           coalesce(a.zone, p.zone, {_quote(DEFAULT_ZONE)}) AS tz
    FROM cls_cases c
    LEFT JOIN (
        SELECT borrower_pk, arg_min(time_zone, address_pk) AS zone FROM cls_addresses
        WHERE time_zone IS NOT NULL AND time_zone <> '' GROUP BY borrower_pk
    ) a ON a.borrower_pk = c.borrower_pk
    LEFT JOIN (
        SELECT borrower_pk, arg_min(split_part(trim(time_zones), ' ', 1), phone_pk) AS zone
        FROM cls_phones WHERE trim(time_zones) <> '' GROUP BY borrower_pk
    ) p ON p.borrower_pk = c.borrower_pk
),
superseded AS (
    SELECT DISTINCT case_id, amends AS record_id FROM cls_contacts WHERE amends IS NOT NULL
),
records AS (
    SELECT k.case_id, k.record_id, k."at", k.address,
           CAST(k."at" AT TIME ZONE z.tz AS DATE) AS day,
           k.party IN {_in(_BORROWER_PARTIES)} AS borrower,
           k.direction = {_quote(Direction.OUTBOUND)} AS outbound,
           {_contains(Outcome.RIGHT_PARTY_CONTACT)} AS rpc,
           {_contains(Outcome.PROMISE)} AS said_promise,
           {_contains(Outcome.HARDSHIP)} AS said_hardship,
           {_contains(Outcome.REFUSED)} AS said_refused,
           {_contains(Outcome.THREAT)} AS said_threat,
           ({invalid}) AS invalid_reach
    FROM cls_contacts k
    JOIN zones z ON z.case_id = k.case_id
    LEFT JOIN superseded s ON s.case_id = k.case_id AND s.record_id = k.record_id
    WHERE s.record_id IS NULL
),
live AS (
    SELECT *, row_number() OVER (PARTITION BY case_id ORDER BY "at", record_id) AS seq
    FROM records WHERE day <= {day}
),
marked AS (
    SELECT *, max(CASE WHEN borrower AND rpc THEN seq END)
              OVER (PARTITION BY case_id) AS rpc_seq
    FROM live
),
contacts AS (
    SELECT case_id,
           count(*) FILTER (WHERE borrower AND outbound AND day >= {start}) AS attempts,
           count(*) FILTER (WHERE borrower AND rpc AND day >= {start}) AS rpcs,
           arg_max(day, seq) FILTER (WHERE borrower AND rpc) AS last_rpc,
           count(*) FILTER (
               WHERE borrower AND outbound AND NOT rpc AND seq > coalesce(rpc_seq, 0)
           ) AS since_rpc,
           arg_max(day, seq) FILTER (WHERE borrower AND said_promise) AS d_promise,
           arg_max(day, seq) FILTER (WHERE borrower AND said_hardship) AS d_hardship,
           arg_max(day, seq) FILTER (WHERE borrower AND said_refused) AS d_refused,
           arg_max(day, seq) FILTER (WHERE borrower AND said_threat) AS d_threat
    FROM marked GROUP BY case_id
),
address_state AS (
    SELECT case_id, address, arg_max(invalid_reach, seq) AS invalid
    FROM live WHERE borrower GROUP BY case_id, address
),
numbers AS (
    SELECT z.case_id,
           count(DISTINCT p.e164) FILTER (WHERE coalesce(a.invalid, FALSE) = FALSE) AS working
    FROM zones z
    JOIN cls_phones p ON p.borrower_pk = z.borrower_pk
    LEFT JOIN address_state a ON a.case_id = z.case_id AND a.address = p.e164
    GROUP BY z.case_id
),
recorded AS (
    SELECT f.case_id, f.kind, f.value,
           row_number() OVER (
               PARTITION BY f.case_id, f.kind ORDER BY f."at" DESC, f.fact_pk DESC
           ) AS newest
    FROM cls_facts f JOIN zones z ON z.case_id = f.case_id
    WHERE CAST(f."at" AT TIME ZONE z.tz AS DATE) <= {day}
),
facts AS (
    SELECT case_id,
           max(CASE WHEN kind = 'reason' THEN value END) AS f_reason,
           max(CASE WHEN kind = 'ability' THEN value END) AS f_ability,
           max(CASE WHEN kind = 'willingness' THEN value END) AS f_willingness,
           max(CASE WHEN kind = 'hardship' THEN value END) AS f_hardship,
           max(CASE WHEN kind = 'dispute' THEN value END) AS f_dispute
    FROM recorded WHERE newest = 1 GROUP BY case_id
),
overrides AS (
    SELECT o.case_id, o.debtor_type AS o_type, o.reason AS o_reason, o.made_by AS o_by,
           o.until AS o_until,
           row_number() OVER (
               PARTITION BY o.case_id ORDER BY o."at" DESC, o.override_pk DESC
           ) AS newest
    FROM cls_overrides o JOIN zones z ON z.case_id = o.case_id
    WHERE CAST(o."at" AT TIME ZONE z.tz AS DATE) <= {day}
),
promised AS (
    SELECT case_id,
           count(*) FILTER (WHERE status = {_quote(PromiseStatus.KEPT)}) AS kept,
           count(*) FILTER (WHERE status = {_quote(PromiseStatus.PARTIALLY_KEPT)})
               AS partially_kept,
           count(*) FILTER (WHERE status = {_quote(PromiseStatus.BROKEN)}) AS broken
    FROM cls_promises GROUP BY case_id
),
paid AS (
    SELECT borrower_pk, count(*) AS payments FROM cls_payments
    WHERE paid_on >= {start} AND paid_on <= {day} GROUP BY borrower_pk
),
gathered AS (
    SELECT z.case_id, z.stored_type, z.version,
           coalesce(k.attempts, 0) AS attempts,
           coalesce(k.rpcs, 0) AS rpcs,
           k.last_rpc,
           coalesce(k.since_rpc, 0) AS since_rpc,
           coalesce(n.working, 0) AS working,
           CASE WHEN k.d_promise >= {start} THEN k.d_promise END AS s_promise,
           CASE WHEN k.d_hardship >= {start} THEN k.d_hardship END AS s_hardship,
           CASE WHEN k.d_refused >= {start} THEN k.d_refused END AS s_refused,
           CASE WHEN k.d_threat >= {start} THEN k.d_threat END AS s_threat,
           f.f_reason AS reason, f.f_ability, f.f_willingness, f.f_hardship,
           coalesce(f.f_dispute = 'open', FALSE) AS dispute_open,
           coalesce(pr.kept, 0) AS kept,
           coalesce(pr.partially_kept, 0) AS partially_kept,
           coalesce(pr.broken, 0) AS broken,
           coalesce(pd.payments, 0) AS payments,
           o.o_type, o.o_reason, o.o_by, o.o_until,
           coalesce(o.o_type IS NOT NULL AND (o.o_until IS NULL OR o.o_until >= {day}), FALSE)
               AS override_active
    FROM zones z
    LEFT JOIN contacts k ON k.case_id = z.case_id
    LEFT JOIN numbers n ON n.case_id = z.case_id
    LEFT JOIN facts f ON f.case_id = z.case_id
    LEFT JOIN overrides o ON o.case_id = z.case_id AND o.newest = 1
    LEFT JOIN promised pr ON pr.case_id = z.case_id
    LEFT JOIN paid pd ON pd.borrower_pk = z.borrower_pk
),
latest_said AS (
    SELECT *, greatest(s_promise, s_hardship, s_refused, s_threat) AS latest_day
    FROM gathered
),
said AS (
    SELECT *,
           coalesce(s_refused = latest_day, FALSE) OR coalesce(s_threat = latest_day, FALSE)
               AS said_refuses,
           coalesce(s_hardship = latest_day, FALSE) AS said_hardship_last
    FROM latest_said
),
stated AS (
    SELECT s.*,
           coalesce(f_ability, CASE WHEN latest_day IS NULL OR said_refuses
                                    THEN {_quote(Ability.UNKNOWN)}
                                    WHEN said_hardship_last THEN {_quote(Ability.CANNOT_PAY)}
                                    ELSE {_quote(Ability.CAN_PAY)} END) AS ability,
           coalesce(f_willingness, CASE WHEN latest_day IS NULL
                                        THEN {_quote(Willingness.UNKNOWN)}
                                        WHEN said_refuses THEN {_quote(Willingness.REFUSES)}
                                        ELSE {_quote(Willingness.WILLING)} END) AS willingness,
           s_hardship IS NOT NULL OR coalesce(f_hardship = 'recorded', FALSE)
               AS hardship_recorded,
           date_diff('day', last_rpc, {day}) AS since_days,
           rs.description, rs.suggests, coalesce(rs.temporary, FALSE) AS temporary
    FROM said s LEFT JOIN cls_reasons rs ON rs.code = s.reason
),
found AS (
    SELECT *,
           working = 0 AND rpcs = 0 AS f_no_number,
           since_rpc >= {policy.lost_contact_min_attempts}
               AND (last_rpc IS NULL OR since_days >= {policy.lost_contact_days}) AS f_unreached,
           {refuse} OR coalesce(reason = {_quote(DelinquencyReason.UNWILLING)}, FALSE)
               AS f_refuses,
           NOT {refuse} AND ability IN {_in(_INABILITY)} AS f_states,
           NOT {refuse} AND coalesce(suggests = {_quote(DebtorType.WILLING_UNABLE)}, FALSE)
               AS f_reason,
           NOT {refuse} AND partially_kept > 0 AND payments > 0 AS f_partial,
           broken >= {policy.unwilling_broken_promises} AND payments = 0
               AND ability NOT IN {_in(_INABILITY)} AS f_broken
    FROM stated
),
decided AS (
    SELECT *, {decided_by} AS decided_by FROM found
),
typed AS (
    SELECT *,
           CASE WHEN decided_by = {_quote(r.DEFAULT)} THEN {_quote(DebtorType.COOPERATIVE)}
                ELSE split_part(decided_by, '.', 1) END AS derived_type
    FROM decided
)
SELECT case_id, stored_type, version,
       CASE WHEN override_active THEN o_type ELSE derived_type END AS debtor_type,
       derived_type, decided_by,
       CASE WHEN override_active THEN {_quote(OVERRIDE_REASON)} ELSE decided_by END
           AS event_reason,
       concat_ws(chr(10),
        {lines}
       ) AS note,
       attempts, rpcs, last_rpc, since_rpc, working, ability, willingness, hardship_recorded,
       dispute_open, reason, kept, partially_kept, broken, payments
FROM typed
ORDER BY case_id
"""


def derive(book: SqlEngine, *, as_of: dt.date, policy: ClassificationPolicy) -> pa.Table:
    """Run the classification over the `cls_*` tables already registered in `book`."""
    return book.query_arrow(classification_sql(as_of, policy))


def register_inputs(
    book: SqlEngine, conn: Connection, *, as_of: dt.date, policy: ClassificationPolicy
) -> None:
    """Read the open cases' rows from the store and register them in the engine as Arrow."""
    book.register_arrow("cls_reasons", reasons_table())
    for name, query in _open_case_queries(as_of, policy).items():
        book.register_arrow(name, read_table(conn.engine, query, SCHEMAS[name]))


def step_classification(ctx: CycleContext, conn: Connection) -> int:
    """Classify every open case for the business date; write only the changed ones.

    Each change updates `cases.debtor_type` (version + 1, compare-and-set on the version read)
    and appends a `classified` event with the deciding rule and the findings. Returns the number
    of cases changed; a rerun of the same day changes nothing.
    """
    policy = ctx.strategy.classification
    register_inputs(ctx.book, conn, as_of=ctx.business_date, policy=policy)
    # kept in the engine as `classification`: later steps (strategy assignment) may read it
    ctx.book.create_table(RESULT_TABLE, classification_sql(ctx.business_date, policy))
    changed = ctx.book.query_arrow(
        "SELECT case_id, version, stored_type, debtor_type, event_reason, note "
        f"FROM {RESULT_TABLE} WHERE debtor_type <> stored_type ORDER BY case_id"
    )
    # stamped at the business date's close like every cycle write (docs/decisions.md D15), so a
    # resumed run writes exactly what an uninterrupted one does
    stamp = dt.datetime.combine(ctx.business_date, dt.time(23, 59, 59), tzinfo=dt.UTC)
    return write_changes(conn, changed, now=stamp)


def write_changes(conn: Connection, changed: pa.Table, *, now: dt.datetime) -> int:
    """Bulk-write the changed types and their events; refuse if a case moved meanwhile."""
    if changed.num_rows == 0:
        return 0
    cols = {name: changed.column(name).to_pylist() for name in changed.column_names}
    cases = w.cases
    statement = (
        update(cases)
        .where(
            cases.c.case_id == bindparam("b_case_id"),
            cases.c.version == bindparam("b_version"),
        )
        .values(
            debtor_type=bindparam("b_type"),
            version=cases.c.version + 1,
            updated_at=bindparam("b_now", type_=cases.c.updated_at.type),
        )
    )
    params = [
        {"b_case_id": case_id, "b_version": version, "b_type": new, "b_now": now}
        for case_id, version, new in zip(
            cols["case_id"], cols["version"], cols["debtor_type"], strict=True
        )
    ]
    result = conn.execute(statement, params)
    if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(params):
        raise Conflict(
            f"{len(params) - result.rowcount} case(s) changed while they were being classified; "
            "run the step again"
        )
    events = zip(
        cols["case_id"],
        cols["stored_type"],
        cols["debtor_type"],
        cols["event_reason"],
        cols["note"],
        strict=True,
    )
    bulk_insert(
        conn,
        w.case_events,
        ("case_id", "at", "kind", "before", "after", "reason", "note", "actor_id", "actor_role"),
        (
            (case_id, now, EVENT_CLASSIFIED, before, after, reason, note, SYSTEM_ACTOR, SYSTEM_ROLE)
            for case_id, before, after, reason, note in events
        ),
    )
    return len(params)


# ------------------------------------------------------------------------ one case, the desk


def _record(row: Any) -> ContactRecord:
    try:
        return ContactRecord(
            record_id=row.record_id,
            case_id=row.case_id,
            at=row.at,
            logged_at=row.logged_at,
            channel=Channel(row.channel),
            direction=Direction(row.direction),
            address=row.address,
            party=TargetKind(row.party),
            party_id=row.party_id,
            purpose=ContactPurpose(row.purpose),
            outcomes=tuple(Outcome(o) for o in row.outcomes.split()),
            collector_id=row.collector_id,
            notes=row.notes,
            talk_track=row.talk_track,
            duration_seconds=row.duration_seconds,
            attempt_id=row.attempt_id,
            amends=row.amends,
            amend_reason=row.amend_reason,
        )
    except ValueError as error:
        raise InvalidInput(f"contact {row.record_id}: {error}") from None


def _logged_order(records: Sequence[ContactRecord]) -> tuple[ContactRecord, ...]:
    """The records in an order the append-only log accepts: by when they were logged, each
    correction after the record it corrects."""
    by_id = {r.record_id: r for r in records}
    done: set[str] = set()
    ordered: list[ContactRecord] = []

    def emit(record: ContactRecord) -> None:
        chain = [record]
        while chain[-1].amends is not None and chain[-1].amends in by_id:
            chain.append(by_id[chain[-1].amends])
        for item in reversed(chain):
            if item.record_id not in done:
                done.add(item.record_id)
                ordered.append(item)

    for record in sorted(records, key=lambda r: (r.logged_at, r.record_id)):
        emit(record)
    return tuple(ordered)


def load_history(conn: Connection, case_id: str) -> CaseHistory:
    """One case's history from the store, as domain objects."""
    c = w.cases
    case = conn.execute(
        select(c.c.case_id, c.c.borrower_id).where(c.c.case_id == case_id)
    ).one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id!r}")
    borrower = case.borrower_id
    ph, ad, k = t.borrower_phones, t.borrower_addresses, w.contact_log
    phones = conn.execute(
        select(ph.c.id, ph.c.e164, ph.c.time_zones).where(ph.c.borrower_id == borrower)
    ).all()
    addresses = conn.execute(
        select(ad.c.id, ad.c.time_zone).where(ad.c.borrower_id == borrower)
    ).all()
    records = [_record(row) for row in conn.execute(select(k).where(k.c.case_id == case_id))]
    p = w.promises
    promises = tuple(
        PromiseResult(
            promise_id=row.promise_id,
            case_id=row.case_id,
            set_id=row.set_id,
            status=PromiseStatus(row.status),
            amount=Money(row.amount, row.currency),
            credited=Money(row.credited, row.currency),
            deadline=row.deadline,
            follow_up_on=row.follow_up_on,
        )
        for row in conn.execute(select(p).where(p.c.case_id == case_id))
        if row.status in PromiseStatus.__members__.values()
    )
    pay, ln = t.payments, t.loans
    payments = tuple(
        Payment(row.external_id, row.paid_on, Money(row.amount, row.currency))
        for row in conn.execute(
            select(pay.c.external_id, pay.c.paid_on, pay.c.amount, pay.c.currency)
            .join_from(pay, ln, ln.c.id == pay.c.loan_id)
            .where(ln.c.borrower_id == borrower)
        )
    )
    f, o = w.case_facts, w.classification_overrides
    facts = tuple(
        CaseFact(row.kind, row.value, row.at, row.id)
        for row in conn.execute(select(f).where(f.c.case_id == case_id))
    )
    overrides = tuple(
        StoredOverride(
            Override(DebtorType(row.debtor_type), row.reason, row.by, row.at, row.until), row.id
        )
        for row in conn.execute(select(o).where(o.c.case_id == case_id))
    )
    return CaseHistory(
        case_id=case_id,
        zone=borrower_zone(
            ((a.id, a.time_zone) for a in addresses), ((p_.id, p_.time_zones) for p_ in phones)
        ),
        records=_logged_order(records),
        numbers=tuple(p_.e164 for p_ in phones),
        promises=promises,
        payments=payments,
        facts=facts,
        overrides=overrides,
    )


def explain(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    as_of: dt.date,
    *,
    policy: ClassificationPolicy | None = None,
) -> Classification:
    """The domain's classification of one case as of `as_of`, with every finding (the desk's
    "with the reasons shown") and the override in force, if any."""
    rules = policy or load_strategy().classification
    with uow_factory() as uow:
        history = load_history(uow.session.connection(), case_id)
    return classify_history(history, as_of=as_of, policy=rules)


# ------------------------------------------------------------------ facts and overrides


def _fact_value(kind: str, value: str, note: str) -> str:
    allowed: tuple[str, ...]
    if kind == "reason":
        allowed = tuple(r.value for r in DelinquencyReason)
    elif kind == "ability":
        allowed = tuple(a.value for a in Ability)
    elif kind == "willingness":
        allowed = tuple(v.value for v in Willingness)
    elif kind == "hardship":
        allowed = HARDSHIP_VALUES
    elif kind == "dispute":
        allowed = DISPUTE_VALUES
    else:
        raise InvalidInput(
            f"unknown fact kind {kind!r} (expected one of: {', '.join(FACT_KINDS)})", field="kind"
        )
    cleaned = value.strip()
    if cleaned not in allowed:
        raise InvalidInput(
            f"{cleaned!r} is not a {kind} value (expected one of: {', '.join(allowed)})",
            field="value",
        )
    if kind == "reason" and cleaned == DelinquencyReason.OTHER and not note.strip():
        raise ReasonRequired("reason 'other' needs a note that says what the reason is")
    return cleaned


def _open_case(conn: Connection, case_id: str) -> Any:
    c = w.cases
    row = conn.execute(
        select(c.c.case_id, c.c.state, c.c.debtor_type, c.c.version)
        .where(c.c.case_id == case_id)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    if row.state == "closed":
        raise InvalidInput(f"case {case_id} is closed", field="case_id")
    return row


def _actor(by: str) -> str:
    if not by.strip():
        raise InvalidInput("say who records it (by)", field="by")
    return by.strip()


def record_fact(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    kind: str,
    value: str,
    by: str,
    note: str = "",
    role: Role | str = Role.COLLECTOR,
) -> int:
    """Record what a collector learned (a reason code, stated ability or willingness, hardship,
    a dispute) on an open case, with its case event and audit row, in one transaction. The
    nightly classification reads it; returns the fact's id."""
    actor = _actor(by)
    cleaned = _fact_value(kind, value, note)
    with uow_factory() as uow:
        conn = uow.session.connection()
        _open_case(conn, case_id)
        now = uow.now()
        fact_id = conn.execute(
            insert(w.case_facts)
            .values(case_id=case_id, kind=kind, value=cleaned, at=now, by=actor, note=note)
            .returning(w.case_facts.c.id)
        ).scalar_one()
        conn.execute(
            insert(w.case_events).values(
                case_id=case_id,
                at=now,
                kind=EVENT_FACT,
                after=cleaned,
                reason=kind,
                note=note,
                actor_id=actor,
                actor_role=str(role),
            )
        )
        uow.audit.record(
            actor=actor,
            action="case:fact:recorded",
            subject_type="case",
            subject_id=case_id,
            after={"kind": kind, "value": cleaned, "note": note, "fact_id": fact_id},
        )
        uow.commit()
    return int(fact_id)


def override(
    uow_factory: Callable[[], SqlUnitOfWork],
    case_id: str,
    *,
    debtor_type: DebtorType | str,
    reason: str,
    by: str,
    until: dt.date | None = None,
    role: Role | str = Role.COLLECTOR,
) -> DebtorType:
    """Set a case's debtor type by hand, with a reason, until a date (or until changed). The
    derivation stays visible (`explain`); the nightly step keeps the override while it is
    active and returns to the derived type after `until`. One transaction: the override row,
    the case's type, its event and the audit row."""
    try:
        chosen = DebtorType(debtor_type)
    except ValueError:
        raise InvalidInput(
            f"unknown debtor type {debtor_type!r} "
            f"(expected one of: {', '.join(d.value for d in DebtorType)})",
            field="debtor_type",
        ) from None
    if not reason.strip():
        raise ReasonRequired("overriding a debtor's type needs a reason")
    actor = _actor(by)
    with uow_factory() as uow:
        conn = uow.session.connection()
        now = uow.now()
        if until is not None and until < now.date():
            raise InvalidInput(f"the override would end on {until}, which is past", field="until")
        case = _open_case(conn, case_id)
        conn.execute(
            insert(w.classification_overrides).values(
                case_id=case_id,
                debtor_type=chosen.value,
                reason=reason.strip(),
                by=actor,
                at=now,
                until=until,
            )
        )
        if case.debtor_type != chosen.value:
            moved = conn.execute(
                update(w.cases)
                .where(w.cases.c.case_id == case_id, w.cases.c.version == case.version)
                .values(debtor_type=chosen.value, version=case.version + 1, updated_at=now)
            )
            if moved.rowcount != 1:
                raise Conflict(f"case {case_id} was changed by someone else; reload and retry")
        until_text = f" until {until.isoformat()}" if until else ""
        conn.execute(
            insert(w.case_events).values(
                case_id=case_id,
                at=now,
                kind=EVENT_OVERRIDE,
                before=case.debtor_type,
                after=chosen.value,
                reason=OVERRIDE_REASON,
                note=f"{reason.strip()}{until_text}",
                actor_id=actor,
                actor_role=str(role),
            )
        )
        uow.audit.record(
            actor=actor,
            action="case:classification:overridden",
            subject_type="case",
            subject_id=case_id,
            before={"debtor_type": case.debtor_type},
            after={
                "debtor_type": chosen.value,
                "reason": reason.strip(),
                "until": until.isoformat() if until else None,
            },
        )
        uow.commit()
    return chosen


__all__ = [
    "FACT_KINDS",
    "CaseFact",
    "CaseHistory",
    "StoredOverride",
    "borrower_zone",
    "classification_sql",
    "classify_history",
    "derive",
    "explain",
    "facts_of_history",
    "latest_override",
    "load_history",
    "note_of",
    "override",
    "reasons_table",
    "record_fact",
    "register_inputs",
    "step_classification",
    "write_changes",
]
