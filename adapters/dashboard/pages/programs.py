"""/admin/programs (every program of the workspace: state, dates, funnel, seats and waitlist) and
/admin/programs/{id} (one program: the digest's summary and attention list, circles' health, the rates chart,
themes and votes, before/after), in the admin's language."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from adapters.dashboard.actions import actions_url
from adapters.dashboard.auth import signed_in
from adapters.dashboard.message_html import message_html
from adapters.dashboard.pages.lookup import k_for, lingkar_of, now_of, program_of, with_code
from adapters.dashboard.render import page
from adapters.dashboard.svg import funnel_svg, legend_swatch, not_logged_swatch, rates_svg
from bot.digest.chart import RATES
from bot.digest.message import program_blocks
from bot.digest.overview import ProgramOverview, program_overview
from bot.feedback.results import evaluation_lines
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.programs.funnel import Funnel, program_funnel
from storage.tables import Program, ProgramState

# Programs that need looking at first: running ones, then those about to, then the rest.
STATE_ORDER = (ProgramState.RUNNING, ProgramState.CLOSING, ProgramState.FORMING, ProgramState.ENROLLING,
               ProgramState.DRAFT, ProgramState.CLOSED)


def _funnel_chart(t: Translator, program: Program, funnel: Funnel) -> Markup:
    steps = [(t(f"dashboard_pages.funnel.{name}"), count) for name, count in funnel.steps]
    desc = ", ".join(f"{label}: {count}" for label, count in steps)
    return funnel_svg(steps, title=t("dashboard_pages.funnel.title", program=program.name), desc=desc,
                      chart_id=f"funnel-{program.id}")


async def programs_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    t = Translator(admin.locale)
    now = now_of(request)
    async with lingkar_of(request).services.uow() as uow:
        programs = await uow.programs.all_in(workspace_id=admin.workspace_pk)
        programs.sort(key=lambda p: (STATE_ORDER.index(p.state) if p.state in STATE_ORDER else len(STATE_ORDER),
                                     -(p.id or 0)))
        rows = [(p, funnel) for p in programs for funnel in [await program_funnel(uow, p, now=now)]]
    cards = [{"program": p, "funnel": f, "chart": _funnel_chart(t, p, f)} for p, f in rows]
    return await page(request, "pages/programs.html", {"nav": "programs", "cards": cards, "code": with_code})


def _chart(t: Translator, overview: ProgramOverview) -> dict[str, Any] | None:
    shown = overview.chart
    if shown is None:
        return None
    labels = {key: t(f"digest_charts.{key}") for key in RATES}
    keys = [key for key in RATES if key in shown.lines]
    desc = "; ".join(f"{labels[key]}: " + ", ".join(f"{week}: {value:g}%" for week, value in shown.lines[key])
                     for key in keys)
    svg = rates_svg(shown, title=t("digest_charts.title"), desc=desc, labels=labels,
                    week=t("digest_charts.week"), not_logged=t("digest_charts.not_logged"), chart_id="rates")
    values = {key: dict(shown.lines[key]) for key in keys}
    table = [(week, [values[key].get(week) for key in keys], week in shown.not_logged)
             for week in range(1, shown.weeks + 1)]
    return {"svg": svg, "lines": keys, "labels": labels, "swatches": {key: legend_swatch(key) for key in keys},
            "table": table}


async def program_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    t = Translator(admin.locale)
    now = now_of(request)
    async with lingkar_of(request).services.uow() as uow:
        program = await program_of(request, uow, admin)
        k = k_for(request, program)
        funnel = await program_funnel(uow, program, now=now)
        overview = await program_overview(uow, program, now=now, k=k)
    # The digest's own blocks for this program (figures, feedback at K, attention list, spaces): the same words.
    summary = message_html(Message(text="", blocks=tuple(program_blocks(t, overview.figures, {}, k=k)[1:])), t)
    return await page(request, "pages/program.html", {
        "nav": "programs", "program": program, "funnel": funnel, "funnel_chart": _funnel_chart(t, program, funnel),
        "overview": overview, "summary": summary, "chart": _chart(t, overview), "k": k,
        "evaluation": evaluation_lines(t, overview.evaluation, k=k), "not_logged_swatch": not_logged_swatch(),
        "actions_url": actions_url(program.id or 0),
    })
