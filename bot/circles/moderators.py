"""Moderators: appointed, elected (nominate, vote, tie-break), rotating, or none; handover and appointment.

Tie-break rule (told to members in the results): most votes wins; on a tie, the nominee who was
nominated first wins, because they stepped forward earliest."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.circles.orientation import orient_moderator
from bot.circles.scope import circle_of_actor
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.grammar import mentioned_users
from bot.kernel.i18n import Translator
from bot.kernel.messages import Choice, Header, Message, Option, Text
from bot.kernel.outbox import post
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.ports import Target
from bot.kernel.replies import Reply, Response, UpdateSource
from storage.tables import (
    Circle,
    Election,
    ElectionStatus,
    ElectionVote,
    Member,
    ModeratorMode,
    Nomination,
    Program,
)

NOMINATION_DAYS = 2


VOTING_DAYS = 2


async def setup_moderators(ctx: Ctx, program: Program, circle: Circle, members: list[Member]) -> None:
    if not members:
        return
    if program.moderator_mode == ModeratorMode.APPOINTED:
        # Delegated default: the most senior member (earliest joined on ties); the admin may re-appoint.
        chosen = sorted(members, key=lambda m: (-m.seniority, m.id or 0))[0]
        circle.moderator_member_id = chosen.id
        ctx.uow.circles.add(circle)
        await orient_moderator(ctx, program=program, circle=circle, member=chosen, how="appointed")
    elif program.moderator_mode == ModeratorMode.ROTATING:
        circle.moderator_member_id = rotation(members, 0).id
        ctx.uow.circles.add(circle)
    elif program.moderator_mode == ModeratorMode.ELECTED:
        ctx.uow.circles.add(Election(
            workspace_id=ctx.workspace_id, circle_id=circle.id or 0, round=1, status=ElectionStatus.NOMINATING,
            nominations_close_at=ctx.now + timedelta(days=NOMINATION_DAYS),
            voting_closes_at=ctx.now + timedelta(days=NOMINATION_DAYS + VOTING_DAYS), created_at=ctx.now))


def rotation(members: list[Member], session_index: int) -> Member:
    """A fair rotation: everyone in join order, one session each, round and round."""
    ordered = sorted(members, key=lambda m: m.id or 0)
    return ordered[session_index % len(ordered)]


async def _circle_members(ctx: Ctx, circle: Circle) -> dict[int, Member]:
    memberships = await ctx.uow.circles.memberships(circle_id=circle.id or 0)
    return {m.id or 0: m for m in await ctx.uow.members.many(workspace_id=ctx.workspace_id,
                                                            member_ids=[cm.member_id for cm in memberships])}


async def _member_by_mention(ctx: Ctx, circle: Circle, args: str) -> Member:
    users = mentioned_users(args)
    if len(users) != 1:
        raise UserError("moderators.mention_one")
    for member in (await _circle_members(ctx, circle)).values():
        if member.external_id == users[0]:
            return member
    raise UserError("moderators.not_member", user=f"<@{users[0]}>")


async def _open_election(ctx: Ctx, circle: Circle, status: str) -> Election:
    elections = [e for e in await ctx.uow.circles.elections(circle_id=circle.id or 0) if e.status == status]
    if not elections:
        raise UserError(f"moderators.no_{status}")
    return elections[-1]


async def nominate(ctx: Ctx, args: str) -> list[Response]:
    circle, _ = await circle_of_actor(ctx)
    election = await _open_election(ctx, circle, ElectionStatus.NOMINATING)
    nominee = await _member_by_mention(ctx, circle, args) if args.strip() else ctx.member
    created = await ctx.uow.circles.nominate(
        workspace_id=ctx.workspace_id, election_id=election.id or 0, nominee_member_id=nominee.id or 0,
        nominated_by_member_id=ctx.member_id, now=ctx.now)
    name = nominee.name
    return [Reply(Message(text=ctx.t("moderators.nominated" if created else "moderators.already_nominated",
                                     name=name)))]


async def decline(ctx: Ctx, args: str) -> list[Response]:
    circle, _ = await circle_of_actor(ctx)
    election = await _open_election(ctx, circle, ElectionStatus.NOMINATING)
    for nomination in await ctx.uow.circles.nominations(election_id=election.id or 0):
        if nomination.nominee_member_id == ctx.member_id:
            nomination.declined = True
            ctx.uow.circles.add(nomination)
            return [Reply(Message(text=ctx.t("moderators.declined")))]
    raise UserError("moderators.not_nominated")


def ballot(t: Translator, election: Election, nominees: list[Member], mine: int | None) -> Message:
    options = tuple(Option(m.name, str(m.id)) for m in nominees)
    text = t("moderators.ballot") + "\n" + "\n".join(f"• {o.label}" for o in options)
    return Message(text=text, blocks=(
        Header(t("moderators.ballot_title")), Text(t("moderators.ballot")),
        Choice(action_id=f"elect.vote:{election.id}", options=options, label=t("moderators.vote_label"),
               selected=(str(mine),) if mine else (), view=f"elect.ballot:{election.id}"),
    ))


async def _nominees(ctx: Ctx, election: Election, circle: Circle) -> list[Member]:
    members = await _circle_members(ctx, circle)
    return [members[n.nominee_member_id] for n in await ctx.uow.circles.nominations(election_id=election.id or 0)
            if not n.declined and n.nominee_member_id in members]


async def vote_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    election = await _election_by_id(ctx, arg)
    if election.status != ElectionStatus.VOTING:
        raise UserError("moderators.voting_closed")
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=election.circle_id)
    if circle is None:
        raise Unavailable()
    nominees = await _nominees(ctx, election, circle)
    members = await _circle_members(ctx, circle)
    if ctx.member_id not in members:
        raise UserError("moderators.only_members")
    choice = int_id(action.value)
    if choice not in {m.id for m in nominees}:  # only someone on this ballot, never a member named by the client
        raise Unavailable()
    first = await ctx.uow.circles.cast_vote(
        workspace_id=ctx.workspace_id, election_id=election.id or 0, voter_member_id=ctx.member_id,
        nominee_member_id=choice, now=ctx.now)
    if not first:  # changing your vote until the election closes
        for vote in await ctx.uow.circles.election_votes(election_id=election.id or 0):
            if vote.voter_member_id == ctx.member_id:
                vote.nominee_member_id = choice
                ctx.uow.circles.add(vote)
    # Only the voter's own choice is shown; others' votes stay secret until the result.
    return [UpdateSource(ballot(ctx.t, election, nominees, choice))]


async def ballot_action(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    """The member's own ballot as it stands (a card refreshing per member); changes nothing."""
    election = await _election_by_id(ctx, arg)
    circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=election.circle_id)
    if circle is None or election.status != ElectionStatus.VOTING:
        raise UserError("moderators.voting_closed")
    if ctx.member_id not in await _circle_members(ctx, circle):
        raise UserError("moderators.only_members")
    mine = next((v.nominee_member_id for v in await ctx.uow.circles.election_votes(election_id=election.id or 0)
                 if v.voter_member_id == ctx.member_id), None)
    return [UpdateSource(ballot(ctx.t, election, await _nominees(ctx, election, circle), mine))]


