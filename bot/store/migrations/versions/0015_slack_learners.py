"""slack learners: when each Slack learner's profile was last read, and their App Home's digest

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "slack_learners",
        sa.Column("learner_id", BigIntPK, sa.ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("profile_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("home_digest", sa.String(length=64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("slack_learners")
