"""teams conversations: Microsoft Teams' conversation references (the conversation's id and the
service URL to send to), kept so that any `serve` process can send a learner their daily nudge
and announce a badge in a team channel (adapters/teams/, bot/store/teams_conversations.py)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("conversation_id", sa.String(length=300), primary_key=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("service_url", sa.String(length=300), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_teams_conversations_user", "teams_conversations", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_teams_conversations_user", table_name="teams_conversations")
    op.drop_table("teams_conversations")
