"""Thin routers over the workflow services: cases, contacts, promises, arrangement approval,
worklists (claim next, release) and talk-track lookup. Each read is limited to the caller's
case scope (out of scope: 404, audited); each write's audit record is appended to the hash
chain in the service's own transaction (`auditing.AuditedWrites`)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, status
from pydantic import AwareDatetime, BaseModel, Field

from arrears.adapters.store import read_models as rm
from arrears.adapters.strategy_files import load_strategy
from arrears.domain.errors import InvalidInput, NotFound
from arrears.domain.money import Money
from arrears.domain.security import Permission, Role, jsonable, require
from arrears.domain.workflow.stages import Strategy
from arrears.domain.workflow.vocab import Role as WorkflowRole
from arrears.entrypoints.api.auditing import AuditedWrites
from arrears.entrypoints.api.deps import (
    CurrentApp,
    RequestId,
    audit_denied,
    case_scope,
    requires,
)
from arrears.entrypoints.api.errors import AUTHENTICATED, responses
from arrears.entrypoints.api.schemas import Page
from arrears.services import talk
from arrears.services.arrangements import approve_arrangement, propose_arrangement
from arrears.services.contacts import log_contact, record_promises
from arrears.services.escalation import describe_case
from arrears.services.security import Principal
from arrears.services.worklists import WorkItem, claim_next, release, worklist_items

router = APIRouter()

CaseId = Annotated[str, Path(min_length=1, max_length=80)]
Reader = Annotated[Principal, Depends(requires(Permission.BORROWERS_READ))]
ContactWriter = Annotated[Principal, Depends(requires(Permission.CONTACTS_WRITE))]
PromiseWriter = Annotated[Principal, Depends(requires(Permission.PROMISES_WRITE))]
ArrangementWriter = Annotated[Principal, Depends(requires(Permission.ARRANGEMENTS_WRITE))]
Approver = Annotated[Principal, Depends(requires(Permission.ARRANGEMENTS_APPROVE))]
Claimer = Annotated[Principal, Depends(requires(Permission.WORKLIST_CLAIM))]
TalkReader = Annotated[Principal, Depends(requires(Permission.TALK_READ))]
Amount = Annotated[str, Field(pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$", examples=["150.00"])]
WRITES = (*AUTHENTICATED, 404, 409)
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2200, 12, 31)

#: the desk's roles as the workflow's approval authority
AUTHORITY = {Role.COLLECTOR: WorkflowRole.COLLECTOR, Role.TEAM_LEAD: WorkflowRole.SUPERVISOR}


class CaseOut(BaseModel):
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


class CaseDetailOut(BaseModel):
    case: dict[str, Any]
    arrangements: list[dict[str, Any]]
    instalments: dict[str, list[dict[str, Any]]]
    visits: list[dict[str, Any]]
    events: list[dict[str, Any]]


class ContactIn(BaseModel):
    at: AwareDatetime
    channel: str = Field(max_length=20, examples=["call"])
    direction: str = Field(max_length=10, examples=["outbound"])
    address: str = Field(min_length=1, max_length=320, description="the number or address used")
    party: str = Field(max_length=20, examples=["mobile"])
    party_id: str = Field(min_length=1, max_length=64)
    purpose: str = Field(max_length=20, examples=["debt"])
    outcomes: list[str] = Field(min_length=1, max_length=10, examples=[["no_answer"]])
    notes: str = Field("", max_length=4000)
    talk_track: str | None = Field(None, max_length=100)
    duration_seconds: int | None = Field(None, ge=0, le=86_400)
    attempt_id: str | None = Field(None, max_length=100)


class ContactOut(BaseModel):
    record_id: str
    flag: str | None
    referred: bool


class PromiseItemIn(BaseModel):
    due_on: dt.date
    amount: Amount


class PromiseIn(BaseModel):
    made_on: dt.date
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    items: list[PromiseItemIn] = Field(min_length=1, max_length=12)
    method: str | None = Field(None, max_length=40)
    contact_record_id: str | None = Field(None, max_length=100)


class PromisesOut(BaseModel):
    promise_ids: list[str]


class ArrangementIn(BaseModel):
    kind: str = Field(max_length=20, examples=["plan"], description="plan or settlement")
    as_of: dt.date
    first_due: dt.date
    instalments: int = Field(ge=1, le=120)
    frequency: str = Field(max_length=20, examples=["monthly"])
    down_payment: Amount | None = None
    discount_rate: str | None = Field(None, pattern=r"^0(\.[0-9]{1,6})?$", examples=["0.2"])
    affordable: Amount | None = Field(None, description="hardship: what the debtor can pay")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")


class InstalmentOut(BaseModel):
    number: int
    due_on: dt.date
    amount: str


class ArrangementOut(BaseModel):
    arrangement_id: str
    status: str = Field(description="active, or pending_approval by `required_role`")
    required_role: str
    balance: str
    total: str
    currency: str
    instalments: list[InstalmentOut]
    notes: list[str]


class DecisionOut(BaseModel):
    arrangement_id: str
    status: str


class ApproveIn(BaseModel):
    note: str = Field("", max_length=2000)


class WorkItemOut(BaseModel):
    business_date: dt.date
    case_id: str
    collector_id: str | None
    queue: str
    rank: int
    expected_value: str
    currency: str
    reasons: str
    status: str
    claimed_by: str | None


class ClaimIn(BaseModel):
    business_date: dt.date


class ClaimOut(BaseModel):
    item: WorkItemOut | None = Field(description="null: nothing left to claim today")


class ReleaseIn(BaseModel):
    business_date: dt.date
    to_queue: bool = False
    note: str = Field("", max_length=2000)


class TalkTrackOut(BaseModel):
    track_id: str
    language: str
    title: str
    version: int
    text: str


def _item(item: WorkItem) -> WorkItemOut:
    return WorkItemOut(
        business_date=item.business_date,
        case_id=item.case_id,
        collector_id=item.collector_id,
        queue=item.queue,
        rank=item.rank,
        expected_value=str(item.expected_value.amount),
        currency=item.expected_value.currency,
        reasons=item.reasons,
        status=item.status,
        claimed_by=item.claimed_by,
    )


def visible_case(app: CurrentApp, principal: Principal, case_id: str, request_id: str) -> None:
    """404 unless the case exists within the caller's scope; an out-of-scope attempt is
    audited (the same answer as for a case that does not exist)."""
    scope = case_scope(app, principal)  # before taking a connection: never hold two at once
    with app.engine.connect() as connection:
        visible = rm.case_visible(connection, scope, case_id)
    if visible is False:
        audit_denied(app, principal, entity="case", entity_id=case_id, request_id=request_id)
    if not visible:
        raise NotFound(f"case {case_id!r} not found", id=case_id)


def current_strategy() -> Strategy:
    """The packaged strategy (parsed once per process by `load_strategy`, D91)."""
    return load_strategy()


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return jsonable(row) or {}


# -- cases -------------------------------------------------------------------------------------


@router.get("/cases", responses=responses(*AUTHENTICATED), tags=["cases"])
def list_cases(
    *,
    app: CurrentApp,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=rm.MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    state: Annotated[str | None, Query(max_length=20)] = None,
    borrower_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CaseOut]:
    """Cases the caller may see: a collector's own and those in the pools they work."""
    scope = case_scope(app, principal)
    with app.engine.connect() as connection:
        rows, more = rm.list_cases(
            connection,
            scope,
            limit=limit,
            after=cursor or None,
            state=state,
            borrower_id=borrower_id,
        )
    return Page(
        data=[CaseOut(**{f: getattr(r, f) for f in CaseOut.model_fields}) for r in rows],
        next_cursor=rows[-1].case_id if more else None,
    )


