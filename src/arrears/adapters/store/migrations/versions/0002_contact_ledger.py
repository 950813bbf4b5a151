"""The contact ledger: every attempt, communication, consent, designation, dispute and hold, as
append-only event rows (corrections amend an earlier row with a reason).

Revision ID: 0002
Revises: 0001
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

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = sa.DateTime(timezone=True)
PAYLOAD = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

GUARDS = {
    "sqlite": (
        (
            "CREATE TRIGGER contact_ledger_no_delete BEFORE DELETE ON contact_ledger "
            "BEGIN SELECT RAISE(ABORT, 'contact_ledger is append-only'); END"
        ),
        (
            "CREATE TRIGGER contact_ledger_no_update BEFORE UPDATE ON contact_ledger "
            "BEGIN SELECT RAISE(ABORT, 'contact_ledger is append-only'); END"
        ),
    ),
    "postgresql": (
        (
            "CREATE TRIGGER contact_ledger_no_delete BEFORE DELETE ON contact_ledger "
            "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
        ),
        (
            "CREATE TRIGGER contact_ledger_no_update BEFORE UPDATE ON contact_ledger "
            "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
        ),
    ),
}


def upgrade() -> None:
    op.create_table(
        "contact_ledger",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("occurred_at", INSTANT, nullable=False),
        sa.Column("debt_ids", PAYLOAD, nullable=False),
        sa.Column("payload", PAYLOAD, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", INSTANT, nullable=False),
        sa.Column("amends_id", ID, nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "source IN ('dialer', 'planned', 'manual', 'import', 'system')",
            name=op.f("ck_contact_ledger_source"),
        ),
        sa.CheckConstraint(
            "(amends_id IS NULL AND amend_reason IS NULL) OR "
            "(amends_id IS NOT NULL AND amend_reason IS NOT NULL AND amend_reason <> '')",
            name=op.f("ck_contact_ledger_amendment_has_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"],
            ["contact_ledger.id"],
            name=op.f("fk_contact_ledger_amends_id_contact_ledger"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_ledger")),
        sa.UniqueConstraint("event_key", name=op.f("uq_contact_ledger_event_key")),
    )
    op.create_index(
        op.f("ix_contact_ledger_person_id"), "contact_ledger", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_contact_ledger_person_id_occurred_at"),
        "contact_ledger",
        ["person_id", "occurred_at"],
        unique=False,
    )
    for statement in GUARDS.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS contact_ledger_no_delete ON contact_ledger")
        op.execute("DROP TRIGGER IF EXISTS contact_ledger_no_update ON contact_ledger")
    op.drop_index(op.f("ix_contact_ledger_person_id_occurred_at"), table_name="contact_ledger")
    op.drop_index(op.f("ix_contact_ledger_person_id"), table_name="contact_ledger")
    op.drop_table("contact_ledger")
