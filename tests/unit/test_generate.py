"""The synthetic portfolio: valid import files, sound schedules and a realistic arrears mix."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import phonenumbers
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arrears.domain.errors import InvalidInput
from arrears.domain.money import minor_units
from arrears.services import generate
from arrears.services.generate import GenerateSummary, generate_portfolio

AS_OF = dt.date(2026, 11, 23)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import-formats.md"
IMPORTED = ("borrowers", "related-parties", "loans", "installments", "payments")
MONEY = {
    "loans": ("principal",),
    "installments": ("principal", "interest", "fee"),
    "payments": ("amount",),
}


def documented_columns() -> dict[str, list[str]]:
    """Column names per kind, read from the tables in docs/import-formats.md."""
    columns: dict[str, list[str]] = {}
    kind = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            kind = line[3:].strip()
            columns[kind] = []
        elif kind and line.startswith("| ") and not line.startswith(("| column", "| ---")):
            cell = line.split("|")[1]
            columns[kind].extend(name.strip() for name in cell.split(","))
    return columns


def read_csv(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / f"{kind}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerateSummary, dict[str, list]]:
    out = tmp_path_factory.mktemp("book")
    summary = generate_portfolio(accounts=2_000, as_of=AS_OF, out_dir=out, seed=42)
    kinds = (*IMPORTED, "profiles")
    return summary, {kind: read_csv(out, kind) for kind in kinds}


def bucket(dpd: int) -> str:
    return "current" if dpd <= 0 else f"M{min(7, (dpd - 1) // 30 + 1)}"


def days_past_due(book: dict[str, list]) -> dict[str, int]:
    """Oldest installment not fully covered by all payments so far, allocated oldest first."""
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for payment in book["payments"]:
        paid[payment["loan_id"]] += Decimal(payment["amount"])
    schedule: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for row in book["installments"]:
        owed = Decimal(row["principal"]) + Decimal(row["interest"]) + Decimal(row["fee"])
        schedule[row["loan_id"]].append((dt.date.fromisoformat(row["due_date"]), owed))
    result = {}
    for loan in book["loans"]:
        covered, dpd = paid[loan["loan_id"]], 0
        for due, owed in schedule[loan["loan_id"]]:
            covered -= owed
            if covered < 0:
                dpd = max(0, (AS_OF - due).days)
                break
        result[loan["loan_id"]] = dpd
    return result


def test_summary_counts_match_the_files(book):
    summary, rows = book
    assert summary.loans == 2_000
    assert summary.rows() == {kind: len(rows[kind]) for kind in summary.rows()}
    assert set(summary.paths) == {*IMPORTED, "profiles"}
    assert all(path.name == f"{kind}.csv" for kind, path in summary.paths.items())
    assert summary.borrowers < summary.loans < 1.3 * summary.borrowers  # 1 loan, some 2


def test_csv_headers_are_the_documented_columns(book):
    summary, _ = book
    documented = documented_columns()
    for kind in IMPORTED:
        with summary.paths[kind].open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == documented[kind]
    with summary.paths["profiles"].open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == [
            "borrower_id",
            "debtor_type",
            "behaviour",
            "reason_code",
        ]


def test_same_arguments_give_the_same_bytes(tmp_path):
    for fmt in ("csv", "parquet"):
        first = generate_portfolio(accounts=300, as_of=AS_OF, out_dir=tmp_path / "a", fmt=fmt)
        again = generate_portfolio(accounts=300, as_of=AS_OF, out_dir=tmp_path / "b", fmt=fmt)
        other = generate_portfolio(
            accounts=300, as_of=AS_OF, out_dir=tmp_path / "c", fmt=fmt, seed=7
        )
        for kind, path in first.paths.items():
            assert path.read_bytes() == again.paths[kind].read_bytes(), kind
        assert first.paths["borrowers"].read_bytes() != other.paths["borrowers"].read_bytes()


def test_every_phone_is_valid_for_its_country(book):
    _, rows = book
    country_of = {b["borrower_id"]: b["country"] for b in rows["borrowers"]}
    numbers = [
        (b[column], b["country"])
        for b in rows["borrowers"]
        for column in ("mobile_phone", "home_phone", "work_phone")
        if b[column]
    ]
    numbers += [
        (p["phone"], p["country"] or country_of[p["borrower_id"]])
        for p in rows["related-parties"]
        if p["phone"]
    ]
    assert sum(1 for b in rows["borrowers"] if b["mobile_phone"]) > 0.9 * len(rows["borrowers"])
    for text, country in numbers:
        assert re.fullmatch(r"\+[1-9]\d{6,14}", text), text
        number = phonenumbers.parse(text)
        assert phonenumbers.is_valid_number(number), text
        assert phonenumbers.region_code_for_number(number) == country, text
    assert len({text for text, _ in numbers}) == len(numbers)  # nobody shares a number


def test_borrowers_span_the_markets(book):
    _, rows = book
    borrowers = rows["borrowers"]
    languages = {(b["country"], b["language"]) for b in borrowers}
    assert languages == {
        ("ES", "es"),
        ("MX", "es-MX"),
        ("CN", "zh-Hans"),
        ("TW", "zh-Hant"),
        ("US", "en"),
        ("GB", "en-GB"),
    }
    us_zones = {b["time_zone"] for b in borrowers if b["country"] == "US"}
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles"} <= us_zones
    assert len({b["time_zone"] for b in borrowers if b["country"] == "MX"}) > 3
    no_zone = [b["country"] for b in borrowers if not b["time_zone"]]
    assert no_zone
    assert set(no_zone) <= {"GB", "TW"}  # only where the country alone gives the zone
    assert 0.05 < sum(1 for b in borrowers if not b["email"]) / len(borrowers) < 0.35
    assert all(b["full_name"] and b["region"] and b["city"] for b in borrowers)


def test_related_parties_refer_to_borrowers(book):
    _, rows = book
    borrowers = {b["borrower_id"] for b in rows["borrowers"]}
    parties = rows["related-parties"]
    per_borrower = Counter(p["borrower_id"] for p in parties)
    assert set(per_borrower) <= borrowers
    assert max(per_borrower.values()) <= 3
    assert len(per_borrower) < len(borrowers)  # some have none
    guarantors = [p for p in parties if p["role"] == "guarantor"]
    assert {p["guarantee_enforceable"] for p in guarantors} == {"true", "false"}
    assert all(p["guarantee_enforceable"] == "" for p in parties if p["role"] == "reference")
    relations = {p["relation"] for p in parties}
    assert {"spouse", "parent", "sibling", "friend", "colleague"} <= relations


def test_schedules_amortise_the_principal(book):
    _, rows = book
    loans = {loan["loan_id"]: loan for loan in rows["loans"]}
    by_loan: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows["installments"]:
        by_loan[row["loan_id"]].append(row)
    assert set(by_loan) == set(loans)
    for loan_id, schedule in by_loan.items():
        loan = loans[loan_id]
        decimals = minor_units(loan["currency"])
        money = re.compile(rf"\d+\.\d{{{decimals}}}" if decimals else r"\d+")
        assert [int(r["installment_no"]) for r in schedule] == list(range(1, len(schedule) + 1))
        assert len(schedule) in {6, 12, 18, 24}
        dues = [dt.date.fromisoformat(r["due_date"]) for r in schedule]
        assert all(a < b for a, b in itertools.pairwise(dues))
        assert dt.date.fromisoformat(loan["disbursed_on"]) < dues[0]
        assert dt.date.fromisoformat(loan["disbursed_on"]) <= AS_OF
        for row in schedule:
            assert all(money.fullmatch(row[c]) for c in ("principal", "interest", "fee")), row
        principal = sum(Decimal(r["principal"]) for r in schedule)
        interest = sum(Decimal(r["interest"]) for r in schedule)
        assert principal == Decimal(loan["principal"])
        assert interest > 0
        instalments = [Decimal(r["principal"]) + Decimal(r["interest"]) for r in schedule]
        assert sum(instalments) == principal + interest
        assert len(set(instalments[:-1])) == 1  # French amortisation: equal instalments
        # the first month's interest is the balance times the monthly rate
        rate = Decimal(loan["annual_interest_rate"])
        assert Decimal("0.08") <= rate <= Decimal("0.36")
        expected = (principal * rate / 12).quantize(Decimal(1).scaleb(-decimals))
        assert abs(Decimal(schedule[0]["interest"]) - expected) <= Decimal(1).scaleb(-decimals)


def test_payments_are_valid_and_never_after_as_of(book):
    _, rows = book
    loans = {loan["loan_id"]: loan for loan in rows["loans"]}
    ids = [p["payment_id"] for p in rows["payments"]]
    assert len(set(ids)) == len(ids)
    for payment in rows["payments"]:
        loan = loans[payment["loan_id"]]
        paid_on = dt.date.fromisoformat(payment["paid_on"])
        assert dt.date.fromisoformat(loan["disbursed_on"]) < paid_on <= AS_OF
        assert Decimal(payment["amount"]) > 0
        assert payment["currency"] in {"", loan["currency"]}
        assert payment["channel"] in {"debit", "transfer", "card", "cash", "agency", "other"}
    same_day = Counter((p["loan_id"], p["paid_on"]) for p in rows["payments"])
    assert any(count > 1 for count in same_day.values())


def test_delinquency_mix(book):
    _, rows = book
    dpd = days_past_due(rows)
    buckets = Counter(bucket(d) for d in dpd.values())
    share = {name: count / len(dpd) for name, count in buckets.items()}
    assert 0.75 <= share["current"] <= 0.85, share
    assert all(buckets[f"M{i}"] > 0 for i in range(1, 8)), buckets
    assert buckets["M1"] == max(buckets[f"M{i}"] for i in range(1, 8))  # early buckets dominate
    assert buckets["M1"] + buckets["M2"] + buckets["M3"] > buckets["M4"] + buckets["M5"]

    behaviour = {p["borrower_id"]: p["behaviour"] for p in rows["profiles"]}
    by_behaviour: dict[str, Counter[str]] = defaultdict(Counter)
    for loan in rows["loans"]:
        by_behaviour[behaviour[loan["borrower_id"]]][bucket(dpd[loan["loan_id"]])] += 1
    on_time = by_behaviour["on_time"]
    assert on_time["current"] >= 0.97 * on_time.total()
    cured = by_behaviour["cured"]  # caught up; at most a debit being retried right now
    assert set(cured) <= {"current", "M1"}
    assert cured["current"] >= 0.9 * cured.total()
    assert set(by_behaviour["payday_mismatch"]) <= {"current", "M1"}
    for stuck in ("never_paid", "missed_run", "partial", "sporadic"):
        assert by_behaviour[stuck]["current"] < 0.3 * by_behaviour[stuck].total(), stuck


def test_profiles_map_behaviours_to_debtor_types(book):
    _, rows = book
    profiles = rows["profiles"]
    assert [p["borrower_id"] for p in profiles] == [b["borrower_id"] for b in rows["borrowers"]]
    assert {p["behaviour"] for p in profiles} == set(generate.BEHAVIOURS)
    assert {p["debtor_type"] for p in profiles} == set(generate.DEBTOR_TYPES)
    assert {p["reason_code"] for p in profiles} <= set(generate.REASON_CODES)
    for profile in profiles:
        if profile["behaviour"] == "on_time":
            assert (profile["debtor_type"], profile["reason_code"]) == ("cooperative", "none")
        if profile["behaviour"] == "payday_mismatch":
            assert profile["reason_code"] == "payday_mismatch"
        if profile["behaviour"] in {"partial", "sporadic"}:
            assert profile["debtor_type"] in {"willing_unable", "able_unwilling"}


def test_parquet_has_the_documented_columns_and_types(tmp_path):
    summary = generate_portfolio(accounts=200, as_of=AS_OF, out_dir=tmp_path, fmt="parquet")
    documented = documented_columns()
    for kind in IMPORTED:
        table = pq.read_table(summary.paths[kind])
        assert summary.paths[kind].suffix == ".parquet"
        assert table.column_names == documented[kind]
        assert table.num_rows == summary.rows()[kind]
        for column in MONEY.get(kind, ()):
            assert pa.types.is_decimal(table.schema.field(column).type)
        for field in table.schema:
            assert not pa.types.is_floating(field.type)
            if "date" in field.name or field.name.endswith("_on"):
                assert field.type == pa.date32()
    assert pq.read_table(summary.paths["profiles"]).num_rows == summary.borrowers


def test_currencies_without_decimals_are_written_as_whole_numbers(tmp_path, monkeypatch):
    real = generate.minor_units
    monkeypatch.setattr(generate, "minor_units", lambda c: 0 if c == "TWD" else real(c))
    csv_book = generate_portfolio(accounts=400, as_of=AS_OF, out_dir=tmp_path / "c")
    loans = read_csv(tmp_path / "c", "loans")
    currency = {loan["loan_id"]: loan["currency"] for loan in loans}
    assert "TWD" in currency.values()
    for row in read_csv(tmp_path / "c", "installments"):
        whole = currency[row["loan_id"]] == "TWD"
        assert ("." not in row["interest"]) is whole, row
    parquet_book = generate_portfolio(
        accounts=400, as_of=AS_OF, out_dir=tmp_path / "p", fmt="parquet"
    )
    table = pq.read_table(parquet_book.paths["loans"])
    principal = dict(zip(table["loan_id"].to_pylist(), table["principal"].to_pylist(), strict=True))
    for loan in loans:
        assert principal[loan["loan_id"]] == Decimal(loan["principal"])
    assert csv_book.loans == parquet_book.loans


def test_progress_is_reported(tmp_path):
    calls: list[tuple[str, int, int]] = []
    generate_portfolio(
        accounts=50,
        as_of=AS_OF,
        out_dir=tmp_path / "new" / "folder",
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )
    assert calls[-1] == ("accounts", 50, 50)
    assert {stage for stage, _, _ in calls} == {"pools", "accounts"}
    assert (tmp_path / "new" / "folder" / "loans.csv").is_file()


def test_a_single_account(tmp_path):
    summary = generate_portfolio(accounts=1, as_of=AS_OF, out_dir=tmp_path)
    assert (summary.borrowers, summary.loans, summary.profiles) == (1, 1, 1)
    assert len(read_csv(tmp_path, "loans")) == 1


@pytest.mark.parametrize("accounts", [0, -5, 2.5, True, "10"])
def test_bad_account_counts_are_rejected(tmp_path, accounts):
    with pytest.raises(InvalidInput, match="accounts"):
        generate_portfolio(accounts=accounts, as_of=AS_OF, out_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_bad_format_is_rejected(tmp_path):
    with pytest.raises(InvalidInput, match="csv"):
        generate_portfolio(accounts=10, as_of=AS_OF, out_dir=tmp_path, fmt="xlsx")  # type: ignore[arg-type]
