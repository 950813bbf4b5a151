"""The desk's read model: what each screen shows, read from the tables in a few set-based
queries per screen (no query per row of a list). Writes never happen here: forms call the
services (`arrears.services.*`).

Amounts come back as `Money` (Decimal + currency); personal data the collector does not need in
full (phone numbers, e-mail addresses, national ids) is masked here, once, for every screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from arrears.adapters.store import tables as t
from arrears.adapters.store import workflow_tables as w
from arrears.domain.money import Money
from arrears.domain.security import mask_email, mask_national_id, mask_phone

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from arrears.adapters.store.read_models import CaseScope

ROLL_DAYS = 30  # the roll-rate matrix compares each loan's bucket D-30 with D
RESULTS_DAYS = 30  # collector results and recoveries: the last 30 days up to the business date
TIMELINE_LIMIT = 200


def business_date(conn: Connection) -> dt.date:
    """The desk's business date: the latest day the nightly cycle built worklists for, else the
    latest delinquency snapshot, else today (UTC) for an empty book."""
    for column in (w.worklist_items.c.business_date, t.delinquency_snapshots.c.business_date):
        latest = conn.execute(select(func.max(column))).scalar_one_or_none()
        if latest is not None:
            return latest  # type: ignore[no-any-return]
    return dt.datetime.now(dt.UTC).date()


def _money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else Money(Decimal(amount), currency).rounded()


# --------------------------------------------------------------------------- worklist


@dataclass(frozen=True, slots=True)
class WorkRow:
    case_id: str
    borrower: str
    language: str
    queue: str
    rank: int
    expected_value: Money | None
    reasons: str
    status: str
    mine: bool  # in the collector's own list (else the team queue)
    claimed_by: str | None
    state: str
    dpd: int | None


def worklist(
    conn: Connection, scope: CaseScope, day: dt.date, *, collector_id: str, limit: int = 100
) -> list[WorkRow]:
    """The day's items the reader may see: their own list, what they claimed, then the waiting
    queue items of their pools; by rank."""
    # aliased: the scope's condition has its own subquery over worklist_items
    wi, c, b = w.worklist_items.alias("wi"), w.cases, t.borrowers
    ca = w.case_assignments  # the day's DPD per case, by primary key (no scan of the book)
    rows = conn.execute(
        select(
            wi,
            b.c.full_name,
            b.c.language,
            c.c.state,
            ca.c.dpd,
        )
        .join(c, c.c.case_id == wi.c.case_id)
        .join(b, b.c.id == c.c.borrower_id)
        .outerjoin(ca, and_(ca.c.case_id == wi.c.case_id, ca.c.business_date == wi.c.business_date))
        .where(wi.c.business_date == day, scope.case_condition())
        .order_by(
            (wi.c.collector_id.is_(None)).asc(),  # own list first
            wi.c.rank,
            wi.c.case_id,
        )
        .limit(limit)
    ).all()
    return [
        WorkRow(
            case_id=r.case_id,
            borrower=r.full_name,
            language=r.language,
            queue=r.queue,
            rank=int(r.rank),
            expected_value=_money(r.expected_value, r.currency),
            reasons=r.reasons,
            status=r.status,
            mine=collector_id in {r.collector_id, r.claimed_by},
            claimed_by=r.claimed_by,
            state=r.state,
            dpd=None if r.dpd is None else int(r.dpd),
        )
        for r in rows
    ]


def claimed_case(conn: Connection, day: dt.date, collector_id: str) -> str | None:
    """The case the collector has claimed and not finished today, if any."""
    wi = w.worklist_items
    found: str | None = conn.execute(
        select(wi.c.case_id)
        .where(
            wi.c.business_date == day,
            wi.c.status == "claimed",
            wi.c.claimed_by == collector_id,
        )
        .order_by(wi.c.claimed_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return found


def is_collector(conn: Connection, username: str) -> bool:
    col = w.collectors
    found = conn.execute(select(col.c.collector_id).where(col.c.collector_id == username)).first()
    return found is not None


# ------------------------------------------------------------------------ case screen


@dataclass(frozen=True, slots=True)
class LoanView:
    external_id: str
    product: str
    currency: str
    principal: Money | None
    disbursed_on: dt.date
    dpd: int | None
    bucket: str | None
    overdue: Money | None
    oldest_due: dt.date | None
    installments: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    buckets: list[dict[str, Any]]


@dataclass(slots=True)
class CaseScreen:
    case: dict[str, Any]
    borrower: dict[str, Any]
    phones: list[dict[str, Any]]
    emails: list[str]
    addresses: list[dict[str, Any]]
    parties: list[dict[str, Any]]
    loans: list[LoanView]
    dpd_history: list[dict[str, Any]]
    promises: list[dict[str, Any]]
    arrangements: list[dict[str, Any]]
    instalments: dict[str, list[dict[str, Any]]]
    timeline: list[dict[str, Any]]
    attempts: list[dict[str, Any]]
    item: dict[str, Any] | None
    contacts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.loans[0].currency if self.loans else "EUR"

    @property
    def next_attempt(self) -> dict[str, Any] | None:
        planned = [a for a in self.attempts if a["status"] == "planned"]
        return planned[0] if planned else None

    @property
    def last_call(self) -> dict[str, Any] | None:
        calls = [c for c in self.contacts if c["channel"] == "call"]
        return calls[-1] if calls else None


def case_exists(conn: Connection, case_id: str) -> bool:
    c = w.cases
    return conn.execute(select(c.c.case_id).where(c.c.case_id == case_id)).first() is not None


def case_visible(conn: Connection, scope: CaseScope, case_id: str) -> bool:
    c = w.cases
    found = conn.execute(
        select(c.c.case_id).where(c.c.case_id == case_id, scope.case_condition())
    ).first()
    return found is not None


def _loans(conn: Connection, borrower_pk: int) -> list[LoanView]:
    ln, inst, pay, snap, hist = (
        t.loans,
        t.installments,
        t.payments,
        t.delinquency_snapshots,
        t.bucket_history,
    )
    loans = conn.execute(
        select(ln).where(ln.c.borrower_id == borrower_pk).order_by(ln.c.external_id)
    ).all()
    ids = [r.id for r in loans]
    if not ids:
        return []
    installments: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(inst).where(inst.c.loan_id.in_(ids)).order_by(inst.c.loan_id, inst.c.installment_no)
    ):
        installments.setdefault(r.loan_id, []).append(dict(r._mapping))  # noqa: SLF001
    payments: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(pay).where(pay.c.loan_id.in_(ids)).order_by(pay.c.loan_id, pay.c.paid_on)
    ):
        payments.setdefault(r.loan_id, []).append(dict(r._mapping))  # noqa: SLF001
    buckets: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(hist).where(hist.c.loan_id.in_(ids)).order_by(hist.c.loan_id, hist.c.added_on)
    ):
        buckets.setdefault(r.loan_id, []).append(dict(r._mapping))  # noqa: SLF001
    latest = (
        select(snap.c.loan_id, func.max(snap.c.business_date).label("day"))
        .where(snap.c.loan_id.in_(ids))
        .group_by(snap.c.loan_id)
        .subquery()
    )
    status = {
        r.loan_id: r
        for r in conn.execute(
            select(snap).join(
                latest,
                and_(latest.c.loan_id == snap.c.loan_id, latest.c.day == snap.c.business_date),
            )
        )
    }
    views = []
    for loan in loans:
        now = status.get(loan.id)
        views.append(
            LoanView(
                external_id=loan.external_id,
                product=loan.product,
                currency=loan.currency,
                principal=_money(loan.principal, loan.currency),
                disbursed_on=loan.disbursed_on,
                dpd=None if now is None else int(now.dpd),
                bucket=None if now is None else now.bucket,
                overdue=None if now is None else _money(now.overdue_total, loan.currency),
                oldest_due=None if now is None else now.oldest_unpaid_due_date,
                installments=installments.get(loan.id, []),
                payments=payments.get(loan.id, []),
                buckets=buckets.get(loan.id, []),
            )
        )
    return views


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(query).mappings()]


def case_screen(conn: Connection, case_id: str, day: dt.date) -> CaseScreen:
    """Everything the account screen shows for one case (the caller checked the scope)."""
    c, b = w.cases, t.borrowers
    case = (
        conn.execute(
            select(c, b.c.external_id.label("borrower_external_id"))
            .join(b, b.c.id == c.c.borrower_id)
            .where(c.c.case_id == case_id)
        )
        .mappings()
        .one()
    )
    pk = case["borrower_id"]
    borrower = dict(conn.execute(select(b).where(b.c.id == pk)).mappings().one())
    borrower["national_id_masked"] = (
        mask_national_id(borrower["national_id"]) if borrower["national_id"] else ""
    )
    borrower.pop("national_id", None)
    phones = [
        {"kind": r.kind, "number": mask_phone(r.e164), "zones": r.time_zones}
        for r in conn.execute(
            select(t.borrower_phones)
            .where(t.borrower_phones.c.borrower_id == pk)
            .order_by(t.borrower_phones.c.id)
        )
    ]
    emails = [
        mask_email(r.email)
        for r in conn.execute(
            select(t.borrower_emails.c.email)
            .where(t.borrower_emails.c.borrower_id == pk)
            .order_by(t.borrower_emails.c.id)
        )
    ]
    addresses = _rows(
        conn,
        select(t.borrower_addresses)
        .where(t.borrower_addresses.c.borrower_id == pk)
        .order_by(t.borrower_addresses.c.id),
    )
    parties = [
        {
            "role": r.role,
            "relation": r.relation,
            "full_name": r.full_name,
            "phone": mask_phone(r.phone_e164) if r.phone_e164 else "",
            "guarantee_enforceable": r.guarantee_enforceable,
        }
        for r in conn.execute(
            select(t.related_parties)
            .where(t.related_parties.c.borrower_id == pk)
            .order_by(t.related_parties.c.external_id)
        )
    ]
    loans = _loans(conn, pk)
    dpd_history = _rows(
        conn,
        select(
            w.case_assignments.c.business_date,
            w.case_assignments.c.dpd,
            w.case_assignments.c.stage_id,
            w.case_assignments.c.arm,
        )
        .where(w.case_assignments.c.case_id == case_id)
        .order_by(w.case_assignments.c.business_date.desc())
        .limit(60),
    )
    promises = _rows(
        conn,
        select(w.promises)
        .where(w.promises.c.case_id == case_id)
        .order_by(w.promises.c.made_on.desc(), w.promises.c.due_on),
    )
    arrangements = _rows(
        conn,
        select(w.arrangements)
        .where(w.arrangements.c.case_id == case_id)
        .order_by(w.arrangements.c.created_at.desc()),
    )
    instalments: dict[str, list[dict[str, Any]]] = {}
    ai = w.arrangement_instalments
    for r in conn.execute(
        select(ai)
        .join(w.arrangements, w.arrangements.c.arrangement_id == ai.c.arrangement_id)
        .where(w.arrangements.c.case_id == case_id)
        .order_by(ai.c.arrangement_id, ai.c.number)
    ).mappings():
        instalments.setdefault(r["arrangement_id"], []).append(dict(r))
    contacts = _rows(
        conn,
        select(w.contact_log)
        .where(w.contact_log.c.case_id == case_id)
        .order_by(w.contact_log.c.at, w.contact_log.c.logged_at)
        .limit(TIMELINE_LIMIT),
    )
    events = _rows(
        conn,
        select(w.case_events)
        .where(w.case_events.c.case_id == case_id)
        .order_by(w.case_events.c.id.desc())
        .limit(TIMELINE_LIMIT),
    )
    timeline = sorted(
        [
            {
                "at": r["at"],
                "kind": "contact",
                "title": f"{r['channel']} {r['direction']} → {r['party']}",
                "detail": r["outcomes"],
                "note": r["notes"],
                "actor": r["collector_id"],
                "flag": r["flag"],
            }
            for r in contacts
        ]
        + [
            {
                "at": r["at"],
                "kind": "event",
                "title": r["kind"],
                "detail": " → ".join(x for x in (r["before"], r["after"]) if x),
                "note": r["note"],
                "actor": r["actor_id"],
                "flag": None,
            }
            for r in events
        ],
        key=lambda e: e["at"],
        reverse=True,
    )
    attempts = _rows(
        conn,
        select(w.planned_attempts)
        .where(w.planned_attempts.c.case_id == case_id, w.planned_attempts.c.business_date == day)
        .order_by(w.planned_attempts.c.step_index, w.planned_attempts.c.attempt_id),
    )
    for attempt in attempts:
        address = attempt.get("address") or ""
        attempt["address_masked"] = mask_phone(address) if address.startswith("+") else address
    item = (
        conn.execute(
            select(w.worklist_items).where(
                w.worklist_items.c.case_id == case_id, w.worklist_items.c.business_date == day
            )
        )
        .mappings()
        .first()
    )
    return CaseScreen(
        case=dict(case),
        borrower=borrower,
        phones=phones,
        emails=emails,
        addresses=addresses,
        parties=parties,
        loans=loans,
        dpd_history=dpd_history,
        promises=promises,
        arrangements=arrangements,
        instalments=instalments,
        timeline=timeline,
        attempts=attempts,
        item=None if item is None else dict(item),
        contacts=contacts,
    )


def primary_phone(conn: Connection, borrower_pk: int) -> str | None:
    """The number to call: mobile first, then the others in the order given."""
    rows = conn.execute(
        select(t.borrower_phones.c.kind, t.borrower_phones.c.e164)
        .where(t.borrower_phones.c.borrower_id == borrower_pk)
        .order_by(t.borrower_phones.c.id)
    ).all()
    ordered = sorted(rows, key=lambda r: r.kind != "mobile")
    return ordered[0].e164 if ordered else None


# ------------------------------------------------------------------------ supervisor


def pending_arrangements(conn: Connection) -> list[dict[str, Any]]:
    a, c, b = w.arrangements, w.cases, t.borrowers
    return _rows(
        conn,
        select(a, b.c.full_name)
        .join(c, c.c.case_id == a.c.case_id)
        .join(b, b.c.id == c.c.borrower_id)
        .where(a.c.status == "pending_approval")
        .order_by(a.c.created_at),
    )


def holds(conn: Connection) -> list[dict[str, Any]]:
    c, b = w.cases, t.borrowers
    return _rows(
        conn,
        select(c.c.case_id, c.c.hold_until, c.c.hold_reason, c.c.collector_id, b.c.full_name)
        .join(b, b.c.id == c.c.borrower_id)
        .where(c.c.hold_until.is_not(None), c.c.state != "closed")
        .order_by(c.c.hold_until),
    )


def referrals(conn: Connection) -> list[dict[str, Any]]:
    c, b = w.cases, t.borrowers
    return _rows(
        conn,
        select(c.c.case_id, c.c.referral, c.c.collector_id, b.c.full_name)
        .join(b, b.c.id == c.c.borrower_id)
        .where(c.c.referral.is_not(None), c.c.state != "closed")
        .order_by(c.c.case_id),
    )


def overrides(conn: Connection, *, limit: int = 50) -> list[dict[str, Any]]:
    o = w.classification_overrides
    return _rows(conn, select(o).order_by(o.c.at.desc()).limit(limit))


def unplanned_contacts(conn: Connection, day: dt.date, *, limit: int = 50) -> list[dict[str, Any]]:
    """Contact records flagged (e.g. `unplanned`) in the last days: supervisors review them."""
    log = w.contact_log
    since = dt.datetime.combine(day - dt.timedelta(days=7), dt.time(), tzinfo=dt.UTC)
    return _rows(
        conn,
        select(log.c.record_id, log.c.case_id, log.c.at, log.c.flag, log.c.collector_id)
        .where(log.c.flag.is_not(None), log.c.at >= since)
        .order_by(log.c.at.desc())
        .limit(limit),
    )


def active_collectors(conn: Connection) -> list[dict[str, Any]]:
    col = w.collectors
    return _rows(
        conn,
        select(col.c.collector_id, col.c.full_name, col.c.languages, col.c.stages)
        .where(col.c.active.is_(True))
        .order_by(col.c.collector_id),
    )


# ------------------------------------------------------------------------- dashboard


def latest_snapshot_day(conn: Connection, on_or_before: dt.date) -> dt.date | None:
    snap = t.delinquency_snapshots
    latest: dt.date | None = conn.execute(
        select(func.max(snap.c.business_date)).where(snap.c.business_date <= on_or_before)
    ).scalar_one_or_none()
    return latest


def bucket_distribution(conn: Connection, day: dt.date) -> list[tuple[str, int]]:
    """Loans by bucket on the snapshot of `day`, in the buckets' DPD order."""
    snap = t.delinquency_snapshots
    rows = conn.execute(
        select(snap.c.bucket, func.count(), func.min(snap.c.dpd))
        .where(snap.c.business_date == day)
        .group_by(snap.c.bucket)
        .order_by(func.min(snap.c.dpd))
    ).all()
    return [(r[0], int(r[1])) for r in rows]


