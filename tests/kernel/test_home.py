"""The member's home view shows their programs and circle with the next session in their own time zone."""

from __future__ import annotations

from adapters.bootstrap import App
from tests.helpers import actor, admin_creates_program, enroll, say


async def test_home_shows_programs_circle_and_next_session(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    async with app.uow() as uow:
        program = (await uow.programs.all_in(workspace_id=1))[0]
    for user in ("U1", "U2", "U3", "U4"):
        await enroll(app, user, program, timezone="Europe/London")
    before = await app.core.home(actor("U1"))
    assert "Leadership Circles" in before.text and "Your circle" not in before.text
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    after = await app.core.home(actor("U1"))
    assert "Your circle" in after.text
    # The program meets Wednesday 10:00 in Jakarta (03:00 in London): the circle meets at its own time instead,
    # the nearest hour inside its London members' working hours, shown in London time.
    assert "Next session: Tue, 6 Jan 2026, 16:00 GMT" in after.text
    # The member's own language choice (English in their profile) wins over the platform's locale...
    assert "Hello" in (await app.core.home(actor("U2", locale="id"))).text
    # ...and someone who never chose gets the platform's.
    assert "Halo" in (await app.core.home(actor("U9", locale="id"))).text
