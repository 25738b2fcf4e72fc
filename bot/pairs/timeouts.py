"""The clock's part in pairing: mentor requests that time out go to the mentee's next best shortlist."""

from __future__ import annotations

from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from bot.kernel.planning import PlanContext
from bot.pairs.pool import load_pool
from bot.pairs.shortlist import offer_shortlist
from storage.tables import PairRequestStatus


async def expire_requests(pc: PlanContext) -> int:
    queued = 0
    for request in await pc.uow.pairs.pending_requests(program_id=pc.program.id or 0):
        if request.expires_at > pc.now:
            continue
        request.status, request.answered_at = PairRequestStatus.TIMED_OUT, pc.now
        pc.uow.pairs.add(request)
        await pc.uow.flush()
        mentee = await pc.uow.members.get(workspace_id=pc.workspace_id, member_id=request.mentee_member_id)
        if mentee is None:
            continue
        queued += await dm(pc, member=mentee, key=f"pair-timeout:{request.id}", kind="pair",
                           program_id=pc.program.id, build=lambda tr: Message(text=tr("pairs.timed_out_mentee")))
        await offer_shortlist(pc, await load_pool(pc, pc.program), mentee)
        queued += 1
    return queued


async def plan_timeouts(pc: PlanContext) -> int:
    """A mentor who does not answer in time counts as a decline: the mentee gets the next best shortlist."""
    if pc.program.format == "circles":
        return 0

    return await expire_requests(pc)
