"""POST /auth/login (a bearer token for API clients, a session cookie for the web), logout, me."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response, status

from arrears.domain.security import permissions_of
from arrears.entrypoints.api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentApp,
    CurrentPrincipal,
    RequestId,
    csrf_token_for,
)
from arrears.entrypoints.api.errors import AUTHENTICATED, responses
from arrears.entrypoints.api.schemas import LoginIn, LoginOut, UserOut
from arrears.services.security import (
    LoginLimits,
    User,
    authenticate,
    issue_token,
    log_out,
    open_session,
    sha256_hex,
)

router = APIRouter(prefix="/auth", tags=["auth"])


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        locale=user.locale,
        team=user.team,
        permissions=sorted(p.value for p in permissions_of(user.role)),
    )


def _secure(request: Request, app: CurrentApp) -> bool:
    return app.settings.environment == "production" or request.url.scheme == "https"


@router.post("/login", responses=responses(401, 422, 429))
def login(
    request: Request,
    response: Response,
    app: CurrentApp,
    request_id: RequestId,
    body: Annotated[LoginIn, Body()],
) -> LoginOut:
    """Check the password (argon2); 5 failures for one user name and address within 15 minutes
    block further tries with 429 and Retry-After. `client=api` returns a bearer token;
    `client=web` sets an HttpOnly session cookie and returns the CSRF token for forms."""
    settings = app.settings
    ip = request.client.host if request.client else "unknown"
    user = authenticate(
        app.uow_factory,
        username=body.username,
        password=body.password,
        ip=ip,
        limits=LoginLimits(
            settings.login_max_failures, dt.timedelta(minutes=settings.login_window_minutes)
        ),
    )
    if body.client == "api":
        issued = issue_token(
            app.uow_factory,
            username=user.username,
            name="login",
            ttl=dt.timedelta(days=settings.token_ttl_days),
            actor=user.username,
            request_id=request_id,
        )
        return LoginOut(
            user=user_out(user),
            token=issued.secret,
            token_type="bearer",  # noqa: S106 - the scheme, not a secret
            expires_at=issued.expires_at,
        )
    ttl = dt.timedelta(minutes=settings.session_ttl_minutes)
    session = open_session(
        app.uow_factory,
        user=user,
        ttl=ttl,
        ip=ip,
        user_agent=request.headers.get("user-agent"),
        request_id=request_id,
    )
    csrf = csrf_token_for(app, sha256_hex(session.secret))
    secure = _secure(request, app)
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
        CSRF_COOKIE, csrf, max_age=seconds, httponly=False, secure=secure, samesite="strict"
    )
    return LoginOut(user=user_out(user), csrf_token=csrf, expires_at=session.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=responses(*AUTHENTICATED))
def logout(
    response: Response, app: CurrentApp, principal: CurrentPrincipal, request_id: RequestId
) -> None:
    """Revoke the token or session used for this request."""
    log_out(app.uow_factory, principal=principal, request_id=request_id)
    if principal.via == "session":
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)


@router.get("/me", responses=responses(*AUTHENTICATED))
def me(principal: CurrentPrincipal) -> UserOut:
    """The caller, their role and permissions."""
    return user_out(principal.user)
