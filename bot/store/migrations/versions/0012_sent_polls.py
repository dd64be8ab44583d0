"""sent polls: answers to a poll are understood by any process and after a restart

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_polls",
        sa.Column("platform", sa.String(length=32), primary_key=True),
        sa.Column("poll_id", sa.String(length=64), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sent_polls_sent_at", "sent_polls", ["platform", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_sent_polls_sent_at", table_name="sent_polls")
    op.drop_table("sent_polls")
