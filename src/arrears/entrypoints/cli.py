"""The `arrears` command line. Thin: parse, call one service, render; errors mapped in one place."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from arrears.config import Settings
from arrears.domain.errors import DomainError, RejectedRows
from arrears.entrypoints.cli_api import api_commands
from arrears.entrypoints.cli_cases import case_app
from arrears.entrypoints.cli_classify import classify_app
from arrears.entrypoints.cli_comms import comms_app, outbox_app
from arrears.entrypoints.cli_conduct import conduct_app
from arrears.entrypoints.cli_desk import desk_app
from arrears.entrypoints.cli_policy import policy_app
from arrears.entrypoints.cli_talk import talk_app
from arrears.entrypoints.cli_workflow import attempts_app, contact_log, promise_app
from arrears.entrypoints.cli_worklist import collectors_app, worklist_app

app = typer.Typer(
    name="arrears",
    help="arrears: collections platform (delinquency, workflow, contact policy, desk).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
report_app = typer.Typer(help="Reports over the database.", no_args_is_help=True)
contact_app = typer.Typer(
    help="The contact ledger: record, amend, show history, check against it.",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")
app.add_typer(report_app, name="report")
app.add_typer(contact_app, name="contact")
contact_app.command("log")(contact_log)
app.add_typer(promise_app, name="promise")
app.add_typer(attempts_app, name="attempts")
app.add_typer(conduct_app, name="conduct")
app.add_typer(policy_app, name="policy")
app.add_typer(talk_app, name="talk")
app.add_typer(comms_app, name="comms")
app.add_typer(outbox_app, name="outbox")
app.add_typer(api_commands)
app.add_typer(case_app, name="case")
app.add_typer(classify_app, name="classify")
app.add_typer(collectors_app, name="collectors")
app.add_typer(worklist_app, name="worklist")
app.add_typer(desk_app, name="desk")

out = Console()
err = Console(stderr=True, soft_wrap=True)

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1
MAX_ERRORS_SHOWN = 50


class State:
    settings: Settings = Settings()


state = State()


class ImportKind(StrEnum):
    borrowers = "borrowers"
    related_parties = "related-parties"
    loans = "loans"
    installments = "installments"
    payments = "payments"


class FileFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from None


AsOf = Annotated[
    dt.date,
    typer.Option("--as-of", parser=_date, metavar="YYYY-MM-DD", help="the business date"),
]


def fail(error: DomainError) -> NoReturn:
    """The one place domain errors become messages and exit codes."""
    if isinstance(error, RejectedRows):
        err.print(f"[bold red]error[/]: {error.message}")
        for row in error.errors[:MAX_ERRORS_SHOWN]:
            err.print(f"  {row}", markup=False, highlight=False)
        if len(error.errors) > MAX_ERRORS_SHOWN:
            err.print(f"  … and {len(error.errors) - MAX_ERRORS_SHOWN} more")
    else:
        err.print(f"[bold red]error[/] ({error.code}): ", end="")
        err.print(error.message, markup=False, highlight=False)
    raise typer.Exit(EXIT_BAD_INPUT)


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as error:
        fail(error)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[..., None]]:
    """A Rich progress bar; yields a callback (done, total) or (stage, done, total)."""
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(*args: Any) -> None:
            if len(args) == 3:
                stage, done, total = args
                progress.update(task, description=f"{label}: {stage}", completed=done, total=total)
            else:
                done, total = args
                progress.update(task, completed=done, total=total)

        yield update


@app.callback()
def root(
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="ARREARS_DATABASE_URL",
            help="sqlite:///file.db (default sqlite:///arrears.db) or postgresql+psycopg://…",
        ),
    ] = None,
) -> None:
    overrides: dict[str, Any] = {}
    if database_url:
        overrides["database_url"] = database_url
    state.settings = Settings(**overrides)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Create or migrate the database schema to the latest revision."""
    from arrears.adapters.store.migrate import current, upgrade  # noqa: PLC0415 - lazy: fast CLI

    with domain_errors():
        upgrade(state.settings.database_url, revision)
    out.print(f"database at revision {current(state.settings.database_url)}")


