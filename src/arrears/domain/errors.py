"""Domain errors carry a stable code, structured fields and a message template.

Entry points map them to exit codes, HTTP statuses and page messages in one place each.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain and services raise on purpose."""

    code: str = "domain_error"
    message_template: str = "{detail}"

    def __init__(self, detail: str = "", **fields: Any) -> None:
        self.detail = detail
        self.fields = fields
        super().__init__(self.message)

    @property
    def message(self) -> str:
        try:
            return self.message_template.format(detail=self.detail, **self.fields)
        except (KeyError, IndexError):
            return self.detail or self.code

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "fields": dict(self.fields)}


class InvalidInput(DomainError):
    code = "invalid_input"


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"
    message_template = "cannot combine {left} with {right}"


class UnknownCurrency(DomainError):
    code = "unknown_currency"
    message_template = "{currency!r} is not an ISO 4217 currency code"


class InvalidBuckets(DomainError):
    code = "invalid_buckets"


class InvalidConfig(DomainError):
    code = "invalid_config"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class RowError:
    """One bad cell or row in an input file: where it is and what is wrong."""

    __slots__ = ("column", "file", "reason", "row")

    def __init__(self, *, file: str, row: int | None, column: str | None, reason: str) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = reason

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.reason}"

    def __repr__(self) -> str:
        return f"RowError({self})"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


class RejectedRows(InvalidInput):
    """A file (or files) with bad rows: every bad row is listed and nothing was written."""

    code = "rejected_rows"

    def __init__(self, errors: list[RowError], *, what: str = "input") -> None:
        self.errors = errors
        super().__init__(
            f"{what} rejected: {len(errors)} bad row(s); nothing was written", count=len(errors)
        )
