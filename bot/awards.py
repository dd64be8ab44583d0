"""After a turn that could earn something (a lesson completed, a re-check answered right, a
refresher passed): gather the learner's evidence, award what is earned (once), renew what a
refresher renewed, and tell the learner and the team."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot import actions, commands
from bot.i18n import Translator, language_of
from bot.markup import literal
from bot.mastery import MasteryModel
from bot.ports import Store
from bot.progress import skill_mastery
from bot.records import Award, Learner, TrailEvent
from bot.replies import Announcement, AwardNotice, AwardWords, Reply, Text, said_in
from bot.streaks import local_date
from bot.turn import Turn
from bot.vocabulary import EventKind, SessionKind
from content.model import CredentialDefinition, CredentialKind, Curriculum
from credentials.awarding import Evidence, evaluate
from credentials.issuer import IssuerIdentity
from credentials.issuing import AwardFacts, build_credential, hashed_identity
from credentials.linkedin import add_to_profile_url


def subject_of(learner: Learner) -> str:
    """What the learner's credentials name them by (hashed, with a salt): a random id of their
    own, never their platform id, which anyone could find by trying every Telegram id."""
    if not learner.subject_id:
        learner.subject_id = str(uuid.uuid4())
    return f"urn:uuid:{learner.subject_id}"


def is_valid(award: Award, now: datetime) -> bool:
    return award.revoked_at is None and (award.valid_until is None or award.valid_until > now)


def latest_awards(awards: list[Award], now: datetime) -> list[Award]:
    """Each credential the learner was ever awarded, once, in the order first awarded: its
    latest valid award, else its latest award (expired, or revoked). Nothing awarded once is
    earned again (a refresher renews an expired badge), so these are all the learner has."""
    chosen: dict[str, Award] = {}
    for award in sorted(awards, key=lambda a: (a.renewal, a.awarded_at, a.id)):
        kept = chosen.get(award.definition_id)
        if kept is None or is_valid(award, now) or not is_valid(kept, now):
            chosen[award.definition_id] = award
    first: dict[str, int] = {}
    for award in sorted(awards, key=lambda a: a.id):
        first.setdefault(award.definition_id, award.id)
    return sorted(chosen.values(), key=lambda a: first[a.definition_id])


@dataclass(frozen=True)
class CredentialLinks:
    """Where a learner finds a credential again: its public page, its signed JSON file, and
    LinkedIn's "Add license or certification" filled in from it."""

    page: str
    json: str
    linkedin: str


