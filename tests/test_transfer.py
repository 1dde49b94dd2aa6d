"""Import and export of the contact network: CSV, XLSX, vCard and JSON, on a migrated SQLite."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
import vobject

from bot.cli import main
from bot.render import split_reply
from bot.transfer_cli import import_summary
from commands.contacts.files.columns import Format, Kind, TransferError
from commands.contacts.files.decoding import decode_text, read_table, sniff_delimiter
from commands.contacts.files.importer import ImportReport, import_file
from commands.contacts.files.records import export_records
from commands.contacts.files.writers import serialise
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import Person
from storage.repositories import Store
from storage.search import SearchIndex
from storage.transfer import TransferRepository
from tests.support.desk import Desk
from tests.support.names import MONDAY

PERSONS_HEADER = ["Name", "Titel", "Einrichtung", "Funktion", "E-Mail", "Telefon", "Felder"]
PERSONS = [
    ["Maria Schmidt", "Dr.", "VHS Musterkreis", "Fachbereichsleitung", "m.schmidt@vhs.example",
     "05141 12345", "Weiterbildung, Sprachbildung"],
    ["Jürgen Öztürk", "", "Grundschule Am Bach", "Schulleitung", "j.oeztuerk@gs.example",
     "", "Schule; Übergang Kita-Grundschule"],
    ["Sabine Weiß", "", "Jugendamt Musterkreis", "Jugendhilfeplanung", "", "0511 98765",
     "Übergang Schule–Beruf"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def persons(database: Database) -> list[Person]:
    async with database.session() as session:
        return await TransferRepository(session).all_persons()


async def import_persons(
    database: Database, data: bytes, filename: str = "kontakte.csv", dry_run: bool = False
) -> ImportReport:
    return await import_file(database, data, filename, Kind.PERSONS, MONDAY, dry_run=dry_run)


# -- reading files -----------------------------------------------------------------------------


def test_encodings_and_separators_are_recognised() -> None:
    """UTF-8 with and without BOM and Windows-1252 decode; ; and , are told apart."""
    assert decode_text("Weiß".encode("cp1252")) == ("Weiß", "Windows-1252")
    assert decode_text(b"\xef\xbb\xbfWei\xc3\x9f") == ("Weiß", "UTF-8 with BOM")
    assert decode_text("Weiß".encode()) == ("Weiß", "UTF-8")
    assert sniff_delimiter("Name;E-Mail;Felder\nA, B;x;y") == ";"
    assert sniff_delimiter("Name,E-Mail,Felder\nA;B,x,y") == ","


def test_headers_are_matched_in_any_case_and_spelling() -> None:
    """German and English headers, with or without umlauts and dashes, find their columns."""
    data = "NAME;e_mail;TRAEGER;Handlungsfelder;Geburtstag\nAnna;a@b.example;VHS;Schule\n"
    table = read_table(data.encode(), "liste.csv", Kind.PERSONS)
    assert set(table.headers) == {"name", "email", "organization", "fields"}
    assert table.ignored == ["Geburtstag"]
    assert table.rows[0].values["organization"] == "VHS"
    english = read_table(b"Title,Provider,Target groups\nLesen,VHS,Eltern\n", "o.csv", Kind.OFFERS)
    assert set(english.headers) == {"title", "provider", "target_groups"}


def test_a_file_without_a_name_column_is_refused_as_a_whole() -> None:
    """Without a name column nothing can be imported; the message lists the columns found."""
    with pytest.raises(TransferError, match=r'no column "Name".*"Telefon"'):
        read_table(b"Telefon;Ort\n123;Celle\n", "liste.csv", Kind.PERSONS)


# -- importing ---------------------------------------------------------------------------------


async def test_semicolon_csv_in_windows_1252_imports(database: Database) -> None:
    """An Excel CSV (;, Windows-1252) imports with umlauts, organisations, fields and source."""
    data = csv_bytes([PERSONS_HEADER, *PERSONS], ";", "cp1252")
    report = await import_persons(database, data, "Netzwerk 2026.csv")
    assert (report.created, report.updated, report.errors) == (3, 0, [])
    assert report.organisations_created == 3
    assert "Windows-1252" in report.description and '";"' in report.description
    stored = {person.name: person for person in await persons(database)}
    assert set(stored) == {"Maria Schmidt", "Jürgen Öztürk", "Sabine Weiß"}
    maria = stored["Maria Schmidt"]
    assert maria.title == "Dr." and maria.phone == "05141 12345"
    assert [m.organization.name for m in maria.memberships if m.organization] == [
        "VHS Musterkreis"
    ]
    assert maria.memberships[0].function == "Fachbereichsleitung"
    assert {term.key for term in maria.fields} == {"weiterbildung", "sprachbildung"}
    assert {term.key for term in stored["Jürgen Öztürk"].fields} == {
        "schule",
        "uebergang-kita-grundschule",
    }
    assert maria.source == "Netzwerk 2026.csv" and maria.recorded_at == MONDAY


async def test_comma_csv_in_utf8_with_bom_imports(database: Database) -> None:
    """A CSV with , and a UTF-8 byte order mark imports just the same."""
    data = csv_bytes([PERSONS_HEADER, *PERSONS], ",", "utf-8-sig")
    report = await import_persons(database, data)
    assert (report.created, report.errors) == (3, [])
    assert "UTF-8 with BOM" in report.description
    assert {p.name for p in await persons(database)} == {
        "Maria Schmidt",
        "Jürgen Öztürk",
        "Sabine Weiß",
    }


async def test_xlsx_imports_from_the_first_sheet(database: Database) -> None:
    """An Excel workbook imports; line numbers are Excel's row numbers."""
    rows = [PERSONS_HEADER, *PERSONS, ["", "", "VHS Musterkreis", "", "", "", ""]]
    report = await import_persons(database, xlsx_bytes(rows), "kontakte.xlsx")
    assert report.created == 3
    assert [str(notice) for notice in report.errors] == ["Line 5: no name."]
    assert report.description == "Excel workbook, first sheet"


