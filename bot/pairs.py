"""Mentoring pairs: shortlists and choice, mentor accept/decline/timeout, direct publishing, manual pairs, exit."""

from __future__ import annotations

from datetime import timedelta

from bot import pairing
from bot.context import Ctx, Feature, Scope
from bot.errors import UserError
from bot.events import Action, FormSubmitted
from bot.grammar import CommandSpec, mentioned_users
from bot.i18n import Translator, resolve_locale
from bot.messages import Button, Buttons, Form, Header, Message, Text, TextInput
from bot.notify import dm, post
from bot.pair_matching import MENTEE, MENTOR, Pool, load_pool, shortlist_for, taken_seats, why
from bot.payload import Unavailable, int_id
from bot.planning import PlanContext
from bot.ports import DeliveryError, Target
from bot.program_lookup import find_program, program_by_id
from bot.replies import OpenForm, Reply, Response
from bot.text_keys import slugify
from storage.tables import Member, Pair, PairRequest, PairRequestStatus, PairStatus, Program, ProgramState
from storage.upsert import insert_ignore

END_FORM = "pair.end"


def _name(member: Member) -> str:
    return member.display_name or member.external_id


def shortlist_message(t: Translator, program: Program, pool: Pool, suggestions: list[pairing.Suggestion]) -> Message:
    if not suggestions:
        return Message(text=t("pairs.no_candidates", program=program.name))
    lines, buttons = [], []
    for s in suggestions:
        mentor = pool.members[s.mentor_id]
        lines.append(f"• {_name(mentor)} ({mentor.department or '-'}): {why(t, s.reason)}")
        buttons.append(Button(t("pairs.choose_button", name=_name(mentor))[:75],
                              f"pair.choose:{program.id}.{s.mentor_id}", style="primary"))
    intro = t("pairs.shortlist", program=program.name, hours=program.pair_response_hours)
    return Message(text="\n".join([intro, *lines]),
                   blocks=(Header(t("pairs.shortlist_title")), Text(intro), Text("\n".join(lines)),
                           Buttons(tuple(buttons))))


async def offer_shortlist(ctx: Scope, pool: Pool, mentee: Member) -> list[pairing.Suggestion]:
    suggestions = await shortlist_for(ctx, pool, mentee.id or 0)
    offered = len(await ctx.uow.pairs.requests_of_mentee(program_id=pool.program.id or 0,
                                                         mentee_member_id=mentee.id or 0))
    ended = len([p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=mentee.id or 0,
                                                          active_only=False) if p.program_id == pool.program.id])
    await dm(ctx, member=mentee, key=f"shortlist:{pool.program.id}:{mentee.id}:{offered}:{ended}", kind="pair",
             program_id=pool.program.id,
             build=lambda t: shortlist_message(t, pool.program, pool, suggestions))
    return suggestions


async def start_matching(ctx: Ctx, program: Program) -> str:
    """`program form` for pair programs: shortlists to every mentee, or the optimal matching at once."""
    pool = await load_pool(ctx, program)
    if program.pair_matching == "direct":
        return await publish_matching(ctx, program, pool)
    offered = 0
    for person in pool.mentees:
        if await offer_shortlist(ctx, pool, pool.members[person.member_id]):
            offered += 1
    return ctx.t("pairs.shortlists_sent", program=program.name, count=offered, unmatched=len(pool.mentees) - offered)


async def publish_matching(ctx: Ctx, program: Program, pool: Pool | None = None) -> str:
    pool = pool or await load_pool(ctx, program)
    paired = {p.mentee_member_id for p in await ctx.uow.pairs.of_program(workspace_id=ctx.workspace_id,
                                                                         program_id=program.id or 0)}
    seats = await taken_seats(ctx, program)
    free_mentors = [pairing.Person(**{**p.__dict__, "capacity": max(0, p.capacity - seats.get(p.member_id, 0))})
                    for p in pool.mentors]
    waiting = [p for p in pool.mentees if p.member_id not in paired]
    for request in await ctx.uow.pairs.pending_requests(program_id=program.id or 0):
        request.status, request.answered_at = PairRequestStatus.WITHDRAWN, ctx.now
        ctx.uow.session.add(request)
    matches = pairing.match(mentors=free_mentors, mentees=waiting, rules=pool.rules)
    for mentee_id, mentor_id, score in matches:
        await create_pair(ctx, program, pool.members[mentor_id], pool.members[mentee_id], score=score)
    total = sum(score for _, _, score in matches)
    return ctx.t("pairs.published", program=program.name, pairs=len(matches), unmatched=len(waiting) - len(matches),
                 score=f"{total:.2f}")


