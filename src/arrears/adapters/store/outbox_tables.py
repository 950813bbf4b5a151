"""Tables of written communications: the outbox, its delivery attempts and its delivery log.

They live on the one `MetaData` of `tables.py` (which imports this module at its end), with
the same conventions: Money for amounts, UtcDateTime for instants, Id for surrogate keys.

- `outbox_messages`: one row per message, unique by `idempotency_key`; the rendered content is
  frozen at queue time (what was checked is what is sent); `state` follows
  `arrears.domain.comms.OutboxState`; `claim_id` and `started_at` make a crash between the send
  and the status write recoverable without sending twice (docs/communications.md).
- `outbox_attempts`: one row per claim of a message by a dispatcher, with its outcome.
- `outbox_events`: the append-only delivery log (queued, sent, failed, undeliverable, unknown,
  held, resolved), guarded by triggers like the contact ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)

from arrears.adapters.store.tables import Id, Payload, UtcDateTime, metadata

if TYPE_CHECKING:
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection

OUTBOX_STATES = ("queued", "sending", "sent", "failed", "undeliverable", "unknown", "held")
OUTBOX_CHANNELS = ("sms", "email", "letter")
ATTEMPT_OUTCOMES = ("sent", "failed", "undeliverable", "abandoned", "unknown", "deferred")
OUTBOX_EVENT_TYPES = (
    "queued",
    "sent",
    "failed",
    "undeliverable",
    "unknown",
    "held",
    "deferred",
    "requeued",
    "resolved",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


outbox_messages = Table(
    "outbox_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("language", String(8), nullable=False),
    Column("person_id", String(64), nullable=False, index=True),  # the borrower's external id
    Column("loan_id", String(64), nullable=False, index=True),  # the loan's external id
    Column("recipient", String(320), nullable=False),  # email, E.164 number or address id
    Column("recipient_name", String(200), nullable=False),
    Column("template_id", String(120), nullable=False),
    Column("subject", Text),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),  # letters
    Column("presets", Payload, nullable=False),  # contact-policy presets it is checked under
    Column("verdict", Payload, nullable=False),  # the policy verdict when queued
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("max_attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("claim_id", String(36)),  # the dispatcher attempt holding it while `sending`
    Column("claimed_at", UtcDateTime()),
    Column("started_at", UtcDateTime()),  # set (and committed) right before the adapter call
    Column("sent_at", UtcDateTime()),
    Column("provider_ref", String(500)),  # SMTP Message-ID, file path, provider id
    Column("last_error", Text),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint(_in("state", OUTBOX_STATES), name="state"),
    CheckConstraint(_in("channel", OUTBOX_CHANNELS), name="channel"),
    CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts"),
    CheckConstraint(
        "state <> 'sending' OR (claim_id IS NOT NULL AND claimed_at IS NOT NULL)",
        name="sending_is_claimed",
    ),
    CheckConstraint("state <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
    Index(None, "state", "next_attempt_at"),
)

outbox_attempts = Table(
    "outbox_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", Id, ForeignKey("outbox_messages.id"), nullable=False),
    Column("claim_id", String(36), nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("outcome", String(16)),  # NULL while in flight
    Column("error", Text),
    CheckConstraint(f"outcome IS NULL OR {_in('outcome', ATTEMPT_OUTCOMES)}", name="outcome"),
    UniqueConstraint("message_id", "claim_id"),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", Id, ForeignKey("outbox_messages.id"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("detail", Payload),
    CheckConstraint(_in("type", OUTBOX_EVENT_TYPES), name="type"),
    Index(None, "message_id", "occurred_at"),
)

OUTBOX_GUARDS_SQLITE = (
    (
        "CREATE TRIGGER outbox_events_no_delete BEFORE DELETE ON outbox_events "
        "BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END"
    ),
    (
        "CREATE TRIGGER outbox_events_no_update BEFORE UPDATE ON outbox_events "
        "BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END"
    ),
)
OUTBOX_GUARDS_POSTGRESQL = (
    (
        "CREATE TRIGGER outbox_events_no_delete BEFORE DELETE ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
    (
        "CREATE TRIGGER outbox_events_no_update BEFORE UPDATE ON outbox_events "
        "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
    ),
)


# registered after tables.py's own hook, so the PostgreSQL function exists when this runs
@event.listens_for(metadata, "after_create")
def _create_outbox_guards(_target: MetaData, connection: Connection, **_: Any) -> None:
    statements = {"sqlite": OUTBOX_GUARDS_SQLITE, "postgresql": OUTBOX_GUARDS_POSTGRESQL}
    for statement in statements.get(connection.dialect.name, ()):
        connection.execute(text(statement))


__all__ = [
    "ATTEMPT_OUTCOMES",
    "OUTBOX_CHANNELS",
    "OUTBOX_EVENT_TYPES",
    "OUTBOX_GUARDS_POSTGRESQL",
    "OUTBOX_GUARDS_SQLITE",
    "OUTBOX_STATES",
    "metadata",
    "outbox_attempts",
    "outbox_events",
    "outbox_messages",
]
