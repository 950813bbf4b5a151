"""A collector's day through the CLI: the cycle prepares cases and attempts, the collector logs a
call against a planned attempt and records a promise, bad input is refused with a clear error."""

import datetime as dt

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from arrears.adapters.store import workflow_tables as w
from arrears.entrypoints.cli import app

pytestmark = pytest.mark.e2e
runner = CliRunner()
KINDS = ("borrowers", "related-parties", "loans", "installments", "payments")
DAY = "2026-11-23"


def invoke(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output


def test_cycle_then_log_a_call_and_record_a_promise(tmp_path):
    url = f"sqlite:///{tmp_path / 'day.db'}"
    invoke("--database-url", url, "db", "upgrade")
    invoke("generate", "--accounts", 300, "--as-of", DAY, "--out", tmp_path / "book")
    for kind in KINDS:
        invoke("--database-url", url, "import", kind, tmp_path / "book" / f"{kind}.csv")
    invoke("--database-url", url, "cycle", "--as-of", DAY)
    summary = invoke("--database-url", url, "report", "day", "--as-of", DAY)
    assert "front_row" in summary
    assert "back_row" in summary

    engine = create_engine(url)
    with engine.connect() as conn:
        attempt = (
            conn.execute(
                select(w.planned_attempts)
                .where(
                    w.planned_attempts.c.channel == "call",
                    w.planned_attempts.c.target == "borrower",
                )
                .order_by(w.planned_attempts.c.attempt_id)
            )
            .mappings()
            .first()
        )
    engine.dispose()
    assert attempt is not None
    listed = invoke(
        "--database-url", url, "attempts", "list", "--date", DAY, "--case", attempt["case_id"],
        "--tsv",
    )  # fmt: skip
    header, *lines = listed.strip().splitlines()
    assert header.startswith("attempt_id\tcase_id")
    assert any(line.startswith(f"{attempt['attempt_id']}\t{attempt['case_id']}") for line in lines)

    logged = invoke(
        "--database-url", url, "contact", "log", attempt["case_id"],
        "--at", f"{DAY}T01:00:00+00:00", "--channel", "call", "--address", attempt["address"],
        "--party-id", attempt["person_id"], "--outcome", "right_party_contact",
        "--outcome", "promise", "--collector", "ana", "--attempt", attempt["attempt_id"],
    )  # fmt: skip
    assert "logged cr_" in logged
    assert "flagged" not in logged

    # a promise beyond the policy's three-day horizon is refused, nothing written
    too_far = (dt.date.fromisoformat(DAY) + dt.timedelta(days=10)).isoformat()
    refused = invoke(
        "--database-url", url, "promise", "record", attempt["case_id"], "--made-on", DAY,
        "--promise", f"{too_far}=10.00", "--currency", "EUR", "--by", "ana", code=2,
    )  # fmt: skip
    assert "horizon" in refused or "days" in refused
    engine = create_engine(url)
    with engine.connect() as conn:
        currency = conn.execute(
            select(w.case_assignments.c.currency).where(
                w.case_assignments.c.case_id == attempt["case_id"]
            )
        ).scalar_one()
        assert conn.execute(select(w.promises)).first() is None
    engine.dispose()
    due = (dt.date.fromisoformat(DAY) + dt.timedelta(days=2)).isoformat()
    recorded = invoke(
        "--database-url", url, "promise", "record", attempt["case_id"], "--made-on", DAY,
        "--promise", f"{due}=10", "--currency", currency, "--by", "ana",
    )  # fmt: skip
    assert "recorded 1 promise(s)" in recorded
    shown = invoke("--database-url", url, "promise", "list", attempt["case_id"])
    assert "pending" in shown