async def create_pair(ctx: Ctx, program: Program, mentor: Member, mentee: Member, *, score: float) -> Pair:
    earlier = [p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=mentee.id or 0,
                                                        active_only=False) if p.program_id == program.id]
    pair = Pair(workspace_id=ctx.workspace_id, program_id=program.id or 0, mentor_member_id=mentor.id or 0,
                mentee_member_id=mentee.id or 0, round=len(earlier) + 1, score=score, started_at=ctx.now)
    ctx.uow.pairs.add(pair)
    await ctx.uow.commit()  # on record before the platform creates its space (see launch_circle)
    try:
        space = await ctx.services.messenger.open_space(
            workspace_id=ctx.workspace.external_id, platform=ctx.workspace.platform,
            name=slugify(f"{program.slug}-pair-{pair.id}", max_length=70),
            members=[mentor.external_id, mentee.external_id], private=True, group_chat=True)
        pair.space = space.target.key()
    except DeliveryError:
        pair.space = ""  # they still get DMs; the admin sees the pair without a space in `pair list`
    ctx.uow.session.add(pair)
    t = Translator(resolve_locale(ctx.workspace.locale))
    if pair.space:
        await post(ctx, target=Target.from_key(pair.space), key=f"pair-welcome:{pair.id}", kind="welcome",
                   program_id=program.id, message=welcome(t, program, mentor, mentee))
    else:
        for member in (mentor, mentee):
            await dm(ctx, member=member, key=f"pair-welcome:{pair.id}:{member.id}", kind="welcome",
                     program_id=program.id, build=lambda tr: welcome(tr, program, mentor, mentee))
    return pair


def welcome(t: Translator, program: Program, mentor: Member, mentee: Member) -> Message:
    rules = " · ".join(x for x in (program.rules_frequency, program.rules_duration, program.rules_topics) if x)
    lines = [t("pairs.welcome", mentor=_name(mentor), mentee=_name(mentee), program=program.name,
               format=t(f"format.{program.format}")),
             t("pairs.ground_rules", rules=rules or t("pairs.default_rules")),
             t("pairs.smart_goals")]
    if program.video_link:
        lines.append(f"{t('formation.video')}: {program.video_link}")
    return Message(text="\n".join(lines), blocks=(Header(t("pairs.welcome_title")), *(Text(x) for x in lines)))


async def _pair_program(ctx: Ctx, arg: str) -> tuple[Program, int]:
    program_part, _, mentor_part = arg.partition(".")  # "<program>.<mentor's member id>"
    program = await program_by_id(ctx, program_part)
    mentor_id = int_id(mentor_part)
    if program.state not in (ProgramState.FORMING, ProgramState.RUNNING):
        raise UserError("pairs.not_matching")
    return program, mentor_id


async def choose(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    program, mentor_id = await _pair_program(ctx, arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    if enrollment is None or enrollment.status != "active" or enrollment.role != MENTEE:
        raise UserError("pairs.only_mentees")
    if [p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
            if p.program_id == program.id]:
        raise UserError("pairs.already_paired")
    requests = await ctx.uow.pairs.requests_of_mentee(program_id=program.id or 0, mentee_member_id=ctx.member_id)
    if any(r.status == PairRequestStatus.PENDING for r in requests):
        raise UserError("pairs.request_pending")
    pool = await load_pool(ctx, program)
    # Only a mentor the server would shortlist for this mentee now, never any member id the client names.
    if mentor_id not in {s.mentor_id for s in await shortlist_for(ctx, pool, ctx.member_id)}:
        raise UserError("pairs.mentor_unavailable")
    created = await insert_ignore(ctx.uow.session, PairRequest, values={
        "workspace_id": ctx.workspace_id, "program_id": program.id, "mentee_member_id": ctx.member_id,
        "mentor_member_id": mentor_id, "status": PairRequestStatus.PENDING,
        "expires_at": ctx.now + timedelta(hours=program.pair_response_hours), "created_at": ctx.now},
        conflict=("program_id", "mentee_member_id", "mentor_member_id"))
    if created is None:
        raise UserError("pairs.request_pending")
    mentor = pool.members[mentor_id]
    mentee = ctx.member
    await dm(ctx, member=mentor, key=f"pair-request:{created}", kind="pair", program_id=program.id,
             build=lambda t: _request_message(t, program, mentee, created))
    return [Reply(Message(text=ctx.t("pairs.requested", name=_name(mentor), hours=program.pair_response_hours)))]


def _request_message(t: Translator, program: Program, mentee: Member, request_id: int) -> Message:
    wants = ", ".join(mentee.skills_wanted) or "-"
    text = t("pairs.request", mentee=_name(mentee), program=program.name, wants=wants,
             hours=program.pair_response_hours)
    return Message(text=text, blocks=(Text(text), Buttons((
        Button(t("pairs.accept"), f"pair.accept:{request_id}", style="primary"),
        Button(t("pairs.decline"), f"pair.decline:{request_id}")))))


async def _request(ctx: Ctx, arg: str) -> tuple[PairRequest, Program]:
    request = await ctx.uow.pairs.request(workspace_id=ctx.workspace_id, request_id=int_id(arg))
    if request is None or request.mentor_member_id != ctx.member_id:  # only the mentor asked may answer
        raise Unavailable()
    if request.status != PairRequestStatus.PENDING:
        raise UserError("pairs.request_closed")
    if request.expires_at <= ctx.now:
        raise UserError("pairs.request_closed")
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=request.program_id)
    if program is None:
        raise Unavailable()
    return request, program


async def accept(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    request, program = await _request(ctx, arg)
    enrollment = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                               member_id=ctx.member_id)
    seats = (await taken_seats(ctx, program)).get(ctx.member_id, 0)
    if enrollment is None or seats >= enrollment.capacity:
        raise UserError("pairs.full")
    mentee = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=request.mentee_member_id)
    assert mentee is not None
    request.status, request.answered_at = PairRequestStatus.ACCEPTED, ctx.now
    ctx.uow.session.add(request)
    pool = await load_pool(ctx, program)
    score = pairing.pair_score(mentor=pool.mentor(ctx.member_id), mentee=pool.mentee(mentee.id or 0),
                               rules=pool.rules) or 0.0
    await create_pair(ctx, program, ctx.member, mentee, score=score)
    await dm(ctx, member=mentee, key=f"pair-accepted:{request.id}", kind="pair", program_id=program.id,
             build=lambda t: Message(text=t("pairs.accepted_mentee", name=_name(ctx.member))))
    return [Reply(Message(text=ctx.t("pairs.accepted", name=_name(mentee))))]


