"""Same-team and same-manager exclusions proven through the org import (no field is set by hand): a circle program
that excludes one team and a pair program form circles and pairs that keep those people apart."""

from __future__ import annotations

from itertools import combinations

from adapters.bootstrap import App
from tests.helpers import admin_creates_program, enroll, say, text_of
from tests.org.support import csv_bytes, member, send_import

CIRCLE_PEOPLE = [f"C{i:02d}" for i in range(1, 13)]
TEAM = {user: "ABC"[(int(user[1:]) - 1) // 4] for user in CIRCLE_PEOPLE}  # three teams of four
# Team A and B report to managers outside the program; in team C, C09 manages C10-C12.
MANAGER = {user: {"A": "ma@example.com", "B": "mb@example.com", "C": "c09@example.com"}[TEAM[user]]
           for user in CIRCLE_PEOPLE}
MANAGER["C09"] = "mc@example.com"
# The mentee's best matches are ruled out one by one: same team, same manager, their own manager.
PAIR_PEOPLE = {  # user: (team, manager email, role, seniority, skills)
    "PM": ("Risk", "px@example.com", "mentee", 1, "sql, python"),
    "PR1": ("Risk", "py@example.com", "mentor", 3, "sql, python"),
    "PR2": ("Audit", "px@example.com", "mentor", 3, "sql, python"),
    "PX": ("Board", "", "mentor", 4, "sql, python"),
    "PR3": ("Treasury", "pz@example.com", "mentor", 3, "sql"),
}


def _email(user: str) -> str:
    return f"{user.lower()}@example.com"


def _org_csv() -> bytes:
    lines = ["Email,Department,Team,Manager"]
    lines += [f"{_email(u)},Operations,Team {TEAM[u]},{MANAGER[u]}" for u in CIRCLE_PEOPLE]
    lines += [f"{_email(u)},Operations,{team},{manager}" for u, (team, manager, *_) in PAIR_PEOPLE.items()]
    return csv_bytes(*lines)


async def _circles(app: App, program_id: int) -> list[list[str]]:
    async with app.uow() as uow:
        names = {m.id: m.external_id for m in await uow.members.all_in(workspace_id=1)}
        by_circle: dict[int, list[str]] = {}
        for row in await uow.circles.of_program_members(workspace_id=1, program_id=program_id):
            by_circle.setdefault(row.circle_id, []).append(names[row.member_id])
        return [sorted(users) for users in by_circle.values()]


async def test_imported_teams_and_managers_keep_people_apart_in_circles_and_pairs(app: App) -> None:
    directory = {_email(u): u for u in [*CIRCLE_PEOPLE, *PAIR_PEOPLE]}
    report = text_of(await send_import(app, _org_csv(), directory=directory))
    assert "Applied to members: 17. Waiting for their member (not seen yet): 0. Rows with errors: 0." in report
    assert "11 rows name a manager Lingkar cannot identify yet" in report  # ma@, mb@, … are nobody we know

    await admin_creates_program(app, size_min="3", size_target="3", size_max="3", exclude_same_team="yes")
    await admin_creates_program(app, name="Buddy Pairs", format="one_on_one", pair_matching="direct",
                                exclude_same_team="yes")
    async with app.uow() as uow:
        circles_program, pairs_program = await uow.programs.all_in(workspace_id=1)
    for slug in ("leadership-circles", "buddy-pairs"):
        await say(app, "UADMIN", f"program open {slug}")
    for user in CIRCLE_PEOPLE:  # the questionnaire says "Finance" for everyone: the import's department stands
        assert "Welcome" in text_of(await enroll(app, user, circles_program))
    for user, (_, _, role, seniority, skills) in PAIR_PEOPLE.items():
        field = "skills_offered" if role == "mentor" else "skills_wanted"
        replies = await enroll(app, user, pairs_program, role=role, seniority=str(seniority), **{field: skills})
        assert "Welcome" in text_of(replies), replies
    for slug in ("leadership-circles", "buddy-pairs"):
        await say(app, "UADMIN", f"program close {slug}")
        await say(app, "UADMIN", f"program form {slug}")

    # What formation and matching read came from the import: skip it and these fail first.
    c10, pm = await member(app, "C10"), await member(app, "PM")
    assert (c10.team, c10.manager_external_id, c10.department) == ("Team C", "C09", "Operations")
    assert (pm.team, pm.manager_external_id) == ("Risk", "PX")

    circles = await _circles(app, circles_program.id or 0)
    assert sorted(u for circle in circles for u in circle) == CIRCLE_PEOPLE  # everyone placed, in circles of 3
    for circle in circles:
        assert len({TEAM[u] for u in circle}) == len(circle), circles  # never two of one team
        for a, b in combinations(circle, 2):
            assert MANAGER[a] != MANAGER[b] and _email(a) not in (MANAGER[b],) and _email(b) != MANAGER[a], circle
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=pairs_program.id or 0)
        names = {m.id: m.external_id for m in await uow.members.all_in(workspace_id=1)}
    # PR1 shares the mentee's team, PR2 their manager, PX is their manager: only PR3 may mentor PM.
    assert [(names[p.mentor_member_id], names[p.mentee_member_id]) for p in pairs] == [("PR3", "PM")]
