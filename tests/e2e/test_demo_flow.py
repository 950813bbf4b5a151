"""The demo's path as a user walks it: migrate, generate, import all five files, report."""

import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli import app

pytestmark = pytest.mark.e2e
runner = CliRunner()
KINDS = ("borrowers", "related-parties", "loans", "installments", "payments")


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_generate_import_and_report_buckets(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    invoke("--database-url", url, "db", "upgrade")
    invoke("generate", "--accounts", 300, "--as-of", "2026-11-23", "--out", tmp_path / "book")
    for kind in KINDS:
        output = invoke("--database-url", url, "import", kind, tmp_path / "book" / f"{kind}.csv")
        assert "inserted" in output
    # importing again changes nothing
    again = invoke("--database-url", url, "import", "payments", tmp_path / "book" / "payments.csv")
    assert " 0 inserted, 0 updated" in again

    report = invoke("--database-url", url, "report", "buckets", "--as-of", "2026-11-23")
    assert "Delinquency by bucket as of 2026-11-23" in report
    loans_line = report.strip().splitlines()[-1]
    assert loans_line.startswith("300 loans of ")
    for bucket in ("M0", "M1", "M7"):
        assert f"│ {bucket} " in report

    # the calculator on the same files agrees with the report on the number of delinquent loans
    out = invoke(
        "delinquency",
        "--as-of",
        "2026-11-23",
        "--installments",
        tmp_path / "book" / "installments.csv",
        "--payments",
        tmp_path / "book" / "payments.csv",
        "--out",
        tmp_path / "status.csv",
    )
    delinquent = int(out.split("loans, ")[1].split(" delinquent")[0].replace(",", ""))
    assert f"{delinquent:,} delinquent" in loans_line
