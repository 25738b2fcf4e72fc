"""What both platform drivers share: each person's inbox, finding a control or form in it, the scheduler tick."""

from __future__ import annotations

import html
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer, RateLimit
from storage.tables import Member, Workspace
from tests.helpers import plan
from tests.scenario.kinds import (
    PEOPLE,
    Db,
    FileArrives,
    Fill,
    FormShows,
    OwnView,
    Press,
    Say,
    Sees,
    SpaceCreated,
    Step,
    Tick,
)

# The mocks answer at once and nothing is rate limited: no pacing, so a tick takes no real time.
NO_PACING = Pacer({"slack": RateLimit(), "teams": RateLimit(), "local": RateLimit()})


@dataclass
class Control:
    """A button or a pick list as one person sees it; `handle` is what the platform needs to press it."""

    label: str
    action_id: str  # the core's action id, as the adapter will decode it
    kind: str  # button | select | multi
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, value) of a pick list
    handle: Any = None


@dataclass
class Received:
    """One message, card, modal or file a person got, read back from what the platform's mock recorded."""

    text: str
    controls: list[Control] = field(default_factory=list)
    form_fields: list[str] | None = None  # a form (modal or card form): its field names
    image: str | None = None  # a picture or file: its title
    where: Any = None  # the platform's handle of where it sits (to press its buttons, submit its form)
    raw: Any = None  # the platform's own payload, where a step reads more of it (a Teams card)

    def __str__(self) -> str:
        extra = f" [form {self.form_fields}]" if self.form_fields is not None else ""
        extra += f" [image {self.image}]" if self.image else ""
        buttons = f" buttons={[c.label for c in self.controls]}" if self.controls else ""
        return f"{self.text[:300]!r}{buttons}{extra}"


