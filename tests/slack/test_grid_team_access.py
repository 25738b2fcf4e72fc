"""Enterprise Grid: an org admin takes the org-wide app away from ONE workspace (team_access_revoked), then gives it
back (team_access_granted). Only that workspace's deliveries are skipped meanwhile, with the reason; the org's other
workspaces, a workspace of the org with its own install, and other orgs carry on. Real signed Slack requests."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select as core_select
from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.slack.manifest import EVENTS
from bot.kernel.clock import ManualClock
from scheduler.deliver import deliver_due
from scheduler.pacing import Pacer
from storage.tables import Delivery, Member, Workspace
from storage.tables.slack_oauth import slack_team_orgs
from tests.slack import test_grid_uninstall as grid
from tests.slack.conftest import Slack
from tests.slack.test_oauth_install import core_rows, queue

replicas = grid.replicas  # the fixture: two replicas, E1's and E2's org installs and T9's own install stored
Replicas = tuple[App, Slack, App, Slack]


async def access_event(slack: Slack, kind: str, *, org: str, teams: list[str], event_id: str,
                       outer: str | None = "T1") -> int:
    """What Slack sends an org-wide app when an org admin removes it from, or adds it to, some of the org's
    workspaces (docs.slack.dev/reference/events/team_access_revoked): the org, the workspaces in `team_ids`, and
    an outer team_id that is not one of them."""
    body = json.dumps({"token": "legacy", "team_id": outer, "enterprise_id": org, "api_app_id": "A1",
                       "is_enterprise_install": True, "type": "event_callback", "event_id": event_id,
                       "event_time": 1767571200,
                       "event": {"type": kind, "team_ids": teams, "event_ts": "1767571200.000100"},
                       "authorizations": [{"enterprise_id": org, "team_id": None, "user_id": "UBOT",
                                           "is_bot": True, "is_enterprise_install": True}]})
    status, _ = await slack.post(body, content_type="application/json")
    return status


async def inactive(app: App) -> dict[str, str | None]:
    async with app.uow() as uow:
        return {w.external_id: w.inactive_reason for w in (await uow.session.exec(select(Workspace)))}


async def queue_for_each(app: App, key: str) -> None:
    async with app.uow() as uow:
        spaces = {w.external_id: w for w in (await uow.session.exec(select(Workspace)))}
        for team, user in (("T1", "U1"), ("T2", "U2"), ("T9", "U3"), ("T5", "UADMIN")):
            await queue(uow, spaces[team], user, key=f"{team}-{key}")
        await uow.commit()


async def test_revoking_one_workspace_skips_only_its_deliveries_and_granting_serves_it_again(
        replicas: Replicas, clock: ManualClock) -> None:
    one, slack_one, two, slack_two = replicas
    mock = slack_one.mock
    for team, user in (("T1", "U1"), ("T2", "U2"), ("T9", "U3"), ("T5", "UADMIN")):
        assert await grid.grid_command(slack_one, team=team, user=user) == 200

    # E1's org admin takes the app away from T2. The event names T9 (E1, but its own install) and T5 (org E2) too:
    # neither is the org install's to take away. It reaches the other replica.
    assert await access_event(slack_two, "team_access_revoked", org="E1", teams=["T2", "T9", "T5"],
                              event_id="EvRevoked") == 200
    assert await inactive(one) == {"T1": None, "T2": "team_access_revoked", "T9": None, "T5": None}
    await queue_for_each(one, "revoked")
    mock.calls.clear()
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, dict(report.skipped)) == (3, 0, {"workspace team_access_revoked": 1})
    assert sorted((p.args["text"], p.token) for p in mock.calls_to("chat.postMessage")) == [
        ("T1-revoked", grid.ORG_TOKEN), ("T5-revoked", grid.OTHER_ORG_TOKEN), ("T9-revoked", grid.OWN_TOKEN)]
    async with one.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(col(Delivery.key) == "T2-revoked"))).one()
    assert (row.status, row.last_error, row.attempts) == ("skipped", "workspace team_access_revoked", 0)

    # The org admin adds the app to T2 again, and to TNEW, a workspace Lingkar has not heard from: T2 is served
    # again with the org's token (the skipped delivery stays skipped); TNEW is recorded as E1's.
    assert await access_event(slack_one, "team_access_granted", org="E1", teams=["T2", "TNEW"],
                              event_id="EvGranted") == 200
    assert await inactive(two) == {"T1": None, "T2": None, "T9": None, "T5": None}
    orgs = dict(await core_rows(two, core_select(slack_team_orgs.c.team_id, slack_team_orgs.c.enterprise_id)))
    assert orgs == {"T1": "E1", "T2": "E1", "T9": "E1", "T5": "E2", "TNEW": "E1"}
    await queue_for_each(two, "granted")
    mock.calls.clear()
    report = await deliver_due(uow_factory=two.uow, messenger=two.messenger, clock=clock, worker_id="w2",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, dict(report.skipped)) == (4, 0, {})
    assert ("T2-granted", grid.ORG_TOKEN) in {(p.args["text"], p.token) for p in mock.calls_to("chat.postMessage")}
    async with two.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(col(Delivery.key) == "T2-revoked"))).one()
    assert row.status == "skipped"


async def test_a_delivery_slack_refused_just_before_the_revocation_ends_skipped(
        replicas: Replicas, clock: ManualClock) -> None:
    """Slack stops the org's token for T2 first (team_access_not_granted), the event follows: the delivery is tried
    again later, then skipped with the reason; neither failed nor its member marked unreachable."""
    one, slack_one, _, _ = replicas
    mock = slack_one.mock
    assert await grid.grid_command(slack_one, team="T2", user="U2") == 200
    async with one.uow() as uow:
        t2 = (await uow.session.exec(select(Workspace).where(col(Workspace.external_id) == "T2"))).one()
        await queue(uow, t2, "U2", key="raced")
        await uow.commit()
    mock.fail("conversations.open", "team_access_not_granted")
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, report.retried) == (0, 0, 1)
    assert await access_event(slack_one, "team_access_revoked", org="E1", teams=["T2"], event_id="EvRace") == 200
    clock.advance(timedelta(hours=2))
    mock.calls.clear()
    report = await deliver_due(uow_factory=one.uow, messenger=one.messenger, clock=clock, worker_id="w1",
                               pacer=Pacer.unlimited())
    assert (report.sent, report.failed, dict(report.skipped)) == (0, 0, {"workspace team_access_revoked": 1})
    assert mock.calls == []
    async with one.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(col(Delivery.key) == "raced"))).one()
        members = {m.external_id: m.reachable for m in (await uow.session.exec(select(Member)))}
    assert (row.status, row.last_error) == ("skipped", "workspace team_access_revoked")
    assert members == {"U2": True}


async def test_another_orgs_event_changes_nothing(replicas: Replicas) -> None:
    """E2's admin revoking access names E1's workspaces (or Slack's list is not a list): nothing of E1 changes."""
    one, slack_one, _, _ = replicas
    for team, user in (("T1", "U1"), ("T5", "UADMIN")):
        assert await grid.grid_command(slack_one, team=team, user=user) == 200
    assert await access_event(slack_one, "team_access_revoked", org="E2", teams=["T1"], event_id="EvOther",
                              outer="T5") == 200
    assert await inactive(one) == {"T1": None, "T5": None}


def test_the_manifest_and_the_doc_name_both_events() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "slack.md").read_text(encoding="utf-8")
    for event in ("team_access_revoked", "team_access_granted"):
        assert event in EVENTS and f"`{event}`" in doc
    assert "`workspace team_access_revoked`" in doc


async def test_an_event_naming_no_workspace_of_its_own_is_handled(replicas: Replicas) -> None:
    """api.slack.com's example of the event has team_id null: the org and team_ids are enough."""
    one, slack_one, _, _ = replicas
    for team, user in (("T1", "U1"), ("T2", "U2")):
        assert await grid.grid_command(slack_one, team=team, user=user) == 200
    assert await access_event(slack_one, "team_access_revoked", org="E1", teams=["T2"], event_id="EvNull",
                              outer=None) == 200
    assert await inactive(one) == {"T1": None, "T2": "team_access_revoked"}
    assert await access_event(slack_one, "team_access_granted", org="E1", teams=["T2"], event_id="EvNull2",
                              outer=None) == 200
    assert await inactive(one) == {"T1": None, "T2": None}
