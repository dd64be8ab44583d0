"""wallet claims: one-time links (hashed) with which a learner claims a credential into a wallet

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wallet_claims",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column("award_id", BigIntPK, sa.ForeignKey("awards.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.String(length=300), nullable=True),
    )
    op.create_index("ix_wallet_claims_award", "wallet_claims", ["award_id"])


def downgrade() -> None:
    op.drop_index("ix_wallet_claims_award", table_name="wallet_claims")
    op.drop_table("wallet_claims")
