"""Actions from the dashboard at the HTTP level: the same core command as the chat, after a confirmation, only for
this workspace's admins, only with the session's CSRF token (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import aiohttp
from sqlmodel import col, select

from bot.kernel.message_codec import decode
from storage.repositories.outbox import space_key
from storage.tables import Circle, CircleMember, Delivery, DeliveryStatus, Enrollment, EnrollmentStatus, Program
from tests.dashboard.conftest import Dashboard, SignIn
from tests.dashboard.people import SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_OTHER_ADMIN, SLACK_TEAM, SLACK_TEAM_2
from tests.dashboard.test_actions_preview import ready_program

USERS = [f"UM{i:02d}" for i in range(9)]
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _token(client: aiohttp.ClientSession, url: str) -> str:
    """The CSRF token of a page's form, as the browser would send it back."""
    answer = await client.get(url)
    assert answer.status == 200, await answer.text()
    found = _TOKEN.search(await answer.text())
    assert found is not None
    return found.group(1)


async def _state(dashboard: Dashboard, program: Program) -> str:
    async with dashboard.app.services.uow() as uow:
        found = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
        assert found is not None
        return found.state


async def _queued(dashboard: Dashboard, workspace_id: int) -> list[tuple[str, str, str]]:
    """What the core queued for a workspace: (kind, target without the tenant, text), oldest first."""
    async with dashboard.app.services.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.workspace_id == workspace_id)
                                       .order_by(col(Delivery.id)))).all()
    return [(row.kind, re.sub(r"^slack:T\d+:", "slack:T:", row.target), decode(row.payload).text) for row in rows]


async def _running(dashboard: Dashboard, users: list[str] = USERS) -> tuple[Program, list[Circle]]:
    """T1's program, closed and formed in chat by its admin: running, with its circles."""
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=users)
    await dashboard.say(SLACK_ADMIN, f"program close {program.slug}")
    await dashboard.say(SLACK_ADMIN, f"program form {program.slug}")
    async with dashboard.app.services.uow() as uow:
        circles = list((await uow.session.exec(select(Circle).where(Circle.program_id == program.id)
                                               .order_by(col(Circle.id)))).all())
    assert len(circles) >= 2
    return program, circles


async def test_close_enrollment_from_the_web_is_the_chats_close(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    # The same program in two workspaces: T2's admin closes it in chat, T1's from the dashboard.
    web = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    chat = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM_2, users=USERS)
    before = (len(await _queued(dashboard, web.workspace_id)), len(await _queued(dashboard, chat.workspace_id)))
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{web.id}/close")
    confirm = await client.get(url)
    shown = await confirm.text()
    assert "Close enrollment for Leadership Circles?" in shown and "9 members have joined." in shown
    assert await _state(dashboard, web) == "enrolling"  # the confirmation page changes nothing

    done = await client.post(url, data={"csrf_token": await _token(client, url)})
    chat_reply = await dashboard.say(SLACK_OTHER_ADMIN, f"program close {chat.slug}")
    assert done.status == 200
    assert await _state(dashboard, web) == await _state(dashboard, chat) == "forming"
    page = await done.text()
    for line in chat_reply[0].message.text.splitlines():  # the chat's reply, escaped, on the result page
        assert line.replace("'", "&#39;") in page
    queued = (await _queued(dashboard, web.workspace_id))[before[0]:]  # what closing queued, in each workspace
    assert queued == (await _queued(dashboard, chat.workspace_id))[before[1]:]
    assert [kind for kind, _, _ in queued] == ["announcement"] and "Selected themes" in queued[0][2], queued


