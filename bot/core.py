"""The core: a platform-neutral event goes in, platform-neutral replies come out, and the
learner's progress is stored in one transaction per event."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import actions, assigned_view, assigning, choosing, commands, i18n, people, preferences, team, texts, wallet_claims
from bot.actions import StepRef
from bot.awards import Awarder, is_valid, latest_awards
from bot.clock import Clock
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef, Next, Start, TeamFromChannel, TimerFired
from bot.flow import LessonFlow
from bot.markup import literal
from bot.mastery import MasteryModel
from bot.pathway import CredentialOnMap, credential_needs, next_lesson, pathway_map
from bot.ports import DuplicateEvent, Store
from bot.progress import standing
from bot.records import Award
from bot.replies import Home, Reply, Text, reply_from_json, reply_to_json
from bot.schedule import Rhythm, next_reachable
from bot.settings import apply_setting
from bot.streaks import at_risk_now
from bot.suspension import lapses
from bot.turn import Turn
from bot.vocabulary import FOLLOW_UPS, EventKind, NudgeKind, Nudges
from content.model import CredentialKind, Curriculum
from credentials.issuer import IssuerIdentity

log = logging.getLogger(__name__)

LATER_DELAY = timedelta(hours=2)


class Core:
    def __init__(
        self,
        *,
        curriculum: Curriculum,
        store: Store,
        clock: Clock,
        mastery: MasteryModel | None = None,
        issuer: IssuerIdentity | None = None,
        translators: i18n.Translators | None = None,
    ) -> None:
        self._curriculum = curriculum
        self._store = store
        self._clock = clock
        self._mastery = mastery or MasteryModel()
        self._flow = LessonFlow(curriculum=curriculum, mastery=self._mastery)
        self._awarder = Awarder(curriculum=curriculum, mastery=self._mastery, issuer=issuer)
        self._issuer = issuer
        self._translators = translators or i18n.Translators.load()  # the bot's texts in each language
        self._web_url = issuer.links.base_url if issuer is not None else None  # where the dashboard is

    @property
    def curriculum(self) -> Curriculum:
        return self._curriculum

    @property
    def translators(self) -> i18n.Translators:
        """The bot's texts in each language, for what an adapter says itself (the database is away)."""
        return self._translators

    async def handle(self, event: Event) -> list[Reply]:
        """Handle one event. A redelivered event (same learner, same source id) returns no
        replies and changes nothing."""
        return await self._handle(event, again=False)

    async def handle_taken_over(self, event: Event) -> list[Reply]:
        """Handle an event whose delivery was taken over from a process that died (or lost its
        lease) while handling it: if that process recorded it, nothing changes and the replies
        it got then are returned (they may never have been sent), as long as it is still the
        learner's latest; otherwise it is handled as usual."""
        return await self._handle(event, again=True)

    async def _handle(self, event: Event, *, again: bool) -> list[Reply]:
        now = self._clock.now()
        try:
            async with self._store.transaction() as tx:
                learner, created = await tx.learners.locked(event.learner, now=now)
                if learner.nudges == Nudges.DORMANT and not isinstance(event, TimerFired):
                    learner.nudges = Nudges.ON  # they came back: daily offers resume
                if event.learner.timezone and not learner.timezone_confirmed:
                    learner.timezone, learner.timezone_confirmed = event.learner.timezone, True
                i18n.heard(learner, event.learner.language)
                turn = Turn(tx=tx, learner=learner, now=now, source_id=event.source_id, translators=self._translators)
                replies = await self._dispatch(turn, event, created)
                # What the turn recorded decides what the awarder looks at: a passed refresher
                # renews its badge; a lesson completed or a re-check answered right can earn one.
                replies += await self._awarder.after(turn)
                if event.source_id is not None:
                    # Kept in the same transaction as what the turn recorded; nothing of someone who
                    # left, and no secret (a taken-over /team then gets no reply: it can be sent again).
                    keep = not (learner.left or turn.replies_secret)
                    learner.kept_source = event.source_id if keep else None
                    learner.kept_replies = _as_json(replies) if keep else None
                await turn.finish(event.recorded_as)
                return replies
        except DuplicateEvent:
            if again:
                return await self._replies_kept_for(event)
            log.info("duplicate event %s ignored", event.source_id)
            return []

    async def _replies_kept_for(self, event: Event) -> list[Reply]:
        async with self._store.transaction() as tx:
            learner = await tx.learners.find(event.learner.platform, event.learner.user_id)
        if learner is None or learner.kept_source != event.source_id or learner.kept_replies is None:
            log.info("duplicate event %s ignored: its replies are no longer kept", event.source_id)
            return []
        log.info("duplicate event %s taken over: its replies are given again", event.source_id)
        return [reply_from_json(reply) for reply in json.loads(learner.kept_replies)]

    async def speaks(self, who: LearnerRef) -> str:
        """The language the learner is spoken to in now (their choice in /settings, else what their
        platform says): for the words an adapter says itself (the console's). Reads only."""
        async with self._store.reading() as tx:
            learner = await tx.learners.find(who.platform, who.user_id)
        if learner is None:  # not met yet, or gone: as the platform says
            return i18n.supported(who.language) or i18n.DEFAULT
        i18n.heard(learner, who.language)
        return i18n.language_of(learner)

    async def home(self, who: LearnerRef) -> Home:
        """What the learner's home screen shows: the next step, the pathway map, streak and
        mastery, badges. Read-only: it records no event (opening a tab is not learning)."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            learner, _ = await tx.learners.locked(who, now=now)
            i18n.heard(learner, who.language)  # said in the language they use now (not saved: opening a tab changes nothing)
            turn = Turn(tx=tx, learner=learner, now=now, translators=self._translators)
            t = turn.t
            session = await tx.sessions.active(learner.id)
            if session is not None:
                next_step = Text(
                    t.gettext("You are in the middle of **{lesson}**.").format(lesson=session.title),
                    (actions.button(t.gettext("Continue"), actions.CONTINUE),),
                )
            else:
                next_step = await self._flow.next_step_offer(turn)
            now_standing = await standing(tx, self._mastery, learner, now)
            path = await self._path(turn)
            return Home(
                sections=(
                    (t.gettext("Next step"), next_step.text),
                    (t.gettext("Pathway"), path.text),
                    (t.gettext("Streak and mastery"), texts.progress(t, now_standing, self._seen(turn), learner.timezone)),
                    (t.gettext("Badges"), (await self._badges(turn)).text),
                ),
                buttons=tuple(b for b in next_step.buttons if actions.parse(b.action) != actions.LATER)
                + tuple(b for b in path.buttons if isinstance(actions.parse(b.action), actions.ChooseLesson)),
                title=t.gettext(Home.title),
            )

    async def _dispatch(self, turn: Turn, event: Event, created: bool) -> list[Reply]:
        match event:
            case Start():
                return await self._start(turn, event.timezone, created)
            case Next():
                return await self._flow.resume(turn, advance_card=True)
            case Answer():
                return await self._flow.answer(turn, StepRef.parse(event.ref), event.choices)
            case ButtonPressed():
                return await self._button(turn, event.action)
            case Command():
                return await self._command(turn, event.name, event.args.strip(), created)
            case TimerFired():
                return await self._timer(turn, event.kind)
            case TeamFromChannel():
                return [await self._team_from_channel(turn, event)]
        return [Text(turn.t.gettext("Sorry, I did not understand that. /help lists what I can do."))]

    async def _start(self, turn: Turn, timezone: str | None, created: bool) -> list[Reply]:
        """`/start` (commands.START): first contact greets; later, welcome back, where they are."""
        learner, t = turn.learner, turn.t
        if timezone and (created or not learner.timezone_confirmed):
            learner.timezone, learner.timezone_confirmed = timezone, True
        await turn.record(EventKind.STARTED, payload={"first_contact": created})
        if created and not learner.timezone_confirmed:
            # The platform does not know the learner's timezone: ask, then the daily time.
            greeting = texts.greeting(t, learner.display_name, self._seen(turn), None, None, learner.daily_time)
            return [preferences.region_picker(t, greeting, actions.Mode.ONBOARDING)]
        if created:
            first = next_lesson(self._seen(turn), set())
            return [
                Text(
                    texts.greeting(
                        t, learner.display_name, self._seen(turn), first, learner.timezone, learner.daily_time, learner.working_days
                    ),
                    (
                        actions.button(t.gettext("Start now"), actions.CONTINUE),
                        actions.button(t.gettext("Later"), actions.LATER),
                        actions.button(t.gettext("Daily time"), actions.AskTime()),
                    ),
                )
            ]
        session = await turn.tx.sessions.active(learner.id)
        if session is not None:
            welcome = Text(t.gettext("Welcome back! You were in the middle of **{lesson}**.").format(lesson=session.title))
            return [welcome, *await self._flow.resume(turn, advance_card=False)]
        return [Text(t.gettext("Welcome back!")), await self._flow.next_step_offer(turn)]

    async def _button(self, turn: Turn, action: str) -> list[Reply]:
        match pressed := actions.parse(action):
            case actions.Continue():
                return await self._flow.resume(turn, advance_card=False)
            case actions.NextCard(ref):
                return await self._flow.press_next(turn, ref)
            case actions.ChooseOption(ref, option):
                return await self._flow.answer(turn, ref, (option,))
            case actions.RunCommand(name) if commands.named(name, turn.learner.platform) is not None:
                return await self._command(turn, name, "", created=False)
            case actions.ChooseLesson(pathway):
                return await choosing.menu(turn, self._curriculum, self._flow, pathway)
            case actions.StartLesson(lesson):
                return await choosing.start(turn, self._curriculum, self._flow, lesson)
            case actions.Later():
                return [await self._later(turn)]
            case actions.SkipToday():
                await turn.record(EventKind.SKIPPED_TODAY)
                await turn.tx.nudges.cancel(turn.learner.id, FOLLOW_UPS, turn.now)
                return [Text(turn.t.gettext("Skipped for today. See you tomorrow!"))]
            case _ if isinstance(pressed, actions.PREFERENCES):
                return await preferences.press(turn, pressed, first_lesson_offer=lambda: self._first_lesson_offer(turn))
        log.warning("unknown button action %r", action)
        return [Text(turn.t.gettext("That button is no longer valid. /next continues where you are."))]

    async def _command(self, turn: Turn, name: str, args: str, created: bool) -> list[Reply]:
        """A typed command, as bot/commands.py names it for the learner's platform."""
        command = commands.named(name, turn.learner.platform)
        if command is None:
            typed = name.lower().lstrip("/")
            shown = typed if len(typed) <= 30 else typed[:30] + "…"
            help_text = texts.help_for(turn.t, turn.learner.platform, turn.learner.role)
            unknown = turn.t.gettext("I don't know the command /{command}.").format(command=literal(shown))
            return [Text(f"{unknown} {help_text}")]
        if command is commands.START:
            return await self._start(turn, None, created)
        if command is commands.NEXT:
            return await self._flow.resume(turn, advance_card=True)
        if command is commands.PATH:
            return [await self._path(turn)]
        if command is commands.PROGRESS:
            now_standing = await standing(turn.tx, self._mastery, turn.learner, turn.now)
            return [Text(texts.progress(turn.t, now_standing, self._seen(turn), turn.learner.timezone))]
        if command is commands.BADGES:
            return [await self._badges(turn, wallet=True)]
        if command is commands.SETTINGS and not args:
            return [preferences.settings_menu(turn, await apply_setting(turn, args))]
        if command is commands.SETTINGS:
            return [Text(await apply_setting(turn, args))]
        if command in (commands.STOP, commands.RESUME):
            return [await self._nudges(turn, on=command is commands.RESUME)]
        if command is commands.TEAM:
            return [await self._team(turn)]
        if command is commands.ASSIGN:
            return [await assigning.command(turn, self._curriculum, args)]
        # HELP, and what only an adapter does (QUIT: the console ends; TEAM_SYNC: Slack reads the channel)
        return [Text(texts.help_for(turn.t, turn.learner.platform, turn.learner.role))]

    async def _later(self, turn: Turn) -> Text:
        """Snooze: one more offer after LATER_DELAY, at a moment the learner can be reached;
        it replaces the reminders still waiting."""
        await turn.record(EventKind.SNOOZED)
        learner, t = turn.learner, turn.t
        await turn.tx.nudges.cancel(learner.id, FOLLOW_UPS, turn.now)
        at = next_reachable(Rhythm.of(learner, await turn.tx.holds.of(learner.id)), turn.now + LATER_DELAY)
        if at is None or learner.nudges != Nudges.ON:
            return Text(t.gettext("No problem. Type /next whenever you have five minutes."))
        await turn.tx.nudges.schedule(learner.id, NudgeKind.LATER, at)
        local = at.astimezone(ZoneInfo(learner.timezone))
        return Text(
            t.gettext("No problem: I'll check in again around {time}. Or type /next whenever you have five minutes.").format(
                time=f"{local:%H:%M}"
            )
        )

    async def _nudges(self, turn: Turn, on: bool) -> Text:
        """`stop`: no more messages the bot starts, until `resume`. Progress is untouched."""
        learner, t = turn.learner, turn.t
        learner.nudges = Nudges.ON if on else Nudges.STOPPED
        await turn.record(EventKind.SETTINGS_CHANGED, payload={"nudges": learner.nudges})
        if not on:
            await turn.tx.nudges.cancel(learner.id, (NudgeKind.DAILY, *FOLLOW_UPS), turn.now)
            return Text(t.gettext("Okay: I will not message you until you say /resume. Your progress stays; /next any time."))
        return Text(
            t.gettext("Welcome back! Your daily lesson comes at {time} ({timezone}), {days}.").format(
                time=learner.daily_time, timezone=learner.timezone, days=texts.days_phrase(t, learner.working_days)
            )
        )

    async def _team(self, turn: Turn) -> Text:
        """`/team`: a manager's teams in short, and a one-time sign-in link to the dashboard."""
        if not commands.TEAM.allows(turn.learner.role):
            return Text(turn.t.gettext("/team is for managers. Ask your L&D team if you should have access."))
        teams = await team.summaries(turn.tx, await team.visible_teams(turn.tx, turn.learner), turn.now)
        link = None
        if self._web_url:
            await turn.tx.access.purge_expired(turn.now)  # links and sessions nobody can use any more
            link = await team.signin_link(turn.tx, turn.learner, self._web_url, turn.now)
            turn.replies_secret = True
        await turn.record(EventKind.TEAM_SUMMARY)
        return Text(team.summary_text(teams, link, turn.t))

    async def may_set_teams(self, who: LearnerRef) -> bool:
        """Whether `who` may make a team from a chat's members (admins only). Adapters ask before
        fetching the members; `handle` checks again in its transaction."""
        async with self._store.transaction() as tx:
            learner = await tx.learners.find(who.platform, who.user_id)
            return learner is not None and commands.TEAM_SYNC.allows(learner.role)

    async def _team_from_channel(self, turn: Turn, event: TeamFromChannel) -> Text:
        """The team becomes exactly the chat's members, in this event's one transaction."""
        if not commands.TEAM_SYNC.allows(turn.learner.role):
            return Text(turn.t.gettext(texts.ADMINS_ONLY))
        name = event.team_name.strip()
        if not name or len(name) > people.TEAM_NAME_LIMIT:
            said = turn.t.gettext("A team name needs 1 to {limit} characters, not {length}.")
            return Text(said.format(limit=people.TEAM_NAME_LIMIT, length=len(name)))
        job_role = None
        if event.job_role is not None:
            job_role = people.find_job_role(self._curriculum.roles, event.job_role)
            if job_role is None:
                return Text(people.unknown_job_role_text(event.job_role, self._curriculum.roles, turn.t))
        synced = await people.sync_team(
            turn.tx,
            platform=turn.learner.platform,
            team=name,
            members=event.members,
            manager=event.manager,
            now=turn.now,
            job_role=job_role,
            curriculum=self._curriculum,
            by=turn.learner.id,
        )
        await turn.record(
            EventKind.TEAM_SYNCED,
            payload={
                "team": name,
                "members": synced.members,
                "added": synced.added,
                "removed": synced.removed,
                "created": synced.created,
                "manager": synced.manager_id,  # a learner id: no platform ids in the trail
                **({"job_role": job_role.id, "role_given": synced.role_given, "assigned": synced.assigned} if job_role else {}),
            },
        )
        return Text(people.synced_text(synced, turn.t))

    async def _first_lesson_offer(self, turn: Turn) -> Text:
        """What onboarding ends with: the next lesson (toward what is assigned, if anything is), now or later."""
        first = (await self._flow.plan(turn)).lesson
        t = turn.t
        text = texts.first_up(t, first) if first is not None else t.gettext("You are all set.")
        return Text(text, (actions.button(t.gettext("Start now"), actions.CONTINUE), actions.button(t.gettext("Later"), actions.LATER)))

    async def _credentials_on_map(self, turn: Turn) -> list[CredentialOnMap]:
        """Each credential and what it still needs; a retired one (no longer awarded) only when
        the learner was awarded it."""
        evidence = await self._awarder.evidence(turn)
        recheck_days = {skill: len(days) for skill, days in evidence.recheck_days.items()}
        awarded = {award.definition_id for award in await turn.tx.awards.of(turn.learner.id)}
        seen = self._seen(turn)
        return [
            credential_needs(
                seen,
                definition,
                completed=set(evidence.completed),
                mastery=evidence.mastery,
                held=set(evidence.valid_badges),
                recheck_days=recheck_days,
            )
            for definition in seen.credentials.values()
            if not definition.retired or definition.id in awarded
        ]

    def _seen(self, turn: Turn) -> Curriculum:
        """The curriculum as the learner reads it: titles, descriptions and skills in their
        language where translated (the same ids and checks in every language)."""
        return self._curriculum.in_language(i18n.language_of(turn.learner))

    async def _held(self, turn: Turn) -> dict[str, Award]:
        """Valid awards by definition id."""
        return {a.definition_id: a for a in await turn.tx.awards.of(turn.learner.id) if is_valid(a, turn.now)}

    async def _path(self, turn: Turn) -> Text:
        """What is assigned and not done (bot/assigned_view.py), then the map, its next lesson the
        one that moves the most urgent assignment forward; with nothing assigned, a lesson to choose."""
        completed = await turn.tx.sessions.completed_lessons(turn.learner.id)
        session = await turn.tx.sessions.active(turn.learner.id)
        in_progress = session.lesson_id if session is not None else None
        assigned = await assigned_view.assigned(turn, self._curriculum, completed=completed, names=True)
        marked = assigned.toward[0] if assigned.toward is not None else None
        pathways = pathway_map(self._seen(turn), completed, in_progress, upcoming=marked)
        head = assigned_view.lines(assigned, self._curriculum, turn)
        t = turn.t
        shown = "\n".join([*head, *([""] if head else []), texts.pathway_map(t, pathways, await self._credentials_on_map(turn))])
        may_choose = choosing.may_choose(self._curriculum, assigned, completed, busy=session is not None)
        choose = (choosing.choose_button(t),) if may_choose else ()
        if await self._flow.has_next_step(turn):
            return Text(shown, (actions.button(t.gettext("Continue"), actions.CONTINUE), *choose))
        # Nothing to continue: a Continue button would only lead back here. Say what is left.
        left = [t.gettext(texts.PATH_ALL_DONE)]
        if (upcoming := await self._flow.next_recheck(turn)) is not None:
            left.append(t.gettext(texts.PATH_NEXT_RECHECK).format(when=texts.when(t, upcoming, turn.learner.timezone)))
        left.append(t.gettext(texts.PATH_BADGES))
        return Text("\n".join([shown, "", *left]))

    async def _badges(self, turn: Turn, *, wallet: bool = False) -> Text:
        """Every credential the learner earned, once each: held (with its page, JSON file and
        add-to-LinkedIn link), suspended, expired or revoked; then what is still to earn.
        `wallet`: the learner's own /badges reply also offers a one-time link to claim each valid
        credential into a wallet (not the App Home, drawn afresh at every open)."""
        awards = await turn.tx.awards.of(turn.learner.id)
        earned = latest_awards(awards, turn.now)
        t = turn.t
        lines = [t.gettext("**Your badges**")]
        for award in earned:
            definition = self._seen(turn).credentials.get(award.definition_id)
            title = definition.title if definition else award.definition_id
            # A refresher renews an expired badge (bot/flow.py); nothing renews a certificate, or a retired badge.
            retired = definition is not None and definition.retired
            renewable = definition is not None and definition.kind is CredentialKind.BADGE and not retired
            lapsed = lapses(award, awards, self._curriculum, now=turn.now)  # a certificate whose badge is not valid
            links = self._awarder.links(title, award)
            lines += texts.earned(t, title, award, turn.now, links, renewable=renewable, lapses=lapsed, retired=retired)
            if wallet and self._web_url and not lapsed:
                link = await wallet_claims.claim_link(turn.tx, award, base_url=self._web_url, now=turn.now)
                if link is not None:
                    lines.append("   " + wallet_claims.claim_line(link))
                    turn.replies_secret = True  # as /team: a one-time link is not kept for a redelivery
        if not earned:
            lines.append(t.gettext(texts.NO_BADGES))
        # Nothing awarded once is awarded again (bot/awards.py): an expired or revoked one is not "to earn".
        pending = [c for c in await self._credentials_on_map(turn) if c.definition.id not in {a.definition_id for a in earned}]
        if pending:
            lines += ["", t.gettext("**Still to earn**")] + [texts.credential_line(t, c) for c in pending]
        return Text("\n".join(lines), (actions.button(t.gettext("Continue learning"), actions.CONTINUE),))

    async def _timer(self, turn: Turn, kind: str) -> list[Reply]:
        if kind != NudgeKind.DAILY:
            log.warning("unknown timer %r", kind)
            return []
        await turn.record(EventKind.NUDGED)
        return await self._daily_offer(turn)

    async def nudge(self, who: LearnerRef, kind: NudgeKind = NudgeKind.DAILY) -> list[Reply]:
        """The offer of a nudge the bot starts (the daily one, a reminder, the later the learner
        asked for): read-only, like `home`. The delivery records it once it has gone out;
        nothing is offered when nothing is left to do."""
        now = self._clock.now()
        async with self._store.transaction() as tx:
            learner = await tx.learners.find(who.platform, who.user_id)
            if learner is None:
                return []
            turn = Turn(tx=tx, learner=learner, now=now, translators=self._translators)
            if kind is NudgeKind.REISSUED:
                return await self._reissued_notice(turn)
            if kind is NudgeKind.ASSIGNED:  # what a manager assigned (bot/assigning.py); records what it tells
                return await assigning.notice(turn, self._curriculum)
            return await self._daily_offer(turn, kind)

    async def _reissued_notice(self, turn: Turn) -> list[Reply]:
        """After `credentials rotate-key --compromised` signed their credentials again
        (bot/reissuing.py): the copies they saved before no longer verify."""
        held = await self._held(turn)
        if not held or self._issuer is None:
            return []
        lines = [turn.t.gettext(texts.REISSUED)]
        for definition_id, award in held.items():
            definition = self._seen(turn).credentials.get(definition_id)
            title = definition.title if definition else definition_id
            lines.append(f"🏅 [{title}]({self._issuer.links.credential(award.public_id)})")
        return [Text("\n".join(lines), (actions.button(turn.t.gettext("My badges"), actions.RunCommand(commands.BADGES.name)),))]

    async def _daily_offer(self, turn: Turn, kind: NudgeKind = NudgeKind.DAILY) -> list[Reply]:
        session = await turn.tx.sessions.active(turn.learner.id)
        plan = await self._flow.plan(turn)
        t = turn.t
        if session is not None:
            subject = t.gettext("continue {lesson}").format(lesson=session.title)
        elif plan.due_checks:
            subject = t.ngettext("{count} quick re-check", "{count} quick re-checks", plan.due_checks).format(count=plan.due_checks)
        elif plan.refresher is not None:
            subject = t.gettext("refresher for your {badge} badge").format(badge=plan.refresher.title)
        elif plan.lesson is not None:
            subject = plan.lesson.title
        else:
            return []
        if kind.is_reminder:
            lead = "⏰ " + t.gettext("Still five minutes today?")
        else:
            lead = "⏰ " + t.gettext("As you asked:") if kind is NudgeKind.LATER else "⏰"
        text = lead + " " + t.gettext("5-minute lesson: **{subject}**").format(subject=subject)
        if session is None and not plan.due_checks and plan.refresher is None and plan.toward is not None:
            text += "\n" + assigned_view.offer_line(plan.toward, turn)  # the lesson offered moves it forward
        at_risk = at_risk_now(turn.learner, turn.now)
        if at_risk:
            text += "\n🔥 " + t.ngettext(
                "Five minutes today keep your {days}-day streak going.", "Five minutes today keep your {days}-day streak going.", at_risk
            ).format(days=at_risk)
        return [
            Text(
                text,
                (
                    actions.button(t.gettext("Start"), actions.CONTINUE),
                    actions.button(t.gettext("Later"), actions.LATER),
                    actions.button(t.gettext("Skip today"), actions.SKIP_TODAY),
                ),
            )
        ]


def _as_json(replies: list[Reply]) -> str:
    return json.dumps([reply_to_json(reply) for reply in replies], separators=(",", ":"), ensure_ascii=False)
