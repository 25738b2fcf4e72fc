"""The demo's look at the sessions from the inside: a moderator's kit before a session, and a calendar invite."""

from __future__ import annotations

from adapters.demo import Demo
from adapters.demo_ending import show_first

SHOWN_LINES = ("SUMMARY", "DTSTART", "RRULE", "DURATION", "LOCATION")


async def kit_and_invite(demo: Demo) -> None:
    demo.heading("Before each session: the moderator's kit, and everyone's calendar invite")
    await show_first(demo, kind="kit", title="DM: a moderator's kit the day before a session")
    invites = [(target, data, name) for target, data, name, _ in demo.local.files if name.endswith(".ics")]
    if not invites:
        demo.console.print("No calendar invite was sent.")
        return
    target, data, name = invites[0]
    path = demo.out_dir / name
    path.write_bytes(data)
    lines = [line for line in data.decode("utf-8").splitlines()
             if line.startswith(SHOWN_LINES) and not line.startswith("DTSTART:1970")]  # the VTIMEZONE's own
    demo.console.print(f"{len(invites)} calendar invites sent as files; {target.ref}'s is {path}:")
    for line in lines[:6]:
        demo.console.print(f"  {line}")
