"""Erasure in the database: the rows a declaration names as a member's, clearing them, and scrubbing identities.

What is personal, and the order of the steps, are the privacy capability's (bot/privacy); this module only reads
and writes what it is told, by table name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    CompoundSelect,
    Select,
    String,
    Table,
    Text,
    cast,
    delete,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Delivery, DeliveryStatus, Member
from storage.tables.delivery import DELIVERY_WORDS_SQL, SETTLED_SQL, SETTLED_STATUSES

REDACTED = "…"  # what a former member's name, or a quote of what they wrote, becomes inside messages kept for others
Rows = dict[str, list[dict[str, Any]]]  # by table name


@dataclass(frozen=True)
class PersonalTable:
    """Which rows of a table are a member's, and what erasure does to them (tables are looked up by name)."""

    table: str
    section: str  # its name in the `my data` file
    member_columns: tuple[str, ...] = ()  # hold Member.id: the row is the member's when any of them matches
    external_columns: tuple[str, ...] = ()  # hold the platform's user id
    member_list_columns: tuple[str, ...] = ()  # JSON lists of Member.id (e.g. attendees): shown in `my data` only
    others_columns: tuple[str, ...] = ()  # point at a member in someone else's row (a vote for them): left as is
    via: tuple[str, str] | None = None  # (column, parent table): rows of the member's parent rows
    text_columns: tuple[str, ...] = ()  # what they wrote or chose: cleared ("", NULL, [] or {})
    unlink_columns: tuple[str, ...] = ()  # nullable member references set to NULL: the numbers stay, anonymous
    delete: bool = False  # rows that are nothing but identity are removed
    extra: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None  # further changes to each of their rows


def _table(name: str) -> Table | None:
    return SQLModel.metadata.tables.get(name)


def _cleared(table: Table, column: str, value: Any) -> Any:
    if isinstance(table.c[column].type, JSON):
        return type(value)() if isinstance(value, list | dict) else None
    return None if table.c[column].nullable else ""


def _holds_text(column: Column[Any]) -> bool:
    kind = getattr(column.type, "impl", column.type)  # SQLModel's AutoString is a TypeDecorator over String
    return isinstance(column.type, String | JSON) or isinstance(kind, String | JSON)


def _whole(identifiers: set[str], name: str | None = None, quotes: set[str] | frozenset[str] = frozenset()
           ) -> re.Pattern[str]:
    """The needles as whole words only: erasing user U1 must not touch U12's messages, nor "Al" turn "Also".

    Platform ids match exactly (they are case-sensitive, and an id like "MENTEE" must not eat the word
    "mentee" in a role column); a display name and quotes of what the member wrote match in any case,
    the longest first (a whole note before one line of it).
    """
    parts = [re.escape(n) for n in sorted(identifiers, key=len, reverse=True)]
    texts = sorted({*quotes, *([name] if name else [])}, key=len, reverse=True)
    parts += [f"(?i:{re.escape(text)})" for text in texts]
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")


def _replace(value: Any, pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replace(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern, replacement) for k, v in value.items()}
    return value


class ErasureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _fetch(self, statement: Select[Any] | CompoundSelect[Any]) -> list[dict[str, Any]]:
        result = await self._session.exec(statement)  # type: ignore[call-overload]  # Core select of a Table
        return [dict(row._mapping) for row in result.all()]

    async def personal_rows(self, *, specs: Sequence[PersonalTable], member: Member) -> Rows:
        """Every declared table's rows that are the member's, by table name (parents before children)."""
        found: Rows = {}
        for spec in specs:
            table = _table(spec.table)
            if table is None:
                continue  # declared for a capability this deployment does not have (yet)
            conditions = [table.c[c] == member.id for c in spec.member_columns]
            conditions += [table.c[c] == member.external_id for c in spec.external_columns]
            if spec.via is not None:
                parent_ids = [row["id"] for row in found.get(spec.via[1], [])]
                conditions.append(table.c[spec.via[0]].in_(parent_ids))
            query = select(table)
            if "workspace_id" in table.c:
                query = query.where(table.c.workspace_id == member.workspace_id)
            rows = await self._fetch(query.where(or_(*conditions))) if conditions else []
            if spec.member_list_columns:  # JSON lists cannot be searched portably: read the workspace's rows
                seen = {row["id"] for row in rows}
                for row in await self._fetch(query):
                    if row["id"] not in seen and any(member.id in (row[c] or []) for c in spec.member_list_columns):
                        rows.append(row)
            found[spec.table] = sorted(rows, key=lambda row: row["id"])
        return found

    async def erase_rows(self, *, specs: Sequence[PersonalTable], member: Member, rows: Rows) -> None:
        """Apply each declared table's erasure to the member's rows (as `personal_rows` found them)."""
        for name, found in rows.items():
            spec = next(s for s in specs if s.table == name)
            table = _table(name)
            assert table is not None
            if spec.delete:
                if found:
                    await self._session.exec(delete(table).where(table.c.id.in_([row["id"] for row in found])))
                continue
            planned = []
            for row in found:
                changes = {c: _cleared(table, c, row[c]) for c in spec.text_columns}
                changes.update({c: None for c in spec.unlink_columns if row[c] == member.id})
                if spec.extra is not None:
                    changes.update(spec.extra(row))
                planned.append((row["id"], changes))
            await self._update_alike(table, planned)

    async def _update_alike(self, table: Table, planned: list[tuple[int, dict[str, Any]]]) -> None:
        """One UPDATE per distinct set of changes (per 1,000 ids), not one per row: a member's 425 check-ins are
        all cleared the same way, and their direct messages' targets all become the same token."""
        alike: dict[str, tuple[dict[str, Any], list[int]]] = {}
        for row_id, changes in planned:
            if not changes:
                continue
            try:
                key = json.dumps(changes, sort_keys=True)
            except TypeError:  # a value JSON cannot tell apart: its row is updated alone
                key = f"row:{row_id}"
            alike.setdefault(key, (changes, []))[1].append(row_id)
        for changes, ids in alike.values():
            for start in range(0, len(ids), 1000):
                await self._session.exec(update(table).where(table.c.id.in_(ids[start:start + 1000]))
                                         .values(changes))

    async def scrub(self, *, workspace_id: int, identifiers: set[str], name: str, token: str,
                    quotes: set[str] | frozenset[str], name_scrubbed: frozenset[tuple[str, str]],
                    quotes_scrubbed: frozenset[tuple[str, str]]) -> None:
        """Wherever a platform id survives (message targets, keys, archived texts) it becomes the token; in the
        (table, column)s named, the name and quotes of what the member wrote are blanked out too."""
        def replacement(match: re.Match[str]) -> str:
            return token if match.group(0) in identifiers else REDACTED

        for table in SQLModel.metadata.sorted_tables:
            if "workspace_id" not in table.c or "id" not in table.c:
                continue
            # One read per table, all its text columns at once; each column keeps its own needles and pattern.
            patterns: dict[str, re.Pattern[str]] = {}
            texts: dict[str, set[str]] = {}  # per column, the name and quotes looked for (any case)
            for column in table.c:
                if not _holds_text(column):
                    continue
                scrub_name = (table.name, column.name) in name_scrubbed and len(name) >= 2
                quoted = quotes if (table.name, column.name) in quotes_scrubbed else frozenset()
                texts[column.name] = {*quoted, *([name] if scrub_name else [])}
                patterns[column.name] = _whole(set(identifiers), name if scrub_name else None, quoted)
            if not patterns:
                continue
            await self._update_alike(table, [
                (row["id"], {c: new for c, pattern in patterns.items()
                             if (new := _replace(row[c], pattern, replacement)) != row[c]})
                for row in await self._candidates(table, workspace_id, identifiers, texts)])

    async def _candidates(self, table: Table, workspace_id: int, identifiers: set[str],
                          texts: dict[str, set[str]]) -> list[dict[str, Any]]:
        """The workspace's rows of `table` in which some text column may hold a needle (a superset: the patterns
        decide). Settled deliveries on PostgreSQL are found through their words' index, the rest by a scan."""
        columns = select(table.c.id, *(table.c[c] for c in texts)).where(table.c.workspace_id == workspace_id)
        scanned = or_(*_scan_conditions(table, identifiers, texts))
        spellings = [search_words(n) for n in identifiers.union(*texts.values())]
        bind = self._session.bind
        if (table.name != Delivery.__tablename__ or bind is None or bind.dialect.name != "postgresql"
                or not all(all(spelling) for spelling in spellings)):  # a needle without a letter or digit
            return await self._fetch(columns.where(scanned))
        searched = [words for spelling in spellings for words in spelling]
        indexed = literal_column(DELIVERY_WORDS_SQL, type_=postgresql.ARRAY(Text))
        # Literal statuses, so the plan can use the partial index whatever the statement cache does; one statement
        # (one snapshot), so a row that settles, or is retried, meanwhile is read on one side or the other.
        settled = columns.where(text(SETTLED_SQL), or_(
            *(indexed.contains(literal(words, type_=postgresql.ARRAY(Text))) for words in searched)))
        unsettled = [s.value for s in DeliveryStatus if s.value not in SETTLED_STATUSES]
        return await self._fetch(union_all(settled, columns.where(table.c.status.in_(unsettled), scanned)))


def search_words(needle: str) -> list[list[str]]:
    """The words of a needle as DELIVERY_WORDS_SQL splits a row (ASCII letters and digits, `_` and `-`, lowered;
    any other character separates): where the scrub's pattern finds the needle as a whole word, one of these
    lists is among the row's words. Two spellings, because in a raw column the four characters Python's
    case-insensitive match folds into i, s and k are folded by the index too, but inside JSON they are escaped."""
    spellings = (needle, needle.translate(_SEPARATE))
    found = [sorted({w for w in re.split(r"[^a-z0-9_-]+", s.translate(_FOLD)) if w}) for s in spellings]
    return [words for i, words in enumerate(found) if words not in found[:i]]


_FOLD = str.maketrans(dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a",
                               "abcdefghijklmnopqrstuvwxyziisk", strict=True)))
_SEPARATE = str.maketrans(dict.fromkeys("\u0130\u0131\u017f\u212a", " "))


def _scan_conditions(table: Table, identifiers: set[str], texts: dict[str, set[str]]) -> list[Any]:
    """LIKE conditions for a scan: platform ids match exactly (no lower() per row), names and quotes in any case;
    both also as they appear inside JSON (escaped)."""
    conditions = []
    for name, words in texts.items():
        column = cast(table.c[name], Text)
        escaped = {e for n in identifiers if (e := json.dumps(n)[1:-1]) != n}
        conditions += [column.contains(n, autoescape=True) for n in identifiers]
        folded = {n.lower() for n in words} | {json.dumps(n)[1:-1].lower() for n in words} | \
            {e.lower() for e in escaped}
        conditions += [func.lower(column).contains(v, autoescape=True) for v in folded]
    return conditions