@dataclass(frozen=True, slots=True)
class RollMatrix:
    start: dt.date
    end: dt.date
    buckets: tuple[str, ...]
    counts: dict[tuple[str, str], int]  # (bucket at start, bucket at end) -> loans

    def row_total(self, bucket: str) -> int:
        return sum(n for (a, _), n in self.counts.items() if a == bucket)

    def share(self, a: str, b: str) -> float | None:
        total = self.row_total(a)
        return None if total == 0 else self.counts.get((a, b), 0) / total


def roll_rates(conn: Connection, day: dt.date) -> RollMatrix | None:
    """Loans by (bucket on the snapshot nearest D-30, bucket on D): one grouped join."""
    snap = t.delinquency_snapshots
    start = latest_snapshot_day(conn, day - dt.timedelta(days=ROLL_DAYS))
    if start is None or start >= day:
        return None
    before, after = snap.alias("before"), snap.alias("after")
    rows = conn.execute(
        select(before.c.bucket, after.c.bucket, func.count())
        .join(after, after.c.loan_id == before.c.loan_id)
        .where(before.c.business_date == start, after.c.business_date == day)
        .group_by(before.c.bucket, after.c.bucket)
    ).all()
    # the buckets of either day, in DPD order (the lowest DPD seen in each)
    buckets = tuple(
        conn.execute(
            select(snap.c.bucket)
            .where(snap.c.business_date.in_((start, day)))
            .group_by(snap.c.bucket)
            .order_by(func.min(snap.c.dpd), snap.c.bucket)
        ).scalars()
    )
    return RollMatrix(start, day, buckets, {(r[0], r[1]): int(r[2]) for r in rows})


