"""What a circle and a member hear when the member takes a place in it: a welcome by name in the circle, the
member's invitation to its space, and a direct message with the circle, why, its moderator and next session."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from bot.circles.hours_notices import Outside, joiners_outside, outside_line, tell_outside
from bot.circles.launch import why_line
from bot.kernel.calendar import group_timetable, next_session
from bot.kernel.context import Scope
from bot.kernel.i18n import Translator, format_moment, resolve_locale
from bot.kernel.messages import Fields, Header, Message, Text
from bot.kernel.outbox import dm, post
from bot.kernel.ports import Target
from bot.kernel.spaces import queue_space_change
from storage.tables import Circle, Member, Program


def stamp(scope: Scope) -> str:
    """Part of a key that differs each time a member takes a place (they may leave and come back)."""
    return str(int(scope.now.timestamp()))


async def theme_title(scope: Scope, circle: Circle) -> str:
    theme = await scope.uow.themes.get(workspace_id=scope.workspace_id, theme_id=circle.theme_id or 0)
    return theme.title if theme else circle.name


async def invite_to_space(scope: Scope, program: Program, circle: Circle, members: list[Member], *, key: str) -> None:
    """Add members to the circle's space; a space not open yet invites everyone active when it opens (launch)."""
    if circle.space and members:
        await queue_space_change(scope, space=circle.space, key=f"space-add:circle:{circle.id}:{key}",
                                 action="add", members=tuple(m.external_id for m in members), program_id=program.id)


async def announce_place(scope: Scope, program: Program, circle: Circle, member: Member,
                         why: dict[str, object]) -> None:
    key = f"{circle.id}:{member.id}:{stamp(scope)}"
    if circle.space:
        t = Translator(resolve_locale(scope.workspace.locale))
        await post(scope, target=Target.from_key(circle.space), key=f"newcomer:{key}", kind="announcement",
                   program_id=program.id, message=Message(text=t("circles_intake.welcome_post", name=member.name,
                                                                 circle=circle.name)))
        await invite_to_space(scope, program, circle, [member], key=key)
    # The circle keeps its time; a newcomer it does not suit reads so in their placement message.
    outside = await joiners_outside(scope, program, circle, [member])
    await tell_member(scope, program, circle, member, why=why, key=f"placed:{key}", outside=next(iter(outside), None))
    await tell_outside(scope, program, outside, key=f"join:{key}", members_told=True)


async def tell_member(scope: Scope, program: Program, circle: Circle, member: Member, *, why: dict[str, object],
                      key: str, intro: str = "circles_intake.placed_dm", outside: Outside | None = None) -> None:
    """A DM with the member's circle: why there, its moderator and next session (in their zone), the call link,
    and, when its sessions fall outside their working hours, what they can do."""
    theme = await theme_title(scope, circle)
    moderator = await scope.uow.members.get(workspace_id=scope.workspace_id,
                                            member_id=circle.moderator_member_id or 0)
    upcoming = next_session(group_timetable(program, circle), scope.now)  # the circle's own time, if it has one
    await dm(scope, member=member, key=key, kind="dm", program_id=program.id, build=partial(
        placed_message, program=program, circle=circle, theme=theme, why=why, member=member,
        moderator=moderator.name if moderator else None, now_next=upcoming, intro=intro, outside=outside))


def placed_message(t: Translator, *, program: Program, circle: Circle, theme: str, why: dict[str, object],
                   member: Member, moderator: str | None, now_next: tuple[int, datetime] | None, intro: str,
                   outside: Outside | None = None) -> Message:
    when = format_moment(now_next[1], timezone=member.timezone, locale=t.locale) if now_next else "-"
    fields = [(t("formation.theme"), theme),
              (t("circles.moderator"), moderator or t("circles_intake.no_moderator")),
              (t("circles.next_session"), when)]
    if program.video_link:
        fields.append((t("formation.video"), program.video_link))
    text = t(intro, circle=circle.name, program=program.name, why=why_line(t, why, theme))
    notes = [outside_line(t, program=program, case=outside)] if outside is not None else []
    return Message(text="\n".join([text, *(f"{a}: {b}" for a, b in fields), *notes]),
                   blocks=(Header(circle.name), Text(text), Fields(tuple(fields)), *(Text(n) for n in notes)))
