"""A moderator's orientation: what the role asks, ground rules, a quiet member, ending well, the commands.

Sent once per person and circle, however they became moderator (appointed, elected, handed over to, or their
first rotating turn): the idempotency key holds the circle and the member, not the way in.
"""

from __future__ import annotations

from typing import Literal

from bot.kernel.context import Scope
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message, sectioned
from bot.kernel.outbox import dm
from storage.tables import Circle, Member, Program

How = Literal["appointed", "elected", "handover", "rotating"]
# (section title, body) keys after the intro, in the order a new moderator needs them.
SECTIONS = (
    ("kit.orientation.duties_title", "kit.orientation.moderator.duties"),
    ("kit.orientation.moderator.rules_title", "kit.orientation.moderator.rules"),
    ("kit.orientation.quiet_title", "kit.orientation.moderator.quiet"),
    ("kit.orientation.end_title", "kit.orientation.moderator.end"),
    ("kit.orientation.commands_title", "kit.orientation.moderator.commands"),
)


def orientation_key(circle: Circle, member: Member) -> str:
    return f"orientation:moderator:{circle.id}:{member.id}"


def moderator_orientation(t: Translator, *, program: Program, circle: Circle, how: How) -> Message:
    title = t("kit.orientation.moderator.title", circle=circle.name)
    intro = t(f"kit.orientation.moderator.intro.{how}", circle=circle.name, program=program.name)
    return sectioned(title, intro, [(t(head), t(body)) for head, body in SECTIONS])


async def orient_moderator(scope: Scope, *, program: Program, circle: Circle, member: Member, how: How) -> bool:
    """DM the orientation in the member's language; False when they had it for this circle already."""
    if member.erased:
        return False
    return await dm(scope, member=member, key=orientation_key(circle, member), kind="orientation",
                    program_id=program.id,
                    build=lambda t: moderator_orientation(t, program=program, circle=circle, how=how))
