"""Import of the contact network: reading CSV and XLSX files, and importing persons,
organisations and offers from them, on a migrated SQLite. The export is in
``tests/test_transfer_export.py``."""

from __future__ import annotations

import pytest

from bot.transfer_cli import import_summary
from commands.contacts.files.columns import Kind, TransferError
from commands.contacts.files.decoding import decode_text, read_table, sniff_delimiter
from commands.contacts.files.importer import import_file
from storage.database import Database
from storage.repositories import Store
from storage.transfer import TransferRepository
from tests.support.desk import Desk
from tests.support.names import MONDAY
from tests.support.transfer import (
    PERSONS,
    PERSONS_HEADER,
    csv_bytes,
    import_persons,
    persons,
    xlsx_bytes,
)

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
        answer = Desk.text(await harness.reply(f'!contact new "Someone Else" email={written}'))
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


async def test_imported_names_are_found_by_their_visible_spelling(database: Database) -> None:
    """A name with a zero-width space and a decomposed umlaut is stored as it looks."""
    rows = [["Name", "E-Mail"], ["Jana Kru\u0308\u200bger", "jana@kreis.example"]]
    report = await import_persons(database, csv_bytes(rows, ";", "utf-8"))
    assert report.errors == []
    assert [p.name for p in await persons(database)] == ["Jana Krüger"]