async def _election_by_id(ctx: Ctx, arg: str) -> Election:
    election = await ctx.uow.circles.election(workspace_id=ctx.workspace_id, election_id=int_id(arg))
    if election is None:
        raise Unavailable()
    return election


def tally(votes: list[ElectionVote], nominations: list[Nomination]) -> int | None:
    """Most votes; ties go to the earliest nomination. None when nobody stands."""
    standing = [n for n in nominations if not n.declined]
    if not standing:
        return None
    counts = Counter(v.nominee_member_id for v in votes)
    order = {n.nominee_member_id: index for index, n in enumerate(standing)}
    return min(order, key=lambda member_id: (-counts.get(member_id, 0), order[member_id]))


async def handover(ctx: Ctx, args: str) -> list[Response]:
    circle, program = await circle_of_actor(ctx)
    if circle.moderator_member_id != ctx.member_id and not await ctx.is_admin():
        raise UserError("moderators.only_moderator")
    new = await _member_by_mention(ctx, circle, args)
    circle.moderator_member_id = new.id
    ctx.uow.circles.add(circle)
    await orient_moderator(ctx, program=program, circle=circle, member=new, how="handover")
    name = new.name
    if circle.space:
        await post(ctx, target=Target.from_key(circle.space), key=f"handover:{circle.id}:{ctx.now.isoformat()}",
                   kind="announcement", message=Message(text=ctx.t("moderators.handed_over", name=name)))
    return [Reply(Message(text=ctx.t("moderators.handed_over", name=name)))]


async def appoint(ctx: Ctx, args: str) -> list[Response]:
    """Admins: `moderator appoint <circle number> @member`."""
    number, _, rest = args.strip().partition(" ")
    try:
        circle = await ctx.uow.circles.get(workspace_id=ctx.workspace_id, circle_id=int(number.lstrip("#")))
    except ValueError:
        circle = None
    if circle is None:
        raise UserError("moderators.appoint_usage")
    member = await _member_by_mention(ctx, circle, rest)
    circle.moderator_member_id = member.id
    ctx.uow.circles.add(circle)
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=circle.program_id)
    if program is not None:
        await orient_moderator(ctx, program=program, circle=circle, member=member, how="appointed")
    for election in await ctx.uow.circles.elections(circle_id=circle.id or 0):
        if election.status != ElectionStatus.CLOSED:
            election.status, election.winner_member_id = ElectionStatus.CLOSED, member.id
            ctx.uow.circles.add(election)
    return [Reply(Message(text=ctx.t("moderators.appointed", name=member.name,
                                     circle=circle.name)))]
