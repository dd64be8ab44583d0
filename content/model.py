"""The curriculum as values: what the loader produces and the core reads.

Every item remembers where it was written (`Source`) so that the linter and the
core can point an author at `path:line`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

WORDS_PER_MINUTE = 200
MAX_LESSON_MINUTES = 5
MAX_CHECKS_PER_LESSON = 3
SOURCE_LANGUAGE = "en"  # the language of the files in lessons/, pathways/, ...; translations sit in folders beside them
T = TypeVar("T")
RECERTIFY_DAYS_BEFORE = 30  # a credential file's `recertify_days_before` when it says none


@dataclass(frozen=True)
class Source:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Alignment:
    """A node of a public or employer skills framework (ESCO, O*NET, an Open Skills Network RSD,
    a company's own) that a skill corresponds to; each becomes an Open Badges 3.0 `Alignment`
    (targetFramework, targetName, targetUrl, targetCode, targetType, targetDescription) of every
    achievement that requires the skill. Empty strings are fields the author left out."""

    framework: str  # targetFramework, e.g. "ESCO"
    name: str  # targetName: the framework's own label for the node
    url: str  # targetUrl: an absolute http(s) URL of the node
    code: str = ""  # targetCode
    type: str = ""  # targetType: an OBv3 AlignmentTargetType, e.g. "ceasn:Competency"
    description: str = ""  # targetDescription
    source: Source = field(default=Source(Path("."), 0))


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    description: str
    source: Source
    alignments: tuple[Alignment, ...] = ()  # in the order skills.yml lists them


@dataclass(frozen=True)
class Picture:
    """A picture in a card, written `![alt](media/file.png "caption")` (content/pictures.py).
    The file's type, size in pixels and digest are filled in by the loader from the file
    (content/media_rules.py); the digest changes when the picture is redrawn."""

    path: str  # relative to the content folder, always under media/
    alt: str
    caption: str
    source: Source
    media_type: str = ""  # "image/png" or "image/jpeg"
    width: int = 0
    height: int = 0
    digest: str = ""


@dataclass(frozen=True)
class Card:
    """One chat message of a lesson, with its pictures (shown with it, in the order written)."""

    title: str
    body: str
    source: Source
    pictures: tuple[Picture, ...] = ()


class CheckKind(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool


@dataclass(frozen=True)
class Check:
    """A micro-check. `key` ("<lesson-id>:<n>", n counted from 1) names the item
    whose recall is tracked, so it stays stable across edits of the wording."""

    key: str
    question: str
    options: tuple[Option, ...]
    explanation: str
    source: Source
    # In a translation: the source-language check it translates (same key, options in the same
    # order, the same ones correct), so an answer in any language counts for the same item.
    original: Check | None = None

    @property
    def kind(self) -> CheckKind:
        if sorted(o.text.strip().lower() for o in self.options) == ["false", "true"]:
            return CheckKind.TRUE_FALSE
        if len(self.correct_indices) > 1:
            return CheckKind.MULTIPLE
        return CheckKind.SINGLE

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, option in enumerate(self.options) if option.correct)


Step = Card | Check


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    skills: tuple[str, ...]
    minutes: int
    requires: tuple[str, ...]
    version: str
    steps: tuple[Step, ...]
    source: Source
    language: str = SOURCE_LANGUAGE  # a translation keeps its source's id, skills, minutes, requires and version

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(s for s in self.steps if isinstance(s, Card))

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(s for s in self.steps if isinstance(s, Check))

    @property
    def word_count(self) -> int:
        words = 0
        for step in self.steps:
            if isinstance(step, Card):
                words += len(step.title.split()) + len(step.body.split())
            else:
                words += len(step.question.split()) + len(step.explanation.split())
                words += sum(len(o.text.split()) for o in step.options)
        return words


@dataclass(frozen=True)
class Pathway:
    id: str
    title: str
    description: str
    order: int
    lessons: tuple[str, ...]
    source: Source


class CredentialKind(StrEnum):
    BADGE = "badge"
    CERTIFICATE = "certificate"


@dataclass(frozen=True)
class SkillRequirement:
    skill: str
    mastery: float  # 0..1, the mastery probability the skill must reach


@dataclass(frozen=True)
class CredentialDefinition:
    id: str
    kind: CredentialKind
    title: str
    description: str
    criteria: str
    lessons: tuple[str, ...] = ()
    skills: tuple[SkillRequirement, ...] = ()
    stacks: tuple[str, ...] = ()  # badge ids, certificates only
    valid_for_days: int | None = None
    recertify_days_before: int | None = None  # as written; None: RECERTIFY_DAYS_BEFORE
    retired: bool = False  # L&D retired it: no new awards, no renewals; those issued stay valid until they expire
    retired_reason: str = ""  # authored plain text, shown with "retired"
    source: Source = field(default=Source(Path("."), 0))

    @property
    def recertify_lead_days(self) -> int:
        """How many days before a held one expires the learner is asked to recertify."""
        return RECERTIFY_DAYS_BEFORE if self.recertify_days_before is None else self.recertify_days_before


@dataclass(frozen=True)
class Role:
    """A job role (`content/roles/<id>.md`): the credentials a person in it must hold (`requires`)
    and should hold (`recommends`), and how many days a new joiner has to earn them."""

    id: str
    title: str
    outcome: str  # the job outcome in plain words: the first paragraph of the body
    requires: tuple[str, ...]  # credential ids
    complete_within_days: int
    recommends: tuple[str, ...] = ()  # credential ids
    source: Source = field(default=Source(Path("."), 0))


@dataclass(frozen=True)
class Translated:
    """One item's words in another language, put over the source's item: `fields` are the
    item's fields that a learner reads (a lesson's title and steps, a badge's title, description
    and criteria, ...), `source` where the translation was written."""

    fields: dict[str, Any]
    source: Source

    def over(self, item: T) -> T:
        return dataclasses.replace(item, **self.fields, source=self.source)  # type: ignore[type-var]


@dataclass(frozen=True)
class Translation:
    """Everything translated into one language, by id; what is not here reads in the source's."""

    language: str
    lessons: dict[str, Translated] = field(default_factory=dict)
    pathways: dict[str, Translated] = field(default_factory=dict)
    credentials: dict[str, Translated] = field(default_factory=dict)
    roles: dict[str, Translated] = field(default_factory=dict)
    skills: dict[str, Translated] = field(default_factory=dict)

    def over(self, curriculum: Curriculum) -> Curriculum:
        """`curriculum` as read in this language (an item not translated is the source's object)."""

        def swap(items: dict[str, T], translated: dict[str, Translated]) -> dict[str, T]:
            return {key: (translated[key].over(item) if key in translated else item) for key, item in items.items()}

        return dataclasses.replace(
            curriculum,
            skills=swap(curriculum.skills, self.skills),
            lessons=swap(curriculum.lessons, self.lessons),
            pathways=tuple(swap({p.id: p for p in curriculum.pathways}, self.pathways).values()),
            credentials=swap(curriculum.credentials, self.credentials),
            roles=swap(curriculum.roles, self.roles),
            language=self.language,
            origin=curriculum,
        )