@app.command("generate")
def generate(
    accounts: Annotated[int, typer.Option(help="number of borrowers to generate")],
    as_of: AsOf,
    out_dir: Annotated[Path, typer.Option("--out", help="folder for the files")],
    seed: Annotated[int, typer.Option(help="random seed; same seed, same files")] = 42,
    fmt: Annotated[FileFormat, typer.Option("--format")] = FileFormat.csv,
) -> None:
    """Generate a realistic synthetic portfolio (es / zh / en borrowers) as import files."""
    from arrears.services.generate import generate_portfolio  # noqa: PLC0415

    with domain_errors(), progress_bar("generating") as update:
        summary = generate_portfolio(
            accounts=accounts,
            as_of=as_of,
            out_dir=out_dir,
            seed=seed,
            fmt=fmt.value,
            progress=update,
        )
    counts = ", ".join(f"{n:,} {kind}" for kind, n in summary.rows().items())
    out.print(f"generated in {out_dir} ({fmt.value}): {counts}")


@app.command("import")
def import_(
    kind: Annotated[ImportKind, typer.Argument(help="what the file holds")],
    file: Annotated[Path, typer.Argument(help="a .csv or .parquet file")],
    actor: Annotated[str, typer.Option(help="who runs the import (audit)")] = "cli",
) -> None:
    """Import one file, all or nothing, idempotent by external ids (docs/import-formats.md)."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.ingest import import_file  # noqa: PLC0415

    with domain_errors():
        app_ = bootstrap(state.settings)
        with progress_bar(f"importing {kind.value}") as update:
            summary = import_file(
                app_.uow_factory, kind=kind.value, path=file, actor=actor, progress=update
            )
    out.print(
        f"{kind.value}: {summary.rows} rows — {summary.inserted} inserted, "
        f"{summary.updated} updated, {summary.unchanged} unchanged"
    )


@app.command("delinquency")
def delinquency(  # noqa: PLR0917 - one parameter per CLI option
    as_of: AsOf,
    installments: Annotated[Path, typer.Option(help="loan_id, installment_no, due_date, …")],
    payments: Annotated[Path, typer.Option(help="loan_id, payment_id, paid_on, amount")],
    out_file: Annotated[Path, typer.Option("--out", help="result file (.csv or .parquet)")],
    config: Annotated[
        Path | None, typer.Option(help="YAML/TOML: grace, tolerance, buckets, pauses")
    ] = None,
    engine: Annotated[str, typer.Option(help="batch engine: duckdb or spark")] = "duckdb",
    threads: Annotated[int | None, typer.Option(help="DuckDB threads")] = None,
    memory_limit: Annotated[str | None, typer.Option(help="DuckDB memory cap, e.g. 8GB")] = None,
    temp_directory: Annotated[Path | None, typer.Option(help="where DuckDB spills")] = None,
) -> None:
    """Compute DPD, bucket and overdue amounts per loan from files (docs/delinquency.md)."""
    from arrears.services.calculator import run_calculator  # noqa: PLC0415

    with domain_errors():
        summary = run_calculator(
            as_of=as_of,
            installments=installments,
            payments=payments,
            out=out_file,
            config=config,
            engine=engine,
            threads=threads,
            memory_limit=memory_limit,
            temp_directory=temp_directory,
        )
    table = Table(title=f"Delinquency as of {as_of}")
    table.add_column("bucket")
    table.add_column("loans", justify="right")
    for name, count in summary.by_bucket.items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    out.print(f"{summary.loans:,} loans, {summary.delinquent:,} delinquent → {summary.out}")


@report_app.command("day")
def report_day(
    as_of: AsOf,
    strategy: Annotated[
        Path | None, typer.Option(help="strategy YAML (default: the built-in one)")
    ] = None,
) -> None:
    """What the nightly cycle prepared for a day, per stage: cases, arms, attempts, promises,
    referrals and worklists."""
    from arrears.adapters.strategy_files import load_strategy  # noqa: PLC0415
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.day_summary import day_summary  # noqa: PLC0415

    with domain_errors():
        summary = day_summary(bootstrap(state.settings).engine, load_strategy(strategy), as_of)
    table = Table(title=f"The collection day {as_of}, per stage")
    for column in (
        "stage",
        "open",
        "new",
        "arms",
        "attempts",
        "promises due",
        "decided",
        "referred",
        "assigned/queue",
    ):
        table.add_column(column, justify="left" if column in {"stage", "arms"} else "right")

    def pairs(values: dict[str, int]) -> str:
        return ", ".join(f"{k} {v:,}" for k, v in sorted(values.items())) or "-"

    for row in summary.stages:
        table.add_row(
            row.stage_id,
            f"{row.open_cases:,}",
            f"{row.opened:,}",
            pairs(row.arms),
            pairs(row.attempts),
            f"{row.promises_due:,}",
            pairs(row.promises_decided),
            f"{row.referrals:,}",
            f"{row.assigned:,}/{row.queued:,}",
        )
    out.print(table)
    out.print("stages: " + "; ".join(f"{row.stage_id} = {row.name}" for row in summary.stages))
    closed = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.closed.items())) or "none"
    out.print(f"cases closed that day: {closed}")
    if summary.unplanned_contacts:
        out.print(
            f"[yellow]{summary.unplanned_contacts:,} contact records flagged unplanned[/] "
            "(no planned or dialer-reported attempt): review them"
        )


@report_app.command("buckets")
def report_buckets(
    as_of: AsOf,
    config: Annotated[
        Path | None, typer.Option(help="YAML/TOML: grace, tolerance, buckets, pauses")
    ] = None,
) -> None:
    """Delinquency distribution of the book in the database, by bucket and currency."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.reports import bucket_report  # noqa: PLC0415

    with domain_errors():
        app_ = bootstrap(state.settings)
        report = bucket_report(app_.engine, as_of=as_of, config=config)
    table = Table(title=f"Delinquency by bucket as of {as_of}")
    for column in ("bucket", "loans", "share", "borrowers by worst loan"):
        table.add_column(column, justify="left" if column == "bucket" else "right")
    for row in report.rows:
        table.add_row(row.bucket, f"{row.loans:,}", f"{row.share:.1%}", f"{row.borrowers:,}")
    out.print(table)
    amounts = Table(title="Overdue amount by bucket (whole units of each currency)")
    amounts.add_column("bucket")
    for currency in report.currencies:
        amounts.add_column(currency, justify="right")
    for row in report.rows[1:]:
        amounts.add_row(row.bucket, *(f"{row.overdue.get(c, 0):,.0f}" for c in report.currencies))
    out.print(amounts)
    out.print(
        f"{report.loans:,} loans of {report.borrowers:,} borrowers; "
        f"{report.delinquent_loans:,} delinquent ({report.delinquent_share:.1%})"
    )


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


