"""Export of the contact network: vCard, CSV, XLSX and JSON read back, ``!kontakt export`` in
the chat, and the command line's import and export."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
import vobject

from bot.cli import main
from commands.contacts.files.columns import Format, Kind
from commands.contacts.files.decoding import read_table
from commands.contacts.files.importer import import_file
from commands.contacts.files.records import export_records
from commands.contacts.files.writers import serialise
from commands.framework.registry import Role, RoomKind
from storage.database import Database
from storage.repositories import Store
from storage.search import SearchIndex
from storage.transfer import TransferRepository
from tests.support.cli import write_minimal_config
from tests.support.desk import Desk
from tests.support.names import MONDAY
from tests.support.transfer import (
    PERSONS,
    PERSONS_HEADER,
    csv_bytes,
    import_persons,
)

# -- exporting ---------------------------------------------------------------------------------


async def exported(database: Database, kind: Kind, file_format: Format) -> bytes:
    async with database.session() as session:
        records = await export_records(session, kind, "de")
    return serialise(kind, file_format, records, "de", MONDAY)


async def test_vcard_export_reads_back_with_names_emails_and_organisations(
    database: Database,
) -> None:
    """The .vcf file parses as vCards with FN, N, ORG, TITLE, EMAIL, CATEGORIES and no NOTE."""
    rows = [[*PERSONS_HEADER, "Notiz"], *[[*row, "nur intern"] for row in PERSONS]]
    await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    data = await exported(database, Kind.PERSONS, Format.VCF)
    text = data.decode("utf-8")
    assert "VERSION:4.0" in text and "nur intern" not in text and "NOTE" not in text
    cards = {card.fn.value: card for card in vobject.readComponents(text)}
    assert set(cards) == {"Dr. Maria Schmidt", "Jürgen Öztürk", "Sabine Weiß"}
    maria = cards["Dr. Maria Schmidt"]
    assert (maria.n.value.family, maria.n.value.given) == ("Schmidt", "Maria")
    assert maria.email.value == "m.schmidt@vhs.example"
    assert maria.org.value == ["VHS Musterkreis"]
    assert maria.title.value == "Fachbereichsleitung"
    assert maria.tel.value == "05141 12345"
    assert set(maria.categories.value) == {"Weiterbildung", "Sprachbildung"}
    assert cards["Jürgen Öztürk"].org.value == ["Grundschule Am Bach"]


async def test_a_vcard_keeps_each_function_with_its_organisation(database: Database) -> None:
    """With two organisations, each TITLE shares its ORG's group; a comma in a name survives."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    async with database.session() as session:
        maria = next(p for p in await TransferRepository(session).all_persons() if p.title)
        second = await Store(session).contacts.add_organization(MONDAY, "Stadt Celle, Amt 40")
        await Store(session).contacts.link(maria, second, "Beirat")
    data = await exported(database, Kind.PERSONS, Format.VCF)
    cards = {card.fn.value: card for card in vobject.readComponents(data.decode("utf-8"))}
    maria_card = cards["Dr. Maria Schmidt"]
    functions = {title.group: title.value for title in maria_card.title_list}
    assert {org.value[0]: functions.get(org.group) for org in maria_card.org_list} == {
        "VHS Musterkreis": "Fachbereichsleitung",
        "Stadt Celle, Amt 40": "Beirat",
    }


async def test_csv_export_round_trips_through_import(database: Database) -> None:
    """The exported CSV (;, UTF-8 with BOM) imports again without creating anything."""
    rows = [*PERSONS, ["Ohne Organisation", "", "", "", "", "", ""]]
    await import_persons(database, csv_bytes([PERSONS_HEADER, *rows], ";", "cp1252"))
    async with database.session() as session:
        maria = next(p for p in await TransferRepository(session).all_persons() if p.title)
        second = await Store(session).contacts.add_organization(MONDAY, "Stadt Celle")
        await Store(session).contacts.link(maria, second, "Beirat")
    data = await exported(database, Kind.PERSONS, Format.CSV)
    assert data.startswith(b"\xef\xbb\xbfTitel;Name;Organisation;Funktion;E-Mail")
    assert b"VHS Musterkreis | Stadt Celle;Fachbereichsleitung | Beirat" in data
    report = await import_persons(database, data, "export.csv")
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 4, [])
    assert report.organisations_created == 0


