"""`arrears collectors …` and `arrears worklist …`: the floor, the day's lists, claiming, and
supervisors' reassignments and holds (docs/worklists.md).

Thin: parse, call one service in `arrears.services.worklists`, render. Exit 0 on success, 2 with
the message on stderr for bad input or a refused action. The main app adds both groups with
`app.add_typer(collectors_app, name="collectors")` and `app.add_typer(worklist_app,
name="worklist")`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.errors import DomainError, RejectedRows
from arrears.entrypoints.cli_common import command_uow_factory as _uow_factory
from arrears.entrypoints.cli_common import parse_date as _date

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arrears.domain.workflow.stages import Strategy
    from arrears.services.worklists import WorkItem

EXIT_BAD_INPUT = 2
MAX_ERRORS_SHOWN = 50

collectors_app = typer.Typer(
    help="Collectors: add, import, list, and a demo floor.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
worklist_app = typer.Typer(
    help="Worklists: show, claim, release, complete; reassign and hold (supervisors); summary.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console()
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except RejectedRows as error:
        err.print(f"[bold red]error[/]: {error.message}")
        for row in error.errors[:MAX_ERRORS_SHOWN]:
            err.print(f"  {row}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except DomainError as error:
        err.print(f"[bold red]error[/] ({error.code}): ", end="")
        err.print(error.message, markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


Day = Annotated[
    dt.date,
    typer.Option("--date", parser=_date, metavar="YYYY-MM-DD", help="the business date"),
]
Collector = Annotated[str, typer.Option("--collector", help="collector id")]
Actor = Annotated[str, typer.Option(help="who does it (audit)")]
Role = Annotated[str, typer.Option(help="the actor's role: team_lead or admin")]
StrategyFile = Annotated[
    Path | None, typer.Option("--strategy", help="strategy file (default: the packaged one)")
]


def _strategy(path: Path | None) -> Strategy:
    from arrears.adapters.strategy_files import load_strategy  # noqa: PLC0415

    return load_strategy(path)


# ---------------------------------------------------------------------------- collectors


@collectors_app.command("add")
def collectors_add(
    collector_id: Annotated[str, typer.Argument(help="the collector's id (their user name)")],
    name: Annotated[str, typer.Option("--name", help="full name")],
    languages: Annotated[str, typer.Option(help='primary language tags, e.g. "es en"')],
    capacity: Annotated[int, typer.Option(help="cases per day")],
    stages: Annotated[str, typer.Option(help='stage ids, e.g. "front_row"; empty: any')] = "",
    team: Annotated[str, typer.Option(help="team name")] = "default",
    inactive: Annotated[bool, typer.Option("--inactive", help="add as not working")] = False,
    actor: Actor = "cli",
    strategy: StrategyFile = None,
) -> None:
    """Add a collector (or update one with the same id)."""
    from pydantic import ValidationError  # noqa: PLC0415

    from arrears.services.worklists import CollectorSpec, save_collectors  # noqa: PLC0415

    try:
        spec = CollectorSpec(
            collector_id=collector_id,
            full_name=name,
            team=team,
            languages=tuple(languages.split()),
            stages=tuple(stages.split()),
            capacity=capacity,
            active=not inactive,
        )
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "input"
        raise typer.BadParameter(f"{where}: {problem['msg']}") from None
    with _errors(), _uow_factory() as uow_factory:
        change = save_collectors(
            uow_factory,
            [spec],
            actor=actor,
            strategy=_strategy(strategy),
        )
    verb = "added" if change.added else "updated" if change.updated else "unchanged"
    out.print(f"collector {collector_id} {verb}")


@collectors_app.command("import")
def collectors_import(
    file: Annotated[Path, typer.Argument(help="CSV: collector_id, full_name, languages, …")],
    actor: Actor = "cli",
    strategy: StrategyFile = None,
) -> None:
    """Import collectors from CSV, all or nothing; errors name FILE:ROW:COLUMN."""
    from arrears.services.worklists import import_collectors  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        change = import_collectors(
            uow_factory,
            file,
            actor=actor,
            strategy=_strategy(strategy),
        )
    out.print(
        f"{file.name}: {change.added} added, {change.updated} updated, {change.unchanged} unchanged"
    )


@collectors_app.command("seed-demo")
def collectors_seed_demo(
    count: Annotated[int, typer.Option(help="how many collectors")] = 12,
    seed: Annotated[int, typer.Option(help="random seed; same seed, same floor")] = 7,
    actor: Actor = "demo",
) -> None:
    """A demo floor: languages in proportion to the borrowers', capacities 30-60, front and
    back row."""
    from arrears.services.worklists import seed_demo_collectors  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        change = seed_demo_collectors(uow_factory, count=count, seed=seed, actor=actor)
    out.print(
        f"demo floor: {change.added} added, {change.updated} updated, {change.unchanged} unchanged"
    )


@collectors_app.command("list")
def collectors_list() -> None:
    """Every collector: languages, stages, capacity."""
    from arrears.services.worklists import list_collectors  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        rows = list_collectors(uow_factory)
    table = Table(title=f"Collectors ({len(rows)})")
    for column in ("id", "name", "team", "languages", "stages", "capacity", "active"):
        table.add_column(column, justify="right" if column == "capacity" else "left")
    for c in rows:
        table.add_row(
            c.collector_id,
            c.full_name,
            c.team,
            " ".join(c.languages),
            " ".join(c.stages) or "any",
            str(c.capacity),
            "yes" if c.active else "no",
        )
    out.print(table)


# ----------------------------------------------------------------------------- worklist


def _show_item(item: WorkItem) -> None:
    owner = item.collector_id or f"team queue {item.queue}"
    out.print(
        f"{item.case_id} (rank {item.rank}, {item.queue}, {owner}): {item.status}"
        + (f" by {item.claimed_by}" if item.claimed_by else "")
    )
    out.print(f"  {item.reasons}", markup=False, highlight=False)


@worklist_app.command("build")
def worklist_build(
    day: Day,
    strategy: StrategyFile = None,
    actor: Actor = "cli",
) -> None:
    """Rebuild the day's lists outside the nightly cycle (the cycle normally does it)."""
    from arrears.adapters.config_files import load_delinquency_config  # noqa: PLC0415
    from arrears.adapters.engine.base import make_engine  # noqa: PLC0415
    from arrears.services.cycle import CycleContext  # noqa: PLC0415
    from arrears.services.worklists import step_build_worklists  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        book = make_engine("duckdb")
        try:
            ctx = CycleContext(
                business_date=day,
                run_id=f"manual-{actor}",
                book=book,
                policy=load_delinquency_config(None).policy,
                strategy=_strategy(strategy),
            )
            with uow_factory() as uow:
                written = step_build_worklists(ctx, uow.session.connection())
                uow.audit.record(
                    actor=actor,
                    action="worklist:day:built",
                    subject_type="worklist",
                    subject_id=day.isoformat(),
                    after={"items": written},
                )
                uow.commit()
        finally:
            book.close()
    out.print(f"worklists for {day}: {written} items written")


