"""`forget me` finds a member in every delivery, however the text around them is written, whether the delivery is
settled (PostgreSQL looks those up in the words index) or still pending (scanned)."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Command
from storage.repositories.erasure import _whole, search_words
from storage.tables import Delivery, DeliveryStatus
from storage.tables.delivery import DELIVERY_WORDS_SQL
from tests.feedback.support import person
from tests.helpers import member_id

USER, NAME = "UFORGET9", "Kartika Sulistyowati"
ME = person(USER, NAME)

# Texts naming her as the scrub's whole-word pattern sees it: JSON escapes (newline, quote, backslash, non-ASCII)
# right before or after the name, mentions, any case, and an email-like id inside punctuation.
AROUND = [
    "Welcome {}!", "Line one\n{}\nline three", 'He said "{}" twice', "path\\{}\\x", "\u2014{}\u2014",
    "<@{}> joined", "{}'s notes", "(\t{}\t)", "caf\u00e9 {} caf\u00e9", "{}", "x {} y",
]
KELVIN = "\u212aartika Sulistyowati"  # the Kelvin sign, which Python's case-insensitive match reads as K
SPELLINGS = [NAME, NAME.upper(), NAME.lower(), USER, KELVIN]


async def _plant(app: App, clock: ManualClock) -> dict[int, tuple[str, str]]:
    """Deliveries in every status naming her in payload, last_error, key, target and sent_ref; one that does not."""
    now = clock.now()
    planted: dict[int, tuple[str, str]] = {}
    async with app.uow() as uow:
        rows = []
        statuses = list(DeliveryStatus)
        for i, (around, spelling) in enumerate((a, s) for a in AROUND for s in SPELLINGS):
            if spelling == KELVIN and app.engine.dialect.name == "sqlite":
                continue  # SQLite's lower() folds ASCII only: the scan never found this one there
            said = around.format(spelling)
            status = statuses[i % len(statuses)]
            in_payload = "\u212a" not in spelling  # JSON escapes the Kelvin sign: a raw column holds that one
            rows.append((Delivery(
                workspace_id=1, key=f"search:{i}", kind="announcement", target="local:W1:space:circle-1",
                payload={"text": said if in_payload else "", "blocks": [{"type": "text", "text": said}]
                         if in_payload else []},
                last_error=None if in_payload else said, status=status, due_at=now, created_at=now), said))
        rows.append((Delivery(workspace_id=1, key=f"dm:{USER}", kind="dm", target="local:W1:space:lounge",
                              payload={"text": "hello"}, sent_ref=f"local:W1:space:c|{USER},U2",
                              status=DeliveryStatus.SENT, due_at=now, created_at=now), USER))
        rows.append((Delivery(workspace_id=1, key="other", kind="announcement", target="local:W1:space:c",
                              payload={"text": "Kartika2 and UFORGET99 and Sulistyowati-K"},
                              status=DeliveryStatus.SENT, due_at=now, created_at=now), ""))
        for row, _ in rows:
            uow.session.add(row)
        await uow.commit()
        planted = {row.id or 0: (row.key, said) for row, said in rows}
    return planted


async def test_forget_me_finds_her_in_settled_and_pending_deliveries(app: App, clock: ManualClock) -> None:
    await app.core.handle(Command(ME, "status"))
    me = await member_id(app, USER)
    planted = await _plant(app, clock)
    await app.core.handle(Action(ME, f"forget.confirm:{me}"))
    async with app.uow() as uow:
        rows = {d.id: d for d in (await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))).all()}
    leaks = []
    for row_id, (key, _) in planted.items():
        row = rows[row_id]
        stored = " ".join(str(v) for v in (row.key, row.target, row.payload, row.sent_ref, row.last_error))
        if re.search(r"(?i)kartika sulistyowati", stored) or re.search(rf"{USER}(?!\d)", stored):
            leaks.append((key, row.status, stored[:120]))
    assert leaks == []
    other = next(rows[i] for i, (key, _) in planted.items() if key == "other")
    assert other.payload["text"] == "Kartika2 and UFORGET99 and Sulistyowati-K"  # whole words only
    said = {key: str(rows[i].payload.get("text")) for i, (key, _) in planted.items()}
    assert said["search:0"] == said["search:1"] == "Welcome …!"  # her name, in any case
    assert said["search:3"].startswith("Welcome erased-") and said["search:28"].startswith("<@erased-")


# Characters that decide where a word ends, or that JSON escapes: the words index must split as the pattern does.
ALPHABET = ("ab KZ09_-", " .,;:!?'\"\\/\n\t()<>@|", "\u00e9\u00df\u2014\u4e2d\u00a0\u0130\u0131\u017f\u212a")


def _texts(rng: random.Random, needle: str) -> list[str]:
    pieces = "".join(ALPHABET)
    noise = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) for _ in range(400)]
    return [f"{noise[i]}{needle}{noise[i + 1]}" for i in range(0, 400, 2)]


async def test_the_words_index_finds_every_whole_word_match(app: App, clock: ManualClock) -> None:
    """For any text in which the scrub's pattern finds a needle, the row's indexed words hold all the needle's
    words (PostgreSQL: the index and the search only narrow down; the pattern decides)."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("the words index is PostgreSQL's; SQLite scans")
    await app.core.handle(Command(ME, "status"))  # the workspace
    rng, now = random.Random(18), clock.now()
    needles = [NAME, USER, "m0@ws1.example", "29:teams-alias_1", "Jos\u00e9 O'Neil", "\u0130pek K\u0131l\u0131\u00e7",
               "We practised Quokka-Note-2287 feedback"]
    cases = [(needle, text_) for needle in needles for text_ in _texts(rng, needle)]
    matched = 0
    async with app.uow() as uow:
        for i, (needle, said) in enumerate(cases):
            pattern = _whole(set(), name=needle)
            if not pattern.search(said):
                continue
            matched += 1
            for column in ("payload", "last_error"):
                row = Delivery(workspace_id=1, key=f"w:{i}:{column}", kind="dm", target="local:W1:space:c",
                               payload={"text": said} if column == "payload" else {}, due_at=now, created_at=now,
                               last_error=said if column == "last_error" else None, status=DeliveryStatus.SENT)
                uow.session.add(row)
                await uow.session.flush()
                words = (await uow.session.exec(text(  # type: ignore[call-overload]
                    f"SELECT {DELIVERY_WORDS_SQL} FROM delivery WHERE id = :id").bindparams(id=row.id))).scalar_one()
                assert any(set(spelling) <= set(words) for spelling in search_words(needle)), \
                    (needle, said, column, words)
    assert matched > 300  # most generated texts do contain the needle as a whole word
