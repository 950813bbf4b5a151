"""The import's row validators and file checks, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from arrears.adapters.store.repositories import BorrowerRef, PhoneNumber
from arrears.domain.errors import DomainError, InvalidInput, RejectedRows
from arrears.services.ingest import (
    BorrowerRow,
    ImportRejected,
    InstallmentRow,
    LoanRow,
    PaymentRow,
    RelatedPartyRow,
    default_time_zone,
    import_file,
    parse_date,
    parse_language,
    parse_phone,
    validate_row,
)

if TYPE_CHECKING:
    from pathlib import Path


def errors_of(model, raw, context=None) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw, context=context)
    return {
        str(e["loc"][0]): (str(e["ctx"]["error"]) if e["type"] == "value_error" else e["msg"])
        for e in caught.value.errors()
    }


def no_database():
    raise AssertionError("the database must not be touched")


BORROWER = {
    "borrower_id": " B-1 ",
    "full_name": "Lucía Fernández",
    "language": "es-mx",
    "country": "mx",
    "mobile_phone": "55 1234 5678",
    "email": "lucia@example.mx",
    "city": "Mexico City",
    "time_zone": None,
}


def test_a_good_borrower_row_is_normalised():
    row = BorrowerRow.model_validate(BORROWER)
    assert row.borrower_id == "B-1"
    assert row.language == "es-MX"
    assert row.country == "MX"
    assert row.mobile_phone == PhoneNumber("+525512345678", "MX", ("America/Mexico_City",))
    record = row.to_record()
    assert [p.kind for p in record.phones] == ["mobile"]
    assert record.addresses[0].time_zone == "America/Mexico_City"  # from the city


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("borrower_id", "", "is required"),
        ("language", "klingon-XX", "BCP 47"),
        ("country", "XX", "ISO 3166-1"),
        ("mobile_phone", "12", "phone number of MX"),
        ("email", "lucia.example.mx", "email"),
        ("date_of_birth", "01/05/1980", "YYYY-MM-DD"),
        ("time_zone", "Mexico/Somewhere", "IANA"),
        ("full_name", "x" * 201, "longer than 200"),
    ],
)
def test_bad_borrower_cells_are_reported_by_column(column, value, reason):
    found = errors_of(BorrowerRow, {**BORROWER, column: value})
    assert list(found) == [column]
    assert reason in found[column]


def test_every_bad_cell_of_a_row_is_reported():
    found = errors_of(BorrowerRow, {"borrower_id": "B", "language": "", "country": "ZZ"})
    assert set(found) == {"full_name", "language", "country"}


def test_loan_amounts_respect_the_currency_minor_unit():
    raw = {
        "loan_id": "L",
        "borrower_id": "B",
        "product": "card",
        "currency": "jpy",
        "principal": "1000",
        "disbursed_on": "2025-01-01",
    }
    assert LoanRow.model_validate(raw).currency == "JPY"
    assert "JPY allows (0)" in errors_of(LoanRow, {**raw, "principal": "1000.5"})["principal"]
    assert "greater than 0" in errors_of(LoanRow, {**raw, "principal": "0"})["principal"]
    assert "ISO 4217" in errors_of(LoanRow, {**raw, "currency": "ABC"})["currency"]
    assert "decimal" in errors_of(LoanRow, {**raw, "principal": "1,000"})["principal"]
    assert "decimal" in errors_of(LoanRow, {**raw, "principal": "NaN"})["principal"]
    rate = LoanRow.model_validate({**raw, "annual_interest_rate": "0.189"}).annual_interest_rate
    assert rate == Decimal("0.189")
    assert (
        "6 decimals"
        in errors_of(LoanRow, {**raw, "annual_interest_rate": "0.1234567"})["annual_interest_rate"]
    )


def test_installment_components_use_the_loan_currency_from_the_context():
    raw = {
        "loan_id": "L",
        "installment_no": "2",
        "due_date": "2025-02-01",
        "principal": "10.25",
        "interest": "0",
        "fee": "0.00",
    }
    row = InstallmentRow.model_validate(raw, context={"currency": "EUR"})
    assert (row.installment_no, row.principal) == (2, Decimal("10.25"))
    assert (
        "EUR allows (2)"
        in errors_of(InstallmentRow, {**raw, "principal": "10.255"}, {"currency": "EUR"})[
            "principal"
        ]
    )
    assert "negative" in errors_of(InstallmentRow, {**raw, "fee": "-1"}, {"currency": "EUR"})["fee"]
    assert (
        "between 1" in errors_of(InstallmentRow, {**raw, "installment_no": "0"})["installment_no"]
    )
    assert (
        "whole number"
        in errors_of(InstallmentRow, {**raw, "installment_no": "1.5"})["installment_no"]
    )


def test_payment_currency_must_be_the_loan_currency():
    raw = {"payment_id": "P", "loan_id": "L", "paid_on": "2025-03-01", "amount": "5.00"}
    context = {"currency": "EUR"}
    row = PaymentRow.model_validate({**raw, "channel": "Debit"}, context=context)
    assert row.to_record("EUR").channel == "debit"
    assert (
        "loan's currency (EUR)"
        in errors_of(PaymentRow, {**raw, "currency": "USD"}, context)["currency"]
    )
    assert "greater than 0" in errors_of(PaymentRow, {**raw, "amount": "-5"}, context)["amount"]
    assert "channel" in errors_of(PaymentRow, {**raw, "channel": "pigeon"}, context)


def test_related_party_phone_defaults_to_the_borrower_country():
    raw = {
        "party_id": "R",
        "borrower_id": "B",
        "role": "Guarantor",
        "relation": "spouse",
        "full_name": "Javier Ruiz",
        "phone": "622334455",
        "guarantee_enforceable": "TRUE",
    }
    borrower = BorrowerRef("B", "ES", "es")
    row = RelatedPartyRow.model_validate(raw, context={"borrower": borrower})
    assert row.phone is not None
    assert row.phone.e164 == "+34622334455"
    assert row.guarantee_enforceable
    found = errors_of(RelatedPartyRow, {**raw, "role": "reference"}, context={"borrower": borrower})
    assert "only a guarantor" in found["guarantee_enforceable"]
    assert "relation" in errors_of(RelatedPartyRow, {**raw, "relation": "cousin"})


def test_cell_parsers():
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(ValueError, match="not a valid date"):
        parse_date("2023-02-29")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("20240101")
    assert parse_language("zh-hant") == "zh-Hant"
    assert parse_phone("+8613812345678", None).time_zones == ("Asia/Shanghai",)
    with pytest.raises(ValueError, match=r"\+country code"):
        parse_phone("612345678", None)
    assert default_time_zone("ES") is None  # Madrid, Ceuta, Canary: ambiguous
    assert default_time_zone("ES", "Madrid") == "Europe/Madrid"
    assert default_time_zone("PT", "Lisboa") is None


def test_validate_row_dispatches_by_kind():
    row = validate_row(
        "loans",
        {
            "loan_id": "L",
            "borrower_id": "B",
            "product": "card",
            "currency": "EUR",
            "principal": "1",
            "disbursed_on": "2025-01-01",
        },
    )
    assert isinstance(row, LoanRow)
    with pytest.raises(ValidationError):
        validate_row("installments", {"loan_id": "L"}, context={"currency": "EUR"})


def test_import_errors_are_domain_errors_with_a_code():
    error = ImportRejected([], file="x.csv")
    assert isinstance(error, RejectedRows)
    assert isinstance(error, DomainError)
    assert error.code == "import_rejected"


def test_file_problems_are_found_before_any_database_work(tmp_path: Path):
    with pytest.raises(InvalidInput, match="unknown import kind"):
        import_file(no_database, kind="people", path=tmp_path / "x.csv", actor="t")
    with pytest.raises(InvalidInput, match="no such file"):
        import_file(no_database, kind="loans", path=tmp_path / "x.csv", actor="t")
    header_only = tmp_path / "loans.csv"
    header_only.write_text("loan_id,borrower_id,product,currency,principal\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_file(no_database, kind="loans", path=header_only, actor="t")
    assert [(e.row, e.column) for e in caught.value.errors] == [(0, "disbursed_on")]
