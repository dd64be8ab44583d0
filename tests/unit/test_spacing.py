"""Fitting FSRS to the organisation's reviews (bot/spacing.py) and the parameters the bot then uses
(bot/mastery.py), on seeded histories whose true forgetting is faster than FSRS's defaults."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from bot import spacing
from bot.mastery import PARAMETERS_FILE, MasteryModel
from bot.spacing import Answer, History
from tests.review_histories import faster_forgetting, population


def needs_optimizer() -> None:
    """The fit runs the fsrs package's optimizer, on PyTorch (the `optimizer` extra). Without it
    these tests skip with the reason, except in CI, which installs it."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("pandas") is None:
        if os.environ.get("CI"):
            raise AssertionError("CI installs the optimizer extra (.ci/run)")
        pytest.skip("needs the optimizer extra: pip install torch==2.13.0 -e '.[optimizer]'")


def history(learners: int, checks: int) -> History:
    cards: dict[tuple[int, str], list[Answer]] = defaultdict(list)
    for learner, key, at, right in population(learners, checks):
        cards[(learner, key)].append(Answer(at, right))
    return History(dict(cards))


def test_the_fit_predicts_held_out_learners_better_when_they_forget_faster_than_the_defaults():
    needs_optimizer()
    split = spacing.split_by_learner(history(60, 6))
    assert spacing.not_enough(history(60, 6), split) is None
    assert split.held_out_learners == 12 and not split.fit.learners & split.held_out.learners
    fitted = spacing.fit(split.fit)
    default, found = spacing.scores(DEFAULT_PARAMETERS, split.held_out), spacing.scores(fitted, split.held_out)
    assert found.reviews == default.reviews == split.held_out.rechecks() > spacing.MIN_HELD_OUT
    assert found.log_loss < default.log_loss - 0.01, (default, found)
    assert found.rmse < default.rmse
    # The truth itself predicts better still: the fit moved toward it, not somewhere else.
    assert spacing.scores(faster_forgetting(), split.held_out).log_loss < found.log_loss
    _, second = spacing.first_intervals(fitted)
    assert second < spacing.first_intervals(DEFAULT_PARAMETERS)[1], "re-checks come sooner"


def test_the_scores_are_log_loss_and_rmse_of_the_predicted_recall_on_rechecks_only():
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    answers = [
        Answer(t, True),
        Answer(t + timedelta(hours=3), False),
        Answer(t + timedelta(days=3), True),
        Answer(t + timedelta(days=9), False),
    ]
    scored = spacing.scores(DEFAULT_PARAMETERS, History({(1, "a:0"): answers}))
    assert scored.reviews == 2, "the same-day repeat is not a re-check"
    assert 0 < scored.rmse < 1 and scored.log_loss > 0
    assert spacing.rechecks(answers) == 2


def test_a_small_history_is_not_enough_and_says_what_is_needed():
    small = history(8, 2)
    message = spacing.not_enough(small, spacing.split_by_learner(small))
    assert message is not None and "\n" not in message
    assert "from 8 learners" in message and "10 learners or more, 512 re-checks to fit and 128 held out" in message
    assert message.endswith("Nothing changed.")


def test_the_held_out_learners_are_the_same_on_every_run():
    one, two = spacing.split_by_learner(history(20, 2)), spacing.split_by_learner(history(20, 2))
    assert one.held_out.learners == two.held_out.learners and len(one.held_out.learners) == 4


def test_applied_parameters_are_taken_up_by_a_running_model_and_a_removed_file_means_the_defaults(tmp_path: Path, caplog):
    file = tmp_path / PARAMETERS_FILE
    model = MasteryModel(parameters_file=file)
    t = datetime(2026, 3, 2, 9, tzinfo=UTC)
    first = model.review(None, correct=True, at=t)

    def second_interval() -> timedelta:
        return model.review(first.card_json, correct=True, at=first.due).due - first.due

    by_default = second_interval()
    file.write_text(json.dumps({"parameters": faster_forgetting()}), encoding="utf-8")
    assert second_interval() < by_default, "the same model, no restart: the re-check comes sooner"
    file.unlink()
    assert second_interval() == by_default

    file.write_text('{"parameters": [1, 2, 3]}', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert second_interval() == by_default
    assert "not usable as FSRS parameters" in caplog.text
