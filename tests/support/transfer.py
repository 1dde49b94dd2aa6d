"""Contact files for the import and export tests: three persons as a table, written as CSV or
Excel, and their import on the desk's Monday."""

from __future__ import annotations

import csv
import io

import openpyxl

from commands.contacts.files.columns import Kind
from commands.contacts.files.importer import ImportReport, import_file
from storage.database import Database
from storage.models import Person
from storage.transfer import TransferRepository
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
    """``rows`` as a CSV file with ``delimiter``, encoded in ``encoding``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    """``rows`` as an Excel workbook of one sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def persons(database: Database) -> list[Person]:
    """Every person stored, with what an export reads of them."""
    async with database.session() as session:
        return await TransferRepository(session).all_persons()


async def import_persons(
    database: Database, data: bytes, filename: str = "kontakte.csv", dry_run: bool = False
) -> ImportReport:
    """Import ``data`` as persons on the desk's Monday (only checked if ``dry_run``)."""
    return await import_file(database, data, filename, Kind.PERSONS, MONDAY, dry_run=dry_run)
