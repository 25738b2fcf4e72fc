"""Seed the company of bench/scale_company.py: people, programs, circles and pairs, and a year of their history.

History is what the product itself would have written: each past session's prompt, reminder and check-in
deliveries under the planners' own idempotency keys (so a tick after seeding finds them planned), the prompts
the circles used, check-ins, polls from the feedback schedule (`bot/feedback/schedule.rounds`) and their answers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from bench.scale_company import SIZES, Company, ProgramPlan, as_program, naive
from bench.scale_store import Store
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from storage.tables import Program

Row = dict[str, Any]
PollRow = tuple[int, int, str, str, datetime, datetime]
DEPARTMENTS = ("Engineering", "Sales", "Operations", "Finance", "HR", "Marketing", "Legal", "Product", "Support")
SKILLS = ("public speaking", "negotiation", "python", "leadership", "writing", "finance", "design", "sql")
PAYLOAD = encode(Message(text="A message the bot sent"))


class World:
    """Ids handed out while seeding, and the membership lists later tables need."""

    def __init__(self, company: Company) -> None:
        self.company = company
        self.rng = random.Random(18)
        self.plans = company.programs()
        self.first_member: dict[int, int] = {}  # workspace -> id of its member 0
        self.ws_size = company.workspace_sizes()
        self.programs: dict[int, Program] = {}
        self.members_of: dict[int, list[int]] = {}  # program -> member ids
        self.circles: list[tuple[int, int, list[int]]] = []  # (circle id, program id, member ids)
        self.pairs: list[tuple[int, int, int, int]] = []  # (pair id, program id, mentor, mentee)
        self.admin_of: dict[int, int] = {}  # workspace -> admin member id
        self.star = 0  # the member with the most history: U0000 in T1, in every T1 program
        self.sessions: dict[int, list[datetime]] = {}  # running program -> its past sessions
        self.polls: list[PollRow] = []  # (poll id, program id, kind, key, opens, closes)

    def latest_polls(self) -> list[PollRow]:
        """Per program, the last round that opened: the feedback planner DMs it while it is open."""
        return list({row[1]: row for row in self.polls}.values())

    def member_id(self, ws: int, index: int) -> int:
        return self.first_member[ws] + index % self.ws_size[ws]

    def ext(self, ws: int, index: int) -> str:
        return f"U{index:04d}" if ws < 3 else f"29:bench-{index}"

    def platform(self, ws: int) -> tuple[str, str]:
        return {1: ("slack", "T1"), 2: ("slack", "T2"), 3: ("teams", "bench-tenant")}[ws]


def workspaces(world: World) -> Iterator[Row]:
    created = naive(world.company.next_session - timedelta(weeks=80))
    for ws in (1, 2, 3):
        platform, external = world.platform(ws)
        yield {"id": ws, "platform": platform, "external_id": external, "name": f"Bench {external}",
               "locale": "en" if ws < 3 else "id", "timezone": "Asia/Jakarta", "created_at": created}


def members(world: World) -> Iterator[Row]:
    rng, next_id = world.rng, 1
    created = naive(world.company.next_session - timedelta(weeks=70))
    for ws in (1, 2, 3):
        world.first_member[ws] = next_id
        world.admin_of[ws] = next_id + 1
        for i in range(world.ws_size[ws]):
            yield {"id": next_id, "workspace_id": ws, "external_id": world.ext(ws, i), "display_name": f"Member {i}",
                   "locale": "id" if rng.random() < 0.4 else "en",
                   "timezone": rng.choices(("Asia/Jakarta", "Asia/Singapore", "Asia/Jayapura"), (8, 1, 1))[0],
                   "department": rng.choice(DEPARTMENTS), "team": f"team-{rng.randrange(400)}",
                   "seniority": rng.choices(range(5), (35, 30, 20, 10, 5))[0], "job_title": "Employee",
                   "email": f"m{i}@ws{ws}.example", "skills_offered": rng.sample(SKILLS, 2),
                   "skills_wanted": rng.sample(SKILLS, 2), "interests": rng.sample(SKILLS, 1),
                   "work_start_hour": 8, "work_end_hour": 17, "profile_completed": True, "created_at": created}
            next_id += 1
    world.star = world.first_member[1]


def admins(world: World) -> Iterator[Row]:
    for ws in (1, 2, 3):
        yield {"id": ws, "workspace_id": ws, "user_external_id": world.ext(ws, 1), "added_by": "seed",
               "created_at": naive(world.company.next_session - timedelta(weeks=70))}


def programs(world: World) -> Iterator[Row]:
    for plan in world.plans:
        row = world.company.program_row(plan, admin_id=world.admin_of[plan.workspace])
        world.programs[plan.id] = as_program(row)
        ids = [world.member_id(plan.workspace, plan.offset + k) for k in range(plan.size)]
        if plan.workspace == 1 and world.star not in ids:
            ids[-1] = world.star
        world.members_of[plan.id] = ids
        yield row


def enrollments(world: World) -> Iterator[Row]:
    next_id = 1
    for plan in world.plans:
        joined = naive(_start(world, plan) - timedelta(weeks=3))
        for k, member in enumerate(world.members_of[plan.id]):
            role = ("mentor" if k % 2 == 0 else "mentee") if plan.kind == "pairs" else None
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id, "member_id": member,
                   "status": "active", "role": role, "joined_at": joined}
            next_id += 1


def themes(world: World) -> Iterator[Row]:
    next_id = 1
    for plan in world.plans:
        if plan.format != "circles":
            continue
        for n in range(12):
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id,
                   "title": f"Theme {n}", "title_key": f"theme {n}", "status": "selected",
                   "created_at": naive(_start(world, plan) - timedelta(weeks=5))}
            next_id += 1


def theme_votes(world: World) -> Iterator[Row]:
    """Approvals in the program waiting to be formed: three themes each, chosen at random."""
    next_id, first_theme = 1, 1
    for plan in world.plans:
        if plan.format != "circles":
            continue
        if plan.kind == "forming":
            for member in world.members_of[plan.id]:
                for theme in world.rng.sample(range(12), 3):
                    yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id,
                           "theme_id": first_theme + theme, "member_id": member,
                           "created_at": naive(_start(world, plan) - timedelta(weeks=3))}
                    next_id += 1
        first_theme += 12


def circles(world: World) -> Iterator[Row]:
    next_id, first_theme = 1, 1
    for plan in world.plans:
        if plan.format != "circles":
            continue
        if plan.kind == "running":
            ids, k = world.members_of[plan.id], 0
            platform, external = world.platform(plan.workspace)
            while k < len(ids):
                size, rest = SIZES[next_id % len(SIZES)], len(ids) - k
                size = rest if rest <= 8 else (rest - 4 if rest - size < 4 else size)  # no circle under 4
                group = ids[k:k + size]
                k += size
                world.circles.append((next_id, plan.id, group))
                yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id,
                       "theme_id": first_theme + next_id % 12, "name": f"Circle {next_id}",
                       "space": f"{platform}:{external}:channel:C{next_id:07d}", "moderator_member_id": group[0],
                       "status": "active", "created_at": naive(_start(world, plan) - timedelta(weeks=1))}
                next_id += 1
        first_theme += 12


def circle_members(world: World) -> Iterator[Row]:
    next_id = 1
    for circle, program, group in world.circles:
        plan = world.plans[program - 1]
        for member in group:
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": program, "circle_id": circle,
                   "member_id": member, "status": "active", "why": {"code": "theme"},
                   "joined_at": naive(_start(world, plan) - timedelta(weeks=1))}
            next_id += 1


def pairs(world: World) -> Iterator[Row]:
    next_id = 1
    for plan in world.plans:
        if plan.kind != "pairs":
            continue
        ids = world.members_of[plan.id]
        platform, external = world.platform(plan.workspace)
        for mentor, mentee in zip(ids[0::2], ids[1::2], strict=False):
            world.pairs.append((next_id, plan.id, mentor, mentee))
            yield {"id": next_id, "workspace_id": plan.workspace, "program_id": plan.id, "mentor_member_id": mentor,
                   "mentee_member_id": mentee, "status": "active", "score": 0.5,
                   "space": f"{platform}:{external}:channel:P{next_id:07d}",
                   "started_at": naive(_start(world, plan) - timedelta(days=3))}
            next_id += 1


def _start(world: World, plan: ProgramPlan) -> datetime:
    return world.company.next_session - timedelta(weeks=plan.weeks_ago)


def past_sessions(world: World, program: Program) -> list[datetime]:
    """The sessions before the next one, on the product's own timetable."""
    table, found = group_timetable(program, None), []
    for index in range(table.count()):
        moment = session_time(table, index)
        if moment >= world.company.next_session:
            break
        found.append(moment)
    return found


TABLES = ("workspace", "member", "workspaceadmin", "program", "enrollment", "theme", "themevote", "circle",
          "circlemember", "pair")
MAKERS = (workspaces, members, admins, programs, enrollments, themes, theme_votes, circles, circle_members, pairs)


async def seed(store: Store, company: Company, *, say: Any = print) -> World:
    """Every table, in foreign-key order; prints the time each took."""
    from bench.scale_history import HISTORY, invites

    world = World(company)
    for table, make in (*zip(TABLES, MAKERS, strict=True), *HISTORY):
        began = time.perf_counter()
        written = await store.write(table, make(world))
        say(f"  {table:<16} {written:>10,} rows  {time.perf_counter() - began:7.1f} s")
    began = time.perf_counter()
    await store.finish()  # statistics first: the invites step reads through the product's queries
    written = await invites(store, world, url=store.url, schema=store.schema)
    say(f"  {'delivery (invites)':<16} {written:>10,} rows  {time.perf_counter() - began:7.1f} s")
    began = time.perf_counter()
    await store.finish()
    say(f"  {'(sequences, ANALYZE)':<27} {time.perf_counter() - began:9.1f} s")
    return world


