"""Bot Framework activities shaped like the ones Teams posts (ids, channelData, entities and all)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:9e1a7c1f-bot", "name": "Lingkar"}
TEAM = "19:team-general@thread.tacv2"
CHANNEL = "19:circles-channel@thread.tacv2"
_ids = itertools.count(1_700_000_000_000)


@dataclass(frozen=True)
class User:
    name: str
    aad: str  # Entra object id: what the core knows members by

    @property
    def teams_id(self) -> str:
        return f"29:1{self.aad.replace('-', '')[::-1]}"

    @property
    def account(self) -> dict[str, Any]:
        return {"id": self.teams_id, "name": self.name, "aadObjectId": self.aad}

    @property
    def personal(self) -> str:
        return f"a:1personal-{self.aad}"

    @property
    def member(self) -> dict[str, Any]:
        """What Teams answers about them (TeamsInfo.get_member): the account plus their email and principal name."""
        email = ".".join(self.name.split()) + "@Contoso.co.id"
        return {**self.account, "email": email, "userPrincipalName": email, "tenantId": TENANT,
                "givenName": self.name.split()[0], "userRole": "user"}


BUDI = User("Budi Santoso", "6b2f3c1e-0000-4000-8000-00000000b0d1")
SARI = User("Sari Wulandari", "6b2f3c1e-0000-4000-8000-0000000005a1")
ADMIN = User("Dewi HR", "6b2f3c1e-0000-4000-8000-00000000ad01")


def _base(service_url: str, user: User, conversation: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity_id = str(next(_ids))
    return {
        "type": "message", "id": activity_id, "channelId": "msteams", "serviceUrl": service_url,
        "timestamp": "2026-01-05T02:00:00.000Z", "localTimestamp": "2026-01-05T09:00:00.000+07:00",
        "from": user.account, "recipient": BOT, "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}}, "locale": "en-US", "localTimezone": "Asia/Jakarta",
        "entities": [{"type": "clientInfo", "locale": "en-US", "country": "ID", "platform": "Web",
                      "timezone": "Asia/Jakarta"}],
        **extra,
    }


def personal(service_url: str, user: User, text: str, *, locale: str = "en-US") -> dict[str, Any]:
    conversation = {"conversationType": "personal", "tenantId": TENANT, "id": user.personal}
    return _base(service_url, user, conversation, text=text, textFormat="plain", locale=locale)


def mention(user: User | None = None) -> tuple[str, dict[str, Any]]:
    """The `<at>` text and entity Teams adds for an @mention (of the bot when no user is given)."""
    account = {"id": user.teams_id, "name": user.name} if user else BOT
    tag = f"<at>{account['name']}</at>"
    return tag, {"type": "mention", "text": tag, "mentioned": account}


def in_channel(service_url: str, user: User, text: str, *, mentioned: list[User] | None = None,
               channel: str = CHANNEL, root: str | None = None) -> dict[str, Any]:
    """`<at>Lingkar</at> text` posted in a channel (a new post, or a reply in thread `root`)."""
    bot_tag, bot_entity = mention()
    entities = [bot_entity]
    for other in mentioned or []:
        tag, entity = mention(other)
        text = text.replace(f"@{other.name}", tag)
        entities.append(entity)
    activity = _base(service_url, user, {}, text=f"{bot_tag} {text}", textFormat="plain")
    root = root or activity["id"]
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                                "id": f"{channel};messageid={root}"}
    activity["channelData"] = {"teamsChannelId": channel, "teamsTeamId": TEAM, "channel": {"id": channel},
                               "team": {"id": TEAM}, "tenant": {"id": TENANT}}
    activity["entities"] = entities + activity["entities"]
    return activity


def submit(service_url: str, user: User, data: dict[str, Any], *, reply_to_id: str,
           inputs: dict[str, Any] | None = None, conversation: dict[str, Any] | None = None) -> dict[str, Any]:
    """What Teams posts when a card's Action.Submit is pressed: the button's data merged with the inputs."""
    conversation = conversation or {"conversationType": "personal", "tenantId": TENANT, "id": user.personal}
    activity = _base(service_url, user, conversation, replyToId=reply_to_id, value={**data, **(inputs or {})})
    activity["channelData"] = {"tenant": {"id": TENANT}, "source": None, "legacy": {"replyToId": reply_to_id}}
    return activity


def installed_personally(service_url: str, user: User) -> dict[str, Any]:
    conversation = {"conversationType": "personal", "tenantId": TENANT, "id": user.personal}
    activity = _base(service_url, user, conversation, type="installationUpdate", action="add")
    del activity["entities"]
    return activity


def installed_in_team(service_url: str, installer: User) -> dict[str, Any]:
    """conversationUpdate with the bot among membersAdded, as Teams sends it to the team's General channel."""
    conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": TEAM}
    activity = _base(service_url, installer, conversation, type="conversationUpdate",
                     membersAdded=[{"id": BOT["id"]}])
    activity["channelData"] = {"eventType": "teamMemberAdded", "team": {"id": TEAM, "name": "People Ops"},
                               "tenant": {"id": TENANT}}
    del activity["entities"]
    return activity


def in_group_chat(service_url: str, user: User, text: str, *, chat: str = "19:meeting-chat@thread.v2"
                  ) -> dict[str, Any]:
    bot_tag, bot_entity = mention()
    conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": chat}
    activity = _base(service_url, user, conversation, text=f"{bot_tag} {text}", textFormat="plain")
    activity["entities"] = [bot_entity, *activity["entities"]]
    return activity


def file_consent(service_url: str, user: User, *, action: str, context: dict[str, Any], reply_to_id: str,
                 upload_url: str = "", name: str = "") -> dict[str, Any]:
    """The invoke Teams posts when a file consent card's Allow (accept) or Decline is pressed."""
    conversation = {"conversationType": "personal", "tenantId": TENANT, "id": user.personal}
    value: dict[str, Any] = {"type": "fileUpload", "action": action, "context": context}
    if action == "accept":
        value["uploadInfo"] = {"name": name, "uploadUrl": upload_url, "uniqueId": "1150D938-8870-4044-9F2C",
                               "fileType": name.rsplit(".", 1)[-1],
                               "contentUrl": f"https://contoso-my.sharepoint.com/personal/{name}"}
    activity = _base(service_url, user, conversation, type="invoke", name="fileConsent/invoke", value=value,
                     replyToId=reply_to_id)
    del activity["entities"]
    return activity


def with_file(activity: dict[str, Any], *, name: str, download_url: str) -> dict[str, Any]:
    """The message with a file attached, as Teams posts a file sent in a personal chat (plus its HTML twin)."""
    info = {"contentType": "application/vnd.microsoft.teams.file.download.info", "contentUrl": download_url,
            "name": name, "content": {"downloadUrl": download_url, "uniqueId": "4F2B8A0C-1D3E-4A5B-9C7D",
                                      "fileType": name.rsplit(".", 1)[-1]}}
    html = {"contentType": "text/html", "content": f"<p>{activity.get('text') or ''}</p>"}
    return {**activity, "attachments": [info, html]}
