"""Who signs in to the dashboard in tests: admins and members of two Slack workspaces and one Entra tenant."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.events import Actor


@dataclass(frozen=True)
class Person:
    platform: str  # "slack" | "teams"
    tenant: str  # Slack team id, Entra tenant id
    user_id: str  # Slack user id, Entra object id
    name: str
    locale: str = "en"
    email: str = ""

    @property
    def provider(self) -> str:
        return "slack" if self.platform == "slack" else "microsoft"

    def actor(self) -> Actor:
        """This person in chat: the same ids, so the dashboard and the chat see one member."""
        return Actor(platform=self.platform, workspace_id=self.tenant, user_id=self.user_id, display_name=self.name,
                     locale=self.locale)


SLACK_TEAM, SLACK_TEAM_2 = "T1", "T2"
TENANT = "7a0c9a35-6f1e-4b0e-9a51-2d1c0f3e8b11"
SLACK_ADMIN = Person("slack", SLACK_TEAM, "UADMIN", "Dewi Admin", "en", "dewi@example.com")  # LINGKAR_ADMINS
SLACK_ADMIN_ID = Person("slack", SLACK_TEAM, "UADMINID", "Sari Admin", "id", "sari@example.com")  # stored admin
SLACK_MEMBER = Person("slack", SLACK_TEAM, "U1", "Ayu Lestari", "en", "ayu@example.com")
SLACK_OTHER_ADMIN = Person("slack", SLACK_TEAM_2, "UOTHER", "Budi Other", "en", "budi@other.example")  # T2's admin
TEAMS_ADMIN = Person("teams", TENANT, "3f2b8c1d-0a4e-4f6b-9c2d-1e5a7b9c0d21", "Rina Admin", "id",
                     "rina@contoso.example")
TEAMS_MEMBER = Person("teams", TENANT, "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b61", "Joko Member", "en",
                      "joko@contoso.example")
CONFIGURED_ADMINS = (SLACK_ADMIN.user_id, TEAMS_ADMIN.user_id)
STORED_ADMINS = (SLACK_ADMIN_ID, SLACK_OTHER_ADMIN)
EVERYONE = (SLACK_ADMIN, SLACK_ADMIN_ID, SLACK_MEMBER, SLACK_OTHER_ADMIN, TEAMS_ADMIN, TEAMS_MEMBER)
