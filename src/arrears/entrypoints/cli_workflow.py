"""`arrears contact log`, `arrears promise …`, `arrears attempts …`: the collector's records.

Thin: parse, call one service, print. Domain errors go through the main CLI's one mapping
(`cli.domain_errors`: message on stderr, exit 2).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from arrears.entrypoints.cli_common import command_app as _app
from arrears.entrypoints.cli_common import parse_date as _date
from arrears.entrypoints.cli_common import parse_instant as _instant

out = Console()

promise_app = typer.Typer(
    help="Promises to pay: record a promise set (one or several partial promises), list them.",
    no_args_is_help=True,
)
attempts_app = typer.Typer(
    help="Planned contact attempts (the strategy's hand-over) and dialer-reported attempts.",
    no_args_is_help=True,
)


def contact_log(
    case_id: Annotated[str, typer.Argument(help="the case")],
    at: Annotated[str, typer.Option(help="when it happened: ISO instant with offset")],
    channel: Annotated[str, typer.Option(help="call, sms, email, letter or visit")],
    address: Annotated[str, typer.Option(help="the number, email or postal address used")],
    party_id: Annotated[str, typer.Option(help="the person's id (borrower or related party)")],
    outcome: Annotated[
        list[str], typer.Option("--outcome", help="outcome codes: one reach, then results")
    ],
    collector: Annotated[str, typer.Option(help="who logs it")],
    party: Annotated[
        str, typer.Option(help="mobile, home, work, reference or guarantor")
    ] = "mobile",
    direction: Annotated[str, typer.Option(help="outbound or inbound")] = "outbound",
    purpose: Annotated[str, typer.Option(help="debt, location_only or guarantee")] = "debt",
    attempt: Annotated[
        str | None, typer.Option(help="the planned or dialer attempt id it records")
    ] = None,
    talk_track: Annotated[str | None, typer.Option(help="the talk track used")] = None,
    duration: Annotated[int | None, typer.Option(help="seconds (calls and visits)")] = None,
    notes: Annotated[str, typer.Option(help="what was said")] = "",
    amends: Annotated[str | None, typer.Option(help="the record this one corrects")] = None,
    reason: Annotated[str | None, typer.Option(help="why it is corrected")] = None,
) -> None:
    """Log a contact on a case (append-only; a correction is a new record with a reason)."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.contacts import log_contact  # noqa: PLC0415

    with domain_errors():
        logged = log_contact(
            _app().uow_factory,
            case_id=case_id,
            at=_instant(at),
            channel=channel,
            direction=direction,
            address=address,
            party=party,
            party_id=party_id,
            purpose=purpose,
            outcomes=outcome,
            collector_id=collector,
            notes=notes,
            talk_track=talk_track,
            duration_seconds=duration,
            attempt_id=attempt,
            amends=amends,
            amend_reason=reason,
        )
    out.print(f"logged {logged.record_id}")
    if logged.flag:
        out.print(
            f"[yellow]flagged {logged.flag}[/]: no attempt planned by the system or reported by "
            "the dialer matches this record; a supervisor will review it"
        )
    if logged.referred:
        out.print("[red]referred to a supervisor[/]: automated contact pauses until resolved")


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise typer.BadParameter(f"{text!r} is not an amount")
    return value


@promise_app.command("record")
def promise_record(
    case_id: Annotated[str, typer.Argument(help="the case")],
    made_on: Annotated[str, typer.Option("--made-on", help="the business date it was agreed")],
    promise: Annotated[
        list[str],
        typer.Option("--promise", help="DATE=AMOUNT, e.g. 2026-06-04=150.00 (repeat for parts)"),
    ],
    currency: Annotated[str, typer.Option(help="ISO 4217 code")],
    by: Annotated[str, typer.Option(help="the collector")],
    method: Annotated[str | None, typer.Option(help="how the debtor will pay")] = None,
    record: Annotated[
        str | None, typer.Option(help="the contact record of the conversation")
    ] = None,
) -> None:
    """Record a promise set within the strategy's policy (horizon, count, at most the balance)."""
    from arrears.adapters.strategy_files import load_strategy  # noqa: PLC0415
    from arrears.domain.money import Money  # noqa: PLC0415
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.contacts import record_promises  # noqa: PLC0415

    items = []
    for text in promise:
        day, sep, amount = text.partition("=")
        if not sep:
            raise typer.BadParameter(f"--promise {text!r} is not DATE=AMOUNT")
        items.append((_date(day), _amount(amount)))
    with domain_errors():
        strategy = load_strategy()
        ids = record_promises(
            _app().uow_factory,
            case_id=case_id,
            made_on=_date(made_on),
            items=[(day, Money(amount, currency.upper())) for day, amount in items],
            policy=strategy.promises,
            made_by=by,
            method=method,
            contact_record_id=record,
        )
    out.print(f"recorded {len(ids)} promise(s): {', '.join(ids)}")


