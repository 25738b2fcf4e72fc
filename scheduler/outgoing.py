"""What one delivery asks of the platform: a message, an image, a file, a space to open or a change to a space."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.kernel.message_codec import decode
from bot.kernel.ports import MessageRef, Messenger, Target
from bot.kernel.spaces import change_space, open_ordered
from storage.repositories.outbox import file_of, space_change_of, space_of
from storage.tables import Delivery

Send = Callable[[], Awaitable[MessageRef]]


def outgoing(messenger: Messenger, delivery: Delivery, target: Target) -> Send:
    """Read the payload now (a bad one fails at once) and return the call that sends it."""
    order = space_of(delivery)  # a circle's or pair's space: opened once, its ref names it
    if order is not None:
        return lambda: open_ordered(messenger, target, order)
    change = space_change_of(delivery)  # members added to a space, or the space archived at a program's end
    if change is not None:
        asked = change  # bound for the lambda, as below
        return lambda: change_space(messenger, target, asked)
    outgoing = file_of(delivery)
    if outgoing is not None:
        file = outgoing  # bound for the lambda: mypy cannot narrow `outgoing` inside it
        return lambda: messenger.send_file(target, file.data, file.filename, file.title)
    message = decode(delivery.payload)
    if delivery.image is not None:
        png = bytes(delivery.image)
        return lambda: messenger.send_image(target, png, message.text)
    return lambda: messenger.send(target, message)
