"""Planning the weekly digest: each admin gets it on Monday at 09:00 in their own time zone, once a week."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest.figures import Digest, build_digest, iso_week, keep_snapshots
from bot.digest.message import chart_or_none, digest_message
from bot.kernel.admins import admin_recipients
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, user_target
from bot.kernel.planning import PlanContext, for_states
from storage.tables import ProgramState

DIGEST_WEEKDAY, DIGEST_TIME = 0, time(9, 0)  # Monday, 09:00 local
DIGEST_STALE = timedelta(days=2)  # after a longer outage this week's digest is skipped; next Monday's comes


def zone_of(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        try:
            return ZoneInfo(candidate or "")
        except (KeyError, ValueError):
            continue
    return ZoneInfo("UTC")


def latest_digest_moment(now: datetime, zone: ZoneInfo) -> datetime:
    """The most recent Monday 09:00 in `zone` at or before `now`, in UTC (wall-clock time kept across DST)."""
    local_day = now.astimezone(zone).date()
    monday = local_day - timedelta(days=(local_day.weekday() - DIGEST_WEEKDAY) % 7)
    moment = datetime.combine(monday, DIGEST_TIME, tzinfo=zone)
    if moment > now:
        moment = datetime.combine(monday - timedelta(days=7), DIGEST_TIME, tzinfo=zone)
    return moment.astimezone(UTC)


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)
async def plan_digest(pc: PlanContext) -> int:
    """Runs once per running (or closing) program, but the digest covers the whole workspace: the key makes it once
    per admin."""
    workspace_id = pc.workspace.id or 0
    built: dict[str, Digest] = {}
    charts: dict[tuple[str, str], bytes | None] = {}
    queued = 0
    for admin, member in await admin_recipients(pc, config=pc.config):
        zone = zone_of(member.timezone if member else None, pc.workspace.timezone)
        moment = latest_digest_moment(pc.now, zone)
        if pc.now - moment > DIGEST_STALE:
            continue
        week = iso_week(moment.astimezone(zone).date())
        key = f"digest:{workspace_id}:{admin}:{week}"
        if await pc.uow.outbox.exists(key=key):
            continue  # planned before: skip building it again (the unique key would refuse it anyway)
        if week not in built:
            built[week] = await build_digest(pc.uow, pc.workspace, now=pc.now, week=week, config=pc.config)
            await keep_snapshots(pc.uow, built[week], workspace_id=workspace_id, now=pc.now)
        digest = built[week]
        t = Translator(resolve_locale(member.locale if member else None, pc.workspace.locale))
        if (week, t.locale) not in charts:
            charts[(week, t.locale)] = chart_or_none(t, digest)
        target = user_target(pc.workspace, admin)
        member_id = member.id if member else None
        stale_at = moment + DIGEST_STALE
        queued += await enqueue(pc.uow, workspace_id=workspace_id, key=key, kind="digest", target=target,
                                message=digest_message(t, digest, k=pc.config.k_anonymity), due_at=moment,
                                member_id=member_id, stale_at=stale_at)
        chart = charts[(week, t.locale)]
        if chart is not None:  # nothing held yet: the digest says so in a sentence, no empty chart
            await enqueue(pc.uow, workspace_id=workspace_id, key=f"digest-chart:{workspace_id}:{admin}:{week}",
                          kind="digest_chart", target=target, message=Message(text=t("digest.chart_title")),
                          due_at=moment, member_id=member_id, stale_at=stale_at, image=chart)
    return queued

