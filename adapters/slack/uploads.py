"""Messages in a member's DM with the bot (message.im): a file an admin sends with a command that takes one (an org
import CSV with `admin import`, a program's script with `program script <program>`).

Slack delivers the upload as a `message` event with subtype `file_share`. The file is read with the bot token
(files.info, then its url_private_download, capped at MAX_BYTES), the workspace's email directory is fetched
(users.list), and only then does the core run the command, in one unit of work with no platform call inside.
Any other message a person writes there is answered with a pointer to the slash command."""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp

from adapters.slack.api import SlackApi, call
from adapters.slack.background import Background
from adapters.slack.events import Origin, where_of
from adapters.slack.identity import PLATFORM, Directory
from adapters.slack.messenger import SlackMessenger
from adapters.slack.mrkdwn import from_slack
from adapters.slack.responder import Responder
from adapters.uploads import MAX_BYTES, TIMEOUT, UploadRefused, is_org_import, megabytes, read_capped, takes_file
from bot.kernel.core import Core
from bot.kernel.events import Actor, Attachment, Command, Event
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError
from bot.kernel.replies import Response

log = logging.getLogger(__name__)
SPOKEN = (None, "file_share")  # what a person wrote; edits, deletions, joins and bot posts have other subtypes


class Bot(Protocol):
    """What the DM listener uses of SlackBot."""

    core: Core
    messenger: SlackMessenger
    directory: Directory
    responder: Responder
    background: Background
    command: str

    def translator(self, actor: Actor) -> Translator: ...

    async def ask_core(self, event: Event) -> list[Response]: ...


def written_in_dm(event: dict[str, Any]) -> bool:
    """A person's own message in their DM with the bot (never a bot's, never an edit or a deletion)."""
    return (event.get("channel_type") == "im" and str(event.get("channel") or "").startswith("D")
            and isinstance(event.get("user"), str) and bool(event["user"]) and not event.get("bot_id")
            and event.get("subtype") in SPOKEN)


def first_file(event: dict[str, Any]) -> str | None:
    files = event.get("files")
    if not isinstance(files, list) or not files or not isinstance(files[0], dict):
        return None
    file_id = files[0].get("id")
    return file_id if isinstance(file_id, str) and file_id else None


async def on_dm(bot: Bot, event: dict[str, Any], *, team_id: str) -> None:
    """Answer one message written in the DM: the import with its file, or a pointer to the slash command."""
    actor = await bot.directory.actor(team_id=team_id, user_id=str(event["user"]))
    t = bot.translator(actor)
    origin = Origin(actor=actor, t=t, surface="message", channel=str(event["channel"]))
    text = from_slack(event["text"] if isinstance(event.get("text"), str) else "").strip()
    if not takes_file(text, bot.core.specs):
        await bot.responder.reply(origin, Message(text=t("slack.dm.hint", command=bot.command)))
        return
    file_id = first_file(event)
    attachment: Attachment | None = None
    complete = True
    if file_id is not None and await bot.core.is_admin(actor):  # others are refused by the core, file unread
        if bot.core.is_slow(text):  # a big file and the workspace's directory take a while: say so first
            await bot.responder.reply(origin, Message(text=t("slack.working")))
        try:
            filename, data = await download(bot.messenger.api, file_id, team_id=team_id)
        except UploadRefused as refused:
            await bot.responder.reply(origin, Message(text=t(f"slack.import.{refused.reason}",
                                                             limit=megabytes())))
            return
        directory: dict[str, str] = {}
        if is_org_import(text, bot.core.specs):  # only the import matches rows by email
            directory, complete = await email_directory(bot.messenger, team_id=team_id)
        attachment = Attachment(filename=filename, data=data, directory=directory)
    where = where_of(team_id=team_id, user_id=actor.user_id, channel_id=origin.channel)
    await bot.responder.deliver(origin, await bot.ask_core(Command(actor=actor, text=text, where=where,
                                                                   attachment=attachment)))
    if not complete:
        await bot.responder.reply(origin, Message(text=t("slack.import.no_directory")))


async def email_directory(messenger: SlackMessenger, *, team_id: str) -> tuple[dict[str, str], bool]:
    """Every email of the workspace -> user id, and whether Slack gave it (without users:read.email it does not:
    the import still runs, matching rows by user id and by the emails of members Lingkar has met)."""
    try:
        return await messenger.email_directory(workspace_id=team_id, platform=PLATFORM), True
    except DeliveryError as error:
        log.warning("Slack: no email directory for an org import in %s: %s", team_id, error)
        return {}, False


async def download(api: SlackApi, file_id: str, *, team_id: str, limit: int = MAX_BYTES) -> tuple[str, bytes]:
    """The file's name and bytes: files.info says how big it is and where it lives; a file over `limit` is refused
    before a byte is read. UploadRefused(`too_large`, `not_uploaded`, `unreadable`) says why not."""
    try:
        info = await call(api.web.files_info(file=file_id), what="files.info")
    except DeliveryError as error:
        log.warning("Slack: files.info failed for an org import in %s: %s", team_id, error)
        raise UploadRefused("unreadable") from error
    file = info.get("file") if isinstance(info.get("file"), dict) else {}
    assert isinstance(file, dict)
    size, url = file.get("size"), file.get("url_private_download")
    if isinstance(size, int) and size > limit:
        raise UploadRefused("too_large")
    if not isinstance(url, str) or file.get("is_external") or not from_slack_files(url, api=api):
        raise UploadRefused("not_uploaded")  # a link to another service, or a snippet: nothing to download
    name = file.get("name")
    return (name if isinstance(name, str) and name else f"{file_id}.csv"), await fetch(api, url, limit=limit)


def from_slack_files(url: str, *, api: SlackApi) -> bool:
    """The bot token only ever goes to Slack: https on slack.com, or the Web API's own origin (a test double)."""
    try:
        parts, base = urlsplit(url), urlsplit(api.client.base_url)
    except ValueError:
        return False
    host = parts.hostname or ""
    on_slack = parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))
    return on_slack or (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


async def fetch(api: SlackApi, url: str, *, limit: int) -> bytes:
    """GET with the bot token, no redirects (the token must not follow one elsewhere). Slack answers a request it
    will not serve (no files:read, say) with its HTML sign-in page and a 200: that is unreadable too."""
    headers = {"Authorization": f"Bearer {api.client.token}"}
    try:
        async with api.session.get(url, headers=headers, allow_redirects=False, timeout=TIMEOUT) as response:
            if response.status != 200 or response.content_type == "text/html":
                log.warning("Slack: an org import file answered %s (%s)", response.status, response.content_type)
                raise UploadRefused("unreadable")
            return await read_capped(response, limit=limit)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("Slack: could not download an org import file: %s", type(error).__name__)
        raise UploadRefused("unreadable") from error
