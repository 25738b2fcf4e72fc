"""Every text the demo shows, rendered as Slack (Block Kit, modals) and Teams (Adaptive Cards) would show it,
in English and Bahasa Indonesia: `python -m scripts.render_review` writes build/render_review/{slack,teams}-{en,id}.txt.

The demo runs once per language with every person (the admin included) speaking it, on a temporary SQLite; what
the core answers (replies, forms) and every delivery the scheduler sends are collected, deduplicated by what they
say (names and numbers aside), and rendered through the adapters' own renderers. `faults` lists the mechanical
faults a reader should never have to find (tests/render/test_rendered_texts.py runs it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from rich.console import Console

from adapters.bootstrap import bootstrap
from adapters.demo import ADMIN, START, Demo
from adapters.demo_people import people
from adapters.local.messenger import LocalMessenger
from adapters.settings import Settings
from bot.kernel.clock import ManualClock
from bot.kernel.events import Actor, Command, Event
from bot.kernel.i18n import LOCALES, Translator
from bot.kernel.messages import Buttons, Form, Message
from bot.kernel.replies import FormErrors, OpenForm, Reply, Response, UpdateSource
from scripts.render_dump import (
    PEOPLE,
    slack_blocks,
    slack_form,
    slack_message,
    slack_view,
    teams_card,
    teams_form,
    teams_form_card,
    teams_message,
)
from scripts.render_faults import length_faults, slack_places, teams_places, text_faults

OUT = Path("build/render_review")
# Commands the scenes do not type, so their answers are read too: help, the member's own views, an admin's lists.
EXTRA = {"en": ["help", "status", "program list", "my data", "pause", "resume", "goal list", "feedback",
                "program nonsense", "theme vote 99"],
         "id": ["bantuan", "status", "program list", "data saya", "jeda", "lanjutkan", "goal list", "feedback",
                "program nonsense", "theme vote 99"]}


@dataclass(frozen=True)
class Seen:
    """One thing a person saw: a message (reply or delivery) or a form, with where it appeared."""

    where: str
    message: Message | None = None
    form: Form | None = None


@dataclass
class ReviewDemo(Demo):
    """The demo with everyone speaking one language, recording what the core answers."""

    locale: str = "en"
    seen: list[Seen] = field(default_factory=list)

    def actor(self, user: str) -> Actor:
        actor = super().actor(user)
        return replace(actor, locale=self.locale)

    async def send(self, event: Event, *, show: bool = True) -> list[Response]:
        responses = await super().send(event, show=False)
        role = "admin" if event.actor.user_id == ADMIN else "member"
        what = f"/circle {event.text}" if isinstance(event, Command) else getattr(event, "action_id", None) or \
            f"form {getattr(event, 'form_id', '?')}"
        where = f"reply to {role} after {_shape(what)}"
        for response in responses:
            match response:
                case Reply(message=message) | UpdateSource(message=message):
                    self.seen.append(Seen(where, message=message))
                case OpenForm(form=form):
                    self.seen.append(Seen(where, form=form))
                case FormErrors(errors=errors):
                    self.seen.append(Seen(f"{where} (form errors)", message=Message(text="\n".join(errors.values()))))
        return responses


def _shape(text: str) -> str:
    """An event described without its particulars: ids and numbers become #."""
    return re.sub(r"\d+", "#", text.split(" <@")[0])[:60]


async def collect(locale: str, *, members: int = 36) -> list[Seen]:
    """Run the demo's scenes with everyone speaking `locale`; every reply, form and delivery, in order."""
    from adapters.demo_pair_scenes import SCENES

    with tempfile.TemporaryDirectory(prefix="lingkar-render-") as folder:
        settings = Settings(LINGKAR_DATABASE_URL=f"sqlite+aiosqlite:///{folder}/review.db", LINGKAR_ADMINS=ADMIN,
                            LINGKAR_SECRET_KEY=secrets.token_urlsafe(32), LINGKAR_DEFAULT_LOCALE=locale)
        clock, local = ManualClock(START), LocalMessenger()
        app = await bootstrap(settings, clock=clock, messenger_overrides={"local": local})
        demo = ReviewDemo(app=app, local=local, clock=clock, console=Console(file=io.StringIO()), out_dir=Path(folder),
                          people=[replace(p, locale=locale) for p in people(members)], quiet=True, locale=locale)
        try:
            for scene in SCENES:
                await scene(demo)
            for text in EXTRA[locale]:
                await demo.say(demo.people[1].user_id, text)
                await demo.say(ADMIN, text)
        finally:
            await app.close()
    delivered = [Seen(_target(s.target.kind, s.target.ref), message=s.message) for s in local.sent]
    updated = [Seen("a message updated in place", message=m) for _, m in local.updates]
    opened = [Seen("a form opened by a button", form=f) for _, f in local.forms]
    return [*demo.seen, *delivered, *updated, *opened]


