"""a random subject id per learner: what their credentials name them by

Credentials used to name the learner by sha256("<platform>:<user id>" + salt) with the salt
published beside it, which anyone could reverse by trying every Telegram id. The subject is now
a random identifier kept only here, and forgotten when the learner leaves. Every credential
signed so far is marked `subject_stale`: the bot signs it again with the new subject when it
next starts with the issuer key (bot/awards.py `renew_stale_subjects`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch_op:
        batch_op.add_column(sa.Column("subject_id", sa.String(36), nullable=True))
    with op.batch_alter_table("awards") as batch_op:
        batch_op.add_column(sa.Column("subject_stale", sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    connection.execute(
        sa.text("UPDATE awards SET subject_stale = :stale WHERE credential IS NOT NULL").bindparams(
            sa.bindparam("stale", type_=sa.Boolean())
        ),
        {"stale": True},
    )
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM learners WHERE platform_user_id NOT LIKE 'erased:%'"))]
    if ids:
        connection.execute(
            sa.text("UPDATE learners SET subject_id = :subject WHERE id = :id"),
            [{"id": learner_id, "subject": str(uuid.uuid4())} for learner_id in ids],
        )


def downgrade() -> None:
    with op.batch_alter_table("awards") as batch_op:
        batch_op.drop_column("subject_stale")
    with op.batch_alter_table("learners") as batch_op:
        batch_op.drop_column("subject_id")
