"""An admin's org import sent as a file in their personal chat with the bot. Teams posts it as an attachment
(file.download.info) whose downloadUrl is a short-lived, pre-authenticated link into the sender's OneDrive: it is
fetched only from the organisation's SharePoint (LINGKAR_TEAMS_FILE_HOSTS), or this machine in local mode."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp
from botbuilder.schema import Activity

from adapters.teams.inbound import on_this_machine
from adapters.uploads import MAX_BYTES, TIMEOUT, UploadRefused, read_capped
from bot.kernel.events import Attachment, Command

log = logging.getLogger(__name__)
DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"


def file_of(activity: Activity) -> tuple[str, str] | None:
    """(file name, download URL) of the first file sent with the message."""
    for attachment in activity.attachments or []:
        content = attachment.content
        if attachment.content_type == DOWNLOAD_INFO and isinstance(content, dict):
            url = content.get("downloadUrl")
            if isinstance(url, str) and url:
                return str(attachment.name or "import.csv"), url
    return None


def download_allowed(url: str, *, hosts: Sequence[str], local: bool) -> bool:
    """HTTPS on one of `hosts` or a subdomain of one (contoso-my.sharepoint.com under sharepoint.com); in local
    mode (the Emulator) also this machine. Whatever the activity claims, nothing else is ever fetched."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if local and parts.scheme in ("http", "https") and on_this_machine(url):
        return True
    return parts.scheme == "https" and any(host == h or host.endswith(f".{h}") for h in hosts if h)


async def download(url: str, *, hosts: Sequence[str], local: bool, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, without following redirects; UploadRefused(`not_allowed`, `too_large`, `unreadable`).
    The URL carries its own credential: it is never logged."""
    if not download_allowed(url, hosts=hosts, local=local):
        log.warning("Teams: refused to fetch an org import file from a host outside LINGKAR_TEAMS_FILE_HOSTS")
        raise UploadRefused("not_allowed")
    try:
        async with aiohttp.ClientSession(timeout=TIMEOUT) as session, \
                session.get(url, allow_redirects=False) as response:
            if response.status != 200:
                log.warning("Teams: an org import file answered %s", response.status)
                raise UploadRefused("unreadable")
            return await read_capped(response, limit=limit)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("Teams: could not download an org import file: %s", type(error).__name__)
        raise UploadRefused("unreadable") from error


async def with_file(command: Command, activity: Activity, *, hosts: Sequence[str], local: bool) -> Command:
    """The command with the file sent along attached (no directory: a bot sees none on Teams), or unchanged when
    none came; UploadRefused when one came and cannot be taken."""
    found = file_of(activity)
    if found is None:
        return command
    name, url = found
    data = await download(url, hosts=hosts, local=local)
    return replace(command, attachment=Attachment(filename=name, data=data, directory={}))
