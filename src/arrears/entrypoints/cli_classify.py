"""`arrears classify …`: explain a case's debtor type, record what a collector learned, override.

Thin: parse, call one service (`arrears.services.classification`), print. Domain errors become
a message and exit status 2 through the main app's `fail`. The main app adds it with
`app.add_typer(classify_app, name="classify")`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from arrears.adapters.store.uow import SqlUnitOfWork

classify_app = typer.Typer(
    help="Debtor classification: the four types with their reasons, facts and overrides.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


@contextmanager
def _uow_factory() -> Iterator[Callable[[], SqlUnitOfWork]]:
    """The unit-of-work factory for one command; its engine is disposed afterwards."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415 - built per command, never at import
    from arrears.entrypoints.cli import state  # noqa: PLC0415 - the root's --database-url

    built = bootstrap(state.settings)
    try:
        yield built.uow_factory
    finally:
        built.engine.dispose()


CaseArg = Annotated[str, typer.Argument(metavar="CASE", help="the case id")]
By = Annotated[str, typer.Option("--by", help="who records it (a collector id)")]


@classify_app.command("explain")
def explain_command(
    case_id: CaseArg,
    as_of: Annotated[
        dt.date,
        typer.Option("--as-of", parser=_date, metavar="YYYY-MM-DD", help="the business date"),
    ],
) -> None:
    """Show the case's debtor type, the rule that decided it and every finding."""
    from arrears.entrypoints.cli import domain_errors, out  # noqa: PLC0415
    from arrears.services.classification import explain  # noqa: PLC0415

    with domain_errors(), _uow_factory() as uows:
        result = explain(uows, case_id, as_of)
    out.print(f"{case_id} as of {as_of}: [bold]{result.debtor_type}[/]", highlight=False)
    if result.overridden:
        out.print(f"  derived type: {result.derived_type} (overridden)", highlight=False)
    out.print(f"  decided by: {result.decided_by}", highlight=False)
    for line in result.explain():
        out.print(f"  - {line}", markup=False, highlight=False)


@classify_app.command("fact")
def fact_command(
    case_id: CaseArg,
    kind: Annotated[
        str, typer.Option("--kind", help="reason, ability, willingness, hardship or dispute")
    ],
    value: Annotated[
        str,
        typer.Option(
            "--value",
            help="a reason code (payday_mismatch, debit_failure, income_loss, ...); "
            "ability: can_pay, can_pay_part, cannot_pay, unknown; willingness: willing, "
            "refuses, unknown; hardship: recorded, ended; dispute: open, resolved",
        ),
    ],
    by: By,
    note: Annotated[str, typer.Option("--note", help="what was said (required for 'other')")] = "",
) -> None:
    """Record what a collector learned; the next nightly classification reads it."""
    from arrears.entrypoints.cli import domain_errors, out  # noqa: PLC0415
    from arrears.services.classification import record_fact  # noqa: PLC0415

    with domain_errors(), _uow_factory() as uows:
        fact_id = record_fact(uows, case_id, kind=kind, value=value, by=by, note=note)
    out.print(f"recorded {kind}={value.strip()} on {case_id} (fact {fact_id})", highlight=False)


@classify_app.command("override")
def override_command(
    case_id: CaseArg,
    debtor_type: Annotated[
        str,
        typer.Option("--type", help="cooperative, lost_contact, able_unwilling or willing_unable"),
    ],
    reason: Annotated[str, typer.Option("--reason", help="why (required)")],
    by: By,
    until: Annotated[
        dt.date | None,
        typer.Option(
            "--until",
            parser=_date,
            metavar="YYYY-MM-DD",
            help="last day it holds (default: until changed)",
        ),
    ] = None,
) -> None:
    """Set the debtor type by hand, with a reason; the derived type stays visible."""
    from arrears.entrypoints.cli import domain_errors, out  # noqa: PLC0415
    from arrears.services.classification import override  # noqa: PLC0415

    with domain_errors(), _uow_factory() as uows:
        chosen = override(uows, case_id, debtor_type=debtor_type, reason=reason, by=by, until=until)
    held = f" until {until}" if until else ""
    out.print(f"{case_id} is now {chosen}{held}", highlight=False)
