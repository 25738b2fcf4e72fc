"""Issue 17 §2 for programs saved before `program create` checked its channel (or whose channel Lingkar was removed
from since): the channel is checked when the program opens, by command or on its date. A public one is joined and
the announcement arrives; in a private one the admin is told, in their language, to `/invite @Lingkar`, and nothing
opens until then; never a silent `not_in_channel`."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.context import Services
from bot.kernel.planning import plan
from storage.tables import Program, ProgramState
from tests.helpers import HOOKS, PLANNERS, admin_creates_program, queued
from tests.programs.intake_support import program_named
from tests.slack.conftest import Slack, slack_program
from tests.slack.mock_slack import MockSlack
from tests.slack.test_channels import channel, deliver, membership, programs

__all__ = ["membership"]  # the Slack double's channel membership (a fixture)
JAN_7_0030_JAKARTA = datetime(2026, 1, 6, 17, 30, tzinfo=UTC)


async def plan_at(app: App, moment: datetime, messenger: LocalMessenger) -> None:
    """The scheduler's planning pass, checking channels with this messenger."""
    services = Services(uow=app.services.uow, messenger=messenger, clock=ManualClock(moment),
                        config=app.services.config)
    await plan(app.services.uow, now=moment, config=app.services.config, planners=PLANNERS, hooks=HOOKS,
               services=services)


async def legacy_program(app: App, announced_in: str) -> Program:
    """A draft saved before its channel was checked: it names a channel Lingkar is not in."""
    program = await slack_program(app, slug="leadership", state=ProgramState.DRAFT)
    async with app.uow() as uow:
        program.announcement_target = channel(announced_in).key()
        uow.programs.add(program)
        await uow.commit()
    return program


async def test_opening_in_a_private_channel_asks_for_an_invitation_first(
        slack: Slack, lingkar: App, membership: MockSlack) -> None:
    secret = membership.add_channel("hr-private", private=True)
    await legacy_program(lingkar, secret.id)
    _, reply = await slack.command("program open leadership", user="UADMIN", channel="D0ADMIN")
    told = json.dumps(reply)
    assert "/invite @Lingkar" in told and "program open leadership" in told and "is not open yet" in told
    [program] = await programs(lingkar)
    assert program.state == ProgramState.DRAFT
    assert await queued(lingkar, kind="announcement") == []

    secret.members.append(membership.bot_user)  # the admin typed /invite @Lingkar there
    await slack.command("program open leadership", user="UADMIN", channel="D0ADMIN")
    [program] = await programs(lingkar)
    assert program.state == ProgramState.ENROLLING
    await deliver(lingkar)
    posts = [c for c in membership.calls_to("chat.postMessage") if c.args.get("channel") == secret.id]
    assert len(posts) == 1 and posts[0].ok and "Leadership Circles" in posts[0].text()


async def test_opening_in_a_public_channel_joins_it_and_the_announcement_arrives(
        slack: Slack, lingkar: App, membership: MockSlack) -> None:
    town = membership.add_channel("town-square", private=False)
    await legacy_program(lingkar, town.id)
    await slack.command("program open leadership", user="UADMIN", channel="D0ADMIN")
    assert [c.args["channel"] for c in membership.calls_to("conversations.join")] == [town.id]
    await deliver(lingkar)
    posts = [c for c in membership.calls_to("chat.postMessage") if c.args.get("channel") == town.id]
    assert len(posts) == 1 and posts[0].ok


async def test_an_opening_on_its_date_tells_the_admins_in_their_language_and_waits(
        app: App, local: LocalMessenger) -> None:
    await admin_creates_program(app, where="CPRIVATE", enrollment_opens="2026-01-07", start_date="2026-01-19")
    local.channel_access["CPRIVATE"] = "invite_needed"  # Lingkar was removed from the channel since
    async with app.uow() as uow:
        admin = await uow.members.by_external_id(workspace_id=1, external_id="UADMIN")
        assert admin is not None
        admin.locale = "id"
        uow.session.add(admin)
        await uow.commit()
    await plan_at(app, JAN_7_0030_JAKARTA, local)
    await plan_at(app, JAN_7_0030_JAKARTA.replace(minute=45), local)  # the same day: told once
    assert (await program_named(app, "leadership-circles")).state == ProgramState.DRAFT
    assert await queued(app, kind="announcement") == []
    told = [text for _, _, text in await queued(app, kind="admin")]
    assert told == ["Sesuai jadwal (2026-01-07): Pendaftaran Leadership Circles belum dibuka: Lingkar belum menjadi "
                    "anggota saluran privat tempat Leadership Circles diumumkan, jadi belum bisa mengirim "
                    "pengumumannya di sana. Ketik `/invite @Lingkar` di saluran tersebut, lalu ketik "
                    "`program open leadership-circles` lagi."]

    local.channel_access["CPRIVATE"] = "ok"  # invited: the next pass opens it
    await plan_at(app, JAN_7_0030_JAKARTA.replace(hour=18), local)
    assert (await program_named(app, "leadership-circles")).state == ProgramState.ENROLLING
    assert len(await queued(app, kind="announcement")) == 1
