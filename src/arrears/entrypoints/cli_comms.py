"""`arrears comms …` (render a message) and `arrears outbox …` (queue, dispatch, status).

Thin: parse, call one service, print. Domain errors go through the main CLI's one mapping
(`cli.domain_errors`: message on stderr, exit 2). A refused message exits 1 with its reasons.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path  # noqa: TC003 - Typer reads annotations at run time
from typing import Annotated, Any

import typer

from arrears.domain.comms import (
    Language,
    MessageChannel,
    MessageKind,
    OutboxState,
)
from arrears.entrypoints.cli_common import command_app_scope as _app
from arrears.entrypoints.cli_common import parse_date as _date
from arrears.entrypoints.cli_common import parse_instant as _instant

EXIT_REFUSED = 1

comms_app = typer.Typer(
    help="Written communications: render SMS, email and letters (PDF) from the templates.",
    no_args_is_help=True,
)
outbox_app = typer.Typer(
    help="The outbox: queue checked messages, send them, see and resolve their states.",
    no_args_is_help=True,
)


def _details(pairs: list[str] | None) -> dict[str, object]:
    details: dict[str, object] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"--detail {pair!r} is not NAME=VALUE")
        details[name.strip()] = value.strip()
    return details


Kind = Annotated[MessageKind, typer.Argument(help="what to write", case_sensitive=False)]
ChannelOpt = Annotated[MessageChannel, typer.Option("--channel", help="sms, email or letter")]
LoanOpt = Annotated[str, typer.Option("--loan", help="the loan's external id")]
AsOf = Annotated[
    dt.date, typer.Option("--as-of", parser=_date, metavar="YYYY-MM-DD", help="business date")
]
LangOpt = Annotated[
    Language | None, typer.Option("--lang", help="es, zh or en (default: the borrower's)")
]
Details = Annotated[
    list[str] | None,
    typer.Option(
        "--detail",
        help="NAME=VALUE facts only the caller knows: amount, promised_on, payments, pay_by …",
    ),
]


@comms_app.command("render")
def render(
    kind: Kind,
    *,
    channel: ChannelOpt,
    loan: LoanOpt,
    as_of: AsOf,
    lang: LangOpt = None,
    detail: Details = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="write here (letters: a PDF)")
    ] = None,
) -> None:
    """Render one message for a loan and print it (letters: write the PDF with --out)."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import render_message, sender_from  # noqa: PLC0415

    with _app() as app, domain_errors(), app.uow_factory() as uow:
        prepared = render_message(
            uow,
            kind=kind,
            channel=channel,
            loan_id=loan,
            as_of=as_of,
            sender=sender_from(app.settings),
            creditor=app.settings.creditor_name,
            language=lang,
            details=_details(detail),
        )
        rendered = prepared.rendered
        if out_file is not None and rendered.html is not None:
            from arrears.adapters.pdf import render_pdf  # noqa: PLC0415 - WeasyPrint is heavy

            out_file.write_bytes(render_pdf(rendered.html))
            typer.echo(f"{rendered.template_id}: letter written to {out_file}")
            return
    if out_file is not None:
        out_file.write_text(rendered.full_text, encoding="utf-8")
        typer.echo(f"{rendered.template_id}: written to {out_file}")
        return
    typer.echo(f"# {rendered.template_id} → {prepared.recipient.address}")
    typer.echo(rendered.full_text)


