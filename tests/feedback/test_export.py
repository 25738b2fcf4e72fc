"""`export <program>`: CSVs in a zip, delivered as a file through the new `send_file` (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from adapters.routing import RoutingMessenger
from bot.clock import ManualClock
from bot.digest.files import file_of
from bot.message_codec import encode
from bot.messages import Message
from bot.ports import DeliveryError, MessageRef, Target
from storage.tables import Delivery
from tests.feedback.support import answer_poll, deliveries
from tests.feedback.test_digest import MONDAY, PNG_SIGNATURE, busy_program
from tests.helpers import say, text_of


def _tables(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name.split("/", 1)[1]: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
                for name in archive.namelist()}


async def test_export_csv_content(app: App, clock: ManualClock) -> None:
    await busy_program(app, clock)
    await answer_poll(app, "U5", 1, satisfaction=4, recommend=8, keep="=HYPERLINK(\"http://x\")", improve="more time")
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
    assert sorted(tables) == ["checkins.csv", "circles.csv", "evaluation.csv", "feedback.csv", "members.csv",
                              "sessions.csv"]
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
    feedback = tables["feedback.csv"]
    assert feedback[0] == ["round", "kind", "opened_on", "satisfaction", "would_recommend", "keep", "improve"]
    assert [row[3:5] for row in feedback[1:]] == [["2", "5"], ["2", "6"], ["3", "9"], ["4", "8"]]
    assert feedback[4][5:] == ["'=HYPERLINK(\"http://x\")", "more time"]  # no formula runs in a spreadsheet
    flat = "\n".join(",".join(row) for row in feedback)
    assert not any(user in flat for user in ("U1", "U2", "U4", "U5"))  # anonymous: no names, no circles


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
