"""`arrears delinquency`: the calculator's contract, driven through the command line."""

import csv
import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from arrears.entrypoints.cli import app

pytestmark = pytest.mark.e2e
runner = CliRunner()

INSTALLMENTS = """loan_id,installment_no,due_date,principal,interest,fee
L1,1,2026-01-01,100.00,10.00,1.00
L1,2,2026-02-01,100.00,10.00,1.00
L2,1,2026-01-15,50.00,5.00,0.00
L3,1,2026-03-01,80.00,0.00,0.00
"""
PAYMENTS = """loan_id,payment_id,paid_on,amount
L1,P1,2026-01-01,111.00
L1,P2,2026-02-05,50.00
L2,P3,2026-03-01,10.00
L2,P4,2026-03-02,500.00
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp_path, *extra, installments=INSTALLMENTS, payments=PAYMENTS, out="out.csv"):
    args = [
        "delinquency",
        "--as-of",
        "2026-03-01",
        "--installments",
        str(write(tmp_path, "inst.csv", installments)),
        "--payments",
        str(write(tmp_path, "pay.csv", payments)),
        "--out",
        str(tmp_path / out),
        *extra,
    ]
    return runner.invoke(app, args)


def test_computes_one_row_per_loan_with_the_documented_columns(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    with (tmp_path / "out.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "loan_id",
        "dpd",
        "bucket",
        "overdue_principal",
        "overdue_interest",
        "overdue_fee",
        "overdue_total",
        "missed_installments",
        "oldest_unpaid_due_date",
        "last_payment_date",
    ]
    by_id = {r["loan_id"]: r for r in rows}
    assert by_id["L1"] == {
        "loan_id": "L1",
        "dpd": "28",
        "bucket": "M1",
        "overdue_principal": "61.00",
        "overdue_interest": "0.00",
        "overdue_fee": "0.00",
        "overdue_total": "61.00",
        "missed_installments": "1",
        "oldest_unpaid_due_date": "2026-02-01",
        "last_payment_date": "2026-02-05",
    }
    # paid on the as-of date counts; the payment the day after does not
    assert (by_id["L2"]["dpd"], by_id["L2"]["bucket"], by_id["L2"]["overdue_total"]) == (
        "45",
        "M2",
        "45.00",
    )
    assert by_id["L2"]["last_payment_date"] == "2026-03-01"
    # due on the as-of date: not overdue
    assert (by_id["L3"]["dpd"], by_id["L3"]["missed_installments"]) == ("0", "0")
    assert "3 loans, 2 delinquent" in result.output


def test_config_grace_tolerance_pauses_and_buckets(tmp_path):
    config = write(
        tmp_path,
        "c.yaml",
        """
grace_days: 5
tolerance: "40.00"
buckets:
  - {name: ok, min: 0, max: 0}
  - {name: late, min: 1}
pauses:
  - {loan_id: L2, start: 2026-02-01, end: 2026-02-11}