@router.get("/cases/{case_id}", responses=responses(*AUTHENTICATED, 404), tags=["cases"])
def get_case(
    app: CurrentApp, principal: Reader, request_id: RequestId, case_id: CaseId
) -> CaseDetailOut:
    """A case with its arrangements, instalments, field visits and event history."""
    visible_case(app, principal, case_id, request_id)
    overview = describe_case(app.uow_factory, case_id)
    return CaseDetailOut(
        case=_plain(overview.case),
        arrangements=[_plain(a) for a in overview.arrangements],
        instalments={k: [_plain(i) for i in v] for k, v in overview.instalments.items()},
        visits=[_plain(v) for v in overview.visits],
        events=[_plain(e) for e in overview.events],
    )


@router.post(
    "/cases/{case_id}/contacts",
    status_code=status.HTTP_201_CREATED,
    responses=responses(*WRITES),
    tags=["cases"],
)
def post_contact(
    app: CurrentApp,
    principal: ContactWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[ContactIn, Body()],
) -> ContactOut:
    """Log one contact (call, message, visit) on a case, by the caller as the collector."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:contact:logged",
        entity="case",
        entity_id=case_id,
        after={"at": body.at, "channel": body.channel, "outcomes": body.outcomes},
    )
    logged = log_contact(
        audited, case_id=case_id, collector_id=principal.actor, **body.model_dump()
    )
    return ContactOut(record_id=logged.record_id, flag=logged.flag, referred=logged.referred)


@router.post(
    "/cases/{case_id}/promises",
    status_code=status.HTTP_201_CREATED,
    responses=responses(*WRITES),
    tags=["cases"],
)
def post_promises(
    app: CurrentApp,
    principal: PromiseWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[PromiseIn, Body()],
) -> PromisesOut:
    """Record a promise set within the strategy's promise policy."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:promise:recorded",
        entity="case",
        entity_id=case_id,
        after={"made_on": body.made_on, "items": [i.model_dump() for i in body.items]},
    )
    ids = record_promises(
        audited,
        case_id=case_id,
        made_on=body.made_on,
        items=[(i.due_on, Money(Decimal(i.amount), body.currency)) for i in body.items],
        policy=current_strategy().promises,
        made_by=principal.actor,
        method=body.method,
        contact_record_id=body.contact_record_id,
    )
    return PromisesOut(promise_ids=ids)


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


