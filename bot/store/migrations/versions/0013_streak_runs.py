"""each learner's latest run of learning days and when they last learned, kept with the learner
(streaks and "active this week" without reading the history)

Counted here once from the events so far, by the same rules the bot uses (`bot.streaks`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.streaks import Hold, run_of

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEARNING_KINDS = ("card_viewed", "answered", "lesson_completed")  # as bot/vocabulary.py LEARNING


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch_op:
        batch_op.add_column(sa.Column("streak_days", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("streak_last_day", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("streak_ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_learned_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    kinds = {"kinds": list(LEARNING_KINDS)}
    days: dict[int, set[date]] = {}
    for learner_id, day in connection.execute(_expanding("SELECT DISTINCT learner_id, local_date FROM events WHERE kind IN :kinds"), kinds):
        days.setdefault(learner_id, set()).add(_date(day))
    last_learned: dict[int, Any] = dict(
        connection.execute(
            _expanding("SELECT learner_id, max(occurred_at) FROM events WHERE kind IN :kinds GROUP BY learner_id"), kinds
        ).all()
    )
    holds: dict[int, list[Hold]] = {}
    for learner_id, start, end in connection.execute(sa.text("SELECT learner_id, start_date, end_date FROM streak_holds")):
        holds.setdefault(learner_id, []).append(Hold(_date(start), _date(end)))
    runs = []
    for learner_id, zone, working_days in connection.execute(sa.text("SELECT id, timezone, working_days FROM learners")):
        if learner_id in days:
            run = run_of(
                days[learner_id], timezone=zone, working_days=frozenset(int(d) for d in working_days), holds=holds.get(learner_id, [])
            )
            runs.append(
                {
                    "id": learner_id,
                    "days": run.days,
                    "last_day": run.last_day,
                    "ends_at": run.ends_at,
                    "learned_at": _instant(last_learned[learner_id]),
                }
            )
    if runs:
        connection.execute(
            sa.text(
                "UPDATE learners SET streak_days = :days, streak_last_day = :last_day, streak_ends_at = :ends_at,"
                " last_learned_at = :learned_at WHERE id = :id"
            ).bindparams(  # typed, so each backend stores them as the bot's own writes do
                sa.bindparam("last_day", type_=sa.Date()),
                sa.bindparam("ends_at", type_=sa.DateTime(timezone=True)),
                sa.bindparam("learned_at", type_=sa.DateTime(timezone=True)),
            ),
            runs,
        )


def downgrade() -> None:
    # Dropped in place (SQLite 3.35+ can): no need to copy the table.
    with op.batch_alter_table("learners", recreate="never") as batch_op:
        batch_op.drop_column("last_learned_at")
        batch_op.drop_column("streak_ends_at")
        batch_op.drop_column("streak_last_day")
        batch_op.drop_column("streak_days")


def _expanding(statement: str) -> sa.TextClause:
    return sa.text(statement).bindparams(sa.bindparam("kinds", expanding=True))


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite hands back text


def _instant(value: datetime | str) -> datetime:
    """Aware UTC, as the bot stores instants (SQLite hands back naive text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
