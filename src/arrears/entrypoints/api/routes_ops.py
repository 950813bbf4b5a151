"""The dialer's policy check, portfolio reports, audit-chain verification and health."""

import datetime as dt
import json
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from arrears.domain.errors import InvalidInput
from arrears.domain.security import Permission
from arrears.entrypoints.api.deps import CurrentApp, requires
from arrears.entrypoints.api.errors import AUTHENTICATED, Unavailable, responses
from arrears.entrypoints.api.schemas import (
    AuditVerifyOut,
    BucketReportOut,
    BucketRowOut,
    HealthOut,
    PolicyCheckIn,
    PolicyCheckOut,
)
from arrears.services.ledger import check_with_ledger
from arrears.services.reports import bucket_report
from arrears.services.security import Principal, verify_audit_chain

router = APIRouter()

EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2200, 12, 31)


@router.post(
    "/policy/check",
    responses=responses(*AUTHENTICATED),
    tags=["policy"],
)
def policy_check(
    app: CurrentApp,
    _principal: Annotated[Principal, Depends(requires(Permission.POLICY_CHECK))],
    body: Annotated[PolicyCheckIn, Body()],
) -> PolicyCheckOut:
    """May these contacts happen now? For dialers: the history the ledger holds for each person
    plus the events given, checked against the stacked presets; one verdict per request."""
    lines = [json.dumps(event, ensure_ascii=False) for event in body.events]
    verdicts = check_with_ledger(
        app.uow_factory,
        lines=lines,
        presets=body.presets,
        now=body.now,
        lang=body.lang,
        source="request",
    )
    return PolicyCheckOut(verdicts=verdicts)


@router.get(
    "/reports/buckets",
    responses=responses(*AUTHENTICATED),
    tags=["reports"],
)
def buckets(
    app: CurrentApp,
    _principal: Annotated[Principal, Depends(requires(Permission.REPORTS_READ))],
    as_of: Annotated[dt.date, Query(description="the business date")],
) -> BucketReportOut:
    """Delinquency distribution of the book by bucket and currency, computed set-based."""
    if not EARLIEST <= as_of <= LATEST:
        raise InvalidInput(f"as_of must lie between {EARLIEST} and {LATEST}", field="as_of")
    config_dir = app.settings.config_dir
    config = config_dir / "delinquency.yaml" if config_dir else None
    report = bucket_report(
        app.engine, as_of=as_of, config=config if config and config.exists() else None
    )
    return BucketReportOut(
        as_of=report.as_of,
        loans=report.loans,
        borrowers=report.borrowers,
        delinquent_loans=report.delinquent_loans,
        currencies=list(report.currencies),
        rows=[
            BucketRowOut(
                bucket=r.bucket,
                loans=r.loans,
                share=r.share,
                borrowers=r.borrowers,
                overdue={c: str(v) for c, v in r.overdue.items()},
            )
            for r in report.rows
        ],
    )


@router.get(
    "/audit/verify",
    responses=responses(*AUTHENTICATED),
    tags=["audit"],
)
def audit_verify(
    app: CurrentApp,
    _principal: Annotated[Principal, Depends(requires(Permission.AUDIT_READ))],
) -> AuditVerifyOut:
    """Recompute the audit log's hash chain; names the first broken record."""
    report = verify_audit_chain(app.uow_factory)
    return AuditVerifyOut(
        records=report.records,
        intact=report.intact,
        broken_seq=report.broken.seq if report.broken else None,
        reason=report.broken.reason if report.broken else None,
    )


@router.get("/health", responses=responses(503), tags=["health"])
def health(app: CurrentApp) -> HealthOut:
    """Liveness and database reachability (no authentication)."""
    try:
        with app.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise Unavailable("the database does not answer") from error
    return HealthOut(status="ok", database="ok")
