"""`export <program>`: CSVs in a zip, delivered as a file through the new `send_file` (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from adapters.routing import RoutingMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.ports import DeliveryError, MessageRef, Target
from storage.repositories.outbox import file_of
from storage.tables import Delivery
from tests.digest.test_digest import MONDAY, PNG_SIGNATURE, busy_program
from tests.feedback.support import answer_poll, deliveries
from tests.helpers import say, text_of


def _tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name.split("/", 1)[1]: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                for name in archive.namelist()}


async def test_export_csv_content(app: App, clock: ManualClock) -> None:
    await busy_program(app, clock)
    await answer_poll(app, "U5", 1, satisfaction=4, recommend=8, keep="=HYPERLINK(\"http://x\")", improve="more time")
    await answer_poll(app, "U6", 1, satisfaction=5, recommend=10, keep="the prompts")
    await answer_poll(app, "U1", 1, satisfaction=2, recommend=5, keep="my circle")  # edited while open
    clock.set(MONDAY)
    assert "Only Lingkar admins" in text_of(await say(app, "U1", "export leadership"))
    reply = text_of(await say(app, "UADMIN", "export leadership"))
    assert "on its way to your direct messages" in reply and "members.csv (7)" in reply
    [delivery] = await deliveries(app, kind="file")
    assert delivery.target == "local:W1:user:UADMIN"
    sent = file_of(delivery)
    assert sent is not None and sent.filename == "lingkar-leadership-20260126-0200.zip"
    assert sent.title == "Lingkar export: Leadership Circles"
    tables = _tables(sent.data)
    assert sorted(tables) == ["checkins.csv", "circles.csv", "evaluation.csv", "feedback.csv",
                              "feedback_comments.csv", "members.csv", "sessions.csv"]
    members = {row[1]: row for row in tables["members.csv"][1:]}
    assert tables["members.csv"][0][:3] == ["member_id", "name", "department"]
    assert members["U1"][2] == "Finance" and members["U1"][6] == "active" and members["U1"][12] == "Circle A"
    assert members["U7"][6] == "left" and members["U3"][10] == "2026-02-28"
    assert tables["circles.csv"][1:] == [["1", "Circle A", "", "active", "", "4", "U1; U2; U3; U4"],
                                         ["2", "Circle B", "", "active", "", "2", "U5; U6"]]
    assert [row[2:5] for row in tables["sessions.csv"][1:]] == [["1", "2026-01-07T03:00:00+00:00", "3"],
                                                                ["2", "2026-01-14T03:00:00+00:00", "3"],
                                                                ["3", "2026-01-21T03:00:00+00:00", "2"]]
    assert tables["sessions.csv"][3][5] == "U1; U2"
    assert [row[2:6] for row in tables["checkins.csv"][1:]] == [["3", "U1", "True", "4"], ["3", "U2", "True", "4"]]
    # The poll is still open on Monday: the export, like the chat, has the count only.
    feedback = tables["feedback.csv"]
    assert feedback[0] == ["round", "kind", "opened_on", "closes_on", "shown", "respondents", "satisfaction_mean",
                           "would_recommend_mean", "nps", "keep_comments", "improve_comments"]
    assert feedback[1:] == [["Pulse poll (week 3)", "pulse", "2026-01-21", "2026-01-28", "open", "5", "", "", "",
                             "", ""]]
    assert tables["feedback_comments.csv"] == [["round", "question", "comment"]]
    clock.set(MONDAY + timedelta(days=7))  # closed: totals, and the comments given by at least K people
    await say(app, "UADMIN", "export leadership")
    later = file_of((await deliveries(app, kind="file"))[-1])
    assert later is not None
    tables = _tables(later.data)
    assert tables["feedback.csv"][1][4:] == ["shown", "5", "3.2", "7.6", "0", "3", "1"]
    comments = tables["feedback_comments.csv"][1:]
    assert sorted(row[2] for row in comments) == ["'=HYPERLINK(\"http://x\")", "my circle", "the prompts"]
    assert {row[1] for row in comments} == {"keep"}  # one "improve" comment: below K, left out
    flat = "\n".join(",".join(row) for rows in tables.values() if rows[0][0] == "round" for row in rows)
    assert not any(user in flat for user in ("U1", "U2", "U4", "U5", "U6", "Circle"))  # no names, no circles


async def test_send_file_is_recorded_locally_and_refused_where_unsupported() -> None:
    local = LocalMessenger()

    class ImagesOnly:
        async def send_image(self, target: Target, png: bytes, title: str) -> MessageRef:
            return MessageRef(target, "1")

    routing = RoutingMessenger({"local": local, "old": ImagesOnly()})  # type: ignore[dict-item]
    target = Target(platform="local", workspace_id="W1", kind="user", ref="U1")
    ref = await routing.send_file(target, b"a,b\r\n", "x.csv", "Your file")
    assert local.files == [(target, b"a,b\r\n", "x.csv", "Your file")] and ref.target == target
    with pytest.raises(DeliveryError) as refused:
        await routing.send_file(Target("old", "W1", "user", "U1"), b"", "x.csv", "t")
    assert refused.value.permanent


def test_only_file_deliveries_are_files() -> None:
    chart = Delivery(workspace_id=1, key="k", kind="digest_chart", target="t", payload=encode(Message("x")),
                     image=PNG_SIGNATURE, due_at=MONDAY, created_at=MONDAY)
    assert file_of(chart) is None
