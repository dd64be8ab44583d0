"""each learner's latest run of learning days, kept with the learner (streaks without history)

Counted here once from the events so far, by the same rule the bot uses (`bot.streaks`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from bot.streaks import Hold, run_of

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEARNING_KINDS = ("card_viewed", "answered", "lesson_completed")  # as bot/store/repository.py


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch_op:
        batch_op.add_column(sa.Column("streak_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("streak_last_day", sa.Date(), nullable=True))
    connection = op.get_bind()
    days: dict[int, set[date]] = {}
    for learner_id, day in connection.execute(
        sa.text("SELECT DISTINCT learner_id, local_date FROM events WHERE kind IN :kinds")
        .bindparams(sa.bindparam("kinds", expanding=True)), {"kinds": list(LEARNING_KINDS)}
    ):
        days.setdefault(learner_id, set()).add(_date(day))
    holds: dict[int, list[Hold]] = {}
    for learner_id, start, end in connection.execute(sa.text("SELECT learner_id, start_date, end_date FROM streak_holds")):
        holds.setdefault(learner_id, []).append(Hold(_date(start), _date(end)))
    runs = []
    for learner_id, working_days in connection.execute(sa.text("SELECT id, working_days FROM learners")):
        if learner_id in days:
            run = run_of(days[learner_id], working_days=frozenset(int(d) for d in working_days),
                         holds=holds.get(learner_id, []))
            runs.append({"id": learner_id, "days": run.days, "last": run.last_day})
    if runs:
        connection.execute(sa.text("UPDATE learners SET streak_days = :days, streak_last_day = :last WHERE id = :id"), runs)


def downgrade() -> None:
    # Dropped in place (SQLite 3.35+ can): a batch copy of `learners` would drop the old table,
    # and with foreign keys on that deletes every learner's events.
    with op.batch_alter_table("learners", recreate="never") as batch_op:
        batch_op.drop_column("streak_last_day")
        batch_op.drop_column("streak_days")


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite hands back text