@router.post(
    "/cases/{case_id}/arrangements",
    status_code=status.HTTP_201_CREATED,
    responses=responses(*WRITES),
    tags=["cases"],
)
def post_arrangement(
    app: CurrentApp,
    principal: ArrangementWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[ArrangementIn, Body()],
) -> ArrangementOut:
    """Propose a payment plan or settlement within the stage's policy; active at once when the
    caller's authority covers it, else pending approval by the role it names."""
    visible_case(app, principal, case_id, request_id)
    for name, day in (("as_of", body.as_of), ("first_due", body.first_due)):
        if not EARLIEST <= day <= LATEST:
            raise InvalidInput(f"{name} must lie between {EARLIEST} and {LATEST}", field=name)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:arrangement:proposed",
        entity="case",
        entity_id=case_id,
        after=body.model_dump(),
    )
    proposed = propose_arrangement(
        audited,
        case_id,
        kind=body.kind,
        as_of=body.as_of,
        first_due=body.first_due,
        instalments=body.instalments,
        frequency=body.frequency,
        down_payment=_decimal(body.down_payment),
        discount_rate=_decimal(body.discount_rate),
        affordable=_decimal(body.affordable),
        currency=body.currency,
        actor_id=principal.actor,
        actor_role=AUTHORITY.get(principal.role, WorkflowRole.COLLECTOR),
        strategy=current_strategy(),
    )
    arrangement = proposed.arrangement
    return ArrangementOut(
        arrangement_id=arrangement.arrangement_id,
        status=proposed.status,
        required_role=proposed.required_role.value,
        balance=str(arrangement.balance.amount),
        total=str(arrangement.total.amount),
        currency=arrangement.total.currency,
        instalments=[
            InstalmentOut(number=i.number, due_on=i.due_on, amount=str(i.amount.amount))
            for i in arrangement.instalments
        ],
        notes=list(proposed.notes),
    )


