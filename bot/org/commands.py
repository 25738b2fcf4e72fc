"""`admin import`: an org CSV sent with the command is read, matched to members and summarised for the admin."""

from __future__ import annotations

from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.replies import Reply, Response
from bot.org.importing import Outcome, import_rows
from bot.org.reading import MAX_ROWS, TEMPLATE, RowError, read_csv

SHOWN_ERRORS = 25  # lines listed in the reply; the rest are counted (a chat message is no spreadsheet)


async def import_file(scope: Scope, *, data: bytes, directory: dict[str, str]) -> Outcome:
    """The one import both `admin import` and `lingkar org import` run: read, check, match, write. Raises a
    UserError (nothing written) when the file as a whole cannot be read."""
    return await import_rows(scope, read_csv(data), directory=directory)


def how_to(t: Translator) -> Message:
    header = ",".join(TEMPLATE)
    text = "\n".join((t("org.import.how"), t("org.import.template", header=header),
                      t("org.import.columns", limit=MAX_ROWS)))
    return Message(text=text, blocks=(Header(t("org.import.title")), Text(t("org.import.how")),
                                      Text(t("org.import.template", header=header)),
                                      Context(t("org.import.columns", limit=MAX_ROWS))))


def reason(t: Translator, error: RowError) -> str:
    params = dict(error.params)
    if "column" in params:
        params["column"] = t(f"org.column.{params['column']}")
    return t(f"org.import.row.{error.code}", **params)


def error_lines(t: Translator, errors: list[RowError], *, limit: int | None = SHOWN_ERRORS) -> list[str]:
    shown = errors if limit is None else errors[:limit]
    lines = [t("org.import.line", line=e.line, reason=reason(t, e)) for e in shown]
    if len(errors) > len(shown):
        lines.append(t("org.import.more_errors", count=len(errors) - len(shown)))
    return lines


def summary_lines(t: Translator, outcome: Outcome) -> list[str]:
    lines = [t("org.import.summary", applied=outcome.applied, pending=outcome.pending, errors=len(outcome.errors))]
    if outcome.created:
        lines.append(t("org.import.created", count=outcome.created))
    if outcome.pending:
        lines.append(t("org.import.pending"))
    if outcome.managers_unknown:
        lines.append(t("org.import.managers_unknown", count=outcome.managers_unknown))
    if outcome.ignored:
        lines.append(t("org.import.ignored", columns=", ".join(outcome.ignored)))
    return lines


def report_message(t: Translator, outcome: Outcome) -> Message:
    summary = summary_lines(t, outcome)
    blocks: list[Header | Text | Context] = [Header(t("org.import.title")), Text("\n".join(summary))]
    text = [*summary]
    if outcome.errors:
        errors = "\n".join(error_lines(t, outcome.errors))
        blocks += [Text(errors), Context(t("org.import.fix"))]
        text += [errors, t("org.import.fix")]
    return Message(text="\n".join(text), blocks=tuple(blocks))


async def admin_import(ctx: Ctx, args: str) -> list[Response]:
    """Admin only (the command's spec says so): with a file, import it; without, how to send one."""
    if ctx.attachment is None:
        return [Reply(how_to(ctx.t))]
    outcome = await import_file(ctx, data=ctx.attachment.data, directory=ctx.attachment.directory)
    # Counts only: the rows are HR data, and free text never goes into the audit trail or the logs.
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="org.imported",
                         actor_member_id=ctx.member_id,
                         detail={"applied": outcome.applied, "pending": outcome.pending,
                                 "errors": len(outcome.errors), "created": outcome.created})
    return [Reply(report_message(ctx.t, outcome))]
