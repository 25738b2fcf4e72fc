"""The Messenger on Teams: DMs through stored references, new 1:1 chats, circle threads, blocked users."""

from __future__ import annotations

import base64

import pytest

from adapters.bootstrap import App
from adapters.teams.messenger import NoConversationReference, TeamsMessenger
from bot.kernel.messages import Header, Message, Text
from bot.kernel.ports import DeliveryError, Target, UnreachableMember
from tests.teams.activities import (
    ADMIN,
    BUDI,
    CHANNEL,
    SARI,
    TENANT,
    User,
    in_channel,
    installed_in_team,
    installed_personally,
)
from tests.teams.conftest import Teams
from tests.teams.helpers import references
from tests.teams.mock_connector import MockConnector

NOBODY = User("Nobody Known", "6b2f3c1e-0000-4000-8000-00000000dead")


def dm(user: User) -> Target:
    return Target(platform="teams", workspace_id=TENANT, kind="user", ref=user.aad)


async def test_a_proactive_dm_goes_through_the_stored_chat(
    client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    ref = await teams.send(dm(BUDI), Message(text="Your circle meets tomorrow at 10:00.",
                                             blocks=(Header("Reminder"), Text("Your circle meets tomorrow at 10:00."))))
    sent = connector.messages()[-1]
    assert sent.kind == "send" and sent.conversation_id == BUDI.personal
    assert sent.texts() == ["Reminder", "Your circle meets tomorrow at 10:00."]
    assert sent.body["summary"] == "Your circle meets tomorrow at 10:00."
    assert ref.message_id == sent_id(connector) and ref.target == dm(BUDI)

    await teams.update(ref, Message(text="Moved to 11:00."))
    [update] = connector.of("update")
    assert update.activity_id == ref.message_id and update.text() == "Moved to 11:00."


def sent_id(connector: MockConnector) -> str:
    return str(1000 + len(connector.of("send", "reply", "create")) - 1)


async def test_a_team_member_who_never_chatted_gets_a_new_1to1_chat(
    app: App, client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    connector.roster = [SARI.account, ADMIN.account]
    await client.post(installed_in_team(connector.url, ADMIN))
    await teams.send(dm(SARI), Message(text="Welcome to Leadership Circles."))

    [create] = connector.of("create")
    assert create.body["members"] == [{"id": SARI.teams_id, "name": "Sari Wulandari", "aadObjectId": SARI.aad}]
    assert create.body["channelData"]["tenant"]["id"] == TENANT and create.body["isGroup"] is False
    [sent] = connector.messages()
    assert sent.conversation_id == f"a:personal-{SARI.teams_id}" and "Welcome" in sent.text()
    rows = {r.key: r for r in await references(app)}
    assert rows[SARI.aad].reference["conversation"]["id"] == f"a:personal-{SARI.teams_id}"  # kept for next time

    await teams.send(dm(SARI), Message(text="Second message."))
    assert len(connector.of("create")) == 1


async def test_no_reference_is_a_clear_unreachable_error(teams: TeamsMessenger, connector: MockConnector) -> None:
    with pytest.raises(NoConversationReference) as raised:
        await teams.send(dm(NOBODY), Message(text="hello"))
    assert isinstance(raised.value, UnreachableMember) and raised.value.permanent
    assert "not installed Lingkar" in str(raised.value) and NOBODY.aad in str(raised.value)
    assert connector.calls == []


async def test_a_user_who_blocked_the_bot_is_marked_unreachable(
    app: App, client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    await client.post(installed_personally(connector.url, BUDI))
    connector.blocked.add(BUDI.personal)
    with pytest.raises(UnreachableMember):
        await teams.send(dm(BUDI), Message(text="Check-in time"))
    [row] = await references(app)
    assert row.reachable is False
    tried = len(connector.failed)
    with pytest.raises(UnreachableMember):
        await teams.send(dm(BUDI), Message(text="Check-in time"))
    assert len(connector.failed) == tried  # no more calls once Teams said no

    await client.post(installed_personally(connector.url, BUDI))  # reinstalled: reachable again
    connector.blocked.clear()
    await teams.send(dm(BUDI), Message(text="Welcome back"))
    assert connector.messages()[-1].text() == "Welcome back"


async def test_open_space_starts_a_thread_in_the_channel_mentioning_its_members(
    app: App, client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    connector.roster = [BUDI.account, SARI.account, ADMIN.account]
    await client.post(installed_in_team(connector.url, ADMIN))
    await client.post(in_channel(connector.url, ADMIN, "status"))  # the channel the admin works in
    parent = Target(platform="teams", workspace_id=TENANT, kind="channel", ref=CHANNEL)

    space = await teams.open_space(workspace_id=TENANT, platform="teams", name="leadership-circle-1",
                                   members=[BUDI.aad, SARI.aad, NOBODY.aad], parent=parent)

    [create] = connector.of("create")
    assert create.body["isGroup"] is True and create.body["channelData"]["channel"]["id"] == CHANNEL
    first = create.body["activity"]["attachments"][0]["content"]
    mentioned = {e["mentioned"]["id"] for e in first["msteams"]["entities"]}
    assert mentioned == {BUDI.teams_id, SARI.teams_id}
    assert "<at>Budi Santoso</at>" in first["body"][1]["text"]
    assert space.target.kind == "space" and space.target.ref.startswith(f"{CHANNEL};messageid=")
    assert getattr(space, "skipped", ()) == (NOBODY.aad,)
    rows = {(r.scope, r.key) for r in await references(app)}
    assert ("space", space.target.ref) in rows

    await teams.send(space.target, Message(text="Week 1 prompt: what does good feedback look like?"))
    post = connector.messages()[-1]
    assert post.conversation_id == space.target.ref and "Week 1" in post.text()
    await teams.add_to_space(space, [ADMIN.aad])
    welcome = connector.messages()[-1]
    assert welcome.conversation_id == space.target.ref
    assert welcome.card["msteams"]["entities"][0]["mentioned"]["id"] == ADMIN.teams_id


async def test_open_space_needs_a_channel(teams: TeamsMessenger, connector: MockConnector) -> None:
    with pytest.raises(DeliveryError) as raised:
        await teams.open_space(workspace_id=TENANT, platform="teams", name="c1", members=[BUDI.aad])
    assert raised.value.permanent and "channel" in str(raised.value)
    assert connector.calls == []


async def test_images_and_forms_can_be_sent_proactively(
    client: Teams, connector: MockConnector, teams: TeamsMessenger
) -> None:
    from bot.kernel.messages import Form, TextInput

    await client.post(installed_personally(connector.url, BUDI))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    await teams.send_image(dm(BUDI), png, "Attendance, weeks 1-4")
    [attachment] = connector.messages()[-1].body["attachments"]
    assert attachment["contentType"] == "image/png" and attachment["name"] == "Attendance, weeks 1-4"
    assert attachment["contentUrl"] == "data:image/png;base64," + base64.b64encode(png).decode()
    with pytest.raises(DeliveryError) as raised:
        await teams.send_image(dm(BUDI), b"\x00" * 2_000_000, "too big")
    assert raised.value.permanent

    form = Form(form_id="checkin", title="Weekly check-in", submit="Send", state="circle:4",
                inputs=(TextInput("note", "How did it go?"),))
    await teams.open_form(dm(BUDI).key(), form)
    card = connector.messages()[-1].card
    assert card["actions"][0]["data"]["form_id"] == "checkin" and card["actions"][0]["data"]["state"] == "circle:4"