""",
    )
    result = run(tmp_path, "--config", str(config), out="out.parquet")
    assert result.exit_code == 0, result.output
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    by_id = {r["loan_id"]: r for r in table}
    # L1: 61 unpaid on installment 2 exceeds the tolerance; ageing starts after 5 grace days
    assert (by_id["L1"]["dpd"], by_id["L1"]["bucket"]) == (23, "late")
    assert by_id["L2"]["dpd"] == 40 - 10  # 45 unpaid > 40: from 20 January, less 10 paused days
    assert by_id["L2"]["overdue_total"] == Decimal("45.00")
    assert by_id["L2"]["oldest_unpaid_due_date"] == dt.date(2026, 1, 15)


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path):
    bad_installments = INSTALLMENTS + (
        "L4,1,2026-13-01,10.00,0,0\n"  # row 5: bad date
        "L4,2,2026-02-01,-1.00,0,0\n"  # row 6: negative
        "L1,2,2026-03-01,1.00,0,0\n"  # row 7: duplicate key
        "L5,1,2026-02-01,1.005,0,0\n"  # row 8: too many decimals
    )
    bad_payments = PAYMENTS + "L1,P1,2026-01-02,5.00\nL1,P9,2026-01-02,0\n"
    result = run(tmp_path, installments=bad_installments, payments=bad_payments)
    assert result.exit_code == 2
    text = result.output
    assert "inst.csv:5:due_date: '2026-13-01' is not a date" in text
    assert "inst.csv:6:principal: '-1.00' must not be negative" in text
    assert (
        "inst.csv:7:installment_no: duplicate loan_id/installment_no (first seen on row 2)" in text
    )
    assert "inst.csv:8:principal: '1.005' has more than 2 decimal places" in text
    assert "pay.csv:5:payment_id: duplicate payment_id (first seen on row 1)" in text
    assert "pay.csv:6:amount: '0' must be greater than zero" in text
    assert "nothing was written" in text
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".out.csv*"))


def test_due_dates_must_increase_and_columns_must_exist(tmp_path):
    result = run(
        tmp_path, installments=INSTALLMENTS + "L9,1,2026-05-01,1,0,0\nL9,2,2026-04-01,1,0,0\n"
    )
    assert result.exit_code == 2
    assert "inst.csv:6:due_date: must be later than the previous installment_no's due_date" in (
        result.output
    )
    result = run(tmp_path, payments="loan_id,payment_id,amount\nL1,P1,5\n")
    assert result.exit_code == 2
    assert "pay.csv:paid_on: missing column" in result.output


def test_float_money_in_parquet_is_refused(tmp_path):
    path = tmp_path / "pay.parquet"
    pq.write_table(
        pa.table(
            {
                "loan_id": ["L1"],
                "payment_id": ["P1"],
                "paid_on": [dt.date(2026, 1, 1)],
                "amount": [1.5],
            }
        ),
        path,
    )
    result = runner.invoke(
        app,
        [
            "delinquency",
            "--as-of",
            "2026-03-01",
            "--installments",
            str(write(tmp_path, "inst.csv", INSTALLMENTS)),
            "--payments",
            str(path),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert result.exit_code == 2
    assert "amount: money must be decimal or text, not floating point" in result.output


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("grace_days: -1", "grace_days: Input should be greater than or equal to 0"),
        ("tolerance: 0.5", "tolerance: Value error, write money as a quoted decimal"),
        ("buckets: [{name: a, min: 0, max: 5}, {name: b, min: 7}]", "falls between"),
        ("colour: red", "colour: Extra inputs are not permitted"),
        ("pauses: [{loan_id: L1, start: 2026-02-01, end: 2026-01-01}]", "must end after"),
    ],
)
def test_bad_config_is_explained(tmp_path, config, message):
    result = run(tmp_path, "--config", str(write(tmp_path, "c.yaml", config)))
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out.csv").exists()


def test_bad_arguments(tmp_path):
    result = runner.invoke(
        app,
        [
            "delinquency",
            "--as-of",
            "yesterday",
            "--installments",
            "a",
            "--payments",
            "b",
            "--out",
            "c.csv",
        ],
    )
    assert result.exit_code == 2
    assert "is not a date" in result.output
    result = run(tmp_path, out="out.xlsx")
    assert result.exit_code == 2
    assert "unsupported file type .xlsx" in result.output


def test_typed_parquet_inputs_are_checked_by_type(tmp_path):
    money = pa.decimal128(18, 4)
    inst = tmp_path / "inst.parquet"
    pq.write_table(
        pa.table(
            {
                "loan_id": ["L1", "L1", None],
                "installment_no": pa.array([1, 0, 1], pa.int64()),
                "due_date": pa.array([dt.date(2026, 1, 1), dt.date(2026, 2, 1), None]),
                "principal": pa.array([Decimal("10.00"), Decimal("1.2345"), Decimal(1)], money),
                "interest": pa.array([Decimal(0), Decimal(-1), Decimal(0)], money),
                "fee": pa.array([Decimal(0), Decimal(0), Decimal(0)], money),
            }
        ),
        inst,
    )
    pay = tmp_path / "pay.parquet"
    pq.write_table(
        pa.table(
            {
                "loan_id": ["L1"],
                "payment_id": ["P1"],
                "paid_on": pa.array([dt.date(2026, 1, 1)]),
                "amount": pa.array([Decimal("10.00")], money),
            }
        ),
        pay,
    )
    args = ["delinquency", "--as-of", "2026-03-01", "--installments", str(inst)]
    result = runner.invoke(app, [*args, "--payments", str(pay), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    text = result.output
    assert "inst.parquet:2:installment_no: '0' must be at least 1" in text
    assert "inst.parquet:2:principal: '1.2345' has more than 2 decimal places" in text
    assert "inst.parquet:2:interest: '-1.0000' must not be negative" in text
    assert "inst.parquet:3:loan_id: None is empty" in text
    assert "inst.parquet:3:due_date: None is empty" in text
    good = tmp_path / "good.parquet"
    pq.write_table(pq.read_table(inst).slice(0, 1), good)
    ok = runner.invoke(
        app,
        [
            *args[:3],
            "--installments",
            str(good),
            "--payments",
            str(pay),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "o.csv").read_text().splitlines()[1].startswith("L1,0,M0,0.00")
