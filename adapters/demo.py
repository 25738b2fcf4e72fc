"""`lingkar demo`: the product on its embedded default, driven by the same events a platform sends."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from adapters.bootstrap import App, bootstrap
from adapters.demo_people import Person, people
from adapters.local.messenger import LocalMessenger
from adapters.local.render import render_form, render_message
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Actor, Command, Event, FormSubmitted, FormValue
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response, UpdateSource

WORKSPACE = "T-DEMO"
START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # Monday 09:00 in Jakarta
ADMIN = "UHR01"


@dataclass
class Demo:
    app: App
    local: LocalMessenger
    clock: ManualClock
    console: Console
    out_dir: Path = field(default_factory=Path)
    people: list[Person] = field(default_factory=list)
    quiet: bool = False
    button_labels: dict[str, str] = field(default_factory=dict)  # action id -> label, for readable transcripts

    def actor(self, user: str) -> Actor:
        person = next((p for p in self.people if p.user_id == user), None)
        if person is None:
            return Actor("local", WORKSPACE, user, display_name="Rani (HR)", locale="en")
        return Actor("local", WORKSPACE, user, display_name=person.name, locale=person.locale)

    async def send(self, event: Event, *, show: bool = True) -> list[Response]:
        responses = await self.app.core.handle(event)
        if show and not self.quiet:
            self.show(event, responses)
        return responses

    async def say(self, user: str, text: str, *, show: bool = True) -> list[Response]:
        return await self.send(Command(self.actor(user), text), show=show)

    async def press(self, user: str, action_id: str, value: str = "", *, show: bool = True) -> list[Response]:
        return await self.send(Action(self.actor(user), action_id, value=value), show=show)

    async def submit(self, user: str, form_id: str, values: dict[str, FormValue], *, state: str = "",
                     show: bool = True) -> list[Response]:
        return await self.send(FormSubmitted(self.actor(user), form_id, state=state, values=values), show=show)

    def show(self, event: Event, responses: list[Response]) -> None:
        who = event.actor.display_name or event.actor.user_id
        if isinstance(event, Command):
            self.console.print(f"[bold cyan]{escape(who)}[/]: /circle {escape(event.text)}")
        elif isinstance(event, Action):
            label = self.button_labels.get(event.action_id, event.action_id)
            self.console.print(f"[bold cyan]{escape(who)}[/] presses {escape(f'[{label}]')} {escape(event.value)}")
        else:
            self.console.print(f"[bold cyan]{escape(who)}[/] submits the {escape(event.form_id)} form")
        for response in responses:
            match response:
                case Reply(message=message) | UpdateSource(message=message):
                    self.console.print(Panel(render_message(message), title="Lingkar", border_style="green"))
                case OpenForm(form=form):
                    self.console.print(Panel(render_form(form), title="form", border_style="blue"))
                case FormErrors(errors=errors):
                    self.console.print(Panel("\n".join(f"{k}: {v}" for k, v in errors.items()),
                                             title="form errors", border_style="red"))

    def heading(self, text: str) -> None:
        self.console.rule(f"[bold]{text}")


async def run_demo(*, members: int = 36, out_dir: Path | None = None, console: Console | None = None) -> Path:
    out = out_dir or Path(tempfile.mkdtemp(prefix="lingkar-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    database = out / "lingkar-demo.db"
    database.unlink(missing_ok=True)
    clock = ManualClock(START)
    local = LocalMessenger()
    # One process that never restarts: a fresh signing key is all it needs (and no warning about replicas).
    settings = Settings(LINGKAR_DATABASE_URL=f"sqlite+aiosqlite:///{database}", LINGKAR_ADMINS=ADMIN,
                        LINGKAR_SECRET_KEY=secrets.token_urlsafe(32))
    app = await bootstrap(settings, clock=clock, messenger_overrides={"local": local})
    demo = Demo(app=app, local=local, clock=clock, console=console or Console(), out_dir=out,
                people=people(members))
    try:
        from adapters.demo_pair_scenes import SCENES  # the scenes import Demo from here

        for scene in SCENES:
            await scene(demo)
    finally:
        await app.close()
    demo.console.print(f"\nDemo database and files: {out}")
    return out


def members_table(title: str, rows: Sequence[tuple[str, ...]], columns: tuple[str, ...]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table
