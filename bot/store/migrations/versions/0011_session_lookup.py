"""an index for a learner's completed lessons (asked on every step and for every team member)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sessions_learner_kind_status", "learning_sessions", ["learner_id", "kind", "status"])


def downgrade() -> None:
    op.drop_index("ix_sessions_learner_kind_status", table_name="learning_sessions")
