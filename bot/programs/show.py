"""`program show`'s intake part: dates, participation, seats and who is where (enrolled, waiting, invited)."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Fields
from storage.tables import EnrollmentStatus, Program, ProgramFormat


def _dates(t: Translator, program: Program) -> str:
    def day(value: object) -> str:
        return str(value) if value else "-"

    return t("intake.show.dates", opens=day(program.enrollment_opens), closes=day(program.enrollment_closes),
             start=day(program.start_date))


def _settings(t: Translator, program: Program, *, k_default: int) -> str:
    """The settings `program edit` added, in one line: votes or cool-down by format, K, pulses, onboarding."""
    parts = [t("intake.show.votes", votes=program.max_theme_votes) if program.format == ProgramFormat.CIRCLES
             else t("intake.show.cooldown", days=program.pair_cooldown_days)]
    parts.append(t("intake.show.k", k=program.k_anonymity or k_default))
    parts.append(t("intake.show.pulse", weeks=program.pulse_every_weeks) if program.pulse_every_weeks
                 else t("intake.show.no_pulse"))
    if program.invite_new_within_days:
        parts.append(t("intake.show.onboarding", days=program.invite_new_within_days))
    return " · ".join(parts)


async def details(ctx: Ctx, program: Program) -> Fields:
    t = ctx.t
    counts = await ctx.uow.enrollments.status_counts(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    active = counts.get(EnrollmentStatus.ACTIVE, 0)
    seats = t("intake.show.seats", active=active, seats=program.seats) if program.seats \
        else t("intake.show.no_limit", active=active)
    people = t("intake.show.people", waitlisted=counts.get(EnrollmentStatus.WAITLISTED, 0),
               invited=counts.get(EnrollmentStatus.INVITED, 0), declined=counts.get(EnrollmentStatus.DECLINED, 0),
               left=counts.get(EnrollmentStatus.LEFT, 0))
    return Fields((
        (t("intake.field.dates"), _dates(t, program)),
        (t("program.form.participation"), t(f"participation.{program.participation}")),
        (t("intake.field.seats"), seats),
        (t("intake.field.people"), people),
        (t("intake.field.settings"), _settings(t, program, k_default=ctx.services.config.k_anonymity)),
    ))
