"""`create_app(app)`: the FastAPI application over a bootstrapped `App`.

Middleware: a request id on every request and response (X-Request-ID, kept from the client
when well-formed, used by the audit log), and secure headers on every response. Errors are
mapped in `errors.py`. No interactive docs are served (they would load scripts from a CDN);
the OpenAPI document is at /openapi.json and committed as docs/openapi.json.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response

from arrears import __version__
from arrears.bootstrap import App
from arrears.entrypoints.api import (
    routes_actions,
    routes_auth,
    routes_book,
    routes_ops,
    routes_work,
)
from arrears.entrypoints.api.errors import install_error_handlers
from arrears.entrypoints.web import router as desk_router

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

SECURE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}
HSTS = "max-age=63072000; includeSubDomains"

DESCRIPTION = """\
The collections platform's HTTP API. Authenticate with a bearer token (`arrears token create`
or `POST /auth/login` with `client=api`) or, for the web desk, a session cookie plus the
`X-CSRF-Token` header on unsafe methods. Every error is `{code, message, details}` with a
stable `code`. Lists are paged with `limit` and `cursor`. See docs/api.md.
"""


def _request_id(request: Request) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def create_app(app: App) -> FastAPI:
    api = FastAPI(
        title="arrears API",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    api.state.arrears = app
    install_error_handlers(api)
    api.include_router(routes_auth.router)
    api.include_router(routes_book.router)
    api.include_router(routes_ops.router)
    api.include_router(routes_work.router)
    api.include_router(routes_actions.router)
    api.include_router(desk_router)

    @api.middleware("http")
    async def request_id_and_secure_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request.state.request_id = _request_id(request)
        response = await call_next(request)
        response.headers[REQUEST_ID_HEADER] = request.state.request_id
        for name, value in SECURE_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    return api


def openapi_document(api: FastAPI) -> dict[str, Any]:
    return api.openapi()


__all__ = ["REQUEST_ID_HEADER", "SECURE_HEADERS", "create_app", "openapi_document"]