@outbox_app.command("queue")
def queue(
    kind: Kind,
    *,
    channel: ChannelOpt,
    loan: LoanOpt,
    as_of: AsOf,
    key: Annotated[str, typer.Option("--key", help="idempotency key: the same key, one message")],
    send_at: Annotated[
        str | None, typer.Option("--send-at", help="ISO instant (default: now)")
    ] = None,
    lang: LangOpt = None,
    detail: Details = None,
    preset: Annotated[
        list[str] | None,
        typer.Option("--preset", help="contact-policy presets (default: by country)"),
    ] = None,
    defer: Annotated[
        bool, typer.Option(help="refused only until a known instant: queue it for then")
    ] = False,
    actor: Annotated[str, typer.Option(help="who queues it (audit)")] = "cli",
) -> None:
    """Render, check (conduct linter + contact policy) and queue one message."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import queue_message, sender_from  # noqa: PLC0415

    with _app() as app, domain_errors(), app.uow_factory() as uow:
        result = queue_message(
            uow,
            kind=kind,
            channel=channel,
            loan_id=loan,
            as_of=as_of,
            idempotency_key=key,
            actor=actor,
            sender=sender_from(app.settings),
            creditor=app.settings.creditor_name,
            send_at=None if send_at is None else _instant(send_at),
            language=lang,
            details=_details(detail),
            presets=preset,
            defer=defer,
        )
        uow.commit()
    if result.status == "refused":
        typer.echo(f"refused: {key} was not queued", err=True)
        for reason in result.reasons:
            typer.echo(f"  - {reason}", err=True)
        if result.next_allowed:
            typer.echo(f"  next allowed: {result.next_allowed}", err=True)
        raise typer.Exit(EXIT_REFUSED)
    when = result.verdict.get("checked_at", "")
    typer.echo(f"{result.status}: {key} (message {result.message_id}, {result.template_id}) {when}")


@outbox_app.command("dispatch")
def dispatch(
    limit: Annotated[int, typer.Option(min=1, help="messages to claim in this run")] = 100,
    lease_seconds: Annotated[
        int, typer.Option(min=0, help="a `sending` message older than this is recovered")
    ] = 600,
    actor: Annotated[str, typer.Option(help="who sends (audit)")] = "dispatcher",
) -> None:
    """Send due messages: recover interrupted sends, claim, re-check the policy, send."""
    from arrears.adapters.channels import build_adapters  # noqa: PLC0415
    from arrears.adapters.store.uow import utc_now  # noqa: PLC0415
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import dispatch_due  # noqa: PLC0415

    with _app() as app, domain_errors():
        summary = dispatch_due(
            app.uow_factory,
            build_adapters(app.settings, utc_now),
            actor=actor,
            limit=limit,
            lease=dt.timedelta(seconds=lease_seconds),
        )
    typer.echo(json.dumps(summary.as_dict()))


@outbox_app.command("status")
def status(
    key: Annotated[str | None, typer.Argument(help="one message's key (default: counts)")] = None,
) -> None:
    """Counts by state, or one message with its attempts and delivery log (JSON)."""
    from arrears.adapters.store.outbox import SqlOutbox  # noqa: PLC0415
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import outbox_counts, outbox_message  # noqa: PLC0415

    with _app() as app, domain_errors():
        if key is None:
            counts = outbox_counts(app.uow_factory)
            typer.echo(json.dumps({s.value: counts.get(s.value, 0) for s in OutboxState}))
            return
        row = outbox_message(app.uow_factory, key)
        with app.uow_factory() as uow:
            box = SqlOutbox(uow.session)
            events = box.events(row.id)
            attempts = box.attempts(row.id)
    record: dict[str, Any] = {
        "key": row.idempotency_key,
        "state": row.state,
        "kind": row.kind,
        "channel": row.channel,
        "recipient": row.recipient,
        "template_id": row.template_id,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at.isoformat(),
        "sent_at": None if row.sent_at is None else row.sent_at.isoformat(),
        "provider_ref": row.provider_ref,
        "last_error": row.last_error,
        "claims": [{"claim": c, "outcome": o, "error": e} for c, o, e in attempts],
        "log": [{"type": t, "at": at.isoformat(), "detail": d} for t, at, d in events],
    }
    typer.echo(json.dumps(record, ensure_ascii=False, indent=2))


@outbox_app.command("resolve")
def resolve(
    key: Annotated[str, typer.Argument(help="the unknown message's key")],
    sent: Annotated[bool, typer.Option("--sent/--not-sent", help="what you found out about it")],
    note: Annotated[str, typer.Option(help="how you know (required)")],
    actor: Annotated[str, typer.Option(help="who resolves it (audit)")] = "cli",
) -> None:
    """Settle a message left `unknown` by a crash mid-send: it was sent, or send it again."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import resolve_unknown  # noqa: PLC0415

    with _app() as app, domain_errors():
        state = resolve_unknown(
            app.uow_factory, idempotency_key=key, sent=sent, actor=actor, note=note
        )
    typer.echo(f"{key}: {state.value}")


@outbox_app.command("requeue")
def requeue(
    key: Annotated[str, typer.Argument(help="the held message's key")],
    note: Annotated[str, typer.Option(help="why the hold no longer applies (required)")],
    actor: Annotated[str, typer.Option(help="who requeues it (audit)")] = "cli",
) -> None:
    """Queue a message the contact policy held (the policy is asked again when it is sent)."""
    from arrears.entrypoints.cli import domain_errors  # noqa: PLC0415
    from arrears.services.comms import requeue_held  # noqa: PLC0415

    with _app() as app, domain_errors():
        requeue_held(app.uow_factory, idempotency_key=key, actor=actor, note=note)
    typer.echo(f"{key}: queued")


__all__ = ["comms_app", "outbox_app"]
