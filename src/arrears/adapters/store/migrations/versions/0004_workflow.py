"""The collections workflow: cases, promises, arrangements, contact log, assignments, worklists.

Revision ID: 0004
Revises: 0003
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

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = sa.DateTime(timezone=True)
# money: exact NUMERIC on PostgreSQL; on SQLite an INTEGER count of 1/10,000 units (no float)
MONEY = sa.Numeric(precision=19, scale=4).with_variant(sa.BigInteger(), "sqlite")
PAYLOAD = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")

APPEND_ONLY = ("case_events", "contact_log", "case_facts", "classification_overrides")


def _guards(dialect: str) -> list[str]:
    statements = []
    for name in APPEND_ONLY:
        for verb in ("DELETE", "UPDATE"):
            if dialect == "sqlite":
                statements.append(
                    f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
                    f"BEGIN SELECT RAISE(ABORT, '{name} is append-only'); END"
                )
            elif dialect == "postgresql":
                statements.append(
                    f"CREATE TRIGGER {name}_no_{verb.lower()} BEFORE {verb} ON {name} "
                    "FOR EACH ROW EXECUTE FUNCTION arrears_refuse_change()"
                )
    return statements


def upgrade() -> None:
    op.create_table(
        "collectors",
        sa.Column("collector_id", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column(
            "team", sa.String(length=64), server_default=sa.text("'default'"), nullable=False
        ),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("stages", sa.String(length=400), server_default=sa.text("''"), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_collectors_capacity_not_negative")),
        sa.PrimaryKeyConstraint("collector_id", name=op.f("pk_collectors")),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column(
            "borrower_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "open_borrower_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "state", sa.String(length=20), server_default=sa.text("'active'"), nullable=False
        ),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closure", sa.String(length=40), nullable=True),
        sa.Column("stage_id", sa.String(length=64), nullable=True),
        sa.Column("stage_entered_on", sa.Date(), nullable=True),
        sa.Column("segment_id", sa.String(length=64), nullable=True),
        sa.Column("arm", sa.String(length=64), nullable=True),
        sa.Column("treatment_id", sa.String(length=64), nullable=True),
        sa.Column(
            "debtor_type",
            sa.String(length=24),
            server_default=sa.text("'cooperative'"),
            nullable=False,
        ),
        sa.Column("collector_id", sa.String(length=64), nullable=True),
        sa.Column("hold_until", sa.Date(), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("referral", PAYLOAD, nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("updated_at", INSTANT, nullable=False),
        sa.CheckConstraint(
            "(state = 'closed' AND open_borrower_id IS NULL AND closed_on IS NOT NULL)"
            " OR (state <> 'closed' AND open_borrower_id IS NOT NULL)",
            name=op.f("ck_cases_open_borrower"),
        ),
        sa.CheckConstraint(
            "state IN ("
            "'active', 'arrangement', 'letter', 'formal_demand', 'field_visit', 'legal_review', "
            "'legal_referral', 'agency', 'on_hold', 'written_off', 'closed')",
            name=op.f("ck_cases_state"),
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_cases_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collectors.collector_id"],
            name=op.f("fk_cases_collector_id_collectors"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cases")),
        sa.UniqueConstraint("open_borrower_id", name=op.f("uq_cases_open_borrower_id")),
    )
    op.create_index(op.f("ix_cases_borrower_id"), "cases", ["borrower_id"], unique=False)
    op.create_index(op.f("ix_cases_collector_id"), "cases", ["collector_id"], unique=False)
    op.create_index(op.f("ix_cases_state_stage_id"), "cases", ["state", "stage_id"], unique=False)
    op.create_table(
        "case_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("before", sa.String(length=40), nullable=True),
        sa.Column("after", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("actor_id", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "case_assignments",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("strategy_version", sa.String(length=40), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=False),
        sa.Column("segment_id", sa.String(length=64), nullable=False),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("treatment_id", sa.String(length=64), nullable=False),
        sa.Column("point", sa.Integer(), nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("days_before_due", sa.Integer(), nullable=True),
        sa.Column("treatment_day", sa.Integer(), nullable=False),
        sa.Column(
            "overdue_total",
            MONEY,
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_assignments_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("business_date", "case_id", name=op.f("pk_case_assignments")),
    )
    op.create_index(
        op.f("ix_case_assignments_case_id"), "case_assignments", ["case_id"], unique=False
    )
    op.create_table(
        "promises",
        sa.Column("promise_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column(
            "credited",
            MONEY,
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column("evaluated_on", sa.Date(), nullable=True),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("made_by", sa.String(length=200), nullable=False),
        sa.Column("contact_record_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'kept', 'partially_kept', 'broken', 'superseded', 'cancelled')",
            name=op.f("ck_promises_status"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_promises_amount_positive")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_promises_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("promise_id", name=op.f("pk_promises")),
    )
    op.create_index(op.f("ix_promises_case_id"), "promises", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_promises_status_deadline"), "promises", ["status", "deadline"], unique=False
    )
    op.create_table(
        "arrangements",
        sa.Column("arrangement_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column(
            "balance",
            MONEY,
            nullable=False,
        ),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("required_role", sa.String(length=40), nullable=True),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", INSTANT, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("broken_on", sa.Date(), nullable=True),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending_approval', 'active', 'completed', 'broken', 'rejected', "
            "'cancelled')",
            name=op.f("ck_arrangements_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_arrangements_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("arrangement_id", name=op.f("pk_arrangements")),
    )
    op.create_index(op.f("ix_arrangements_case_id"), "arrangements", ["case_id"], unique=False)
    op.create_table(
        "arrangement_instalments",
        sa.Column("arrangement_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column(
            "paid",
            MONEY,
            server_default=sa.text("0"),
            nullable=False,
        ),
        sa.Column(
            "status", sa.String(length=20), server_default=sa.text("'scheduled'"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["arrangement_id"],
            ["arrangements.arrangement_id"],
            name=op.f("fk_arrangement_instalments_arrangement_id_arrangements"),
        ),
        sa.PrimaryKeyConstraint(
            "arrangement_id", "number", name=op.f("pk_arrangement_instalments")
        ),
    )
    # ### end Alembic commands ###
    op.create_table(
        "planned_attempts",
        sa.Column("attempt_id", sa.String(length=120), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("stage_id", sa.String(length=64), nullable=True),
        sa.Column("treatment_id", sa.String(length=64), nullable=True),
        sa.Column("step_index", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("talk_track", sa.String(length=80), nullable=True),
        sa.Column("contingent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'planned'"), nullable=False
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'released', 'done', 'skipped')",
            name=op.f("ck_planned_attempts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_planned_attempts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_planned_attempts")),
    )
    op.create_index(
        op.f("ix_planned_attempts_business_date_case_id"),
        "planned_attempts",
        ["business_date", "case_id"],
        unique=False,
    )
    op.create_table(
        "contact_log",
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("logged_at", INSTANT, nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("party", sa.String(length=12), nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("outcomes", sa.String(length=400), nullable=False),
        sa.Column("collector_id", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("talk_track", sa.String(length=80), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("attempt_id", sa.String(length=120), nullable=True),
        sa.Column("flag", sa.String(length=40), nullable=True),
        sa.Column("amends", sa.String(length=64), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_contact_log_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_contact_log")),
    )
    op.create_index(op.f("ix_contact_log_case_id"), "contact_log", ["case_id"], unique=False)
    op.create_table(
        "case_facts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_facts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_facts")),
    )
    op.create_index(op.f("ix_case_facts_case_id"), "case_facts", ["case_id"], unique=False)
    op.create_table(
        "classification_overrides",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("debtor_type", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.Column("at", INSTANT, nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_classification_overrides_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classification_overrides")),
    )
    op.create_index(
        op.f("ix_classification_overrides_case_id"),
        "classification_overrides",
        ["case_id"],
        unique=False,
    )
    op.create_table(
        "field_visits",
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("address_id", sa.String(length=64), nullable=False),
        sa.Column("scheduled_for", INSTANT, nullable=False),
        sa.Column("visitors", sa.String(length=400), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column(
            "status", sa.String(length=12), server_default=sa.text("'scheduled'"), nullable=False
        ),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("evidence", PAYLOAD, nullable=True),
        sa.Column("notes", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("completed_at", INSTANT, nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_field_visits_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_field_visits")),
    )
    op.create_index(op.f("ix_field_visits_case_id"), "field_visits", ["case_id"], unique=False)
    op.create_table(
        "worklist_items",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("case_id", sa.String(length=80), nullable=False),
        sa.Column("collector_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column(
            "expected_value",
            MONEY,
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default=sa.text("'open'"), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", INSTANT, nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'claimed', 'done', 'released', 'held')",
            name=op.f("ck_worklist_items_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_worklist_items_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["collector_id"],
            ["collectors.collector_id"],
            name=op.f("fk_worklist_items_collector_id_collectors"),
        ),
        sa.PrimaryKeyConstraint("business_date", "case_id", name=op.f("pk_worklist_items")),
    )
    op.create_index(
        op.f("ix_worklist_items_business_date_collector_id_status_rank"),
        "worklist_items",
        ["business_date", "collector_id", "status", "rank"],
        unique=False,
    )
    op.create_index(
        op.f("ix_worklist_items_business_date_queue_status_rank"),
        "worklist_items",
        ["business_date", "queue", "status", "rank"],
        unique=False,
    )
    for statement in _guards(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("worklist_items")
    op.drop_table("field_visits")
    op.drop_table("classification_overrides")
    op.drop_table("case_facts")
    op.drop_table("contact_log")
    op.drop_table("planned_attempts")
    op.drop_table("arrangement_instalments")
    op.drop_table("arrangements")
    op.drop_table("promises")
    op.drop_table("case_assignments")
    op.drop_table("case_events")
    op.drop_table("cases")
    op.drop_table("collectors")
