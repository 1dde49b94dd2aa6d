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

from commands.files.columns import COLUMNS, Column, Format, Kind, TransferError
from commands.files.records import ExportRecord, iso

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


def _vcard_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("\n", "\\n")
        .replace("\r", "")
        .replace(",", "\\,")
        .replace(";", "\\;")
    )


def _fold_vcard_line(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 6350 3.2), never inside a character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    # An escape such as "\," stays on one line: some address books misread it when split.
    for unit in re.findall(r"\\.|.", line, flags=re.DOTALL):
        if len((current + unit).encode("utf-8")) > limit:
            parts.append(current)
            current = ""
            limit = 74  # continuation lines start with a space
        current += unit
    parts.append(current)
    return "\r\n ".join(parts)


def _split_name(name: str) -> tuple[str, str]:
    """(family name, given names): "Schmidt, Maria" and "Maria Schmidt" alike."""
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    given, _, family = name.strip().rpartition(" ")
    return family, given


VCARD_NAMESPACE = uuid.UUID("6f1c2a4e-7b0d-4c55-9a43-1d2c8e5f0b17")


def vcard(record: ExportRecord) -> str:
    """One person as a vCard 4.0. Internal notes are left out: a vCard travels."""
    person = record.document
    family, given = _split_name(person["name"])
    display = " ".join(part for part in (person["title"], given, family) if part)
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        f"FN:{_vcard_escape(display)}",
        f"N:{_vcard_escape(family)};{_vcard_escape(given)};;{_vcard_escape(person['title'])};",
    ]
    for membership in person["organisations"]:
        lines.append(f"ORG:{_vcard_escape(membership['name'])}")
        if membership["function"]:
            lines.append(f"TITLE:{_vcard_escape(membership['function'])}")
    if person["email"]:
        lines.append(f"EMAIL;TYPE=work:{_vcard_escape(person['email'])}")
    if person["phone"]:
        lines.append(f"TEL;TYPE=work,voice;VALUE=text:{_vcard_escape(person['phone'])}")
    if person["matrix_id"]:
        lines.append(f"IMPP:matrix:u/{person['matrix_id'].removeprefix('@')}")
    if person["fields"]:
        categories = ",".join(_vcard_escape(term["label"]) for term in person["fields"])
        lines.append(f"CATEGORIES:{categories}")
    # A stable UID lets address books update a contact on re-import instead of doubling it.
    uid = uuid.uuid5(VCARD_NAMESPACE, f"person:{person['id']}")
    lines.append(f"UID:urn:uuid:{uid}")
    if person["updated_at"]:
        revised = datetime.fromisoformat(person["updated_at"])
        lines.append(f"REV:{revised:%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(_fold_vcard_line(line) + "\r\n" for line in lines)


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
