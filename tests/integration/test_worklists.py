"""Worklists on SQLite and PostgreSQL: capacity, language, stage, continuity, holds, queue
overflow, reruns, claiming, reassignment and holds by supervisors, summary, collectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, insert, select

from arrears.adapters.config_files import load_delinquency_config
from arrears.adapters.engine.base import make_engine
from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import Conflict, InvalidInput, RejectedRows
from arrears.domain.money import Money
from arrears.domain.security.errors import Forbidden
from arrears.services.cycle import CycleContext
from arrears.services.worklists import (
    CollectorSpec,
    claim_next,
    complete,
    hold,
    import_collectors,
    lift_hold,
    list_collectors,
    reassign,
    release,
    save_collectors,
    seed_demo_collectors,
    step_build_worklists,
    worklist_items,
    worklist_summary,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sqlalchemy import Engine

    from arrears.adapters.store.uow import SqlUnitOfWork

pytestmark = pytest.mark.integration

D = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
STRATEGY = load_strategy()
POLICY = load_delinquency_config(None).policy


@dataclass
class Case:
    case_id: str
    language: str = "es-ES"
    stage: str = "front_row"
    dpd: int = 10
    overdue: str = "100.00"
    currency: str = "EUR"
    collector: str | None = None
    state: str = "active"
    hold_until: dt.date | None = None
    follow_up_on: dt.date | None = None
    promise_due: bool = False
    referral: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def collector(
    cid: str, languages: str, capacity: int, stages: str = "", *, active: bool = True
) -> dict[str, Any]:
    return {
        "collector_id": cid,
        "full_name": f"Collector {cid}",
        "languages": languages,
        "stages": stages,
        "capacity": capacity,
        "active": active,
    }


def seed(engine: Engine, cases: list[Case], collectors: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        if collectors:
            conn.execute(insert(w.collectors), collectors)
        conn.execute(
            insert(t.borrowers),
            [
                {
                    "id": i + 1,
                    "external_id": f"B-{c.case_id}",
                    "full_name": f"Borrower {c.case_id}",
                    "language": c.language,
                    "country": "ES",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i, c in enumerate(cases)
            ],
        )
        conn.execute(
            insert(w.cases),
            [
                {
                    "case_id": c.case_id,
                    "borrower_id": i + 1,
                    "open_borrower_id": i + 1,
                    "state": c.state,
                    "opened_on": D - dt.timedelta(days=c.dpd),
                    "stage_id": c.stage,
                    "collector_id": c.collector,
                    "hold_until": c.hold_until,
                    "hold_reason": "test" if c.hold_until else None,
                    "follow_up_on": c.follow_up_on,
                    "referral": c.referral,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i, c in enumerate(cases)
            ],
        )
        conn.execute(
            insert(w.case_assignments),
            [
                {
                    "business_date": D,
                    "case_id": c.case_id,
                    "strategy_version": STRATEGY.version,
                    "stage_id": c.stage,
                    "segment_id": "cooperative",
                    "arm": "champion",
                    "treatment_id": "front_service",
                    "point": 1,
                    "dpd": c.dpd,
                    "treatment_day": 0,
                    "overdue_total": Decimal(c.overdue),
                    "currency": c.currency,
                }
                for c in cases
            ],
        )
        promised = [c for c in cases if c.promise_due]
        if promised:
            conn.execute(
                insert(w.promises),
                [
                    {
                        "promise_id": f"P-{c.case_id}",
                        "case_id": c.case_id,
                        "set_id": f"S-{c.case_id}",
                        "made_on": D - dt.timedelta(days=2),
                        "due_on": D,
                        "deadline": D + dt.timedelta(days=1),
                        "amount": Decimal(50),
                        "currency": c.currency,
                        "made_by": "A",
                        "created_at": NOW,
                    }
                    for c in promised
                ],
            )


def build(uow_factory: Callable[[], SqlUnitOfWork], day: dt.date = D) -> int:
    book = make_engine("duckdb")
    try:
        ctx = CycleContext(
            business_date=day, run_id="run-1", book=book, policy=POLICY, strategy=STRATEGY
        )
        with uow_factory() as uow:
            written = step_build_worklists(ctx, uow.session.connection())
            uow.commit()
    finally:
        book.close()
    return written


def items(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(select(w.worklist_items).order_by(w.worklist_items.c.case_id)).all()
    return {r.case_id: r for r in rows}


def owners(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(select(w.cases.c.case_id, w.cases.c.collector_id)).all())


def events(engine: Engine, kind: str | None = None) -> list[Any]:
    query = select(w.case_events).order_by(w.case_events.c.id)
    if kind:
        query = query.where(w.case_events.c.kind == kind)
    with engine.connect() as conn:
        return list(conn.execute(query).all())


# ------------------------------------------------------------------------------ building


def test_capacity_language_and_stage_with_queue_overflow(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    cases = [Case(f"ES-F{i}", overdue=f"{100 * (i + 1)}.00") for i in range(5)]
    cases += [Case(f"ZH-F{i}", language="zh-Hans", currency="CNY") for i in range(2)]
    cases += [Case(f"ES-B{i}", stage="back_row", dpd=70) for i in range(2)]
    cases += [Case("EN-F0", language="en-US", currency="USD")]
    seed(
        engine,
        cases,
        [
            collector("A", "es", 2, "front_row"),
            collector("B", "zh", 1, "front_row"),
            collector("C", "en es", 3, "back_row"),
            collector("OFF", "es en zh", 50, active=False),
        ],
    )
    assert build(uow_factory) == len(cases)
    got = items(engine)
    # A: the two best Spanish front-row cases (highest balances); the rest wait in the queue
    assert sorted(k for k, v in got.items() if v.collector_id == "A") == ["ES-F3", "ES-F4"]
    assert {got[f"ES-F{i}"].collector_id for i in range(3)} == {None}
    assert {got[f"ES-F{i}"].queue for i in range(5)} == {"front_row:es"}
    assert [got[f"ZH-F{i}"].collector_id for i in range(2)].count("B") == 1
    assert {got["ES-B0"].collector_id, got["ES-B1"].collector_id} == {"C"}
    assert got["EN-F0"].collector_id is None  # C speaks English but works the back row only
    assert got["EN-F0"].queue == "front_row:en"
    assert "OFF" not in {v.collector_id for v in got.values()}
    # everything is open, ranked over the day, and explained
    assert {v.status for v in got.values()} == {"open"}
    assert sorted(v.rank for v in got.values()) == list(range(1, len(cases) + 1))
    assert got["ES-F4"].reasons == (
        "300.00 EUR = balance 500.00 EUR x min(1, dpd 0.60 (base probability for DPD 0-30))"
    )
    # newly assigned cases keep their collector from now on, with an event each
    assert owners(engine)["ES-F4"] == "A"
    assert owners(engine)["ES-F0"] is None
    assigned = events(engine, "assigned")
    assert {e.case_id for e in assigned} == {
        k for k, v in got.items() if v.collector_id is not None
    }
    assert {(e.before, e.actor_role, e.reason) for e in assigned} == {
        (None, "system", "worklist_new")
    }
    # the per-stage summary: who got what, what waits in the queues, capacity used
    s = summary(engine)
    assert s.items == len(cases)
    stages = {line.stage_id: line for line in s.stages}
    assert (stages["front_row"].to_collectors, stages["front_row"].in_queue) == (3, 5)
    assert (stages["back_row"].to_collectors, stages["back_row"].in_queue) == (2, 0)
    lines = {line.collector_id: line for line in s.collectors}
    assert set(lines) == {"A", "B", "C"}  # active collectors only
    assert (lines["A"].assigned, lines["A"].used) == (2, 1.0)
    assert (lines["C"].capacity, lines["C"].assigned) == (3, 2)


def test_continuity_first_within_capacity(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    cases = [
        Case("KEEP", overdue="10.00", collector="A"),  # low value, but it is A's case
        Case("BIG1", overdue="900.00"),
        Case("BIG2", overdue="800.00"),
        Case("OVER1", overdue="50.00", collector="B"),  # B's capacity 1: the best one stays
        Case("OVER2", overdue="40.00", collector="B"),
        Case("GONE", overdue="30.00", collector="Z"),  # Z is inactive
        Case("FR", language="fr-FR", collector="A"),  # A speaks no French
    ]
    # a pool of its own to see the spread: two equal collectors take turns down the ranks
    cases += [Case(f"S{i:02d}", language="zh-CN", overdue=f"{1000 - i}.00") for i in range(6)]
    seed(
        engine,
        cases,
        [
            collector("A", "es", 2, "front_row"),
            collector("B", "es", 1, "front_row"),
            collector("C", "es", 2),
            collector("Z", "es", 5, active=False),
            collector("X", "zh", 5),
            collector("Y", "zh", 5),
        ],
    )
    build(uow_factory)
    got = items(engine)
    x = sorted(k for k, v in got.items() if v.collector_id == "X")
    y = sorted(k for k, v in got.items() if v.collector_id == "Y")
    assert (x, y) == (["S00", "S02", "S04"], ["S01", "S03", "S05"])
    assert got["KEEP"].collector_id == "A"
    assert got["OVER1"].collector_id == "B"
    # A has one seat left, C two: the best new cases go one each round, least loaded first
    assert got["BIG1"].collector_id == "C"
    assert got["BIG2"].collector_id == "A"
    assert got["OVER2"].collector_id == "C"  # B is full: reallocated to someone with room
    assert got["GONE"].collector_id is None  # nobody has room left
    assert got["FR"].collector_id is None
    assert got["FR"].queue == "front_row:fr"
    now_owned = owners(engine)
    assert now_owned["OVER2"] == "C"
    assert now_owned["FR"] == "A"  # unchanged: waiting in the queue does not take it away
    reallocated = {e.case_id: e for e in events(engine, "assigned")}
    assert (reallocated["OVER2"].before, reallocated["OVER2"].after) == ("B", "C")
    assert reallocated["OVER2"].reason == "worklist_reallocated"
    assert "KEEP" not in reallocated


def test_rerun_changes_nothing_and_keeps_claimed_and_done(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    cases = [Case(f"C{i}", overdue=f"{100 + i}.00") for i in range(8)]
    cases += [Case("Q1", language="zh-TW", currency="TWD")]
    seed(engine, cases, [collector("A", "es", 3), collector("B", "es", 2, "front_row")])
    first = build(uow_factory)
    mine = claim_next(uow_factory, collector_id="A", business_date=D)
    other = claim_next(uow_factory, collector_id="B", business_date=D)
    assert mine is not None
    assert other is not None
    complete(uow_factory, business_date=D, case_id=mine.case_id, collector_id="A", note="paid")
    before_items, before_owners = items(engine), owners(engine)
    before_events = len(events(engine))
    assert build(uow_factory) == first - 2  # only open items are rebuilt
    assert items(engine) == before_items
    assert owners(engine) == before_owners
    assert len(events(engine)) == before_events


# ------------------------------------------------------------------------------- claiming


def worked_states_cases() -> list[Case]:
    """French cases in states and holds that do or do not reach a worklist (no French
    collector: they all wait in the queue front_row:fr)."""
    cases = [
        Case("HELD", language="fr-FR", hold_until=D),
        Case("HOLD-OVER", language="fr-FR", hold_until=D - dt.timedelta(days=1)),
        Case("ONHOLD", language="fr-FR", state="on_hold"),
        Case("LEGAL", language="fr-FR", state="legal_referral"),
        Case("ARR-QUIET", language="fr-FR", state="arrangement"),
        Case(
            "ARR-FOLLOW",
            language="fr-FR",
            state="arrangement",
            follow_up_on=D - dt.timedelta(days=2),
        ),
        Case("REFERRED", language="fr-FR", referral={"kind": "threat"}),
        Case("LETTER", language="fr-FR", state="letter", dpd=100, overdue="1000.00"),
        Case("PROMISE", language="fr-FR", promise_due=True, overdue="100.00"),
    ]
    return cases


def worked_states_check(got: dict[str, Any]) -> None:
    got = {k: v for k, v in got.items() if v.queue == "front_row:fr"}
    assert set(got) == {"HOLD-OVER", "ARR-FOLLOW", "LETTER", "PROMISE"}
    # 1000 x 0.20 = 200 > 100 x (0.60 + 0.25) = 85 > 100 x (0.60 + 0.15) = 75 > 100 x 0.60
    assert got["LETTER"].expected_value == Decimal("200.00")
    assert got["PROMISE"].expected_value == Decimal("85.00")
    assert got["ARR-FOLLOW"].expected_value == Decimal("75.00")
    assert "promise_due_today 0.25 (a promise is due)" in got["PROMISE"].reasons
    assert "broken_promise 0.15 (follow up a broken promise)" in got["ARR-FOLLOW"].reasons
    assert [k for k, _ in sorted(got.items(), key=lambda kv: kv[1].rank)] == [
        "LETTER",
        "PROMISE",
        "ARR-FOLLOW",
        "HOLD-OVER",
    ]


def test_claim_order_release_complete(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    cases = [Case(f"C{i}", overdue=f"{1000 - 100 * i}.00") for i in range(4)]
    cases += [Case("BACK", stage="back_row", dpd=70, overdue="5000.00")]
    seed(
        engine,
        cases + worked_states_cases(),
        [collector("A", "es", 1, "front_row"), collector("B", "es", 0)],
    )
    assert build(uow_factory) == len(cases) + 4
    worked_states_check(items(engine))
    # own list first (C0), then A's queues by rank (front_row:es only, not back_row)
    claimed = [claim_next(uow_factory, collector_id="A", business_date=D) for _ in range(5)]
    assert [c.case_id if c else None for c in claimed] == ["C0", "C1", "C2", "C3", None]
    first = claimed[0]
    assert first is not None
    assert first.claimed_by == "A"
    assert first.expected_value == Money(Decimal("600.00"), "EUR")
    # B works every stage: the back-row case is in its queue
    back = claim_next(uow_factory, collector_id="B", business_date=D)
    assert back is not None
    assert back.case_id == "BACK"
    with pytest.raises(Conflict, match="not claimed by B"):
        complete(uow_factory, business_date=D, case_id="C1", collector_id="B")
    released = release(uow_factory, business_date=D, case_id="C1", collector_id="A", to_queue=True)
    assert (released.status, released.collector_id, released.claimed_by) == (
        "released",
        None,
        None,
    )
    again = claim_next(uow_factory, collector_id="B", business_date=D)
    assert again is not None
    assert again.case_id == "C1"
    done = complete(uow_factory, business_date=D, case_id="C1", collector_id="B")
    assert done.status == "done"
    kinds = [e.kind for e in events(engine) if e.case_id == "C1"]
    assert kinds == ["worklist_claimed", "worklist_released", "worklist_claimed", "worklist_done"]
    with uow_factory() as uow:
        audit = uow.audit.for_subject("case", "C1")
    assert [a.action for a in audit] == [
        "case:worklist:claimed",
        "case:worklist:released",
        "case:worklist:claimed",
        "case:worklist:done",
    ]
    summary_by_owner = {(q.stage_id, q.language, q.collector_id): q for q in summary(engine).queues}
    assert summary_by_owner[("front_row", "es", "A")].claimed == 1
    assert summary_by_owner[("front_row", "es", None)].done == 1


def summary(engine: Engine) -> Any:
    with engine.connect() as conn:
        return worklist_summary(conn, D)


# -------------------------------------------------------------------- supervisors


def test_supervisors_reassign_and_hold(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    cases = [Case("C1"), Case("H", overdue="900.00", collector="A"), Case("H2", collector="A")]
    seed(engine, cases, [collector("A", "es", 5), collector("B", "es", 5)])
    build(uow_factory)
    assert items(engine)["C1"].collector_id == "B"  # least loaded
    with pytest.raises(Forbidden, match="team_lead"):
        reassign(uow_factory, case_id="C1", to_collector="A", by="u1", role="collector", reason="x")
    with pytest.raises(InvalidInput, match="reason"):
        reassign(uow_factory, case_id="C1", to_collector="A", by="u1", role="team_lead", reason=" ")
    moved = reassign(
        uow_factory,
        case_id="C1",
        to_collector="A",
        by="lead-7",
        role="team_lead",
        reason="borrower asked for a different agent",
    )
    assert moved == 1
    assert items(engine)["C1"].collector_id == "A"
    assert owners(engine)["C1"] == "A"
    (event,) = events(engine, "reassigned")
    assert (event.before, event.after, event.actor_id, event.actor_role) == (
        "B",
        "A",
        "lead-7",
        "team_lead",
    )
    assert event.note == "borrower asked for a different agent"
    with uow_factory() as uow:
        audit = [
            a
            for a in uow.audit.for_subject("case", "C1")
            if a.action == "case:collector:reassigned"
        ]
    assert [(a.before, (a.after or {}).get("collector_id")) for a in audit] == [
        ({"collector_id": "B"}, "A")
    ]
    # holds: out of the lists up to the day given, claimed past, kept by a rerun
    with pytest.raises(Forbidden):
        hold(uow_factory, case_id="H", until=D, reason="dispute", by="u", role="analyst")
    until = D + dt.timedelta(days=3)
    assert hold(uow_factory, case_id="H", until=until, reason="dispute", by="l", role="team_lead")
    assert items(engine)["H"].status == "held"
    nxt = claim_next(uow_factory, collector_id="A", business_date=D)
    assert nxt is not None
    assert nxt.case_id != "H"  # H is worth most but held
    build(uow_factory)
    assert items(engine)["H"].status == "held"
    assert lift_hold(uow_factory, case_id="H", reason="resolved", by="l", role="admin") == 1
    assert items(engine)["H"].status == "open"
    with pytest.raises(Conflict, match="not on hold"):
        lift_hold(uow_factory, case_id="H", reason="again", by="l", role="admin")
    assert [e.kind for e in events(engine) if e.case_id == "H"] == ["hold", "hold_lifted"]
    # a case being worked cannot be moved under the collector's feet
    with pytest.raises(Conflict, match="being worked"):
        reassign(
            uow_factory, case_id=nxt.case_id, to_collector="B", by="l", role="admin", reason="x"
        )


# -------------------------------------------------------------------------- collectors


def test_collectors_import_and_demo_floor(
    engine: Engine, uow_factory: Callable[[], SqlUnitOfWork], tmp_path: Path
) -> None:
    assert build(uow_factory) == 0  # an empty book and floor: nothing to do, no error
    bad = tmp_path / "floor.csv"
    bad.write_text(
        "collector_id,full_name,languages,capacity,stages\n"
        "A1,Ana,es en,40,front_row\n"
        "A2,Bo,zh,-3,\n"
        "A3,Cy,english,30,moon_row\n"
        "A1,Di,es,30,\n",
        encoding="utf-8",
    )
    with pytest.raises(RejectedRows) as caught:
        import_collectors(uow_factory, bad, actor="t")
    where = sorted(str(e) for e in caught.value.errors)
    assert where[0].startswith("floor.csv:3:capacity")
    assert any(e.startswith("floor.csv:4:languages") for e in where)
    assert any(e.startswith("floor.csv:5:collector_id: repeats row 2") for e in where)
    assert list_collectors(uow_factory) == ()  # nothing written
    good = tmp_path / "good.csv"
    good.write_text(
        "collector_id,full_name,languages,capacity,stages,team,active\n"
        "A1,Ana,es EN,40,front_row back_row,madrid,yes\n"
        "A2,Bo,zh,35,,,\n",
        encoding="utf-8",
    )
    change = import_collectors(uow_factory, good, actor="t")
    assert (change.added, change.updated, change.unchanged) == (2, 0, 0)
    again = import_collectors(uow_factory, good, actor="t")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    a1 = list_collectors(uow_factory)[0]
    assert (a1.languages, a1.stages, a1.team, a1.active) == (
        ("es", "en"),
        ("front_row", "back_row"),
        "madrid",
        True,
    )
    # the demo floor follows the borrowers' languages
    cases = [Case(f"E{i}") for i in range(6)] + [
        Case(f"Z{i}", language="zh-Hant") for i in range(3)
    ]
    cases += [Case(f"N{i}", language="en-GB") for i in range(3)]
    seed(engine, cases, [])
    seed_demo_collectors(uow_factory, count=8, actor="demo")
    floor = [c for c in list_collectors(uow_factory) if c.collector_id.startswith("DEMO-")]
    primary = [c.languages[0] for c in floor]
    assert (primary.count("es"), primary.count("zh"), primary.count("en")) == (4, 2, 2)
    assert all(30 <= c.capacity <= 60 for c in floor)
    assert {s for c in floor for s in c.stages} == {"front_row", "back_row"}
    again = seed_demo_collectors(uow_factory, count=8, actor="demo")
    assert again.unchanged == 8
    with engine.connect() as conn:
        audited = conn.execute(
            select(func.count())
            .select_from(t.audit_events)
            .where(t.audit_events.c.action == "worklist:collector:added")
        ).scalar_one()
    assert audited == 2 + 8  # the import, then the demo floor
    assert len(worklist_items(uow_factory, business_date=D)) == 0
    with pytest.raises(InvalidInput, match="unknown stage"):
        save_collectors(
            uow_factory,
            [
                CollectorSpec(
                    collector_id="X", full_name="X", languages=("es",), capacity=1, stages=("nope",)
                )
            ],
            actor="t",
        )


# ----------------------------------------------------------------------------------- CLI


def test_command_line(migrated_template: str, request: pytest.FixtureRequest) -> None:
    if not migrated_template.startswith("sqlite"):
        pytest.skip("the CLI is thin: one backend is enough, the services run on both")
    database_url: str = request.getfixturevalue("database_url")
    engine: Engine = request.getfixturevalue("engine")
    from typer.testing import CliRunner  # noqa: PLC0415

    from arrears.entrypoints.cli import app  # noqa: PLC0415

    seed(engine, [Case("C1", overdue="500.00"), Case("C2", language="zh-CN")], [])
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--database-url", database_url, *args])

    added = run(
        "collectors",
        "add",
        "ana",
        "--name",
        "Ana Ruiz",
        "--languages",
        "es en",
        "--capacity",
        "40",
        "--stages",
        "front_row",
    )
    assert added.exit_code == 0, added.output
    assert "collector ana added" in added.output
    bad = run(
        "collectors",
        "add",
        "bo",
        "--name",
        "Bo",
        "--languages",
        "es",
        "--capacity",
        "5",
        "--stages",
        "moon_row",
    )
    assert bad.exit_code == 2
    assert "unknown stage(s) moon_row" in bad.output
    assert "ana" in run("collectors", "list").output
    built = run("worklist", "build", "--date", D.isoformat())
    assert "2 items written" in built.output, built.output
    shown = run("worklist", "show", "--date", D.isoformat(), "--collector", "ana")
    assert "C1" in shown.output
    assert "C2" not in shown.output
    claimed = run("worklist", "claim", "--collector", "ana", "--date", D.isoformat())
    assert "C1 (rank 1, front_row:es, ana): claimed by ana" in claimed.output
    refused = run(
        "worklist",
        "reassign",
        "C1",
        "--to",
        "ana",
        "--by",
        "x",
        "--role",
        "collector",
        "--reason",
        "r",
    )
    assert refused.exit_code == 2
    assert "forbidden" in refused.output
    summary_out = run("worklist", "summary", "--date", D.isoformat()).output
    assert "2 items on 2026-11-23" in summary_out
