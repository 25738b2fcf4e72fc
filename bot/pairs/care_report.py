"""`pair engagement <program>` (admins): the junior mentors' engagement checks, only as averages over K mentors."""

from __future__ import annotations

from statistics import fmean

from bot.kernel.anonymity import MIN_K, k_of
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.messages import Message
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import Reply, Response
from bot.pairs.care import check_rounds
from storage.tables import EngagementCheck, ProgramFormat, ProgramState

CHECKS = ("care.report.early", "care.report.midpoint")  # a pair's first check (meeting 2), then its midpoint


async def engagement_report(ctx: Ctx, args: str) -> list[Response]:
    program = await find_program(ctx, args)
    if program.format != ProgramFormat.REVERSE:
        raise UserError("care.report.not_reverse", program=program.name)
    if program.state not in (ProgramState.CLOSING, ProgramState.CLOSED):
        # While mentors may still change an answer, an admin reading the averages before and after one change could
        # work that answer out: like feedback's rounds, the figures wait until the answers are final.
        return [Reply(Message(text=ctx.t("care.report.while_running", program=program.name)))]
    k = max(MIN_K, k_of(program, ctx.services.config.k_anonymity))
    pairs = {p.id: p for p in await ctx.uow.pairs.of_program(workspace_id=ctx.workspace_id,
                                                             program_id=program.id or 0, active_only=False)}
    # Rounds are grouped by which check they were for each pair, so pairs formed late count with the others.
    groups: list[list[EngagementCheck]] = [[] for _ in CHECKS]
    for row in await ctx.uow.care.engagement_of_program(workspace_id=ctx.workspace_id, program_id=program.id or 0):
        pair = pairs.get(row.pair_id)
        rounds = check_rounds(pair, program) if pair is not None else []
        if row.round in rounds:
            groups[min(rounds.index(row.round), len(CHECKS) - 1)].append(row)
    lines = [ctx.t("care.report.title", program=program.name)]
    for label, rows in zip(CHECKS, groups, strict=True):
        # K distinct mentors, not K rows: a mentor of two seniors must not make up two of the K.
        if len({r.member_id for r in rows}) < k:
            lines.append(ctx.t("care.report.too_few", check=ctx.t(label), k=k))
            continue
        lines.append(ctx.t("care.report.line", check=ctx.t(label), count=len(rows),
                           making_time=ctx.t.decimal(fmean(r.making_time for r in rows)),
                           engaged=ctx.t.decimal(fmean(r.engaged for r in rows))))
    lines.append(ctx.t("care.report.note", k=k))
    return [Reply(Message(text="\n".join(lines)))]
