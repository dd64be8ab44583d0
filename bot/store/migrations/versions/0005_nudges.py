"""nudges: messages the bot starts, claimed by one worker at a time

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("learner_id", BigIntPK, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.UniqueConstraint("learner_id", "kind", "due_at", name="uq_nudge_once"),
    )
    op.create_index("ix_nudges_status_due", "nudges", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_nudges_status_due", table_name="nudges")
    op.drop_table("nudges")
