"""Files on Teams: a bot may put a file in a member's OneDrive only after they press Allow on a consent card.

send_file keeps the bytes (database, `pending_file`) and posts the consent card in the member's 1:1 chat. When
they answer, Teams posts a `fileConsent/invoke`: on Allow the bytes go to the upload URL Teams gives and a file
card follows in the chat; on Decline the file is dropped. Either way the row is gone afterwards, and rows nobody
answered are dropped after KEEP.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from botbuilder.schema import Activity, ActivityTypes, Attachment

from adapters.teams.inbound import on_this_machine, tenant_of, user_id_of
from adapters.teams.references import PLATFORM
from adapters.teams.text import shorten
from bot.kernel.i18n import Translator
from storage.tables import PendingFile
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
CONSENT = "application/vnd.microsoft.teams.card.file.consent"
INFO = "application/vnd.microsoft.teams.card.file.info"
INVOKE = "fileConsent/invoke"
KEEP = timedelta(days=14)
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)


@dataclass(frozen=True)
class Waiting:
    token: str
    user: str
    filename: str
    title: str
    data: bytes


class FileStore:
    def __init__(self, uow: Callable[[], UnitOfWork], *, now: Callable[[], datetime]) -> None:
        self._uow = uow
        self._now = now

    async def keep(self, *, tenant: str, user: str, filename: str, title: str, data: bytes) -> str:
        """Keep a file until its member answers the consent card; returns the token the card carries."""
        token = secrets.token_urlsafe(24)
        now = self._now()
        async with self._uow() as uow:
            workspace = await uow.workspaces.get_or_create(platform=PLATFORM, external_id=tenant, now=now)
            await uow.conversations.drop_files_before(before=now - KEEP)
            uow.conversations.keep_file(PendingFile(workspace_id=workspace.id or 0, token=token, user_key=user,
                                                    filename=filename[:255], title=title[:500], data=data,
                                                    created_at=now))
            await uow.commit()
        return token

    async def get(self, *, tenant: str, token: str) -> Waiting | None:
        async with self._uow() as uow:
            row = await self._row(uow, tenant=tenant, token=token)
            if row is None:
                return None
            return Waiting(token=row.token, user=row.user_key, filename=row.filename, title=row.title,
                           data=bytes(row.data))

    async def drop(self, *, tenant: str, token: str) -> None:
        async with self._uow() as uow:
            row = await self._row(uow, tenant=tenant, token=token)
            if row is not None:
                await uow.conversations.drop_file(row)
                await uow.commit()

    @staticmethod
    async def _row(uow: UnitOfWork, *, tenant: str, token: str) -> PendingFile | None:
        workspace_id = await uow.conversations.workspace_id(platform=PLATFORM, external_id=tenant)
        if workspace_id is None or not token:
            return None
        return await uow.conversations.pending_file(workspace_id=workspace_id, token=token)


def consent_activity(*, token: str, filename: str, title: str, size: int, t: Translator | None = None) -> Activity:
    """The card Teams renders with Allow / Decline; both contexts carry the token back to us. Its `text` is what a
    client without file cards shows (the Emulator, Web Chat): in the member's language when `t` is given, else
    the title, which the core already wrote in it."""
    context = {"lingkar_file": token}
    content = {"description": shorten(title, limit=200), "sizeInBytes": size,
               "acceptContext": context, "declineContext": context}
    text = (t("teams.file.consent_text", title=title, filename=filename, size=readable_size(size)) if t
            else f"{title}: {filename} ({readable_size(size)})")
    return Activity(type=ActivityTypes.message, summary=shorten(title, limit=200), text=shorten(text, limit=1000),
                    text_format="plain",
                    attachments=[Attachment(content_type=CONSENT, name=filename, content=content)])


def readable_size(size: int) -> str:
    """Bytes as people read them; the unit symbols are the same in English and Indonesian."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def info_activity(upload: dict[str, Any]) -> Activity:
    """The file card that shows the uploaded file in the chat (it opens from the member's OneDrive)."""
    name = str(upload.get("name") or "")
    content = {"uniqueId": upload.get("uniqueId"), "fileType": upload.get("fileType")}
    return Activity(type=ActivityTypes.message, summary=name,
                    attachments=[Attachment(content_type=INFO, name=name, content_url=upload.get("contentUrl"),
                                            content=content)])


async def consented(activity: Activity, *, store: FileStore, t: Translator) -> Activity | str:
    """Answer a consent card: the file card once uploaded, else what to tell the member."""
    value = activity.value if isinstance(activity.value, dict) else {}
    tenant, user = tenant_of(activity), user_id_of(activity.from_property)
    waiting = await store.get(tenant=tenant, token=token_of(value))
    if waiting is None or waiting.user != user:
        return t("teams.file.gone")
    if value.get("action") != "accept":
        await store.drop(tenant=tenant, token=waiting.token)
        return t("teams.file.declined", filename=waiting.filename)
    given = value.get("uploadInfo")
    upload_info: dict[str, Any] = given if isinstance(given, dict) else {}
    if not await upload(str(upload_info.get("uploadUrl") or ""), waiting.data):
        return t("teams.file.failed", filename=waiting.filename)  # kept: Allow again, or ask again, still sends it
    await store.drop(tenant=tenant, token=waiting.token)
    return info_activity(upload_info)


def token_of(value: Any) -> str:
    context = value.get("context") if isinstance(value, dict) else None
    return str(context.get("lingkar_file") or "") if isinstance(context, dict) else ""


def upload_url_allowed(url: str) -> bool:
    """OneDrive's upload URLs are HTTPS; plain HTTP only to this machine (the Emulator and tests)."""
    return url.startswith("https://") or (url.startswith("http://") and on_this_machine(url))


async def upload(url: str, data: bytes) -> bool:
    """One PUT of the whole file (Lingkar's files are small: exports and `my data`), as OneDrive's upload
    session expects: Content-Range names the bytes. False when the URL is not allowed or the upload refused."""
    if not upload_url_allowed(url):
        log.warning("refused to upload a file to a Teams upload URL that is not HTTPS")
        return False
    headers = {"Content-Length": str(len(data))}
    if data:
        headers["Content-Range"] = f"bytes 0-{len(data) - 1}/{len(data)}"
    try:
        async with aiohttp.ClientSession(timeout=UPLOAD_TIMEOUT) as session, \
                session.put(url, data=data, headers=headers) as response:
            response.raise_for_status()
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("could not upload a file to Teams: %s", type(error).__name__)
        return False
    return True
