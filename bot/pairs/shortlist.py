"""A mentee's shortlist of mentors, offered again after a decline, an end or a timeout."""

from __future__ import annotations

from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator
from bot.kernel.messages import Button, Buttons, Header, Message, Text
from bot.kernel.outbox import dm
from bot.pairs import matcher as pairing
from bot.pairs.pool import Pool, load_pool, shortlist_for, why
from storage.tables import Member, Program


def shortlist_message(t: Translator, program: Program, pool: Pool, suggestions: list[pairing.Suggestion]) -> Message:
    if not suggestions:
        return Message(text=t("pairs.no_candidates", program=program.name))
    lines, buttons = [], []
    for s in suggestions:
        mentor = pool.members[s.mentor_id]
        lines.append(f"• {mentor.name} ({mentor.department or '-'}): {why(t, s.reason)}")
        buttons.append(Button(t("pairs.choose_button", name=mentor.name)[:75],
                              f"pair.choose:{program.id}.{s.mentor_id}", style="primary"))
    intro = t("pairs.shortlist", program=program.name, hours=program.pair_response_hours)
    return Message(text="\n".join([intro, *lines]),
                   blocks=(Header(t("pairs.shortlist_title")), Text(intro), Text("\n".join(lines)),
                           Buttons(tuple(buttons))))


async def offer_round(scope: Scope, program: Program, mentee_id: int) -> str:
    """Which offer this is for the mentee: requests made and pairs had so far. A new round, a new shortlist."""
    offered = len(await scope.uow.pairs.requests_of_mentee(program_id=program.id or 0, mentee_member_id=mentee_id))
    ended = len([p for p in await scope.uow.pairs.of_member(workspace_id=scope.workspace_id, member_id=mentee_id,
                                                            active_only=False) if p.program_id == program.id])
    return f"{program.id}:{mentee_id}:{offered}:{ended}"


def shortlist_key(offer: str) -> str:
    return f"shortlist:{offer}"


def waiting_key(offer: str) -> str:
    """An empty shortlist is sent under its own key: the mentee waits, and bot/pairs/late.py offers them the
    shortlist (under shortlist_key) once a mentor with room fits."""
    return f"pair-waiting:{offer}"


async def offer_shortlist(ctx: Scope, pool: Pool, mentee: Member) -> list[pairing.Suggestion]:
    suggestions = await shortlist_for(ctx, pool, mentee.id or 0)
    offer = await offer_round(ctx, pool.program, mentee.id or 0)
    await dm(ctx, member=mentee, key=shortlist_key(offer) if suggestions else waiting_key(offer), kind="pair",
             program_id=pool.program.id, build=lambda t: shortlist_message(t, pool.program, pool, suggestions))
    return suggestions


async def _offer_next(ctx: Ctx, program: Program, mentee_id: int, note_key: str) -> None:
    mentee = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=mentee_id)
    if mentee is None:
        return
    await dm(ctx, member=mentee, key=f"{note_key}:{program.id}:{mentee_id}:{ctx.now.isoformat()}", kind="pair",
             program_id=program.id, build=lambda t: Message(text=t(note_key)))
    await offer_shortlist(ctx, await load_pool(ctx, program), mentee)
