"""File import on SQLite and PostgreSQL: all kinds, CSV and Parquet, idempotency, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from arrears.adapters.store import tables as t
from arrears.domain.errors import DomainError, InvalidInput, RejectedRows
from arrears.services import ingest
from arrears.services.ingest import ImportRejected, import_file

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

ORDER = ("borrowers", "related-parties", "loans", "installments", "payments")

DATA: dict[str, list[dict[str, Any]]] = {
    "borrowers": [
        {
            "borrower_id": "B1",
            "full_name": "Lucía Fernández",
            "language": "es-ES",
            "country": "ES",
            "region": "Madrid",
            "occupation": "nurse",
            "employer": "Hospital La Paz",
            "national_id": "12345678Z",
            "date_of_birth": "1980-05-01",
            "mobile_phone": "612 345 678",
            "work_phone": "+34 912 345 678",
            "email": "lucia@example.es",
            "address_line": "Calle Mayor 1",
            "city": "Madrid",
            "postal_code": "28013",
            "time_zone": "Europe/Madrid",
        },
        {
            "borrower_id": "B2",
            "full_name": "王伟",
            "language": "zh-Hans",
            "country": "CN",
            "region": "Beijing",
            "mobile_phone": "138 1234 5678",
            "address_line": "朝阳区 1号",
            "city": "北京",
        },
        {
            "borrower_id": "B3",
            "full_name": "John Smith",
            "language": "en-GB",
            "country": "GB",
            "mobile_phone": "+447911123456",
            "email": "john@example.co.uk",
        },
    ],
    "related-parties": [
        {
            "party_id": "R1",
            "borrower_id": "B1",
            "role": "guarantor",
            "relation": "spouse",
            "full_name": "Javier Ruiz",
            "phone": "622334455",
            "guarantee_enforceable": "true",
        },
        {
            "party_id": "R2",
            "borrower_id": "B2",
            "role": "reference",
            "relation": "friend",
            "full_name": "李娜",
            "phone": "13912345678",
            "language": "zh-Hant",
        },
    ],
    "loans": [
        {
            "loan_id": "L1",
            "borrower_id": "B1",
            "product": "personal",
            "currency": "EUR",
            "principal": "1200.00",
            "disbursed_on": "2025-01-15",
            "annual_interest_rate": "0.189",
        },
        {
            "loan_id": "L2",
            "borrower_id": "B2",
            "product": "card",
            "currency": "CNY",
            "principal": "5000",
            "disbursed_on": "2025-02-01",
        },
        {
            "loan_id": "L3",
            "borrower_id": "B3",
            "product": "sme",
            "currency": "JPY",
            "principal": "300000",
            "disbursed_on": "2025-03-01",
        },
    ],
    "installments": [
        {
            "loan_id": lid,
            "installment_no": n,
            "due_date": due,
            "principal": p,
            "interest": i,
            "fee": f,
        }
        for lid, n, due, p, i, f in (
            ("L1", 1, "2025-02-15", "400.00", "18.90", "1.50"),
            ("L1", 2, "2025-03-15", "400.00", "12.60", "0"),
            ("L1", 3, "2025-04-15", "400.00", "6.30", "0"),
            ("L2", 1, "2025-03-01", "2500", "50", "0"),
            ("L2", 2, "2025-04-01", "2500", "25.5", "0"),
            ("L3", 1, "2025-04-01", "300000", "3000", "0"),
        )
    ],
    "payments": [
        {
            "payment_id": "P1",
            "loan_id": "L1",
            "paid_on": "2025-02-14",
            "amount": "420.40",
            "currency": "EUR",
            "channel": "debit",
        },
        {"payment_id": "P2", "loan_id": "L2", "paid_on": "2025-03-05", "amount": "100"},
        {
            "payment_id": "P3",
            "loan_id": "L3",
            "paid_on": "2025-04-02",
            "amount": "1000",
            "channel": "cash",
        },
    ],
}

MONEY_COLUMNS = {"principal", "interest", "fee", "amount"}


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _arrow_type(name: str, values: list[Any], float_money: bool) -> pa.DataType:
    if name in MONEY_COLUMNS:
        return pa.float64() if float_money else pa.decimal128(19, 4)
    if name == "installment_no":
        return pa.int32()
    if name in {"due_date", "paid_on", "disbursed_on", "date_of_birth"}:
        return pa.date32()
    if name == "guarantee_enforceable":
        return pa.bool_()
    return pa.string()


_CONVERTERS: list[tuple[Any, Any]] = [
    (pa.types.is_decimal, Decimal),
    (pa.types.is_floating, float),
    (pa.types.is_integer, int),
    (pa.types.is_date, dt.date.fromisoformat),
    (pa.types.is_boolean, lambda value: value == "true"),
]


def _arrow_value(kind: pa.DataType, value: Any) -> Any:
    if value is None or value == "":
        return None
    for applies, convert in _CONVERTERS:
        if applies(kind):
            return convert(value)
    return str(value)


def write_parquet(path: Path, rows: list[dict[str, Any]], *, float_money: bool = False) -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    arrays = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        kind = _arrow_type(name, values, float_money)
        arrays[name] = pa.array([_arrow_value(kind, v) for v in values], type=kind)
    pq.write_table(pa.table(arrays), path)
    return path


def write(tmp_path: Path, kind: str, rows: list[dict[str, Any]], fmt: str = "csv") -> Path:
    path = tmp_path / f"{kind}.{fmt}"
    return write_csv(path, rows) if fmt == "csv" else write_parquet(path, rows)


def import_all(uow_factory, tmp_path: Path, fmt: str = "csv", kinds=ORDER) -> dict[str, Any]:
    return {
        kind: import_file(
            uow_factory, kind=kind, path=write(tmp_path, kind, DATA[kind], fmt), actor="tester"
        )
        for kind in kinds
    }


def snapshot(engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in t.metadata.sorted_tables
        }


def count(engine, table) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_kind_imports_from_csv_and_parquet(uow_factory, engine, tmp_path, fmt):
    summaries = import_all(uow_factory, tmp_path, fmt)

    assert {k: (s.rows, s.inserted, s.updated, s.unchanged) for k, s in summaries.items()} == {
        "borrowers": (3, 3, 0, 0),
        "related-parties": (2, 2, 0, 0),
        "loans": (3, 3, 0, 0),
        "installments": (6, 6, 0, 0),
        "payments": (3, 3, 0, 0),
    }
    with uow_factory() as uow:
        lucia = uow.borrowers.get("B1")
        assert [(p.kind.value, p.e164) for p in lucia.phones] == [
            ("mobile", "+34612345678"),
            ("work", "+34912345678"),
        ]
        assert "Europe/Madrid" in lucia.phones[0].time_zones
        assert lucia.addresses[0].time_zone == "Europe/Madrid"
        wang = uow.borrowers.get("B2")
        assert wang.language == "zh-Hans"
        assert wang.phones[0].e164 == "+8613812345678"
        assert wang.phones[0].time_zones == ("Asia/Shanghai",)
        assert wang.addresses[0].time_zone == "Asia/Shanghai"  # the country's only zone
        (guarantor,) = uow.borrowers.related_parties("B1")
        assert guarantor.guarantee_enforceable
        assert guarantor.phones[0].e164 == "+34622334455"  # national number, borrower's country
        loan = uow.loans.get("L1")
        assert [i.total.amount for i in loan.installments] == [
            Decimal("420.40"),
            Decimal("412.60"),
            Decimal("406.30"),
        ]
        assert loan.payments[0].amount.amount == Decimal("420.40")
        assert loan.annual_interest_rate == Decimal("0.189")
        assert uow.loans.get("L3").installments[0].principal.amount == Decimal(300000)
        assert uow.loans.get("L2").payments[0].amount.currency == "CNY"
        events = uow.audit.for_batch(summaries["installments"].batch_id)
        assert [e.action for e in events] == ["ingest:file:imported"]
        assert events[0].after["sha256"] == summaries["installments"].sha256
        assert events[0].after["inserted"] == 6
    with engine.connect() as connection:
        cumulative = connection.execute(
            select(t.installments.c.cum_due_before)
            .join(t.loans)
            .where(t.loans.c.external_id == "L1")
            .order_by(t.installments.c.installment_no)
        ).scalars()
        assert list(cumulative) == [Decimal(0), Decimal("420.40"), Decimal("833.00")]
    assert count(engine, t.import_batches) == 5


def test_importing_the_same_files_again_changes_nothing(uow_factory, engine, tmp_path):
    import_all(uow_factory, tmp_path, "csv")
    before = snapshot(engine)
    again = import_all(uow_factory, tmp_path, "parquet")  # the same rows, the other format
    for summary in again.values():
        assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, summary.rows)
        assert summary.batch_id is None
    assert snapshot(engine) == before


def phone_ids(engine, borrower_id: str) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.borrower_phones.c.kind, t.borrower_phones.c.id)
            .join(t.borrowers)
            .where(t.borrowers.c.external_id == borrower_id)
        )
        return {row.kind: row.id for row in rows}


def test_changed_rows_are_updated_and_counted(uow_factory, engine, tmp_path):
    import_all(uow_factory, tmp_path)
    mobile_before = phone_ids(engine, "B3")["mobile"]
    borrowers = [dict(row) for row in DATA["borrowers"]]
    borrowers[2]["full_name"] = "John A. Smith"
    borrowers[2]["home_phone"] = "020 7946 0018"
    installments = [dict(row) for row in DATA["installments"]]
    installments[0]["fee"] = "5.00"  # L1 #1
    installments.append(
        {
            "loan_id": "L1",
            "installment_no": 4,
            "due_date": "2025-05-15",
            "principal": "0",
            "interest": "0",
            "fee": "10",
        }
    )
    b = import_file(
        uow_factory,
        kind="borrowers",
        path=write_csv(tmp_path / "b2.csv", borrowers),
        actor="tester",
    )
    i = import_file(
        uow_factory,
        kind="installments",
        path=write_csv(tmp_path / "i2.csv", installments),
        actor="tester",
    )
    assert (b.inserted, b.updated, b.unchanged) == (0, 1, 2)
    assert (i.inserted, i.updated, i.unchanged) == (1, 1, 5)
    with uow_factory() as uow:
        john = uow.borrowers.get("B3")
        assert john.full_name == "John A. Smith"
        assert [p.kind.value for p in john.phones] == ["mobile", "home"]
    assert phone_ids(engine, "B3")["mobile"] == mobile_before  # kept, not re-created
    with uow_factory() as uow:
        # created 1; +1 schedule, +1 payments, +1 schedule change (L3 had no change)
        assert uow.loans.version("L1") == 4
        assert uow.loans.version("L3") == 3
    with engine.connect() as connection:
        cumulative = connection.execute(
            select(t.installments.c.cum_due_before)
            .join(t.loans)
            .where(t.loans.c.external_id == "L1")
            .order_by(t.installments.c.installment_no)
        ).scalars()
        assert list(cumulative) == [0, Decimal("423.90"), Decimal("836.50"), Decimal("1242.80")]
        version = connection.execute(
            select(t.borrowers.c.version).where(t.borrowers.c.external_id == "B3")
        ).scalar_one()
        assert version == 2


def test_bad_rows_are_all_reported_and_nothing_is_written(
    uow_factory, engine, tmp_path, monkeypatch
):
    import_all(uow_factory, tmp_path, kinds=("borrowers", "loans", "installments"))
    monkeypatch.setattr(ingest, "CHUNK_ROWS", 2)  # good chunks are written, then rolled back
    rows = [
        {
            "loan_id": "L2",
            "installment_no": 3,
            "due_date": "2025-05-01",
            "principal": "1",
            "interest": "0",
            "fee": "0",
        },  # 1 good
        {
            "loan_id": "L2",
            "installment_no": 4,
            "due_date": "2025-06-01",
            "principal": "1",
            "interest": "0",
            "fee": "0",
        },  # 2 good
        {
            "loan_id": "L1",
            "installment_no": 4,
            "due_date": "2025/05/15",
            "principal": "-1",
            "interest": "0",
            "fee": "0",
        },  # 3 bad date, negative principal
        {
            "loan_id": "L9",
            "installment_no": 1,
            "due_date": "2025-05-15",
            "principal": "1",
            "interest": "0",
            "fee": "0",
        },  # 4 unknown loan
        {
            "loan_id": "L3",
            "installment_no": 2,
            "due_date": "2025-05-01",
            "principal": "1.5",
            "interest": "0",
            "fee": "0",
        },  # 5 JPY has no decimals
        {
            "loan_id": "L2",
            "installment_no": 3,
            "due_date": "2025-05-01",
            "principal": "1",
            "interest": "0",
            "fee": "0",
        },  # 6 repeats row 1
        {
            "loan_id": "L1",
            "installment_no": 5,
            "due_date": "2025-04-10",
            "principal": "1",
            "interest": "0",
            "fee": "0",
        },  # 7 before stored #3 (2025-04-15)
        {
            "loan_id": "L2",
            "installment_no": 5,
            "due_date": "",
            "principal": "x",
            "interest": "0",
            "fee": "0",
        },  # 8 missing date, not a number
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = snapshot(engine)

    with pytest.raises(ImportRejected) as caught:
        import_file(uow_factory, kind="installments", path=path, actor="tester")

    error = caught.value
    assert isinstance(error, RejectedRows)
    assert isinstance(error, DomainError)
    assert error.code == "import_rejected"
    found = {(e.row, e.column) for e in error.errors}
    assert found == {
        (3, "due_date"),
        (3, "principal"),
        (4, "loan_id"),
        (5, "principal"),
        (6, "installment_no"),
        (7, "due_date"),
        (8, "due_date"),
        (8, "principal"),
    }
    assert all(e.file == str(path) for e in error.errors)
    reasons = {(e.row, e.column): e.reason for e in error.errors}
    assert "YYYY-MM-DD" in reasons[(3, "due_date")]
    assert "negative" in reasons[(3, "principal")]
    assert "L9" in reasons[(4, "loan_id")]
    assert "JPY" in reasons[(5, "principal")]
    assert "first at row 1" in reasons[(6, "installment_no")]
    assert "stored" in reasons[(7, "due_date")]
    assert reasons[(8, "due_date")] == "is required"
    assert str(error.errors[0]).startswith(f"{path}:3:")
    assert snapshot(engine) == before


def test_a_payment_for_a_missing_loan_is_reported(uow_factory, engine, tmp_path):
    import_all(uow_factory, tmp_path, kinds=("borrowers", "loans"))
    rows = [
        {"payment_id": "P1", "loan_id": "L1", "paid_on": "2025-02-14", "amount": "10.00"},
        {"payment_id": "P2", "loan_id": "NOPE", "paid_on": "2025-02-14", "amount": "10.00"},
        {
            "payment_id": "P3",
            "loan_id": "L1",
            "paid_on": "2025-02-14",
            "amount": "10.00",
            "currency": "USD",
        },
    ]
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        import_file(
            uow_factory,
            kind="payments",
            path=write_csv(tmp_path / "p.csv", rows),
            actor="tester",
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "loan_id"), (3, "currency")]
    assert "NOPE" in caught.value.errors[0].reason
    assert snapshot(engine) == before


def test_a_stored_payment_never_changes(uow_factory, engine, tmp_path):
    import_all(uow_factory, tmp_path)
    payments = [dict(row) for row in DATA["payments"]]
    payments[0]["amount"] = "420.41"
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        import_file(
            uow_factory,
            kind="payments",
            path=write_csv(tmp_path / "p.csv", payments),
            actor="tester",
        )
    (error,) = caught.value.errors
    assert (error.row, error.column) == (1, "payment_id")
    assert "420.40 → 420.41" in error.reason
    assert snapshot(engine) == before


def test_float_money_columns_in_parquet_are_rejected(uow_factory, engine, tmp_path):
    import_all(uow_factory, tmp_path, kinds=("borrowers", "loans"))
    path = write_parquet(tmp_path / "i.parquet", DATA["installments"], float_money=True)
    before = snapshot(engine)
    with pytest.raises(ImportRejected) as caught:
        import_file(uow_factory, kind="installments", path=path, actor="tester")
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (0, "principal"),
        (0, "interest"),
        (0, "fee"),
    ]
    assert "floating point" in caught.value.errors[0].reason
    assert snapshot(engine) == before


def test_a_missing_required_column_is_reported_on_the_header(uow_factory, tmp_path):
    rows = [{k: v for k, v in row.items() if k != "language"} for row in DATA["borrowers"]]
    with pytest.raises(ImportRejected) as caught:
        import_file(
            uow_factory,
            kind="borrowers",
            path=write_csv(tmp_path / "b.csv", rows),
            actor="tester",
        )
    assert [(e.row, e.column, e.reason) for e in caught.value.errors] == [
        (0, "language", "required column is missing")
    ]


def test_unknown_kind_extension_or_file_are_invalid_input(uow_factory, tmp_path):
    good = write_csv(tmp_path / "b.csv", DATA["borrowers"])
    with pytest.raises(InvalidInput, match="unknown import kind"):
        import_file(uow_factory, kind="cats", path=good, actor="tester")
    with pytest.raises(InvalidInput, match="no such file"):
        import_file(uow_factory, kind="borrowers", path=tmp_path / "none.csv", actor="tester")
    other = tmp_path / "b.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(InvalidInput, match="unsupported file type"):
        import_file(uow_factory, kind="borrowers", path=other, actor="tester")


def test_progress_is_reported(uow_factory, tmp_path):
    calls: list[tuple[int, int]] = []
    import_file(
        uow_factory,
        kind="borrowers",
        path=write_csv(tmp_path / "b.csv", DATA["borrowers"]),
        actor="tester",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (3, 3)
