"""`admin import` through the core: matching by platform id, email and directory, pending rows, bad rows kept apart,
re-imports and concurrent imports, file-level refusals; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from adapters.bootstrap import App
from bot.kernel.events import Command
from bot.org import reading
from tests.helpers import say, text_of
from tests.org.support import csv_bytes, member, records, send_import, with_email

HEADER = "email,platform_id,department,team,manager,seniority,start_date"


async def test_without_a_file_it_explains_the_upload_and_shows_the_template(app: App) -> None:
    text = text_of(await send_import(app, None))
    assert "direct message with the words `admin import`" in text
    assert HEADER in text
    await say(app, "UADMIN", "admin add <@UHR>")
    indonesian = text_of(await send_import(app, None, user="UHR", locale="id"))
    assert "pesan langsung dengan kata `admin import`" in indonesian and HEADER in indonesian


async def test_only_admins_may_import(app: App) -> None:
    replies = await send_import(app, csv_bytes(HEADER, "a@x.co,,Finance,Payments,,1,"), user="U9")
    assert "Applied" not in text_of(replies)
    assert await records(app) == {}


async def test_rows_meet_members_by_id_email_and_directory_and_the_rest_wait(app: App) -> None:
    await app.core.handle(Command(with_email("UKNOWN", "Known@Example.com"), "status"))
    data = csv_bytes(
        HEADER,
        "known@example.com,,Finance,Payments,boss@example.com,Senior,2020-02-03",
        ",UBYID,Sales,Enterprise,UBOSS,0,",
        "dir@example.com,,Engineering,Platform,,lead,2026-01-01",
        "later@example.com,,People,Talent,,,",
    )
    replies = await send_import(app, data, directory={"dir@example.com": "UDIR", "boss@example.com": "UBOSS"})
    text = text_of(replies)
    assert "Applied to members: 3. Waiting for their member (not seen yet): 1. Rows with errors: 0." in text
    assert "2 of them had not used Lingkar yet" in text
    known = await member(app, "UKNOWN")
    assert (known.department, known.team, known.seniority, known.start_date) == ("Finance", "Payments", 2,
                                                                                 date(2020, 2, 3))
    assert known.manager_external_id == "UBOSS"  # the directory knew the manager's address
    by_id = await member(app, "UBYID")
    assert (by_id.department, by_id.team, by_id.seniority, by_id.manager_external_id) == ("Sales", "Enterprise", 0,
                                                                                          "UBOSS")
    found = await member(app, "UDIR")
    assert (found.email, found.team, found.seniority) == ("dir@example.com", "Platform", 3)
    rows = await records(app)
    assert set(rows) == {"known@example.com", "id:UBYID", "dir@example.com", "later@example.com"}
    assert rows["later@example.com"].external_id is None
    assert rows["known@example.com"].external_id == "UKNOWN"


async def test_a_waiting_row_applies_when_that_email_arrives_and_a_manager_once_known(app: App) -> None:
    data = csv_bytes(HEADER, "late@example.com,,Legal,Contracts,lead@example.com,1,2025-07-01",
                     ",UREPORT,Legal,Contracts,lead@example.com,0,")
    assert "Waiting for their member (not seen yet): 1." in text_of(await send_import(app, data))
    assert (await member(app, "UREPORT")).manager_external_id is None  # nobody knows whose address that is yet
    await app.core.handle(Command(with_email("ULATE", " LATE@example.COM "), "status"))
    late = await member(app, "ULATE")
    assert (late.email, late.department, late.team, late.start_date) == ("late@example.com", "Legal", "Contracts",
                                                                         date(2025, 7, 1))
    assert (await records(app))["late@example.com"].external_id == "ULATE"
    await app.core.handle(Command(with_email("ULEAD", "lead@example.com"), "status"))
    assert (await member(app, "UREPORT")).manager_external_id == "ULEAD"
    assert (await member(app, "ULATE")).manager_external_id == "ULEAD"


async def test_bad_rows_are_reported_by_line_and_reason_and_good_rows_kept(app: App) -> None:
    data = csv_bytes(
        HEADER,
        "good@example.com,,Finance,Payments,,1,",
        "not-an-email,,Finance,Payments,,1,",
        ",,Finance,Payments,,1,",
        "x@example.com,,Finance,Payments,,guru-besar,",
        "y@example.com,,Finance,Payments,,,03/02/2020",
        "z@example.com,,Finance," + "T" * 101 + ",,,",
        "self@example.com,,Finance,Payments,self@example.com,,",
        "GOOD@example.com,,Sales,Payments,,,",
        ",bad id!,Finance,,,,",
    )
    text = text_of(await send_import(app, data))
    assert "Rows with errors: 8." in text
    reported = {int(head.removeprefix("Line ")): rest for head, _, rest in
                (entry.partition(": ") for entry in text.splitlines() if entry.startswith("Line "))}
    for line, reason in ((3, "the email is not a valid address"), (4, "it has neither an email nor a platform id"),
                         (5, "the seniority is not 0-4"), (6, "the start date is not a date written as YYYY-MM-DD"),
                         (7, "Team is longer than 100 characters"), (8, "named as their own manager"),
                         (9, "the same person as line 2"), (10, "the platform id is not valid")):
        assert reason in reported[line], (line, reported)
    assert "guru-besar" not in text and "03/02/2020" not in text and "T" * 101 not in text  # no echo of cells
    assert "All other rows were imported" in text
    assert set(await records(app)) == {"good@example.com"}
    assert (await records(app))["good@example.com"].department == "Finance"  # the first of the two lines


async def test_indonesian_headers_semicolons_and_excel_bom(app: App) -> None:
    data = csv_bytes("Surel;Departemen;Tim;Atasan;Senioritas;Tanggal_Mulai;Catatan",
                     "ani@example.co.id;Keuangan;Pajak;;Menengah;2026-01-02;rahasia", bom=True)
    await say(app, "UADMIN", "admin add <@UHR>")
    text = text_of(await send_import(app, data, directory={"ani@example.co.id": "UANI"}, user="UHR", locale="id"))
    assert "Diterapkan ke anggota: 1." in text
    assert "Kolom yang tidak saya gunakan: Catatan." in text
    ani = await member(app, "UANI")
    assert (ani.department, ani.team, ani.seniority, ani.start_date) == ("Keuangan", "Pajak", 1, date(2026, 1, 2))


async def test_reimport_updates_only_its_columns_and_concurrent_imports_end_in_one_row_each(app: App) -> None:
    first = csv_bytes(HEADER, ",U1,Finance,Payments,,2,2021-05-01", "w@example.com,,Ops,Fleet,,,")
    results = await asyncio.gather(*(send_import(app, first) for _ in range(3)))
    assert all("Rows with errors: 0." in text_of(r) for r in results), [text_of(r) for r in results]
    assert sorted(await records(app)) == ["id:U1", "w@example.com"]
    await send_import(app, csv_bytes("platform_id,team", "U1,Treasury"))  # no seniority column: it stays
    rows = await records(app)
    assert (rows["id:U1"].team, rows["id:U1"].seniority, rows["id:U1"].department) == ("Treasury", 2, "Finance")
    u1 = await member(app, "U1")
    assert (u1.team, u1.seniority, u1.start_date) == ("Treasury", 2, date(2021, 5, 1))


async def test_an_email_row_supersedes_the_platform_id_row_of_the_same_person(app: App) -> None:
    await send_import(app, csv_bytes("platform_id,team", "U1,Payments"))
    await send_import(app, csv_bytes("email,platform_id,team", "u1@example.com,U1,Treasury"))
    assert sorted(await records(app)) == ["u1@example.com"]
    assert (await member(app, "U1")).email == "u1@example.com"


@pytest.mark.parametrize(("data", "expected"), [
    (b"PK\x03\x04rest-of-a-workbook", "Excel workbook"),
    ("email,team\r\na@x.co,Finance\r\n".encode("utf-16"), "not plain UTF-8 text"),
    ("email,team\r\ná@x.co,Keuangan\r\n".encode("latin-1"), "not UTF-8 text"),
    (b"", "The file is empty"),
    (b"name,team\r\nAni,Finance\r\n", "I need an email or a platform_id column"),
    (b"email,e-mail\r\na@x.co,b@x.co\r\n", "Two columns both mean email"),
    (b'email,team\r\na@x.co,"Finance\r\n', "breaks the CSV format"),
])
async def test_files_that_cannot_be_read_import_nothing_and_say_why(app: App, data: bytes, expected: str) -> None:
    assert expected in text_of(await send_import(app, data))
    assert await records(app) == {}


async def test_size_and_row_limits(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    text = text_of(await send_import(app, csv_bytes("email", "a@x.co", "b@x.co", "c@x.co")))
    assert "more than 2 rows" in text
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    assert "larger than" in text_of(await send_import(app, csv_bytes("email", "a@x.co")))
    assert await records(app) == {}


async def test_help_lists_the_import_for_admins_in_both_languages(app: App) -> None:
    assert "admin import" in text_of(await say(app, "UADMIN", "help"))
    await say(app, "UADMIN", "admin add <@UHR>")
    assert "impor departemen, tim, atasan" in text_of(await say(app, "UHR", "bantuan", locale="id"))


async def test_imports_of_the_same_people_in_opposite_orders_both_finish(app: App) -> None:
    people = [f",U{i:02d},Dept {i % 3},Team {i % 4},,{i % 5}," for i in range(30)]
    forward, backward = csv_bytes(HEADER, *people), csv_bytes(HEADER, *reversed(people))
    first, second = await asyncio.gather(send_import(app, forward), send_import(app, backward))
    for replies in (first, second):
        assert "Applied to members: 30." in text_of(replies), text_of(replies)
    assert len(await records(app)) == 30
    assert (await member(app, "U07")).team == "Team 3"
