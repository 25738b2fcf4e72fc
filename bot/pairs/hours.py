"""§0 for pairs: a new pair meets inside both sides' working hours, and whoever it still does not suit is told.

The slot is chosen from the program's by whole-hour moves (bot/sessions/slots.choose_slot). A side whose meetings
still fall outside their hours hears it by DM in their language, with the way out (the pair agrees its own time);
each admin is warned once per pair, with the same offer and the re-pairing command.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from bot.kernel.planning import PlanContext
from bot.kernel.spaces import tell_admins
from bot.pairs.when import held_meetings, meets_line, member_zone, reader_zones, slot_text
from bot.sessions.slots import SlotChoice, choose_slot
from bot.sessions.timing import in_working_hours
from storage.tables import Member, Pair, Program


def place_in_hours(program: Program, pair: Pair, mentor: Member, mentee: Member) -> SlotChoice:
    """Set the new pair's schedule; [] (the program's slot) when that fits both sides."""
    choice = choose_slot(program, [mentor, mentee])
    pair.schedule = choice.schedule
    return choice


def first_outside(program: Program, pair: Pair, member: Member) -> datetime | None:
    """The first of the pair's meetings that falls outside `member`'s working hours."""
    own, meetings = held_meetings(program, pair)
    return next((moment for moment in (own.moment(i) for i in meetings)
                 if not in_working_hours(member, moment, fallback=program.timezone)), None)


def _hours(member: Member) -> str:
    return f"{member.work_start_hour % 24:02d}:00–{member.work_end_hour % 24:02d}:00"


def side_notice(t: Translator, program: Program, pair: Pair, member: Member, partner: Member,
                moment: datetime) -> Message:
    name = member_zone(member, program)
    return Message(text=t("pairs.outside.side", partner=partner.name, program=program.name,
                          slot=slot_text(t, moment, name), first=format_moment(moment, timezone=name,
                                                                                locale=t.locale),
                          hours=_hours(member)))


def admin_warning(t: Translator, program: Program, pair: Pair, mentor: Member, mentee: Member,
                  outside: list[Member], *, now: datetime) -> Message:
    when = meets_line(t, program, pair, reader_zones(program, pair, [mentor, mentee]), now=now,
                      key="pairs.outside.admin_when") or ""
    names = ", ".join(f"{m.name} ({_hours(m)}, {member_zone(m, program)})" for m in outside)
    return Message(text="\n".join(x for x in (
        t("pairs.outside.admin", mentor=mentor.name, mentee=mentee.name, program=program.name, names=names),
        when, t("pairs.outside.admin_offer", slug=program.slug)) if x))


async def tell_outside(scope: Scope, program: Program, pair: Pair, mentor: Member, mentee: Member,
                       choice: SlotChoice) -> None:
    """Once per pair (the keys): each side whose meetings fall outside their hours, then every admin."""
    outside: list[Member] = []
    for member, partner in ((mentor, mentee), (mentee, mentor)):
        if member.id not in {m.id for m in choice.outside} or member.erased:
            continue
        moment = first_outside(program, pair, member)
        if moment is None:
            continue  # only sessions before the pair was formed were outside: none of its own meetings
        outside.append(member)
        await dm(scope, member=member, key=f"pair-outside:{pair.id}:{member.id}", kind="pair",
                 program_id=program.id, build=partial(side_notice, program=program, pair=pair, member=member,
                                                      partner=partner, moment=moment))
    config = _config(scope)
    if outside and config is not None:
        await tell_admins(scope, config, key=f"pair-outside:{pair.id}:admin", program_id=program.id,
                          build=lambda t: admin_warning(t, program, pair, mentor, mentee, outside, now=scope.now))


def _config(scope: Scope) -> CoreConfig | None:
    """Who the admins are: a handler's services or a planner's config (pairs are made by both)."""
    if isinstance(scope, Ctx):
        return scope.services.config
    return scope.config if isinstance(scope, PlanContext) else None
