"""At formation, members whose first choice formed no circle hear that it did not form (not enough members chose
it; other themes of theirs that did not form are named too), where they were placed instead and why: the
announcement lists only themes that run. Members who got their first choice hear nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from bot.circles.circle_why import names
from bot.circles.fit import rank_code
from bot.circles.formation import Why
from bot.circles.launch import why_line
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from bot.kernel.ports import SpaceRef
from storage.tables import Circle, Member, Program


@dataclass(frozen=True)
class Placed:
    circle: Circle
    theme: str
    why: dict[str, Any]  # formation's structured reason, as CircleMember.why records it


def recorded_why(found: Why, votes: tuple[int, ...], theme_id: int, formed: set[int]) -> dict[str, Any]:
    """What CircleMember.why keeps: formation's reason, with the rank counted among all the member's votes, so
    someone whose first choice did not form reads that they got their second, not "your first choice"."""
    rank = votes.index(theme_id) + 1 if theme_id in votes else None
    if not votes:
        code = "no_preference"
    elif rank is None:
        code = "theme_full" if any(t in formed for t in votes) else "themes_dropped"
    else:
        code = rank_code(rank)
    return {"code": code, "rank": rank, "mixed_departments": found.mixed_departments,
            "shared_hours": found.shared_hours}


async def tell_voters(ctx: Ctx, program: Program, *, members: dict[int, Member], placed: dict[int, Placed],
                      votes: dict[int, tuple[int, ...]]) -> None:
    """Queue, after the circles' own launch steps, a DM to each placed member whose first choice did not form.
    Votes live only on proposed and selected themes (rejecting or merging a theme moves or drops them)."""
    formed = {p.circle.theme_id for p in placed.values()}
    titles = {t.id: t.title for t in await ctx.uow.themes.of_program(workspace_id=ctx.workspace_id,
                                                                    program_id=program.id or 0)}
    told = []
    for member_id, where in placed.items():
        voted = votes.get(member_id, ())
        if not voted or voted[0] in formed or member_id not in members:  # their first choice runs: nothing to say
            continue
        dropped = [titles[t] for t in voted if t not in formed and t in titles]
        if dropped:
            told.append((members[member_id], where, dropped))
    if told:
        ctx.after_commit(partial(_tell, program=program, told=told))


async def _tell(ctx: Ctx, space: SpaceRef | None, *, program: Program,
                told: list[tuple[Member, Placed, list[str]]]) -> None:
    for member, where, themes in told:
        await dm(ctx, member=member, key=f"themes-not-formed:{program.id}:{member.id}", kind="dm",
                 program_id=program.id, build=partial(not_formed_message, program=program, where=where,
                                                      themes=themes))


def not_formed_message(t: Translator, *, program: Program, where: Placed, themes: list[str]) -> Message:
    """themes: the member's votes that did not form, their first choice first."""
    first, others = f'"{themes[0]}"', names(t, [f'"{title}"' for title in themes[1:]])
    key = "wording.first_choice_not_formed_more" if others else "wording.first_choice_not_formed"
    return Message(text=t(key, program=program.name, first=first, others=others, circle=where.circle.name,
                          theme=where.theme, why=why_line(t, where.why, where.theme)))
