"""kept replies: each learner's latest delivery and the replies it got, given again if that
delivery comes back after the process that recorded it died before sending them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(sa.Column("kept_source", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("kept_replies", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.drop_column("kept_replies")
        batch.drop_column("kept_source")
