"""The neutral message model: what the core says, which each adapter renders for its platform.

All text here is plain text. Adapters escape it for their format, so user text (theme titles,
names, notes) can never inject mentions, links or markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Option:
    label: str
    value: str


@dataclass(frozen=True)
class Header:
    text: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str  # "<verb>:<argument>", routed by the core's dispatcher
    style: str | None = None  # "primary" | "danger" | None


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Choice:
    """A vote or poll: the member picks one (or several) options; `selected` shows their own choice only."""

    action_id: str
    options: tuple[Option, ...]
    label: str = ""
    selected: tuple[str, ...] = ()
    multi: bool = False
    view: str = ""  # an action id that answers with the member's own view of it and changes nothing (Teams refresh)


@dataclass(frozen=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True)
class Divider:
    pass


@dataclass(frozen=True)
class Context:
    text: str


Block = Header | Text | Fields | Buttons | Choice | Image | Divider | Context


@dataclass(frozen=True)
class Message:
    text: str  # a complete plain-text fallback: notifications, screen readers, the local platform
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class TextInput:
    name: str
    label: str
    initial: str = ""
    multiline: bool = False
    optional: bool = False
    max_length: int = 500
    placeholder: str = ""


@dataclass(frozen=True)
class Select:
    name: str
    label: str
    options: tuple[Option, ...]
    initial: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class MultiSelect:
    name: str
    label: str
    options: tuple[Option, ...]
    initial: tuple[str, ...] = ()
    optional: bool = True
    max_selected: int | None = None


@dataclass(frozen=True)
class Number:
    name: str
    label: str
    initial: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    optional: bool = False


@dataclass(frozen=True)
class DateInput:
    name: str
    label: str
    initial: date | None = None
    optional: bool = False


Input = TextInput | Select | MultiSelect | Number | DateInput


@dataclass(frozen=True)
class Form:
    form_id: str  # routed by the core's dispatcher on submit
    title: str
    inputs: tuple[Input, ...]
    submit: str
    state: str = ""  # opaque context echoed back on submit (e.g. which program)
    intro: str = ""
    fields_by_name: dict[str, Input] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.fields_by_name.update({i.name: i for i in self.inputs})


def sectioned(title: str, intro: str, sections: list[tuple[str, str]]) -> Message:
    """A guide in titled sections (an orientation, a kit): a header, the intro, then one block per section, with the
    same text as the plain fallback."""
    text = "\n\n".join([intro, *(f"*{head}*\n{body}" for head, body in sections)])
    blocks: tuple[Block, ...] = (Header(title), Text(intro), *(Text(f"*{head}*\n{body}") for head, body in sections))
    return Message(text=text, blocks=blocks)
