"""Security use cases: users, authentication with rate limiting, API tokens, sessions, and the
hash-chained audit log (append in the caller's transaction; verify the whole chain).

Credentials are random values the client holds; the database keeps only their SHA-256, so a
read of the tables does not yield a usable token or session. Passwords are argon2id hashes
(argon2-cffi defaults), re-hashed on login when the parameters have changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from arrears.adapters.store.security_store import SecurityStore, UserRow
from arrears.domain.errors import InvalidInput
from arrears.domain.security import (
    BrokenLink,
    RateLimited,
    Role,
    Unauthenticated,
    password_problems,
    verify_chain,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from arrears.adapters.store.uow import SqlUnitOfWork

TOKEN_PREFIX = "arr_"  # noqa: S105 - a label, not a secret
SESSION_PREFIX = "ses_"
PREFIX_CHARS = 8
CredentialKind = Literal["token", "session"]

_hasher = PasswordHasher()
# verified against when the user does not exist, so both paths cost the same time
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def store_of(uow: SqlUnitOfWork) -> SecurityStore:
    """The security tables in `uow`'s transaction."""
    return SecurityStore(uow.session.connection())


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    locale: str
    team: str | None
    active: bool

    @classmethod
    def of(cls, row: UserRow) -> User:
        return cls(
            row.id, row.username, row.display_name, Role(row.role), row.locale, row.team, row.active
        )

    def public(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "locale": self.locale,
            "team": self.team,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request, and with which credential."""

    user: User
    via: CredentialKind
    credential_id: int
    credential_sha256: str

    @property
    def actor(self) -> str:
        return self.user.username

    @property
    def role(self) -> Role:
        return self.user.role


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A new token or session: `secret` is shown once and never stored."""

    secret: str
    prefix: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LoginLimits:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ChainReport:
    records: int
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _check_username(username: str) -> str:
    name = username.strip()
    if not (1 <= len(name) <= 64) or any(c.isspace() for c in name):
        raise InvalidInput("user name must be 1-64 characters without spaces", username=username)
    return name


# -- the audit chain ---------------------------------------------------------------------------


def audit_append(
    uow: SqlUnitOfWork,
    *,
    actor: str,
    role: Role | str | None,
    action: str,
    entity: str,
    entity_id: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> int:
    """Append to the hash-chained audit log in `uow`'s transaction (committed with it)."""
    if not actor:
        raise InvalidInput("an audit record needs an actor")
    uow.audit.check_action(action)
    return store_of(uow).append_audit(
        at=uow.now(),
        actor=actor,
        role=role.value if isinstance(role, Role) else role,
        request_id=request_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def verify_audit_chain(uow_factory: Callable[[], SqlUnitOfWork]) -> ChainReport:
    """Recompute every link of the audit chain; the first broken one is reported."""
    with uow_factory() as uow:
        counted = 0

        def rows() -> Any:
            nonlocal counted
            for row in store_of(uow).audit_rows():
                counted += 1
                yield row

        broken = verify_chain(rows())
        return ChainReport(records=counted, broken=broken)


# -- users -------------------------------------------------------------------------------------


def create_user(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    username: str,
    password: str,
    role: Role,
    actor: str,
    display_name: str | None = None,
    team: str | None = None,
    locale: str = "en",
    request_id: str | None = None,
) -> User:
    name = _check_username(username)
    problems = password_problems(password, username=name)
    if problems:
        raise InvalidInput("password " + "; ".join(problems), field="password")
    password_hash = _hasher.hash(password)
    with uow_factory() as uow:
        row = store_of(uow).add_user(
            username=name,
            display_name=display_name or name,
            password_hash=password_hash,
            role=Role(role).value,
            locale=locale,
            team=team,
            now=uow.now(),
        )
        user = User.of(row)
        audit_append(
            uow,
            actor=actor,
            role=None,
            action="security:user:created",
            entity="user",
            entity_id=name,
            after=user.public(),
            request_id=request_id,
        )
        uow.commit()
    return user


def list_users(uow_factory: Callable[[], SqlUnitOfWork]) -> list[User]:
    with uow_factory() as uow:
        return [User.of(r) for r in store_of(uow).users()]


def set_user_active(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    username: str,
    active: bool,
    actor: str,
    request_id: str | None = None,
) -> User:
    """Enable or disable a user; disabling also revokes every token and session they hold."""
    with uow_factory() as uow:
        store = store_of(uow)
        before = User.of(store.user(username))
        now = uow.now()
        store.set_active(before.id, active=active, now=now)
        if not active:
            store.revoke_all_for_user(before.id, now=now)
        after = User.of(store.user(username))
        audit_append(
            uow,
            actor=actor,
            role=None,
            action="security:user:enabled" if active else "security:user:disabled",
            entity="user",
            entity_id=username,
            before=before.public(),
            after=after.public(),
            request_id=request_id,
        )
        uow.commit()
    return after


# -- authentication ----------------------------------------------------------------------------


def authenticate(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    username: str,
    password: str,
    ip: str,
    limits: LoginLimits | None = None,
) -> User:
    """The user whose password this is, or `Unauthenticated` (the same for an unknown user and
    a wrong password); `RateLimited` after `limits.max_failures` failures for the same user
    name and address within `limits.window` (a success resets the count)."""
    limits = limits or LoginLimits()
    name = username.strip()[:64]
    address = ip[:64] or "unknown"
    with uow_factory() as uow:
        store = store_of(uow)
        now = uow.now()
        failures = store.recent_failures(username=name, ip=address, since=now - limits.window)
        if len(failures) >= limits.max_failures:
            opens = failures[-limits.max_failures] + limits.window
            retry_after = max(1, math.ceil((opens - now).total_seconds()))
            raise RateLimited(
                f"too many failed logins; try again in {retry_after} s", retry_after=retry_after
            )
        row = store.find_user(name)
        ok = _verify(row.password_hash if row else _DUMMY_HASH, password)
        ok = ok and row is not None and row.active
        store.record_attempt(username=name, ip=address, at=now, succeeded=ok)
        if ok and row is not None and _hasher.check_needs_rehash(row.password_hash):
            store.set_password_hash(row.id, _hasher.hash(password), now=now)
        uow.commit()
    if not ok or row is None:
        raise Unauthenticated("invalid user name or password")
    return User.of(row)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def issue_token(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    username: str,
    name: str,
    ttl: dt.timedelta,
    actor: str,
    request_id: str | None = None,
) -> IssuedCredential:
    """A new API token for `username`; the secret is returned once, only its hash is kept."""
    secret = _new_secret(TOKEN_PREFIX)
    prefix = secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + PREFIX_CHARS]
    with uow_factory() as uow:
        store = store_of(uow)
        user = store.user(username)
        if not user.active:
            raise InvalidInput(f"user {username!r} is disabled", username=username)
        now = uow.now()
        expires_at = now + ttl
        store.add_token(
            user_id=user.id,
            name=name[:100],
            prefix=prefix,
            token_sha256=sha256_hex(secret),
            now=now,
            expires_at=expires_at,
        )
        audit_append(
            uow,
            actor=actor,
            role=None,
            action="security:token:issued",
            entity="api_token",
            entity_id=prefix,
            after={"user": username, "name": name, "expires_at": expires_at},
            request_id=request_id,
        )
        uow.commit()
    return IssuedCredential(secret=secret, prefix=prefix, expires_at=expires_at)


def revoke_token(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    prefix: str,
    actor: str,
    request_id: str | None = None,
) -> None:
    with uow_factory() as uow:
        store_of(uow).revoke_token(prefix, now=uow.now())
        audit_append(
            uow,
            actor=actor,
            role=None,
            action="security:token:revoked",
            entity="api_token",
            entity_id=prefix,
            request_id=request_id,
        )
        uow.commit()


def open_session(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    user: User,
    ttl: dt.timedelta,
    ip: str | None,
    user_agent: str | None,
    request_id: str | None = None,
) -> IssuedCredential:
    """A new web session for an authenticated user (the cookie value is `secret`)."""
    secret = _new_secret(SESSION_PREFIX)
    with uow_factory() as uow:
        now = uow.now()
        expires_at = now + ttl
        store_of(uow).add_session(
            user_id=user.id,
            token_sha256=sha256_hex(secret),
            now=now,
            expires_at=expires_at,
            ip=ip,
            user_agent=user_agent,
        )
        audit_append(
            uow,
            actor=user.username,
            role=user.role,
            action="security:session:opened",
            entity="user",
            entity_id=user.username,
            after={"ip": ip, "expires_at": expires_at},
            request_id=request_id,
        )
        uow.commit()
    return IssuedCredential(secret=secret, prefix="", expires_at=expires_at)


def resolve(
    uow_factory: Callable[[], SqlUnitOfWork], *, kind: CredentialKind, secret: str
) -> Principal:
    """The principal behind a bearer token or a session cookie, or `Unauthenticated`."""
    digest = sha256_hex(secret)
    with uow_factory() as uow:
        store = store_of(uow)
        now = uow.now()
        found = store.live_credential(kind, digest, now=now)
        if found is None:
            raise Unauthenticated(f"the {kind} is unknown, expired or revoked")
        credential_id, user_id = found
        user = User.of(store.user_by_id(user_id))
        if kind == "token":
            store.touch_token(credential_id, now=now)
            uow.commit()
    return Principal(user=user, via=kind, credential_id=credential_id, credential_sha256=digest)


def log_out(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    principal: Principal,
    request_id: str | None = None,
) -> None:
    """Revoke the session or token the principal used."""
    with uow_factory() as uow:
        store_of(uow).revoke(principal.via, principal.credential_id, now=uow.now())
        audit_append(
            uow,
            actor=principal.actor,
            role=principal.role,
            action=f"security:{principal.via}:revoked",
            entity="user",
            entity_id=principal.actor,
            request_id=request_id,
        )
        uow.commit()


__all__ = [
    "ChainReport",
    "IssuedCredential",
    "LoginLimits",
    "Principal",
    "User",
    "audit_append",
    "authenticate",
    "create_user",
    "issue_token",
    "list_users",
    "log_out",
    "open_session",
    "resolve",
    "revoke_token",
    "set_user_active",
    "sha256_hex",
    "store_of",
    "verify_audit_chain",
]
