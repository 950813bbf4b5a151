"""The web desk: server-rendered pages for collectors and supervisors (docs/desk.md).

`router` is loaded on first use: the routes import the API's dependencies, and the API's
`create_app` imports this package, so an eager import here would be circular.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter

    router: APIRouter


def __getattr__(name: str) -> Any:
    if name == "router":
        from arrears.entrypoints.web.routes import router  # noqa: PLC0415 - see the docstring

        return router
    raise AttributeError(name)


__all__ = ["router"]
