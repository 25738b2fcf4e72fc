"""Files for members and admins (exports, `my data`), queued like any message and sent with `send_file`.

A file is a Delivery of kind "file": its bytes in `image`, its title as the message text and its name in
`payload["file"]["filename"]`. The deliverer sends it with `Messenger.send_file(target, data, filename, title)`;
`file_of` reads a delivery that way, so the deliverer never needs to know the layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.message_codec import decode
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue
from bot.kernel.ports import Target
from storage.tables import Delivery
from storage.uow import UnitOfWork

FILE_KIND = "file"


@dataclass(frozen=True)
class OutgoingFile:
    data: bytes
    filename: str
    title: str


async def enqueue_file(
    uow: UnitOfWork, *, workspace_id: int, key: str, target: Target, data: bytes, filename: str, title: str,
    due_at: datetime, program_id: int | None = None, member_id: int | None = None,
) -> bool:
    """Queue a file once per idempotency key; False when it was queued before."""
    queued = await enqueue(uow, workspace_id=workspace_id, key=key, kind=FILE_KIND, target=target,
                           message=Message(text=title), due_at=due_at, program_id=program_id, member_id=member_id,
                           image=data)
    if queued:
        await uow.feedback.name_file(key=key[:255], filename=filename)
    return queued


def file_of(delivery: Delivery) -> OutgoingFile | None:
    """The file a delivery carries, or None for an ordinary message (or image)."""
    if delivery.kind != FILE_KIND or delivery.image is None:
        return None
    named = delivery.payload.get("file") or {}
    return OutgoingFile(data=bytes(delivery.image), filename=str(named.get("filename") or "lingkar.bin"),
                        title=decode(delivery.payload).text)