async def test_organisation_and_offer_exports_round_trip(database: Database) -> None:
    """Organisations and offers exported as CSV and XLSX import again without changes."""
    organisations = [
        ["Name", "Art", "PLZ", "Gemeinde", "Handlungsfelder"],
        ["VHS Musterkreis", "VHS", "29221", "Celle", "Weiterbildung, Sprachbildung"],
        ["Kita Sonnenschein", "Kita", "", "Celle", "frühkindliche Bildung"],
    ]
    offers = [
        ["Titel", "Träger", "Zielgruppen", "Beschreibung"],
        [
            "Lesepaten",
            "VHS Musterkreis",
            "Kinder, Eltern",
            "Zeile eins\nZeile zwei; mit Semikolon",
        ],
        ["Sprachcafé", "", "Neuzugewanderte", ""],
    ]
    await import_file(
        database, csv_bytes(organisations, ",", "utf-8"), "o.csv", Kind.ORGANISATIONS, MONDAY
    )
    await import_file(database, csv_bytes(offers, ",", "utf-8"), "a.csv", Kind.OFFERS, MONDAY)
    for kind in (Kind.ORGANISATIONS, Kind.OFFERS):
        for file_format, name in ((Format.CSV, "x.csv"), (Format.XLSX, "x.xlsx")):
            data = await exported(database, kind, file_format)
            report = await import_file(database, data, name, kind, MONDAY)
            assert (report.created, report.updated, report.unchanged) == (0, 0, 2), (kind, name)
            assert report.errors == [] and report.notes == [] and report.ignored_columns == []


async def test_xlsx_and_json_exports_hold_every_record(database: Database) -> None:
    """The workbook has a header row and readable widths; JSON lists fields by key."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    workbook = openpyxl.load_workbook(
        io.BytesIO(await exported(database, Kind.PERSONS, Format.XLSX))
    )
    sheet = workbook.active
    assert sheet.title == "Kontakte"
    assert [cell.value for cell in sheet[1]][:3] == ["Titel", "Name", "Organisation"]
    assert sheet.max_row == 4 and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len("Jürgen Öztürk")
    document = json.loads(await exported(database, Kind.PERSONS, Format.JSON))
    assert document["count"] == 3 and document["kind"] == "persons"
    maria = next(r for r in document["records"] if r["name"] == "Maria Schmidt")
    assert [f["key"] for f in maria["fields"]] == ["weiterbildung", "sprachbildung"]
    assert maria["organisations"] == [
        {"name": "VHS Musterkreis", "function": "Fachbereichsleitung"}
    ]


async def test_formulas_are_defused_in_csv_and_survive_a_round_trip(database: Database) -> None:
    """A cell starting with = is exported with an apostrophe and imported without it."""
    rows = [["Name", "Notiz", "Telefon"], ["Eva Fink", '=HYPERLINK("x")', "+49 5141 1"]]
    await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    data = await exported(database, Kind.PERSONS, Format.CSV)
    assert b"'=HYPERLINK" in data and b";+49 5141 1;" in data
    report = await import_persons(database, data)
    assert (report.created, report.unchanged, report.notes) == (0, 1, [])


# -- the chat command --------------------------------------------------------------------------


async def test_chat_export_uploads_a_vcard_by_default(database: Database) -> None:
    """!contact export answers with the count and a .vcf attachment that parses."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    reply = await Desk(database).reply("!contact export")
    assert "3 contacts exported as vCard: `contacts-2027-03-08.vcf`" in Desk.text(reply)
    assert "personal data" in Desk.text(reply)
    [attachment] = reply.attachments
    assert (attachment.filename, attachment.mimetype) == ("contacts-2027-03-08.vcf", "text/vcard")
    names = {card.fn.value for card in vobject.readComponents(attachment.data.decode())}
    assert names == {"Dr. Maria Schmidt", "Jürgen Öztürk", "Sabine Weiß"}
    async with database.session() as session:
        [entry] = [e for e in await Store(session).audit.latest() if e.action == "export"]
    assert (entry.actor, entry.object_type, entry.object_id) == ("@anna:localhost", "person", "*")
    assert entry.detail == "count=3 format=vcf"


