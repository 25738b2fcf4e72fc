"""The demo's look at the sessions from the inside: a moderator's kit before a session, a calendar invite, and a
pair recording its agreement on how it meets."""

from __future__ import annotations

from rich.panel import Panel
from sqlmodel import col, select

from adapters.demo import Demo
from adapters.demo_ending import show_first
from adapters.demo_respond import first_action, form_in
from adapters.demo_scenes import deliver
from adapters.local.render import render_message
from bot.kernel.message_codec import decode
from bot.kernel.ports import Target
from storage.tables import Delivery, DeliveryStatus, Pair

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


async def pair_agreement(demo: Demo) -> None:
    """A pair invited at its first meeting records how it meets: the mentor proposes, the mentee confirms, and the
    pair's space hears the agreement with its next sessions."""
    demo.heading("A pair agrees how it meets: the mentor proposes, the mentee confirms, Lingkar follows their times")
    async with demo.app.uow() as uow:
        query = select(Delivery).where(Delivery.kind == "agreement", Delivery.status == DeliveryStatus.SENT,
                                       col(Delivery.key).startswith("agreement-invite:pair:"))
        invitation = (await uow.session.exec(query.order_by(col(Delivery.id)))).first()
        pair = await uow.session.get(Pair, int(invitation.key.split(":")[2])) if invitation else None
        mentor = await uow.members.get(workspace_id=1, member_id=pair.mentor_member_id) if pair else None
        mentee = await uow.members.get(workspace_id=1, member_id=pair.mentee_member_id) if pair else None
    if invitation is None or pair is None or mentor is None or mentee is None:
        demo.console.print("No pair was invited to record an agreement.")
        return
    when = f" ({invitation.sent_at:%-d %b %Y})" if invitation.sent_at else ""
    demo.console.print(Panel(render_message(decode(invitation.payload)), border_style="magenta",
                             title=f"#{Target.from_key(invitation.target).ref}, at the pair's first meeting{when}"))
    form = form_in(await demo.press(mentor.external_id, f"agreement.open:pair.{pair.id}"))
    if form is None:
        return
    await demo.submit(mentor.external_id, form.form_id, {
        "every": "2", "weekday": "1", "time": "15:30", "zone": mentor.timezone or "Asia/Jakarta", "minutes": "45",
        "topics": "AI tools for weekly reports; prompts that save time",
        "contact": "Chat in our space; answers within two days", "confidential": "yes"}, state=form.state)
    asks = [s for s in await deliver(demo, show=False) if (first_action(s) or "").startswith("agreement.confirm:")]
    for sent in asks[:1]:
        demo.console.print(Panel(render_message(sent.message), title=f"DM to {sent.target.ref}",
                                 border_style="magenta"))
        await demo.press(mentee.external_id, first_action(sent) or "")
    for sent in await deliver(demo, show=False):
        if sent.target.key() == pair.space:
            demo.console.print(Panel(render_message(sent.message), title=f"#{sent.target.ref}",
                                     border_style="magenta"))