def _crash_hook(step: str) -> None:
    """Test hook: ARREARS_CYCLE_CRASH_AFTER=<step> kills the process right after that step
    commits, as `kill -9` would (no clean-up runs), so resuming can be tested for real."""
    import os  # noqa: PLC0415

    if os.environ.get("ARREARS_CYCLE_CRASH_AFTER") == step:
        os._exit(137)


@app.command("cycle")
def cycle(
    as_of: AsOf,
    engine: Annotated[EngineName, typer.Option(help="batch engine")] = EngineName.duckdb,
    resume: Annotated[
        str | None, typer.Option(help="RUN_ID of an interrupted run to finish")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="YAML/TOML: grace, tolerance, buckets, pauses")
    ] = None,
    actor: Annotated[str, typer.Option(help="who runs it (audit)")] = "cycle",
) -> None:
    """Run the nightly cycle for a business date: ordered, resumable, set-based steps."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.cycle import run_cycle  # noqa: PLC0415

    with domain_errors():
        app_ = bootstrap(state.settings)
        summary = run_cycle(
            app_.uow_factory,
            app_.engine,
            business_date=as_of,
            engine=engine.value,
            actor=actor,
            resume=resume,
            config=config,
            after_step=_crash_hook,
        )
    table = Table(title=f"Cycle {summary.run_id} for {as_of} ({summary.engine})")
    table.add_column("step")
    table.add_column("rows written", justify="right")
    for step in summary.steps:
        table.add_row(step.step, "done earlier" if step.skipped else f"{step.rows:,}")
    out.print(table)
    out.print(f"cycle {summary.run_id} completed")


def _read_lines(source: str) -> tuple[list[str], str]:
    if source == "-":
        return sys.stdin.read().splitlines(), "stdin"
    path = Path(source)
    if not path.is_file():
        raise typer.BadParameter(f"{source}: no such file")
    return path.read_text(encoding="utf-8").splitlines(), path.name


@contact_app.command("record")
def contact_record(
    source: Annotated[str, typer.Argument(help="JSON-lines events (docs/schemas), or - for stdin")],
    origin: Annotated[
        str, typer.Option("--source", help="dialer, planned, manual, import or system")
    ] = "manual",
    actor: Annotated[str, typer.Option(help="who records them (audit)")] = "cli",
) -> None:
    """Append events to the ledger, all or nothing, idempotent by event id."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.ledger import record_events  # noqa: PLC0415

    lines, label = _read_lines(source)
    with domain_errors():
        summary = record_events(
            bootstrap(state.settings).uow_factory,
            lines=lines,
            actor=actor,
            source=origin,
            label=label,
        )
    out.print(
        f"{summary.lines} events: {summary.inserted} recorded, {summary.duplicates} already there"
    )


