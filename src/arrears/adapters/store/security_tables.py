"""Tables of the desk's security: users, sessions, API tokens, login attempts, idempotency keys
and the hash-chained audit log.

They live on the one `MetaData` of `tables.py` (which imports this module at its end), with
the same conventions: UtcDateTime for instants, Id for surrogate keys, Payload for JSON.

- Secrets are never stored: `api_tokens` and `sessions` keep the SHA-256 of the random value
  the client holds (a database leak does not hand out sessions); passwords are argon2id hashes.
- `audit_log` is append-only (triggers refuse UPDATE and DELETE on both databases) and
  hash-chained: `seq` is gap-free and assigned by the writer under a lock, and `prev_hash` is
  unique, so two writers can never fork the chain even if the lock were bypassed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    event,
    text,
)

from arrears.adapters.store.tables import Id, Payload, UtcDateTime, metadata

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection

ROLES = ("collector", "team_lead", "compliance_officer", "analyst", "admin")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(255), nullable=False),  # argon2id, PHC string format
    Column("role", String(24), nullable=False),
    Column("locale", String(35), nullable=False, server_default=text("'en'")),
    Column("team", String(64)),  # also the collector's queue
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("password_changed_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in("role", ROLES), name="role"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),  # shown to identify the token
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("last_used_at", UtcDateTime()),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("ip", String(64)),
    Column("user_agent", String(300)),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index(None, "username", "ip", "at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("actor", String(64), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", Payload, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("uq_idempotency_keys_actor_key", "actor", "key", unique=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),  # assigned by the writer
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("role", String(24)),
    Column("request_id", String(64), index=True),
    Column("action", String(100), nullable=False),
    Column("entity", String(50), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("before", Payload),
    Column("after", Payload),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("hash", String(64), nullable=False, unique=True),
    CheckConstraint("seq >= 1", name="seq_positive"),
    Index(None, "entity", "entity_id"),
)

# Copied into migration 0006 (migrations are frozen snapshots). The PostgreSQL function
# `arrears_refuse_change()` is created by migration 0001 and by tables.py's create_all hook.
AUDIT_LOG_GUARDS_SQLITE: tuple[str, ...] = (
    (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ),
    (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ),
)
AUDIT_LOG_GUARDS_POSTGRESQL: tuple[str, ...] = (
    (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
    (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
)


# registered after tables.py's own hook, so the PostgreSQL function exists when this runs
@event.listens_for(metadata, "after_create")
def _create_audit_log_guards(_target: MetaData, connection: Connection, **_: Any) -> None:
    statements = {
        "sqlite": AUDIT_LOG_GUARDS_SQLITE,
        "postgresql": AUDIT_LOG_GUARDS_POSTGRESQL,
    }
    for statement in statements.get(connection.dialect.name, ()):
        connection.execute(text(statement))


__all__ = [
    "AUDIT_LOG_GUARDS_POSTGRESQL",
    "AUDIT_LOG_GUARDS_SQLITE",
    "ROLES",
    "api_tokens",
    "audit_log",
    "idempotency_keys",
    "login_attempts",
    "sessions",
    "users",
]
