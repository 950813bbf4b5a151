"""`arrears policy …`: check planned contacts against the contact policy from the shell.

Thin: read the lines, call the service, print JSON. Exit 0 with a verdict (even a block), 2 with
the message on stderr for bad input. The main app adds it with
`app.add_typer(policy_app, name="policy")`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from arrears.domain.contact_policy import PRESETS, HoursEdge, PolicyOptions
from arrears.domain.errors import DomainError
from arrears.services.policy_check import check_lines, contact_events_schema

EXIT_BAD_INPUT = 2

policy_app = typer.Typer(
    help="Contact policy: may this call, message, letter or visit happen now?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _instant(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no time zone offset (e.g. 2026-04-08T13:00Z)")
    return moment


def _fail(error: DomainError) -> typer.Exit:
    typer.echo(f"error ({error.code}): {error.message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


@policy_app.command("check")
def check(
    source: Annotated[
        str, typer.Argument(metavar="[FILE|-]", help="JSON lines (docs/schemas); - for stdin")
    ] = "-",
    *,
    preset: Annotated[
        list[str] | None,
        typer.Option(
            "--preset",
            "-p",
            help=f"stackable: {', '.join(PRESETS)} (default us-regf)",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="ISO",
            help="instant of requests without `at` (default: the current time)",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="reason language: en, es, zh")] = "en",
    hours_edge: Annotated[
        HoursEdge,
        typer.Option("--hours-edge", help="strict: 08:00 and 21:00 both blocked"),
    ] = HoursEdge.STRICT,
    house_max_contacts: Annotated[
        int, typer.Option("--house-max-contacts", min=1, help="house preset: contacts a period")
    ] = 5,
    house_period_days: Annotated[
        int, typer.Option("--house-period-days", min=1, help="house preset: period in days")
    ] = 1,
) -> None:
    """Check contact requests against stacked presets; print one verdict JSON per request."""
    at = _instant(now) if now is not None else dt.datetime.now(dt.UTC)
    options = PolicyOptions(
        hours_edge=hours_edge,
        house_max_contacts=house_max_contacts,
        house_period_days=house_period_days,
    )
    try:
        if source == "-":
            lines = sys.stdin.read().splitlines()
            name = "<stdin>"
        else:
            path = Path(source)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as error:
                typer.echo(
                    f"error (invalid_input): cannot read {source}: {error.strerror}", err=True
                )
                raise typer.Exit(EXIT_BAD_INPUT) from None
            name = path.name
        verdicts = check_lines(
            lines, presets=preset or ["us-regf"], now=at, lang=lang, options=options, source=name
        )
    except DomainError as error:
        raise _fail(error) from None
    for verdict in verdicts:
        typer.echo(json.dumps(verdict, ensure_ascii=False))


@policy_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of the input lines (docs/schemas/contact-events.schema.json)."""
    typer.echo(json.dumps(contact_events_schema(), indent=2, ensure_ascii=False))


@policy_app.command("presets")
def presets() -> None:
    """List the presets with their versions, as-of dates and rules."""
    from arrears.domain.contact_policy import build_policy  # noqa: PLC0415 - only here

    for preset_id, preset in PRESETS.items():
        rules = ", ".join(build_policy([preset_id]).rule_ids)
        info = preset.info
        typer.echo(f"{preset_id:8} {info.version} (as of {info.as_of})  {info.title}\n  {rules}")