def promise_outcomes(conn: Connection) -> list[tuple[str, int]]:
    p = w.promises
    rows = conn.execute(select(p.c.status, func.count()).group_by(p.c.status)).all()
    order = {s: n for n, s in enumerate(w.PROMISE_STATUSES)}
    return sorted(((r[0], int(r[1])) for r in rows), key=lambda r: order.get(r[0], 99))


def recoveries(conn: Connection, day: dt.date, *, by: str) -> list[tuple[str, str, Money]]:
    """Money received in the last 30 days, by the case's stage or arm on the payment's day (the
    latest assignment on or before it), per currency: one grouped query."""
    pay, ln, c, ca = t.payments, t.loans, w.cases, w.case_assignments
    since = day - dt.timedelta(days=RESULTS_DAYS)
    assigned_on = (
        select(func.max(ca.c.business_date))
        .where(ca.c.case_id == c.c.case_id, ca.c.business_date <= pay.c.paid_on)
        .correlate(c, pay)
        .scalar_subquery()
    )
    column = ca.c.stage_id if by == "stage" else ca.c.arm
    rows = conn.execute(
        select(column, pay.c.currency, func.sum(pay.c.amount))
        .select_from(pay)
        .join(ln, ln.c.id == pay.c.loan_id)
        .join(c, c.c.borrower_id == ln.c.borrower_id)
        .join(ca, and_(ca.c.case_id == c.c.case_id, ca.c.business_date == assigned_on))
        .where(
            pay.c.paid_on > since,
            pay.c.paid_on <= day,
            c.c.opened_on <= pay.c.paid_on,
        )
        .group_by(column, pay.c.currency)
        .order_by(column, pay.c.currency)
    ).all()
    return [(str(r[0]), str(r[1]), Money(Decimal(r[2]), r[1]).rounded()) for r in rows]


