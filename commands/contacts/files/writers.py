"""The export writers: records into CSV, Excel, vCard or JSON bytes.

Every writer is pure and thread-safe, so the chat command runs it with ``asyncio.to_thread``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime

import vobject

from commands.contacts.files.columns import COLUMNS, Column, Format, Kind, TransferError
from commands.contacts.files.records import ExportRecord, iso

# Excel runs cells starting with these as formulas (CSV injection); exports defuse them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE_LIKE = re.compile(r"^[+\-]?[\d\s()/\-.]+$")


def _exported_columns(kind: Kind) -> list[Column]:
    return [column for column in COLUMNS[kind] if column.exported]


def _defuse(cell: str) -> str:
    """Keep Excel from running a cell as a formula; phone numbers like +49 … stay as they are."""
    if cell.startswith(FORMULA_START) and not PHONE_LIKE.match(cell):
        return "'" + cell
    return cell


def write_csv(kind: Kind, records: Sequence[ExportRecord], language: str) -> bytes:
    """CSV as German Excel opens it: ``;``-separated, UTF-8 with byte order mark, CRLF."""
    columns = _exported_columns(kind)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(column.header(language) for column in columns)
    for record in records:
        writer.writerow(_defuse(record.cells.get(column.key, "")) for column in columns)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


SHEET_TITLES = {
    Kind.PERSONS: ("Kontakte", "Contacts"),
    Kind.ORGANISATIONS: ("Organisationen", "Organisations"),
    Kind.OFFERS: ("Angebote", "Offers"),
}
MAX_COLUMN_WIDTH = 60


def write_xlsx(kind: Kind, records: Sequence[ExportRecord], language: str) -> bytes:
    """An Excel workbook: bold, frozen header row with filters, columns as wide as their text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = _exported_columns(kind)
    workbook = Workbook()
    sheet = workbook.active
    german, english = SHEET_TITLES[kind]
    sheet.title = german if language == "de" else english
    widths = [len(column.header(language)) for column in columns]
    bold = Font(bold=True)
    for position, column in enumerate(columns, 1):
        sheet.cell(1, position, column.header(language)).font = bold
    for row_number, record in enumerate(records, 2):
        for position, column in enumerate(columns, 1):
            value = record.cells.get(column.key, "")
            if not value:
                continue
            cell = sheet.cell(row_number, position, value)
            # openpyxl stores "=…" as a formula; this is text.
            cell.data_type = "s"
            longest_line = max(len(line) for line in value.splitlines() or [""])
            widths[position - 1] = max(widths[position - 1], longest_line)
    for position, width in enumerate(widths, 1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(records) + 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_json(kind: Kind, records: Sequence[ExportRecord], exported_at: datetime) -> bytes:
    """All fields of every record, for other programs."""
    document = {
        "kind": kind.value,
        "exported_at": iso(exported_at),
        "count": len(records),
        "records": [record.document for record in records],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _split_name(name: str) -> tuple[str, str]:
    """(family name, given names): "Schmidt, Maria" and "Maria Schmidt" alike."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    given, _, family = name.strip().rpartition(" ")
    return family, given


VCARD_NAMESPACE = uuid.UUID("6f1c2a4e-7b0d-4c55-9a43-1d2c8e5f0b17")


def vcard(record: ExportRecord) -> str:
    """One person as a vCard 4.0. Internal notes are left out: a vCard travels.

    vobject knows the rules of vCard 3.0 only. Every property written here is spelled the same
    in 4.0, so the card says ``VERSION:4.0`` and vobject does the escaping and line folding.
    (vobject folds a line only once it has 75 *characters*, so a line with umlauts may run a
    few octets past the 75 that RFC 6350 recommends; every reader unfolds such a line.)
    """
    person = record.document
    family, given = _split_name(person["name"])
    card = vobject.vCard()
    card.add("version").value = "4.0"
    card.add("kind").value = "individual"
    card.add("fn").value = " ".join(part for part in (person["title"], given, family) if part)
    card.add("n").value = vobject.vcard.Name(family=family, given=given, prefix=person["title"])
    for number, membership in enumerate(person["organisations"], 1):
        # vobject writes properties sorted by name, so a group (RFC 6350 3.3) ties each
        # function to its organisation.
        group = f"org{number}"
        card.add("org", group=group).value = [membership["name"]]
        if membership["function"]:
            card.add("title", group=group).value = membership["function"]
    if person["email"]:
        email = card.add("email")
        email.value = person["email"]
        email.params["TYPE"] = ["work"]
    if person["phone"]:
        phone = card.add("tel")
        phone.value = person["phone"]
        # Free text, not a tel: URI: offices write "05141 12345 (Sekretariat)".
        phone.params.update(TYPE=["work", "voice"], VALUE=["text"])
    if person["matrix_id"]:
        card.add("impp").value = f"matrix:u/{person['matrix_id'].removeprefix('@')}"
    if person["fields"]:
        card.add("categories").value = [term["label"] for term in person["fields"]]
    # A stable UID lets address books update a contact on re-import instead of doubling it.
    uid = uuid.uuid5(VCARD_NAMESPACE, f"person:{person['id']}")
    card.add("uid").value = f"urn:uuid:{uid}"
    if person["updated_at"]:
        revised = datetime.fromisoformat(person["updated_at"])
        card.add("rev").value = f"{revised:%Y%m%dT%H%M%SZ}"
    return str(card.serialize())


def write_vcards(records: Sequence[ExportRecord]) -> bytes:
    """All persons as one .vcf file (Thunderbird and Outlook import it)."""
    return "".join(vcard(record) for record in records).encode("utf-8")


def serialise(
    kind: Kind,
    file_format: Format,
    records: Sequence[ExportRecord],
    language: str,
    exported_at: datetime,
) -> bytes:
    """The file's bytes. Pure and thread-safe: run it with ``asyncio.to_thread``."""
    if file_format is Format.CSV:
        return write_csv(kind, records, language)
    if file_format is Format.XLSX:
        return write_xlsx(kind, records, language)
    if file_format is Format.JSON:
        return write_json(kind, records, exported_at)
    if kind is not Kind.PERSONS:
        raise TransferError("vCard files hold persons only; use csv, xlsx or json")
    return write_vcards(records)


FILE_STEMS = {
    Kind.PERSONS: ("kontakte", "contacts"),
    Kind.ORGANISATIONS: ("organisationen", "organisations"),
    Kind.OFFERS: ("angebote", "offers"),
}


def export_filename(kind: Kind, file_format: Format, language: str, day: date) -> str:
    """``kontakte-2027-03-08.vcf``."""
    german, english = FILE_STEMS[kind]
    return f"{german if language == 'de' else english}-{day.isoformat()}.{file_format.value}"
