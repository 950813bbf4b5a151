"""The set-based classification (one DuckDB query) equals the domain's, case by case.

Hypothesis generates per-case histories: contact records with varied channels, parties,
purposes, directions, outcomes, days and hours (near midnight in far-off zones too) and
corrections; collectors' facts; promise statuses (cancelled ones too); payments; overrides
that are active, expired or made after the business date; borrowers with and without zones and
numbers; and the policy's thresholds. For every case the SQL must give exactly the domain's
facts, type, derived type, deciding rule and findings' text (`classify_history`, which is
`classify(facts_from_history(summarize(log.current()), ...))`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.adapters.engine.base import DuckDBEngine
from arrears.adapters.engine.dialects import date_subtractions, transpile
from arrears.domain.model import Payment
from arrears.domain.money import Money
from arrears.domain.workflow.classification import (
    Ability,
    ClassificationPolicy,
    Override,
    Rule,
    Willingness,
)
from arrears.domain.workflow.contact_log import (
    CONVERSATION,
    LIABLE_PARTY_RESULTS,
    REACH_BY_CHANNEL,
    RESULTS,
    ContactRecord,
    Outcome,
)
from arrears.domain.workflow.promises import PromiseResult, PromiseStatus
from arrears.domain.workflow.reasons import DelinquencyReason
from arrears.domain.workflow.vocab import (
    Channel,
    ContactPurpose,
    DebtorType,
    Direction,
    TargetKind,
)
from arrears.services.classification import (
    SCHEMAS,
    CaseFact,
    CaseHistory,
    StoredOverride,
    borrower_zone,
    classification_sql,
    classify_history,
    derive,
    facts_of_history,
    note_of,
    reasons_table,
)

AS_OF = dt.date(2026, 3, 31)
NUMBERS = ("+34600000001", "+34600000002", "+34910000003")
ADDRESSES = (*NUMBERS, "+34999999999", "ana@example.org")
ZONES = ("UTC", "Europe/Madrid", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati")
FACT_VALUES: dict[str, tuple[str, ...]] = {
    "reason": tuple(r.value for r in DelinquencyReason),
    "ability": tuple(a.value for a in Ability),
    "willingness": tuple(v.value for v in Willingness),
    "hardship": ("recorded", "ended"),
    "dispute": ("open", "resolved"),
}
STATUSES = (*(s.value for s in PromiseStatus), "cancelled")
SAID = (Outcome.PROMISE, Outcome.HARDSHIP, Outcome.REFUSED, Outcome.THREAT)
EUR = Money(Decimal("10.00"), "EUR")
# one in-memory DuckDB for the module: the Arrow tables are registered as views, replaced per
# example (planning the query dominates; a fresh database per example would triple the time)
BOOK = DuckDBEngine(threads=1)


# days around the edges the rules read (the business date itself, the window's start, the
# lost-contact threshold) come up often; ties of facts and overrides at one instant too
DAYS = st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-45, 3))
FEW_DAYS = st.one_of(st.sampled_from([-1, 0, 1]), st.integers(-40, 2))


def instant(offset: int, hour: int, minute: int) -> dt.datetime:
    day = AS_OF + dt.timedelta(days=offset)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Generated:
    history: CaseHistory
    borrower_pk: int
    stored_type: str
    addresses: list[tuple[int, str | None]]
    phones: list[tuple[int, str, str]]
    facts: list[tuple[int, str, str, dt.datetime]]
    overrides: list[tuple[int, str, str, str, dt.datetime, dt.date | None]]
    statuses: list[str]
    paid: list[dt.date]


@st.composite
def contact(draw: st.DrawFn, case_id: str, index: int, earlier: list[ContactRecord]) -> Any:
    channel = draw(st.sampled_from(list(Channel)))
    # the borrower's own numbers and right-party contacts come up more often: they carry the rules
    party = draw(st.sampled_from(list(TargetKind)) | st.just(TargetKind.MOBILE))
    if party.is_borrower:
        purpose = ContactPurpose.DEBT
    elif party is TargetKind.REFERENCE:
        purpose = ContactPurpose.LOCATION_ONLY
    else:
        purpose = draw(st.sampled_from([ContactPurpose.LOCATION_ONLY, ContactPurpose.GUARANTEE]))
    liable = party.is_borrower or purpose is ContactPurpose.GUARANTEE
    reaches = sorted(REACH_BY_CHANNEL[channel])
    reach = draw(
        st.sampled_from(reaches)
        | st.sampled_from([o for o in reaches if o in CONVERSATION] or reaches)
    )
    if reach is Outcome.RIGHT_PARTY_CONTACT and not liable:
        reach = Outcome.THIRD_PARTY
    results: list[Outcome] = []
    if reach in CONVERSATION:
        pool = sorted(
            RESULTS if reach is Outcome.RIGHT_PARTY_CONTACT else RESULTS - LIABLE_PARTY_RESULTS
        )
        said = [o for o in SAID if o in pool]
        results = draw(st.lists(st.sampled_from(said or pool), max_size=2)) + draw(
            st.lists(st.sampled_from(pool), max_size=1)
        )
    at = instant(draw(DAYS), draw(st.sampled_from([0, 1, 9, 12, 15, 22, 23])), 0)
    open_ = [r for r in earlier if r.record_id not in {e.amends for e in earlier}]
    amends = draw(st.none() | st.sampled_from(open_)) if open_ else None
    record_id = f"{case_id}-{draw(st.sampled_from('abcdefgh'))}{index:02d}"
    return ContactRecord(
        record_id=record_id,
        case_id=case_id,
        at=at,
        logged_at=at + dt.timedelta(minutes=5),
        channel=channel,
        direction=draw(st.sampled_from(list(Direction))),
        address=draw(st.sampled_from(ADDRESSES)),
        party=party,
        party_id="B" if party.is_borrower else "R",
        purpose=purpose,
        outcomes=(reach, *results),
        collector_id="u1",
        amends=amends.record_id if amends is not None else None,
        amend_reason="corrected" if amends is not None else None,
    )


@st.composite
def case(draw: st.DrawFn, number: int) -> Generated:
    case_id = f"C{number}"
    addresses = [
        (number * 10 + i, draw(st.none() | st.sampled_from(ZONES)))
        for i in range(draw(st.integers(0, 2)))
    ]
    phones = [
        (
            number * 10 + i,
            draw(st.sampled_from(NUMBERS)),
            " ".join(draw(st.lists(st.sampled_from(ZONES), max_size=2))),
        )
        for i in range(draw(st.sampled_from([0, 1, 1, 2, 3])))
    ]
    records: list[ContactRecord] = []
    for index in range(draw(st.integers(0, 12))):
        records.append(draw(contact(case_id, index, records)))
    facts = [
        (
            number * 100 + i,
            kind := draw(st.sampled_from(list(FACT_VALUES))),
            draw(st.sampled_from(FACT_VALUES[kind])),
            instant(draw(FEW_DAYS), draw(st.sampled_from([0, 23])), 0),
        )
        for i in range(draw(st.integers(0, 4)))
    ]
    overrides = [
        (
            number * 100 + i,
            draw(st.sampled_from([d.value for d in DebtorType])),
            draw(st.sampled_from(["said in anger", "lost job"])),
            draw(st.sampled_from(["u1", "u2"])),
            instant(draw(st.sampled_from([-9, -1, 0, 1])), draw(st.sampled_from([0, 23])), 0),
            draw(st.none() | st.integers(-5, 5).map(lambda d: AS_OF + dt.timedelta(days=d))),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    statuses = draw(st.lists(st.sampled_from(STATUSES), max_size=5))
    paid = [AS_OF + dt.timedelta(days=d) for d in draw(st.lists(st.integers(-45, 3), max_size=3))]
    history = CaseHistory(
        case_id=case_id,
        zone=borrower_zone(addresses, [(pk, zones) for pk, _, zones in phones]),
        records=tuple(records),
        numbers=tuple(e164 for _, e164, _ in phones),
        promises=tuple(
            PromiseResult(f"{case_id}-P{i}", case_id, "S", PromiseStatus(s), EUR, EUR, AS_OF, None)
            for i, s in enumerate(statuses)
            if s != "cancelled"
        ),
        payments=tuple(Payment(f"{case_id}-X{i}", d, EUR) for i, d in enumerate(paid)),
        facts=tuple(CaseFact(kind, value, at, pk) for pk, kind, value, at in facts),
        overrides=tuple(
            StoredOverride(Override(DebtorType(kind), reason, by, at, until), pk)
            for pk, kind, reason, by, at, until in overrides
        ),
    )
    return Generated(
        history=history,
        borrower_pk=number,
        stored_type=draw(st.sampled_from([d.value for d in DebtorType])),
        addresses=addresses,
        phones=phones,
        facts=facts,
        overrides=overrides,
        statuses=statuses,
        paid=paid,
    )


def policies() -> st.SearchStrategy[ClassificationPolicy]:
    return st.builds(
        ClassificationPolicy,
        window_days=st.integers(1, 40),
        lost_contact_days=st.integers(1, 15),
        lost_contact_min_attempts=st.integers(1, 6),
        unwilling_broken_promises=st.integers(1, 3),
    )


def table(name: str, rows: list[tuple[Any, ...]]) -> pa.Table:
    schema = SCHEMAS[name]
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [pa.array(list(col), type=f.type) for col, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def inputs(cases: list[Generated]) -> dict[str, pa.Table]:
    """The generated histories as the step's Arrow tables (what the store extraction gives)."""
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SCHEMAS}
    for g in cases:
        h = g.history
        rows["cls_cases"].append((h.case_id, g.borrower_pk, g.stored_type, 1))
        rows["cls_contacts"] += [
            (
                h.case_id,
                r.record_id,
                r.at,
                r.direction.value,
                r.party.value,
                r.address,
                " ".join(o.value for o in r.outcomes),
                r.amends,
            )
            for r in h.records
        ]
        rows["cls_phones"] += [(g.borrower_pk, pk, e164, zones) for pk, e164, zones in g.phones]
        rows["cls_addresses"] += [(g.borrower_pk, pk, zone) for pk, zone in g.addresses]
        rows["cls_facts"] += [(h.case_id, pk, kind, value, at) for pk, kind, value, at in g.facts]
        rows["cls_overrides"] += [(h.case_id, *o) for o in g.overrides]
        rows["cls_promises"] += [(h.case_id, s) for s in g.statuses]
        rows["cls_payments"] += [(g.borrower_pk, d) for d in g.paid]
    tables = {name: table(name, content) for name, content in rows.items()}
    tables["cls_reasons"] = reasons_table()
    return tables