async def test_a_post_without_the_csrf_token_changes_nothing(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/close")
    for data in ({}, {"csrf_token": "forged-" + "x" * 40}):
        refused = await client.post(url, data=data)
        assert refused.status == 403
        assert "form" in (await refused.text()).lower()
    assert await _state(dashboard, program) == "enrolling"


async def test_another_workspaces_program_and_circles_are_404(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program, (circle, *_) = await _running(dashboard)
    other = await signed_in_client(SLACK_OTHER_ADMIN)  # an admin, of T2
    paths = [f"/admin/actions/programs/{program.id}", *(f"/admin/actions/programs/{program.id}/{verb}"
                                                        for verb in ("open", "close", "end", "form")),
             *(f"/admin/actions/circles/{circle.id}/{verb}" for verb in ("retry", "moderator", "add", "merge"))]
    for path in [*paths, "/admin/actions/programs/abc", "/admin/actions/programs/0/close",
                 "/admin/actions/programs/1e3", f"/admin/actions/programs/{program.id}/delete"]:
        answer = await other.get(dashboard.at(path))
        assert answer.status == 404, path
        assert "Leadership" not in await answer.text()
    # With a valid token of its own session, a POST to T1's program is the same 404, and nothing changes.
    signout_token = _TOKEN.search(await (await other.get(dashboard.at("/admin/actions/programs/1/end"))).text())
    own = signout_token.group(1) if signout_token else ""
    assert own  # the 404 page carries the sign-out form, with this session's token
    for path in paths[1:]:
        answer = await other.post(dashboard.at(path), data={"csrf_token": own, "member": "1", "from": "1"})
        assert answer.status == 404, path
    assert await _state(dashboard, program) == "running"


async def test_a_non_admin_cannot_act(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/close")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as anonymous:
        answer = await anonymous.post(url, data={"csrf_token": "x"}, allow_redirects=False)
        assert answer.status in (303, 403)  # no session: to sign-in (or the CSRF refusal first)
    # Signed in as an admin, then no longer one (removed in chat): the page refuses and the program stays as it was.
    client = await signed_in_client(SLACK_ADMIN_ID)
    token = await _token(client, url)
    await dashboard.say(SLACK_ADMIN, f"admin remove <@{SLACK_ADMIN_ID.user_id}>")
    refused = await client.post(url, data={"csrf_token": token}, allow_redirects=False)
    assert refused.status in (303, 403)
    assert await _state(dashboard, program) == "enrolling"


async def test_a_typed_member_id_must_be_one_the_page_offered(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program, (circle, *_) = await _running(dashboard)
    async with dashboard.app.services.uow() as uow:
        inside = (await uow.session.exec(select(CircleMember).where(CircleMember.circle_id == circle.id))).all()
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/circles/{circle.id}/moderator")
    token = await _token(client, url)
    for junk in ("", "abc", "-1", "1 OR 1=1", "99999999999", "0"):
        answer = await client.post(url, data={"csrf_token": token, "member": junk})
        assert answer.status == 400, junk
    async with dashboard.app.services.uow() as uow:  # a member of T2, and one of T1 outside the circle
        workspace = await uow.workspaces.find(platform="slack", external_id=SLACK_TEAM_2)
        assert workspace is not None
        stranger = await uow.members.by_external_id(workspace_id=workspace.id or 0,
                                                    external_id=SLACK_OTHER_ADMIN.user_id)
        outside = (await uow.session.exec(select(CircleMember).where(CircleMember.program_id == program.id,
                                                                     CircleMember.circle_id != circle.id))).first()
        assert stranger is not None and outside is not None
    for never_offered in (stranger.id, outside.member_id):
        answer = await client.post(url, data={"csrf_token": token, "member": str(never_offered)})
        assert answer.status == 400
    answer = await client.post(url, data={"csrf_token": token, "member": str(inside[0].member_id)})
    assert answer.status == 200 and "moderator" in (await answer.text()).lower()
    async with dashboard.app.services.uow() as uow:
        found = await uow.circles.get(workspace_id=program.workspace_id, circle_id=circle.id or 0)
        assert found is not None and found.moderator_member_id == inside[0].member_id


async def test_forming_commits_only_the_proposal_the_admin_saw(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    await dashboard.say(SLACK_ADMIN, f"program close {program.slug}")
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/form")
    shown = await (await client.get(url)).text()
    token, seen = _TOKEN.search(shown), re.search(r'name="proposal" value="([0-9a-f]+)"', shown)
    assert token is not None and seen is not None
    async with dashboard.app.services.uow() as uow:  # someone leaves while the admin reads the proposal
        leaving = (await uow.session.exec(select(Enrollment).where(Enrollment.program_id == program.id)
                                          .order_by(col(Enrollment.id)))).first()
        assert leaving is not None
        leaving.status = EnrollmentStatus.LEFT
        uow.session.add(leaving)
        await uow.commit()
    again = await client.post(url, data={"csrf_token": token.group(1), "proposal": seen.group(1)})
    page = await again.text()
    assert again.status == 200 and "The proposal changed since you opened this page" in page
    assert await _state(dashboard, program) == "forming"  # nothing formed from a proposal nobody saw
    fresh = re.search(r'name="proposal" value="([0-9a-f]+)"', page)
    assert fresh is not None and fresh.group(1) != seen.group(1)
    done = await client.post(url, data={"csrf_token": token.group(1), "proposal": fresh.group(1)})
    assert "circles formed" in await done.text()
    assert await _state(dashboard, program) == "running"
    # Formed now: the page offers no proposal and no button, and a replayed POST is the chat's refusal.
    after = await (await client.get(url)).text()
    assert 'name="proposal"' not in after and "is running; this needs it to be forming circles" in after
    replay = await client.post(url, data={"csrf_token": token.group(1), "proposal": fresh.group(1)})
    assert "<code>program form</code> needs it to be forming circles" in await replay.text()  # the chat's `code`


async def _members_of(dashboard: Dashboard, circle: Circle) -> list[int]:
    async with dashboard.app.services.uow() as uow:
        return [r.member_id for r in await uow.circles.memberships(circle_id=circle.id or 0)]


async def test_add_and_merge_from_the_web_are_the_chats(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program, (a, b, c) = await _running(dashboard)  # nine members, three circles of three (sizes 3 to 5)
    assert [len(await _members_of(dashboard, x)) for x in (a, b, c)] == [3, 3, 3]
    client = await signed_in_client(SLACK_ADMIN)
    add = dashboard.at(f"/admin/actions/circles/{a.id}/add")
    token = await _token(client, add)
    mover = (await _members_of(dashboard, b))[0]
    async with dashboard.app.services.uow() as uow:
        moving = await uow.members.get(workspace_id=program.workspace_id, member_id=mover)
        assert moving is not None
    found = await (await client.get(f"{add}?q={moving.name.upper()[-4:]}")).text()  # part of a name, any case
    assert re.findall(r'<option value="(\d+)"', found) == [str(mover)]
    refused = await (await client.post(add, data={"csrf_token": token, "member": str(mover)})).text()
    assert f"is in {b.name}, another circle of this program" in refused  # the chat's refusal: moving is asked for
    assert mover in await _members_of(dashboard, b)
    await client.post(add, data={"csrf_token": token, "member": str(mover), "move": "1"})
    assert mover in await _members_of(dashboard, a) and len(await _members_of(dashboard, b)) == 2

    merge = dashboard.at(f"/admin/actions/circles/{a.id}/merge")
    too_big = await (await client.get(f"{merge}?from={b.id}")).text()  # 4 + 2 > 5: the chat's refusal, no button
    assert "more than the program&#39;s maximum of 5" in too_big and 'type="hidden" name="from"' not in too_big
    merge = dashboard.at(f"/admin/actions/circles/{c.id}/merge")
    shown = await (await client.get(f"{merge}?from={b.id}")).text()
    assert 'type="hidden" name="from"' in shown
    staying, moving = await _members_of(dashboard, c), await _members_of(dashboard, b)
    done = await client.post(merge, data={"csrf_token": token, "from": str(b.id)})
    assert done.status == 200
    async with dashboard.app.services.uow() as uow:
        closed = await uow.circles.get(workspace_id=program.workspace_id, circle_id=b.id or 0)
    assert sorted(await _members_of(dashboard, c)) == sorted([*staying, *moving])
    assert closed is not None and closed.status == "closed"


async def _space_refused(dashboard: Dashboard, circle: Circle) -> None:
    """As after the platform refused the circle's channel for good: no space, the space delivery failed."""
    async with dashboard.app.services.uow() as uow:
        found = await uow.circles.get(workspace_id=circle.workspace_id, circle_id=circle.id or 0)
        row = await uow.outbox.by_key(key=space_key("circle", circle.id or 0))
        assert found is not None and row is not None
        found.space, row.status, row.attempts, row.last_error = "", DeliveryStatus.FAILED, 5, "restricted_action"
        uow.session.add_all([found, row])
        await uow.commit()


async def test_retry_a_refused_space(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    program, (circle, *_) = await _running(dashboard)
    await _space_refused(dashboard, circle)
    client = await signed_in_client(SLACK_ADMIN)
    index = await (await client.get(dashboard.at(f"/admin/actions/programs/{program.id}"))).text()
    assert "no channel yet" in index and f"/admin/actions/circles/{circle.id}/retry" in index
    url = dashboard.at(f"/admin/actions/circles/{circle.id}/retry")
    shown = await (await client.get(url)).text()
    assert "has no channel yet" in shown and "Last try: failed after 5 attempts (restricted_action)." in shown
    done = await (await client.post(url, data={"csrf_token": await _token(client, url)})).text()
    assert f"Opening the space of circle {circle.name} again" in done
    async with dashboard.app.services.uow() as uow:
        row = await uow.outbox.by_key(key=space_key("circle", circle.id or 0))
        assert row is not None and row.status != DeliveryStatus.FAILED  # queued again (or opened at once)


async def test_a_command_that_would_reach_another_program_is_not_sent(dashboard: Dashboard,
                                                                       signed_in_client: SignIn) -> None:
    # An older program was renamed to what is this one's short name: the chat's `program close x-ray` reaches it.
    async with dashboard.app.services.uow() as uow:
        workspace = await uow.workspaces.find(platform="slack", external_id=SLACK_TEAM)
        assert workspace is not None
        older, program = (Program(workspace_id=workspace.id or 0, name=name, slug=slug, state="enrolling",
                                  created_at=dashboard.clock.now())
                          for name, slug in (("x-ray", "rays"), ("Radiology circles", "x-ray")))
        uow.programs.add(older)
        await uow.flush()
        uow.programs.add(program)
        await uow.commit()
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/close")
    answer = await (await client.post(url, data={"csrf_token": await _token(client, url)})).text()
    assert "Another program answers to the short name of Radiology circles" in answer
    assert await _state(dashboard, program) == await _state(dashboard, older) == "enrolling"


async def test_a_pair_program_is_matched_by_the_chats_program_form(dashboard: Dashboard,
                                                                    signed_in_client: SignIn) -> None:
    async with dashboard.app.services.uow() as uow:
        workspace = await uow.workspaces.find(platform="slack", external_id=SLACK_TEAM)
        assert workspace is not None
        program = Program(workspace_id=workspace.id or 0, name="Mentoring pairs", slug="pairs", state="forming",
                          format="one_on_one", created_at=dashboard.clock.now())
        uow.programs.add(program)
        await uow.commit()
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/form")
    shown = await (await client.get(url)).text()
    assert "Match pairs" in shown and "is a pair program" in shown and "Match the pairs" in shown
    done = await client.post(url, data={"csrf_token": await _token(client, url)})
    assert done.status == 200 and "Lingkar&#39;s answer" in await done.text()
    assert await _state(dashboard, program) == "running"  # the chat's `program form` moved it on


async def test_open_then_end_a_program_that_never_ran(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    async with dashboard.app.services.uow() as uow:
        workspace = await uow.workspaces.find(platform="slack", external_id=SLACK_TEAM)
        assert workspace is not None
        program = Program(workspace_id=workspace.id or 0, name="Speaking circles", slug="speaking", state="draft",
                          created_at=dashboard.clock.now(), announcement_target="slack:T1:channel:CANNOUNCE")
        uow.programs.add(program)
        await uow.commit()
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/actions/programs/{program.id}/open")
    assert "posted in the program&#39;s channel" in await (await client.get(url)).text()
    token = await _token(client, url)
    opened = await (await client.post(url, data={"csrf_token": token})).text()
    assert "Enrollment for Speaking circles is open and announced." in opened
    assert await _state(dashboard, program) == "enrolling"
    assert [k for k, _, _ in await _queued(dashboard, program.workspace_id)] == ["announcement"]
    blocked = await (await client.get(url)).text()  # open already: the page says why and offers no button
    assert "this needs it to be a draft" in blocked and "<button type=\"submit\">Open enrollment" not in blocked

    url = dashboard.at(f"/admin/actions/programs/{program.id}/end")
    assert "has not started. Cancel it?" in await (await client.get(url)).text()
    ended = await (await client.post(url, data={"csrf_token": token})).text()
    assert "Speaking circles had not started yet, so it is cancelled and closed." in ended
    assert await _state(dashboard, program) == "closed"
