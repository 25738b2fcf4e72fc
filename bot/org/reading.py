"""Reading an org import CSV: decoding, the header (English and Indonesian names), and every row checked.

A bad row never stops the others: it is reported by line number and reason (never by what it said, beyond the
field), and the good rows are imported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from bot.kernel.errors import UserError
from bot.kernel.i18n import LOCALES, translate
from bot.kernel.org_records import EMAIL_MAX, normal_email

MAX_BYTES = 5 * 1024 * 1024  # as the adapters cap an upload: a CSV of tens of thousands of people
MAX_ROWS = 20_000
TEXT_MAX = 100  # Member.department and Member.team
PLATFORM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}")  # Slack U…/W…, Teams 29:… and AAD object ids
TEMPLATE = ("email", "platform_id", "department", "team", "manager", "seniority", "start_date")

# Header names, compared lower-cased with "_", "-" and "." read as spaces.
SYNONYMS: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "e mail", "email address", "mail", "work email", "surel", "alamat email",
                        "alamat surel", "email kantor"}),
    "platform_id": frozenset({"platform id", "user id", "userid", "slack id", "slack user id", "teams id",
                              "teams user id", "member id", "id pengguna", "id platform", "id slack", "id teams"}),
    "department": frozenset({"department", "dept", "division", "departemen", "divisi", "bagian"}),
    "team": frozenset({"team", "team name", "squad", "tim", "nama tim"}),
    "manager": frozenset({"manager", "manager email", "manager id", "line manager", "supervisor", "manajer",
                          "email manajer", "atasan", "atasan langsung", "email atasan"}),
    "seniority": frozenset({"seniority", "seniority level", "level", "grade", "senioritas", "tingkat senioritas",
                            "jenjang", "tingkat", "level jabatan"}),
    "start_date": frozenset({"start date", "start", "joined", "join date", "date joined", "hire date",
                             "tanggal mulai", "tanggal masuk", "tanggal bergabung", "mulai kerja", "tgl masuk"}),
}
_SENIORITY_WORDS = {"mid": 1, "middle": 1, "mid level": 1, "lead": 3, "manager": 3, "exec": 4, "menengah": 1,
                    "madya": 1, "manajer": 3, "eksekutif": 4}


@dataclass(frozen=True)
class OrgRow:
    line: int  # in the file, the header being line 1
    email: str
    platform_id: str
    values: dict[str, object]  # the record columns this file has: department, team, manager, seniority, start_date


@dataclass(frozen=True)
class RowError:
    line: int
    code: str  # org.import.row.<code>
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class ParsedFile:
    columns: frozenset[str]
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored: tuple[str, ...] = ()  # header names that are none of ours, as the admin wrote them


def decode(data: bytes) -> str:
    """UTF-8, with or without the BOM Excel writes; anything else is refused with what to do instead."""
    if len(data) > MAX_BYTES:
        raise UserError("org.import.too_large", limit=MAX_BYTES // (1024 * 1024))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UserError("org.import.spreadsheet")  # .xlsx (a zip) or .xls
    if b"\x00" in data:
        raise UserError("org.import.binary")  # UTF-16 (Excel's "Unicode text") or not text at all
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("org.import.encoding") from None
    return text.removeprefix("\ufeff")


def _header_name(raw: str) -> str:
    return " ".join(re.sub(r"[_.\-]", " ", raw.strip().lower()).split())


def _columns(header: list[str]) -> tuple[dict[int, str], tuple[str, ...]]:
    found: dict[int, str] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        name = _header_name(raw)
        column = next((c for c, names in SYNONYMS.items() if name in names), None)
        if column is None:
            if name:
                ignored.append(raw.strip()[:40])
            continue
        if column in found.values():
            raise UserError("org.import.duplicate_column", column=column)
        found[index] = column
    if not {"email", "platform_id"} & set(found.values()):
        raise UserError("org.import.no_key_column", template=",".join(TEMPLATE))
    return found, tuple(ignored)


def _delimiter(first_line: str) -> str:
    """Excel writes ";" where the decimal mark is a comma (Indonesian settings): the header tells which it is."""
    return max((",", ";", "\t"), key=first_line.count)


def seniority_words() -> dict[str, int]:
    """The levels' names in both languages as the profile shows them ("Lead / manager": also "lead", "manager")."""
    words = dict(_SENIORITY_WORDS)
    for level in range(5):
        for locale in LOCALES:
            label = translate(f"seniority.{level}", locale).lower()
            words[_header_name(label)] = level
            words.update({_header_name(part): level for part in label.split("/") if part.strip()})
    return words