def run_sql(cases: list[Generated], policy: ClassificationPolicy) -> dict[str, dict[str, Any]]:
    for name, arrow in inputs(cases).items():
        BOOK.con.register(name, arrow)  # a view over the Arrow table, replaced per example
    result = derive(BOOK, as_of=AS_OF, policy=policy)
    return {row["case_id"]: row for row in result.to_pylist()}


@settings(max_examples=60)
@given(
    st.integers(1, 4).flatmap(lambda n: st.tuples(*(case(i) for i in range(1, n + 1)))), policies()
)
def test_sql_classification_equals_the_domain(
    cases: tuple[Generated, ...], policy: ClassificationPolicy
) -> None:
    got = run_sql(list(cases), policy)
    assert set(got) == {g.history.case_id for g in cases}
    for g in cases:
        row = got[g.history.case_id]
        facts, _ = facts_of_history(g.history, as_of=AS_OF, policy=policy)
        expected = classify_history(g.history, as_of=AS_OF, policy=policy)
        assert {
            "attempts": row["attempts"],
            "rpcs": row["rpcs"],
            "last_rpc": row["last_rpc"],
            "since_rpc": row["since_rpc"],
            "working": row["working"],
            "ability": row["ability"],
            "willingness": row["willingness"],
            "hardship": row["hardship_recorded"],
            "dispute": row["dispute_open"],
            "reason": row["reason"],
            "promises": (row["kept"], row["partially_kept"], row["broken"]),
            "payments": row["payments"],
        } == {
            "attempts": facts.attempts_in_window,
            "rpcs": facts.right_party_contacts_in_window,
            "last_rpc": facts.last_right_party_contact,
            "since_rpc": facts.attempts_since_right_party_contact,
            "working": facts.working_numbers,
            "ability": facts.stated_ability.value,
            "willingness": facts.stated_willingness.value,
            "hardship": facts.hardship_recorded,
            "dispute": facts.dispute_open,
            "reason": facts.reason.value if facts.reason else None,
            "promises": (facts.promises.kept, facts.promises.partially_kept, facts.promises.broken),
            "payments": facts.payments_in_window,
        }, g.history.case_id
        assert row["decided_by"] == expected.decided_by.value
        assert row["derived_type"] == expected.derived_type.value
        assert row["debtor_type"] == expected.debtor_type.value
        assert row["note"] == note_of(expected)
        reason = "override" if expected.override is not None else expected.decided_by.value
        assert row["event_reason"] == reason


