"""The mock Slack's workspace (users, channels) and its default answer to each Web API method."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool
    members: list[str] = field(default_factory=list)
    archived: bool = False
    creator: str = ""


class SlackWorld:
    """What the workspace holds and how Slack answers by default; MockSlack serves it and records the calls."""

    def __init__(self, *, team_id: str, bot_user: str) -> None:
        self.team_id = team_id
        self.bot_user = bot_user
        self.users: dict[str, dict[str, Any]] = {}
        # Enterprise Grid: the same user id in other workspaces of the org, each with its own profile there
        self.team_users: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.channels: dict[str, Channel] = {}
        self.files: dict[str, dict[str, Any]] = {}  # files.info's answers
        self.file_data: dict[str, bytes] = {}  # what url_private_download serves
        self._ids = itertools.count(1)
        self.add_user(bot_user, name="lingkar", bot=True)

    @property
    def base(self) -> str:
        """Where the mock is served (upload and Socket Mode URLs point there)."""
        raise NotImplementedError

    # -- the world -------------------------------------------------------------------------------------------------

    def add_user(self, user_id: str, *, name: str | None = None, locale: str = "en-US", tz: str = "Asia/Jakarta",
                 admin: bool = False, deleted: bool = False, bot: bool = False, team: str | None = None,
                 email: str | None = None) -> None:
        """A user of the mock's workspace, or with `team` of another workspace (users.info with that team_id).
        People have an email (mixed case, as Slack keeps what was typed; `email=""` for none), bots none."""
        shown = name or user_id.lower()
        users = self.users if team in (None, self.team_id) else self.team_users[str(team)]
        profile = {"display_name": shown, "real_name": shown}
        if email is None and not bot:
            email = f"{shown.replace(' ', '.')}@Contoh.co.id"
        if email:
            profile["email"] = email
        users[user_id] = {
            "id": user_id, "team_id": team or self.team_id, "name": shown.lower().replace(" ", "."), "deleted": deleted,
            "real_name": shown, "tz": tz, "locale": locale, "is_admin": admin, "is_owner": False, "is_bot": bot,
            "profile": profile,
        }

    def add_file(self, name: str, data: bytes, *, size: int | None = None, external: bool = False) -> str:
        """A file someone uploaded (files.info describes it, /files-pri serves it); `size` may lie, as a test
        of the cap needs."""
        file_id = f"F{next(self._ids):06d}"
        self.files[file_id] = {"id": file_id, "name": name, "size": len(data) if size is None else size,
                               "mimetype": "text/csv", "filetype": "csv", "is_external": external}
        self.file_data[file_id] = data
        return file_id

    def add_channel(self, name: str, *, private: bool = True, archived: bool = False) -> Channel:
        channel = Channel(id=f"C{next(self._ids):06d}", name=name, is_private=private, archived=archived)
        self.channels[channel.id] = channel
        return channel

    def channel_named(self, name: str) -> Channel:
        return next(c for c in self.channels.values() if c.name == name)

    # -- default answers, one per Web API method ---------------------------------------------------------------------

    def _ts(self) -> str:
        return f"1767571200.{next(self._ids):06d}"

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://lingkar-test.slack.com/", "team": "Lingkar Test", "user": "lingkar",
                "team_id": self.team_id, "user_id": self.bot_user, "bot_id": "B0001", "is_enterprise_install": False}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.base.replace("http://", "ws://", 1) + "/link"}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        team = str(args.get("team_id") or self.team_id)
        users = self.users if team == self.team_id else self.team_users.get(team, {})
        user = users.get(str(args.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """One user: their DM with the bot. Several: their group DM with the bot, the same one each time."""
        ids = [u for u in str(args.get("users") or "").split(",") if u]
        if not 1 <= len(ids) <= 8:
            return {"ok": False, "error": "invalid_arguments"}
        for user_id in ids:
            user = self.users.get(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            if user["deleted"]:
                return {"ok": False, "error": "user_disabled"}
        if len(ids) == 1:
            return {"ok": True, "channel": {"id": "D" + ids[0]}}
        members = sorted({*ids, self.bot_user})
        name = "mpdm-" + "--".join(members)
        existing = next((c for c in self.channels.values() if c.name == name), None)
        group = existing or self.add_channel(name, private=True)
        group.members = members
        return {"ok": True, "channel": {"id": group.id, "is_mpim": True}}

    def _post(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is not None and channel.archived:
            return {"ok": False, "error": "is_archived"}
        return {"ok": True, "channel": args.get("channel"), "ts": self._ts()}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._post(args)

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._post(args)
        return {"ok": True, "message_ts": answer["ts"]} if answer["ok"] else answer

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {**(args.get("view") or {}), "id": f"V{next(self._ids):06d}"}}

    _views_open = _views_push = _views_update = _views_publish = _view

    def _conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name"))
        if any(c.name == name for c in self.channels.values()):
            return {"ok": False, "error": "name_taken"}
        private = str(args.get("is_private")).lower() in ("1", "true")
        channel = self.add_channel(name, private=private)
        channel.members.append(self.bot_user)
        channel.creator = self.bot_user
        return {"ok": True, "channel": {"id": channel.id, "name": name, "is_private": private}}

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """The channels the bot can see: public ones, and private ones it is in (one page is enough here)."""
        seen = [c for c in self.channels.values() if not c.name.startswith("mpdm-") and not c.archived
                and (not c.is_private or self.bot_user in c.members)]
        listed = [{"id": c.id, "name": c.name, "is_private": c.is_private, "creator": c.creator} for c in seen]
        return {"ok": True, "channels": listed, "response_metadata": {"next_cursor": ""}}

    def _conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "members": list(channel.members), "response_metadata": {"next_cursor": ""}}

    def _conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) > 1000:
            return {"ok": False, "error": "too_many_users"}
        errors = []
        for user_id in users:
            user = self.users.get(user_id)
            if user is None:
                errors.append({"user": user_id, "ok": False, "error": "user_not_found"})
            elif user["deleted"]:
                errors.append({"user": user_id, "ok": False, "error": "cant_invite"})
            elif user_id in channel.members:
                errors.append({"user": user_id, "ok": False, "error": "already_in_channel"})
            else:
                channel.members.append(user_id)
        if errors:  # with force=true Slack invites the others and names the ones it refused
            return {"ok": False, "error": errors[0]["error"], "errors": errors}
        return {"ok": True, "channel": {"id": channel.id, "name": channel.name}}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):06d}"
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files") or []
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file = self.files.get(str(args.get("file")))
        if file is None:
            return {"ok": False, "error": "file_not_found"}
        if file["is_external"]:  # a Google Drive link, say: nothing Slack can serve
            return {"ok": True, "file": {**file, "url_private": "https://drive.example/org.csv"}}
        url = f"{self.base}/files-pri/{self.team_id}-{file['id']}/download/{file['name']}"
        return {"ok": True, "file": {**file, "url_private": url, "url_private_download": url}}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Paged as Slack pages: `limit` people from the cursor on, and the next cursor (empty on the last page)."""
        people = list(self.users.values())
        start = int(str(args.get("cursor") or "0").removeprefix("page-"))
        limit = int(args.get("limit") or 200)
        after = start + limit
        cursor = f"page-{after}" if after < len(people) else ""
        return {"ok": True, "members": people[start:after], "response_metadata": {"next_cursor": cursor}}

    def _conversations_archive(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel.archived:
            return {"ok": False, "error": "already_archived"}
        channel.archived = True
        return {"ok": True}
