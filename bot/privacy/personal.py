"""What a member owns, table by table: the one declaration `my data` and `forget me` read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storage.repositories.erasure import PersonalTable


def _forget_skill_names(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"ratings": [{**rating, "skill": None} for rating in row["ratings"] or []]}


PERSONAL_TABLES: tuple[PersonalTable, ...] = (
    PersonalTable("workspaceadmin", "admin_roles", external_columns=("user_external_id",), delete=True),
    PersonalTable("conversation_reference", "conversations", external_columns=("key", "alias"), delete=True),
    PersonalTable("pending_file", "files_waiting_for_consent", external_columns=("user_key",), delete=True),
    PersonalTable("kept_form", "forms_waiting", external_columns=("user_key",), delete=True),
    PersonalTable("org_record", "org_record", external_columns=("external_id",), delete=True),
    PersonalTable("program", "programs_created", member_columns=("created_by_member_id",),
                  unlink_columns=("created_by_member_id",)),
    PersonalTable("enrollment", "enrollments", member_columns=("member_id",),
                  text_columns=("left_reason", "avoid_member_ids", "hopes")),
    PersonalTable("theme", "themes_proposed", member_columns=("proposed_by_member_id",),
                  unlink_columns=("proposed_by_member_id",)),
    PersonalTable("themevote", "theme_votes", member_columns=("member_id",)),
    PersonalTable("circle", "circles_moderated", member_columns=("moderator_member_id",)),
    PersonalTable("circlemember", "circle_memberships", member_columns=("member_id",),
                  text_columns=("left_reason", "why")),
    PersonalTable("election", "elections_won", member_columns=("winner_member_id",)),
    PersonalTable("nomination", "nominations", member_columns=("nominee_member_id", "nominated_by_member_id")),
    PersonalTable("electionvote", "election_votes", member_columns=("voter_member_id",),
                  others_columns=("nominee_member_id",)),
    PersonalTable("pairrequest", "pair_requests", member_columns=("mentee_member_id", "mentor_member_id")),
    PersonalTable("pair", "pairs", member_columns=("mentor_member_id", "mentee_member_id", "ended_by_member_id"),
                  text_columns=("end_reason",)),
    PersonalTable("pairprompt", "pair_prompts", via=("pair_id", "pair")),
    PersonalTable("paircheckin", "pair_checkins", member_columns=("member_id",), text_columns=("progress",)),
    PersonalTable("engagement_check", "engagement_checks", member_columns=("member_id",)),
    PersonalTable("pollresponse", "feedback", member_columns=("member_id",), text_columns=("keep", "improve"),
                  unlink_columns=("member_id",)),
    PersonalTable("selfassessment", "self_assessments", member_columns=("member_id",),
                  unlink_columns=("member_id",), extra=_forget_skill_names),
    PersonalTable("checkin", "checkins", member_columns=("member_id",), text_columns=("progress",)),
    PersonalTable("sessionlog", "sessions", member_columns=("logged_by_member_id",),
                  member_list_columns=("attendee_member_ids",), text_columns=("outcomes",)),
    PersonalTable("circleprompt", "prompts_added", member_columns=("added_by_member_id",),
                  text_columns=("custom_text",)),
    PersonalTable("goal", "goals", member_columns=("member_id",),
                  text_columns=("specific", "measurable", "achievable", "relevant")),
    PersonalTable("goalupdate", "goal_updates", via=("goal_id", "goal"), text_columns=("note",)),
    PersonalTable("pauseperiod", "pauses", member_columns=("member_id",)),
    # A group's agreement is the group's: the proposer's words (topics, how they stay in touch) are cleared.
    PersonalTable("agreement", "agreements_proposed", member_columns=("proposed_by_member_id",),
                  text_columns=("topics", "contact")),
    PersonalTable("agreementconfirmation", "agreements_confirmed", member_columns=("member_id",)),
    PersonalTable("closing_choice", "what_next", member_columns=("member_id",), delete=True),
    PersonalTable("auditentry", "audit", member_columns=("actor_member_id",)),
    PersonalTable("delivery", "messages_to_you", member_columns=("member_id",)),  # erased apart: see _erase_deliveries
)


# Tables that hold nothing about a person (Member itself is handled apart, field by field). The Slack OAuth tables
# are the workspace's installation of the app (bot token, OAuth state); slack_installations also names who installed
# it by Slack user id, as Slack's own record of the install: it goes when the app is uninstalled or the workspace is
# erased (`lingkar workspace erase`), not with one member's `forget me` (docs/privacy.md). slack_team_orgs says which
# Enterprise Grid org a workspace belongs to: ids of organisations, nobody's.
NOT_PERSONAL = frozenset({"workspace", "member", "poll", "digestsnapshot", "used_form", "seen_event",
                          "workspace_pace", "slack_installations", "slack_bots", "slack_oauth_states",
                          "slack_team_orgs"})


# Free text kept for others in which a former member's name is blanked out too (not only their platform id).
NAME_SCRUBBED = frozenset({("delivery", "payload"), ("delivery", "last_error"), ("auditentry", "detail"),
                           ("sessionlog", "outcomes"), ("conversation_reference", "name")})


# Where a quote of what a former member wrote (a note, a goal, a theme only they wanted) is blanked out too. A circle's
# name comes from a theme title: it is blanked only when the theme was theirs alone (see _sort_themes).
QUOTES_SCRUBBED = NAME_SCRUBBED | {("circle", "name")}


PROFILE_FIELDS = ("external_id", "display_name", "email", "locale", "timezone", "department", "team",
                  "manager_external_id", "seniority", "start_date", "job_title", "skills_offered", "skills_wanted",
                  "interests", "work_start_hour", "work_end_hour", "profile_completed", "created_at")
