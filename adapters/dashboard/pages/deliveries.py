"""/admin/delivery: what an operator checks first: messages due and unsent (and the oldest), failures with their
reason, per platform, for this workspace only."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from adapters.dashboard.auth import signed_in
from adapters.dashboard.pages.delivery_health import RECENT, delivery_health
from adapters.dashboard.pages.lookup import lingkar_of, now_of
from adapters.dashboard.render import page
from bot.kernel.i18n import Translator


def age(t: Translator, delta: timedelta) -> str:
    """How long ago, in the largest whole unit: minutes, hours or days."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return t.n("dashboard_pages.age.minutes", minutes, count=minutes)
    if minutes < 48 * 60:
        return t.n("dashboard_pages.age.hours", minutes // 60, count=minutes // 60)
    return t.n("dashboard_pages.age.days", minutes // 1440, count=minutes // 1440)


async def delivery_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    t = Translator(admin.locale)
    now = now_of(request)
    async with lingkar_of(request).services.uow() as uow:
        health = await delivery_health(uow, workspace_id=admin.workspace_pk, now=now)
    oldest = {p.platform: age(t, now - p.oldest_due) for p in health.platforms if p.oldest_due is not None}
    return await page(request, "pages/delivery.html", {"nav": "delivery", "health": health, "oldest": oldest,
                                                       "days": RECENT.days})
