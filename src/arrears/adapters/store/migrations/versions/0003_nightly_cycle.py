"""The nightly cycle: runs, steps, the per-date lock, delinquency and borrower snapshots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

A frozen snapshot: it does not import the application's table module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
INSTANT = sa.DateTime(timezone=True)
# money: exact NUMERIC on PostgreSQL; on SQLite an INTEGER count of 1/10,000 units (no float)
MONEY = sa.Numeric(precision=19, scale=4).with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "cycle_runs",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("started_at", INSTANT, nullable=False),
        sa.Column("finished_at", INSTANT, nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'completed', 'failed')", name=op.f("ck_cycle_runs_status")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_cycle_runs")),
    )
    op.create_index(
        op.f("ix_cycle_runs_business_date"), "cycle_runs", ["business_date"], unique=False
    )
    op.create_table(
        "cycle_steps",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("finished_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["cycle_runs.run_id"], name=op.f("fk_cycle_steps_run_id_cycle_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "step", name=op.f("pk_cycle_steps")),
    )
    op.create_table(
        "cycle_locks",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("acquired_at", INSTANT, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["cycle_runs.run_id"], name=op.f("fk_cycle_locks_run_id_cycle_runs")
        ),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_cycle_locks")),
    )
    op.create_table(
        "delinquency_snapshots",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("loan_id", ID, nullable=False),
        sa.Column("dpd", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("overdue_principal", MONEY, nullable=False),
        sa.Column("overdue_interest", MONEY, nullable=False),
        sa.Column("overdue_fee", MONEY, nullable=False),
        sa.Column("overdue_penalty", MONEY, nullable=False),
        sa.Column("overdue_total", MONEY, nullable=False),
        sa.Column("missed_installments", sa.Integer(), nullable=False),
        sa.Column("oldest_unpaid_due_date", sa.Date(), nullable=True),
        sa.Column("last_payment_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_delinquency_snapshots_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("business_date", "loan_id", name=op.f("pk_delinquency_snapshots")),
    )
    op.create_index(
        op.f("ix_delinquency_snapshots_loan_id_business_date"),
        "delinquency_snapshots",
        ["loan_id", "business_date"],
        unique=False,
    )
    op.create_table(
        "borrower_snapshots",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("borrower_id", ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("delinquent_loans", sa.Integer(), nullable=False),
        sa.Column("worst_dpd", sa.Integer(), nullable=False),
        sa.Column("worst_bucket", sa.String(length=16), nullable=False),
        sa.Column("overdue_total", MONEY, nullable=False),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.id"],
            name=op.f("fk_borrower_snapshots_borrower_id_borrowers"),
        ),
        sa.PrimaryKeyConstraint(
            "business_date", "borrower_id", "currency", name=op.f("pk_borrower_snapshots")
        ),
    )


def downgrade() -> None:
    op.drop_table("borrower_snapshots")
    op.drop_index(
        op.f("ix_delinquency_snapshots_loan_id_business_date"), table_name="delinquency_snapshots"
    )
    op.drop_table("delinquency_snapshots")
    op.drop_table("cycle_locks")
    op.drop_table("cycle_steps")
    op.drop_index(op.f("ix_cycle_runs_business_date"), table_name="cycle_runs")
    op.drop_table("cycle_runs")