async def decline(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    request, program = await _request(ctx, arg)
    request.status, request.answered_at = PairRequestStatus.DECLINED, ctx.now
    ctx.uow.session.add(request)
    await ctx.uow.flush()
    await _offer_next(ctx, program, request.mentee_member_id, "pairs.declined_mentee")
    return [Reply(Message(text=ctx.t("pairs.declined")))]


async def _offer_next(ctx: Ctx, program: Program, mentee_id: int, note_key: str) -> None:
    mentee = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=mentee_id)
    if mentee is None:
        return
    await dm(ctx, member=mentee, key=f"{note_key}:{program.id}:{mentee_id}:{ctx.now.isoformat()}", kind="pair",
             program_id=program.id, build=lambda t: Message(text=t(note_key)))
    await offer_shortlist(ctx, await load_pool(ctx, program), mentee)


async def publish(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    if program.format == "circles" or program.state not in (ProgramState.FORMING, ProgramState.RUNNING):
        raise UserError("pairs.not_matching")
    return [Reply(Message(text=await publish_matching(ctx, program)))]


async def set_pair(ctx: Ctx, args: str) -> list[Response]:
    """Admins adjust by hand: `pair set <program> @mentor @mentee`."""
    users = mentioned_users(args)
    name = args.split("<@", 1)[0].strip()
    if len(users) != 2 or not name:
        raise UserError("pairs.set_usage")
    program = await find_program(ctx, name)
    people = []
    for user, role in zip(users, (MENTOR, MENTEE), strict=True):
        member = await ctx.uow.members.by_external_id(workspace_id=ctx.workspace_id, external_id=user)
        enrollment = member and await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id,
                                                              program_id=program.id or 0, member_id=member.id or 0)
        if member is None or not enrollment or enrollment.role != role or enrollment.status != "active":
            raise UserError("pairs.set_roles", user=f"<@{user}>", role=ctx.t(f"pairs.role.{role}"))
        people.append(member)
    mentor, mentee = people
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=mentee.id or 0):
        if pair.program_id == program.id and pair.mentee_member_id == mentee.id:
            pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
            pair.end_reason = "adjusted by an admin"
            ctx.uow.session.add(pair)
    await ctx.uow.flush()
    await create_pair(ctx, program, mentor, mentee, score=0.0)
    return [Reply(Message(text=ctx.t("pairs.set", mentor=_name(mentor), mentee=_name(mentee))))]


async def my_pairs(ctx: Ctx) -> list[Pair]:
    pairs = await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
    if not pairs:
        raise UserError("pairs.none")
    return pairs


