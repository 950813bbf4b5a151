"""`arrears case …`: show and move cases, arrangements, field visits, threats and the three stops.

Thin: parse, call one service, render. The main app adds it with
`app.add_typer(case_app, name="case")`; arrangements and visits are its sub-groups
(`arrears case arrangement propose …`, `arrears case visit schedule …`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from arrears.domain.errors import DomainError
from arrears.entrypoints.cli_common import command_uow_factory as _uow_factory
from arrears.entrypoints.cli_common import parse_date as _date
from arrears.entrypoints.cli_common import parse_instant as _instant

if TYPE_CHECKING:
    from collections.abc import Iterator

    from arrears.domain.workflow.stages import Strategy

EXIT_BAD_INPUT = 2

case_app = typer.Typer(
    help="Cases: show, move along the state machine, threats, the three stops; arrangements "
    "and field visits.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
arrangement_app = typer.Typer(
    help="Payment plans and settlements: propose, approve, reject, cancel.", no_args_is_help=True
)
visit_app = typer.Typer(help="Field visits: schedule and complete.", no_args_is_help=True)
case_app.add_typer(arrangement_app, name="arrangement")
case_app.add_typer(visit_app, name="visit")

out = Console()
err = Console(stderr=True, soft_wrap=True)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        err.print(f"[bold red]error[/] ({error.code}): ", end="")
        err.print(error.message, markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _strategy(path: Path | None) -> Strategy:
    from arrears.adapters.strategy_files import load_strategy  # noqa: PLC0415

    return load_strategy(path)


def _decimal(value: str | None, what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(f"{what} {value!r} is not a number") from None


By = Annotated[str, typer.Option("--by", help="who acts (audit)")]
RoleOption = Annotated[
    str, typer.Option("--role", help="collector, supervisor, manager, committee")
]
StrategyOption = Annotated[
    Path | None, typer.Option("--strategy", help="strategy file (default: the packaged one)")
]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return str(value)


def _table(title: str, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    return table


# ------------------------------------------------------------------------------------ case


@case_app.command("show")
def show(case_id: Annotated[str, typer.Argument(help="the case id")]) -> None:
    """The case's state, stage, referral, arrangements, visits and events."""
    from arrears.services.escalation import describe_case  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        overview = describe_case(uow_factory, case_id)
    case = overview.case
    out.print(
        f"case {case['case_id']}: [bold]{case['state']}[/] in stage {case['stage_id'] or '-'}"
        f" (version {case['version']}, opened {case['opened_on']}"
        + (f", closed {case['closed_on']} {case['closure']}" if case["closed_on"] else "")
        + ")"
    )
    referral = case["referral"]
    if referral and not referral.get("resolved_at"):
        out.print(
            f"[bold yellow]open supervisor referral[/]: {referral['trigger']} — {referral['note']}",
            highlight=False,
        )
    out.print("[bold]arrangements[/]" if overview.arrangements else "no arrangements")
    for row in overview.arrangements:
        needs = f", needs {row['required_role']}" if row["status"] == "pending_approval" else ""
        out.print(
            f"  {row['arrangement_id']} {row['kind']} {row['status']}{needs}: "
            f"{_cell(row['total'])} {row['currency']} agreed {row['agreed_on']}",
            highlight=False,
        )
        items = overview.instalments.get(row["arrangement_id"], [])
        out.print(_table("", items, ("number", "due_on", "amount", "paid", "status")))
    out.print("[bold]visits[/]" if overview.visits else "no visits")
    for row in overview.visits:
        out.print(
            f"  {row['visit_id']} {_cell(row['scheduled_for'])} by {row['visitors']}: "
            f"{row['status']} {row['outcome'] or ''}",
            highlight=False,
        )
    out.print("[bold]events[/]")
    for row in overview.events:
        change = f" {row['before'] or ''}->{row['after']}" if row["after"] else ""
        out.print(
            f"  {_cell(row['at'])} {row['kind']}{change} {row['reason'] or ''} "
            f"by {row['actor_id']} ({row['actor_role']}) {row['note']}".rstrip(),
            highlight=False,
            soft_wrap=True,
        )


@case_app.command("move")
def move(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    *,
    to: Annotated[str, typer.Option("--to", help="the target state (letter, formal_demand …)")],
    reason: Annotated[str, typer.Option("--reason", help="why (no_response, stage_policy …)")],
    by: By,
    role: RoleOption,
    note: Annotated[str, typer.Option("--note")] = "",
    strategy: StrategyOption = None,
) -> None:
    """Move a case along an allowed transition (the stage's escalations apply)."""
    from arrears.services.cases import transition_case  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        moved = transition_case(
            uow_factory,
            case_id,
            to,
            reason=reason,
            actor_id=by,
            actor_role=role,
            note=note,
            strategy=_strategy(strategy),
        )
    out.print(f"case {case_id} is now {moved.state} (version {moved.version})")