async def test_broken_rows_are_reported_by_line_and_the_rest_imports(database: Database) -> None:
    """Line 3 without a name and line 5 with an unknown field are refused; the others import."""
    rows = [
        ["Name", "E-Mail", "Handlungsfelder"],
        ["Anna Berg", "anna@kreis.example", "Schule"],
        ["", "niemand@kreis.example", "Schule"],
        ["Bernd Keller", "bernd@kreis.example", "Ganztag"],
        ["Carla Dorn", "carla@kreis.example", "Schule, Raumfahrt"],
        ["Dieter Ems", "kein-at-zeichen", ""],
        ["Eva Fink", "eva@kreis.example", ""],
    ]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert [str(notice) for notice in report.errors] == [
        "Line 3: no name.",
        'Line 5: unknown Handlungsfeld "Raumfahrt".',
        'Line 6: "kein-at-zeichen" is not an e-mail address.',
    ]
    assert report.created == 3
    assert {p.name for p in await persons(database)} == {"Anna Berg", "Bernd Keller", "Eva Fink"}


async def test_rows_of_the_wrong_shape_are_reported_and_nothing_of_them_is_stored(
    database: Database,
) -> None:
    """A row with a cell too many (an unquoted separator), one with cells missing, and a name
    with a line break are each reported by line; the well-formed rows import."""
    text = (
        "Name;E-Mail;Funktion\r\n"
        "Anna Berg;anna@kreis.example;Leitung\r\n"
        "Bernd Keller;bernd@kreis.example;Leitung; Sprachen\r\n"
        "Carla Dorn;carla@kreis.example\r\n"
        '"Dieter\nEms";dieter@kreis.example;Beratung\r\n'
        "Eva Fink;eva@kreis.example;Beratung;\r\n"
    )
    report = await import_persons(database, text.encode("utf-8"))
    assert [str(notice) for notice in report.errors] == [
        "Line 3: 4 cells, but the header has 3 columns (a separator inside a value that is not "
        "in quotes?); nothing of this row is imported.",
        "Line 4: only 2 cells, but the header has 3 columns; nothing of this row is imported.",
        'Line 5: a line break inside the one-line value of column 1 ("name"); nothing of this '
        "row is imported.",
    ]
    assert {p.name for p in await persons(database)} == {"Anna Berg", "Eva Fink"}


# As written in a cell or a chat message → as stored (None: refused).
WRITTEN_EMAILS = {
    "anna@kreis.example": "anna@kreis.example",
    "mailto:bernd@kreis.example": "bernd@kreis.example",
    "carla@kreis": None,
    "dora@kreis.e": None,
    "eva@kreis.example.": None,
}


async def test_the_importer_and_the_chat_agree_on_what_an_e_mail_address_is(
    database: Database,
) -> None:
    """One rule in both: the same cells are refused, and mailto: is taken off before storing."""
    rows = [["Name", "E-Mail"], *([f"Person {n}", w] for n, w in enumerate(WRITTEN_EMAILS))]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert [str(notice) for notice in report.errors] == [
        'Line 4: "carla@kreis" is not an e-mail address.',
        'Line 5: "dora@kreis.e" is not an e-mail address.',
        'Line 6: "eva@kreis.example." is not an e-mail address.',
    ]
    assert {p.email for p in await persons(database)} == {
        "anna@kreis.example",
        "bernd@kreis.example",
    }
    harness = Desk(database)
    for written, stored in WRITTEN_EMAILS.items():
        answer = body(await harness.reply(f'!contact new "Someone Else" email={written}'))
        # An accepted address is the imported person's, so the chat finds the duplicate.
        expected = "is not an e-mail address" if stored is None else "is already recorded"
        assert expected in answer, answer


