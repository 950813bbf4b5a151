"""`arrears delinquency --engine ...` and DuckDB's resource settings (Spark: test_spark_engine)."""

import datetime as dt

import duckdb
import pytest

from arrears.adapters.engine.base import DuckDBSettings
from arrears.domain.errors import InvalidConfig, InvalidInput
from arrears.services.calculator import run_calculator

AS_OF = dt.date(2026, 4, 20)
INSTALLMENTS = """loan_id,installment_no,due_date,principal,interest,fee
L1,1,2026-01-10,100.00,10.00,1.00
L1,2,2026-02-10,100.00,10.00,1.00
L1,3,2026-03-10,100.00,10.00,1.00
L2,1,2026-02-01,50.00,5.00,0.00
L2,2,2026-03-01,50.00,5.00,0.00
L2,3,2026-06-01,50.00,5.00,0.00
L3,1,2026-03-15,300.00,0.00,0.00
L4,1,2026-01-31,80.00,8.00,0.50
L4,2,2026-02-28,80.00,8.00,0.50
"""
PAYMENTS = """loan_id,payment_id,paid_on,amount
L1,P1,2026-01-10,111.00
L1,P2,2026-02-20,50.00
L1,P3,2026-02-20,10.00
L2,P4,2026-01-30,200.00
L3,P5,2026-05-01,300.00
L4,P6,2026-02-01,88.50
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "installments.csv").write_text(INSTALLMENTS, encoding="utf-8")
    (tmp_path / "payments.csv").write_text(PAYMENTS, encoding="utf-8")
    return tmp_path


def run(folder, engine, suffix):
    out = folder / f"out-{engine}.{suffix}"
    summary = run_calculator(
        as_of=AS_OF,
        installments=folder / "installments.csv",
        payments=folder / "payments.csv",
        out=out,
        engine=engine,
        threads=1,
    )
    return summary, out


def test_duckdb_output_is_the_expected_table(files):
    summary, out = run(files, "duckdb", "csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:3] == ["loan_id", "dpd", "bucket"]
    rows = [line.split(",") for line in lines[1:]]
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        ("L1", "69", "M3", "162.00"),  # 60 of February's 111 paid: ageing from Feb 10
        ("L2", "0", "M0", "0.00"),  # overpaid: June's installment is prepaid in part
        ("L3", "36", "M2", "300.00"),  # the May payment is after the as-of date
        ("L4", "51", "M2", "88.50"),
    ]
    assert summary.loans == 4


def test_an_unknown_engine_is_refused(files):
    with pytest.raises(InvalidInput, match="unknown engine 'polars'"):
        run(files, "polars", "csv")


def test_duckdb_settings_come_from_the_environment_and_options_win(monkeypatch, tmp_path):
    monkeypatch.setenv("ARREARS_DUCKDB_THREADS", "1")
    monkeypatch.setenv("ARREARS_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("ARREARS_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "spill"))
    settings = DuckDBSettings.from_environment().override(memory_limit="2GB")
    assert settings == DuckDBSettings(1, "2GB", tmp_path / "spill")
    con = duckdb.connect()
    settings.apply(con)
    assert con.sql("SELECT current_setting('threads')").fetchall() == [(1,)]
    assert (tmp_path / "spill").is_dir()
    monkeypatch.setenv("ARREARS_DUCKDB_THREADS", "many")
    with pytest.raises(InvalidConfig, match="ARREARS_DUCKDB_THREADS"):
        DuckDBSettings.from_environment()
    with pytest.raises(InvalidConfig, match="DuckDB setting refused"):
        DuckDBSettings(memory_limit="lots").apply(con)
