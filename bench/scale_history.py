"""A year of the seeded company's history: prompts used, deliveries sent, check-ins, polls and their answers.

Deliveries carry the planners' own idempotency keys (`prompt:{circle}:{session}`, `reminder:...`, `kit:...`,
`checkin:...` and `checkin:{circle}:{session}:{member}` by DM, `poll:{poll}:{member}`), so the product's next tick
finds the past planned. Rates are set so the full-size company has about 1,000,000 check-ins and 200,000 poll answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from bench.scale_company import TARGETS, naive
from bench.scale_seed import PAYLOAD, PollRow, Row, World, past_sessions
from bench.scale_store import Store
from bot.feedback.schedule import rounds
from storage.repositories.outbox import FILE_KIND


def _sessions(world: World) -> dict[int, list[datetime]]:
    if not world.sessions:
        for plan in world.plans:
            if plan.kind == "running":
                world.sessions[plan.id] = past_sessions(world, world.programs[plan.id])
    return world.sessions


def circle_prompts(world: World) -> Iterator[Row]:
    next_id, sessions = 1, _sessions(world)
    for circle, program, _ in world.circles:
        plan = world.plans[program - 1]
        for index, moment in enumerate(sessions[program]):
            # Ids of no library prompt: the product's choice for the next session is never exhausted by history.
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": program, "circle_id": circle,
                   "prompt_id": f"hist-{index}", "session_index": index, "status": "posted",
                   "created_at": naive(moment - timedelta(days=1))}
            next_id += 1


def _target(world: World, ws: int, member: int) -> str:
    platform, external = world.platform(ws)
    return f"{platform}:{external}:user:{world.ext(ws, member - world.first_member[ws])}"


def _sent(next_id: int, ws: int, program: int, key: str, kind: str, target: str, due: datetime,
          member: int | None = None) -> Row:
    at = naive(due)
    return {"id": next_id, "workspace_id": ws, "program_id": program, "key": key, "kind": kind, "target": target,
            "member_id": member, "payload": PAYLOAD, "status": "sent", "due_at": at, "attempts": 1,
            "sent_ref": f"{next_id}.000100", "created_at": at, "sent_at": at}


def deliveries(world: World) -> Iterator[Row]:
    next_id, sessions = 1, _sessions(world)
    for circle, program, group in world.circles:
        plan = world.plans[program - 1]
        space = f"{world.platform(plan.workspace)[0]}:{world.platform(plan.workspace)[1]}:channel:C{circle:07d}"
        for index, moment in enumerate(sessions[program]):
            for prefix, due in (("prompt", moment - timedelta(days=1)), ("reminder", moment - timedelta(hours=1))):
                yield _sent(next_id, plan.workspace, program, f"{prefix}:{circle}:{index}", prefix, space, due)
                next_id += 1
            # The moderator's kit for the session (bot/circles/kit.py), due with the prompt.
            yield _sent(next_id, plan.workspace, program, f"kit:{circle}:{index}", "kit",
                        _target(world, plan.workspace, group[0]), moment - timedelta(days=1), group[0])
            next_id += 1
            after = moment + timedelta(hours=1)
            if not plan.checkins_by_dm:
                yield _sent(next_id, plan.workspace, program, f"checkin:{circle}:{index}", "checkin", space, after)
                next_id += 1
                continue
            for member in group:
                yield _sent(next_id, plan.workspace, program, f"checkin:{circle}:{index}:{member}", "checkin",
                            _target(world, plan.workspace, member), after, member)
                next_id += 1
    for poll, program, _kind, _key, opens, _closes in world.latest_polls():
        plan = world.plans[program - 1]
        for member in world.members_of[program]:
            yield _sent(next_id, plan.workspace, program, f"poll:{poll}:{member}", "poll",
                        _target(world, plan.workspace, member), opens, member)
            next_id += 1


def checkins(world: World) -> Iterator[Row]:
    sessions = _sessions(world)
    possible = sum(len(group) * len(sessions[program]) for _, program, group in world.circles)
    rate = min(1.0, TARGETS["checkin"] * world.company.scale / max(1, possible))
    rng, next_id = world.rng, 1
    for circle, program, group in world.circles:
        plan = world.plans[program - 1]
        for index, moment in enumerate(sessions[program]):
            at = naive(moment + timedelta(hours=3))
            for member in group:
                if member != world.star and rng.random() >= rate:
                    continue
                yield {"id": next_id, "workspace_id": plan.workspace, "program_id": program, "circle_id": circle,
                       "member_id": member, "session_index": index, "attended": rng.random() < 0.85,
                       "usefulness": rng.randint(2, 5), "progress": "made progress" if rng.random() < 0.3 else "",
                       "created_at": at, "updated_at": at}
                next_id += 1


def polls(world: World) -> Iterator[Row]:
    """The feedback schedule's rounds that opened before now (`bot/feedback/schedule.rounds`)."""
    next_id, now = 1, world.company.next_session - timedelta(days=1)
    found: list[PollRow] = []
    for plan in world.plans:
        if plan.kind != "running":
            continue
        for round_ in rounds(world.programs[plan.id]):
            if round_.opens_at >= now or round_.kind not in ("pulse", "midpoint", "before"):
                continue
            found.append((next_id, plan.id, str(round_.kind), round_.key, round_.opens_at, round_.closes_at))
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id, "kind": str(round_.kind),
                   "key": round_.key, "opens_at": naive(round_.opens_at), "closes_at": naive(round_.closes_at),
                   "created_at": naive(round_.opens_at)}
            next_id += 1
    world.polls = found


