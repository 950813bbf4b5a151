"""Borrowers and loans (read, paged, scoped, PII masked) and payments (idempotent writes)."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response, status

from arrears.adapters.store import read_models as rm
from arrears.domain.errors import NotFound
from arrears.domain.money import Money
from arrears.domain.security import (
    Forbidden,
    Permission,
    can,
    mask_national_id,
    mask_phone,
)
from arrears.entrypoints.api.deps import (
    CurrentApp,
    RequestId,
    audit_denied,
    case_scope,
    requires,
)
from arrears.entrypoints.api.errors import AUTHENTICATED, responses
from arrears.entrypoints.api.schemas import (
    AddressOut,
    BorrowerDetailOut,
    BorrowerOut,
    BucketTagOut,
    ChargeOut,
    InstallmentOut,
    LoanDetailOut,
    LoanOut,
    Page,
    PaymentIn,
    PaymentOut,
    PaymentRecordedOut,
    PhoneOut,
    StatusOut,
)
from arrears.services.payments import record_payment
from arrears.services.security import Principal, audit_append

router = APIRouter(tags=["book"])

ExternalId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=rm.MAX_PAGE, description="page size")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page")
]
BorrowerReader = Annotated[Principal, Depends(requires(Permission.BORROWERS_READ))]
LoanReader = Annotated[Principal, Depends(requires(Permission.LOANS_READ))]
PaymentWriter = Annotated[Principal, Depends(requires(Permission.PAYMENTS_WRITE))]


def encode_cursor(last: str) -> str:
    """The cursor of the next page: opaque to clients; today the last key of this page, so
    every string is a valid cursor (keyset pagination: stable under inserts, no offsets)."""
    return last


def decode_cursor(cursor: str | None) -> str | None:
    return cursor or None


def _masked_id(value: str | None) -> str | None:
    return mask_national_id(value) if value else None


# -- borrowers ---------------------------------------------------------------------------------


@router.get("/borrowers", responses=responses(*AUTHENTICATED))
def list_borrowers(
    *,
    app: CurrentApp,
    principal: BorrowerReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
    name: Annotated[str | None, Query(max_length=100, description="part of the name")] = None,
) -> Page[BorrowerOut]:
    """Borrowers the caller may see, in external-id order; national ids and phones masked."""
    with app.engine.connect() as connection:
        rows, more = rm.list_borrowers(
            connection,
            case_scope(app, principal),
            limit=limit,
            after=decode_cursor(cursor),
            country=country,
            language=language,
            name_contains=name,
        )
    data = [
        BorrowerOut(
            external_id=r.external_id,
            full_name=r.full_name,
            country=r.country,
            language=r.language,
            region=r.region,
            national_id=_masked_id(r.national_id),
            phones=[mask_phone(p) for p in r.phones],
        )
        for r in rows
    ]
    return Page(data=data, next_cursor=encode_cursor(rows[-1].external_id) if more else None)


@router.get(
    "/borrowers/{borrower_id}",
    responses=responses(*AUTHENTICATED, 404),
)
def get_borrower(
    *,
    app: CurrentApp,
    principal: BorrowerReader,
    request_id: RequestId,
    borrower_id: ExternalId,
    unmask: Annotated[
        bool,
        Query(
            description="show full phone numbers / national id where the role allows it; "
            "every unmasked read is written to the audit log"
        ),
    ] = False,
) -> BorrowerDetailOut:
    """One borrower the caller may see; outside their scope it is a 404 (and audited)."""
    show_phone = unmask and can(principal.role, Permission.PHONE_UNMASKED)
    show_id = unmask and can(principal.role, Permission.NATIONAL_ID_UNMASKED)
    if unmask and not (show_phone or show_id):
        raise Forbidden(f"the {principal.role.value} role may not see unmasked personal data")
    with app.engine.connect() as connection:
        found = rm.get_borrower(connection, case_scope(app, principal), borrower_id)
        exists = found is not None or rm.borrower_exists(connection, borrower_id)
    if found is None:
        if exists:
            audit_denied(
                app, principal, entity="borrower", entity_id=borrower_id, request_id=request_id
            )
        raise NotFound(f"borrower {borrower_id!r} not found", id=borrower_id)
    summary = found.summary
    unmasked = [
        name
        for name, shown in (
            ("phones", show_phone),
            ("national_id", show_id and bool(summary.national_id)),
        )
        if shown
    ]
    if unmasked:
        with app.uow_factory() as uow:
            audit_append(
                uow,
                actor=principal.actor,
                role=principal.role,
                action="pii:borrower:unmasked",
                entity="borrower",
                entity_id=borrower_id,
                after={"fields": unmasked},
                request_id=request_id,
            )
            uow.commit()
    return BorrowerDetailOut(
        external_id=summary.external_id,
        full_name=summary.full_name,
        country=summary.country,
        language=summary.language,
        region=summary.region,
        occupation=found.occupation,
        employer=found.employer,
        date_of_birth=found.date_of_birth,
        national_id=summary.national_id if show_id else _masked_id(summary.national_id),
        phones=[
            PhoneOut(
                kind=kind,
                number=number if show_phone else mask_phone(number),
                time_zones=list(zones),
            )
            for kind, number, zones in found.phones
        ],
        emails=list(found.emails),
        addresses=[AddressOut(**a) for a in found.addresses],
        loans=list(found.loans),
        unmasked=unmasked,
    )


# -- loans -------------------------------------------------------------------------------------


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


@router.get("/loans", responses=responses(*AUTHENTICATED))
def list_loans(
    *,
    app: CurrentApp,
    principal: LoanReader,
    limit: Limit = 50,
    cursor: Cursor = None,
    borrower_id: Annotated[str | None, Query(max_length=64)] = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    product: Annotated[str | None, Query(max_length=40)] = None,
) -> Page[LoanOut]:
    """Loans the caller may see, with the DPD and bucket of the latest nightly cycle."""
    with app.engine.connect() as connection:
        rows, more = rm.list_loans(
            connection,
            case_scope(app, principal),
            limit=limit,
            after=decode_cursor(cursor),
            borrower_id=borrower_id,
            currency=currency,
            product=product,
        )
    data = [
        LoanOut(
            external_id=r.external_id,
            borrower_id=r.borrower_id,
            product=r.product,
            currency=r.currency,
            principal=str(r.principal),
            disbursed_on=r.disbursed_on,
            dpd=r.dpd,
            bucket=r.bucket,
            status_date=r.status_date,
        )
        for r in rows
    ]
    return Page(data=data, next_cursor=encode_cursor(rows[-1].external_id) if more else None)


def _visible_loan(app: CurrentApp, principal: Principal, loan_id: str, request_id: str) -> None:
    with app.engine.connect() as connection:
        visible = rm.loan_visible(connection, case_scope(app, principal), loan_id)
    if visible is False:
        audit_denied(app, principal, entity="loan", entity_id=loan_id, request_id=request_id)
    if not visible:
        raise NotFound(f"loan {loan_id!r} not found", id=loan_id)


@router.get("/loans/{loan_id}", responses=responses(*AUTHENTICATED, 404))
def get_loan(
    app: CurrentApp, principal: LoanReader, request_id: RequestId, loan_id: ExternalId
) -> LoanDetailOut:
    """A loan with its schedule, payments, charges, latest status and bucket history."""
    _visible_loan(app, principal, loan_id, request_id)
    with app.uow_factory() as uow:
        loan = uow.loans.get(loan_id)
        version = uow.loans.version(loan_id)
        history = uow.bucket_history.history(loan_id)
        latest = rm.latest_status(uow.session.connection(), loan_id)
    return LoanDetailOut(
        external_id=loan.external_id,
        borrower_id=loan.borrower_id,
        product=loan.product,
        currency=loan.currency,
        principal=_text(loan.principal.amount if loan.principal else None),
        disbursed_on=loan.disbursed_on,
        annual_interest_rate=_text(loan.annual_interest_rate),
        version=version,
        installments=[
            InstallmentOut(
                number=i.number,
                due_date=i.due_date,
                principal=str(i.principal.amount),
                interest=str(i.interest.amount),
                fee=str(i.fee.amount),
            )
            for i in loan.installments
        ],
        payments=[
            PaymentOut(
                payment_id=p.external_id,
                paid_on=p.paid_on,
                amount=str(p.amount.amount),
                currency=p.amount.currency,
            )
            for p in loan.payments
        ],
        charges=[
            ChargeOut(
                rule_id=c.rule_id,
                period_key=c.period_key,
                installment_no=c.installment_no,
                charged_on=c.charged_on,
                amount=str(c.amount.amount),
            )
            for c in loan.charges
        ],
        status=(
            StatusOut(**{**latest, "overdue_total": str(latest["overdue_total"])})
            if latest
            else None
        ),
        bucket_history=[
            BucketTagOut(bucket=h.bucket, dpd=h.dpd, added_on=h.added_on, lifted_on=h.lifted_on)
            for h in history
        ],
    )


@router.post(
    "/loans/{loan_id}/payments",
    status_code=status.HTTP_201_CREATED,
    responses=responses(*AUTHENTICATED, 404, 409),
)
def post_payment(
    *,
    response: Response,
    app: CurrentApp,
    principal: PaymentWriter,
    request_id: RequestId,
    loan_id: ExternalId,
    body: Annotated[PaymentIn, Body()],
    idempotency_key: Annotated[
        str,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description="a unique key per payment: a retry with the same key and body returns "
            "the first result; the same key with another body is a 409",
        ),
    ],
) -> PaymentRecordedOut:
    """Record a payment received, once per idempotency key; audited with the request id."""
    _visible_loan(app, principal, loan_id, request_id)
    result = record_payment(
        app.uow_factory,
        loan_id=loan_id,
        paid_on=body.paid_on,
        amount=Money(Decimal(body.amount), body.currency),
        channel=body.channel,
        external_id=body.external_id,
        idempotency_key=idempotency_key,
        actor=principal.actor,
        role=principal.role,
        request_id=request_id,
    )
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return PaymentRecordedOut(**result.body)
