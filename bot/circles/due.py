"""Whether a planned item is early, due or stale now; stale items are noted once in the outbox as skipped."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.circles.scope import CircleRun, active_circles, load_circle
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.planning import PlanContext
from bot.kernel.ports import Target
from storage.tables import Circle, Delivery, DeliveryStatus
from storage.upsert import insert_ignore

log = logging.getLogger(__name__)

DueState = Literal["early", "due", "stale"]
PREFIXES = ("prompt:", "reminder:", "checkin:", "missed:")


@dataclass
class PlanPass:
    """What the running-circle planners read in one planning pass (one program, one tick), each loaded once."""

    pc: PlanContext
    circles: list[Circle]
    keys: set[str]  # idempotency keys of this program's running-circle deliveries planned before this pass
    _runs: dict[int, CircleRun] = field(default_factory=dict)

    async def run(self, circle: Circle) -> CircleRun:
        """Members and enrollments only when a planner has something to queue for the circle."""
        if circle.id not in self._runs:
            self._runs[circle.id or 0] = await load_circle(self.pc, circle, self.pc.program)
        return self._runs[circle.id or 0]


async def planning_pass(pc: PlanContext) -> PlanPass:
    # The scheduler hands every planner the same PlanContext for a program and tick: keep the loads on it
    # (when it cannot hold them, each planner simply loads its own).
    holder: dict[str, object] = getattr(pc, "__dict__", {})
    memo = holder.get("_running_pass")
    if not isinstance(memo, PlanPass):
        circles = await active_circles(pc, pc.program)
        keys = await pc.uow.running.delivery_keys(program_id=pc.program.id or 0,
                                                  prefixes=PREFIXES) if circles else set()
        memo = PlanPass(pc=pc, circles=circles, keys=keys)
        holder["_running_pass"] = memo
    return memo


def any_open(now: datetime, windows: list[tuple[datetime, datetime]]) -> bool:
    """Planners do nothing (not even noting stale items) unless one of their windows is open: most ticks."""
    return any(due <= now < stale for due, stale in windows)


def due_state(now: datetime, *, due: datetime, stale: datetime | None) -> DueState:
    if now < due:
        return "early"
    if stale is not None and now >= stale:
        return "stale"
    return "due"


async def note_stale(pc: PlanContext, *, key: str, kind: str, target: Target, due: datetime, stale: datetime | None,
                     member_id: int | None = None, reason: str = "stale before it was planned") -> bool:
    """Record, once, that an item will not be sent: it went stale before the planner ran, or its reader paused.

    A skipped row under the same idempotency key keeps it from being planned later and lets admins see it.
    """
    created = await insert_ignore(pc.uow.session, Delivery, values={
        "workspace_id": pc.workspace_id, "program_id": pc.program.id, "key": key[:255], "kind": kind,
        "target": target.key(), "member_id": member_id, "payload": encode(Message(text="")), "image": None,
        "status": DeliveryStatus.SKIPPED, "due_at": due, "stale_at": stale, "attempts": 0, "created_at": pc.now,
        "last_error": reason,
    }, conflict=("key",))
    if created is not None:
        log.info("skipped %s for program %s (due %s, stale %s): %s", kind, pc.program.id, due.isoformat(),
                 stale.isoformat() if stale else "-", reason)
    return created is not None