@router.post(
    "/arrangements/{arrangement_id}/approve",
    responses=responses(*WRITES),
    tags=["cases"],
)
def approve(
    app: CurrentApp,
    principal: Approver,
    request_id: RequestId,
    arrangement_id: Annotated[str, Path(min_length=1, max_length=80)],
    body: Annotated[ApproveIn, Body()],
) -> DecisionOut:
    """Approve a pending arrangement (a team lead approves as the workflow's supervisor)."""
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:arrangement:approved",
        entity="arrangement",
        entity_id=arrangement_id,
        after={"note": body.note},
    )
    decided = approve_arrangement(
        audited,
        arrangement_id,
        actor_id=principal.actor,
        actor_role=AUTHORITY.get(principal.role, WorkflowRole.COLLECTOR),
        note=body.note,
    )
    return DecisionOut(arrangement_id=arrangement_id, status=decided)


# -- worklists ---------------------------------------------------------------------------------


@router.get("/worklist", responses=responses(*AUTHENTICATED), tags=["worklist"])
def get_worklist(
    *,
    app: CurrentApp,
    principal: Claimer,
    business_date: Annotated[dt.date, Query(description="the business date")],
    collector: Annotated[
        str | None, Query(max_length=64, description="team leads: another collector's list")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=rm.MAX_PAGE)] = 50,
) -> list[WorkItemOut]:
    """The day's items of the caller's own list by rank (team leads may name a collector)."""
    whose = principal.actor
    if collector and collector != whose:
        require(principal.role, Permission.CASES_READ_ALL)
        whose = collector
    items = worklist_items(
        app.uow_factory, business_date=business_date, collector_id=whose, limit=limit
    )
    return [_item(i) for i in items]


@router.post("/worklist/claim-next", responses=responses(*WRITES), tags=["worklist"])
def post_claim_next(
    app: CurrentApp,
    principal: Claimer,
    request_id: RequestId,
    body: Annotated[ClaimIn, Body()],
) -> ClaimOut:
    """Claim the caller's next case of the day (own list first, then their pools)."""
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:item:claimed",
        entity="worklist",
        entity_id=body.business_date.isoformat(),
        after={"collector": principal.actor},
    )
    item = claim_next(audited, collector_id=principal.actor, business_date=body.business_date)
    return ClaimOut(item=_item(item) if item else None)


@router.post("/worklist/{case_id}/release", responses=responses(*WRITES), tags=["worklist"])
def post_release(
    app: CurrentApp,
    principal: Claimer,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[ReleaseIn, Body()],
) -> WorkItemOut:
    """Give a claimed case back unworked (to the caller's list, or the pool with to_queue)."""
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:item:released",
        entity="case",
        entity_id=case_id,
        after={"business_date": body.business_date, "to_queue": body.to_queue},
    )
    item = release(
        audited,
        business_date=body.business_date,
        case_id=case_id,
        collector_id=principal.actor,
        to_queue=body.to_queue,
        note=body.note,
    )
    return _item(item)


# -- talk tracks -------------------------------------------------------------------------------


@router.get("/talk/tracks/{track_id}", responses=responses(*AUTHENTICATED, 404), tags=["talk"])
def get_talk_track(
    _principal: TalkReader,
    track_id: Annotated[str, Path(min_length=1, max_length=100)],
    lang: Annotated[str, Query(pattern=r"^[A-Za-z]{2}([-_][A-Za-z0-9]{1,8})*$")] = "en",
) -> TalkTrackOut:
    """One approved talk track in the caller's language, placeholders left for the desk."""
    rendered = talk.track(track_id, lang)
    return TalkTrackOut(
        track_id=rendered.track_id,
        language=rendered.language.value,
        title=rendered.title,
        version=rendered.version,
        text=rendered.text,
    )
