"""The seeded company's shape for bench/scale.py: who is where, which programs, and when they meet.

At `members=100_000`: 3 workspaces (Slack T1 60%, Slack T2 30%, a Teams tenant 10%), 25 programs (19 running
circle programs of 15,000 circles, the largest with 10,000 members; one circle program of 10,000 members waiting
to be formed; 5 pair programs of 1,000 pairs each). Every count scales with `members`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from storage.tables import Program

FULL = 100_000
WORKSPACES = ((1, "slack", "T1", 0.6), (2, "slack", "T2", 0.3), (3, "teams", "bench-tenant", 0.1))
# Running circle programs per workspace, and how many weeks ago each started (the largest first: most history).
CIRCLE_PROGRAMS = (1,) * 10 + (2,) * 6 + (3,) * 3
PAIR_PROGRAMS = (1, 1, 1, 2, 3)
PAIR_FORMATS = ("one_on_one", "peer", "reverse", "one_on_one", "one_on_one")
ZONE = "Asia/Jakarta"
MEETING = "10:00"  # 03:00 UTC in Jakarta
SIZES = (6, 5, 7, 6, 4, 8, 6, 6)  # circle sizes, cycled: mean 6
TARGETS = {"checkin": 1_000_000, "poll_response": 200_000, "delivery": 2_000_000}


@dataclass(frozen=True)
class ProgramPlan:
    id: int
    workspace: int
    kind: str  # running circles | forming circles | pairs
    format: str
    size: int  # members (pairs: mentors + mentees)
    offset: int  # where its members start in the workspace's list
    weeks_ago: int  # first meeting this many weeks before the next one
    checkins_by_dm: bool = False

    @property
    def slug(self) -> str:
        return f"bench-{self.id}"


@dataclass(frozen=True)
class Company:
    members: int
    next_session: datetime  # the moment every running circle meets next (aware UTC)

    @property
    def scale(self) -> float:
        return self.members / FULL

    def scaled(self, full: int, *, least: int = 1) -> int:
        return max(least, round(full * self.scale))

    def workspace_sizes(self) -> dict[int, int]:
        sizes = {ws: max(12, int(self.members * share)) for ws, _, _, share in WORKSPACES}
        sizes[1] += self.members - sum(sizes.values())
        return sizes

    def programs(self) -> list[ProgramPlan]:
        sizes = self.workspace_sizes()
        largest, other = self.scaled(10_000, least=8), self.scaled(80_000 // 18, least=8)
        plans: list[ProgramPlan] = []
        offsets = {ws: 0 for ws in sizes}
        for n, ws in enumerate(CIRCLE_PROGRAMS):
            size = min(largest if n == 0 else other, sizes[ws])
            plans.append(ProgramPlan(id=n + 1, workspace=ws, kind="running", format="circles", size=size,
                                     offset=offsets[ws], weeks_ago=48 - round(22 * n / 18),
                                     checkins_by_dm=n == 0))
            offsets[ws] = (offsets[ws] + size) % sizes[ws]
        plans.append(ProgramPlan(id=len(plans) + 1, workspace=1, kind="forming", format="circles",
                                 size=min(self.scaled(10_000, least=8), sizes[1]), offset=sizes[1] // 2,
                                 weeks_ago=-2))
        for ws, fmt in zip(PAIR_PROGRAMS, PAIR_FORMATS, strict=True):
            size = min(2 * self.scaled(1_000, least=2), sizes[ws])
            plans.append(ProgramPlan(id=len(plans) + 1, workspace=ws, kind="pairs", format=fmt, size=size,
                                     offset=offsets[ws], weeks_ago=2))
            offsets[ws] = (offsets[ws] + size) % sizes[ws]
        return plans

    def program_row(self, plan: ProgramPlan, *, admin_id: int) -> dict[str, object]:
        start = self.next_session.date() - timedelta(weeks=plan.weeks_ago)
        state = {"running": "running", "forming": "forming", "pairs": "running"}[plan.kind]
        return {
            "id": plan.id, "workspace_id": plan.workspace, "name": f"Bench program {plan.id}", "slug": plan.slug,
            "goal": "Grow together", "format": plan.format, "state": state, "start_date": start,
            "enrollment_opens": start - timedelta(weeks=4), "enrollment_closes": start - timedelta(weeks=2),
            "weeks": 52, "meeting_weekday": self.next_session.weekday(), "meeting_time": MEETING,
            "timezone": ZONE, "checkins_by_dm": plan.checkins_by_dm, "moderator_mode": "appointed",
            "theme_mode": "employee_voted", "announcement_target": "", "pair_matching": "direct",
            "created_by_member_id": admin_id, "created_at": naive(self.next_session - timedelta(weeks=60)),
        }


def company(members: int, *, now: datetime | None = None) -> Company:
    """The next meeting is two days after `now`'s date at 10:00 in Jakarta, so its prompt falls due between 4 and
    28 hours after seeding and nothing else falls due before it."""
    now = now or datetime.now(UTC)
    day = now.astimezone(UTC).date() + timedelta(days=2)
    return Company(members=members, next_session=datetime.combine(day, time(3, 0), tzinfo=UTC))


def as_program(row: dict[str, object]) -> Program:
    """An unsaved Program, so the product's own calendar and poll rounds compute the seeded dates."""
    return Program(**row)  # type: ignore[arg-type]


def naive(moment: datetime) -> datetime:
    """Timestamps are stored as naive UTC (storage/types.UTCDateTime)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()
