"""The read pages at the HTTP level, signed in through the real sign-in flow: a program of another workspace is
unreachable by URL, delivery health counts this workspace's rows only, the export downloads the chat's own zip
(SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

from bot.digest.export import export_tables, zip_tables
from bot.kernel.i18n import Translator
from storage.tables import Poll, PollResponse
from tests.dashboard.conftest import Dashboard, SignIn, new_client
from tests.dashboard.people import SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_OTHER_ADMIN, SLACK_TEAM, SLACK_TEAM_2
from tests.dashboard.test_pages_seed import SATURDAY, Seeded, seed, seed_pair_program

_CELL = re.compile(r'<td data-label="([^"]+)"[^>]*>(.*?)</td>', re.S)


async def _seeded(dashboard: Dashboard) -> Seeded:
    dashboard.clock.set(SATURDAY)  # before signing in: sessions are dated by Lingkar's clock
    return await seed(dashboard.app, team=SLACK_TEAM, other_team=SLACK_TEAM_2)


def _cells(html: str) -> list[tuple[str, str]]:
    return [(label, re.sub(r"<[^>]+>", "", value).strip()) for label, value in _CELL.findall(html)]


async def test_another_workspaces_program_is_not_found_by_url(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    seeded = await _seeded(dashboard)
    client = await signed_in_client(SLACK_ADMIN)
    mine = await client.get(dashboard.at(f"/admin/programs/{seeded.program_id}"))
    shown = await mine.text()
    assert mine.status == 200 and "Leadership &lt;Circles&gt;" in shown
    assert f'href="/admin/actions/programs/{seeded.program_id}"' in shown  # what the admin can do about it
    for path in (f"/admin/programs/{seeded.other_program_id}", f"/admin/exports/{seeded.other_program_id}/download",
                 "/admin/programs/999999", "/admin/programs/%C2%B2", "/admin/programs/1%20OR%201=1",
                 "/admin/exports/-1/download",
                 "/admin/programs/999999999999"):  # past PostgreSQL's integer: a 404, not a database error
        answer = await client.get(dashboard.at(path))
        body = await answer.text()
        assert answer.status == 404, path  # the same answer whether it exists elsewhere or not at all
        assert "secret" not in body and answer.headers["Content-Type"].startswith("text/html"), path
    listed = await (await client.get(dashboard.at("/admin/programs"))).text()
    assert "Leadership &lt;Circles&gt;" in listed and "Other tenant" not in listed
    # The other workspace's admin reaches it: the 404 above came from the workspace, not from the id.
    other = await signed_in_client(SLACK_OTHER_ADMIN)
    assert (await other.get(dashboard.at(f"/admin/programs/{seeded.other_program_id}"))).status == 200
    assert (await other.get(dashboard.at(f"/admin/programs/{seeded.program_id}"))).status == 404


async def test_delivery_health_counts_this_workspace_per_platform(dashboard: Dashboard,
                                                                 signed_in_client: SignIn) -> None:
    await _seeded(dashboard)
    client = await signed_in_client(SLACK_ADMIN)
    answer = await client.get(dashboard.at("/admin/delivery"))
    html = await answer.text()
    assert answer.status == 200
    cells = _cells(html)
    # Three due and unsent (one being sent), the oldest 3 hours late; one for Monday; two polls failed. T2's five
    # failures and the sent prompt are not counted.
    assert cells[:5] == [("Due, not sent yet", "3"), ("Oldest waiting", "3 hours"), ("Scheduled later", "1"),
                         ("Failed (7 days)", "2"), ("Too late to send (7 days)", "0")]
    assert cells[5:] == [("Kind", "poll"), ("Reason", "SlackApiError: channel_not_found"), ("Messages", "2"),
                         ("Latest due", "2026-01-23 02:00 UTC")]
    assert "other tenant" not in html
    indonesian = await (await (await signed_in_client(SLACK_ADMIN_ID)).get(dashboard.at("/admin/delivery"))).text()
    assert ("Terlama menunggu", "3 jam") in _cells(indonesian) and '<html lang="id">' in indonesian


async def test_the_export_downloads_the_chat_commands_zip(dashboard: Dashboard, signed_in_client: SignIn) -> None:
    seeded = await _seeded(dashboard)
    client = await signed_in_client(SLACK_ADMIN)
    page = await (await client.get(dashboard.at("/admin/exports"))).text()
    link = f"/admin/exports/{seeded.program_id}/download"
    assert f'href="{link}"' in page and "Download the export of Leadership &lt;Circles&gt;" in page
    answer = await client.get(dashboard.at(link))
    data = await answer.read()
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/zip"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="lingkar-leadership-20260124-0200.zip"'
    assert answer.headers["Cache-Control"] == "no-store"
    async with dashboard.app.services.uow() as uow:  # what `export leadership` attaches in chat, at the same moment
        program = await uow.programs.get(workspace_id=seeded.workspace_id, program_id=seeded.program_id)
        assert program is not None
        tables = await export_tables(uow, program, t=Translator("en"), k=dashboard.app.services.config.k_anonymity,
                                     now=SATURDAY)
    assert data == zip_tables(tables, folder="lingkar-leadership-20260124-0200")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.read("lingkar-leadership-20260124-0200/members.csv").decode("utf-8-sig")
    assert members.count("\r\n") == 9  # the header and eight enrollments (six active, one waitlisted, one invited)


async def test_a_pair_programs_page_names_pairs_by_number_with_their_health(dashboard: Dashboard,
                                                                          signed_in_client: SignIn) -> None:
    dashboard.clock.set(SATURDAY)
    program_id = await seed_pair_program(dashboard.app, team=SLACK_TEAM)
    client = await signed_in_client(SLACK_ADMIN)
    answer = await client.get(dashboard.at(f"/admin/programs/{program_id}"))
    html = await answer.text()
    assert answer.status == 200 and "Health of each pair" in html and "No circles yet" not in html
    cells = _cells(html)
    # Three meetings are over: the first pair met at each; the second never answered.
    assert cells[:3] == [("Met", "Met at the latest meeting"), ("Check-ins answered", "100%"), ("Health", "On track")]
    assert cells[3:5] == [("Met", "Not met for 3 meetings"), ("Check-ins answered", "0%")]
    assert cells[5][1].startswith("Needs attention") and "has not met for the last two sessions" in cells[5][1]
    assert "UMENTOR" not in html  # who they are stays in the export


async def test_feedback_shows_on_the_program_page_only_from_k_answers(dashboard: Dashboard,
                                                                    signed_in_client: SignIn) -> None:
    seeded = await _seeded(dashboard)
    k = dashboard.app.services.config.k_anonymity
    async with dashboard.app.services.uow() as uow:  # a pulse round that closed yesterday, one answer short of K
        poll = Poll(workspace_id=seeded.workspace_id, program_id=seeded.program_id, kind="pulse", key="pulse-1",
                    opens_at=SATURDAY - timedelta(days=5), closes_at=SATURDAY - timedelta(days=1),
                    created_at=SATURDAY - timedelta(days=5))
        uow.session.add(poll)
        await uow.flush()
        members = [m.member_id for m in await uow.enrollments.of_program(workspace_id=seeded.workspace_id,
                                                                         program_id=seeded.program_id)]

        def answer(member_id: int, satisfaction: int) -> PollResponse:
            return PollResponse(workspace_id=seeded.workspace_id, program_id=seeded.program_id, poll_id=poll.id or 0,
                                member_id=member_id, satisfaction=satisfaction, recommend=8, keep="KEEP-TEXT",
                                submitted_at=SATURDAY - timedelta(days=2), updated_at=SATURDAY - timedelta(days=2))

        uow.session.add_all([answer(m, 2) for m in members[:k - 1]])
        await uow.commit()
    client = await signed_in_client(SLACK_ADMIN)
    url = dashboard.at(f"/admin/programs/{seeded.program_id}")
    below = await (await client.get(url)).text()
    assert f"{k - 1} answers: not enough responses to show results (at least {k} needed)" in below
    assert "satisfaction" not in below and "KEEP-TEXT" not in below
    async with dashboard.app.services.uow() as uow:
        uow.session.add(answer(members[k - 1], 5))
        await uow.commit()
    at_k = await (await client.get(url)).text()
    mean = (2 * (k - 1) + 5) / k
    assert f"{k} answers, satisfaction {mean:.1f}/5, would recommend 8.0/10" in at_k and "KEEP-TEXT" not in at_k


async def test_no_page_or_download_without_signing_in(dashboard: Dashboard) -> None:
    seeded = await _seeded(dashboard)
    async with new_client(dashboard) as client:
        for path in ("/admin/programs", f"/admin/programs/{seeded.program_id}", "/admin/delivery", "/admin/exports",
                     f"/admin/exports/{seeded.program_id}/download"):
            answer = await client.get(dashboard.at(path), allow_redirects=False)
            assert (answer.status, answer.headers.get("Location")) == (303, "/admin/signin"), path
