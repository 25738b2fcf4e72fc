"""A program's export for admins: CSVs of members, circles or pairs, sessions, check-ins, feedback, in one zip."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

from bot.digest.activity import CHECKIN_HEADER, SESSION_HEADER, checkin_rows, records, session_rows
from bot.digest.pair_figures import PAIR_CHECKIN_HEADER, pair_checkin_rows
from bot.feedback.disclosure import disclose_evaluation, disclose_round
from bot.feedback.results import round_label
from bot.feedback.schedule import POLL_KINDS
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.i18n import Translator
from bot.sessions.timing import pair_meetings
from storage.tables import Circle, Member, Program, ProgramFormat
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets read names in any script


def _name(member: Member | None) -> str:
    if member is None or member.erased:
        return ""  # an erased member's opaque token means nothing to a reader
    return member.name


Table = tuple[Sequence[str], list[list[object]]]


async def _people(uow: UnitOfWork, program: Program) -> tuple[list[list[object]], list[list[object]], dict[int, str],
                                                                list[Circle]]:
    """members.csv and circles.csv rows, with every member's name as the export shows it, and the circles."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    enrollments = await uow.enrollments.of_program(workspace_id=workspace_id, program_id=program_id,
                                                   active_only=False)
    circles = await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
    memberships = {c.id or 0: await uow.circles.memberships(circle_id=c.id or 0, statuses=("active", "left",
                                                                                              "waitlisted"))
                   for c in circles}
    ids = {e.member_id for e in enrollments} | {m.member_id for ms in memberships.values() for m in ms}
    members = {m.id or 0: m for m in await uow.members.many(workspace_id=workspace_id, member_ids=sorted(ids))}
    names = {member_id: _name(member) for member_id, member in members.items()}
    circle_of = {m.member_id: c.name for c in circles for m in memberships[c.id or 0] if m.status == "active"}
    themes = {th.id: th.title for th in await uow.themes.of_program(workspace_id=workspace_id, program_id=program_id)}

    member_rows: list[list[object]] = []
    for e in enrollments:
        m = members.get(e.member_id)
        member_rows.append([e.member_id, names.get(e.member_id, ""), m.department if m else "", m.team if m else "",
                            m.seniority if m else "", m.job_title if m else "", e.status, e.role or "",
                            e.joined_at, e.left_at, e.paused_until, e.left_reason, circle_of.get(e.member_id, "")])
    circle_rows: list[list[object]] = []
    for c in circles:
        active = [m for m in memberships[c.id or 0] if m.status == "active"]
        circle_rows.append([c.id, c.name, themes.get(c.theme_id, ""), c.status,
                            names.get(c.moderator_member_id or 0, ""), len(active),
                            "; ".join(names.get(m.member_id, "") for m in active)])
    return member_rows, circle_rows, names, circles


PAIRS_HEADER = ("pair_id", "mentor", "mentee", "round", "status", "started_at", "ended_at", "meetings", "met",
                "checkins")


async def _pair_rows(uow: UnitOfWork, program: Program, names: dict[int, str], now: datetime) -> list[list[object]]:
    """pairs.csv: one row per pair, its people named as members.csv names them (an erased member: blank); the
    meetings held while it ran, those either side said they met at, and the check-ins answered."""
    pairs = await uow.pairs.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                       active_only=False)
    answers = await uow.pair_running.checkins_of_pairs(pair_ids=[p.id or 0 for p in pairs])
    rows: list[list[object]] = []
    for pair in pairs:
        until = min(now, pair.ended_at) if pair.ended_at is not None else now
        table = group_timetable(program, pair)  # the pair's own meetings, agreed or the program's
        held = [i for i in pair_meetings(pair, table) if session_time(table, i) <= until]
        mine = [a for a in answers if a.pair_id == pair.id]
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
    answers = await uow.feedback.responses(workspace_id=workspace_id, poll_ids=[p.id or 0 for p in rounds])
    # The export obeys the same rule as the chat (bot.feedback.disclosure): a round's totals once it has closed
    # and from K answers, never one row per answer; comments from K, shuffled, with no member, circle or time.
    feedback_rows: list[list[object]] = []
    comment_rows: list[list[object]] = []
    for poll in rounds:
        shown = disclose_round(poll=poll, answers=[a for a in answers if a.poll_id == poll.id], k=k, now=now)
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
        "members.csv": (("member_id", "name", "department", "team", "seniority", "job_title", "status", "role",
                         "joined_at", "left_at", "paused_until", "left_reason", "circle"), member_rows),
        "circles.csv": (("circle_id", "name", "theme", "status", "moderator", "active_members", "members"),
                        circle_rows),
        "sessions.csv": (SESSION_HEADER, session_rows(program, runs, names)),
        "checkins.csv": (CHECKIN_HEADER, checkin_rows(runs, names)),
        **({"pairs.csv": (PAIRS_HEADER, await _pair_rows(uow, program, names, now)),
            "pair_checkins.csv": (PAIR_CHECKIN_HEADER, await pair_checkin_rows(uow, program, names))}
           if program.format != ProgramFormat.CIRCLES else {}),
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
            data = to_csv(header, rows)
            # A fixed timestamp: the same data gives the same zip, and no clock leaks into the archive.
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