class Awarder:
    def __init__(self, *, curriculum: Curriculum, mastery: MasteryModel, issuer: IssuerIdentity | None = None) -> None:
        self._curriculum = curriculum
        self._mastery = mastery
        self._issuer = issuer
        skill_lessons: dict[str, set[str]] = {}
        for lesson in curriculum.lessons.values():
            for skill in lesson.skills:
                skill_lessons.setdefault(skill, set()).add(lesson.id)
        self._skill_lessons = {skill: frozenset(ids) for skill, ids in skill_lessons.items()}

    async def evidence(self, turn: Turn) -> Evidence:
        learner_id = turn.learner.id
        recheck_days: dict[str, set] = {}
        for key, day in await turn.tx.trail.correct_recheck_days(learner_id):
            lesson = self._curriculum.lessons.get(key.rpartition(":")[0])
            for skill in lesson.skills if lesson else ():
                recheck_days.setdefault(skill, set()).add(day)
        held = await turn.tx.awards.of(learner_id)
        return Evidence(
            completed=await turn.tx.trail.completion_days(learner_id),
            mastery=await skill_mastery(turn.tx, self._mastery, learner_id, turn.now),
            recheck_days={skill: frozenset(days) for skill, days in recheck_days.items()},
            skill_lessons=self._skill_lessons,
            valid_badges=frozenset(a.definition_id for a in held if a.kind == CredentialKind.BADGE and is_valid(a, turn.now)),
        )

    async def after(self, turn: Turn) -> list[Reply]:
        """What the turn's recorded events call for: renewals first, then new awards."""
        happened = list(turn.recorded)  # awarding records more: look only at what led here
        replies: list[Reply] = []
        for event in happened:
            if event.kind is EventKind.REFRESHER_COMPLETED and event.payload.get("passed"):
                replies += await self.renew(turn, str(event.payload["credential"]))
        if any(_can_earn(event) for event in happened):
            replies += await self.award_earned(turn)
        return replies

    async def award_earned(self, turn: Turn) -> list[Reply]:
        """Award every credential now earned and not yet held; badges first, so a certificate
        they complete follows in the same turn."""
        replies: list[Reply] = []
        evidence, held, reread = await self.evidence(turn), await self._held_ids(turn), False
        for kind in (CredentialKind.BADGE, CredentialKind.CERTIFICATE):
            if reread:  # an award was already there (another process made it): read what is held again
                evidence, held, reread = await self.evidence(turn), await self._held_ids(turn), False
            for definition in self._curriculum.credentials.values():
                if definition.kind is not kind or definition.id in held or definition.retired:  # retired: no new awards
                    continue
                if not evaluate(definition, evidence).earned:
                    continue
                award = self._new_award(turn, definition, evidence)
                if not await turn.tx.awards.add(award):
                    reread = True
                    continue
                # Awarding changes only what is held; a new badge is valid, and a certificate it
                # completes follows in this turn.
                held.add(definition.id)
                if kind is CredentialKind.BADGE:
                    evidence = replace(evidence, valid_badges=evidence.valid_badges | {definition.id})
                await turn.record(EventKind.AWARDED, payload={"credential": definition.id, "award": award.public_id})
                if self._issuer is not None:
                    await self._issue(turn, award, self._issuer)
                replies += await self._tell(turn, definition, award)
        return replies

    async def _held_ids(self, turn: Turn) -> set[str]:
        return {a.definition_id for a in await turn.tx.awards.of(turn.learner.id)}

    async def renew(self, turn: Turn, definition_id: str) -> list[Reply]:
        """A passed refresher: a new award of the badge (the next renewal), valid from now. A
        retired badge is not renewed (no refresher is offered for one; this is a refresher begun
        before it was retired): the learner keeps the one they hold until it expires."""
        definition = self._curriculum.credentials.get(definition_id)
        previous = [a for a in await turn.tx.awards.of(turn.learner.id) if a.definition_id == definition_id]
        if definition is None or not previous:
            return []
        latest = max(previous, key=lambda a: a.renewal)
        t = turn.t
        if definition.retired:
            retired = t.gettext("The **{badge}** badge is retired: it is no longer awarded, so it was not renewed.").format(
                badge=self._seen(turn, definition).title
            )
            if latest.valid_until:
                stays = t.gettext("The one you hold stays valid until {day}.").format(day=t.date(latest.valid_until))
            else:
                stays = t.gettext("The one you hold stays valid.")
            return [Text(f"{retired} {stays}")]
        award = self._new_award(turn, definition, await self.evidence(turn))
        award.renewal = latest.renewal + 1
        if not await turn.tx.awards.add(award):
            return []
        await turn.record(EventKind.RENEWED, payload={"credential": definition_id, "award": award.public_id, "renewal": award.renewal})
        await _recertified(turn, definition_id, award)
        if self._issuer is not None:
            await self._issue(turn, award, self._issuer)
        if award.valid_until:
            text = t.gettext("🏅 **Renewed: {badge}**, valid until {day}. Nicely done!").format(
                badge=self._seen(turn, definition).title, day=t.date(award.valid_until)
            )
        else:
            text = t.gettext("🏅 **Renewed: {badge}**. Nicely done!").format(badge=self._seen(turn, definition).title)
        return [self._notice(t, definition, award, text)]

    async def _issue(self, turn: Turn, award: Award, issuer: IssuerIdentity) -> None:
        """Sign the award as an OpenBadgeCredential, in the same transaction as the award; it
        carries the learner's name only if they chose so (/settings)."""
        held = {a.definition_id: a.public_id for a in await turn.tx.awards.of(turn.learner.id) if is_valid(a, turn.now)}
        facts = AwardFacts(
            public_id=award.public_id,
            definition_id=award.definition_id,
            awarded_at=award.awarded_at,
            valid_until=award.valid_until,
            status_index=award.id,
            evidence=award.evidence,
            stacked_credentials=held,
        )
        identity = hashed_identity(subject_of(turn.learner), salt=secrets.token_hex(8))
        credential = build_credential(
            award=facts,
            curriculum=self._curriculum,
            issuer=issuer.profile,
            names=issuer.names,
            subject_identity=identity,
            subject_name=turn.learner.display_name if turn.learner.name_on_credentials else None,
        )
        await turn.tx.awards.store_credential(award.id, issuer.sign(credential, created=turn.now))

    def _new_award(self, turn: Turn, definition: CredentialDefinition, evidence: Evidence) -> Award:
        valid_until = turn.now + timedelta(days=definition.valid_for_days) if definition.valid_for_days else None
        return Award(
            public_id=str(uuid.uuid4()),
            learner_id=turn.learner.id,
            definition_id=definition.id,
            kind=definition.kind.value,
            renewal=0,
            awarded_at=turn.now,
            valid_until=valid_until,
            evidence={
                "lessons": {
                    lesson: evidence.completed[lesson].isoformat() for lesson in definition.lessons if lesson in evidence.completed
                },
                "mastery": {r.skill: round(evidence.mastery.get(r.skill, 0.0), 3) for r in definition.skills},
                "rechecks": {r.skill: sorted(d.isoformat() for d in evidence.recheck_days.get(r.skill, ())) for r in definition.skills},
                "badges": list(definition.stacks),
            },
        )

    async def _tell(self, turn: Turn, definition: CredentialDefinition, award: Award) -> list[Reply]:
        t = turn.t
        if definition.kind is CredentialKind.CERTIFICATE:
            earned = t.gettext("🏅 **You earned the {title} certificate!**")
        else:
            earned = t.gettext("🏅 **You earned the {title} badge!**")
        # The description is an authored paragraph, wrapped in its file: one flowing line here,
        # since every line break of this message is kept.
        seen = self._seen(turn, definition)
        lines = [earned.format(title=seen.title), " ".join(seen.description.split())]
        if award.valid_until is not None:
            lines.append(
                t.gettext("Valid until {day}; I will offer you a short refresher before then.").format(day=t.date(award.valid_until))
            )
        lines += await self._toward_certificates(turn, definition)
        notice = self._notice(t, definition, award, "\n".join(lines))
        replies: list[Reply] = [notice]
        # The announcement is for the team channel, whose readers' languages are not known: the
        # source language, as the curriculum's titles are.
        noun = "certificate" if definition.kind is CredentialKind.CERTIFICATE else "badge"
        if turn.learner.announce:
            name = literal(turn.learner.display_name) if turn.learner.display_name else "A colleague"
            replies.append(
                Announcement(f"🎉 {name} earned the **{definition.title}** {noun}!", page_url=notice.page_url, image_url=notice.image_url)
            )
        return replies

    def _seen(self, turn: Turn, definition: CredentialDefinition) -> CredentialDefinition:
        """The credential as the learner reads it in chat (its title and description in their
        language where translated); what is issued and signed stays the source's."""
        return self._curriculum.in_language(language_of(turn.learner)).credentials.get(definition.id, definition)

    def links(self, title: str, award: Award) -> CredentialLinks | None:
        """The award's page, JSON file and add-to-LinkedIn link (as its award notice gives them);
        None without an issuer, where nothing is signed or published."""
        if self._issuer is None:
            return None
        links = self._issuer.links
        page = links.credential(award.public_id)
        linkedin = add_to_profile_url(
            name=title,
            organization=self._issuer.profile.name,
            issued=award.awarded_at,
            expires=award.valid_until,
            url=page,
            credential_id=award.public_id,
        )
        return CredentialLinks(page=page, json=links.credential_json(award.public_id), linkedin=linkedin)

    def _notice(self, t: Translator, definition: CredentialDefinition, award: Award, text: str) -> AwardNotice:
        buttons = (actions.button(t.gettext("My badges"), actions.RunCommand(commands.BADGES.name)),)
        links = self.links(definition.title, award)
        if self._issuer is None or links is None:
            return AwardNotice(title=definition.title, text=text, buttons=buttons, words=said_in(AwardWords(), t))
        return AwardNotice(
            title=definition.title,
            text=text,
            credential_id=award.public_id,
            page_url=links.page,
            image_url=self._issuer.links.credential_image(award.public_id),
            linkedin_url=links.linkedin,
            buttons=buttons,
            words=said_in(AwardWords(), t),
        )

    async def _toward_certificates(self, turn: Turn, badge: CredentialDefinition) -> list[str]:
        held = {a.definition_id for a in await turn.tx.awards.of(turn.learner.id) if is_valid(a, turn.now)}
        t = turn.t
        return [
            t.gettext("Toward the {title}: {held} of {total} badges.").format(
                title=self._seen(turn, c).title, held=sum(1 for b in c.stacks if b in held), total=len(c.stacks)
            )
            for c in self._curriculum.credentials.values()
            if c.kind is CredentialKind.CERTIFICATE and badge.id in c.stacks and not c.retired
        ]