@case_app.command("threat")
def threat(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    kind: Annotated[
        str, typer.Option("--kind", help="refusal_if_contacted, harm_to_staff or self_harm")
    ],
    note: Annotated[str, typer.Option("--note", help="what was said")],
    by: By,
) -> None:
    """Record a debtor's threat: the case goes to a supervisor at once."""
    from arrears.services.escalation import record_threat  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        record_threat(uow_factory, case_id, kind=kind, note=note, actor_id=by)
    out.print(f"case {case_id}: threat recorded and referred to a supervisor")


@case_app.command("three-stops")
def three_stops(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    *,
    record: Annotated[str, typer.Option("--record", help="the call's contact record id")],
    stop: Annotated[
        str, typer.Option("--stop", help="remind, equal_standing, end_call (or calmed)")
    ],
    by: By,
    talk_track: Annotated[str | None, typer.Option("--talk-track")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
) -> None:
    """Log the next stop of the guided flow for an abusive call (in order)."""
    from arrears.services.escalation import three_stops_step  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        result = three_stops_step(
            uow_factory,
            case_id,
            record_id=record,
            stop=stop,
            talk_track=talk_track,
            note=note,
            actor_id=by,
        )
    if result.flow.calmed_at is not None:
        out.print("the debtor calmed down: the flow is closed and the conversation goes on")
        return
    logged = result.flow.steps[-1]
    out.print(f"stop {logged.stop} logged (talk track {logged.talk_track})")
    if result.referred:
        out.print("the call ends here; the case is referred to a supervisor")
    elif result.flow.next_stop is not None:
        out.print(f"next stop if the abuse goes on: {result.flow.next_stop}")


# ------------------------------------------------------------------------- arrangements


@arrangement_app.command("propose")
def propose(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    *,
    instalments: Annotated[int, typer.Option("--instalments", min=1)],
    first_due: Annotated[str, typer.Option("--first-due", metavar="YYYY-MM-DD")],
    as_of: Annotated[str, typer.Option("--as-of", metavar="YYYY-MM-DD", help="business date")],
    by: By,
    role: RoleOption,
    kind: Annotated[str, typer.Option("--kind", help="plan or settlement")] = "plan",
    frequency: Annotated[str, typer.Option(help="weekly, fortnightly or monthly")] = "monthly",
    down_payment: Annotated[str | None, typer.Option("--down-payment")] = None,
    discount_rate: Annotated[
        str | None, typer.Option("--discount-rate", help="settlements: 0.10 = 10 %")
    ] = None,
    affordable: Annotated[
        str | None,
        typer.Option("--affordable", help="hardship: what the debtor can pay per period"),
    ] = None,
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    strategy: StrategyOption = None,
) -> None:
    """Compute a plan or settlement within the stage's policy; prints the schedule and the
    approval it needs."""
    from arrears.services.arrangements import propose_arrangement  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        proposed = propose_arrangement(
            uow_factory,
            case_id,
            kind=kind,
            as_of=_date(as_of),
            first_due=_date(first_due),
            instalments=instalments,
            frequency=frequency,
            down_payment=_decimal(down_payment, "--down-payment"),
            discount_rate=_decimal(discount_rate, "--discount-rate"),
            affordable=_decimal(affordable, "--affordable"),
            currency=currency,
            actor_id=by,
            actor_role=role,
            strategy=_strategy(strategy),
        )
    arrangement = proposed.arrangement
    table = Table(
        title=f"{arrangement.kind} {arrangement.arrangement_id}: {arrangement.total} "
        f"(balance {arrangement.balance})"
    )
    table.add_column("#", justify="right")
    table.add_column("due on")
    table.add_column("amount", justify="right")
    for item in arrangement.instalments:
        table.add_row(str(item.number), item.due_on.isoformat(), str(item.amount))
    out.print(table)
    for note in proposed.notes:
        out.print(note, highlight=False)
    out.print(
        f"status {proposed.status}; approval by {proposed.required_role} "
        f"({'; '.join(proposed.approval.reasons)})",
        highlight=False,
    )


@arrangement_app.command("approve")
def approve(
    arrangement_id: Annotated[str, typer.Argument(help="the arrangement id")],
    by: By,
    role: RoleOption,
    note: Annotated[str, typer.Option("--note")] = "",
    strategy: StrategyOption = None,
) -> None:
    """Approve a pending arrangement; the case moves to `arrangement`."""
    from arrears.services.arrangements import approve_arrangement  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        status = approve_arrangement(
            uow_factory,
            arrangement_id,
            actor_id=by,
            actor_role=role,
            note=note,
            strategy=_strategy(strategy),
        )
    out.print(f"arrangement {arrangement_id} is {status}")


@arrangement_app.command("reject")
def reject(
    arrangement_id: Annotated[str, typer.Argument(help="the arrangement id")],
    by: By,
    role: RoleOption,
    note: Annotated[str, typer.Option("--note", help="why (required)")],
) -> None:
    """Reject a pending arrangement, saying why."""
    from arrears.services.arrangements import reject_arrangement  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        status = reject_arrangement(
            uow_factory, arrangement_id, actor_id=by, actor_role=role, note=note
        )
    out.print(f"arrangement {arrangement_id} is {status}")


@arrangement_app.command("cancel")
def cancel(
    arrangement_id: Annotated[str, typer.Argument(help="the arrangement id")],
    by: By,
    role: RoleOption,
    note: Annotated[str, typer.Option("--note", help="why (required)")],
    strategy: StrategyOption = None,
) -> None:
    """Cancel a pending or running arrangement; a running one returns the case to `active`."""
    from arrears.services.arrangements import cancel_arrangement  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        status = cancel_arrangement(
            uow_factory,
            arrangement_id,
            actor_id=by,
            actor_role=role,
            note=note,
            strategy=_strategy(strategy),
        )
    out.print(f"arrangement {arrangement_id} is {status}")


# ---------------------------------------------------------------------------- field visits


@visit_app.command("schedule")
def schedule(
    case_id: Annotated[str, typer.Argument(help="the case id")],
    *,
    address: Annotated[str, typer.Option("--address", help="the borrower's address id")],
    at: Annotated[str, typer.Option("--at", help="ISO instant with offset")],
    visitor: Annotated[list[str], typer.Option("--visitor", help="repeat for each visitor")],
    purpose: Annotated[str, typer.Option("--purpose")],
    by: By,
    role: RoleOption,
    reason: Annotated[
        str, typer.Option("--reason", help="why the case moves to field_visit")
    ] = "verify_situation",
    strategy: StrategyOption = None,
) -> None:
    """Schedule a visit (two visitors, sociable hours at the address); the case moves to
    `field_visit`."""
    from arrears.services.escalation import schedule_field_visit  # noqa: PLC0415

    with _errors(), _uow_factory() as uow_factory:
        visit = schedule_field_visit(
            uow_factory,
            case_id,
            address_id=address,
            scheduled_for=_instant(at),
            visitors=visitor,
            purpose=purpose,
            actor_id=by,
            actor_role=role,
            strategy=_strategy(strategy),
            reason=reason,
        )
    out.print(
        f"visit {visit.visit_id} scheduled for {visit.scheduled_for.isoformat()} "
        f"({', '.join(visit.visitors)})"
    )


@visit_app.command("complete")
def complete(
    visit_id: Annotated[str, typer.Argument(help="the visit id")],
    *,
    outcome: Annotated[str, typer.Option("--outcome", help="met_debtor, not_home, moved …")],
    by: By,
    role: RoleOption,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", help="KIND:REF, e.g. report:docs/visit-17.pdf; repeatable"),
    ] = None,
    notes: Annotated[str, typer.Option("--notes")] = "",
    strategy: StrategyOption = None,
) -> None:
    """Record a visit's outcome and evidence; the case returns to `active`."""
    from arrears.domain.workflow.cases import Evidence  # noqa: PLC0415
    from arrears.services.escalation import complete_field_visit  # noqa: PLC0415

    items = []
    for text in evidence or []:
        kind, sep, ref = text.partition(":")
        if not sep or not kind or not ref:
            raise typer.BadParameter(f"--evidence {text!r} is not KIND:REF")
        items.append(Evidence(kind, ref))
    with _errors(), _uow_factory() as uow_factory:
        visit = complete_field_visit(
            uow_factory,
            visit_id,
            outcome=outcome,
            evidence=items,
            actor_id=by,
            actor_role=role,
            strategy=_strategy(strategy),
            notes=notes,
        )
    out.print(f"visit {visit_id} completed: {visit.outcome}")
