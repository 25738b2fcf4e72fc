"""/admin/exports: each program's export (the very zip the chat's `export` command sends), downloaded from the
page, and what an admin may see of members' `my data` requests (they go to the member alone)."""

from __future__ import annotations

from aiohttp import web

from adapters.dashboard.auth import signed_in
from adapters.dashboard.pages.lookup import k_for, lingkar_of, now_of, program_of, with_code
from adapters.dashboard.render import page
from bot.digest.export import export_zip
from bot.kernel.i18n import Translator

CHUNK = 64 * 1024
ERASED = "member.erased"


async def exports_page(request: web.Request) -> web.Response:
    admin = await signed_in(request)
    async with lingkar_of(request).services.uow() as uow:
        programs = await uow.programs.all_in(workspace_id=admin.workspace_pk)
        erasures = len(await uow.audit.list(workspace_id=admin.workspace_pk, action=ERASED))
    return await page(request, "pages/exports.html", {"nav": "exports", "programs": programs, "code": with_code,
                                                      "erasures": erasures})


async def download(request: web.Request) -> web.StreamResponse:
    """The program's zip of CSVs, as `export <program>` makes it (same tables, same K, same formula quoting),
    streamed to the browser rather than sent as a DM. Not cached anywhere: it names people."""
    admin = await signed_in(request)
    now = now_of(request)
    async with lingkar_of(request).services.uow() as uow:
        program = await program_of(request, uow, admin)
        folder = f"lingkar-{program.slug}-{now.strftime('%Y%m%d-%H%M')}"
        # The chat command's own builder: check-ins stream from the database into the zip, never all in memory.
        data, _ = await export_zip(uow, program, t=Translator(admin.locale), k=k_for(request, program), now=now,
                                   folder=folder)
    response = web.StreamResponse(headers={
        "Content-Type": "application/zip", "Content-Disposition": f'attachment; filename="{folder}.zip"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
    response.content_length = len(data)
    await response.prepare(request)
    for start in range(0, len(data), CHUNK):
        await response.write(data[start:start + CHUNK])
    await response.write_eof()
    return response
