"""What next after a program: the alumni circle, mentoring the next cohort, a new match, staying in touch."""

from __future__ import annotations

from bot.alumni.choose import choose_next
from bot.alumni.circle import settle_alumni
from bot.alumni.cohort import invite_next_cohort
from bot.alumni.touch import settle_touch
from bot.kernel.capability import Capability
from bot.kernel.planning import PlanContext, for_states
from storage.tables import NextStep, ProgramState


@for_states(ProgramState.CLOSING, ProgramState.CLOSED)
async def settle_what_next(pc: PlanContext) -> int:
    """A planner: bring alumni into their open space, and make sure choosers of staying in touch heard of each
    other. One query when there is nothing to do, which is almost always (buttons stay pressable after closing)."""
    waiting = await pc.uow.closing.of_program(program_id=pc.program.id or 0, unused_only=True,
                                              choices=(NextStep.ALUMNI, NextStep.STAY_IN_TOUCH))
    if not waiting:
        return 0
    alumni = [c for c in waiting if c.choice == NextStep.ALUMNI]
    touch = [c for c in waiting if c.choice == NextStep.STAY_IN_TOUCH]
    done = await settle_alumni(pc, pc.config, pc.program, alumni) if alumni else 0
    return done + (await settle_touch(pc, pc.program, touch) if touch else 0)


CAPABILITY = Capability(
    name="alumni",
    actions={"next": choose_next},
    planners=(settle_what_next, invite_next_cohort),
)

__all__ = ["CAPABILITY"]