async def _recertified(turn: Turn, definition_id: str, award: Award) -> None:
    """A renewal that meets a recertification assignment (bot/assignments.py `recertify`) says so
    in the trail: the learning record's "recertified", on time or not."""
    from bot.programme import recertification  # the programme reads awards: imported when used

    assignment = recertification(await turn.tx.assignments.of(turn.learner.id), definition_id, turn.now)
    if assignment is None:
        return
    await turn.record(
        EventKind.RECERTIFIED,
        payload={
            "assignment": assignment.id,
            "credential": definition_id,
            "award": award.public_id,
            "renewal": award.renewal,
            "due_on": assignment.due_on.isoformat(),
            "on_time": local_date(turn.now, turn.learner.timezone) <= assignment.due_on,
        },
    )


def _can_earn(event: TrailEvent) -> bool:
    """Whether an event of the turn is progress a credential may have waited for."""
    if event.kind in (EventKind.LESSON_COMPLETED, EventKind.REVIEW_COMPLETED, EventKind.REFRESHER_COMPLETED):
        return True
    return event.kind is EventKind.ANSWERED and bool(event.correct) and event.payload.get("kind") == SessionKind.REVIEW


async def renew_stale_subjects(store: Store, issuer: IssuerIdentity, *, now: datetime, batch: int = 200) -> int:
    """Credentials signed before learners had a random subject named them by a hash of their
    platform id, with the salt published beside it: anyone could find the learner by trying
    every id. Each is signed again, unchanged but for its subject (a learner who left gets a
    fresh random one that nothing keeps), so what the bot publishes no longer leads to anyone;
    copies handed out before keep verifying. A credential of an earlier did:key issuer cannot be
    signed by this key and is left as it is. Returns how many were signed again."""
    renewed = 0
    while True:
        async with store.transaction() as tx:
            stale = await tx.awards.stale_subjects(batch)
            if not stale:
                return renewed
            for award, learner in stale:
                credential = award.credential
                if credential is None or (credential.get("issuer") or {}).get("id") != issuer.profile.id:
                    await tx.awards.renew_subject(award.id, None)
                    continue
                subject = f"urn:uuid:{uuid.uuid4()}" if learner.left else subject_of(learner)
                await tx.learners.save(learner)  # a subject given to them just now is theirs from now on
                unsigned = {name: value for name, value in credential.items() if name != "proof"}
                unsigned["credentialSubject"] = {
                    **unsigned["credentialSubject"],
                    "identifier": [hashed_identity(subject, salt=secrets.token_hex(8))],
                }
                await tx.awards.renew_subject(award.id, issuer.sign(unsigned, created=now))
                renewed += 1
