"""Leaving a circle a second time (a Leave pressed again, the command typed again) says the member already left,
not that circles form when enrollment closes."""

from __future__ import annotations

from adapters.bootstrap import App
from bot.kernel.events import Command, FormSubmitted
from bot.kernel.replies import OpenForm, Reply, Response
from tests.kernel.payload_world import actor, worlds


def _text(responses: list[Response]) -> str:
    return "\n".join(r.message.text for r in responses if isinstance(r, Reply))


async def test_leaving_a_circle_again_says_it_was_already_left(app: App) -> None:
    await worlds(app)
    member = actor("W1", "U2")
    [opened] = await app.core.handle(Command(member, "circle leave"))
    assert isinstance(opened, OpenForm)
    left = await app.core.handle(FormSubmitted(member, opened.form.form_id, state=opened.form.state,
                                               values={"reason": ""}))
    assert "left" in _text(left).lower()

    again = _text(await app.core.handle(Command(member, "circle leave")))
    assert again == ("You left Circle and are not in a circle now, so there is nothing more to leave. Type `status` "
                     "to see the programs you are in.")
    info = _text(await app.core.handle(Command(actor("W1", "U2"), "lingkaran info")))
    assert info.startswith("You left Circle and are not in a circle now")
    never = _text(await app.core.handle(Command(actor("W1", "U4"), "circle leave")))
    assert "Circles are formed when enrollment closes" in never  # someone never placed still hears that


async def test_a_leave_form_submitted_twice_says_it_was_already_left(app: App) -> None:
    await worlds(app)
    member = actor("W1", "U2")
    [first] = await app.core.handle(Command(member, "circle leave"))
    [second] = await app.core.handle(Command(member, "circle leave"))  # two forms open, e.g. in two clients
    assert isinstance(first, OpenForm) and isinstance(second, OpenForm)
    await app.core.handle(FormSubmitted(member, first.form.form_id, state=first.form.state, values={"reason": ""}))

    again = _text(await app.core.handle(FormSubmitted(member, second.form.form_id, state=second.form.state,
                                                      values={"reason": ""})))
    assert again.startswith("You left Circle and are not in a circle now")