async def test_reimport_finds_duplicates_and_merges_a_new_phone_number(
    database: Database,
) -> None:
    """A second run creates nothing; a phone number added to the file fills the empty field."""
    data = csv_bytes([PERSONS_HEADER, *PERSONS], ";", "cp1252")
    await import_persons(database, data)
    again = await import_persons(database, data)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert again.organisations_created == 0

    with_phone = [row.copy() for row in PERSONS]
    with_phone[1][5] = "05141 5550"  # Jürgen Öztürk had no phone number
    with_phone[0][5] = "05141 99999"  # Maria Schmidt's number differs from the stored one
    merged = await import_persons(
        database, csv_bytes([PERSONS_HEADER, *with_phone], ";", "cp1252")
    )
    assert (merged.created, merged.updated, merged.unchanged) == (0, 1, 2)
    stored = {person.name: person for person in await persons(database)}
    assert stored["Jürgen Öztürk"].phone == "05141 5550"
    assert stored["Maria Schmidt"].phone == "05141 12345"
    assert [notice.line for notice in merged.notes] == [2]
    assert 'kept "05141 12345", the file has "05141 99999"' in merged.notes[0].message
    assert len(await persons(database)) == 3


async def test_same_name_in_the_same_organisation_is_one_person(database: Database) -> None:
    """Without e-mail, name plus organisation identifies a person, also within one file."""
    rows = [
        ["Name", "Organisation", "Telefon"],
        ["Maria Schmidt", "VHS Musterkreis", ""],
        ["maria schmidt", "VHS  Musterkreis", "05141 1"],
        ["Maria Schmidt", "Grundschule Am Bach", ""],
    ]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert (report.created, report.updated) == (2, 1)
    assert report.organisations_created == 2
    assert any("has the same name" in notice.message for notice in report.notes)


async def test_a_large_import_is_searchable_afterwards(database: Database) -> None:
    """Hundreds of rows are written in batches and the search index is rebuilt once."""
    rows = [["Name", "Organisation", "E-Mail", "Handlungsfelder"]] + [
        [f"Person {n:03d}", f"Schule {n % 7}", f"p{n}@kreis.example", "Ganztag"]
        for n in range(1, 351)
    ]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert (report.created, report.organisations_created) == (350, 7)
    async with database.session() as session:
        found = await Store(session).search.search("Person 275", kinds=("person",))
        assert [hit.id for hit in found.hits][:1] == [
            p.id for p in await TransferRepository(session).all_persons() if p.name == "Person 275"
        ]
        entries = await Store(session).audit.latest(limit=1000)
    assert len(entries) == 357


async def test_dry_run_writes_nothing(database: Database) -> None:
    """A dry run reports what would be created and leaves the database untouched."""
    data = csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8")
    report = await import_persons(database, data, dry_run=True)
    assert (report.created, report.organisations_created, report.dry_run) == (3, 3, True)
    assert "nothing was written" in import_summary(report)
    assert await persons(database) == []
    async with database.session() as session:
        store = Store(session)
        assert await store.contacts.counts() == {"persons": 0, "organizations": 0, "offers": 0}
        assert await store.audit.latest() == []