@contact_app.command("amend")
def contact_amend(
    event_key: Annotated[str, typer.Argument(help="the event to correct")],
    source: Annotated[str, typer.Argument(help="a file with the corrected event line, or -")],
    reason: Annotated[str, typer.Option(help="why the record is corrected (required)")],
    actor: Annotated[str, typer.Option(help="who corrects it (audit)")] = "cli",
) -> None:
    """Correct a recorded event: a new record with a reason; the original is kept."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.ledger import amend_event  # noqa: PLC0415

    lines, _ = _read_lines(source)
    content = [line for line in lines if line.strip()]
    if len(content) != 1:
        raise typer.BadParameter(f"expected exactly one event line, got {len(content)}")
    with domain_errors():
        key = amend_event(
            bootstrap(state.settings).uow_factory,
            event_key=event_key,
            line=content[0],
            reason=reason,
            actor=actor,
        )
    out.print(f"recorded amendment {key} of {event_key}")


@contact_app.command("history")
def contact_history(
    person_id: Annotated[str, typer.Argument(help="the person's id")],
) -> None:
    """Print the person's ledger (amendments applied) as JSON lines, oldest first."""
    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.ledger import history_lines  # noqa: PLC0415

    with domain_errors():
        lines = history_lines(bootstrap(state.settings).uow_factory, person_id)
    for line in lines:
        print(line)


@contact_app.command("check")
def contact_check(
    source: Annotated[str, typer.Argument(help="contact_request lines (and any extra events)")],
    preset: Annotated[
        list[str] | None, typer.Option("--preset", help="jurisdiction presets, stacked")
    ] = None,
    now: Annotated[
        str | None, typer.Option(help="ISO instant with offset; default: each request's `at`")
    ] = None,
    lang: Annotated[str, typer.Option(help="language of the reasons: en, es or zh")] = "en",
) -> None:
    """Check contact requests against each person's ledger history; prints verdicts as JSON."""
    import json  # noqa: PLC0415

    from arrears.bootstrap import bootstrap  # noqa: PLC0415
    from arrears.services.ledger import check_with_ledger  # noqa: PLC0415

    lines, label = _read_lines(source)
    instant = None
    if now is not None:
        try:
            instant = dt.datetime.fromisoformat(now)
        except ValueError:
            raise typer.BadParameter(f"--now {now!r} is not an ISO 8601 instant") from None
    with domain_errors():
        verdicts = check_with_ledger(
            bootstrap(state.settings).uow_factory,
            lines=lines,
            presets=preset or ["us-regf"],
            now=instant,
            lang=lang,
            source=label,
        )
    print(json.dumps(verdicts[0] if len(verdicts) == 1 else verdicts, ensure_ascii=False, indent=2))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err.print("interrupted")
        sys.exit(130)
