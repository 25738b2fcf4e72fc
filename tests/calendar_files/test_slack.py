"""An invite file goes up through Slack's external upload into the member's DM and still parses (mock Web API)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from icalendar import Calendar

from adapters.slack.messenger import SlackMessenger
from bot.kernel.ports import Target
from bot.sessions.invites import Invite, build_ics, series_of
from storage.tables import Program
from tests.slack.conftest import TEAM, MockSlack, lingkar, mock_slack, slack_messenger, sleeps  # noqa: F401


async def test_the_ics_reaches_files_upload_in_the_members_dm(slack_messenger: SlackMessenger,  # noqa: F811
                                                              mock_slack: MockSlack) -> None:  # noqa: F811
    program = Program(workspace_id=1, name="Growth", slug="growth", start_date=date(2026, 3, 2),
                      timezone="Europe/London", created_at=datetime(2026, 2, 1, tzinfo=UTC))
    series = series_of(program)
    invite = Invite(uid="u@lingkar", sequence=0, summary="Circle A", description="Program: Growth", location="",
                    series=series, sessions=series.sessions)
    ics = build_ics(invite, stamp=datetime(2026, 2, 1, tzinfo=UTC))
    await slack_messenger.send_file(Target(platform="slack", workspace_id=TEAM, kind="user", ref="U1"), ics,
                                    "lingkar-growth-c1.ics", "Your sessions of Circle A")
    assert mock_slack.last("files.getUploadURLExternal").args["filename"] == "lingkar-growth-c1.ics"
    assert mock_slack.last("files.completeUploadExternal").args["channel_id"] == "DU1"
    uploaded = Calendar.from_ical(mock_slack.last("upload").data)
    assert uploaded.walk("VEVENT")[0]["uid"] == "u@lingkar"
