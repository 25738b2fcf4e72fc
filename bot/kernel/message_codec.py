"""Messages to and from JSON, so queued deliveries survive restarts and cross processes."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.kernel.messages import (
    Block,
    Button,
    Buttons,
    Choice,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Message,
    Option,
    Text,
)

_BLOCK_TYPES = (Header, Text, Fields, Buttons, Choice, Image, Divider, Context)
_BLOCKS: dict[str, type] = {cls.__name__: cls for cls in _BLOCK_TYPES}


def encode(message: Message) -> dict[str, Any]:
    return {"text": message.text, "blocks": [{"type": type(b).__name__, **asdict(b)} for b in message.blocks]}


def _block(data: dict[str, Any]) -> Block:
    kind = data.pop("type")
    cls = _BLOCKS[kind]
    if cls is Fields:
        return Fields(tuple((str(a), str(b)) for a, b in data["pairs"]))
    if cls is Buttons:
        return Buttons(tuple(Button(**b) for b in data["buttons"]))
    if cls is Choice:
        return Choice(action_id=data["action_id"], options=tuple(Option(**o) for o in data["options"]),
                      label=data.get("label", ""), selected=tuple(data.get("selected", ())),
                      multi=bool(data.get("multi", False)), view=str(data.get("view", "")))
    block: Block = cls(**data)
    return block


def decode(payload: dict[str, Any]) -> Message:
    return Message(text=str(payload.get("text", "")), blocks=tuple(_block(dict(b)) for b in payload.get("blocks", [])))
