"""Dependencies shared by the routers: the application, the caller (bearer token or session
cookie with its CSRF check), permission checks, the caller's case scope and the request id."""

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from arrears.adapters.store import workflow_tables as w
from arrears.adapters.store.read_models import CaseScope
from arrears.bootstrap import App
from arrears.domain.security import CsrfFailed, Permission, Unauthenticated, can, require
from arrears.services.security import Principal, audit_append, resolve
from arrears.services.worklists import primary_tag, queue_name

SESSION_COOKIE = "arrears_session"
CSRF_COOKIE = "arrears_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API token (`arrears token create`, or POST /auth/login with client=api)",
)
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The web session (POST /auth/login with client=web); unsafe methods also need "
    f"the {CSRF_HEADER} header",
)


def get_app(request: Request) -> App:
    app: App = request.app.state.arrears
    return app


def request_id(request: Request) -> str:
    value: str = request.state.request_id
    return value


def csrf_token_for(app: App, session_sha256: str) -> str:
    """The CSRF token of a session: an HMAC of the session's hash under the secret key, so it
    needs no storage and is useless without the session cookie it belongs to."""
    key = app.settings.secret_key.get_secret_value().encode("utf-8")
    return hmac.new(key, f"csrf:{session_sha256}".encode(), hashlib.sha256).hexdigest()


def check_csrf(app: App, principal: Principal, presented: str | None) -> None:
    expected = csrf_token_for(app, principal.credential_sha256)
    if not presented or not hmac.compare_digest(presented, expected):
        raise CsrfFailed(f"missing or wrong CSRF token: send the {CSRF_HEADER} header from login")


def current_principal(
    request: Request,
    app: Annotated[App, Depends(get_app)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    session: Annotated[str | None, Depends(session_cookie)],
) -> Principal:
    """The caller: a bearer token wins over a session cookie; cookie-authenticated unsafe
    requests must carry the session's CSRF token."""
    if credentials is not None:
        principal = resolve(app.uow_factory, kind="token", secret=credentials.credentials)
    elif session:
        principal = resolve(app.uow_factory, kind="session", secret=session)
        if request.method not in SAFE_METHODS:
            check_csrf(app, principal, request.headers.get(CSRF_HEADER))
    else:
        raise Unauthenticated("send a bearer token or log in for a session")
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentApp = Annotated[App, Depends(get_app)]
RequestId = Annotated[str, Depends(request_id)]


def requires(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency: the caller, when their role holds `permission` (else 403)."""

    def check(principal: CurrentPrincipal) -> Principal:
        require(principal.role, permission)
        return principal

    check.__name__ = f"requires_{permission.name.lower()}"
    return check


def case_scope(app: App, principal: Principal) -> CaseScope:
    """What the caller may read of the book: everything with `cases:read_all`; else the cases
    assigned to them (their user name is their collector id) and the unassigned cases waiting
    in the pools they work (their stages by languages, as the worklists define them)."""
    if can(principal.role, Permission.CASES_READ_ALL):
        return CaseScope(everything=True)
    me = principal.user.username
    with app.engine.connect() as connection:
        row = connection.execute(
            select(w.collectors.c.languages, w.collectors.c.stages).where(
                w.collectors.c.collector_id == me
            )
        ).first()
    if row is None:
        return CaseScope(everything=False, collector_id=me)
    languages = sorted({primary_tag(x) for x in (row.languages or "").split()})
    stages = (row.stages or "").split()
    if stages:
        pools = tuple(queue_name(stage, lang) for stage in stages for lang in languages)
        return CaseScope(everything=False, collector_id=me, queues=pools)
    patterns = tuple(f"%:{lang}" for lang in languages)
    return CaseScope(everything=False, collector_id=me, queue_patterns=patterns)


def audit_denied(
    app: App, principal: Principal, *, entity: str, entity_id: str, request_id: str
) -> None:
    """Record, in its own transaction, an attempt to read something outside the caller's scope
    (the caller then gets a 404, as for something that does not exist)."""
    with app.uow_factory() as uow:
        audit_append(
            uow,
            actor=principal.actor,
            role=principal.role,
            action="security:access:denied",
            entity=entity,
            entity_id=entity_id,
            after={"method": "read", "scope": "outside"},
            request_id=request_id,
        )
        uow.commit()


__all__ = [
    "CSRF_COOKIE",
    "CSRF_FORM_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "CurrentApp",
    "CurrentPrincipal",
    "RequestId",
    "audit_denied",
    "case_scope",
    "check_csrf",
    "csrf_token_for",
    "current_principal",
    "get_app",
    "requires",
]
