"""The read pages (dash-pages): programs, a program, delivery health, exports."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from adapters.dashboard.pages import deliveries, exports, programs


def add_routes(app: web.Application) -> None:
    """Routes on the /admin sub-application (paths relative to /admin). Read-only: GET only."""
    app.router.add_get("/programs", programs.programs_page, name="programs")
    app.router.add_get("/programs/{program_id}", programs.program_page, name="program")
    app.router.add_get("/delivery", deliveries.delivery_page, name="delivery")
    app.router.add_get("/exports", exports.exports_page, name="exports")
    app.router.add_get("/exports/{program_id}/download", exports.download, name="export_download")
    # The pages' own stylesheet, next to them (dashboard.css is the shell's); a <link> in the body is valid HTML.
    app.router.add_static("/pages-static", Path(__file__).parent / "static", name="pages_static")
