"""Repositories: the only way services read and write the system of record.

Each repository has an abstract base (what services depend on, and what a test fake implements)
and a SQL implementation over the Core tables in `tables.py`, sharing the unit of work's
transaction. Loading returns domain objects (`arrears.domain.model`), never rows.

`IngestStore` is the bulk seam of the file import: set-based look-ups and chunked
`executemany` writes of plain records, keyed by external ids.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import and_, bindparam, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from arrears.adapters.store import tables as t
from arrears.adapters.store.bulk import bulk_insert
from arrears.domain.errors import Conflict, InvalidInput, NotFound
from arrears.domain.model import (
    Address,
    Borrower,
    Charge,
    Installment,
    Loan,
    PartyRole,
    Payment,
    Phone,
    PhoneKind,
    RelatedParty,
    Relation,
)
from arrears.domain.money import Money, quantum

if TYPE_CHECKING:
    from sqlalchemy import Connection, Executable, Table
    from sqlalchemy.orm import Session

#: rows per `executemany` / per `IN (...)` list
CHUNK = 2000
#: rows a table may gain within one import before PostgreSQL's statistics are refreshed
ANALYZE_FLOOR = 20_000

ACTION_TAG = re.compile(r"^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$")
PHONE_KIND_ORDER = {kind.value: position for position, kind in enumerate(PhoneKind)}

K = TypeVar("K")
Clock = Callable[[], dt.datetime]


def _chunks(items: Iterable[K], size: int = CHUNK) -> Iterator[list[K]]:
    batch: list[K] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _money(amount: Decimal, currency: str) -> Money:
    """Stored amounts have 4 decimals; show them in the currency's minor unit when exact."""
    short = amount.quantize(quantum(currency))
    return Money(short if short == amount else amount, currency)


def _prefixed(values: Mapping[str, Any]) -> dict[str, Any]:
    return {f"v_{name}": value for name, value in values.items()}


def _zones(text: str | None) -> tuple[str, ...]:
    return tuple(text.split()) if text else ()


def _zones_text(zones: Iterable[str]) -> str:
    return " ".join(zones)


# -- read models that are not (yet) domain types --------------------------------------------------


@dataclass(frozen=True, slots=True)
class BucketTag:
    """One row of a loan's bucket history: in `bucket` from `added_on` until `lifted_on`."""

    loan_id: str
    bucket: str
    dpd: int
    added_on: dt.date
    lifted_on: dt.date | None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    id: int
    occurred_at: dt.datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    request_id: str | None
    batch_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


# -- abstract repositories (the seam services and fakes use) --------------------------------------


class BorrowerRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, external_id: str) -> Borrower:
        """The borrower with its phones, emails and addresses; NotFound when unknown."""

    @abc.abstractmethod
    def add(
        self,
        borrower: Borrower,
        *,
        national_id: str | None = None,
        date_of_birth: dt.date | None = None,
    ) -> None: ...

    @abc.abstractmethod
    def related_parties(self, external_id: str) -> tuple[RelatedParty, ...]:
        """Guarantors and references of a borrower, in external id order."""

    @abc.abstractmethod
    def add_related_party(self, party: RelatedParty, *, country: str | None = None) -> None: ...


class LoanRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, external_id: str) -> Loan:
        """The loan with its installments, payments and charges; NotFound when unknown."""

    @abc.abstractmethod
    def add(self, loan: Loan) -> None: ...

    @abc.abstractmethod
    def for_borrower(self, borrower_external_id: str) -> tuple[str, ...]:
        """External ids of the borrower's loans."""

    @abc.abstractmethod
    def version(self, external_id: str) -> int: ...

    @abc.abstractmethod
    def bump_version(self, external_id: str, *, expected: int) -> int:
        """Optimistic lock: raise Conflict unless the stored version is `expected`."""

    @abc.abstractmethod
    def add_payment(self, loan_id: str, payment: Payment, *, channel: str | None = None) -> None:
        """Record a payment; Conflict if its external id exists with other values."""

    @abc.abstractmethod
    def add_charges(self, loan_id: str, charges: Sequence[Charge]) -> int:
        """Post charges, skipping those already posted for their (rule, period); the count added."""


class BucketHistoryRepository(abc.ABC):
    """Append-only: tags are appended and lifted, never deleted (the database refuses)."""

    @abc.abstractmethod
    def append(self, loan_id: str, *, bucket: str, dpd: int, added_on: dt.date) -> None:
        """Open a tag; the loan must have no open tag (lift it first)."""

    @abc.abstractmethod
    def lift(self, loan_id: str, *, lifted_on: dt.date) -> bool:
        """Close the loan's open tag; False when there is none."""

    @abc.abstractmethod
    def current(self, loan_id: str) -> BucketTag | None: ...

    @abc.abstractmethod
    def history(self, loan_id: str) -> tuple[BucketTag, ...]: ...


class AuditLog(abc.ABC):
    """Append-only audit trail, written in the caller's transaction."""

    @staticmethod
    def check_action(action: str) -> str:
        if not ACTION_TAG.fullmatch(action):
            raise InvalidInput(f"audit action {action!r} is not in source:subject:action form")
        return action

    @abc.abstractmethod
    def record(
        self,
        *,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        batch_id: str | None = None,
        request_id: str | None = None,
    ) -> None: ...

    @abc.abstractmethod
    def for_subject(self, subject_type: str, subject_id: str) -> tuple[AuditEvent, ...]: ...

    @abc.abstractmethod
    def for_batch(self, batch_id: str) -> tuple[AuditEvent, ...]: ...


# -- import records (plain values keyed by external ids, compared with ==) ------------------------


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    e164: str
    region_code: str
    time_zones: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PhoneRecord:
    kind: str
    number: PhoneNumber


