"""The read pages in a real browser (Debian's Chromium): a program page showing its at-risk circles, every page in
English and in Indonesian, on a desktop and at 390 px, saved to build/dashboard-screens/ to be looked at."""

from __future__ import annotations

from typing import Any

from tests.dashboard.conftest import DESKTOP, PHONE, Dashboard, PageSignIn, screenshot
from tests.dashboard.people import SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_TEAM, SLACK_TEAM_2
from tests.dashboard.test_pages_seed import SATURDAY, seed, seed_pair_program

PAGES = ("programs", "program", "delivery", "exports")


async def _no_sideways_scroll(page: Any) -> None:
    """Readable at the width it is shown: nothing wider than the screen."""
    wider = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{page.url} is {wider}px wider than the screen"


async def _visit_all(dashboard: Dashboard, page: Any, program_id: int, lang: str, size: str) -> None:
    for name in PAGES:
        path = f"/admin/programs/{program_id}" if name == "program" else f"/admin/{name}"
        answer = await page.goto(dashboard.at(path))
        assert answer is not None and answer.status == 200, path
        assert await page.get_attribute("html", "lang") == lang
        await _no_sideways_scroll(page)
        await screenshot(page, f"pages-{name}-{lang}-{size}")


async def test_the_program_page_shows_its_at_risk_circles(dashboard: Dashboard, signed_in_page: PageSignIn) -> None:
    dashboard.clock.set(SATURDAY)
    seeded = await seed(dashboard.app, team=SLACK_TEAM, other_team=SLACK_TEAM_2)
    page = await signed_in_page(SLACK_ADMIN)
    await page.get_by_role("link", name="Programs", exact=True).click()
    await page.get_by_role("link", name="Leadership <Circles>").click()
    assert page.url.endswith(f"/admin/programs/{seeded.program_id}")
    table = page.get_by_role("table", name="Health of each circle")
    circle_b = table.get_by_role("row", name="Circle B")
    assert "Needs attention" in await circle_b.inner_text()
    for reason in ("has not met for the last two sessions", "check-ins stopped", "no moderator"):
        assert reason in await circle_b.inner_text()
    assert "Not met for 2 sessions" in await circle_b.inner_text()
    circle_a = await table.get_by_role("row", name="Circle A").inner_text()
    assert "On track" in circle_a and "Needs attention" not in circle_a
    # The digest's attention list, as the weekly DM words it; a theme title shown as text, never as markup.
    assert "Needs attention (1):\n• Circle B: has not met for the last two sessions" in await page.inner_text("main")
    assert await page.get_by_role("row", name="<script>alert(1)</script> Feedback").count() == 1
    chart = page.get_by_role("img", name="Rates per program week")
    assert await chart.count() == 1
    await _visit_all(dashboard, page, seeded.program_id, "en", "desktop")


async def test_the_pages_in_indonesian_and_on_a_phone(dashboard: Dashboard, signed_in_page: PageSignIn) -> None:
    dashboard.clock.set(SATURDAY)
    seeded = await seed(dashboard.app, team=SLACK_TEAM, other_team=SLACK_TEAM_2)
    indonesian = await signed_in_page(SLACK_ADMIN_ID, viewport=PHONE)
    await indonesian.goto(dashboard.at(f"/admin/programs/{seeded.program_id}"))
    circle_b = await indonesian.get_by_role("row", name="Circle B").inner_text()
    assert "Perlu perhatian" in circle_b and "Tidak bertemu selama 2 sesi" in circle_b
    assert "tidak bertemu dalam dua sesi terakhir" in circle_b
    await _visit_all(dashboard, indonesian, seeded.program_id, "id", "phone")
    await indonesian.set_viewport_size(DESKTOP)
    await _visit_all(dashboard, indonesian, seeded.program_id, "id", "desktop")
    english = await signed_in_page(SLACK_ADMIN, viewport=PHONE)
    await _visit_all(dashboard, english, seeded.program_id, "en", "phone")


async def test_a_pair_programs_page_on_a_phone(dashboard: Dashboard, signed_in_page: PageSignIn) -> None:
    dashboard.clock.set(SATURDAY)
    program_id = await seed_pair_program(dashboard.app, team=SLACK_TEAM)
    page = await signed_in_page(SLACK_ADMIN, viewport=PHONE)
    await page.goto(dashboard.at(f"/admin/programs/{program_id}"))
    pairs = page.get_by_role("table", name="Health of each pair")
    assert await pairs.get_by_role("row").count() == 3  # the header and two pairs, by number
    await _no_sideways_scroll(page)
    await screenshot(page, "pages-program-pairs-en-phone")
