"""assignments and job roles: who must earn what by when, and which job roles people hold

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("learner_id", BigIntPK, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("assigned_by", BigIntPK, sa.ForeignKey("learners.id", ondelete="SET NULL"), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_assignments_learner", "assignments", ["learner_id"])
    op.create_table(
        "job_roles",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("learner_id", BigIntPK, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role_id", sa.String(length=64), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_job_roles_learner", "job_roles", ["learner_id"])
    op.create_index("ix_job_roles_role", "job_roles", ["role_id"])
    op.create_index(
        "uq_job_role_current",
        "job_roles",
        ["learner_id", "role_id"],
        unique=True,
        sqlite_where=sa.text("until IS NULL"),
        postgresql_where=sa.text("until IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_job_role_current", table_name="job_roles")
    op.drop_index("ix_job_roles_role", table_name="job_roles")
    op.drop_index("ix_job_roles_learner", table_name="job_roles")
    op.drop_table("job_roles")
    op.drop_index("ix_assignments_learner", table_name="assignments")
    op.drop_table("assignments")
