"""The desk's remaining operations over the workflow services: what to say to what a debtor
said (talk-track suggestion), moving a case along its state machine, finishing a claimed case,
a supervisor's reassignment and holds, and rejecting or cancelling an arrangement.

Same conventions as `routes_work`: every case named in a path must lie within the caller's
scope (else 404, and the attempt is audited); every write's audit record is appended to the
hash chain in the service's own transaction (`auditing.AuditedWrites`); every error status is
declared with its `ErrorBody`. Supervisor-only operations (reassign, hold, lift a hold) need
the `cases:write` permission, and the worklist service then admits team leads and admins only
(others: 403 `forbidden`).
"""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path
from pydantic import BaseModel, Field
from sqlalchemy import select

from arrears.adapters.store import workflow_tables as w
from arrears.domain.errors import InvalidInput, NotFound
from arrears.domain.security import Permission
from arrears.domain.workflow.vocab import Role as WorkflowRole
from arrears.entrypoints.api.auditing import AuditedWrites
from arrears.entrypoints.api.deps import CurrentApp, RequestId, requires
from arrears.entrypoints.api.errors import AUTHENTICATED, responses
from arrears.entrypoints.api.routes_work import (
    AUTHORITY,
    CaseId,
    Claimer,
    DecisionOut,
    WorkItemOut,
    _item,
    current_strategy,
    visible_case,
)
from arrears.services import talk
from arrears.services.arrangements import cancel_arrangement, reject_arrangement
from arrears.services.cases import transition_case
from arrears.services.security import Principal
from arrears.services.worklists import complete, hold, lift_hold, reassign

router = APIRouter()

CaseWriter = Annotated[Principal, Depends(requires(Permission.CASES_WRITE))]
TalkReader = Annotated[Principal, Depends(requires(Permission.TALK_READ))]
Approver = Annotated[Principal, Depends(requires(Permission.ARRANGEMENTS_APPROVE))]
ArrangementWriter = Annotated[Principal, Depends(requires(Permission.ARRANGEMENTS_WRITE))]
ArrangementId = Annotated[str, Path(min_length=1, max_length=80)]
WRITES = (*AUTHENTICATED, 404, 409)
Reason = Annotated[str, Field(min_length=1, max_length=500)]
#: the dates a hold may name (as the arrangement routes bound theirs)
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2200, 12, 31)


# -- talk tracks -------------------------------------------------------------------------------


class SuggestIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="what the debtor said or wrote")
    language: str = Field(
        pattern=r"^(es|zh|en)$", description="the debtor's language: the suggestion's language"
    )
    stage_id: str | None = Field(None, max_length=40)
    debtor_type: str | None = Field(
        None,
        pattern=r"^(cooperative|lost_contact|able_unwilling|willing_unable)$",
    )


class SuggestionOut(BaseModel):
    category: str | None = Field(description="the intent recognised; null: none")
    confidence: float
    method: str = Field(description="embedding or keyword")
    low_confidence: bool
    track_id: str | None
    text: str | None = Field(description="the approved words in `language`")
    language: str
    handling: str | None
    reason: str | None = Field(description="the delinquency reason the intent points to")


@router.post("/talk/suggest", responses=responses(*AUTHENTICATED), tags=["talk"])
def post_talk_suggest(_principal: TalkReader, body: Annotated[SuggestIn, Body()]) -> SuggestionOut:
    """Recognise what the debtor's words mean and suggest the approved talk track."""
    found = talk.suggest(
        body.text, language=body.language, stage_id=body.stage_id, debtor_type=body.debtor_type
    )
    return SuggestionOut(
        category=found.category.value if found.category else None,
        confidence=round(found.confidence, 4),
        method=found.method.value,
        low_confidence=found.low_confidence,
        track_id=found.track_id,
        text=found.text,
        language=found.language.value,
        handling=found.handling,
        reason=found.reason,
    )


# -- cases -------------------------------------------------------------------------------------


class TransitionIn(BaseModel):
    target: str = Field(max_length=30, examples=["letter"], description="the state to move to")
    reason: str = Field(max_length=30, examples=["no_response"])
    note: str = Field("", max_length=2000)


class TransitionOut(BaseModel):
    case_id: str
    state: str
    version: int


@router.post("/cases/{case_id}/transitions", responses=responses(*WRITES), tags=["cases"])
def post_transition(
    app: CurrentApp,
    principal: CaseWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[TransitionIn, Body()],
) -> TransitionOut:
    """Move a case along its state machine, within the authority of the caller's role (a team
    lead decides as the workflow's supervisor) and the stage's allowed escalations."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:state:transitioned",
        entity="case",
        entity_id=case_id,
        after=body.model_dump(),
    )
    moved = transition_case(
        audited,
        case_id,
        body.target,
        reason=body.reason,
        actor_id=principal.actor,
        actor_role=AUTHORITY.get(principal.role, WorkflowRole.COLLECTOR),
        note=body.note,
        strategy=current_strategy(),
    )
    return TransitionOut(case_id=case_id, state=moved.state.value, version=moved.version)


# -- worklists ---------------------------------------------------------------------------------


class CompleteIn(BaseModel):
    business_date: dt.date
    note: str = Field("", max_length=2000)


class ReassignIn(BaseModel):
    to_collector: str = Field(min_length=1, max_length=64)
    reason: Reason


class HoldIn(BaseModel):
    until: dt.date = Field(description="the last day the case stays off the worklists")
    reason: Reason


class LiftHoldIn(BaseModel):
    reason: Reason


class MovedOut(BaseModel):
    case_id: str
    items: int = Field(description="worklist items changed")


@router.post("/worklist/{case_id}/complete", responses=responses(*WRITES), tags=["worklist"])
def post_complete(
    app: CurrentApp,
    principal: Claimer,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[CompleteIn, Body()],
) -> WorkItemOut:
    """Finish the case the caller claimed for the day (409 unless they hold its claim)."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:item:completed",
        entity="case",
        entity_id=case_id,
        after={"business_date": body.business_date},
    )
    item = complete(
        audited,
        business_date=body.business_date,
        case_id=case_id,
        collector_id=principal.actor,
        note=body.note,
    )
    return _item(item)