def poll_responses(world: World) -> Iterator[Row]:
    answered = [p for p in world.polls if p[2] != "before"]
    circle_of = {m: c for c, _, group in world.circles for m in group}
    possible = sum(len(world.members_of[p[1]]) for p in answered)
    rate = min(1.0, TARGETS["poll_response"] * world.company.scale / max(1, possible))
    rng, next_id = world.rng, 1
    for poll, program, _kind, _key, opens, _closes in answered:
        plan, at = world.plans[program - 1], naive(opens + timedelta(hours=5))
        for member in world.members_of[program]:
            if member != world.star and rng.random() >= rate:
                continue
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": program, "poll_id": poll,
                   "member_id": member, "circle_id": circle_of.get(member), "satisfaction": rng.randint(2, 5),
                   "recommend": rng.randint(4, 10), "keep": "the conversations" if rng.random() < 0.2 else None,
                   "submitted_at": at, "updated_at": at}
            next_id += 1


HISTORY = (("circleprompt", circle_prompts), ("poll", polls), ("delivery", deliveries), ("checkin", checkins),
           ("pollresponse", poll_responses))


async def invites(store: Store, world: World, *, url: str, schema: str | None) -> int:
    """Every placed member's calendar file, sent when their circle or pair formed, under the invites planner's own
    key (`bot/calendar_files/seats.sent_key`, from the product's `program_seats`)."""
    from bench.scale_measure import built
    from bot.calendar_files.seats import Sent, program_seats, sent_key

    rows: list[Row] = []
    next_id = 1 + await store.max_id("delivery")
    async with built(url, schema=schema) as app:
        for plan in world.plans:
            if plan.kind == "forming":
                continue
            async with app.uow() as uow:
                program = await uow.programs.get(workspace_id=plan.workspace, program_id=plan.id)
                assert program is not None
                for seat in await program_seats(uow, program):
                    key = sent_key(program.id, seat.tag, seat.member.id, Sent(0, seat.print))
                    rows.append(_sent(next_id, plan.workspace, plan.id, key, FILE_KIND,
                                      _target(world, plan.workspace, seat.member.id or 0), seat.since,
                                      seat.member.id))
                    next_id += 1
    return await store.write("delivery", rows)
