"""The HTTP API (FastAPI): `create_app(app)` builds it over a bootstrapped `App`."""

from arrears.entrypoints.api.app import create_app, openapi_document

__all__ = ["create_app", "openapi_document"]