def talk(record_id: str, at: dt.datetime, *said: Outcome) -> ContactRecord:
    """A call that reached the borrower, with what was said."""
    return ContactRecord(
        record_id=record_id,
        case_id="C1",
        at=at,
        logged_at=at + dt.timedelta(minutes=5),
        channel=Channel.CALL,
        direction=Direction.OUTBOUND,
        address=NUMBERS[0],
        party=TargetKind.MOBILE,
        party_id="B",
        purpose=ContactPurpose.DEBT,
        outcomes=(Outcome.RIGHT_PARTY_CONTACT, *said),
        collector_id="u1",
    )


def one_case(
    zone: str,
    *records: ContactRecord,
    overrides: list[tuple[int, str, str, str, dt.datetime, dt.date | None]] | None = None,
) -> tuple[dict[str, Any], Any]:
    """The SQL's row and the domain's classification of one case (they must agree)."""
    stored = overrides or []
    history = CaseHistory(
        "C1",
        zone,
        records,
        (NUMBERS[0],),
        (),
        (),
        overrides=tuple(
            StoredOverride(Override(DebtorType(kind), reason, by, at, until), pk)
            for pk, kind, reason, by, at, until in stored
        ),
    )
    generated = Generated(
        history, 1, "cooperative", [(1, zone)], [(1, NUMBERS[0], "")], [], stored, [], []
    )
    row = run_sql([generated], ClassificationPolicy())["C1"]
    expected = classify_history(history, as_of=AS_OF, policy=ClassificationPolicy())
    assert (row["debtor_type"], row["decided_by"], row["note"]) == (
        expected.debtor_type.value,
        expected.decided_by.value,
        note_of(expected),
    )
    return row, expected


