"""analytics columns: each answer's and card view's session, an answer's wording and its choices,
as columns of events (bot/store/analytics.py reads them without decoding every payload); filled
here from the payloads, and for answers recorded before answers carried their wording, from the
snapshot of their session (bot/store/event_columns.py)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.event_columns import fill

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable columns: added in place on both backends, without copying the table.
    with op.batch_alter_table("events", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("session_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wording", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("choices", sa.Integer(), nullable=True))
    fill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("events", recreate="never") as batch_op:
        batch_op.drop_column("choices")
        batch_op.drop_column("wording")
        batch_op.drop_column("session_id")
