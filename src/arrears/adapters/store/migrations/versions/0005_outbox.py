"""Written communications: the outbox, delivery attempts and the append-only delivery log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A frozen snapshot: it does not import the application's table module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = sa.DateTime(timezone=True)
PAYLOAD = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

GUARDS = {
    "sqlite": (
        (
            "CREATE TRIGGER outbox_events_no_delete BEFORE DELETE ON outbox_events "
            "BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END"
        ),
        (
            "CREATE TRIGGER outbox_events_no_update BEFORE UPDATE ON outbox_events "
            "BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only'); END"
        ),
    ),
    "postgresql": (
        (
            "CREATE TRIGGER outbox_events_no_delete BEFORE DELETE ON outbox_events "
            "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
        ),
        (
            "CREATE TRIGGER outbox_events_no_update BEFORE UPDATE ON outbox_events "
            "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
        ),
    ),
}


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("loan_id", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("template_id", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("presets", PAYLOAD, nullable=False),
        sa.Column("verdict", PAYLOAD, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", INSTANT, nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=True),
        sa.Column("claimed_at", INSTANT, nullable=True),
        sa.Column("started_at", INSTANT, nullable=True),
        sa.Column("sent_at", INSTANT, nullable=True),
        sa.Column("provider_ref", sa.String(length=500), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.CheckConstraint(
            "state IN ('queued', 'sending', 'sent', 'failed', 'undeliverable', 'unknown', 'held')",
            name=op.f("ck_outbox_messages_state"),
        ),
        sa.CheckConstraint(
            "channel IN ('sms', 'email', 'letter')", name=op.f("ck_outbox_messages_channel")
        ),
        sa.CheckConstraint(
            "attempts >= 0 AND max_attempts >= 1", name=op.f("ck_outbox_messages_attempts")
        ),
        sa.CheckConstraint(
            "state <> 'sending' OR (claim_id IS NOT NULL AND claimed_at IS NOT NULL)",
            name=op.f("ck_outbox_messages_sending_is_claimed"),
        ),
        sa.CheckConstraint(
            "state <> 'sent' OR sent_at IS NOT NULL",
            name=op.f("ck_outbox_messages_sent_has_time"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_messages_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbox_messages_person_id"), "outbox_messages", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_messages_loan_id"), "outbox_messages", ["loan_id"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_messages_state_next_attempt_at"),
        "outbox_messages",
        ["state", "next_attempt_at"],
        unique=False,
    )
    op.create_table(
        "outbox_attempts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", INSTANT, nullable=False),
        sa.Column("finished_at", INSTANT, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('sent', 'failed', 'undeliverable', 'abandoned', 'unknown', 'deferred')",
            name=op.f("ck_outbox_attempts_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_outbox_attempts_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempts")),
        sa.UniqueConstraint(
            "message_id", "claim_id", name=op.f("uq_outbox_attempts_message_id_claim_id")
        ),
    )
    op.create_table(
        "outbox_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("message_id", ID, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", INSTANT, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("detail", PAYLOAD, nullable=True),
        sa.CheckConstraint(
            "type IN ('queued', 'sent', 'failed', 'undeliverable', 'unknown', 'held', "
            "'deferred', 'requeued', 'resolved')",
            name=op.f("ck_outbox_events_type"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_outbox_events_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        op.f("ix_outbox_events_message_id_occurred_at"),
        "outbox_events",
        ["message_id", "occurred_at"],
        unique=False,
    )
    for statement in GUARDS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS outbox_events_no_delete ON outbox_events")
        op.execute("DROP TRIGGER IF EXISTS outbox_events_no_update ON outbox_events")
    op.drop_index(op.f("ix_outbox_events_message_id_occurred_at"), table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("outbox_attempts")
    op.drop_index(op.f("ix_outbox_messages_state_next_attempt_at"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_loan_id"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_person_id"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
