"""A mentor's orientation when a pair is made: the role, ground rules, a quiet mentee, ending well, the commands.

Once per mentor and pair (the idempotency key). In reverse mentoring the mentor is the junior colleague: their
orientation adds a section on the rank gap (their expertise counts; the senior chose to learn; feedback upward).
"""

from __future__ import annotations

from bot.kernel.context import Scope
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message, sectioned
from bot.kernel.outbox import dm
from storage.tables import Member, Pair, Program, ProgramFormat

SECTIONS = (
    ("kit.orientation.duties_title", "kit.orientation.mentor.duties"),
    ("kit.orientation.mentor.rules_title", "kit.orientation.mentor.rules"),
    ("kit.orientation.quiet_title", "kit.orientation.mentor.quiet"),
    ("kit.orientation.end_title", "kit.orientation.mentor.end"),
    ("kit.orientation.commands_title", "kit.orientation.mentor.commands"),
)
REVERSE = ("kit.orientation.reverse_title", "kit.orientation.reverse")


def orientation_key(pair: Pair, mentor: Member) -> str:
    return f"orientation:mentor:{pair.id}:{mentor.id}"


def mentor_orientation(t: Translator, *, program: Program, mentee: Member) -> Message:
    reverse = program.format == ProgramFormat.REVERSE
    title = t("kit.orientation.mentor.title", mentee=mentee.name)
    intro = t("kit.orientation.mentor.intro_reverse" if reverse else "kit.orientation.mentor.intro",
              mentee=mentee.name, program=program.name)
    # The rank gap comes straight after the duties: it changes how the junior mentor reads everything else.
    sections = (SECTIONS[0], REVERSE, *SECTIONS[1:]) if reverse else SECTIONS
    return sectioned(title, intro, [(t(head), t(body, mentee=mentee.name)) for head, body in sections])


async def orient_mentor(scope: Scope, *, program: Program, pair: Pair, mentor: Member, mentee: Member) -> bool:
    """DM the orientation in the mentor's language; False when they had it for this pair already."""
    if mentor.erased:
        return False
    return await dm(scope, member=mentor, key=orientation_key(pair, mentor), kind="orientation",
                    program_id=program.id, build=lambda t: mentor_orientation(t, program=program, mentee=mentee))