@router.post("/worklist/{case_id}/reassign", responses=responses(*WRITES), tags=["worklist"])
def post_reassign(
    app: CurrentApp,
    principal: CaseWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[ReassignIn, Body()],
) -> MovedOut:
    """A team lead or admin moves a case to another collector (from now on, and on the lists
    where it waits); 409 while someone works it."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:case:reassigned",
        entity="case",
        entity_id=case_id,
        after=body.model_dump(),
    )
    moved = reassign(
        audited,
        case_id=case_id,
        to_collector=body.to_collector,
        by=principal.actor,
        role=principal.role,
        reason=body.reason,
    )
    return MovedOut(case_id=case_id, items=moved)


@router.post("/worklist/{case_id}/hold", responses=responses(*WRITES), tags=["worklist"])
def post_hold(
    app: CurrentApp,
    principal: CaseWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[HoldIn, Body()],
) -> MovedOut:
    """A team lead or admin keeps a case off the worklists up to and including `until`."""
    visible_case(app, principal, case_id, request_id)
    if not EARLIEST <= body.until <= LATEST:
        raise InvalidInput(f"until must lie between {EARLIEST} and {LATEST}", field="until")
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:case:held",
        entity="case",
        entity_id=case_id,
        after=body.model_dump(),
    )
    held = hold(
        audited,
        case_id=case_id,
        until=body.until,
        reason=body.reason,
        by=principal.actor,
        role=principal.role,
    )
    return MovedOut(case_id=case_id, items=held)


@router.post("/worklist/{case_id}/lift-hold", responses=responses(*WRITES), tags=["worklist"])
def post_lift_hold(
    app: CurrentApp,
    principal: CaseWriter,
    request_id: RequestId,
    case_id: CaseId,
    body: Annotated[LiftHoldIn, Body()],
) -> MovedOut:
    """A team lead or admin ends a hold: the case's held items are open again."""
    visible_case(app, principal, case_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="worklist:case:hold_lifted",
        entity="case",
        entity_id=case_id,
        after=body.model_dump(),
    )
    reopened = lift_hold(
        audited, case_id=case_id, reason=body.reason, by=principal.actor, role=principal.role
    )
    return MovedOut(case_id=case_id, items=reopened)


# -- arrangements ------------------------------------------------------------------------------


class DecisionIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="why (required)")


def _arrangement_case(
    app: CurrentApp, principal: Principal, arrangement_id: str, request_id: str
) -> str:
    """The case of an arrangement, when it lies within the caller's scope (else 404)."""
    arrangements = w.arrangements
    with app.engine.connect() as connection:
        case_id = connection.execute(
            select(arrangements.c.case_id).where(arrangements.c.arrangement_id == arrangement_id)
        ).scalar_one_or_none()
    if case_id is None:
        raise NotFound(f"arrangement {arrangement_id!r} not found", id=arrangement_id)
    visible_case(app, principal, case_id, request_id)
    return str(case_id)


@router.post("/arrangements/{arrangement_id}/reject", responses=responses(*WRITES), tags=["cases"])
def post_reject(
    app: CurrentApp,
    principal: Approver,
    request_id: RequestId,
    arrangement_id: ArrangementId,
    body: Annotated[DecisionIn, Body()],
) -> DecisionOut:
    """Reject a pending arrangement, saying why (the role must cover the one it needs)."""
    _arrangement_case(app, principal, arrangement_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:arrangement:rejected",
        entity="arrangement",
        entity_id=arrangement_id,
        after={"note": body.note},
    )
    decided = reject_arrangement(
        audited,
        arrangement_id,
        actor_id=principal.actor,
        actor_role=AUTHORITY.get(principal.role, WorkflowRole.COLLECTOR),
        note=body.note,
    )
    return DecisionOut(arrangement_id=arrangement_id, status=decided)


@router.post("/arrangements/{arrangement_id}/cancel", responses=responses(*WRITES), tags=["cases"])
def post_cancel(
    app: CurrentApp,
    principal: ArrangementWriter,
    request_id: RequestId,
    arrangement_id: ArrangementId,
    body: Annotated[DecisionIn, Body()],
) -> DecisionOut:
    """Cancel a pending or running arrangement on a case within the caller's scope; a running
    one returns the case to `active`."""
    _arrangement_case(app, principal, arrangement_id, request_id)
    audited = AuditedWrites(
        app,
        principal,
        request_id,
        action="case:arrangement:cancelled",
        entity="arrangement",
        entity_id=arrangement_id,
        after={"note": body.note},
    )
    decided = cancel_arrangement(
        audited,
        arrangement_id,
        actor_id=principal.actor,
        actor_role=AUTHORITY.get(principal.role, WorkflowRole.COLLECTOR),
        note=body.note,
        strategy=current_strategy(),
    )
    return DecisionOut(arrangement_id=arrangement_id, status=decided)