def test_a_borrowers_zone_decides_the_day_of_a_late_call() -> None:
    """23:00 UTC on the 31st is already 1 April in Shanghai: not counted as of the 31st."""
    late = talk("K1", dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC), Outcome.REFUSED)
    utc, _ = one_case("UTC", late)
    shanghai, _ = one_case("Asia/Shanghai", late)
    assert (utc["decided_by"], shanghai["decided_by"]) == (Rule.REFUSES, Rule.DEFAULT)


def test_the_latest_statement_decides_stated_willingness() -> None:
    """A refusal on the 20th, then a promise on the 25th: willing now (and a threat after a
    hardship statement is a refusal)."""
    refused = talk("K1", instant(-11, 10, 0), Outcome.REFUSED)
    promised = talk("K2", instant(-6, 10, 0), Outcome.PROMISE)
    row, _ = one_case("UTC", refused, promised)
    assert (row["willingness"], row["ability"], row["decided_by"]) == (
        "willing",
        "can_pay",
        Rule.DEFAULT,
    )
    hardship = talk("K1", instant(-11, 10, 0), Outcome.HARDSHIP)
    threat = talk("K2", instant(-6, 10, 0), Outcome.THREAT)
    row, _ = one_case("UTC", hardship, threat)
    assert (row["willingness"], row["decided_by"]) == ("refuses", Rule.HARDSHIP_RECORDED)


def test_of_two_overrides_made_at_one_instant_the_later_recorded_wins() -> None:
    made = instant(-2, 9, 0)
    row, expected = one_case(
        "UTC",
        talk("K1", instant(-1, 10, 0)),
        overrides=[
            (7, "able_unwilling", "first", "u1", made, None),
            (8, "willing_unable", "second", "u2", made, None),
        ],
    )
    assert row["debtor_type"] == expected.debtor_type == DebtorType.WILLING_UNABLE
    assert row["note"].endswith("override by u2: willing_unable (second)")


def test_the_query_reads_the_same_on_spark() -> None:
    """Written once for DuckDB: SQLGlot must carry it to Spark without a construct whose meaning
    changes (date minus date would be an interval there; docs/engines.md)."""

    def sql_type(arrow: pa.DataType) -> str:
        if pa.types.is_date(arrow):
            return "DATE"
        if pa.types.is_timestamp(arrow):
            return "TIMESTAMPTZ"
        if pa.types.is_integer(arrow):
            return "BIGINT"
        return "BOOLEAN" if pa.types.is_boolean(arrow) else "VARCHAR"

    schema = {name: {f.name: sql_type(f.type) for f in s} for name, s in SCHEMAS.items()}
    sql = classification_sql(AS_OF, ClassificationPolicy())
    assert date_subtractions(sql, schema) == []
    spark = transpile(sql, to="spark")
    assert "FROM_UTC_TIMESTAMP" in spark  # the borrower's zone, not the session's
    assert "DATEDIFF(" in spark