async def test_chat_export_as_csv_and_xlsx(database: Database) -> None:
    """format=csv and format=xlsx give files that Excel and the importer read."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    harness = Desk(database)
    [csv_file] = (await harness.reply("!kontakt export format=csv")).attachments
    table = read_table(csv_file.data, csv_file.filename, Kind.PERSONS)
    assert len(table.rows) == 3 and csv_file.mimetype == "text/csv"
    [workbook] = (await harness.reply("!contact export format=Excel")).attachments
    assert workbook.filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data)).active
    assert sheet.max_row == 4


@pytest.mark.skipif(not hasattr(SearchIndex, "search"), reason="needs the search index")
async def test_chat_export_with_a_filter_exports_only_the_matches(database: Database) -> None:
    """A search text narrows the export; a search without matches uploads nothing."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    harness = Desk(database)
    reply = await harness.reply("!contact export Schmidt format=json")
    [attachment] = reply.attachments
    assert [r["name"] for r in json.loads(attachment.data)["records"]] == ["Maria Schmidt"]
    nothing = await harness.reply("!contact export Zzyzxwv")
    assert nothing.attachments == [] and "nothing was exported" in Desk.text(nothing)
    assert "`!contact export` without a filter" in Desk.text(nothing)


async def test_chat_export_is_for_the_team_in_the_team_room_only(database: Database) -> None:
    """Members may not export; the team may not export in a committee room; bad formats."""
    harness = Desk(database)
    member = await harness.reply("!contact export", role=Role.MEMBER, room=RoomKind.DIRECT)
    assert "only for the team" in Desk.text(member) and not member.attachments
    committee = await harness.reply("!contact export", room=RoomKind.GROUP)
    assert "not allowed here" in Desk.text(committee)
    wrong = await harness.reply("!contact export format=pdf")
    assert "`pdf` is not an export format" in Desk.text(wrong)
    empty = await harness.reply("!contact export")
    assert "no contacts yet" in Desk.text(empty) and not empty.attachments


# -- the command line --------------------------------------------------------------------------


def sqlite_url_in(directory: Path) -> str:
    """The URL of a SQLite file in ``directory``, made by the first command that needs it."""
    return f"sqlite+aiosqlite:///{directory / 'kuemmerer.db'}"


def test_cli_import_prints_the_summary_and_export_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kuemmerer import reports created/errors with line numbers; export writes and audits."""
    monkeypatch.delenv("KUEMMERER_STORAGE_URL", raising=False)
    config = write_minimal_config(tmp_path, sqlite_url_in(tmp_path))
    source = tmp_path / "kontakte.csv"
    source.write_bytes(
        csv_bytes([PERSONS_HEADER, *PERSONS, ["", "", "", "", "", "", "Raumfahrt"]], ";", "cp1252")
    )
    arguments = ["--config", str(config)]
    assert main(["import", str(source), "--kind", "persons", "--dry-run", *arguments]) == 1
    dry = capsys.readouterr().out
    assert "created:    3" in dry and "nothing was written" in dry

    assert main(["import", str(source), "--kind", "persons", *arguments]) == 1
    out = capsys.readouterr().out
    assert "Import of persons from kontakte.csv" in out
    assert "created:    3" in out and "errors:     1" in out
    assert 'Line 5: no name; unknown Handlungsfeld "Raumfahrt".' in out

    target = tmp_path / "out.vcf"
    assert main(["export", "--kind", "persons", "--format", "vcf", "--output", str(target),
                 *arguments]) == 0  # fmt: skip
    assert "Exported 3 persons" in capsys.readouterr().out
    assert len(list(vobject.readComponents(target.read_text(encoding="utf-8")))) == 3

    assert main(["audit", *arguments]) == 0
    audit = capsys.readouterr().out
    assert audit.count("cli:import  create  person:") == 3
    assert "cli:export  export  person:*  count=3 format=vcf" in audit


def test_cli_refuses_vcards_of_organisations_and_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong combinations and missing files end with exit status 2 and a sentence."""
    monkeypatch.delenv("KUEMMERER_STORAGE_URL", raising=False)
    arguments = ["--config", str(write_minimal_config(tmp_path, sqlite_url_in(tmp_path)))]
    assert main(["export", "--kind", "offers", "--format", "vcf", *arguments]) == 2
    assert "vCard files hold persons only" in capsys.readouterr().err
    missing = str(tmp_path / "fehlt.csv")
    assert main(["import", missing, "--kind", "offers", *arguments]) == 2
    assert "Cannot read" in capsys.readouterr().err
    old = tmp_path / "alt.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    assert main(["import", str(old), "--kind", "persons", *arguments]) == 2
    assert "old Excel file" in capsys.readouterr().err
