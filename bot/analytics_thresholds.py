"""The thresholds of the item analytics (bot/analytics.py), in a module of their own so that the
command line's help can name them without importing the analytics. docs/authoring.md "Reading the
review" explains them to authors."""

from __future__ import annotations

from datetime import timedelta

TOO_HARD = 0.30  # right at the first try by fewer than this share of learners
TOO_EASY = 0.95  # ... by more than this share
LOW_DISCRIMINATION = 0.10  # the correlation below which a check does not tell strong from weak
# The smallest samples a finding is made from. A share from 30 learners is known to about
# +/- 16 points (95%), enough to tell 20% from 50% (too hard, a magnet distractor). "Too easy"
# needs 60: with fewer, one wrong answer more or less moves the share across 95%. A correlation
# from n learners is known to about +/- 2/sqrt(n): 0.2 at 100, so below that a good check (0.3
# and more) could read as "below 0.1" by chance.
MIN_LEARNERS = 30
MIN_LEARNERS_TOO_EASY = 60
MIN_LEARNERS_DISCRIMINATION = 100
# A skill is forgotten "far" faster than FSRS predicts when the recall observed at about 7 days
# is at least FAR_BELOW (15 points) under the mean prediction for the same re-checks, and the gap
# is more than twice its standard error, from at least MIN_RECHECKS re-checks in that window.
FAR_BELOW = 0.15
MIN_RECHECKS = 30
# Re-checks by the days since the learner last answered the same check ("about 1, 7, 30 days").
RECALL_WINDOWS: tuple[tuple[str, float, float], ...] = (("1d", 0.5, 3.5), ("7d", 3.5, 14.0), ("30d", 14.0, 60.0))
# A lesson still open and untouched this long is one the learner stopped.
STOPPED_AFTER = timedelta(days=1)
