"""`pair concern`: a pair member tells the admins privately; the other side never hears of it, the audit keeps no
text, and nobody outside the pair can raise one about it."""

from __future__ import annotations

from sqlmodel import select

from adapters.bootstrap import App
from storage.tables import AuditEntry
from tests.helpers import form_of, queued, say, submit, text_of
from tests.pairs.test_care import STALE, reverse_pair

WORRY = "My mentee has cancelled three times and I do not feel I can say so"


async def test_a_concern_reaches_the_admins_only_and_the_audit_keeps_no_text(app: App) -> None:
    pair = await reverse_pair(app)
    before = len(await queued(app))
    opened = form_of(await say(app, "MENTOR", "pasangan keluhan"))
    assert opened.form.state == str(pair.id) and "not anonymous" in (opened.form.intro or "")
    assert "MENTEE is never told" in (opened.form.intro or "")
    empty = await submit(app, "MENTOR", "pair.concern", {"concern": "   "}, state=opened.form.state)
    assert {e for r in empty for e in getattr(r, "errors", {})} == {"concern"}
    reply = text_of(await submit(app, "MENTOR", "pair.concern", {"concern": WORRY}, state=opened.form.state))
    assert "admins have your message" in reply and WORRY not in reply
    sent = (await queued(app))[before:]
    assert [(kind, target) for kind, target, _ in sent] == [("admin", "local:W1:user:UADMIN")]
    text = sent[0][2]
    assert WORRY in text and "MENTOR (the mentor)" in text and "Leadership Circles" in text and "MENTEE" in text
    assert not [t for _, target, t in await queued(app) if target == "local:W1:user:MENTEE" and WORRY in t]
    async with app.uow() as uow:
        entries = [e for e in (await uow.session.exec(select(AuditEntry))).all() if e.action == "pair.concern"]
    assert [e.detail for e in entries] == [{"pair_id": pair.id, "program_id": pair.program_id}]
    assert WORRY not in repr(entries[0])
    # A second concern is a message of its own, not swallowed as a repeat.
    await submit(app, "MENTOR", "pair.concern", {"concern": "Still the same"}, state=opened.form.state)
    assert [k for k, _, t in (await queued(app))[before:] if "Still the same" in t] == ["admin"]


async def test_only_members_of_the_pair_can_raise_a_concern_about_it(app: App) -> None:
    pair = await reverse_pair(app)
    before = len(await queued(app))
    assert "not in a mentoring pair" in text_of(await say(app, "STRANGER", "pair concern"))
    forged = await submit(app, "STRANGER", "pair.concern", {"concern": WORRY}, state=str(pair.id))
    assert text_of(forged) == STALE
    for junk in ("", "x", "-1", str(pair.id) + "0" * 12):
        assert text_of(await submit(app, "MENTOR", "pair.concern", {"concern": WORRY}, state=junk)) == STALE
    assert (await queued(app))[before:] == []
    async with app.uow() as uow:
        assert not [e for e in (await uow.session.exec(select(AuditEntry))).all() if e.action == "pair.concern"]
    # The senior may raise one too (the wording is for juniors); the junior is not told.
    opened = form_of(await say(app, "MENTEE", "pair concern"))
    await submit(app, "MENTEE", "pair.concern", {"concern": "We never find a time"}, state=opened.form.state)
    assert [(k, target) for k, target, t in (await queued(app))[before:]] == [("admin", "local:W1:user:UADMIN")]