@dataclass(frozen=True, slots=True)
class CollectorResult:
    collector_id: str
    full_name: str
    done: int
    contacts: int
    promises: int
    kept: int
    broken: int


def collector_results(conn: Connection, day: dt.date) -> list[CollectorResult]:
    """Per collector over the last 30 days: items done, contacts logged, promises made and how
    they ended. One grouped query per measure, joined in Python per collector."""
    col, wi, log, p = w.collectors, w.worklist_items, w.contact_log, w.promises
    since = day - dt.timedelta(days=RESULTS_DAYS)
    since_at = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    done: dict[str, int] = dict(
        conn.execute(
            select(wi.c.claimed_by, func.count())
            .where(wi.c.status == "done", wi.c.business_date > since, wi.c.business_date <= day)
            .group_by(wi.c.claimed_by)
        ).all()
    )
    # a completed item keeps its claimer (`claimed_by`)
    contacts: dict[str, int] = dict(
        conn.execute(
            select(log.c.collector_id, func.count())
            .where(log.c.at >= since_at)
            .group_by(log.c.collector_id)
        ).all()
    )
    promised: dict[str, dict[str, int]] = {}
    for who, status, n in conn.execute(
        select(p.c.made_by, p.c.status, func.count())
        .where(p.c.made_on > since, p.c.made_on <= day)
        .group_by(p.c.made_by, p.c.status)
    ):
        promised.setdefault(who, {})[status] = int(n)
    results = []
    for r in conn.execute(select(col.c.collector_id, col.c.full_name).order_by(col.c.collector_id)):
        made = promised.get(r.collector_id, {})
        results.append(
            CollectorResult(
                r.collector_id,
                r.full_name,
                int(done.get(r.collector_id, 0)),
                int(contacts.get(r.collector_id, 0)),
                sum(made.values()),
                made.get("kept", 0),
                made.get("broken", 0),
            )
        )
    return results


__all__ = [
    "CaseScreen",
    "CollectorResult",
    "LoanView",
    "RollMatrix",
    "WorkRow",
    "active_collectors",
    "bucket_distribution",
    "business_date",
    "case_exists",
    "case_screen",
    "case_visible",
    "claimed_case",
    "collector_results",
    "holds",
    "is_collector",
    "latest_snapshot_day",
    "overrides",
    "pending_arrangements",
    "primary_phone",
    "promise_outcomes",
    "recoveries",
    "referrals",
    "roll_rates",
    "unplanned_contacts",
    "worklist",
]