async def test_every_imported_record_gets_one_audit_entry(database: Database) -> None:
    """Created persons and organisations are audited once each, with no personal data."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    async with database.session() as session:
        entries = await Store(session).audit.latest()
    assert len(entries) == 6
    assert {(e.actor, e.action, e.detail) for e in entries} == {("cli:import", "create", "import")}
    assert sorted(e.object_type for e in entries) == ["organization"] * 3 + ["person"] * 3
    assert not any("Schmidt" in e.detail or "@" in e.detail for e in entries)


async def test_organisations_and_offers_import_and_merge(database: Database) -> None:
    """Organisations merge by name in any spelling; offers by title and provider."""
    organisations = [
        ["Name", "Art", "Straße", "PLZ", "Gemeinde", "Website", "Handlungsfelder"],
        ["VHS Musterkreis", "Volkshochschule", "Am Markt 1", "29221", "Celle", "vhs.example",
         "Weiterbildung"],
        ["Kita Sonnenschein", "Kita", "", "", "Celle", "", "frühkindliche Bildung"],
        ["Sternwarte", "Planetarium", "", "", "", "", ""],
    ]  # fmt: skip
    data = csv_bytes(organisations, ";", "utf-8")
    first = await import_file(database, data, "orgs.csv", Kind.ORGANISATIONS, MONDAY)
    assert first.created == 2
    assert [str(e) for e in first.errors] == [
        'Line 4: unknown kind of organisation "Planetarium".'
    ]
    again = [organisations[0], ["vhs musterkreis", "", "", "", "", "https://www.vhs.example/", ""]]
    second = await import_file(
        database, csv_bytes(again, ";", "utf-8"), "orgs.csv", Kind.ORGANISATIONS, MONDAY
    )
    assert (second.created, second.unchanged) == (0, 1)

    offers = [
        ["Titel", "Träger", "Handlungsfelder", "Zielgruppen", "Termine", "Kosten"],
        ["Lesepaten", "VHS Musterkreis", "Sprachbildung", "Kinder, Eltern", "dienstags", ""],
        ["Lesepaten", "Kita Sonnenschein", "Sprachbildung", "Kinder", "", "kostenlos"],
        ["Lesepaten", "VHS Musterkreis", "", "", "", "5 €"],
        ["Robotik-AG", "Neuer Verein e. V.", "Medienbildung", "Astronauten", "", ""],
    ]
    result = await import_file(
        database, csv_bytes(offers, ";", "utf-8"), "angebote.csv", Kind.OFFERS, MONDAY
    )
    assert (result.created, result.updated) == (2, 1)
    assert [str(e) for e in result.errors] == ['Line 5: unknown target group "Astronauten".']
    assert result.organisations_created == 0
    async with database.session() as session:
        stored = await TransferRepository(session).all_offers()
    vhs_offer = next(o for o in stored if o.provider and o.provider.name == "VHS Musterkreis")
    assert vhs_offer.cost == "5 €" and vhs_offer.schedule == "dienstags"
    assert {g.key for g in vhs_offer.target_groups} == {"kinder-0-6", "eltern"}


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


def body(reply: Reply) -> str:
    return "\n".join(plain for plain, _html in split_reply(reply))


async def test_chat_export_uploads_a_vcard_by_default(database: Database) -> None:
    """!contact export answers with the count and a .vcf attachment that parses."""
    await import_persons(database, csv_bytes([PERSONS_HEADER, *PERSONS], ";", "utf-8"))
    reply = await Desk(database).reply("!contact export")
    assert "3 contacts exported as vCard: `contacts-2027-03-08.vcf`" in body(reply)
    assert "personal data" in body(reply)
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
    assert nothing.attachments == [] and "nothing was exported" in body(nothing)
    assert "`!contact export` without a filter" in body(nothing)


async def test_chat_export_is_for_the_team_in_the_team_room_only(database: Database) -> None:
    """Members may not export; the team may not export in a committee room; bad formats."""
    harness = Desk(database)
    member = await harness.reply("!contact export", role=Role.MEMBER, room=RoomKind.DIRECT)
    assert "only for the team" in body(member) and not member.attachments
    committee = await harness.reply("!contact export", room=RoomKind.GROUP)
    assert "not allowed here" in body(committee)
    wrong = await harness.reply("!contact export format=pdf")
    assert "`pdf` is not an export format" in body(wrong)
    empty = await harness.reply("!contact export")
    assert "no contacts yet" in body(empty) and not empty.attachments


# -- the command line --------------------------------------------------------------------------


def write_minimal_config(directory: Path) -> Path:
    path = directory / "config.toml"
    path.write_text(
        "\n".join(
            [
                "[matrix]",
                'homeserver = "https://matrix.stadt.example"',
                'user_id = "@kuemmerer:stadt.example"',
                'password = "geheim"',
                "[bot]",
                'team_room = "#team:stadt.example"',
                "[storage]",
                f'url = "sqlite+aiosqlite:///{directory / "kuemmerer.db"}"',
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_cli_import_prints_the_summary_and_export_writes_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """kuemmerer import reports created/errors with line numbers; export writes and audits."""
    monkeypatch.delenv("KUEMMERER_STORAGE_URL", raising=False)
    config = write_minimal_config(tmp_path)
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
    arguments = ["--config", str(write_minimal_config(tmp_path))]
    assert main(["export", "--kind", "offers", "--format", "vcf", *arguments]) == 2
    assert "vCard files hold persons only" in capsys.readouterr().err
    missing = str(tmp_path / "fehlt.csv")
    assert main(["import", missing, "--kind", "offers", *arguments]) == 2
    assert "Cannot read" in capsys.readouterr().err
    old = tmp_path / "alt.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    assert main(["import", str(old), "--kind", "persons", *arguments]) == 2
    assert "old Excel file" in capsys.readouterr().err


async def test_imported_names_are_found_by_their_visible_spelling(database: Database) -> None:
    """A name with a zero-width space and a decomposed umlaut is stored as it looks."""
    rows = [["Name", "E-Mail"], ["Jana Kru\u0308\u200bger", "jana@kreis.example"]]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert report.errors == []
    assert [p.name for p in await persons(database)] == ["Jana Krüger"]
