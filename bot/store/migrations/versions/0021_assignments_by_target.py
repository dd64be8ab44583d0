"""an index of assignments by what they assign: the compliance matrix asks which credentials are
assigned to anyone in a scope, one quick probe per credential instead of reading every assignment

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_assignments_target", "assignments", ["target_id"])


def downgrade() -> None:
    op.drop_index("ix_assignments_target", table_name="assignments")
