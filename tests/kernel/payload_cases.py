"""Every way a client names something of ours, for tests/kernel/test_payload_trust.py: one Case per registered
action verb and form id (and per field an id travels in)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.kernel.events import FormValue
from tests.helpers import PROFILE
from tests.kernel.payload_world import World

Arg = Callable[[World], str]
Values = Callable[[World], dict[str, FormValue]]


@dataclass(frozen=True)
class Case:
    """One way a client names something: `name` is the registered action verb or form id; `field` is where the
    id travels (the action's argument / the form's state, or the chosen option of a select)."""

    name: str
    kind: Literal["action", "form"]
    user: str
    arg: Arg
    value: Arg = lambda w: ""
    values: Values = lambda w: {}
    field: Literal["arg", "value"] = "arg"
    admin: bool = False  # the actor is a Lingkar admin (LINGKAR_ADMINS=UADMIN in the app fixture)
    takes_id: bool = True
    empty_ok: bool = False  # an empty state is one the server writes too (a plain profile, no channel)

    @property
    def label(self) -> str:
        return f"{self.name}#{self.field}" if self.field != "arg" else self.name


def _id(name: str) -> Arg:
    return lambda w: str(w[name])


CHECKIN = {"attended": "yes", "usefulness": "4", "progress": "More practice"}
CASES: list[Case] = [
    Case("join", "action", "U4", _id("enrolling")),
    Case("leave", "action", "U1", _id("enrolling")),
    Case("invite", "action", "U4", lambda w: f"{w['enrolling']}:no"),
    Case("profile", "form", "U4", lambda w: f"join:{w['enrolling']}", values=lambda w: dict(PROFILE),
         empty_ok=True),
    Case("leave", "form", "U1", _id("enrolling"), values=lambda w: {"reason": "busy"}),
    Case("theme.vote", "action", "U1", _id("enrolling"), value=_id("theme")),
    Case("theme.vote", "action", "U1", _id("enrolling"), value=_id("theme"), field="value"),
    Case("elect.vote", "action", "U1", _id("election"), value=_id("U2")),
    Case("elect.vote", "action", "U1", _id("election"), value=_id("U2"), field="value"),
    Case("theme.ballot", "action", "U1", _id("enrolling")),  # a card's refresh: the member's own ballot
    Case("elect.ballot", "action", "U1", _id("election")),
    Case("circle.pick", "action", "U1", _id("pick")),
    Case("circle.leave", "form", "U2", _id("circle"), values=lambda w: {"reason": "busy"}),
    # `circle merge`'s Confirm: "<into>.<from>". The world's running program has one circle, so the control is the
    # same-circle refusal; merges themselves are tested in tests/circles/test_arrange.py.
    Case("circle.merge", "action", "UADMIN", lambda w: f"{w['circle']}.{w['circle']}", admin=True),
    Case("checkin.open", "action", "U2", lambda w: f"{w['circle']}.0"),
    Case("checkin.answer", "form", "U2", lambda w: f"{w['circle']}.0", values=lambda w: dict(CHECKIN)),
    Case("session.log", "form", "U1", _id("circle"),
         values=lambda w: {"session": "0", "attendees": [str(w["U1"]), str(w["U2"])], "outcomes": "Good talk"}),
    Case("session.log", "form", "U1", _id("circle"), field="value",
         value=lambda w: str(w["U2"]),
         values=lambda w: {"session": "0", "attendees": [str(w["U1"])], "outcomes": "Good talk"}),
    Case("goal.set", "form", "U1", _id("running"),
         values=lambda w: {"specific": "Speak", "measurable": "4 talks", "achievable": "yes", "relevant": "yes",
                           "due_on": "2026-04-01"}),
    Case("goal.update", "form", "U1", _id("goal"), values=lambda w: {"progress": "40", "note": "halfway"}),
    Case("poll.open", "action", "U2", _id("pulse")),
    Case("feedback.poll", "form", "U2", _id("pulse"), values=lambda w: {"satisfaction": "4", "recommend": "9"}),
    Case("assess.open", "action", "U2", _id("before")),
    Case("feedback.assessment", "form", "U2", _id("before"), values=lambda w: {"skill_0": "3"}),
    Case("pair.choose", "action", "U4", lambda w: f"{w['pairs']}.{w['U1']}"),
    # The mentor is the chosen option of a shortlist, carried in the button as "<program>.<mentor>".
    Case("pair.choose", "action", "U4", lambda w: str(w["pairs"]), field="value", value=_id("U1")),
    Case("pair.accept", "action", "U1", _id("request")),
    Case("pair.decline", "action", "U1", _id("request")),
    Case("pair.end", "form", "U2", _id("pair"), values=lambda w: {"reason": "moved"}),
    Case("pair_checkin.open", "action", "U2", lambda w: f"{w['pair']}.0"),
    Case("pair.checkin", "form", "U2", lambda w: f"{w['pair']}.0",
         values=lambda w: {"met": "yes", "usefulness": "5", "progress": "ok"}),
    # Reverse mentoring: the junior mentor's engagement check ("<pair>.<meeting>"), and any member's concern.
    Case("pair_engagement.open", "action", "U1", lambda w: f"{w['reverse_pair']}.1"),
    Case("pair.engagement", "form", "U1", lambda w: f"{w['reverse_pair']}.1",
         values=lambda w: {"making_time": "4", "engaged": "5"}),
    Case("pair.concern", "form", "U2", _id("pair"), values=lambda w: {"concern": "We never meet"}),
    # A pair program's role question ("<program>.<role>") and a mentor's capacity ("<program>.<mentees>").
    Case("pair.role", "action", "U4", lambda w: f"{w['pairs']}.mentee"),
    Case("pair.capacity", "action", "U1", lambda w: f"{w['pairs']}.3"),
    # A "what next" button of the end-of-program summary: "<program>:<choice>" (the running one: refused kindly).
    Case("next", "action", "U2", lambda w: f"{w['running']}:alumni"),
    Case("closing.manager", "action", "U1", _id("running")),
    Case("forget.confirm", "action", "U2", _id("U2")),
    Case("forget.cancel", "action", "U2", _id("U2"), takes_id=False),
    # Agreements: a group travels as "<kind>.<id>" (the form's state adds the version it was opened on, here 1);
    # Confirm names the proposal waiting (U1 proposed it; U2 confirms).
    Case("agreement.open", "action", "U2", lambda w: f"pair.{w['pair']}"),
    Case("agreement.confirm", "action", "U2", _id("agreement")),
    Case("agreement", "form", "U2", lambda w: f"pair.{w['pair']}.1",
         values=lambda w: {"every": "2", "weekday": "4", "time": "09:00", "zone": "Europe/London", "minutes": "60",
                           "topics": "Careers", "contact": "Chat", "confidential": "yes"}),
    Case("program.edit", "action", "UADMIN", lambda w: f"{w['enrolling']}:enrollment", admin=True),
    Case("program.edit", "form", "UADMIN", lambda w: f"{w['enrolling']}:enrollment", admin=True,
         values=lambda w: {"seats": "5"}),
    # Where a program lives: "<format>|<channel>" opens the create form, "<program>|<channel>" moves a program; the
    # channel must be one Lingkar is installed in (payload_world's CHOME), checked in tests/programs/test_program_home.
    Case("program.home", "action", "UADMIN", lambda w: "circles|CHOME", admin=True, takes_id=False),
    Case("program.move", "action", "UADMIN", lambda w: f"{w['enrolling']}|CHOME", admin=True),
    Case("program.create", "form", "UADMIN", lambda w: f"local:{w.workspace}:channel:CANNOUNCE", admin=True,
         empty_ok=True,
         values=lambda w: {"name": "New program", "goal": "Grow", "start_date": "2026-02-02"}),
]
ID_CASES = [c for c in CASES if c.takes_id]
