"""`program script <program>`: an admin sees a program's script by stage and gets it as a JSON file; sending the
edited file back with the same command (in a DM) replaces it after validation; `... reset` returns to the format's
default. Nothing is saved when the file has any error (docs/scripts.md)."""

from __future__ import annotations

import json

from bot.kernel.calendar import session_count
from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.grammar import without_mentions
from bot.kernel.i18n import Translator
from bot.kernel.messages import Context, Header, Message, Text
from bot.kernel.outbox import enqueue_file
from bot.kernel.program_lookup import find_program
from bot.kernel.replies import Reply, Response
from bot.sessions.scripts import STAGES, Script, ScriptError, default_script, parse_bytes, script_for, stages_for
from storage.tables import Program

RESET_WORDS = ("reset", "default", "bawaan")
MAX_ERRORS_SHOWN = 15
FIRST_WORDS = 6


async def program_script(ctx: Ctx, args: str) -> list[Response]:
    """Show (and send as a file), replace from an attached file, or reset a program's script."""
    words = args.split()
    if not words:
        raise UserError("scripts.usage")
    reset = len(words) > 1 and words[-1].lower() in RESET_WORDS
    program = await find_program(ctx, " ".join(words[:-1] if reset else words))
    if reset:
        return [Reply(await _save(ctx, program, default_script(str(program.format)), intro="scripts.reset"))]
    if ctx.attachment is not None:
        script, errors = parse_bytes(ctx.attachment.data, format=str(program.format))
        if script is None:
            return [Reply(error_message(ctx.t, program, errors))]
        return [Reply(await _save(ctx, program, script, intro="scripts.saved"))]
    script = script_for(program)
    data = json.dumps(script.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
    await enqueue_file(ctx.uow, workspace_id=ctx.workspace_id, key=f"script:{program.id}:{ctx.member_id}:"
                       f"{ctx.now.isoformat()}", target=ctx.user_target(), data=data,
                       filename=f"lingkar-script-{program.slug}.json",
                       title=ctx.t("scripts.file_title", program=program.name), due_at=ctx.now,
                       program_id=program.id, member_id=ctx.member_id)
    return [Reply(summary_message(ctx.t, program, script))]


async def _save(ctx: Ctx, program: Program, script: Script, *, intro: str) -> Message:
    before = script_for(program)
    changes = describe_changes(ctx.t, before, script)
    if not changes:
        text = ctx.t("scripts.unchanged", program=program.name)
        return Message(text=text)
    # {} means "the format's default": a program reset (or uploaded back to it) follows later default updates.
    program.script = {} if script == default_script(str(program.format)) else script.to_json()
    ctx.uow.programs.add(program)
    ctx.uow.audit.record(workspace_id=ctx.workspace_id, at=ctx.now, action="program.script",
                         actor_member_id=ctx.member_id,
                         detail={"program_id": program.id, "default": not program.script})
    text = "\n".join([ctx.t(intro, program=program.name), *changes])
    return Message(text=text, blocks=(Header(program.name), Text(text)))


def summary_message(t: Translator, program: Program, script: Script) -> Message:
    """Stages -> their sessions, and the first words of each prompt; the file holds the rest."""
    sessions: dict[str, list[int]] = {name: [] for name in STAGES}
    for index, stage in enumerate(stages_for(session_count(program))):
        sessions[stage].append(index + 1)
    lines: list[str] = []
    for name in STAGES:
        numbers = ", ".join(str(n) for n in sessions[name]) or t("scripts.no_sessions")
        lines.append(t("scripts.stage_line", stage=t(f"scripts.stage.{name}"), sessions=numbers,
                       prompts=len(script.stage(name).prompts)))
        lines += [f"   – {_first_words(p.in_locale(t.locale))}" for p in script.stage(name).prompts]
    title = t("scripts.title", program=program.name)
    origin = t("scripts.is_default") if not program.script else t("scripts.is_custom")
    hint = t("scripts.hint", program=program.slug)
    body = "\n".join(lines)
    return Message(text="\n".join([title, origin, body, hint]),
                   blocks=(Header(title), Context(origin), Text(body), Context(hint)))


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else "")


def describe_changes(t: Translator, before: Script, after: Script) -> list[str]:
    """One line per stage that changed: prompts added, removed, reworded; guidance or check-in changed."""
    lines: list[str] = []
    for name in STAGES:
        old, new = before.stage(name), after.stage(name)
        old_prompts, new_prompts = {p.id: p.text for p in old.prompts}, {p.id: p.text for p in new.prompts}
        parts: list[str] = []
        counts = (("added", len(new_prompts.keys() - old_prompts.keys())),
                  ("removed", len(old_prompts.keys() - new_prompts.keys())),
                  ("reworded", sum(1 for k in new_prompts.keys() & old_prompts.keys()
                                   if new_prompts[k] != old_prompts[k])))
        parts += [t.n(f"scripts.change.{what}", n, count=n) for what, n in counts if n]
        if [p.id for p in old.prompts] != [p.id for p in new.prompts] and not any(n for _, n in counts):
            parts.append(t("scripts.change.reordered"))
        if old.guidance != new.guidance:
            parts.append(t("scripts.change.guidance"))
        if old.checkin != new.checkin:
            parts.append(t("scripts.change.checkin"))
        if parts:
            lines.append(f"• {t(f'scripts.stage.{name}')}: {', '.join(parts)}")
    return lines


def error_message(t: Translator, program: Program, errors: list[ScriptError]) -> Message:
    """Every error with its JSON path, in the admin's language; the script stays as it was."""
    lines = [f"• {without_mentions(e.path[:120])}: {t(f'scripts.error.{e.code}', **e.params)}"
             for e in errors[:MAX_ERRORS_SHOWN]]
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(t("scripts.error.more", count=len(errors) - MAX_ERRORS_SHOWN))
    intro = t.n("scripts.not_saved", len(errors), program=program.name, count=len(errors))
    return Message(text="\n".join([intro, *lines]))