@dataclass(frozen=True)
class Curriculum:
    skills: dict[str, Skill]
    lessons: dict[str, Lesson]
    pathways: tuple[Pathway, ...]  # in `order`
    credentials: dict[str, CredentialDefinition]
    roles: dict[str, Role] = field(default_factory=dict)
    # What each other language translates, by language (content/translation_tree.py reads it).
    translations: dict[str, Translation] = field(default_factory=dict, repr=False)
    language: str = SOURCE_LANGUAGE  # the language this curriculum is read in
    origin: Curriculum | None = field(default=None, repr=False, compare=False)  # a view's source
    _views: dict[str, Curriculum] = field(default_factory=dict, init=False, repr=False, compare=False)

    def in_language(self, language: str | None) -> Curriculum:
        """The curriculum as a learner reading `language` (a BCP 47 tag, "de-AT" or "de") sees it:
        each lesson, pathway, badge, role and skill in that language where it is translated, else
        the source's own item. Ids, check keys, options' order and correct options are the source's
        in every view. The source itself for None or a language with no translations. Credentials
        are issued from the source (signed documents stay in the language they were defined in)."""
        if self.origin is not None:
            return self.origin.in_language(language)
        tag = (language or "").strip().lower().replace("_", "-")
        found = tag if tag in self.translations else tag.split("-")[0]
        if found not in self.translations:
            return self
        view = self._views.get(found)
        if view is None:  # built once, from this curriculum as it is
            view = self._views[found] = self.translations[found].over(self)
        return view

    @property
    def languages(self) -> tuple[str, ...]:
        """The source language first, then each language with a translation, in name order."""
        return (SOURCE_LANGUAGE, *sorted(self.translations))

    def pathway_of(self, lesson_id: str) -> Pathway | None:
        return next((p for p in self.pathways if lesson_id in p.lessons), None)

    def lessons_in_order(self) -> list[Lesson]:
        """Every lesson in pathway order; lessons outside any pathway come last."""
        ordered = [self.lessons[i] for p in self.pathways for i in p.lessons if i in self.lessons]
        seen = {lesson.id for lesson in ordered}
        ordered += [lesson for lesson_id, lesson in sorted(self.lessons.items()) if lesson_id not in seen]
        return ordered

    def find_check(self, key: str) -> Check | None:
        lesson_id, _, _ = key.rpartition(":")
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            return None
        return next((c for c in lesson.checks if c.key == key), None)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a content tree, reported as `path:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"
