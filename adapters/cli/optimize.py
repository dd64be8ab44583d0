"""`mastery optimize [--apply]`: fit FSRS's parameters to the organisation's own review history
(bot/spacing.py), report default against fitted on held-out learners, and with --apply write them
to DATA_DIR/fsrs-parameters.json, which the running bot reads at its next answer.
`mastery optimize --reset` goes back to the package's defaults."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from fsrs.scheduler import DEFAULT_PARAMETERS

from adapters.cli.shared import opened_store
from bot import spacing
from bot.clock import SystemClock
from bot.config import Settings
from bot.mastery import PARAMETERS_FILE, ParametersUnusable, read_parameters

MISSING = (
    "mastery optimize needs the fsrs optimizer, which runs on PyTorch: install PyTorch (a CPU-only build is enough,"
    " https://pytorch.org), then pip install 'microbadge[optimizer]'. Nothing changed."
)


async def optimize(settings: Settings, *, apply: bool, reset: bool) -> int:
    path = settings.data_dir / PARAMETERS_FILE
    try:
        current = read_parameters(path) if path.exists() else None
    except ParametersUnusable as error:
        if not reset:
            print(f"{error}. Remove it (or: mastery optimize --reset) to go back to the defaults.", file=sys.stderr)
            return 1
        current = None
    if reset:
        path.unlink(missing_ok=True)
        print(f"Back to FSRS's default parameters ({path} removed); the bot uses them from its next answer.")
        return 0

    async with opened_store(settings) as store, store.reading() as tx:  # of one moment; the bot writes on meanwhile
        history = await spacing.review_history(tx)
    split = spacing.split_by_learner(history)
    short = spacing.not_enough(history, split)
    if short:
        print(short)
        return 0
    try:
        fitted = spacing.fit(split.fit)
    except spacing.OptimizerMissing:
        print(MISSING, file=sys.stderr)
        return 1

    default_scores = spacing.scores(DEFAULT_PARAMETERS, split.held_out)
    fitted_scores = spacing.scores(fitted, split.held_out)
    learners = len(history.learners)
    print(
        f"Review history: {history.answers:,} answers to {len({key for _, key in history.cards}):,} checks by {learners:,} learners;"
        f" {history.rechecks():,} re-checks (answers a day or more after the previous one)."
    )
    print(
        f"Fitted on {learners - split.held_out_learners:,} learners' {split.fit.rechecks():,} re-checks; tested on the"
        f" {fitted_scores.reviews:,} re-checks of the other {split.held_out_learners:,}, chosen at random and kept out of the fit."
    )
    print("On the held-out re-checks (lower is better):")
    print(f"  {'':<20}{'log loss':>10}{'RMSE':>8}")
    print(f"  {'default parameters':<20}{default_scores.log_loss:>10.3f}{default_scores.rmse:>8.3f}")
    print(f"  {'fitted parameters':<20}{fitted_scores.log_loss:>10.3f}{fitted_scores.rmse:>8.3f}")
    print(
        f"Next re-check after a first right answer, then after a second on time: {_intervals(DEFAULT_PARAMETERS)} (default),"
        f" {_intervals(fitted)} (fitted)."
    )
    if current is not None:
        print(f"In use now: the parameters applied earlier ({path}).")
    better = fitted_scores.log_loss < default_scores.log_loss
    if not better:
        print("The fitted parameters do not predict the held-out re-checks better than the defaults: nothing applied.")
        return 0
    if not apply:
        print("Not applied: run again with --apply to schedule re-checks with the fitted parameters.")
        return 0
    _write(path, fitted, default_scores, fitted_scores, split)
    print(f"Applied: written to {path}. The bot schedules each re-check with them from its next answer (no restart needed).")
    return 0


def _intervals(parameters: Sequence[float]) -> str:
    first, second = spacing.first_intervals(parameters)
    return f"{_days(first)}, then {_days(second)}"


def _days(interval: timedelta) -> str:
    days = round(interval / timedelta(days=1))
    return "1 day" if days == 1 else f"{days} days"


def _write(path: Path, fitted: list[float], default: spacing.Scores, found: spacing.Scores, split: spacing.Split) -> None:
    record = {
        "parameters": fitted,
        "applied_at": SystemClock().now().isoformat(timespec="seconds"),
        "fitted_on_rechecks": split.fit.rechecks(),
        "held_out": {
            "learners": split.held_out_learners,
            "rechecks": found.reviews,
            "default": {"log_loss": round(default.log_loss, 4), "rmse": round(default.rmse, 4)},
            "fitted": {"log_loss": round(found.log_loss, 4), "rmse": round(found.rmse, 4)},
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".fsrs-parameters-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(record, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)  # whole or not at all: a bot reading it meanwhile sees the old file or the new
