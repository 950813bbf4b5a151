"""The one place domain errors become HTTP responses: `{code, message, details}` with a stable
`code`, a status per error class, and the OpenAPI declaration of each status a route can answer.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from arrears.domain.errors import Conflict, DomainError, NotFound
from arrears.domain.security import Forbidden, RateLimited, Unauthenticated
from arrears.domain.security.audit_chain import jsonable


class Unavailable(DomainError):
    """A dependency (the database) does not answer."""

    code = "unavailable"


class ErrorBody(BaseModel):
    """Every error response: a stable machine-readable `code`, a message, structured details."""

    code: str = Field(examples=["not_found"])
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


#: what each status means, as declared in the OpenAPI document
DESCRIPTIONS = {
    400: "Bad request (`bad_request`)",
    401: "Not authenticated (`unauthenticated`): missing, unknown, expired or revoked credential",
    403: "Not allowed (`forbidden`, `csrf_failed`): the role lacks the permission or CSRF failed",
    404: "Not found (`not_found`), or outside what the caller may see",
    409: "Conflict (`conflict`, `idempotency_key_reused`)",
    422: "Invalid request (`invalid_request`, `invalid_input`, `currency_mismatch`, ...)",
    429: "Too many attempts (`rate_limited`); see the Retry-After header",
    503: "A dependency is unavailable (`unavailable`)",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each status with the `ErrorBody` schema."""
    declared: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": DESCRIPTIONS[status]}
        if status == 429:
            entry["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            }
        declared[status] = entry
    return declared


#: the statuses any authenticated route can answer
AUTHENTICATED = (401, 403, 422)


#: error class → status, most specific first (anything else a domain error is: 422)
STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (RateLimited, 429),
    (Unavailable, 503),
)


def status_of(error: DomainError) -> int:
    for kind, status in STATUSES:
        if isinstance(error, kind):
            return status
    return 422


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(code=code, message=message, details=_plain(details or {}))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    try:
        return jsonable(details) or {}
    except (TypeError, ValueError):
        return {key: str(value) for key, value in details.items()}


def domain_error_response(error: DomainError) -> JSONResponse:
    status = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(status, error.code, error.message, dict(error.fields), headers)


def install_error_handlers(api: FastAPI) -> None:
    async def on_domain_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
        return domain_error_response(error)

    async def on_validation_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for it only
        problems = [
            {
                "loc": [str(part) for part in problem.get("loc", ())],
                "msg": str(problem.get("msg", "")),
                "type": str(problem.get("type", "")),
            }
            for problem in error.errors()
        ]
        first = problems[0] if problems else {"loc": [], "msg": "invalid request"}
        where = ".".join(first["loc"])
        return error_response(
            422, "invalid_request", f"{where}: {first['msg']}", {"errors": problems}
        )

    async def on_http_error(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for it only
        codes = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}
        return error_response(
            error.status_code,
            codes.get(error.status_code, "http_error"),
            str(error.detail),
            headers=dict(error.headers or {}),
        )

    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(RequestValidationError, on_validation_error)
    api.add_exception_handler(StarletteHTTPException, on_http_error)


__all__ = [
    "AUTHENTICATED",
    "ErrorBody",
    "Unavailable",
    "domain_error_response",
    "error_response",
    "install_error_handlers",
    "responses",
    "status_of",
]