def read_csv(data: bytes) -> ParsedFile:
    text = decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UserError("org.import.empty", template=",".join(TEMPLATE))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(lines[0]), strict=True)
    try:
        columns, ignored = _columns(next(reader))
        parsed = ParsedFile(columns=frozenset(columns.values()), ignored=ignored)
        words = seniority_words()
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            if len(parsed.rows) + len(parsed.errors) >= MAX_ROWS:
                raise UserError("org.import.too_many_rows", limit=MAX_ROWS)
            _read_row(parsed, reader.line_num, {c: cells[i] if i < len(cells) else "" for i, c in columns.items()},
                      words)
    except csv.Error:
        raise UserError("org.import.malformed", line=reader.line_num) from None
    return parsed


def _read_row(parsed: ParsedFile, line: int, cells: dict[str, str], words: dict[str, int]) -> None:
    errors: list[RowError] = []
    raw_email = cells.get("email", "").strip()
    email = normal_email(raw_email)
    if raw_email and not email:
        errors.append(RowError(line, "email"))
    platform_id = cells.get("platform_id", "").strip()
    if platform_id and not PLATFORM_ID.fullmatch(platform_id):
        errors.append(RowError(line, "platform_id"))
    if not raw_email and not platform_id:
        errors.append(RowError(line, "no_key"))
    values: dict[str, object] = {}
    for column in ("department", "team"):
        if column in cells:
            value = " ".join(cells[column].split())
            if len(value) > TEXT_MAX:
                errors.append(RowError(line, "too_long", {"column": column, "limit": TEXT_MAX}))
            values[column] = value
    if "manager" in cells:
        values["manager"] = _manager(cells["manager"], line, errors, own=(email, platform_id))
    if "seniority" in cells:
        values["seniority"] = _seniority(cells["seniority"], line, errors, words)
    if "start_date" in cells:
        values["start_date"] = _start_date(cells["start_date"], line, errors)
    if errors:
        parsed.errors.extend(errors)
    else:
        parsed.rows.append(OrgRow(line=line, email=email, platform_id=platform_id, values=values))


def _manager(raw: str, line: int, errors: list[RowError], *, own: tuple[str, str]) -> str:
    value = raw.strip()
    if not value:
        return ""
    manager = normal_email(value) if "@" in value and not value.startswith("@") else value
    if not manager or len(manager) > EMAIL_MAX or ("@" not in manager and not PLATFORM_ID.fullmatch(manager)):
        errors.append(RowError(line, "manager"))
        return ""
    if manager in {o for o in own if o}:
        errors.append(RowError(line, "own_manager"))
    return manager


def _seniority(raw: str, line: int, errors: list[RowError], words: dict[str, int]) -> int | None:
    value = _header_name(raw)
    if not value:
        return None
    level = int(value) if value in {"0", "1", "2", "3", "4"} else words.get(value)
    if level is None:
        errors.append(RowError(line, "seniority"))
    return level


def _start_date(raw: str, line: int, errors: list[RowError]) -> date | None:
    value = raw.strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        day = None
    if day is None or not 1950 <= day.year <= 2100:
        errors.append(RowError(line, "start_date"))
    return day
