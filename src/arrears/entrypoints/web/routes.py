"""The collector's web desk and the supervisor's views: server-rendered pages under /desk.

Thin handlers: read through `read.py`, write through the services (one use case per form), map
domain errors to a page message in one place (`_failed`). Authentication is the API's session
(cookie + CSRF token; forms carry the token in a hidden `csrf_token` field because a form cannot
send the `X-CSRF-Token` header). Scope is the API's `case_scope`: a case outside it answers 404,
as for a case that does not exist, and the attempt is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arrears.adapters.store import read_models as rm
from arrears.adapters.strategy_files import load_strategy
from arrears.bootstrap import App
from arrears.domain.comms.kinds import presets_for_country
from arrears.domain.errors import DomainError, InvalidInput, NotFound
from arrears.domain.money import Money
from arrears.domain.security import (
    Forbidden,
    Permission,
    RateLimited,
    Role,
    Unauthenticated,
    can,
    mask_phone,
)
from arrears.entrypoints.api.deps import (
    CSRF_COOKIE,
    CSRF_FORM_FIELD,
    SESSION_COOKIE,
    audit_denied,
    case_scope,
    check_csrf,
    csrf_token_for,
    get_app,
)
from arrears.entrypoints.api.errors import status_of
from arrears.entrypoints.web import charts, read
from arrears.entrypoints.web.i18n import LANGUAGES, Formats, desk_language, environment
from arrears.services import talk
from arrears.services.arrangements import (
    approve_arrangement,
    propose_arrangement,
    reject_arrangement,
    stage_policy,
)
from arrears.services.cases import resolve_supervisor_referral
from arrears.services.contacts import log_contact, record_promises
from arrears.services.escalation import three_stops_step
from arrears.services.ledger import history_lines
from arrears.services.policy_check import check_lines
from arrears.services.security import (
    LoginLimits,
    Principal,
    authenticate,
    log_out,
    open_session,
    resolve,
    sha256_hex,
)
from arrears.services.worklists import (
    claim_next,
    complete,
    hold,
    lift_hold,
    reassign,
    release,
    worklist_summary,
)

if TYPE_CHECKING:
    from arrears.domain.workflow.stages import Strategy

router = APIRouter(prefix="/desk", include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {"desk.css": "text/css; charset=utf-8", "desk.js": "text/javascript; charset=utf-8"}
#: pages load their own stylesheet and script and nothing else; charts are inline SVG
DESK_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: the desk's role -> the workflow's approval role (docs/arrangements.md)
APPROVAL_ROLE = {Role.COLLECTOR: "collector", Role.TEAM_LEAD: "supervisor", Role.ADMIN: "manager"}
SUPERVISOR_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMIN})
PROMISE_ROWS = 3
#: the messages shown after a successful form (`?done=<key>`), translated in the template
DONE_KEYS = frozenset(
    {
        "contact",
        "promise",
        "arrangement",
        "stop",
        "completed",
        "released",
        "reassigned",
        "held",
        "lifted",
        "approved",
        "rejected",
        "resolved",
        "empty",
    }
)
CONTACT_OUTCOMES = (
    "right_party_contact",
    "no_answer",
    "busy",
    "voicemail",
    "wrong_number",
    "not_in_service",
    "third_party",
    "promise",
    "hardship",
    "dispute",
    "refused",
    "payment_claimed",
    "callback_requested",
    "cease_requested",
    "abusive",
    "threat",
    "hung_up",
)
OPENING_BY_COUNTRY = {"ES": "opening.es", "CN": "opening.cn", "US": "opening.us_first"}

AppDep = Annotated[App, Depends(get_app)]
Csrf = Annotated[str, Form(alias=CSRF_FORM_FIELD)]


# ------------------------------------------------------------------------------ plumbing


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or "desk"


def _user(request: Request, app: App) -> Principal | None:
    """The desk user behind the session cookie, or None (then the page sends to login)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        return resolve(app.uow_factory, kind="session", secret=secret)
    except Unauthenticated:
        return None


def _strategy(app: App) -> Strategy:
    config_dir = app.settings.config_dir
    path = config_dir / "strategy.yaml" if config_dir else None
    return load_strategy(path if path and path.exists() else None)


