"""teams, roles, and the teams each manager manages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.UniqueConstraint("name", name="uq_team_name"),
    )
    with op.batch_alter_table("learners") as batch_op:
        batch_op.add_column(sa.Column("team_id", BigIntPK, nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default="learner"))
        batch_op.create_foreign_key("fk_learners_team", "teams", ["team_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "managed_teams",
        sa.Column("id", BigIntPK, primary_key=True, autoincrement=True),
        sa.Column("learner_id", BigIntPK, sa.ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
        sa.Column("team_id", BigIntPK, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
        sa.UniqueConstraint("learner_id", "team_id", name="uq_managed_team"),
    )


def downgrade() -> None:
    op.drop_table("managed_teams")
    with op.batch_alter_table("learners") as batch_op:
        batch_op.drop_constraint("fk_learners_team", type_="foreignkey")
        batch_op.drop_column("role")
        batch_op.drop_column("team_id")
    op.drop_table("teams")