@dataclass(frozen=True, slots=True)
class BorrowerRecord:
    external_id: str
    full_name: str
    language: str
    country: str
    region: str | None = None
    occupation: str | None = None
    employer: str | None = None
    national_id: str | None = None
    date_of_birth: dt.date | None = None
    phones: tuple[PhoneRecord, ...] = ()  # in PhoneKind order
    emails: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedPartyRecord:
    external_id: str
    borrower_id: str
    role: str
    relation: str
    full_name: str
    phone: PhoneNumber | None = None
    email: str | None = None
    country: str | None = None
    language: str | None = None
    guarantee_enforceable: bool = False


@dataclass(frozen=True, slots=True)
class LoanRecord:
    external_id: str
    borrower_id: str
    product: str
    currency: str
    principal: Decimal
    disbursed_on: dt.date
    annual_interest_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class InstallmentRecord:
    loan_id: str
    installment_no: int
    due_date: dt.date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    # a first value for installments.cum_due_before; recompute_cum_due() makes it right
    cum_due_before: Decimal = field(default=Decimal(0), compare=False)

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fee

    @property
    def key(self) -> tuple[str, int]:
        return (self.loan_id, self.installment_no)


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    external_id: str
    loan_id: str
    paid_on: dt.date
    amount: Decimal
    currency: str
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class BorrowerRef:
    external_id: str
    country: str
    language: str


@dataclass(frozen=True, slots=True)
class LoanRef:
    external_id: str
    currency: str


@dataclass(frozen=True, slots=True)
class ImportBatchRecord:
    id: str
    kind: str
    file_name: str
    sha256: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    actor: str
    started_at: dt.datetime
    finished_at: dt.datetime


