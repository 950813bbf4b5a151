"""Read models for the API and desk: pages of borrowers and loans, one borrower's record, one
loan's status, each filtered in SQL by what the reader may see (`CaseScope`).

A collector sees only borrowers with a case assigned to them or waiting in their team's queue;
other roles see the whole book (the permission matrix decides which). The scope is a SQL
condition on `borrowers.id`, so pages and counts never hold rows the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, false, or_, select, true

from arrears.adapters.store import tables as t

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy import ColumnElement, Connection

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class CaseScope:
    """What a reader may see: everything, or the cases of one collector and their queues."""

    everything: bool
    collector_id: str = ""
    queues: tuple[str, ...] = ()  # exact pool names (`stage:language`)
    queue_patterns: tuple[str, ...] = ()  # LIKE patterns (`%:es`: any stage, one language)

    def borrower_condition(self) -> ColumnElement[bool]:
        """A condition on `borrowers.id`: true for the borrowers this scope may read."""
        if self.everything:
            return true()
        return exists().where(self.case_condition(), _cases().c.borrower_id == t.borrowers.c.id)

    def case_condition(self) -> ColumnElement[bool]:
        """A condition on `cases`: true for the cases this scope may read (fails closed when
        the workflow tables are absent)."""
        if self.everything:
            return true()
        cases = _cases()
        worklist = t.metadata.tables.get("worklist_items")
        mine = cases.c.collector_id == self.collector_id if self.collector_id else false()
        pools = (
            [worklist.c.queue.like(p) for p in self.queue_patterns] if worklist is not None else []
        )
        if worklist is not None and self.queues:
            pools.append(worklist.c.queue.in_(self.queues))
        if worklist is None or not pools:
            return mine
        queued = exists().where(
            worklist.c.case_id == cases.c.case_id,
            worklist.c.collector_id.is_(None),
            or_(*pools),
        )
        return or_(mine, queued)


def _cases() -> Any:
    cases = t.metadata.tables.get("cases")
    if cases is None:  # pragma: no cover - the workflow tables ship with the store
        raise RuntimeError("the cases table is not defined")
    return cases


@dataclass(frozen=True, slots=True)
class BorrowerSummary:
    external_id: str
    full_name: str
    country: str
    language: str
    region: str | None
    national_id: str | None
    phones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BorrowerDetail:
    summary: BorrowerSummary
    date_of_birth: dt.date | None
    occupation: str | None
    employer: str | None
    phones: tuple[tuple[str, str, tuple[str, ...]], ...]  # kind, e164, zones
    emails: tuple[str, ...]
    addresses: tuple[dict[str, Any], ...]
    loans: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoanSummary:
    external_id: str
    borrower_id: str
    product: str
    currency: str
    principal: Any
    disbursed_on: dt.date
    dpd: int | None = None
    bucket: str | None = None
    status_date: dt.date | None = None


def _phones_of(connection: Connection, ids: list[int]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    if not ids:
        return found
    rows = connection.execute(
        select(t.borrower_phones)
        .where(t.borrower_phones.c.borrower_id.in_(ids))
        .order_by(t.borrower_phones.c.borrower_id, t.borrower_phones.c.id)
    )
    for row in rows:
        found.setdefault(row.borrower_id, []).append(row)
    return found


def list_borrowers(
    connection: Connection,
    scope: CaseScope,
    *,
    limit: int,
    after: str | None = None,
    country: str | None = None,
    language: str | None = None,
    name_contains: str | None = None,
) -> tuple[list[BorrowerSummary], bool]:
    """One page in external-id order after `after`; and whether more pages follow."""
    b = t.borrowers
    query = select(b).where(scope.borrower_condition())
    if after is not None:
        query = query.where(b.c.external_id > after)
    if country:
        query = query.where(b.c.country == country.upper())
    if language:
        query = query.where(b.c.language == language)
    if name_contains:
        escaped = name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(b.c.full_name.ilike(f"%{escaped}%", escape="\\"))
    rows = connection.execute(query.order_by(b.c.external_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    phones = _phones_of(connection, [r.id for r in rows])
    return [
        BorrowerSummary(
            r.external_id,
            r.full_name,
            r.country,
            r.language,
            r.region,
            r.national_id,
            tuple(p.e164 for p in phones.get(r.id, [])),
        )
        for r in rows
    ], more


def borrower_exists(connection: Connection, external_id: str) -> bool:
    found = connection.execute(
        select(t.borrowers.c.id).where(t.borrowers.c.external_id == external_id)
    ).first()
    return found is not None


def get_borrower(
    connection: Connection, scope: CaseScope, external_id: str
) -> BorrowerDetail | None:
    """The borrower's record, or None when unknown or outside `scope`."""
    b = t.borrowers
    row = connection.execute(
        select(b).where(b.c.external_id == external_id, scope.borrower_condition())
    ).first()
    if row is None:
        return None
    phones = _phones_of(connection, [row.id]).get(row.id, [])
    emails = connection.execute(
        select(t.borrower_emails.c.email)
        .where(t.borrower_emails.c.borrower_id == row.id)
        .order_by(t.borrower_emails.c.id)
    ).scalars()
    addresses = connection.execute(
        select(t.borrower_addresses)
        .where(t.borrower_addresses.c.borrower_id == row.id)
        .order_by(t.borrower_addresses.c.id)
    ).all()
    loans = connection.execute(
        select(t.loans.c.external_id)
        .where(t.loans.c.borrower_id == row.id)
        .order_by(t.loans.c.external_id)
    ).scalars()
    return BorrowerDetail(
        summary=BorrowerSummary(
            row.external_id,
            row.full_name,
            row.country,
            row.language,
            row.region,
            row.national_id,
            tuple(p.e164 for p in phones),
        ),
        date_of_birth=row.date_of_birth,
        occupation=row.occupation,
        employer=row.employer,
        phones=tuple((p.kind, p.e164, tuple(p.time_zones.split())) for p in phones),
        emails=tuple(emails),
        addresses=tuple(
            {
                "line": a.line,
                "city": a.city,
                "postal_code": a.postal_code,
                "region": a.region,
                "country": a.country,
                "time_zone": a.time_zone,
            }
            for a in addresses
        ),
        loans=tuple(loans),
    )


