"""an index for a learner's holds: every turn's lock asks whether the learner has any

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_streak_holds_learner", "streak_holds", ["learner_id"])


def downgrade() -> None:
    op.drop_index("ix_streak_holds_learner", table_name="streak_holds")
