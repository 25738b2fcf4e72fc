"""Org records meet members: what an imported row sets on a member, and the moment a member's email becomes known.

The org import (bot/org) and the core (a member's email arriving with any event) both apply records through here,
so the rule is written once: imported values win over what the member typed, an empty cell changes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import combinations

from storage.tables import Member, OrgRecord
from storage.uow import UnitOfWork

EMAIL_MAX = 254
ID_PREFIX = "id:"  # the key of a record that had a platform id and no email
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normal_email(value: str | None) -> str:
    """Trimmed and lower-cased, or "" when it is no plausible address (platforms differ in case, never in meaning)."""
    email = (value or "").strip().lower()
    return email if len(email) <= EMAIL_MAX and _EMAIL.fullmatch(email) else ""


def record_key(*, email: str, platform_id: str) -> str:
    return email or f"{ID_PREFIX}{platform_id}"


def apply_record(member: Member, record: OrgRecord, *, manager_id: str | None) -> None:
    """Copy a record's non-empty values onto the member (a re-import or a program that lets members edit them may
    change them again later)."""
    if record.department:
        member.department = record.department
    if record.team:
        member.team = record.team
    if record.seniority is not None:
        member.seniority = record.seniority
    if record.start_date is not None:
        member.start_date = record.start_date
    if manager_id and manager_id != member.external_id:
        member.manager_external_id = manager_id
    if record.email and not member.email:
        member.email = record.email  # the platform's directory said this address is theirs


async def resolve_person(uow: UnitOfWork, *, workspace_id: int, ref: str,
                         directory: Mapping[str, str]) -> str | None:
    """A manager column's value as a platform id: an id as given; an email through the member the platform told
    us has it, or the platform's directory; None while nobody knows whose address it is."""
    if not ref:
        return None
    if "@" not in ref:
        return ref
    member = await uow.org.member_by_email(workspace_id=workspace_id, email=ref)
    return member.external_id if member is not None else directory.get(ref)


async def learn_email(uow: UnitOfWork, member: Member, email: str) -> None:
    """The platform told us the member's email: keep it, apply the record that waited for it, and become the known
    manager of the members whose records name this address as their manager."""
    workspace_id = member.workspace_id
    member.email = email
    uow.members.add(member)
    record = await uow.org.by_key(workspace_id=workspace_id, key=email)
    if record is not None and record.external_id in (None, member.external_id):
        manager = await resolve_person(uow, workspace_id=workspace_id, ref=record.manager, directory={})
        apply_record(member, record, manager_id=manager)
        uow.org.link(record=record, external_id=member.external_id)
    for report in await uow.org.managed_by(workspace_id=workspace_id, managers=[email]):
        person = await uow.members.by_external_id(workspace_id=workspace_id, external_id=report.external_id or "")
        if person is not None and not person.erased and person.id != member.id:
            person.manager_external_id = member.external_id
            uow.members.add(person)


def kept_apart(members: Iterable[Member], *, same_team: bool) -> frozenset[frozenset[int]]:
    """Member id pairs the org data says should not meet in one circle: a manager and their report, two reports of
    one manager, and, where the program excludes it, two people of one team (compared without case or spacing).
    Formation avoids these as it avoids pairs who met before."""
    people = [m for m in members if m.id is not None and not m.erased]
    by_id = {m.external_id: m.id for m in people}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    apart: set[frozenset[int]] = set()
    for m in people:
        assert m.id is not None
        if m.manager_external_id:
            groups[("manager", m.manager_external_id)].append(m.id)
            boss = by_id.get(m.manager_external_id)
            if boss is not None and boss != m.id:
                apart.add(frozenset((m.id, boss)))
        team = " ".join(m.team.casefold().split())
        if same_team and team:
            groups[("team", team)].append(m.id)
    for ids in groups.values():
        apart.update(frozenset(pair) for pair in combinations(sorted(set(ids)), 2))
    return frozenset(apart)