def _render(
    request: Request,
    template: str,
    *,
    language: str,
    status: int = 200,
    principal: Principal | None = None,
    app: App | None = None,
    **context: Any,
) -> HTMLResponse:
    env = environment(language)
    csrf = (
        csrf_token_for(app, principal.credential_sha256)
        if app is not None and principal is not None and principal.via == "session"
        else ""
    )
    done = request.query_params.get("done")
    html = env.get_template(template).render(
        user=principal.user if principal else None,
        role=principal.role.value if principal else None,
        can_supervise=principal is not None and principal.role in SUPERVISOR_ROLES,
        can_report=principal is not None and can(principal.role, Permission.REPORTS_READ),
        csrf_field=CSRF_FORM_FIELD,
        csrf_token=csrf,
        done=done if done in DONE_KEYS else None,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": DESK_CSP})


def _lang(principal: Principal | None, request: Request) -> str:
    if principal is not None:
        return desk_language(principal.user.locale)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    header = request.headers.get("accept-language", "")
    return desk_language(header.split(",")[0].strip() if header else None)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/desk/login", status_code=303)


def _back(url: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?done={done}", status_code=303)


def _failed(request: Request, app: App, principal: Principal, error: DomainError) -> HTMLResponse:
    """The one place a refused or invalid desk action becomes a page: the message, the status."""
    return _render(
        request,
        "error.html",
        language=_lang(principal, request),
        status=status_of(error),
        principal=principal,
        app=app,
        error=error,
        back=request.headers.get("referer", "/desk"),
    )


def _need(principal: Principal, permission: Permission) -> None:
    if not can(principal.role, permission):
        raise Forbidden(
            f"the {principal.role.value} role may not do this ({permission.value})",
            role=principal.role.value,
        )


def _visible_case(request: Request, app: App, principal: Principal, case_id: str) -> None:
    """NotFound unless the case is in the caller's scope; an existing case outside it is an
    audited denial (the caller cannot tell it from one that does not exist)."""
    scope = case_scope(app, principal)
    with app.engine.connect() as conn:
        visible = rm.case_visible(conn, scope, case_id)
    if visible is False:
        audit_denied(
            app, principal, entity="case", entity_id=case_id, request_id=_request_id(request)
        )
    if not visible:
        raise NotFound(f"case {case_id!r} not found", id=case_id)


def _posted(request: Request, app: App, csrf_token: str) -> Principal | Response:
    """The user of a form post with a valid CSRF token; else a redirect or a 403 page."""
    principal = _user(request, app)
    if principal is None:
        return _to_login()
    try:
        check_csrf(app, principal, csrf_token)
    except DomainError as error:
        return _failed(request, app, principal, error)
    return principal


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{name}: {value!r} is not a date (YYYY-MM-DD)", field=name) from None


def _decimal(value: str, name: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{name}: {value!r} is not an amount", field=name) from None
    if not number.is_finite():
        raise InvalidInput(f"{name}: {value!r} is not an amount", field=name)
    return number


# ----------------------------------------------------------------------------- static


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The desk's own stylesheet and script (nothing else is served from here)."""
    if name not in STATIC_FILES:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(
        (STATIC_DIR / name).read_bytes(),
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )


# ------------------------------------------------------------------------------ login


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, app: AppDep) -> Response:
    return _render(request, "login.html", language=_lang(None, request), app=app, error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    *,
    request: Request,
    app: AppDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Response:
    """Check the password and open a session (the API's login, for a form)."""
    settings = app.settings
    ip = request.client.host if request.client else "unknown"
    language = _lang(None, request)
    try:
        user = authenticate(
            app.uow_factory,
            username=username,
            password=password,
            ip=ip,
            limits=LoginLimits(
                settings.login_max_failures, dt.timedelta(minutes=settings.login_window_minutes)
            ),
        )
    except (Unauthenticated, RateLimited) as error:
        return _render(
            request, "login.html", language=language, status=status_of(error), error=error
        )
    ttl = dt.timedelta(minutes=settings.session_ttl_minutes)
    session = open_session(
        app.uow_factory,
        user=user,
        ttl=ttl,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
        request_id=_request_id(request),
    )
    target = "/desk/supervisor" if user.role in SUPERVISOR_ROLES else "/desk"
    response = RedirectResponse(target, status_code=303)
    secure = settings.environment == "production" or request.url.scheme == "https"
    seconds = int(ttl.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        session.secret,
        max_age=seconds,
        httponly=True,
        secure=secure,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token_for(app, sha256_hex(session.secret)),
        max_age=seconds,
        httponly=False,
        secure=secure,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(request: Request, app: AppDep, csrf_token: Csrf = "") -> Response:
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    log_out(app.uow_factory, principal=principal, request_id=_request_id(request))
    response = _to_login()
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


# ---------------------------------------------------------------------------- worklist


@router.get("", response_class=HTMLResponse)
def desk(request: Request, app: AppDep) -> Response:
    """Today's worklist: the collector's own list, what they claimed, their queues."""
    principal = _user(request, app)
    if principal is None:
        return _to_login()
    scope = case_scope(app, principal)
    with app.engine.connect() as conn:
        day = read.business_date(conn)
        rows = read.worklist(conn, scope, day, collector_id=principal.user.username)
        working = read.claimed_case(conn, day, principal.user.username)
        collector = read.is_collector(conn, principal.user.username)
    return _render(
        request,
        "desk.html",
        language=_lang(principal, request),
        principal=principal,
        app=app,
        day=day,
        rows=rows,
        working=working,
        collector=collector,
        can_claim=collector and can(principal.role, Permission.WORKLIST_CLAIM),
    )


@router.post("/claim")
def claim(request: Request, app: AppDep, csrf_token: Csrf = "") -> Response:
    """Claim the next case (own list first, then the queues, by rank) and open it."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _need(principal, Permission.WORKLIST_CLAIM)
        with app.engine.connect() as conn:
            day = read.business_date(conn)
        item = claim_next(app.uow_factory, collector_id=principal.user.username, business_date=day)
    except DomainError as error:
        return _failed(request, app, principal, error)
    if item is None:
        return _back("/desk", "empty")
    return RedirectResponse(f"/desk/case/{item.case_id}", status_code=303)


# ------------------------------------------------------------------------ case screen


def _verdict(app: App, screen: read.CaseScreen, language: str) -> dict[str, Any] | None:
    """The contact policy's verdict, now, for the case's next planned attempt (else a call to
    the borrower's first number): allow or not, and each rule's reason in the user's language."""
    borrower = screen.borrower
    attempt = screen.next_attempt
    with app.engine.connect() as conn:
        phone = read.primary_phone(conn, borrower["id"])
    channel = attempt["channel"] if attempt else "call"
    address = (attempt or {}).get("address") or (phone if channel in {"call", "sms"} else None)
    if channel in {"call", "sms"} and not address:
        return None
    if channel not in {"call", "sms", "email", "letter", "visit"}:
        return None
    from arrears.services.comms import person_line  # noqa: PLC0415 - heavy; only here

    with app.uow_factory() as uow:
        person = uow.borrowers.get(borrower["external_id"])
    history = history_lines(app.uow_factory, borrower["external_id"])
    described = any('"type": "person"' in line or '"type":"person"' in line for line in history)
    request_line = {
        "type": "contact_request",
        "request_id": f"desk-{screen.case['case_id']}"[:64],
        "person_id": borrower["external_id"],
        "channel": channel,
        "debt_ids": [loan.external_id for loan in screen.loans] or [screen.case["case_id"]],
        "address": address,
    }
    import json  # noqa: PLC0415

    lines = [*history, *([] if described else [person_line(person)]), json.dumps(request_line)]
    verdict = check_lines(
        lines,
        presets=presets_for_country(borrower["country"]),
        now=dt.datetime.now(dt.UTC),
        lang=language,
        source="desk",
    )[0]
    verdict["address_masked"] = (attempt or {}).get("address_masked") or (
        mask_phone(address) if address and address.startswith("+") else address
    )
    verdict["presets"] = list(presets_for_country(borrower["country"]))
    verdict["next_allowed_at"] = _instant(verdict.get("next_allowed"))
    for finding in verdict["findings"]:
        finding["until_at"] = _instant(finding.get("until"))
    return verdict


def _instant(value: object) -> dt.datetime | None:
    """An ISO instant of the verdict as a datetime, for display in the user's locale."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def _track_values(app: App, principal: Principal, screen: read.CaseScreen) -> dict[str, str]:
    """What the talk track's placeholders are filled with, formatted for the debtor's language;
    a placeholder with no value stays visible (`{amount}`) for the collector to say."""
    first = screen.loans[0] if screen.loans else None
    values = {
        "agency": app.settings.sender_name,
        "creditor": app.settings.creditor_name,
        "collector_name": principal.user.display_name,
        "debtor_name": screen.borrower["full_name"],
        "account_ref": first.external_id if first else "",
        "phone": app.settings.sender_phone,
    }
    debtor = Formats(desk_language(screen.borrower["language"]))
    overdue = [loan.overdue for loan in screen.loans if loan.overdue and loan.overdue.amount > 0]
    if overdue and all(m.currency == overdue[0].currency for m in overdue):
        values["amount"] = debtor.money(sum(overdue[1:], overdue[0]))
    dues = [loan.oldest_due for loan in screen.loans if loan.oldest_due]
    if dues:
        values["due_date"] = debtor.date(min(dues))
    return values


def _talk_track(
    app: App, principal: Principal, screen: read.CaseScreen, language: str
) -> talk.RenderedTrack | None:
    attempt = screen.next_attempt
    track_id = (attempt or {}).get("talk_track") or OPENING_BY_COUNTRY.get(
        screen.borrower["country"], "opening.eu"
    )
    try:
        return talk.track(track_id, language, _track_values(app, principal, screen))
    except DomainError:
        return None


#: the approved words of the three stops (remind, equal standing, end the call), one track
STOPS_TRACK = "response.abusive"


def _stops_track(
    app: App, principal: Principal, screen: read.CaseScreen, language: str
) -> talk.RenderedTrack | None:
    try:
        return talk.track(STOPS_TRACK, language, _track_values(app, principal, screen))
    except DomainError:
        return None


def _case_page(
    request: Request,
    app: App,
    principal: Principal,
    case_id: str,
    *,
    suggestion: talk.Suggestion | None = None,
    objection: str = "",
    status: int = 200,
) -> HTMLResponse:
    language = _lang(principal, request)
    strategy = _strategy(app)
    with app.engine.connect() as conn:
        day = read.business_date(conn)
        screen = read.case_screen(conn, case_id, day)
    debtor_language = desk_language(screen.borrower["language"])
    stage_id = screen.case["stage_id"]
    try:
        arrangement_policy = stage_policy(strategy, stage_id) if stage_id else None
    except DomainError:
        arrangement_policy = None
    mine = bool(
        screen.item
        and screen.item["status"] == "claimed"
        and screen.item["claimed_by"] == principal.user.username
    )
    return _render(
        request,
        "case.html",
        language=language,
        status=status,
        principal=principal,
        app=app,
        day=day,
        s=screen,
        verdict=_verdict(app, screen, language),
        track=_talk_track(app, principal, screen, debtor_language),
        stops_track=_stops_track(app, principal, screen, debtor_language),
        debtor_language=debtor_language,
        suggestion=suggestion,
        objection=objection,
        promise_policy=strategy.promises,
        promise_last_day=day + dt.timedelta(days=strategy.promises.max_horizon_days),
        promise_rows=range(1, min(PROMISE_ROWS, strategy.promises.max_promises_per_set) + 1),
        arrangement_policy=arrangement_policy,
        outcomes=CONTACT_OUTCOMES,
        mine=mine,
        can_contact=can(principal.role, Permission.CONTACTS_WRITE),
        can_promise=can(principal.role, Permission.PROMISES_WRITE),
        can_arrange=can(principal.role, Permission.ARRANGEMENTS_WRITE),
        now_local=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
    )


@router.get("/case/{case_id}", response_class=HTMLResponse)
def case_screen(request: Request, app: AppDep, case_id: str) -> Response:
    """The account screen: debtor, parties, loans, schedule, payments, DPD and buckets,
    promises, arrangements, the timeline; the verdict, the talk track and the forms."""
    principal = _user(request, app)
    if principal is None:
        return _to_login()
    try:
        _visible_case(request, app, principal, case_id)
        return _case_page(request, app, principal, case_id)
    except DomainError as error:
        return _failed(request, app, principal, error)


@router.post("/case/{case_id}/suggest", response_class=HTMLResponse)
def suggest(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    objection: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """The objection box: what the debtor said -> the approved answer in their language."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.TALK_READ)
        with app.engine.connect() as conn:
            screen = read.case_screen(conn, case_id, read.business_date(conn))
        found = talk.suggest(
            objection,
            language=desk_language(screen.borrower["language"]),
            stage_id=screen.case["stage_id"],
            debtor_type=screen.case["debtor_type"],
            values=_track_values(app, principal, screen),
        )
        return _case_page(request, app, principal, case_id, suggestion=found, objection=objection)
    except DomainError as error:
        return _failed(request, app, principal, error)


@router.post("/case/{case_id}/contact")
def contact(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    outcome: Annotated[list[str], Form()],
    channel: Annotated[str, Form()] = "call",
    party: Annotated[str, Form()] = "mobile",
    notes: Annotated[str, Form(max_length=4000)] = "",
    talk_track: Annotated[str, Form(max_length=80)] = "",
    attempt_id: Annotated[str, Form(max_length=120)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Log what happened on the contact: one record, with the ledger event the policy counts."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.CONTACTS_WRITE)
        with app.engine.connect() as conn:
            day = read.business_date(conn)
            screen = read.case_screen(conn, case_id, day)
            phone = read.primary_phone(conn, screen.borrower["id"])
        attempt = next((a for a in screen.attempts if a["attempt_id"] == attempt_id), None)
        address = (attempt or {}).get("address") or phone or screen.borrower["external_id"]
        log_contact(
            app.uow_factory,
            case_id=case_id,
            at=dt.datetime.now(dt.UTC),
            channel=channel,
            direction="outbound",
            address=address,
            party=party,
            party_id=screen.borrower["external_id"],
            purpose="debt",
            outcomes=outcome,
            collector_id=principal.user.username,
            notes=notes,
            talk_track=talk_track or None,
            attempt_id=attempt["attempt_id"] if attempt else None,
        )
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back(f"/desk/case/{case_id}", "contact")


@router.post("/case/{case_id}/promise")
def promise(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    due_1: Annotated[str, Form()] = "",
    amount_1: Annotated[str, Form()] = "",
    due_2: Annotated[str, Form()] = "",
    amount_2: Annotated[str, Form()] = "",
    due_3: Annotated[str, Form()] = "",
    amount_3: Annotated[str, Form()] = "",
    method: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Record the promise set agreed on the call (validated against the strategy's limits)."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.PROMISES_WRITE)
        with app.engine.connect() as conn:
            day = read.business_date(conn)
            screen = read.case_screen(conn, case_id, day)
        items = [
            (_date(due, f"due_{n}"), Money(_decimal(amount, f"amount_{n}"), screen.currency))
            for n, (due, amount) in enumerate(
                ((due_1, amount_1), (due_2, amount_2), (due_3, amount_3)), start=1
            )
            if due.strip() or amount.strip()
        ]
        last = screen.last_call
        record_promises(
            app.uow_factory,
            case_id=case_id,
            made_on=day,
            items=items,
            policy=_strategy(app).promises,
            made_by=principal.user.username,
            method=method or None,
            contact_record_id=last["record_id"] if last else None,
        )
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back(f"/desk/case/{case_id}", "promise")


@router.post("/case/{case_id}/arrangement")
def arrangement(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    kind: Annotated[str, Form()] = "plan",
    first_due: Annotated[str, Form()] = "",
    instalments: Annotated[int, Form(ge=1, le=120)] = 1,
    frequency: Annotated[str, Form()] = "monthly",
    down_payment: Annotated[str, Form()] = "",
    discount_rate: Annotated[str, Form()] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Propose a plan or settlement within the stage's limits; above the collector's authority
    it waits for approval by the role the policy names."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.ARRANGEMENTS_WRITE)
        role = APPROVAL_ROLE.get(principal.role)
        if role is None:
            raise Forbidden(f"the {principal.role.value} role may not propose arrangements")
        with app.engine.connect() as conn:
            day = read.business_date(conn)
        propose_arrangement(
            app.uow_factory,
            case_id,
            kind=kind,
            as_of=day,
            first_due=_date(first_due, "first_due"),
            instalments=instalments,
            frequency=frequency,
            actor_id=principal.user.username,
            actor_role=role,
            strategy=_strategy(app),
            down_payment=_decimal(down_payment, "down_payment") if down_payment.strip() else None,
            discount_rate=(
                _decimal(discount_rate, "discount_rate") / 100 if discount_rate.strip() else None
            ),
        )
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back(f"/desk/case/{case_id}", "arrangement")


@router.post("/case/{case_id}/stop")
def stop(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    step: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """One step of the three stops on the call just logged (remind, equal standing, end call;
    or `calmed`)."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.CONTACTS_WRITE)
        with app.engine.connect() as conn:
            screen = read.case_screen(conn, case_id, read.business_date(conn))
        last = screen.last_call
        if last is None:
            raise InvalidInput("log the call first: the three stops belong to a logged call")
        three_stops_step(
            app.uow_factory,
            case_id,
            record_id=last["record_id"],
            stop=step,
            actor_id=principal.user.username,
            note=note,
        )
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back(f"/desk/case/{case_id}", "stop")


@router.post("/case/{case_id}/finish")
def finish(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    action: Annotated[str, Form()] = "complete",
    note: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Done with the claimed case (complete), or give it back (release / to the queue)."""
    principal = _posted(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        _visible_case(request, app, principal, case_id)
        _need(principal, Permission.WORKLIST_CLAIM)
        with app.engine.connect() as conn:
            day = read.business_date(conn)
        me = principal.user.username
        if action == "complete":
            complete(
                app.uow_factory, business_date=day, case_id=case_id, collector_id=me, note=note
            )
        elif action in {"release", "queue"}:
            release(
                app.uow_factory,
                business_date=day,
                case_id=case_id,
                collector_id=me,
                to_queue=action == "queue",
                note=note,
            )
        else:
            raise InvalidInput(f"unknown action {action!r}", field="action")
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back("/desk", "completed" if action == "complete" else "released")


# -------------------------------------------------------------------------- supervisor


def _supervisor(request: Request, app: App, csrf_token: str | None) -> Principal | Response:
    principal = _user(request, app) if csrf_token is None else _posted(request, app, csrf_token)
    if principal is None:
        return _to_login()
    if isinstance(principal, Response):
        return principal
    if principal.role not in SUPERVISOR_ROLES:
        return _failed(
            request,
            app,
            principal,
            Forbidden(f"the {principal.role.value} role may not open the supervisor's views"),
        )
    return principal


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor(request: Request, app: AppDep) -> Response:
    """Queues and capacity, approvals waiting, referrals, holds and overrides."""
    principal = _supervisor(request, app, None)
    if not isinstance(principal, Principal):
        return principal
    with app.engine.connect() as conn:
        day = read.business_date(conn)
        summary = worklist_summary(conn, day)
        context: dict[str, Any] = {
            "day": day,
            "summary": summary,
            "pending": read.pending_arrangements(conn),
            "holds": read.holds(conn),
            "referrals": read.referrals(conn),
            "overrides": read.overrides(conn),
            "flagged": read.unplanned_contacts(conn, day),
            "collectors": read.active_collectors(conn),
        }
    return _render(
        request,
        "supervisor.html",
        language=_lang(principal, request),
        principal=principal,
        app=app,
        **context,
    )


def _supervised(request: Request, app: App, csrf_token: str, done: str, action: Any) -> Response:
    principal = _supervisor(request, app, csrf_token)
    if not isinstance(principal, Principal):
        return principal
    try:
        action(principal)
    except DomainError as error:
        return _failed(request, app, principal, error)
    return _back("/desk/supervisor", done)


@router.post("/supervisor/reassign")
def supervisor_reassign(
    *,
    request: Request,
    app: AppDep,
    case_id: Annotated[str, Form(max_length=80)],
    to_collector: Annotated[str, Form(max_length=64)],
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    return _supervised(
        request,
        app,
        csrf_token,
        "reassigned",
        lambda p: reassign(
            app.uow_factory,
            case_id=case_id.strip(),
            to_collector=to_collector,
            by=p.user.username,
            role=p.role,
            reason=reason,
        ),
    )


@router.post("/supervisor/hold")
def supervisor_hold(
    *,
    request: Request,
    app: AppDep,
    case_id: Annotated[str, Form(max_length=80)],
    until: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    return _supervised(
        request,
        app,
        csrf_token,
        "held",
        lambda p: hold(
            app.uow_factory,
            case_id=case_id.strip(),
            until=_date(until, "until"),
            reason=reason,
            by=p.user.username,
            role=p.role,
        ),
    )


@router.post("/supervisor/lift-hold")
def supervisor_lift_hold(
    *,
    request: Request,
    app: AppDep,
    case_id: Annotated[str, Form(max_length=80)],
    reason: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    return _supervised(
        request,
        app,
        csrf_token,
        "lifted",
        lambda p: lift_hold(
            app.uow_factory, case_id=case_id, reason=reason, by=p.user.username, role=p.role
        ),
    )


@router.post("/supervisor/arrangement/{arrangement_id}")
def supervisor_decide(
    *,
    request: Request,
    app: AppDep,
    arrangement_id: str,
    decision: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=500)] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Approve or reject an arrangement waiting for a supervisor's (or higher) approval."""

    def decide(p: Principal) -> None:
        _need(p, Permission.ARRANGEMENTS_APPROVE)
        role = APPROVAL_ROLE[p.role]
        if decision == "approve":
            approve_arrangement(
                app.uow_factory,
                arrangement_id,
                actor_id=p.user.username,
                actor_role=role,
                note=note,
                strategy=_strategy(app),
            )
        elif decision == "reject":
            reject_arrangement(
                app.uow_factory,
                arrangement_id,
                actor_id=p.user.username,
                actor_role=role,
                note=note,
            )
        else:
            raise InvalidInput(f"unknown decision {decision!r}", field="decision")

    done = "approved" if decision == "approve" else "rejected"
    return _supervised(request, app, csrf_token, done, decide)


@router.post("/supervisor/referral/{case_id}")
def supervisor_resolve(
    *,
    request: Request,
    app: AppDep,
    case_id: str,
    resolution: Annotated[str, Form(max_length=500)],
    csrf_token: Csrf = "",
) -> Response:
    return _supervised(
        request,
        app,
        csrf_token,
        "resolved",
        lambda p: resolve_supervisor_referral(
            app.uow_factory,
            case_id,
            resolution=resolution,
            actor_id=p.user.username,
            actor_role=APPROVAL_ROLE[p.role],
        ),
    )


# --------------------------------------------------------------------------- dashboard


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, app: AppDep) -> Response:
    """Buckets, roll rates, promises kept and broken, recoveries by stage and arm, collectors."""
    principal = _user(request, app)
    if principal is None:
        return _to_login()
    language = _lang(principal, request)
    try:
        _need(principal, Permission.REPORTS_READ)
    except DomainError as error:
        return _failed(request, app, principal, error)
    fmt = Formats(language)
    with app.engine.connect() as conn:
        day = read.business_date(conn)
        snapshot = read.latest_snapshot_day(conn, day)
        buckets = read.bucket_distribution(conn, snapshot) if snapshot else []
        matrix = read.roll_rates(conn, snapshot) if snapshot else None
        promises = read.promise_outcomes(conn)
        by_stage = read.recoveries(conn, day, by="stage")
        by_arm = read.recoveries(conn, day, by="arm")
        results = read.collector_results(conn, day)
    tones = {"pending": 0, "kept": 1, "partially_kept": 2, "broken": 3}
    bucket_chart = charts.bar_chart(
        "buckets", [(name, float(n), fmt.number(n)) for name, n in buckets]
    )
    promise_chart = charts.bar_chart(
        "promises",
        [(status, float(n), fmt.number(n)) for status, n in promises],
        tones=[tones.get(status, 4) for status, _ in promises],
    )

    def money_chart(rows: list[tuple[str, str, Money]], name: str) -> charts.BarChart:
        return charts.bar_chart(
            name,
            [(f"{key} · {cur}", float(m.amount), fmt.money(m)) for key, cur, m in rows],
        )

    return _render(
        request,
        "dashboard.html",
        language=language,
        principal=principal,
        app=app,
        day=day,
        snapshot=snapshot,
        bucket_chart=bucket_chart,
        matrix=matrix,
        heat=charts.heat,
        promise_chart=promise_chart,
        stage_chart=money_chart(by_stage, "stage"),
        arm_chart=money_chart(by_arm, "arm"),
        results=results,
    )


__all__ = ["DESK_CSP", "router"]
