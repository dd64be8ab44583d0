"""The fixture curriculum (tests/fixtures/content) with two job roles and a retired badge, for
the tests of job roles and assignments from CSV and from Slack's team sync."""

from __future__ import annotations

from dataclasses import replace

from content.model import Curriculum, Role

DECK_CREW = Role(
    id="deck-crew",
    title="Deck crew",
    outcome="Works the deck safely.",
    requires=("deckhand",),
    complete_within_days=30,
)
NAVIGATOR = Role(
    id="navigator",
    title="Navigator",
    outcome="Plans the passage.",
    requires=("deckhand", "mariner"),
    complete_within_days=60,
)
RETIRED = "semaphore"  # a badge L&D retired: no longer awarded, so it cannot be assigned


def with_job_roles(curriculum: Curriculum) -> Curriculum:
    semaphore = replace(curriculum.credentials["deckhand"], id=RETIRED, title="Semaphore", retired=True)
    return replace(
        curriculum,
        roles={DECK_CREW.id: DECK_CREW, NAVIGATOR.id: NAVIGATOR},
        credentials={**curriculum.credentials, RETIRED: semaphore},
    )