@promise_app.command("list")
def promise_list(case_id: Annotated[str, typer.Argument(help="the case")]) -> None:
    """The case's promises with their status, credit and follow-up day."""
    from arrears.adapters.store import workflow_tables as w  # noqa: PLC0415

    p = w.promises
    with _app().engine.connect() as conn:
        rows = conn.execute(
            select(
                p.c.promise_id,
                p.c.made_on,
                p.c.due_on,
                p.c.deadline,
                p.c.amount,
                p.c.currency,
                p.c.status,
                p.c.credited,
                p.c.follow_up_on,
            )
            .where(p.c.case_id == case_id)
            .order_by(p.c.made_on, p.c.due_on)
        ).all()
    table = Table(title=f"promises of {case_id}")
    for name in ("promise", "made", "due", "deadline", "amount", "status", "credited", "follow-up"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            r.promise_id,
            str(r.made_on),
            str(r.due_on),
            str(r.deadline),
            f"{r.amount} {r.currency}",
            r.status,
            str(r.credited),
            str(r.follow_up_on or ""),
        )
    out.print(table)


@attempts_app.command("list")
def attempts_list(
    day: Annotated[str, typer.Option("--date", help="the business date")],
    case_id: Annotated[str | None, typer.Option("--case", help="one case only")] = None,
    limit: Annotated[int, typer.Option(help="at most this many rows")] = 50,
    tsv: Annotated[
        bool, typer.Option("--tsv", help="tab-separated lines with a header (for a dialer)")
    ] = False,
) -> None:
    """The attempts the strategy planned for a day (what the dialer and the outbox receive)."""
    from arrears.adapters.store import workflow_tables as w  # noqa: PLC0415

    a = w.planned_attempts
    query = select(a).where(a.c.business_date == _date(day)).order_by(a.c.case_id, a.c.step_index)
    if case_id is not None:
        query = query.where(a.c.case_id == case_id)
    with _app().engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).mappings().all()
    columns = ("attempt_id", "case_id", "stage_id", "channel", "target", "address", "talk_track")
    if tsv:
        typer.echo("\t".join((*columns, "contingent")))
        for r in rows:
            fields = [str(r[c] or "") for c in columns]
            typer.echo("\t".join((*fields, "true" if r["contingent"] else "false")))
        return
    table = Table(title=f"attempts planned for {day}")
    for name in ("attempt", "case", "stage", "channel", "target", "address", "track", "when"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            r["attempt_id"],
            r["case_id"],
            r["stage_id"] or "",
            r["channel"],
            r["target"],
            r["address"] or "",
            r["talk_track"] or "",
            "contingent" if r["contingent"] else "always",
        )
    out.print(table)


@attempts_app.command("report")
def attempts_report(
    attempt_id: Annotated[str, typer.Argument(help="the dialer's attempt id")],
    case_id: Annotated[str, typer.Option("--case", help="the case")],
    day: Annotated[str, typer.Option("--date", help="the business date")],
    channel: Annotated[str, typer.Option(help="call or sms")] = "call",
    address: Annotated[str, typer.Option(help="the number dialled")] = "",
) -> None:
    """Register an attempt the dialer made on its own, so its record is not flagged."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.contacts import report_dialer_attempt  # noqa: PLC0415

    with domain_errors():
        report_dialer_attempt(
            _app().uow_factory,
            attempt_id=attempt_id,
            case_id=case_id,
            business_date=_date(day),
            channel=channel,
            address=address,
        )
    out.print(f"reported {attempt_id}")


__all__ = ["attempts_app", "contact_log", "promise_app"]