def list_loans(
    connection: Connection,
    scope: CaseScope,
    *,
    limit: int,
    after: str | None = None,
    borrower_id: str | None = None,
    currency: str | None = None,
    product: str | None = None,
) -> tuple[list[LoanSummary], bool]:
    loans, b, snap = t.loans, t.borrowers, t.delinquency_snapshots
    later = snap.alias("later")
    newest = (
        select(later.c.business_date)
        .where(later.c.loan_id == loans.c.id)
        .order_by(later.c.business_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            loans,
            b.c.external_id.label("borrower_external_id"),
            snap.c.dpd,
            snap.c.bucket,
            snap.c.business_date,
        )
        .join(b, b.c.id == loans.c.borrower_id)
        .outerjoin(snap, and_(snap.c.loan_id == loans.c.id, snap.c.business_date == newest))
        .where(scope.borrower_condition())
    )
    if after is not None:
        query = query.where(loans.c.external_id > after)
    if borrower_id:
        query = query.where(b.c.external_id == borrower_id)
    if currency:
        query = query.where(loans.c.currency == currency.upper())
    if product:
        query = query.where(loans.c.product == product)
    rows = connection.execute(query.order_by(loans.c.external_id).limit(limit + 1)).all()
    more = len(rows) > limit
    return [
        LoanSummary(
            r.external_id,
            r.borrower_external_id,
            r.product,
            r.currency,
            r.principal,
            r.disbursed_on,
            r.dpd,
            r.bucket,
            r.business_date,
        )
        for r in rows[:limit]
    ], more


def loan_visible(connection: Connection, scope: CaseScope, external_id: str) -> bool | None:
    """True when visible, False when it exists outside the scope, None when unknown."""
    row = connection.execute(
        select(t.loans.c.id, t.borrowers.c.id.label("borrower_pk"))
        .join(t.borrowers, t.borrowers.c.id == t.loans.c.borrower_id)
        .where(t.loans.c.external_id == external_id)
    ).first()
    if row is None:
        return None
    visible = connection.execute(
        select(t.borrowers.c.id).where(
            t.borrowers.c.id == row.borrower_pk, scope.borrower_condition()
        )
    ).first()
    return visible is not None


def latest_status(connection: Connection, external_id: str) -> dict[str, Any] | None:
    s = t.delinquency_snapshots
    row = connection.execute(
        select(s)
        .join(t.loans, t.loans.c.id == s.c.loan_id)
        .where(t.loans.c.external_id == external_id)
        .order_by(s.c.business_date.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "business_date": row.business_date,
        "dpd": row.dpd,
        "bucket": row.bucket,
        "overdue_total": row.overdue_total,
        "missed_installments": row.missed_installments,
        "oldest_unpaid_due_date": row.oldest_unpaid_due_date,
        "last_payment_date": row.last_payment_date,
    }


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: str
    borrower_id: str
    state: str
    stage_id: str | None
    debtor_type: str
    collector_id: str | None
    opened_on: dt.date
    closed_on: dt.date | None
    follow_up_on: dt.date | None
    version: int


def list_cases(
    connection: Connection,
    scope: CaseScope,
    *,
    limit: int,
    after: str | None = None,
    state: str | None = None,
    borrower_id: str | None = None,
) -> tuple[list[CaseSummary], bool]:
    """One page of the cases `scope` may read, in case-id order after `after`."""
    cases = _cases()
    query = (
        select(cases, t.borrowers.c.external_id.label("borrower_external_id"))
        .join(t.borrowers, t.borrowers.c.id == cases.c.borrower_id)
        .where(scope.case_condition())
    )
    if after is not None:
        query = query.where(cases.c.case_id > after)
    if state:
        query = query.where(cases.c.state == state)
    if borrower_id:
        query = query.where(t.borrowers.c.external_id == borrower_id)
    rows = connection.execute(query.order_by(cases.c.case_id).limit(limit + 1)).all()
    return [
        CaseSummary(
            r.case_id,
            r.borrower_external_id,
            r.state,
            r.stage_id,
            r.debtor_type,
            r.collector_id,
            r.opened_on,
            r.closed_on,
            r.follow_up_on,
            int(r.version),
        )
        for r in rows[:limit]
    ], len(rows) > limit


def case_visible(connection: Connection, scope: CaseScope, case_id: str) -> bool | None:
    """True when visible, False when the case exists outside the scope, None when unknown."""
    cases = _cases()
    found = connection.execute(select(cases.c.case_id).where(cases.c.case_id == case_id)).first()
    if found is None:
        return None
    visible = connection.execute(
        select(cases.c.case_id).where(cases.c.case_id == case_id, scope.case_condition())
    ).first()
    return visible is not None


__all__ = [
    "MAX_PAGE",
    "BorrowerDetail",
    "BorrowerSummary",
    "CaseScope",
    "CaseSummary",
    "LoanSummary",
    "borrower_exists",
    "case_visible",
    "get_borrower",
    "latest_status",
    "list_borrowers",
    "list_cases",
    "list_loans",
    "loan_visible",
]
