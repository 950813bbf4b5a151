"""SQL for the security tables: users, credentials, login attempts, idempotency keys and the
hash-chained audit log. Used by `arrears.services.security` inside a unit of work's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from arrears.adapters.store import security_tables as s
from arrears.domain.errors import Conflict, NotFound
from arrears.domain.security.audit_chain import (
    GENESIS_HASH,
    AuditRecord,
    chain_hash,
    jsonable,
)

#: a token's `last_used_at` is refreshed at most this often (docs/security.md)
TOUCH_EVERY = dt.timedelta(minutes=1)

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from sqlalchemy import Connection, Row

#: the PostgreSQL advisory lock that serialises audit-chain writers ("arrears audit" in ASCII)
AUDIT_LOCK_KEY = 0x6172726561727361
VERIFY_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class UserRow:
    id: int
    username: str
    display_name: str
    password_hash: str
    role: str
    locale: str
    team: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    request_sha256: str
    status: int
    response: dict[str, Any]


def _user(row: Row[Any]) -> UserRow:
    return UserRow(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        password_hash=row.password_hash,
        role=row.role,
        locale=row.locale,
        team=row.team,
        active=bool(row.active),
    )


class SecurityStore:
    """The security tables over one connection (the unit of work's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    # -- users ---------------------------------------------------------------------------------

    def add_user(
        self,
        *,
        username: str,
        display_name: str,
        password_hash: str,
        role: str,
        locale: str,
        team: str | None,
        now: dt.datetime,
    ) -> UserRow:
        try:
            self._conn.execute(
                insert(s.users),
                {
                    "username": username,
                    "display_name": display_name,
                    "password_hash": password_hash,
                    "role": role,
                    "locale": locale,
                    "team": team,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                    "password_changed_at": now,
                },
            )
        except IntegrityError as error:
            raise Conflict(f"user {username!r} already exists", username=username) from error
        return self.user(username)

    def find_user(self, username: str) -> UserRow | None:
        row = self._conn.execute(select(s.users).where(s.users.c.username == username)).first()
        return _user(row) if row is not None else None

    def user(self, username: str) -> UserRow:
        found = self.find_user(username)
        if found is None:
            raise NotFound(f"user {username!r} not found", username=username)
        return found

    def user_by_id(self, user_id: int) -> UserRow:
        row = self._conn.execute(select(s.users).where(s.users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"user {user_id} not found", id=user_id)
        return _user(row)

    def users(self) -> list[UserRow]:
        return [_user(r) for r in self._conn.execute(select(s.users).order_by(s.users.c.username))]

    def set_active(self, user_id: int, *, active: bool, now: dt.datetime) -> None:
        self._conn.execute(
            update(s.users).where(s.users.c.id == user_id).values(active=active, updated_at=now)
        )

    def set_password_hash(self, user_id: int, password_hash: str, *, now: dt.datetime) -> None:
        self._conn.execute(
            update(s.users)
            .where(s.users.c.id == user_id)
            .values(password_hash=password_hash, updated_at=now)
        )

    # -- login attempts ------------------------------------------------------------------------

    def record_attempt(self, *, username: str, ip: str, at: dt.datetime, succeeded: bool) -> None:
        self._conn.execute(
            insert(s.login_attempts),
            {"username": username, "ip": ip, "at": at, "succeeded": succeeded},
        )

    def recent_failures(self, *, username: str, ip: str, since: dt.datetime) -> list[dt.datetime]:
        """Failed attempts for (username, ip) after `since` and after the last success."""
        a = s.login_attempts
        last_success = (
            select(func.max(a.c.at))
            .where(a.c.username == username, a.c.ip == ip, a.c.succeeded.is_(True))
            .scalar_subquery()
        )
        rows = self._conn.execute(
            select(a.c.at)
            .where(
                a.c.username == username,
                a.c.ip == ip,
                a.c.succeeded.is_(False),
                a.c.at > since,
                or_(last_success.is_(None), a.c.at > last_success),
            )
            .order_by(a.c.at)
        ).scalars()
        return list(rows)

    # -- API tokens and sessions ---------------------------------------------------------------

    def add_token(
        self,
        *,
        user_id: int,
        name: str,
        prefix: str,
        token_sha256: str,
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> None:
        self._conn.execute(
            insert(s.api_tokens),
            {
                "user_id": user_id,
                "name": name,
                "prefix": prefix,
                "token_sha256": token_sha256,
                "created_at": now,
                "expires_at": expires_at,
            },
        )

    def tokens(self, user_id: int | None = None) -> list[TokenRow]:
        query = select(s.api_tokens).order_by(s.api_tokens.c.id)
        if user_id is not None:
            query = query.where(s.api_tokens.c.user_id == user_id)
        return [
            TokenRow(r.id, r.user_id, r.name, r.prefix, r.created_at, r.expires_at, r.revoked_at)
            for r in self._conn.execute(query)
        ]

    def revoke_token(self, prefix: str, *, now: dt.datetime) -> int:
        """Revoke the token with `prefix`; returns its user id."""
        row = self._conn.execute(
            select(s.api_tokens.c.id, s.api_tokens.c.user_id).where(s.api_tokens.c.prefix == prefix)
        ).first()
        if row is None:
            raise NotFound(f"no API token with prefix {prefix!r}", prefix=prefix)
        self._conn.execute(
            update(s.api_tokens)
            .where(s.api_tokens.c.id == row.id, s.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(row.user_id)

    def live_credential(
        self, kind: str, token_sha256: str, *, now: dt.datetime
    ) -> tuple[int, int] | None:
        """(credential id, user id) of an unexpired, unrevoked token or session of an active
        user, else None."""
        table = s.api_tokens if kind == "token" else s.sessions
        row = self._conn.execute(
            select(table.c.id, table.c.user_id)
            .join(s.users, s.users.c.id == table.c.user_id)
            .where(
                table.c.token_sha256 == token_sha256,
                table.c.revoked_at.is_(None),
                table.c.expires_at > now,
                s.users.c.active.is_(True),
            )
        ).first()
        return (int(row.id), int(row.user_id)) if row is not None else None

    def touch_token(
        self, token_id: int, *, now: dt.datetime, every: dt.timedelta = TOUCH_EVERY
    ) -> None:
        """Record that the token was used, at most once per `every`: a busy client's requests
        then add no write (no row matches), instead of one committed write per request."""
        tokens = s.api_tokens
        self._conn.execute(
            update(tokens)
            .where(
                tokens.c.id == token_id,
                or_(tokens.c.last_used_at.is_(None), tokens.c.last_used_at < now - every),
            )
            .values(last_used_at=now)
        )

    def add_session(
        self,
        *,
        user_id: int,
        token_sha256: str,
        now: dt.datetime,
        expires_at: dt.datetime,
        ip: str | None,
        user_agent: str | None,
    ) -> None:
        self._conn.execute(
            insert(s.sessions),
            {
                "user_id": user_id,
                "token_sha256": token_sha256,
                "created_at": now,
                "expires_at": expires_at,
                "ip": ip,
                "user_agent": (user_agent or "")[:300] or None,
            },
        )

    def revoke(self, kind: str, credential_id: int, *, now: dt.datetime) -> None:
        table = s.api_tokens if kind == "token" else s.sessions
        self._conn.execute(
            update(table)
            .where(table.c.id == credential_id, table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def revoke_all_for_user(self, user_id: int, *, now: dt.datetime) -> None:
        for table in (s.api_tokens, s.sessions):
            self._conn.execute(
                update(table)
                .where(table.c.user_id == user_id, table.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )

    # -- idempotency keys ----------------------------------------------------------------------

    def stored_response(self, actor: str, key: str) -> StoredResponse | None:
        row = self._conn.execute(
            select(s.idempotency_keys).where(
                and_(s.idempotency_keys.c.actor == actor, s.idempotency_keys.c.key == key)
            )
        ).first()
        if row is None:
            return None
        return StoredResponse(row.request_sha256, int(row.status), dict(row.response))

    def store_response(
        self,
        *,
        actor: str,
        key: str,
        request_sha256: str,
        status: int,
        response: Mapping[str, Any],
        now: dt.datetime,
    ) -> None:
        try:
            with self._conn.begin_nested():
                self._conn.execute(
                    insert(s.idempotency_keys),
                    {
                        "actor": actor,
                        "key": key,
                        "request_sha256": request_sha256,
                        "status": status,
                        "response": jsonable(response),
                        "created_at": now,
                    },
                )
        except IntegrityError as error:
            raise Conflict(
                "another request with this idempotency key is being processed", key=key
            ) from error

    # -- the audit chain -----------------------------------------------------------------------

    def append_audit(
        self,
        *,
        at: dt.datetime,
        actor: str,
        role: str | None,
        request_id: str | None,
        action: str,
        entity: str,
        entity_id: str,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
    ) -> int:
        """Append one record to the chain in the caller's transaction; returns its seq.

        PostgreSQL: a transaction-scoped advisory lock serialises writers until commit.
        SQLite: one writer at a time by construction. Either way the unique `prev_hash` and
        primary-key `seq` make a fork impossible: a racing writer fails instead."""
        if self._conn.dialect.name == "postgresql":
            self._conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
        else:
            # SQLite: a write statement takes the database's write lock (waiting on the busy
            # timeout) before the last record is read; when this is the transaction's first
            # statement, no other writer can append in between (it matches no row, so the
            # append-only trigger never fires)
            self._conn.execute(text("UPDATE audit_log SET seq = seq WHERE 0 = 1"))
        last = self._conn.execute(
            select(s.audit_log.c.seq, s.audit_log.c.hash)
            .order_by(s.audit_log.c.seq.desc())
            .limit(1)
        ).first()
        seq = int(last.seq) + 1 if last is not None else 1
        prev_hash = str(last.hash) if last is not None else GENESIS_HASH
        record = AuditRecord(
            seq=seq,
            at=at.astimezone(dt.UTC),
            actor=actor,
            role=role,
            request_id=request_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=jsonable(before),
            after=jsonable(after),
        )
        self._conn.execute(
            insert(s.audit_log),
            {
                "seq": seq,
                "at": record.at,
                "actor": actor,
                "role": role,
                "request_id": request_id,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": record.before,
                "after": record.after,
                "prev_hash": prev_hash,
                "hash": chain_hash(record, prev_hash),
            },
        )
        return seq

    def audit_rows(self, *, after_seq: int = 0) -> Iterator[tuple[AuditRecord, str, str]]:
        """Every record after `after_seq` in seq order, read in chunks (keyset pagination)."""
        last = after_seq
        while True:
            rows = self._conn.execute(
                select(s.audit_log)
                .where(s.audit_log.c.seq > last)
                .order_by(s.audit_log.c.seq)
                .limit(VERIFY_CHUNK)
            ).all()
            if not rows:
                return
            for r in rows:
                yield (
                    AuditRecord(
                        seq=int(r.seq),
                        at=r.at,
                        actor=r.actor,
                        role=r.role,
                        request_id=r.request_id,
                        action=r.action,
                        entity=r.entity,
                        entity_id=r.entity_id,
                        before=r.before,
                        after=r.after,
                    ),
                    r.prev_hash,
                    r.hash,
                )
            last = int(rows[-1].seq)

    def audit_for(self, entity: str, entity_id: str) -> list[Row[Any]]:
        return list(
            self._conn.execute(
                select(s.audit_log)
                .where(s.audit_log.c.entity == entity, s.audit_log.c.entity_id == entity_id)
                .order_by(s.audit_log.c.seq)
            )
        )


__all__ = ["AUDIT_LOCK_KEY", "SecurityStore", "StoredResponse", "TokenRow", "UserRow"]
