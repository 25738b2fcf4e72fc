"""A program's export for admins: CSVs of members, circles or pairs, sessions, check-ins, feedback, in one zip."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import date, datetime
from typing import IO

from bot.digest.activity import CHECKIN_HEADER, SESSION_HEADER, CircleRecords, checkin_rows, records, session_rows
from bot.digest.pair_figures import PAIR_CHECKIN_HEADER, pair_checkin_rows
from bot.feedback.disclosure import disclose_evaluation, disclose_round
from bot.feedback.results import round_label
from bot.feedback.schedule import POLL_KINDS
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.i18n import Translator
from bot.sessions.timing import pair_meetings
from storage.tables import Circle, Member, PairCheckIn, Program, ProgramFormat
from storage.uow import UnitOfWork

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # spreadsheet formula injection: such text is quoted with '


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    return b"".join(csv_chunks(header, rows))


BOM = "\ufeff".encode()  # the BOM lets spreadsheets read names in any script
CHUNK_ROWS = 2000


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[bytes]:
    """A CSV file as UTF-8 pieces of CHUNK_ROWS rows: joined, they are the whole file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM
    for count, row in enumerate(rows, 1):
        writer.writerow([_cell(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    return data


def _name(member: Member | None) -> str:
    if member is None or member.erased:
        return ""  # an erased member's opaque token means nothing to a reader
    return member.name


Table = tuple[Sequence[str], list[list[object]]]


MEMBER_CHUNK = 1000  # members read per query: a program's 10,000 ORM members at once were 25 MiB (issue 18)


async def _people(uow: UnitOfWork, program: Program) -> tuple[list[list[object]], list[list[object]], dict[int, str],
                                                                list[Circle]]:
    """members.csv and circles.csv rows, with every member's name as the export shows it, and the circles.

    Each read is reduced to the few values the files show before the next one: the program's enrollments,
    memberships and members as ORM objects, all held at once, were most of the export's memory (issue 18)."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    circles = await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
    placed: dict[int, list[tuple[int, str]]] = {c.id or 0: [] for c in circles}  # circle -> (member, status)
    for membership in await uow.circles.of_program_members(workspace_id=workspace_id, program_id=program_id):
        if membership.circle_id in placed:  # one query, in id order as each circle's memberships read
            placed[membership.circle_id].append((membership.member_id, membership.status))
    enrolled = [(e.member_id, e.status, e.role or "", e.joined_at, e.left_at, e.paused_until, e.left_reason)
                for e in await uow.enrollments.of_program(workspace_id=workspace_id, program_id=program_id,
                                                          active_only=False)]
    ids = sorted({e[0] for e in enrolled} | {member_id for ms in placed.values() for member_id, _ in ms})
    profiles: dict[int, tuple[object, ...]] = {}  # department, team, seniority, job title
    names: dict[int, str] = {}
    for start in range(0, len(ids), MEMBER_CHUNK):
        for m in await uow.members.many(workspace_id=workspace_id, member_ids=ids[start:start + MEMBER_CHUNK]):
            names[m.id or 0] = _name(m)
            profiles[m.id or 0] = (m.department, m.team, m.seniority, m.job_title)
    circle_of = {member_id: c.name for c in circles for member_id, status in placed[c.id or 0] if status == "active"}
    themes = {th.id: th.title for th in await uow.themes.of_program(workspace_id=workspace_id, program_id=program_id)}

    blank = ("", "", "", "")
    member_rows: list[list[object]] = [
        [member_id, names.get(member_id, ""), *profiles.get(member_id, blank), *rest, circle_of.get(member_id, "")]
        for member_id, *rest in enrolled]
    circle_rows: list[list[object]] = []
    for c in circles:
        active = [member_id for member_id, status in placed[c.id or 0] if status == "active"]
        circle_rows.append([c.id, c.name, themes.get(c.theme_id, ""), c.status,
                            names.get(c.moderator_member_id or 0, ""), len(active),
                            "; ".join(names.get(member_id, "") for member_id in active)])
    return member_rows, circle_rows, names, circles


PAIRS_HEADER = ("pair_id", "mentor", "mentee", "round", "status", "started_at", "ended_at", "meetings", "met",
                "checkins")


async def _pair_rows(uow: UnitOfWork, program: Program, names: dict[int, str], now: datetime) -> list[list[object]]:
    """pairs.csv: one row per pair, its people named as members.csv names them (an erased member: blank); the
    meetings held while it ran, those either side said they met at, and the check-ins answered."""
    pairs = await uow.pairs.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                       active_only=False)
    answers: dict[int, list[PairCheckIn]] = {p.id or 0: [] for p in pairs}
    for answer in await uow.pair_running.checkins_of_pairs(pair_ids=list(answers)):
        answers[answer.pair_id].append(answer)  # by pair once, not every answer scanned for each pair
    rows: list[list[object]] = []
    for pair in pairs:
        until = min(now, pair.ended_at) if pair.ended_at is not None else now
        table = group_timetable(program, pair)  # the pair's own meetings, agreed or the program's
        held = [i for i in pair_meetings(pair, table) if session_time(table, i) <= until]
        mine = answers[pair.id or 0]
        rows.append([pair.id, names.get(pair.mentor_member_id, ""), names.get(pair.mentee_member_id, ""),
                     pair.round, pair.status, pair.started_at, pair.ended_at, len(held),
                     len({a.meeting_index for a in mine if a.met}), len(mine)])
    return rows


async def _feedback(uow: UnitOfWork, program: Program, *, t: Translator, k: int,
                    now: datetime) -> tuple[list[list[object]], list[list[object]], list[list[object]]]:
    """feedback.csv, feedback_comments.csv and evaluation.csv rows."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    all_rounds = await uow.feedback.polls_of_program(workspace_id=workspace_id, program_id=program_id)
    rounds = [p for p in all_rounds if p.kind in POLL_KINDS and p.opens_at <= now]
    # The export obeys the same rule as the chat (bot.feedback.disclosure): a round's totals once it has closed
    # and from K answers, never one row per answer; comments from K, shuffled, with no member, circle or time.
    feedback_rows: list[list[object]] = []
    comment_rows: list[list[object]] = []
    for poll in rounds:  # one round's answers at a time: a program's year of them was 44 MiB of objects (issue 18)
        answers = await uow.feedback.responses(workspace_id=workspace_id, poll_ids=[poll.id or 0])
        shown = disclose_round(poll=poll, answers=answers, k=k, now=now)
        summary = shown.summary
        feedback_rows.append([round_label(t, poll), poll.kind, poll.opens_at.date(), poll.closes_at.date(),
                              shown.shown, shown.respondents, summary.satisfaction if summary else None,
                              summary.recommend if summary else None, summary.nps if summary else None,
                              # How many wrote a comment is said with the totals, not while answers come in.
                              shown.keep.count if summary else None, shown.improve.count if summary else None])
        comment_rows += [[round_label(t, poll), question, text]
                         for question, comments in (("keep", shown.keep), ("improve", shown.improve))
                         for text in comments.texts]
    evaluation = disclose_evaluation(
        rounds=all_rounds, assessments=await uow.feedback.assessments(workspace_id=workspace_id,
                                                                      program_id=program_id), k=k, now=now)
    evaluation_rows: list[list[object]] = [["*", evaluation.before, evaluation.after, evaluation.change,
                                            evaluation.before_respondents, evaluation.after_respondents]]
    evaluation_rows += [[s.skill or "*general", s.before, s.after, round(s.after - s.before, 2), "", ""]
                        for s in evaluation.skills]
    return feedback_rows, comment_rows, evaluation_rows


async def export_tables(uow: UnitOfWork, program: Program, *, t: Translator, k: int,
                        now: datetime) -> dict[str, Table]:
    member_rows, circle_rows, names, circles = await _people(uow, program)
    runs = await records(uow, circles)
    feedback_rows, comment_rows, evaluation_rows = await _feedback(uow, program, t=t, k=k, now=now)
    return {
        "members.csv": (MEMBERS_HEADER, member_rows),
        "circles.csv": (CIRCLES_HEADER, circle_rows),
        "sessions.csv": (SESSION_HEADER, session_rows(program, runs, names)),
        "checkins.csv": (CHECKIN_HEADER, checkin_rows(runs, names)),
        **({"pairs.csv": (PAIRS_HEADER, await _pair_rows(uow, program, names, now)),
            "pair_checkins.csv": (PAIR_CHECKIN_HEADER, await pair_checkin_rows(uow, program, names))}
           if program.format != ProgramFormat.CIRCLES else {}),
        **_feedback_tables(feedback_rows, comment_rows, evaluation_rows),
    }


MEMBERS_HEADER = ("member_id", "name", "department", "team", "seniority", "job_title", "status", "role", "joined_at",
                  "left_at", "paused_until", "left_reason", "circle")
CIRCLES_HEADER = ("circle_id", "name", "theme", "status", "moderator", "active_members", "members")


def _feedback_tables(feedback_rows: list[list[object]], comment_rows: list[list[object]],
                     evaluation_rows: list[list[object]]) -> dict[str, Table]:
    return {
        "feedback.csv": (("round", "kind", "opened_on", "closes_on", "shown", "respondents", "satisfaction_mean",
                          "would_recommend_mean", "nps", "keep_comments", "improve_comments"), feedback_rows),
        "feedback_comments.csv": (("round", "question", "comment"), comment_rows),
        "evaluation.csv": (("skill", "before_mean", "after_mean", "change", "before_respondents",
                            "after_respondents"), evaluation_rows),
    }


def zip_tables(tables: dict[str, Table], *, folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in tables.items():
            _write(archive, f"{folder}/{name}", csv_chunks(header, rows))
    return buffer.getvalue()


def _entry(archive: zipfile.ZipFile, path: str) -> IO[bytes]:
    # A fixed timestamp: the same data gives the same zip, and no clock leaks into the archive.
    info = zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return archive.open(info, "w")


def _write(archive: zipfile.ZipFile, path: str, chunks: Iterable[bytes]) -> None:
    with _entry(archive, path) as entry:
        for chunk in chunks:
            entry.write(chunk)


async def export_zip(uow: UnitOfWork, program: Program, *, t: Translator, k: int, now: datetime,
                     folder: str) -> tuple[bytes, dict[str, int]]:
    """The zip `zip_tables(export_tables(...))` gives, byte for byte, and its rows per file; check-ins are streamed
    from the database into the archive, so a program with a million of them is never held in memory (issue 18)."""
    member_rows, circle_rows, names, circles = await _people(uow, program)
    logs: dict[int, CircleRecords] = {c.id or 0: CircleRecords(c, [], []) for c in circles}
    for log in await uow.running.logs_of_program(workspace_id=program.workspace_id, program_id=program.id or 0):
        logs[log.circle_id].logs.append(log)
    feedback_rows, comment_rows, evaluation_rows = await _feedback(uow, program, t=t, k=k, now=now)
    small: dict[str, Table] = {
        "members.csv": (MEMBERS_HEADER, member_rows), "circles.csv": (CIRCLES_HEADER, circle_rows),
        "sessions.csv": (SESSION_HEADER, session_rows(program, list(logs.values()), names)),
    }
    later: dict[str, Table] = {
        **({"pairs.csv": (PAIRS_HEADER, await _pair_rows(uow, program, names, now)),
            "pair_checkins.csv": (PAIR_CHECKIN_HEADER, await pair_checkin_rows(uow, program, names))}
           if program.format != ProgramFormat.CIRCLES else {}),
        **_feedback_tables(feedback_rows, comment_rows, evaluation_rows),
    }
    counts = {name: len(rows) for name, (_, rows) in small.items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in small.items():
            _write(archive, f"{folder}/{name}", csv_chunks(header, rows))
        counts["checkins.csv"] = await _stream_checkins(uow, program, archive, f"{folder}/checkins.csv", circles,
                                                        names)
        for name, (header, rows) in later.items():
            _write(archive, f"{folder}/{name}", csv_chunks(header, rows))
            counts[name] = len(rows)
    return buffer.getvalue(), counts


async def _stream_checkins(uow: UnitOfWork, program: Program, archive: zipfile.ZipFile, path: str,
                           circles: list[Circle], names: dict[int, str]) -> int:
    """checkins.csv as `checkin_rows` writes it (by circle, session, member), CHUNK_ROWS rows in memory at a time."""
    circle_names = {c.id or 0: c.name for c in circles}
    batch: list[list[object]] = []
    count = 0
    with _entry(archive, path) as entry:
        entry.write(b"".join(csv_chunks(CHECKIN_HEADER, [])))
        async for circle_id, index, member_id, attended, usefulness, progress in _checkins(uow, program):
            batch.append([circle_id, circle_names.get(circle_id, ""), index + 1, names.get(member_id, str(member_id)),
                          attended, usefulness, progress])
            if len(batch) == CHUNK_ROWS:
                entry.write(_rows_only(batch))
                count, batch = count + len(batch), []
        entry.write(_rows_only(batch))
    return count + len(batch)


def _checkins(uow: UnitOfWork, program: Program) -> AsyncIterator[tuple[int, int, int, bool, int, str]]:
    return uow.running.stream_checkins_of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                                  chunk=CHUNK_ROWS)


def _rows_only(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue().encode()