async def info(ctx: Ctx, args: str) -> list[Response]:
    lines = []
    for pair in await my_pairs(ctx):
        partner_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
        partner = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=partner_id)
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
        role = MENTOR if pair.mentor_member_id == ctx.member_id else MENTEE
        lines.append(ctx.t("pairs.info_line", program=program.name if program else "-",
                           partner=_name(partner) if partner else "-", role=ctx.t(f"pairs.role.{role}")))
    return [Reply(Message(text="\n".join(lines)))]


async def end(ctx: Ctx, args: str) -> list[Response]:
    pair = (await my_pairs(ctx))[-1]
    return [OpenForm(Form(form_id=END_FORM, title=ctx.t("pairs.end_title"), submit=ctx.t("pairs.end_submit"),
                          intro=ctx.t("pairs.end_intro"), state=str(pair.id),
                          inputs=(TextInput("reason", ctx.t("leave.reason"), optional=True, multiline=True,
                                            max_length=ctx.services.config.max_free_text),)))]


async def submit_end(ctx: Ctx, form: FormSubmitted) -> list[Response]:
    pair_id = int_id(form.state)
    pair = next((p for p in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id)
                 if p.id == pair_id), None)  # only an active pair of the actor's own
    if pair is None:
        raise Unavailable()
    reason = form.values.get("reason")
    pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
    pair.end_reason = (reason if isinstance(reason, str) else "").strip()[: ctx.services.config.max_free_text] or None
    ctx.uow.session.add(pair)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="pair.ended",
                         actor_member_id=ctx.member_id, detail={"pair_id": pair.id})
    await ctx.uow.flush()
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=pair.program_id)
    assert program is not None
    other_id = pair.mentee_member_id if pair.mentor_member_id == ctx.member_id else pair.mentor_member_id
    other = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=other_id)
    if other is not None and other_id == pair.mentor_member_id:  # the mentor hears it kindly; no reason shown
        await dm(ctx, member=other, key=f"pair-ended:{pair.id}", kind="pair", program_id=program.id,
                 build=lambda t: Message(text=t("pairs.ended_other", program=program.name)))
    if program.state in (ProgramState.FORMING, ProgramState.RUNNING):
        await _offer_next(ctx, program, pair.mentee_member_id, "pairs.rematch")
    return [Reply(Message(text=ctx.t("pairs.ended")))]


async def avoid(ctx: Ctx, args: str) -> list[Response]:
    """`pair avoid @person`: never be matched with them (private; nobody is told)."""
    users = mentioned_users(args)
    if not users:
        raise UserError("pairs.avoid_usage")
    changed = 0
    for enrollment in await ctx.uow.enrollments.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=enrollment.program_id)
        if program is None or program.format == "circles":
            continue
        avoided = list(enrollment.avoid_member_ids)
        for user in users:
            other = await ctx.uow.members.get_or_create(workspace_id=ctx.workspace_id, external_id=user, now=ctx.now)
            if other.id not in avoided and other.id != ctx.member_id:
                avoided.append(other.id or 0)
        enrollment.avoid_member_ids = avoided
        ctx.uow.session.add(enrollment)
        changed += 1
    if not changed:
        raise UserError("pairs.none")
    return [Reply(Message(text=ctx.t("pairs.avoided", count=len(users))))]


async def on_program_leave(ctx: Ctx, program: Program) -> None:
    for pair in await ctx.uow.pairs.of_member(workspace_id=ctx.workspace_id, member_id=ctx.member_id):
        if pair.program_id == program.id:
            pair.status, pair.ended_at, pair.ended_by_member_id = PairStatus.ENDED, ctx.now, ctx.member_id
            ctx.uow.session.add(pair)


async def plan_timeouts(pc: PlanContext) -> int:
    """A mentor who does not answer in time counts as a decline: the mentee gets the next best shortlist."""
    if pc.program.format == "circles":
        return 0
    from bot.pair_planning import expire_requests

    return await expire_requests(pc)


PLANNERS = (plan_timeouts,)

FEATURE = Feature(
    commands=(
        (CommandSpec(("pair", "info"), "help.pair_info", aliases=(("pasangan", "info"),)), info),
        (CommandSpec(("pair", "end"), "help.pair_end", aliases=(("pasangan", "akhiri"),)), end),
        (CommandSpec(("pair", "avoid"), "help.pair_avoid", aliases=(("pasangan", "hindari"),)), avoid),
        (CommandSpec(("pair", "publish"), "help.pair_publish", admin=True, group="admin", slow=True), publish),
        (CommandSpec(("pair", "set"), "help.pair_set", admin=True, group="admin"), set_pair),
    ),
    actions={"pair.choose": choose, "pair.accept": accept, "pair.decline": decline},
    forms={END_FORM: submit_end},
    on_leave=(on_program_leave,),
)
