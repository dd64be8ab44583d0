"""Skills aligned to public or employer frameworks (skills.yml `alignments`): read into the
curriculum, every mistake a `skills.yml:line` problem, and carried by each Open Badges 3.0
achievement that requires the skill next to the skill's own page, so that the credentials still
sign with only defined terms and meet the 1EdTech schema."""

from __future__ import annotations

import re
import shutil
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from content.loader import load_curriculum
from content.model import Alignment, Curriculum, Source
from credentials.data_integrity import sign, verify
from credentials.documents import BundledDocumentLoader, canonicalize
from credentials.issuing import AwardFacts, Issuer, Links, achievement, build_credential, hashed_identity
from credentials.keys import IssuerKey, did_key, did_key_verification_method, resolve_did_key
from credentials.schema import validate_achievement_credential
from tests.conftest import FIXTURE_CONTENT, PROJECT_DIR

ESCO_HAZARDS = "http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a"
ESCO_SKILL = re.compile(r"http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
AWARDED = datetime(2026, 4, 3, 9, 30, tzinfo=UTC)
LINKS = Links("https://learn.example.com")

ALIGNED = """\
tides:
  name: Reading tides
  description: Knowing when the water comes and goes.
  alignments:
    - framework: ESCO
      name: identify hazards in the workplace
      url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a
      type: ceasn:Competency
    - framework: O*NET
      name: Captains, Mates, and Pilots of Water Vessels
      url: https://www.onetonline.org/link/summary/53-5021.00
      code: 53-5021.00
      type: ext:Occupation
      description: Command or supervise operations of ships and water vessels.
knots:
  name: Tying knots
  description: Choosing and tying the right knot.
"""


def content_with(tmp_path: Path, skills_yml: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "skills.yml").write_text(skills_yml, encoding="utf-8")
    return root


def problems_in(tmp_path: Path, skills_yml: str) -> list[tuple[str, int, str]]:
    result = load_curriculum(content_with(tmp_path, skills_yml))
    assert result.curriculum is None
    return [(problem.path.name, problem.line, problem.message) for problem in result.problems]


def test_alignments_are_read_in_order_as_frozen_values(tmp_path: Path) -> None:
    result = load_curriculum(content_with(tmp_path, ALIGNED))
    assert result.problems == ()
    assert result.curriculum is not None
    tides = result.curriculum.skills["tides"]
    esco, onet = tides.alignments
    assert esco == Alignment(
        framework="ESCO",
        name="identify hazards in the workplace",
        url=ESCO_HAZARDS,
        type="ceasn:Competency",
        source=Source(tmp_path / "content" / "skills.yml", 5),
    )
    assert (onet.framework, onet.code, onet.type, onet.source.line) == ("O*NET", "53-5021.00", "ext:Occupation", 9)
    assert onet.description == "Command or supervise operations of ships and water vessels."
    assert result.curriculum.skills["knots"].alignments == ()
    with pytest.raises(FrozenInstanceError):
        esco.name = "something else"  # type: ignore[misc]


def test_each_mistake_is_reported_at_its_line_in_skills_yml(tmp_path: Path) -> None:
    problems = problems_in(
        tmp_path,
        """\
tides:
  name: Reading tides
  alignments:
    - framework: ESCO
      name: identify hazards in the workplace
      url: data.europa.eu/esco/skill/5f97fac8
      level: 3
    - framework: ESCO
      url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a
      type: Skill
    - framework: ESCO
      name: identify hazards in the workplace
      url:
    - just a name
knots:
  name: Tying knots
  alignments: ESCO
""",
    )
    assert problems == [
        (
            "skills.yml",
            6,
            "'url' of alignment 1 of skill 'tides' is 'data.europa.eu/esco/skill/5f97fac8': "
            "write the absolute http:// or https:// address of the framework's page for it",
        ),
        (
            "skills.yml",
            7,
            "unknown field 'level' (the fields are: framework, name, url, code, type, description); check its spelling or remove it",
        ),
        ("skills.yml", 8, "missing 'name': add a line like 'name: identify hazards in the workplace' to alignment 2 of skill 'tides'"),
        (
            "skills.yml",
            10,
            "'type' of alignment 2 of skill 'tides' is 'Skill', which Open Badges 3.0 does not define: use one of "
            "ceasn:Competency, ceterms:Credential, CFItem, CFRubric, CFRubricCriterion, CFRubricCriterionLevel, CTDL, "
            "or 'ext:<name>' for a type of your own",
        ),
        ("skills.yml", 13, "'url' is empty: write it like 'url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a'"),
        (
            "skills.yml",
            14,
            "alignment 4 of skill 'tides' must be 'field: value' lines, for example "
            "'- framework: ESCO' with 'name:' and 'url:' indented under it",
        ),
        (
            "skills.yml",
            17,
            "'alignments' of skill 'knots' must be a list with one entry per framework node, for example "
            "'- framework: ESCO' with 'name:' and 'url:' indented under it",
        ),
    ]


def test_a_repeated_alignment_is_reported_where_it_repeats(tmp_path: Path) -> None:
    problems = problems_in(
        tmp_path,
        """\
tides:
  name: Reading tides
  alignments:
    - framework: ESCO
      name: identify hazards in the workplace
      url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a
    - framework: O*NET
      name: Captains, Mates, and Pilots of Water Vessels
      url: https://www.onetonline.org/link/summary/53-5021.00
      code: 53-5021.00
    - framework: ESCO
      name: identify hazards in the workplace (again)
      url: http://data.europa.eu/esco/skill/5f97fac8-2001-4b81-ae8b-22f9062d921a
    - framework: o*net
      name: Captains
      url: https://www.onetonline.org/link/details/53-5021.00
      code: 53-5021.00
knots:
  name: Tying knots
""",
    )
    assert problems == [
        (
            "skills.yml",
            11,
            f"alignment 3 of skill 'tides' repeats the alignment on line 4 (the same url {ESCO_HAZARDS}): keep only one",
        ),
        ("skills.yml", 14, "alignment 4 of skill 'tides' repeats the alignment on line 7 (the same o*net code 53-5021.00): keep only one"),
    ]


def test_the_same_framework_node_may_serve_two_skills_and_an_extension_type_is_accepted(tmp_path: Path) -> None:
    shared = "    - framework: Acme roles\n      name: Deck crew\n      url: https://acme.example/roles/deck-crew\n      type: ext:Role\n"
    skills = f"tides:\n  name: Reading tides\n  alignments:\n{shared}knots:\n  name: Tying knots\n  alignments:\n{shared}"
    result = load_curriculum(content_with(tmp_path, skills))
    assert result.problems == ()


@pytest.fixture(scope="module")
def shipped() -> Curriculum:
    result = load_curriculum(PROJECT_DIR / "content")
    assert result.curriculum is not None, result.problems
    return result.curriculum


def test_the_sample_curriculum_aligns_its_skills_to_esco(shipped: Curriculum) -> None:
    unaligned = [skill.id for skill in shipped.skills.values() if not skill.alignments]
    assert unaligned == ["energy-isolation"], "no ESCO skill for lockout/tagout was found; every other skill is aligned"
    for skill in shipped.skills.values():
        for alignment in skill.alignments:
            assert alignment.framework == "ESCO" and alignment.type == "ceasn:Competency", skill.id
            assert ESCO_SKILL.fullmatch(alignment.url), alignment.url
            assert alignment.name and alignment.name == alignment.name.strip(), skill.id


def credential_for(definition_id: str, curriculum: Curriculum, key: IssuerKey) -> dict:
    definition = curriculum.credentials[definition_id]
    facts = AwardFacts(
        public_id="5b0e6f7a-3c1d-4e8f-9a2b-1c3d4e5f6a7b",
        definition_id=definition_id,
        awarded_at=AWARDED,
        valid_until=None,
        status_index=7,
        evidence={"lessons": {lesson: "2026-03-02" for lesson in definition.lessons}},
        stacked_credentials={badge: f"badge-{badge}" for badge in definition.stacks},
    )
    issuer = Issuer(id=did_key(key.public_key), name="Acme Plant Academy", url="https://learn.example.com")
    return build_credential(
        award=facts, curriculum=curriculum, issuer=issuer, names=LINKS, subject_identity=hashed_identity("test:ana", salt="pepper")
    )


def test_each_required_skill_brings_its_own_page_then_its_framework_nodes(shipped: Curriculum) -> None:
    definition = shipped.credentials["safety-foundations"]
    alignments = achievement(definition, shipped, LINKS)["alignment"]
    expected: list[tuple[str, str, str | None]] = []
    for requirement in definition.skills:
        skill = shipped.skills[requirement.skill]
        expected.append((skill.name, LINKS.skill(skill.id), None))
        expected += [(target.name, target.url, "ESCO") for target in skill.alignments]
    assert [(a["targetName"], a["targetUrl"], a.get("targetFramework")) for a in alignments] == expected
    ppe = next(a for a in alignments if a["targetUrl"] == "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4")
    assert ppe == {
        "type": ["Alignment"],
        "targetName": "use personal protection equipment",
        "targetUrl": "http://data.europa.eu/esco/skill/51754b8a-3e2c-4cc1-86e6-cf510d9c6fe4",
        "targetFramework": "ESCO",
        "targetType": "ceasn:Competency",
    }


@pytest.mark.parametrize("definition_id", ["safety-foundations", "maintenance-fundamentals", "plant-operations", "loto-practitioner"])
def test_credentials_with_framework_alignments_sign_verify_and_meet_the_schema(shipped: Curriculum, definition_id: str) -> None:
    key = IssuerKey.generate()
    credential = credential_for(definition_id, shipped, key)
    signed = sign(credential, key=key, verification_method=did_key_verification_method(key.public_key), created=AWARDED)
    assert verify(signed, resolve_key=resolve_did_key).ok
    validation = validate_achievement_credential(signed)
    assert validation.ok, validation.problems


def test_every_alignment_field_is_signed_data(fixture_curriculum_aligned: Curriculum) -> None:
    """Nothing of an alignment is dropped by JSON-LD: each field is a statement of the signed data."""
    credential = credential_for("deckhand", fixture_curriculum_aligned, IssuerKey.generate())
    canonical = canonicalize(credential, document_loader=BundledDocumentLoader())
    for statement in (
        '<https://schema.org/targetFramework> "O*NET"',
        '<https://schema.org/targetName> "Captains, Mates, and Pilots of Water Vessels"',
        '<https://schema.org/targetUrl> "https://www.onetonline.org/link/summary/53-5021.00"^^<https://www.w3.org/2001/XMLSchema#anyURI>',
        '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> "53-5021.00"',
        '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetType> "ext:Occupation"',
        '<https://schema.org/targetDescription> "Command or supervise operations of ships and water vessels."',
        f'<https://schema.org/targetUrl> "{ESCO_HAZARDS}"^^<https://www.w3.org/2001/XMLSchema#anyURI>',
    ):
        assert statement in canonical, statement
    validation = validate_achievement_credential(credential)
    assert validation.ok, validation.problems


def test_a_framework_node_two_required_skills_share_is_named_once(fixture_curriculum_aligned: Curriculum) -> None:
    shared = fixture_curriculum_aligned.skills["tides"].alignments[0]
    knots = replace(fixture_curriculum_aligned.skills["knots"], alignments=(shared,))
    curriculum = replace(fixture_curriculum_aligned, skills={**fixture_curriculum_aligned.skills, "knots": knots})
    urls = [a["targetUrl"] for a in achievement(curriculum.credentials["deckhand"], curriculum, LINKS)["alignment"]]
    assert urls.count(ESCO_HAZARDS) == 1
    assert urls == [LINKS.skill("tides"), ESCO_HAZARDS, "https://www.onetonline.org/link/summary/53-5021.00", LINKS.skill("knots")]


@pytest.fixture
def fixture_curriculum_aligned(tmp_path: Path) -> Curriculum:
    result = load_curriculum(content_with(tmp_path, ALIGNED))
    assert result.curriculum is not None, result.problems
    return result.curriculum