@worklist_app.command("show")
def worklist_show(
    day: Day,
    collector: Annotated[str | None, typer.Option("--collector", help="one collector")] = None,
    limit: Annotated[int, typer.Option(help="at most this many rows")] = 50,
) -> None:
    """The day's items by rank (one collector's list, or everything)."""
    from arrears.services.worklists import worklist_items  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        rows = worklist_items(uow_factory, business_date=day, collector_id=collector, limit=limit)
    title = f"Worklist {day}" + (f" — {collector}" if collector else "")
    table = Table(title=title)
    for column in ("#", "rank", "case", "collector", "queue", "expected value", "status"):
        table.add_column(column, justify="right" if column in {"#", "rank"} else "left")
    table.add_column("why", overflow="fold")
    for position, item in enumerate(rows, start=1):
        table.add_row(
            str(position),
            str(item.rank),
            item.case_id,
            item.collector_id or "(team queue)",
            item.queue,
            str(item.expected_value),
            item.status + (f" by {item.claimed_by}" if item.claimed_by else ""),
            item.reasons,
        )
    out.print(table)


@worklist_app.command("claim")
def worklist_claim(collector: Collector, day: Day) -> None:
    """Claim the collector's next case: their own list first, then their queues."""
    from arrears.services.worklists import claim_next  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        item = claim_next(uow_factory, collector_id=collector, business_date=day)
    if item is None:
        out.print(f"nothing left to claim for {collector} on {day}")
        return
    _show_item(item)


@worklist_app.command("release")
def worklist_release(
    case_id: Annotated[str, typer.Argument(help="the claimed case")],
    collector: Collector,
    day: Day,
    to_queue: Annotated[
        bool,
        typer.Option("--to-queue", help="hand it to the team queue instead of keeping it"),
    ] = False,
    note: Annotated[str, typer.Option(help="why")] = "",
) -> None:
    """Give a claimed case back unworked."""
    from arrears.services.worklists import release  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        item = release(
            uow_factory,
            business_date=day,
            case_id=case_id,
            collector_id=collector,
            to_queue=to_queue,
            note=note,
        )
    _show_item(item)


