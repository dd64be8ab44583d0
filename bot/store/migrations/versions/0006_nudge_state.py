"""learners.nudges: on, dormant (ignored nudges) or stopped (said stop)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch_op:
        batch_op.add_column(sa.Column("nudges", sa.String(length=8), nullable=False, server_default="on"))


def downgrade() -> None:
    with op.batch_alter_table("learners") as batch_op:
        batch_op.drop_column("nudges")
