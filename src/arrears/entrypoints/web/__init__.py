"""The web desk: server-rendered pages for collectors and supervisors (docs/desk.md)."""

from arrears.entrypoints.web.routes import router

__all__ = ["router"]
