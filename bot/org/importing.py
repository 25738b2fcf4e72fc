"""An org import's rows meet members: by platform id, by the email the platform told us, or by the platform's
directory; a row that matches nobody waits (the core applies it once that email turns up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.kernel.context import Scope
from bot.kernel.org_records import apply_record, record_key
from bot.org.reading import OrgRow, ParsedFile, RowError
from storage.tables import Member, OrgRecord


@dataclass
class Outcome:
    applied: int = 0  # rows that met a member, now or in an earlier import
    pending: int = 0  # rows that wait for their member to be seen
    created: int = 0  # members the directory or a platform id named that Lingkar had not met yet
    managers_unknown: int = 0  # applied rows whose manager nobody can name yet
    errors: list[RowError] = field(default_factory=list)
    ignored: tuple[str, ...] = ()


@dataclass
class _People:
    """The workspace's members by platform id and by email, kept current as the import creates and fills some."""

    by_id: dict[str, Member]
    by_email: dict[str, Member]
    directory: dict[str, str]  # the platform's: lower-cased email -> user id

    def add(self, member: Member) -> None:
        self.by_id[member.external_id] = member
        if member.email:
            self.by_email.setdefault(member.email, member)

    def platform_id(self, ref: str) -> str | None:
        """A manager column's value as a platform id (as kernel/org_records.resolve_person, from memory)."""
        if not ref or "@" not in ref:
            return ref or None
        member = self.by_email.get(ref)
        return member.external_id if member is not None else self.directory.get(ref)


async def _people(scope: Scope, directory: Mapping[str, str]) -> _People:
    people = _People(by_id={}, by_email={}, directory={k.strip().lower(): v for k, v in directory.items()})
    for member in await scope.uow.members.all_in(workspace_id=scope.workspace_id):
        if not member.erased:
            people.add(member)
    return people


async def _member(scope: Scope, people: _People, external_id: str, email: str, outcome: Outcome) -> Member:
    found = people.by_id.get(external_id)
    if found is not None:
        if email and not found.email:  # the platform's directory (or the admin's row) says whose address it is
            found.email = email
            people.add(found)
            scope.uow.members.add(found)
        return found
    member = await scope.uow.members.get_or_create(
        workspace_id=scope.workspace_id, external_id=external_id, now=scope.now, defaults={"email": email})
    outcome.created += 1
    people.add(member)
    return member


async def _match(scope: Scope, people: _People, row: OrgRow, known: OrgRecord | None,
                 outcome: Outcome) -> Member | None:
    """Who the row is about: its platform id; else the member whose platform email it is; else whom the directory
    says has that email; else whom an earlier import of the same row was matched to."""
    if row.platform_id:
        return await _member(scope, people, row.platform_id, row.email, outcome)
    if row.email in people.by_email:
        return people.by_email[row.email]
    if row.email in people.directory:
        return await _member(scope, people, people.directory[row.email], row.email, outcome)
    if known is not None and known.external_id:
        return people.by_id.get(known.external_id)
    return None


async def _known_managers(scope: Scope, people: _People, parsed: ParsedFile) -> None:
    """Managers the directory names become members too (not counted as rows' members), so a row applied later,
    when its member's email arrives, still finds its manager by email."""
    for email in sorted({str(row.values.get("manager") or "") for row in parsed.rows}):
        if "@" in email and email not in people.by_email and email in people.directory:
            await _member(scope, people, people.directory[email], email, Outcome())


async def import_rows(scope: Scope, parsed: ParsedFile, *, directory: Mapping[str, str]) -> Outcome:
    """Upsert every good row as an OrgRecord and apply those that meet a member; returns what happened."""
    outcome = Outcome(errors=list(parsed.errors), ignored=parsed.ignored)
    uow, workspace_id = scope.uow, scope.workspace_id
    people = await _people(scope, directory)
    keys = {row.line: record_key(email=row.email, platform_id=row.platform_id) for row in parsed.rows}
    known = await uow.org.by_keys(workspace_id=workspace_id, keys=list(keys.values()))
    await _known_managers(scope, people, parsed)
    first_line: dict[str, int] = {}  # a key, or "member:<id>", -> the line that named it first
    matched: list[tuple[str, Member]] = []
    # In key order, so two imports naming the same people take their row locks in the same order (PostgreSQL
    # would otherwise let them deadlock); of two lines about one person the earlier is kept where both share a key.
    for row in sorted(parsed.rows, key=lambda r: (keys[r.line], r.line)):
        key = keys[row.line]
        member = await _match(scope, people, row, known.get(key), outcome)
        twice = first_line.get(key) or (first_line.get(f"member:{member.id}") if member is not None else None)
        if twice is not None:
            outcome.errors.append(RowError(row.line, "duplicate", {"first": twice}))
            continue
        first_line[key] = row.line
        if member is not None:
            first_line[f"member:{member.id}"] = row.line
            matched.append((key, member))
        else:
            outcome.pending += 1
        values = {**row.values, **({"email": row.email} if row.email else {})}
        await uow.org.upsert(workspace_id=workspace_id, key=key, values=values,
                             external_id=member.external_id if member is not None else None, now=scope.now)
    await _apply(scope, matched, people, outcome)
    outcome.errors.sort(key=lambda e: e.line)
    return outcome


async def _apply(scope: Scope, matched: list[tuple[str, Member]], people: _People, outcome: Outcome) -> None:
    """Each matched member gets their record (emails first, so a manager named by email in an earlier line or a
    later one is known either way); members of earlier imports whose manager this import made known get them."""
    uow, workspace_id = scope.uow, scope.workspace_id
    records = await uow.org.by_keys(workspace_id=workspace_id, keys=[key for key, _ in matched])
    await uow.org.supersede(workspace_id=workspace_id, keep={member.external_id: key for key, member in matched})
    for key, member in matched:
        if records[key].email and not member.email:
            member.email = records[key].email
            people.add(member)
    for key, member in matched:
        record = records[key]
        manager = people.platform_id(record.manager)
        if record.manager and manager is None:
            outcome.managers_unknown += 1
        apply_record(member, record, manager_id=manager)
        uow.members.add(member)
        outcome.applied += 1
    here, ids = set(records), {member.id for _, member in matched}
    newly_known = [email for email, member in people.by_email.items() if member.id in ids]
    for other in await uow.org.managed_by(workspace_id=workspace_id, managers=newly_known):
        person = people.by_id.get(other.external_id or "")
        manager = people.platform_id(other.manager)
        if other.key not in here and person is not None and manager and manager != person.external_id:
            person.manager_external_id = manager
            uow.members.add(person)
