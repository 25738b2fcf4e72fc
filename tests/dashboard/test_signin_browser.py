"""Sign-in in a real browser (Debian's Chromium via Playwright): the landing page's buttons, each identity double,
the refusal, sign-out; screenshots of the shell's pages in English and Indonesian, desktop and a 390-px phone."""

from __future__ import annotations

from typing import Any

from tests.dashboard.conftest import DESKTOP, PHONE, Dashboard, PageSignIn, screenshot, sign_in_in_browser
from tests.dashboard.people import SLACK_ADMIN, TEAMS_ADMIN, TEAMS_MEMBER


async def test_an_admin_signs_in_with_slack_and_out_again_in_the_browser(dashboard: Dashboard,
                                                                         signed_in_page: PageSignIn) -> None:
    page = await signed_in_page(SLACK_ADMIN)
    assert page.url.startswith(dashboard.at("/admin/"))
    await page.goto(dashboard.at("/admin/no-such-page"))
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(dashboard.at("/admin/signin?notice=signed_out"))
    assert await page.get_by_role("status").inner_text() == "You are signed out."
    await page.goto(dashboard.at("/admin/programs"))
    assert page.url == dashboard.at("/admin/signin")


async def test_an_admin_signs_in_with_microsoft_in_the_browser(dashboard: Dashboard,
                                                               signed_in_page: PageSignIn) -> None:
    page = await signed_in_page(TEAMS_ADMIN, viewport=PHONE)
    assert page.url.startswith(dashboard.at("/admin/")) and "signin" not in page.url
    await page.goto(dashboard.at("/admin/no-such-page"))
    assert await page.locator("html").get_attribute("lang") == "id"
    assert await page.get_by_role("button", name="Keluar").is_visible()  # sign-out reachable on a phone
    await screenshot(page, "shell-error-404-id-phone")


async def test_a_member_is_refused_in_the_browser(dashboard: Dashboard, browser: Any) -> None:
    context = await browser.new_context(viewport=DESKTOP, ignore_https_errors=True)
    try:
        page = await context.new_page()
        await sign_in_in_browser(dashboard, page, TEAMS_MEMBER)
        assert await page.get_by_role("heading", level=1).inner_text() == "This dashboard is for Lingkar admins"
        await screenshot(page, "shell-refused-en-desktop")
    finally:
        await context.close()


async def test_the_landing_page_is_keyboard_usable_in_both_languages(dashboard: Dashboard, browser: Any) -> None:
    for locale, viewport, size in (("en", DESKTOP, "desktop"), ("id", DESKTOP, "desktop"), ("en", PHONE, "phone"),
                                   ("id", PHONE, "phone")):
        context = await browser.new_context(viewport=viewport, locale="id-ID" if locale == "id" else "en-US")
        try:
            page = await context.new_page()
            await page.goto(dashboard.at("/admin/signin"))
            assert await page.locator("html").get_attribute("lang") == locale
            await screenshot(page, f"shell-signin-{locale}-{size}")
            await page.keyboard.press("Tab")  # the skip link comes first, and shows itself when focused
            assert await page.evaluate("document.activeElement.className") == "skip-link"
            assert await page.get_by_role("link", name="Sign in with Slack" if locale == "en"
                                          else "Masuk dengan Slack").is_visible()
            width = await page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"]  # nothing wider than the screen: no sideways scrolling
        finally:
            await context.close()