class Driver(ABC):
    """Runs steps on one platform. Subclasses post what people do and read back what each one received."""

    platform: str

    def __init__(self, *, app: App, clock: ManualClock) -> None:
        self.app = app
        self.clock = clock
        self.inbox: dict[str, list[Received]] = {person: [] for person in PEOPLE}
        self.spaces: list[frozenset[str]] = []  # every circle space opened, by its members
        self._marks: dict[str, int] = {}
        self._space_mark = 0

    # -- what subclasses provide --------------------------------------------------------------------------------

    @abstractmethod
    async def say(self, person: str, text: str, *, where: str | None) -> None: ...

    @abstractmethod
    async def press(self, person: str, received: Received, control: Control, *, chosen: Sequence[str]) -> None:
        """Press `control` (chosen: the option values picked in a pick list)."""

    @abstractmethod
    async def fill(self, person: str, received: Received, values: dict[str, Any]) -> None: ...

    @abstractmethod
    def collect(self) -> None:
        """Read the mock's new calls into the inboxes (and `spaces`)."""

    @abstractmethod
    def external_id(self, person: str) -> str: ...

    @abstractmethod
    def form_values(self, form: Received) -> dict[str, str]:
        """What each field of a form shows when it opens (by field name; a pick list's values joined by commas)."""

    @abstractmethod
    async def own_view(self, person: str, control: str) -> tuple[Received, list[Received]]:
        """`person`'s own view of the newest shared ballot with `control`, and the copies of it everyone sees."""

    @abstractmethod
    async def file_arrives(self, step: FileArrives) -> None: ...

    # -- running a step ------------------------------------------------------------------------------------------

    async def run(self, steps: Sequence[Step], *, known: Sequence[tuple[Step, str]] = ()) -> None:
        """Every step in order. `known`: steps that fail because of a known bug (and the bug). Such a step failing
        ends the test as xfail; passing fails it, so the entry goes once the bug is fixed."""
        for number, step in enumerate(steps, 1):
            bug = next((why for known_step, why in known if known_step is step), None)
            try:
                await self.step(step)
            except AssertionError as error:
                if bug is not None:
                    pytest.xfail(f"{self.platform}, step {number}: {bug}")
                raise AssertionError(f"{self.platform}, step {number} {step}: {error}") from None
            if bug is not None:
                raise AssertionError(f"{self.platform}, step {number} {step} passes: is this fixed? {bug}")

    async def step(self, step: Step) -> None:
        match step:
            case Sees():
                self.check_sees(step)
                return
            case SpaceCreated():
                fresh = self.spaces[self._space_mark:]
                assert frozenset(step.members) in fresh, f"spaces opened: {[sorted(s) for s in fresh]}"
                return
            case Db():
                await step.check(self)
                return
            case FormShows():
                shown = self.form_values(self.find_form(step.user))
                wrong = {name: (value, shown.get(name)) for name, value in step.values.items()
                         if shown.get(name) != value}
                assert not wrong, f"the form opens showing other values (wanted, shown): {wrong}"
                return
            case OwnView():
                await self.check_own_view(step)
                return
            case FileArrives():
                await self.file_arrives(step)
                return
        self.mark()
        match step:
            case Say():
                await self.say(step.user, self.mentions(step.text), where=step.where)
            case Press():
                received, control = self.find_control(step.user, step.control)
                chosen = [value for label, value in control.options if any(c in label for c in step.choose)]
                assert len(chosen) == len(step.choose), f"options {control.options}, wanted {step.choose}"
                await self.press(step.user, received, control, chosen=chosen)
            case Fill():
                await self.fill(step.user, self.find_form(step.user), dict(step.values))
            case Tick():
                await self.tick(step.advance)
        self.collect()

    def mark(self) -> None:
        """From here on, `latest` and SpaceCreated read what comes next."""
        self._marks = {person: len(items) for person, items in self.inbox.items()}
        self._space_mark = len(self.spaces)

    async def check_own_view(self, step: OwnView) -> None:
        view, shared = await self.own_view(step.user, step.control)
        ticked = [line.removeprefix("✓ ") for line in view.text.splitlines() if line.startswith("✓ ")]
        assert ticked == ([step.chosen] if step.chosen else []), f"{step.user}'s view ticks {ticked}: {view}"
        assert not any(f"✓ {other}" in view.text for other in step.others), view
        assert shared, f"no shared copy of {step.control} reached {step.user}"
        for copy in shared:  # a secret ballot: what everyone sees ticks nobody's choice
            assert "✓" not in copy.text, f"the copy everyone sees shows a choice: {copy}"

    def mentions(self, text: str) -> str:
        """`@ayu` in a scenario's text -> the core's neutral `<@id>`; drivers turn it into their platform's
        mention before sending, as a person's client would."""
        return re.sub(r"@([a-z]+)\b", lambda m: f"<@{self.external_id(m.group(1))}>" if m.group(1) in PEOPLE
                      else m.group(0), text)

    async def tick(self, advance: timedelta) -> None:
        self.clock.advance(advance)
        await plan(self.app.services.uow, now=self.clock.now(), config=self.app.services.config)
        report = await deliver_due(uow_factory=self.app.uow, messenger=self.app.messenger, clock=self.clock,
                                   worker_id="scenario", pacer=NO_PACING)
        assert report.failed == 0 and report.errors == 0 and report.retried == 0, report

    # -- reading the inboxes ------------------------------------------------------------------------------------

    def latest(self, person: str) -> list[Received]:
        """What `person` received during the last step that did something (newest last)."""
        return self.inbox[person][self._marks.get(person, 0):]

    def check_sees(self, step: Sees) -> None:
        fresh = self.latest(step.user)
        wanted = (step.contains,) if isinstance(step.contains, str) else tuple(step.contains)
        for item in fresh:
            pictured = step.image is None or (item.image is not None and step.image in item.image)
            if pictured and all(w in item.text for w in wanted):
                assert not any(n in item.text for n in step.never), f"{step.never} in {item}"
                return
        shown = "\n  ".join(str(item) for item in fresh) or "(nothing)"
        raise AssertionError(f"{step.user} received:\n  {shown}")

    def find_control(self, person: str, wanted: str) -> tuple[Received, Control]:
        """The newest control matching `wanted` (its label, or the start of its action id) in what `person` got."""
        for received in reversed(self.inbox[person]):
            for control in received.controls:
                if control.label == wanted or control.action_id.startswith(wanted):
                    return received, control
        raise AssertionError(f"no control {wanted!r} for {person}; last received: "
                             f"{[str(r) for r in self.inbox[person][-3:]]}")

    def find_form(self, person: str) -> Received:
        for received in reversed(self.inbox[person]):
            if received.form_fields is not None:
                return received
        raise AssertionError(f"no form for {person}; last received: {[str(r) for r in self.inbox[person][-3:]]}")

    # -- what Db checks may ask -----------------------------------------------------------------------------------

    async def member(self, person: str) -> Member:
        async with self.app.uow() as uow:
            workspace = await self.workspace_id()
            member = await uow.members.by_external_id(workspace_id=workspace, external_id=self.external_id(person))
            assert member is not None, f"{person} is not a member"
            return member

    async def workspace_id(self) -> int:
        async with self.app.uow() as uow:
            workspaces = (await uow.session.exec(select(Workspace))).all()
            assert len(workspaces) == 1, workspaces  # one Slack team or one Teams tenant
            return workspaces[0].id or 0


def unescape(text: str) -> str:
    return html.unescape(text)