@worklist_app.command("complete")
def worklist_complete(
    case_id: Annotated[str, typer.Argument(help="the claimed case")],
    collector: Collector,
    day: Day,
    note: Annotated[str, typer.Option(help="what was done")] = "",
) -> None:
    """Mark a claimed case done for the day."""
    from arrears.services.worklists import complete  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        item = complete(
            uow_factory, business_date=day, case_id=case_id, collector_id=collector, note=note
        )
    _show_item(item)


@worklist_app.command("reassign")
def worklist_reassign(
    case_id: Annotated[str, typer.Argument(help="the case")],
    to: Annotated[str, typer.Option("--to", help="the collector who takes it")],
    by: Annotated[str, typer.Option("--by", help="the supervisor's user id")],
    role: Role,
    reason: Annotated[str, typer.Option(help="why (required)")],
) -> None:
    """Move a case to another collector (team_lead or admin)."""
    from arrears.services.worklists import reassign  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        moved = reassign(
            uow_factory, case_id=case_id, to_collector=to, by=by, role=role, reason=reason
        )
    out.print(f"case {case_id} now belongs to {to} ({moved} waiting item(s) moved)")


@worklist_app.command("hold")
def worklist_hold(
    case_id: Annotated[str, typer.Argument(help="the case")],
    until: Annotated[
        dt.date,
        typer.Option("--until", parser=_date, metavar="YYYY-MM-DD", help="last day held"),
    ],
    reason: Annotated[str, typer.Option(help="why (required)")],
    by: Annotated[str, typer.Option("--by", help="the supervisor's user id")],
    role: Role,
) -> None:
    """Keep a case off the worklists up to a day (team_lead or admin)."""
    from arrears.services.worklists import hold  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        held = hold(uow_factory, case_id=case_id, until=until, reason=reason, by=by, role=role)
    out.print(f"case {case_id} on hold until {until} ({held} item(s) held)")


@worklist_app.command("lift-hold")
def worklist_lift_hold(
    case_id: Annotated[str, typer.Argument(help="the case")],
    reason: Annotated[str, typer.Option(help="why (required)")],
    by: Annotated[str, typer.Option("--by", help="the supervisor's user id")],
    role: Role,
) -> None:
    """End a hold early (team_lead or admin)."""
    from arrears.services.worklists import lift_hold  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        reopened = lift_hold(uow_factory, case_id=case_id, reason=reason, by=by, role=role)
    out.print(f"hold on case {case_id} lifted ({reopened} item(s) open again)")


@worklist_app.command("summary")
def worklist_summary_command(day: Day) -> None:
    """Per stage: items for collectors and in team queues; per collector: capacity used."""
    from arrears.services.worklists import worklist_summary  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory, uow_factory() as uow:
        summary = worklist_summary(uow.session.connection(), day)
    stages = Table(title=f"Worklists {day} by stage")
    for column in ("stage", "items", "to collectors", "team queues", "done"):
        stages.add_column(column, justify="left" if column == "stage" else "right")
    for s in summary.stages:
        stages.add_row(
            s.stage_id, *(f"{n:,}" for n in (s.items, s.to_collectors, s.in_queue, s.done))
        )
    out.print(stages)
    queues = Table(title="By pool and owner")
    for column in (
        "stage",
        "lang",
        "owner",
        "items",
        "open",
        "claimed",
        "done",
        "released",
        "held",
    ):
        queues.add_column(
            column, justify="left" if column in {"stage", "lang", "owner"} else "right"
        )
    for q in summary.queues:
        queues.add_row(
            q.stage_id,
            q.language,
            q.collector_id or "(team queue)",
            *(str(n) for n in (q.items, q.open, q.claimed, q.done, q.released, q.held)),
        )
    out.print(queues)
    people = Table(title="Collectors: capacity used")
    for column in ("collector", "name", "capacity", "assigned", "used", "done"):
        people.add_column(column, justify="left" if column in {"collector", "name"} else "right")
    for c in summary.collectors:
        people.add_row(
            c.collector_id,
            c.full_name,
            str(c.capacity),
            str(c.assigned),
            f"{c.used:.0%}",
            str(c.done),
        )
    out.print(people)
    out.print(f"{summary.items:,} items on {day}")


__all__ = ["collectors_app", "worklist_app"]