def _target(kind: str, ref: str) -> str:
    if kind == "user":
        return "DM to the admin" if ref == ADMIN else "DM to a member"
    return f"posted in #{_shape(ref)}"


def _signature(seen: Seen, names: Iterable[str]) -> str:
    """What makes two things the same kind: their words, with names, numbers and dates left out."""
    if seen.form is not None:  # the same form whatever it asks about (a self-assessment lists each one's skills)
        options = sorted({o.label for i in seen.form.inputs for o in getattr(i, "options", ())})
        text = "|".join([seen.form.form_id, seen.form.title, seen.form.intro, *options])
    else:
        assert seen.message is not None
        actions = [b.action_id.split(":")[0] for block in seen.message.blocks if isinstance(block, Buttons)
                   for b in block.buttons]
        text = seen.message.text + "|" + ",".join(actions)
    for name in names:
        text = text.replace(name, "NAME")
    text = text.replace("[x]", "[ ]")  # a vote is the same text whatever was chosen
    return re.sub(r"\d+", "#", text)


def distinct(seen: list[Seen], *, names: Iterable[str]) -> list[tuple[Seen, int]]:
    """One of each kind, in first-seen order, with how often the kind was seen."""
    names = sorted(set(names), key=len, reverse=True)
    kinds: dict[str, list[Seen]] = {}
    for item in seen:
        kinds.setdefault(_signature(item, names), []).append(item)
    return [(items[0], len(items)) for items in kinds.values()]


def dump(platform: str, locale: str, items: list[tuple[Seen, int]]) -> str:
    t = Translator(locale)
    parts: list[str] = [f"Lingkar as {platform} shows it, locale {locale}: {len(items)} kinds of text\n"]
    total = 0
    for number, (item, count) in enumerate(items, 1):
        head = f"=== {number}. {item.where}" + (f"  (x{count})" if count > 1 else "")
        if item.form is not None:
            body = slack_form(item.form, t=t) if platform == "slack" else teams_form(item.form, t=t)
        else:
            assert item.message is not None
            body = slack_message(item.message, t=t) if platform == "slack" else teams_message(item.message, t=t)
        found = faults(item, platform=platform, t=t)
        parts.append(f"{head}\n{body}\n" + "".join(f"!! {fault}\n" for fault in found))
        total += len(found)
    parts[0] += f"{total} mechanical faults (lines starting with !!)\n"
    return "\n".join(parts)


def faults(item: Seen, *, platform: str, t: Translator) -> list[str]:
    """The mechanical faults of one item as `platform` renders it (render_faults)."""
    shown = item.form or item.message
    assert shown is not None
    if platform == "slack":
        node = slack_view(item.form, t=t) if item.form else slack_blocks(shown, t=t)  # type: ignore[arg-type]
        places = list(slack_places(node))
    else:
        node = teams_form_card(item.form, t=t) if item.form else teams_card(shown, t=t)  # type: ignore[arg-type]
        places = list(teams_places(node))
    return text_faults(places, locale=t.locale, platform=platform) + length_faults(shown)


async def review(*, members: int = 36, locales: Iterable[str] = LOCALES) -> dict[str, str]:
    """File name -> the dump, for each platform and locale."""
    PEOPLE.update({p.user_id: p.name for p in people(members)}, **{ADMIN: "Rani (HR)"})
    dumps: dict[str, str] = {}
    for locale in locales:
        seen = await collect(locale, members=members)
        items = distinct(seen, names=[p.name for p in people(members)])
        for platform in ("slack", "teams"):
            dumps[f"{platform}-{locale}.txt"] = dump(platform, locale, items)
    return dumps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--members", type=int, default=36)
    parser.add_argument("--locale", choices=LOCALES, action="append", help="default: every locale")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in asyncio.run(review(members=args.members, locales=args.locale or LOCALES)).items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(args.out / name, text.split("\n", 2)[1])


if __name__ == "__main__":
    main()
