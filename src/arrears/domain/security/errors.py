"""Security errors: each a `DomainError` with a stable code, mapped to HTTP at the edge."""

from __future__ import annotations

from arrears.domain.errors import Conflict, DomainError


class Unauthenticated(DomainError):
    """No valid credentials: missing, unknown, expired or revoked token or session."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """Authenticated, but the role does not allow this (or a CSRF check failed)."""

    code = "forbidden"


class CsrfFailed(Forbidden):
    """A cookie-authenticated unsafe request without the session's CSRF token."""

    code = "csrf_failed"


class RateLimited(DomainError):
    """Too many failed attempts; `retry_after` seconds until the next may be made."""

    code = "rate_limited"

    def __init__(self, detail: str = "", *, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class IdempotencyKeyReused(Conflict):
    """The same idempotency key came back with a different request body."""

    code = "idempotency_key_reused"


__all__ = ["CsrfFailed", "Forbidden", "IdempotencyKeyReused", "RateLimited", "Unauthenticated"]
