"""What an achievement page and a skill page say, and what they serve to machines, worked out
from the curriculum (and, for an achievement, how many people hold it). Pure: no I/O.

An achievement's JSON-LD is the OBv3 `Achievement` issued credentials embed, built by the same
function (credentials/issuing.py `achievement`), with the contexts that define its terms. A skill
is served as a CTDL-ASN competency (`ceasn:Competency`, the `targetType` the credentials'
alignments name), with an inline context that maps each of its terms to a CTDL-ASN IRI; the
competencies of public or employer frameworks it aligns to (skills.yml `alignments`) are its
`ceasn:majorAlignment`s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.i18n import Translator
from content.model import Alignment, CredentialDefinition, CredentialKind, Curriculum, Skill
from credentials.awarding import MIN_DAYS_AFTER_LESSON, RECHECK_DAYS_REQUIRED
from credentials.issuing import OB_CONTEXT, VC_CONTEXT, Names, achievement
from web.i18n import SOURCE

CTDL_ASN = "https://purl.org/ctdlasn/terms/"
SKILL_CONTEXT: dict[str, Any] = {
    "ceasn": CTDL_ASN,
    "id": "@id",
    "type": "@type",
    "name": "ceasn:competencyLabel",
    "description": "ceasn:competencyText",
    "majorAlignment": {"@id": "ceasn:majorAlignment", "@type": "@id"},
}
# Framework nodes that are competencies (or say nothing of their type) can be a competency's
# `ceasn:majorAlignment`; a credential or a rubric cannot.
COMPETENCY_TARGET_TYPES = ("", "ceasn:Competency")


@dataclass(frozen=True)
class CredentialLink:
    """A badge or certificate named on another page, linked to its achievement page."""

    id: str
    title: str
    kind: str  # Badge | Certificate


@dataclass(frozen=True)
class RequiredSkill:
    id: str
    name: str
    description: str
    mastery: str  # "80%"
    alignments: tuple[Alignment, ...]  # the framework nodes the skill aligns to


@dataclass(frozen=True)
class AchievementPage:
    id: str
    kind: str  # Badge | Certificate
    title: str
    description: str
    criteria: str
    lessons: tuple[str, ...]  # lesson titles, in the order the definition lists them
    skills: tuple[RequiredSkill, ...]
    recall: str | None  # the durable-recall rule, when skills are required
    stacks: tuple[CredentialLink, ...]  # a certificate's badges
    stacked_into: tuple[CredentialLink, ...]  # the certificates a badge counts toward
    validity: str
    holders: str
    retired: str | None = None  # what retirement means for it, when L&D retired it
    retired_reason: str = ""  # authored plain text


@dataclass(frozen=True)
class Requirement:
    credential: CredentialLink
    mastery: str


@dataclass(frozen=True)
class SkillPage:
    id: str
    name: str
    description: str
    required_by: tuple[Requirement, ...]
    alignments: tuple[Alignment, ...]  # the framework nodes the skill aligns to


def kind_of(definition: CredentialDefinition) -> str:
    return "Certificate" if definition.kind is CredentialKind.CERTIFICATE else "Badge"


def link_to(definition: CredentialDefinition) -> CredentialLink:
    return CredentialLink(id=definition.id, title=definition.title, kind=kind_of(definition))


def percent(mastery: float) -> str:
    return f"{mastery:.0%}"


def holders_text(count: int, t: Translator = SOURCE) -> str:
    if count == 0:
        return t.gettext("No one holds it at the moment.")
    return t.ngettext(
        "{count} person holds it at the moment (not revoked, not expired).",
        "{count} people hold it at the moment (not revoked, not expired).",
        count,
    ).format(count=count)


def validity_text(definition: CredentialDefinition, t: Translator = SOURCE) -> str:
    days = definition.valid_for_days
    if days is None:
        return t.gettext("It does not expire.")
    return t.ngettext("Valid for {days} day from the day it is awarded.", "Valid for {days} days from the day it is awarded.", days).format(
        days=days
    )


def recall_text(t: Translator = SOURCE) -> str:
    return t.gettext(
        "Each skill must also be recalled durably: correct answers to spaced re-checks on at least "
        "{checks} separate days, the last at least {days} days after the lesson that taught it. "
        "Clicking through the lessons is not enough."
    ).format(checks=RECHECK_DAYS_REQUIRED, days=MIN_DAYS_AFTER_LESSON)


def retired_text(definition: CredentialDefinition, t: Translator = SOURCE) -> str | None:
    """None unless retired: then that it is no longer awarded and what that means for those held."""
    if not definition.retired:
        return None
    expires = definition.valid_for_days is not None
    if definition.kind is CredentialKind.CERTIFICATE:
        if expires:
            return t.gettext(
                "This certificate is retired: it is no longer awarded or renewed. Certificates already issued stay valid until they expire."
            )
        return t.gettext(
            "This certificate is retired: it is no longer awarded or renewed. Certificates already issued stay valid (they do not expire)."
        )
    if expires:
        return t.gettext("This badge is retired: it is no longer awarded or renewed. Badges already issued stay valid until they expire.")
    return t.gettext("This badge is retired: it is no longer awarded or renewed. Badges already issued stay valid (they do not expire).")


def achievement_page(definition: CredentialDefinition, curriculum: Curriculum, *, holders: int, t: Translator = SOURCE) -> AchievementPage:
    """`curriculum`, `definition`: in the viewer's language (Curriculum.in_language); `t` their translator."""
    skills = tuple(
        RequiredSkill(id=r.skill, name=skill.name, description=skill.description, mastery=percent(r.mastery), alignments=skill.alignments)
        for r in definition.skills
        if (skill := curriculum.skills.get(r.skill)) is not None
    )
    return AchievementPage(
        id=definition.id,
        kind=kind_of(definition),
        title=definition.title,
        description=definition.description,
        criteria=definition.criteria,
        lessons=tuple(lesson.title if (lesson := curriculum.lessons.get(i)) else i for i in definition.lessons),
        skills=skills,
        recall=recall_text(t) if skills else None,
        stacks=tuple(link_to(badge) for i in definition.stacks if (badge := curriculum.credentials.get(i)) is not None),
        stacked_into=tuple(link_to(c) for c in curriculum.credentials.values() if definition.id in c.stacks),
        validity=validity_text(definition, t),
        holders=holders_text(holders, t),
        retired=retired_text(definition, t),
        retired_reason=definition.retired_reason if definition.retired else "",
    )


def skill_page(skill: Skill, curriculum: Curriculum) -> SkillPage:
    required_by = tuple(
        Requirement(credential=link_to(definition), mastery=percent(requirement.mastery))
        for definition in curriculum.credentials.values()
        for requirement in definition.skills
        if requirement.skill == skill.id
    )
    return SkillPage(id=skill.id, name=skill.name, description=skill.description, required_by=required_by, alignments=skill.alignments)


def achievement_document(definition: CredentialDefinition, curriculum: Curriculum, links: Names) -> dict[str, Any]:
    """The OBv3 Achievement exactly as credentials embed it, with the contexts defining it."""
    return {"@context": [VC_CONTEXT, OB_CONTEXT], **achievement(definition, curriculum, links)}


def skill_document(skill: Skill, links: Names) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": SKILL_CONTEXT, "id": links.skill(skill.id), "type": "ceasn:Competency", "name": skill.name}
    if skill.description:
        document["description"] = skill.description
    aligned = [alignment.url for alignment in skill.alignments if alignment.type in COMPETENCY_TARGET_TYPES]
    if aligned:
        document["majorAlignment"] = aligned
    return document
