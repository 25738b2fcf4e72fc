"""Forming circles from the dashboard in a real browser (Debian's Chromium): the proposal with each member's why,
the confirmation, and the circles committed exactly as proposed. Saves screenshots to build/dashboard-screens/."""

from __future__ import annotations

from sqlmodel import col, select

from storage.tables import Circle, CircleMember, Program
from tests.dashboard.conftest import DESKTOP, PHONE, Dashboard, PageSignIn, screenshot
from tests.dashboard.people import SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_TEAM
from tests.dashboard.test_actions import _members_of, _running, _space_refused
from tests.dashboard.test_actions_preview import ready_program

USERS = [f"UM{i:02d}" for i in range(13)]


async def _committed(dashboard: Dashboard, program: Program) -> dict[str, list[str]]:
    async with dashboard.app.services.uow() as uow:
        circles = (await uow.session.exec(select(Circle).where(Circle.program_id == program.id)
                                          .order_by(col(Circle.id)))).all()
        found = {}
        for circle in circles:
            rows = (await uow.session.exec(select(CircleMember).where(CircleMember.circle_id == circle.id))).all()
            members = await uow.members.many(workspace_id=program.workspace_id, member_ids=[r.member_id for r in rows])
            found[circle.name] = sorted(m.name for m in members)
        return found


async def _proposal(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The circles the page shows: each section's heading and the names in its table."""
    shown = {}
    for section in await page.locator("section:has(table)").all():
        name = (await section.locator("h2").inner_text()).strip()
        shown[name] = sorted([n.strip() for n in await section.locator("tbody th").all_inner_texts()])
    return shown


async def test_forming_circles_from_the_page_with_a_confirmation(dashboard: Dashboard,
                                                                  signed_in_page: PageSignIn) -> None:
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    page = await signed_in_page(SLACK_ADMIN)
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    await screenshot(page, "actions-index-enrolling-en-desktop")
    await page.get_by_role("link", name="Close enrollment").click()
    await screenshot(page, "actions-close-confirm-en-desktop")
    await page.get_by_role("button", name="Close enrollment").click()
    await page.get_by_text("Lingkar's answer").wait_for()
    await screenshot(page, "actions-close-result-en-desktop")

    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    await page.get_by_role("link", name="Form circles").click()
    await page.get_by_role("heading", name="The proposal for Leadership Circles").wait_for()
    shown = await _proposal(page)
    assert shown and sum(len(names) for names in shown.values()) >= 12  # 13 members: one may wait for a place
    assert await page.get_by_text("was your first choice").count() > 0  # each member's why, as they will read it
    assert await _committed(dashboard, program) == {}  # the proposal wrote nothing
    await screenshot(page, "actions-form-preview-en-desktop")
    await page.get_by_role("button", name="Form these circles").click()
    await page.get_by_text("Lingkar's answer").wait_for()
    assert "circles formed" in await page.locator(".answer").inner_text()
    await screenshot(page, "actions-form-result-en-desktop")
    assert await _committed(dashboard, program) == shown  # committed exactly as proposed

    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    await screenshot(page, "actions-index-running-en-desktop")


async def test_the_pages_in_indonesian_on_a_phone(dashboard: Dashboard, signed_in_page: PageSignIn) -> None:
    program = await ready_program(dashboard.app, platform="slack", tenant=SLACK_TEAM, users=USERS)
    await dashboard.say(SLACK_ADMIN, f"program close {program.slug}")
    page = await signed_in_page(SLACK_ADMIN_ID, viewport=PHONE)  # Sari reads Indonesian
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}/form"))
    await page.get_by_role("heading", name="Usulan untuk Leadership Circles").wait_for()
    assert await page.get_by_text("adalah pilihan pertama Anda").count() > 0
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]  # nothing wider than the phone: tables scroll inside their own box
    await screenshot(page, "actions-form-preview-id-phone")
    await page.get_by_role("button", name="Bentuk lingkaran ini").click()
    await page.get_by_text("Jawaban Lingkar").wait_for()
    await screenshot(page, "actions-form-result-id-phone")
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(page, "actions-index-running-id-phone")
    await page.get_by_role("link", name="Tunjuk moderator").first.click()
    await screenshot(page, "actions-moderator-id-phone")
    await page.get_by_role("button", name="Tunjuk").click()
    await page.get_by_text("Jawaban Lingkar").wait_for()
    await screenshot(page, "actions-moderator-result-id-phone")
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}/end"))
    await screenshot(page, "actions-end-confirm-id-phone")
    await page.set_viewport_size(DESKTOP)
    await screenshot(page, "actions-end-confirm-id-desktop")
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    await screenshot(page, "actions-index-running-id-desktop")


async def test_circle_actions_in_the_browser(dashboard: Dashboard, signed_in_page: PageSignIn) -> None:
    program, (a, b, c) = await _running(dashboard, users=USERS[:9])
    await _space_refused(dashboard, a)
    page = await signed_in_page(SLACK_ADMIN)
    await page.goto(dashboard.at(f"/admin/actions/programs/{program.id}"))
    await page.get_by_role("link", name=f"Retry channel — {a.name}").click()
    await page.get_by_text("Last try: failed after 5 attempts").wait_for()
    await screenshot(page, "actions-retry-confirm-en-desktop")
    await page.get_by_role("button", name="Try again").click()
    await page.get_by_text(f"Opening the space of circle {a.name} again").wait_for()
    mover = (await _members_of(dashboard, b))[0]  # moved to A first: then B fits into C (2 + 3 <= 5)
    await page.goto(dashboard.at(f"/admin/actions/circles/{a.id}/add"))
    await page.get_by_label("Enrolled member").select_option(str(mover))
    await page.get_by_label("Move them if they are in another circle").check()
    await screenshot(page, "actions-add-confirm-en-desktop")
    await page.get_by_role("button", name="Add to the circle").click()
    await page.get_by_text("Lingkar's answer").wait_for()
    assert mover in await _members_of(dashboard, a)
    await page.goto(dashboard.at(f"/admin/actions/circles/{c.id}/merge"))
    await page.get_by_label(f"Which circle's members move into {c.name}?").select_option(str(b.id))
    await page.get_by_role("button", name="Show what happens").click()
    await page.get_by_role("button", name="Merge the circles").wait_for()
    await screenshot(page, "actions-merge-preview-en-desktop")
    await page.set_viewport_size(PHONE)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await screenshot(page, "actions-merge-preview-en-phone")
    await page.get_by_role("button", name="Merge the circles").click()
    await page.get_by_text("Lingkar's answer").wait_for()
    await screenshot(page, "actions-merge-result-en-phone")