class IngestStore(abc.ABC):
    """Bulk reads and writes for `arrears.services.ingest`, in the unit of work's transaction."""

    @abc.abstractmethod
    def borrower_refs(self, external_ids: Collection[str]) -> dict[str, BorrowerRef]: ...

    @abc.abstractmethod
    def loan_refs(self, external_ids: Collection[str]) -> dict[str, LoanRef]: ...

    @abc.abstractmethod
    def existing_borrowers(self, external_ids: Collection[str]) -> dict[str, BorrowerRecord]: ...

    @abc.abstractmethod
    def existing_related_parties(
        self, external_ids: Collection[str]
    ) -> dict[str, RelatedPartyRecord]: ...

    @abc.abstractmethod
    def existing_loans(self, external_ids: Collection[str]) -> dict[str, LoanRecord]: ...

    @abc.abstractmethod
    def existing_installments(
        self, loan_ids: Collection[str]
    ) -> dict[tuple[str, int], InstallmentRecord]:
        """Every stored installment of the given loans, keyed by (loan id, installment_no)."""

    @abc.abstractmethod
    def existing_payments(self, external_ids: Collection[str]) -> dict[str, PaymentRecord]: ...

    @abc.abstractmethod
    def insert_borrowers(self, records: Sequence[BorrowerRecord], *, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def update_borrowers(self, records: Sequence[BorrowerRecord], *, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def insert_related_parties(
        self, records: Sequence[RelatedPartyRecord], *, now: dt.datetime
    ) -> None: ...

    @abc.abstractmethod
    def update_related_parties(
        self, records: Sequence[RelatedPartyRecord], *, now: dt.datetime
    ) -> None: ...

    @abc.abstractmethod
    def insert_loans(self, records: Sequence[LoanRecord], *, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def update_loans(self, records: Sequence[LoanRecord], *, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def insert_installments(self, records: Sequence[InstallmentRecord]) -> None: ...

    @abc.abstractmethod
    def update_installments(self, records: Sequence[InstallmentRecord]) -> None: ...

    @abc.abstractmethod
    def insert_payments(self, records: Sequence[PaymentRecord], *, now: dt.datetime) -> None: ...

    @abc.abstractmethod
    def recompute_cum_due(self, loan_ids: Collection[str]) -> None:
        """Refresh installments.cum_due_before for every installment of the given loans."""

    @abc.abstractmethod
    def touch_loans(self, loan_ids: Collection[str], *, now: dt.datetime) -> None:
        """Bump the version of loans whose schedule or payments changed."""

    @abc.abstractmethod
    def record_import(self, batch: ImportBatchRecord) -> None: ...


# -- SQL implementations ---------------------------------------------------------------------------


class _SqlRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    @property
    def _conn(self) -> Connection:
        return self._session.connection()

    def _execute(self, statement: Executable, params: Any = None) -> Any:
        try:
            return self._conn.execute(statement, params)
        except IntegrityError as error:
            raise Conflict(
                f"the database refused the change: {error.orig}", table=_table_of(statement)
            ) from error

    def _insert_ignore(self, table: Table) -> Any:
        """INSERT that skips rows violating a unique constraint (SQLite and PostgreSQL)."""
        if self._conn.dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        return sqlite.insert(table).on_conflict_do_nothing()

    def _id_of(self, table: Table, external_id: str, what: str) -> int:
        found = self._conn.execute(
            select(table.c.id).where(table.c.external_id == external_id)
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"{what} {external_id!r} not found", id=external_id)
        return int(found)


def _table_of(statement: Executable) -> str:
    table = getattr(statement, "table", None)
    return str(getattr(table, "name", "?"))


class SqlBorrowerRepository(_SqlRepository, BorrowerRepository):
    def get(self, external_id: str) -> Borrower:
        row = self._conn.execute(
            select(t.borrowers).where(t.borrowers.c.external_id == external_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"borrower {external_id!r} not found", id=external_id)
        phones = self._conn.execute(
            select(t.borrower_phones)
            .where(t.borrower_phones.c.borrower_id == row.id)
            .order_by(t.borrower_phones.c.id)
        ).all()
        emails = self._conn.execute(
            select(t.borrower_emails.c.email)
            .where(t.borrower_emails.c.borrower_id == row.id)
            .order_by(t.borrower_emails.c.id)
        ).scalars()
        addresses = self._conn.execute(
            select(t.borrower_addresses)
            .where(t.borrower_addresses.c.borrower_id == row.id)
            .order_by(t.borrower_addresses.c.id)
        ).all()
        return Borrower(
            external_id=row.external_id,
            full_name=row.full_name,
            language=row.language,
            country=row.country,
            region=row.region,
            occupation=row.occupation,
            employer=row.employer,
            phones=tuple(
                Phone(
                    kind=PhoneKind(p.kind),
                    e164=p.e164,
                    region_code=p.region_code,
                    time_zones=_zones(p.time_zones),
                )
                for p in sorted(phones, key=lambda p: (PHONE_KIND_ORDER[p.kind], p.id))
            ),
            emails=tuple(emails),
            addresses=tuple(
                Address(
                    line=a.line,
                    city=a.city,
                    postal_code=a.postal_code,
                    region=a.region,
                    country=a.country,
                    time_zone=a.time_zone,
                )
                for a in addresses
            ),
        )

    def add(
        self,
        borrower: Borrower,
        *,
        national_id: str | None = None,
        date_of_birth: dt.date | None = None,
    ) -> None:
        now = self._clock()
        borrower_id = self._execute(
            insert(t.borrowers).returning(t.borrowers.c.id),
            {
                "external_id": borrower.external_id,
                "full_name": borrower.full_name,
                "language": borrower.language,
                "country": borrower.country,
                "region": borrower.region,
                "occupation": borrower.occupation,
                "employer": borrower.employer,
                "national_id": national_id,
                "date_of_birth": date_of_birth,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
        _insert_contacts(
            self,
            borrower_id,
            phones=[
                PhoneRecord(p.kind.value, PhoneNumber(p.e164, p.region_code, p.time_zones))
                for p in borrower.phones
            ],
            emails=borrower.emails,
            addresses=list(borrower.addresses),
        )

    def related_parties(self, external_id: str) -> tuple[RelatedParty, ...]:
        borrower_id = self._id_of(t.borrowers, external_id, "borrower")
        rows = self._conn.execute(
            select(t.related_parties)
            .where(t.related_parties.c.borrower_id == borrower_id)
            .order_by(t.related_parties.c.external_id)
        ).all()
        return tuple(
            RelatedParty(
                external_id=r.external_id,
                borrower_id=external_id,
                role=PartyRole(r.role),
                relation=Relation(r.relation),
                full_name=r.full_name,
                phones=(
                    (
                        Phone(
                            kind=PhoneKind.MOBILE,
                            e164=r.phone_e164,
                            region_code=r.phone_region_code or "",
                            time_zones=_zones(r.phone_time_zones),
                        ),
                    )
                    if r.phone_e164
                    else ()
                ),
                emails=(r.email,) if r.email else (),
                language=r.language,
                guarantee_enforceable=bool(r.guarantee_enforceable),
            )
            for r in rows
        )

    def add_related_party(self, party: RelatedParty, *, country: str | None = None) -> None:
        if len(party.phones) > 1 or len(party.emails) > 1:
            raise InvalidInput("a related party is stored with at most one phone and one email")
        borrower_id = self._id_of(t.borrowers, party.borrower_id, "borrower")
        phone = party.phones[0] if party.phones else None
        now = self._clock()
        self._execute(
            insert(t.related_parties),
            {
                "external_id": party.external_id,
                "borrower_id": borrower_id,
                "role": party.role.value,
                "relation": party.relation.value,
                "full_name": party.full_name,
                "phone_e164": phone.e164 if phone else None,
                "phone_region_code": phone.region_code if phone else None,
                "phone_time_zones": _zones_text(phone.time_zones) if phone else None,
                "email": party.emails[0] if party.emails else None,
                "country": country,
                "language": party.language,
                "guarantee_enforceable": party.guarantee_enforceable,
                "created_at": now,
                "updated_at": now,
            },
        )


def _insert_contacts(
    repository: _SqlRepository,
    borrower_id: int,
    *,
    phones: Iterable[PhoneRecord],
    emails: Iterable[str],
    addresses: Iterable[Address],
) -> None:
    _insert_contact_rows(
        repository,
        phones=[_phone_row(borrower_id, p) for p in phones],
        emails=[{"borrower_id": borrower_id, "email": e} for e in emails],
        addresses=[_address_row(borrower_id, a) for a in addresses],
    )


def _phone_row(borrower_id: int, phone: PhoneRecord) -> dict[str, Any]:
    return {
        "borrower_id": borrower_id,
        "kind": phone.kind,
        "e164": phone.number.e164,
        "region_code": phone.number.region_code,
        "time_zones": _zones_text(phone.number.time_zones),
    }


def _address_row(borrower_id: int, address: Address) -> dict[str, Any]:
    return {
        "borrower_id": borrower_id,
        "line": address.line,
        "city": address.city,
        "postal_code": address.postal_code,
        "region": address.region,
        "country": address.country,
        "time_zone": address.time_zone,
    }


def _insert_contact_rows(
    repository: _SqlRepository,
    *,
    phones: list[dict[str, Any]],
    emails: list[dict[str, Any]],
    addresses: list[dict[str, Any]],
) -> None:
    for table, rows in (
        (t.borrower_phones, phones),
        (t.borrower_emails, emails),
        (t.borrower_addresses, addresses),
    ):
        for batch in _chunks(rows):
            repository._execute(insert(table), batch)  # noqa: SLF001 - module-private helper


class SqlLoanRepository(_SqlRepository, LoanRepository):
    def get(self, external_id: str) -> Loan:
        row = self._conn.execute(
            select(t.loans, t.borrowers.c.external_id.label("borrower_external_id"))
            .join(t.borrowers, t.borrowers.c.id == t.loans.c.borrower_id)
            .where(t.loans.c.external_id == external_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"loan {external_id!r} not found", id=external_id)
        currency: str = row.currency
        installments = self._conn.execute(
            select(t.installments)
            .where(t.installments.c.loan_id == row.id)
            .order_by(t.installments.c.installment_no)
        ).all()
        payments = self._conn.execute(
            select(t.payments)
            .where(t.payments.c.loan_id == row.id)
            .order_by(t.payments.c.paid_on, t.payments.c.id)
        ).all()
        charges = self._conn.execute(
            select(t.charges)
            .where(t.charges.c.loan_id == row.id)
            .order_by(t.charges.c.charged_on, t.charges.c.id)
        ).all()
        return Loan(
            external_id=row.external_id,
            borrower_id=row.borrower_external_id,
            currency=currency,
            installments=tuple(
                Installment(
                    number=i.installment_no,
                    due_date=i.due_date,
                    principal=_money(i.principal, currency),
                    interest=_money(i.interest, currency),
                    fee=_money(i.fee, currency),
                )
                for i in installments
            ),
            payments=tuple(
                Payment(
                    external_id=p.external_id,
                    paid_on=p.paid_on,
                    amount=_money(p.amount, p.currency),
                )
                for p in payments
            ),
            charges=tuple(
                Charge(
                    rule_id=c.rule_id,
                    period_key=c.period_key,
                    installment_no=c.installment_no,
                    charged_on=c.charged_on,
                    amount=_money(c.amount, c.currency),
                )
                for c in charges
            ),
            product=row.product,
            principal=_money(row.principal, currency),
            disbursed_on=row.disbursed_on,
            annual_interest_rate=(
                row.annual_interest_rate.normalize()
                if row.annual_interest_rate is not None
                else None
            ),
        )

    def add(self, loan: Loan) -> None:
        if loan.principal is None or loan.disbursed_on is None:
            raise InvalidInput(f"loan {loan.external_id}: a stored loan needs principal and date")
        borrower_id = self._id_of(t.borrowers, loan.borrower_id, "borrower")
        now = self._clock()
        loan_id = self._execute(
            insert(t.loans).returning(t.loans.c.id),
            {
                "external_id": loan.external_id,
                "borrower_id": borrower_id,
                "product": loan.product,
                "currency": loan.currency,
                "principal": loan.principal.amount,
                "disbursed_on": loan.disbursed_on,
                "annual_interest_rate": loan.annual_interest_rate,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
        rows: list[dict[str, Any]] = []
        due_before = Decimal(0)
        for item in loan.installments:
            rows.append(
                {
                    "loan_id": loan_id,
                    "installment_no": item.number,
                    "due_date": item.due_date,
                    "principal": item.principal.amount,
                    "interest": item.interest.amount,
                    "fee": item.fee.amount,
                    "cum_due_before": due_before,
                }
            )
            due_before += item.total.amount
        for batch in _chunks(rows):
            self._execute(insert(t.installments), batch)
        for payment in loan.payments:
            self.add_payment(loan.external_id, payment)
        self.add_charges(loan.external_id, loan.charges)

    def for_borrower(self, borrower_external_id: str) -> tuple[str, ...]:
        borrower_id = self._id_of(t.borrowers, borrower_external_id, "borrower")
        return tuple(
            self._conn.execute(
                select(t.loans.c.external_id)
                .where(t.loans.c.borrower_id == borrower_id)
                .order_by(t.loans.c.external_id)
            ).scalars()
        )

    def version(self, external_id: str) -> int:
        found = self._conn.execute(
            select(t.loans.c.version).where(t.loans.c.external_id == external_id)
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"loan {external_id!r} not found", id=external_id)
        return int(found)

    def bump_version(self, external_id: str, *, expected: int) -> int:
        result = self._conn.execute(
            update(t.loans)
            .where(t.loans.c.external_id == external_id, t.loans.c.version == expected)
            .values(version=t.loans.c.version + 1, updated_at=self._clock())
        )
        if result.rowcount != 1:
            current = self.version(external_id)  # NotFound when the loan is unknown
            raise Conflict(
                f"loan {external_id} changed meanwhile (version {current}, expected {expected})",
                id=external_id,
            )
        return expected + 1

    def add_payment(self, loan_id: str, payment: Payment, *, channel: str | None = None) -> None:
        loan_pk = self._id_of(t.loans, loan_id, "loan")
        existing = self._conn.execute(
            select(t.payments).where(t.payments.c.external_id == payment.external_id)
        ).one_or_none()
        if existing is not None:
            same = (
                existing.loan_id == loan_pk
                and existing.paid_on == payment.paid_on
                and existing.amount == payment.amount.amount
                and existing.currency == payment.amount.currency
                and existing.channel == channel
            )
            if same:
                return  # idempotent by external id
            raise Conflict(
                f"payment {payment.external_id} is already recorded with other values",
                id=payment.external_id,
            )
        self._execute(
            insert(t.payments),
            {
                "external_id": payment.external_id,
                "loan_id": loan_pk,
                "paid_on": payment.paid_on,
                "amount": payment.amount.amount,
                "currency": payment.amount.currency,
                "channel": channel,
                "created_at": self._clock(),
            },
        )

    def add_charges(self, loan_id: str, charges: Sequence[Charge]) -> int:
        if not charges:
            return 0
        loan_pk = self._id_of(t.loans, loan_id, "loan")
        now = self._clock()
        rows = [
            {
                "loan_id": loan_pk,
                "installment_no": c.installment_no,
                "rule_id": c.rule_id,
                "period_key": c.period_key,
                "charged_on": c.charged_on,
                "amount": c.amount.amount,
                "currency": c.amount.currency,
                "created_at": now,
            }
            for c in charges
        ]
        added = 0
        for batch in _chunks(rows):
            result = self._execute(self._insert_ignore(t.charges), batch)
            added += max(result.rowcount, 0)
        return added


class SqlBucketHistoryRepository(_SqlRepository, BucketHistoryRepository):
    def append(self, loan_id: str, *, bucket: str, dpd: int, added_on: dt.date) -> None:
        loan_pk = self._id_of(t.loans, loan_id, "loan")
        self._execute(
            insert(t.bucket_history),
            {"loan_id": loan_pk, "bucket": bucket, "dpd": dpd, "added_on": added_on},
        )

    def lift(self, loan_id: str, *, lifted_on: dt.date) -> bool:
        loan_pk = self._id_of(t.loans, loan_id, "loan")
        result = self._execute(
            update(t.bucket_history)
            .where(t.bucket_history.c.loan_id == loan_pk, t.bucket_history.c.lifted_on.is_(None))
            .values(lifted_on=lifted_on)
        )
        return bool(result.rowcount)

    def current(self, loan_id: str) -> BucketTag | None:
        tags = self._tags(loan_id, open_only=True)
        return tags[0] if tags else None

    def history(self, loan_id: str) -> tuple[BucketTag, ...]:
        return self._tags(loan_id, open_only=False)

    def _tags(self, loan_id: str, *, open_only: bool) -> tuple[BucketTag, ...]:
        loan_pk = self._id_of(t.loans, loan_id, "loan")
        query = (
            select(t.bucket_history)
            .where(t.bucket_history.c.loan_id == loan_pk)
            .order_by(t.bucket_history.c.added_on, t.bucket_history.c.id)
        )
        if open_only:
            query = query.where(t.bucket_history.c.lifted_on.is_(None))
        return tuple(
            BucketTag(loan_id, r.bucket, r.dpd, r.added_on, r.lifted_on)
            for r in self._conn.execute(query)
        )


class SqlAuditLog(_SqlRepository, AuditLog):
    def record(
        self,
        *,
        actor: str,
        action: str,
        subject_type: str,
        subject_id: str,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        batch_id: str | None = None,
        request_id: str | None = None,
    ) -> None:
        if not actor:
            raise InvalidInput("an audit event needs an actor")
        self._execute(
            insert(t.audit_events),
            {
                "occurred_at": self._clock(),
                "actor": actor,
                "action": self.check_action(action),
                "subject_type": subject_type,
                "subject_id": subject_id,
                "request_id": request_id,
                "batch_id": batch_id,
                "before": dict(before) if before is not None else None,
                "after": dict(after) if after is not None else None,
            },
        )

    def for_subject(self, subject_type: str, subject_id: str) -> tuple[AuditEvent, ...]:
        return self._events(
            and_(
                t.audit_events.c.subject_type == subject_type,
                t.audit_events.c.subject_id == subject_id,
            )
        )

    def for_batch(self, batch_id: str) -> tuple[AuditEvent, ...]:
        return self._events(t.audit_events.c.batch_id == batch_id)

    def _events(self, condition: Any) -> tuple[AuditEvent, ...]:
        rows = self._conn.execute(
            select(t.audit_events).where(condition).order_by(t.audit_events.c.id)
        )
        return tuple(
            AuditEvent(
                id=r.id,
                occurred_at=r.occurred_at,
                actor=r.actor,
                action=r.action,
                subject_type=r.subject_type,
                subject_id=r.subject_id,
                request_id=r.request_id,
                batch_id=r.batch_id,
                before=r.before,
                after=r.after,
            )
            for r in rows
        )


_IMPORTED_TABLES = (
    t.borrowers,
    t.borrower_phones,
    t.borrower_emails,
    t.borrower_addresses,
    t.related_parties,
    t.loans,
    t.installments,
    t.payments,
)


class SqlIngestStore(_SqlRepository, IngestStore):
    """Set-based reads, `executemany` writes; caches external id → surrogate key."""

    def __init__(self, session: Session, clock: Clock) -> None:
        super().__init__(session, clock)
        self._borrower_pk: dict[str, int] = {}
        self._loan_pk: dict[str, int] = {}
        self._statistics_checked = False
        self._written: dict[str, int] = {}
        self._analyze_at: dict[str, int] = {}

    # -- planner statistics (PostgreSQL) --------------------------------------------------------
    # PostgreSQL plans from table statistics. A bulk load in one transaction outgrows them
    # (autovacuum cannot see uncommitted rows) and the planner falls back to sequential scans,
    # which makes a million-row import quadratic. So: ANALYZE stale tables once at the start, and
    # again each time a table this import writes has doubled (a few times per import).

    @property
    def _postgres(self) -> bool:
        return self._conn.dialect.name == "postgresql"

    def _check_statistics(self) -> None:
        if self._statistics_checked:
            return
        self._statistics_checked = True
        if not self._postgres:
            return
        stale = self._conn.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:names) "
                "AND n_mod_since_analyze > :floor + n_live_tup / 5"
            ),
            {"names": [table.name for table in _IMPORTED_TABLES], "floor": ANALYZE_FLOOR},
        ).scalars()
        for name in list(stale):
            self._conn.exec_driver_sql(f'ANALYZE "{name}"')

    def _grew(self, table: Table, rows: int) -> None:
        if not rows or not self._postgres:
            return
        written = self._written[table.name] = self._written.get(table.name, 0) + rows
        if written >= self._analyze_at.get(table.name, ANALYZE_FLOOR):
            self._conn.exec_driver_sql(f'ANALYZE "{table.name}"')
            self._analyze_at[table.name] = written * 2

    # -- look-ups -----------------------------------------------------------------------------

    def borrower_refs(self, external_ids: Collection[str]) -> dict[str, BorrowerRef]:
        self._check_statistics()
        found: dict[str, BorrowerRef] = {}
        b = t.borrowers
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(
                select(b.c.id, b.c.external_id, b.c.country, b.c.language).where(
                    b.c.external_id.in_(batch)
                )
            ):
                self._borrower_pk[r.external_id] = r.id
                found[r.external_id] = BorrowerRef(r.external_id, r.country, r.language)
        return found

    def loan_refs(self, external_ids: Collection[str]) -> dict[str, LoanRef]:
        self._check_statistics()
        found: dict[str, LoanRef] = {}
        ln = t.loans
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(
                select(ln.c.id, ln.c.external_id, ln.c.currency).where(ln.c.external_id.in_(batch))
            ):
                self._loan_pk[r.external_id] = r.id
                found[r.external_id] = LoanRef(r.external_id, r.currency)
        return found

    def _borrower_key(self, external_id: str) -> int:
        if external_id not in self._borrower_pk:
            self.borrower_refs([external_id])
        try:
            return self._borrower_pk[external_id]
        except KeyError:
            raise NotFound(f"borrower {external_id!r} not found", id=external_id) from None

    def _loan_key(self, external_id: str) -> int:
        if external_id not in self._loan_pk:
            self.loan_refs([external_id])
        try:
            return self._loan_pk[external_id]
        except KeyError:
            raise NotFound(f"loan {external_id!r} not found", id=external_id) from None

    def _resolve_borrowers(self, external_ids: Iterable[str]) -> None:
        missing = {e for e in external_ids if e not in self._borrower_pk}
        if missing:
            self.borrower_refs(missing)

    def _resolve_loans(self, external_ids: Iterable[str]) -> None:
        missing = {e for e in external_ids if e not in self._loan_pk}
        if missing:
            self.loan_refs(missing)

    # -- existing rows --------------------------------------------------------------------------

    def existing_borrowers(self, external_ids: Collection[str]) -> dict[str, BorrowerRecord]:
        self._check_statistics()
        b = t.borrowers
        rows: dict[int, Any] = {}
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(select(b).where(b.c.external_id.in_(batch))):
                rows[r.id] = r
                self._borrower_pk[r.external_id] = r.id
        if not rows:
            return {}
        phones: dict[int, list[Any]] = {}
        emails: dict[int, list[Any]] = {}
        addresses: dict[int, list[Any]] = {}
        for table, into in (
            (t.borrower_phones, phones),
            (t.borrower_emails, emails),
            (t.borrower_addresses, addresses),
        ):
            for pks in _chunks(rows):
                for r in self._conn.execute(
                    select(table).where(table.c.borrower_id.in_(pks)).order_by(table.c.id)
                ):
                    into.setdefault(r.borrower_id, []).append(r)
        result: dict[str, BorrowerRecord] = {}
        for pk, r in rows.items():
            result[r.external_id] = BorrowerRecord(
                external_id=r.external_id,
                full_name=r.full_name,
                language=r.language,
                country=r.country,
                region=r.region,
                occupation=r.occupation,
                employer=r.employer,
                national_id=r.national_id,
                date_of_birth=r.date_of_birth,
                phones=tuple(
                    PhoneRecord(p.kind, PhoneNumber(p.e164, p.region_code, _zones(p.time_zones)))
                    for p in sorted(
                        phones.get(pk, ()), key=lambda p: (PHONE_KIND_ORDER[p.kind], p.id)
                    )
                ),
                emails=tuple(e.email for e in emails.get(pk, ())),
                addresses=tuple(
                    Address(a.line, a.city, a.postal_code, a.region, a.country, a.time_zone)
                    for a in addresses.get(pk, ())
                ),
            )
        return result

    def existing_related_parties(
        self, external_ids: Collection[str]
    ) -> dict[str, RelatedPartyRecord]:
        rp, b = t.related_parties, t.borrowers
        result: dict[str, RelatedPartyRecord] = {}
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(
                select(rp, b.c.external_id.label("bid"))
                .join(b, b.c.id == rp.c.borrower_id)
                .where(rp.c.external_id.in_(batch))
            ):
                phone = (
                    PhoneNumber(r.phone_e164, r.phone_region_code or "", _zones(r.phone_time_zones))
                    if r.phone_e164
                    else None
                )
                result[r.external_id] = RelatedPartyRecord(
                    external_id=r.external_id,
                    borrower_id=r.bid,
                    role=r.role,
                    relation=r.relation,
                    full_name=r.full_name,
                    phone=phone,
                    email=r.email,
                    country=r.country,
                    language=r.language,
                    guarantee_enforceable=bool(r.guarantee_enforceable),
                )
        return result

    def existing_loans(self, external_ids: Collection[str]) -> dict[str, LoanRecord]:
        self._check_statistics()
        ln, b = t.loans, t.borrowers
        result: dict[str, LoanRecord] = {}
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(
                select(ln, b.c.external_id.label("bid"))
                .join(b, b.c.id == ln.c.borrower_id)
                .where(ln.c.external_id.in_(batch))
            ):
                self._loan_pk[r.external_id] = r.id
                result[r.external_id] = LoanRecord(
                    external_id=r.external_id,
                    borrower_id=r.bid,
                    product=r.product,
                    currency=r.currency,
                    principal=r.principal,
                    disbursed_on=r.disbursed_on,
                    annual_interest_rate=r.annual_interest_rate,
                )
        return result

    def existing_installments(
        self, loan_ids: Collection[str]
    ) -> dict[tuple[str, int], InstallmentRecord]:
        self._resolve_loans(loan_ids)
        by_pk = {self._loan_pk[e]: e for e in loan_ids if e in self._loan_pk}
        i = t.installments
        result: dict[tuple[str, int], InstallmentRecord] = {}
        for batch in _chunks(by_pk):
            for r in self._conn.execute(
                select(
                    i.c.loan_id,
                    i.c.installment_no,
                    i.c.due_date,
                    i.c.principal,
                    i.c.interest,
                    i.c.fee,
                ).where(i.c.loan_id.in_(batch))
            ):
                loan = by_pk[r.loan_id]
                result[(loan, r.installment_no)] = InstallmentRecord(
                    loan, r.installment_no, r.due_date, r.principal, r.interest, r.fee
                )
        return result

    def existing_payments(self, external_ids: Collection[str]) -> dict[str, PaymentRecord]:
        self._check_statistics()
        p, ln = t.payments, t.loans
        result: dict[str, PaymentRecord] = {}
        for batch in _chunks(set(external_ids)):
            for r in self._conn.execute(
                select(p, ln.c.external_id.label("lid"))
                .join(ln, ln.c.id == p.c.loan_id)
                .where(p.c.external_id.in_(batch))
            ):
                result[r.external_id] = PaymentRecord(
                    r.external_id, r.lid, r.paid_on, r.amount, r.currency, r.channel
                )
        return result

    # -- writes -------------------------------------------------------------------------------

    @staticmethod
    def _borrower_values(record: BorrowerRecord) -> dict[str, Any]:
        return {
            "full_name": record.full_name,
            "language": record.language,
            "country": record.country,
            "region": record.region,
            "occupation": record.occupation,
            "employer": record.employer,
            "national_id": record.national_id,
            "date_of_birth": record.date_of_birth,
        }

    def insert_borrowers(self, records: Sequence[BorrowerRecord], *, now: dt.datetime) -> None:
        for batch in _chunks(records):
            self._bulk_insert_dicts(
                t.borrowers,
                [
                    {
                        "external_id": r.external_id,
                        **self._borrower_values(r),
                        "created_at": now,
                        "updated_at": now,
                    }
                    for r in batch
                ],
            )
            self.borrower_refs([r.external_id for r in batch])  # their new surrogate keys
            self._insert_children(batch)

    def _insert_children(self, records: Sequence[BorrowerRecord]) -> None:
        phones: list[dict[str, Any]] = []
        emails: list[dict[str, Any]] = []
        addresses: list[dict[str, Any]] = []
        for record in records:
            pk = self._borrower_pk[record.external_id]
            phones.extend(_phone_row(pk, p) for p in record.phones)
            emails.extend({"borrower_id": pk, "email": e} for e in record.emails)
            addresses.extend(_address_row(pk, a) for a in record.addresses)
        self._bulk_insert_dicts(t.borrower_phones, phones)
        self._bulk_insert_dicts(t.borrower_emails, emails)
        self._bulk_insert_dicts(t.borrower_addresses, addresses)

    def update_borrowers(self, records: Sequence[BorrowerRecord], *, now: dt.datetime) -> None:
        if not records:
            return
        self._resolve_borrowers(r.external_id for r in records)
        self._versioned_update(t.borrowers, records, self._borrower_values, now=now)
        for batch in _chunks(records):
            self._sync_children(batch)

    def _sync_children(self, records: Sequence[BorrowerRecord]) -> None:
        """Make phones, emails and addresses match the records: rows that stay keep their ids
        (other tables may point at them); only vanished rows are deleted, new ones inserted."""
        wanted: dict[str, list[dict[str, Any]]] = {"phones": [], "emails": [], "addresses": []}
        for record in records:
            pk = self._borrower_pk[record.external_id]
            wanted["phones"].extend(_phone_row(pk, p) for p in record.phones)
            wanted["emails"].extend({"borrower_id": pk, "email": e} for e in record.emails)
            wanted["addresses"].extend(_address_row(pk, a) for a in record.addresses)
        pks = [self._borrower_pk[r.external_id] for r in records]
        for table, rows in (
            (t.borrower_phones, wanted["phones"]),
            (t.borrower_emails, wanted["emails"]),
            (t.borrower_addresses, wanted["addresses"]),
        ):
            columns = [c.name for c in table.columns if c.name != "id"]
            desired = {tuple(row[c] for c in columns) for row in rows}
            kept: set[tuple[Any, ...]] = set()
            stale: list[int] = []
            for row in self._conn.execute(
                select(table).where(table.c.borrower_id.in_(pks)).order_by(table.c.id)
            ):
                values = tuple(getattr(row, c) for c in columns)
                if values in desired and values not in kept:
                    kept.add(values)
                else:
                    stale.append(row.id)
            for ids in _chunks(stale):
                self._execute(table.delete().where(table.c.id.in_(ids)))
            self._bulk_insert_dicts(
                table, [row for row in rows if tuple(row[c] for c in columns) not in kept]
            )

    def _party_values(self, record: RelatedPartyRecord) -> dict[str, Any]:
        phone = record.phone
        return {
            "borrower_id": self._borrower_key(record.borrower_id),
            "role": record.role,
            "relation": record.relation,
            "full_name": record.full_name,
            "phone_e164": phone.e164 if phone else None,
            "phone_region_code": phone.region_code if phone else None,
            "phone_time_zones": _zones_text(phone.time_zones) if phone else None,
            "email": record.email,
            "country": record.country,
            "language": record.language,
            "guarantee_enforceable": record.guarantee_enforceable,
        }

    def insert_related_parties(
        self, records: Sequence[RelatedPartyRecord], *, now: dt.datetime
    ) -> None:
        self._resolve_borrowers(r.borrower_id for r in records)
        self._bulk_insert_dicts(
            t.related_parties,
            [
                {
                    "external_id": r.external_id,
                    **self._party_values(r),
                    "created_at": now,
                    "updated_at": now,
                }
                for r in records
            ],
        )

    def update_related_parties(
        self, records: Sequence[RelatedPartyRecord], *, now: dt.datetime
    ) -> None:
        if not records:
            return
        self._resolve_borrowers(r.borrower_id for r in records)
        self._versioned_update(t.related_parties, records, self._party_values, now=now)

    def _loan_values(self, record: LoanRecord) -> dict[str, Any]:
        return {
            "borrower_id": self._borrower_key(record.borrower_id),
            "product": record.product,
            "currency": record.currency,
            "principal": record.principal,
            "disbursed_on": record.disbursed_on,
            "annual_interest_rate": record.annual_interest_rate,
        }

    def insert_loans(self, records: Sequence[LoanRecord], *, now: dt.datetime) -> None:
        self._resolve_borrowers(r.borrower_id for r in records)
        self._bulk_insert_dicts(
            t.loans,
            [
                {
                    "external_id": r.external_id,
                    **self._loan_values(r),
                    "created_at": now,
                    "updated_at": now,
                }
                for r in records
            ],
        )

    def update_loans(self, records: Sequence[LoanRecord], *, now: dt.datetime) -> None:
        if not records:
            return
        self._resolve_borrowers(r.borrower_id for r in records)
        self._versioned_update(t.loans, records, self._loan_values, now=now)

    def _versioned_update(
        self,
        table: Table,
        records: Sequence[Any],
        values: Callable[[Any], dict[str, Any]],
        *,
        now: dt.datetime,
    ) -> None:
        """Update rows by external id with `values(record)`, bumping their version."""
        names = list(values(records[0]))
        statement = (
            update(table)
            .where(table.c.external_id == bindparam("key"))
            .values(
                {
                    **{name: bindparam(f"v_{name}") for name in names},
                    "version": table.c.version + 1,
                    "updated_at": now,
                }
            )
        )
        for batch in _chunks(records):
            self._execute(
                statement, [{"key": r.external_id, **_prefixed(values(r))} for r in batch]
            )

    def insert_installments(self, records: Sequence[InstallmentRecord]) -> None:
        self._resolve_loans(r.loan_id for r in records)
        pk = self._loan_pk
        self._bulk_insert(
            t.installments,
            (
                "loan_id",
                "installment_no",
                "due_date",
                "principal",
                "interest",
                "fee",
                "cum_due_before",
            ),
            (
                (
                    pk[r.loan_id],
                    r.installment_no,
                    r.due_date,
                    r.principal,
                    r.interest,
                    r.fee,
                    r.cum_due_before,
                )
                for r in records
            ),
        )

    def update_installments(self, records: Sequence[InstallmentRecord]) -> None:
        i = t.installments
        self._resolve_loans(r.loan_id for r in records)
        statement = (
            update(i)
            .where(i.c.loan_id == bindparam("lid"), i.c.installment_no == bindparam("no"))
            .values(
                due_date=bindparam("v_due_date"),
                principal=bindparam("v_principal"),
                interest=bindparam("v_interest"),
                fee=bindparam("v_fee"),
            )
        )
        for batch in _chunks(records):
            self._execute(
                statement,
                [
                    {
                        "lid": self._loan_pk[r.loan_id],
                        "no": r.installment_no,
                        "v_due_date": r.due_date,
                        "v_principal": r.principal,
                        "v_interest": r.interest,
                        "v_fee": r.fee,
                    }
                    for r in batch
                ],
            )

    def insert_payments(self, records: Sequence[PaymentRecord], *, now: dt.datetime) -> None:
        self._resolve_loans(r.loan_id for r in records)
        pk = self._loan_pk
        self._bulk_insert(
            t.payments,
            ("external_id", "loan_id", "paid_on", "amount", "currency", "channel", "created_at"),
            (
                (r.external_id, pk[r.loan_id], r.paid_on, r.amount, r.currency, r.channel, now)
                for r in records
            ),
        )

    def _bulk_insert(
        self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        self._grew(table, bulk_insert(self._conn, table, columns, rows))

    def _bulk_insert_dicts(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            columns = list(rows[0])
            self._bulk_insert(table, columns, ([row[c] for c in columns] for row in rows))

    def recompute_cum_due(self, loan_ids: Collection[str]) -> None:
        self._resolve_loans(loan_ids)
        i = t.installments
        due = i.c.principal + i.c.interest + i.c.fee
        for batch in _chunks(sorted(self._loan_pk[e] for e in loan_ids), CHUNK // 2):
            window = (
                select(
                    i.c.id.label("iid"),
                    func.coalesce(
                        func.sum(due).over(
                            partition_by=i.c.loan_id,
                            order_by=i.c.installment_no,
                            rows=(None, -1),
                        ),
                        0,
                    ).label("before"),
                )
                .where(i.c.loan_id.in_(batch))
                .subquery("w")
            )
            # ROUND keeps SQLite's REAL sums on the 4-decimal grid (exact on PostgreSQL)
            value = func.round(window.c.before, 4)
            self._execute(
                update(i)
                .where(
                    i.c.loan_id.in_(batch),  # lets the planner use the index on both sides
                    i.c.id == window.c.iid,
                    i.c.cum_due_before.is_distinct_from(value),
                )
                .values(cum_due_before=value)
            )

    def touch_loans(self, loan_ids: Collection[str], *, now: dt.datetime) -> None:
        ln = t.loans
        self._resolve_loans(loan_ids)
        for batch in _chunks(sorted(self._loan_pk[e] for e in loan_ids)):
            self._execute(
                update(ln)
                .where(ln.c.id.in_(batch))
                .values(version=ln.c.version + 1, updated_at=now)
            )

    def record_import(self, batch: ImportBatchRecord) -> None:
        self._execute(
            insert(t.import_batches),
            {
                "id": batch.id,
                "kind": batch.kind,
                "file_name": batch.file_name,
                "sha256": batch.sha256,
                "rows": batch.rows,
                "inserted": batch.inserted,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "actor": batch.actor,
                "started_at": batch.started_at,
                "finished_at": batch.finished_at,
            },
        )


__all__ = [
    "AuditEvent",
    "AuditLog",
    "BorrowerRecord",
    "BorrowerRef",
    "BorrowerRepository",
    "BucketHistoryRepository",
    "BucketTag",
    "ImportBatchRecord",
    "IngestStore",
    "InstallmentRecord",
    "LoanRecord",
    "LoanRef",
    "LoanRepository",
    "PaymentRecord",
    "PhoneNumber",
    "PhoneRecord",
    "RelatedPartyRecord",
    "SqlAuditLog",
    "SqlBorrowerRepository",
    "SqlBucketHistoryRepository",
    "SqlIngestStore",
    "SqlLoanRepository",
]
