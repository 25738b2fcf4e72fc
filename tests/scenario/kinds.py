"""The scenario's vocabulary: its cast, and the kinds of step a scenario is written in (what people do, what they
should see, what the database should hold). Drivers run each kind their platform's way."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.scenario.driver import Driver

# -- the cast -------------------------------------------------------------------------------------------------------

ADMIN, AYU, BUDI, CITRA, EKO, FAJAR = "admin", "ayu", "budi", "citra", "eko", "fajar"
PEOPLE: Mapping[str, str] = {
    ADMIN: "Dewi Rahayu", AYU: "Ayu Lestari", BUDI: "Budi Santoso", CITRA: "Citra Dewi", EKO: "Eko Prasetyo",
    FAJAR: "Fajar Nugroho",
}
MEMBERS = (AYU, BUDI, CITRA, EKO, FAJAR)
CHANNEL = "channel"  # `where` of a Say: the program's channel (where the admin works and the program is announced)
CIRCLE = "circle"  # `where` of a Say: the speaker's circle space

# -- the steps --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """`user` types a command: in their private chat with the bot, or `where` (CHANNEL, CIRCLE). `@ayu` mentions."""

    user: str
    text: str
    where: str | None = None


@dataclass(frozen=True)
class Press:
    """`user` presses a button (by its label or the start of its action id) in the newest message that has it;
    for a pick list, `choose` names the options to tick (part of their labels)."""

    user: str
    control: str
    choose: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fill:
    """`user` submits the newest form they were shown (a Slack modal, a Teams card) with these answers."""

    user: str
    values: Mapping[str, str | list[str]]


@dataclass(frozen=True)
class Tick:
    """Time passes: the scheduler plans what is due and delivers it."""

    advance: timedelta = timedelta(0)


@dataclass(frozen=True)
class Sees:
    """During the last step that did something, `user` received one message containing all of `contains`
    (and none of `never`); `image`: it was a picture or file with this in its title."""

    user: str
    contains: str | tuple[str, ...] = ()
    image: str | None = None
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpaceCreated:
    """During the last step, a circle space was opened for exactly these people."""

    members: frozenset[str]


@dataclass(frozen=True)
class Db:
    """What the database holds now; `check` asserts on it."""

    what: str
    check: Callable[[Driver], Awaitable[None]] = field(repr=False)


@dataclass(frozen=True)
class FormShows:
    """The newest form `user` was shown opens filled in with exactly these values (by field name): a Slack modal's
    initial values, a Teams card's input values."""

    user: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class OwnView:
    """A shared ballot (its control's action id starts with `control`) shows `user` their own choice: `chosen` ticked
    (None: nothing ticked), none of `others` ticked; and the copy everyone sees ticks nobody. On Teams, by the card's
    refresh invoke, answered with this member's view and nothing posted; on Slack, by the ephemeral view the voter
    got when pressing (Slack has no per-member refresh: the shared message stays as posted)."""

    user: str
    control: str
    chosen: str | None
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileArrives:
    """A file for `user`, with this title and file name. On Teams its consent card came with the last step's answer
    (no scheduler tick), its text fallback `fallback` in the member's language naming title and file; on Slack the
    deliverer's next run uploads it to their DM (files_upload_v2) with `title`."""

    user: str
    title: str
    filename: str
    fallback: str


Step = Say | Press | Fill | Tick | Sees | SpaceCreated | Db | FormShows | OwnView | FileArrives
