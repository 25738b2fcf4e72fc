"""Circles and pairs still without a space, for the admins' digest (their space is a durable delivery)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.kernel.ports import SpaceUnsupported
from bot.kernel.spaces import needs_home
from storage.repositories.outbox import space_key
from storage.tables import Circle, CircleStatus, DeliveryStatus, Program
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class MissingSpaces:
    circles: tuple[tuple[int, str, bool], ...]  # (id, name, failed for good) of active circles without a space
    pairs: int  # active pairs without a space of their own (welcomed by DM when it failed for good)
    pairs_failed: int
    homeless: bool = False  # the program has no channel, and its circles need one to meet in (Teams without Graph)
    slug: str = ""  # the program's, for the command that gives it a channel

    def __bool__(self) -> bool:
        return bool(self.circles or self.pairs)


async def missing_spaces(uow: UnitOfWork, program: Program, *, circles: Sequence[Circle] | None = None
                         ) -> MissingSpaces:
    """`circles`: every circle of the program when the caller read them already (the digest reads them once)."""
    workspace_id, program_id = program.workspace_id, program.id or 0
    if circles is None:
        circles = await uow.circles.of_program(workspace_id=workspace_id, program_id=program_id)
    missing = []
    for circle in circles:
        if circle.status == CircleStatus.ACTIVE and not circle.space:
            row = await uow.outbox.by_key(key=space_key("circle", circle.id or 0))
            missing.append((circle.id or 0, circle.name, row is not None and row.status == DeliveryStatus.FAILED))
    pairs, failed = 0, 0
    for pair in await uow.pairs.of_program(workspace_id=workspace_id, program_id=program_id):
        row = None if pair.space else await uow.outbox.by_key(key=space_key("pair", pair.id or 0))
        if row is not None and (row.last_error or "").startswith(SpaceUnsupported.__name__):
            continue  # the platform has no such space (Teams without Graph): they meet by DM by design
        pairs += not pair.space
        failed += row is not None and row.status == DeliveryStatus.FAILED
    workspace = await uow.workspaces.get(workspace_id)
    homeless = (bool(missing) and not program.announcement_target and workspace is not None
                and needs_home(workspace))
    return MissingSpaces(circles=tuple(missing), pairs=pairs, pairs_failed=failed, homeless=homeless,
                         slug=program.slug)
