"""Reading an import file: CSV or XLSX bytes into rows keyed by column.

CSV files come with ``;``, ``,`` or tab, in UTF-8 (with or without byte order mark), UTF-16 or
Windows-1252; the header row may name the columns in German or English. Everything here is a
pure function on bytes, so a caller may run it in a worker thread.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from commands.contacts.files.columns import COLUMNS, Kind, TransferError, header_key
from commands.framework.parsing import normalise_text


@dataclass(frozen=True)
class RawRow:
    """The cells of one row and the line (CSV) or row number (XLSX) it starts on."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class SourceRow:
    """One data row, its cells keyed by column key; empty cells are left out."""

    line: int
    values: dict[str, str]
    # Why the row's shape is wrong (too many or too few cells, a line break in a one-line
    # field); such a row is reported by its line and nothing of it is stored.
    problem: str | None = None

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Table:
    """A file read into rows of known columns."""

    kind: Kind
    headers: dict[str, str]  # column key → the header as the file wrote it
    rows: list[SourceRow]
    ignored: list[str] = field(default_factory=list)  # headers that matched no column
    description: str = ""  # how the file was read, e.g. 'CSV, Windows-1252, separator ";"'


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of the encoding it was written in."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 reads everything.
        return data.decode("latin-1"), "ISO-8859-1"


# The separators an import file may use, and how much of it the sniffer reads: enough lines to
# see that a separator splits every row alike, not so many that a large file is read twice.
DELIMITERS = ";,\t"
SNIFF_SAMPLE_CHARACTERS = 64 * 1024


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: the one :class:`csv.Sniffer` finds splitting the rows alike, if it
    also splits the header line; otherwise whichever splits the header most often (``;`` on
    a tie)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    sample = text[:SNIFF_SAMPLE_CHARACTERS]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut-off last row would look inconsistent
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None  # no separator splits the rows alike (one column, ragged rows)
    # A separator the header does not contain would split values, never columns.
    if sniffed is not None and sniffed in header:
        return sniffed
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[";"] else ";"


def read_csv_rows(text: str, delimiter: str) -> list[RawRow]:
    """The rows of a CSV text with the line each starts on (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[RawRow] = []
    previous_end = 0
    for cells in reader:
        rows.append(RawRow(previous_end + 1, tuple(_clean(cell) for cell in cells)))
        previous_end = reader.line_num
    return rows


def read_xlsx_rows(data: bytes) -> list[RawRow]:
    """The rows of the first sheet of an Excel workbook, numbered as Excel shows them."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise TransferError(f"the Excel file cannot be read ({error})") from error
    try:
        sheet = workbook.worksheets[0]
        return [
            RawRow(number, tuple(_clean(_cell_text(value)) for value in values))
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)
        ]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _clean(cell: str) -> str:
    # The same normal form as chat input, so an imported name is found by its visible spelling.
    cell = normalise_text(cell).replace("\u00a0", " ").strip()
    # Our own exports defuse formulas with a leading apostrophe; take it off again.
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def read_table(data: bytes, filename: str, kind: Kind) -> Table:
    """Read a CSV or XLSX file of ``kind``; raises :class:`TransferError` if it cannot."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TransferError(
            "this is an old Excel file (.xls); save it as .xlsx or as CSV and import that"
        )
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        raw_rows = read_xlsx_rows(data)
        description = "Excel workbook, first sheet"
    else:
        text, encoding = decode_text(data)
        delimiter = sniff_delimiter(text)
        raw_rows = read_csv_rows(text, delimiter)
        shown = "tab" if delimiter == "\t" else f'"{delimiter}"'
        description = f"CSV, {encoding}, separator {shown}"
    return table_from_rows(raw_rows, kind, description)


def table_from_rows(raw_rows: Sequence[RawRow], kind: Kind, description: str = "") -> Table:
    """Find the header row, map its headers to columns and key every data row by column."""
    rows = [row for row in raw_rows if any(row.cells)]
    if not rows:
        raise TransferError("the file is empty")
    header_row, data_rows = rows[0], rows[1:]
    columns = COLUMNS[kind]
    spellings = {column.key: column.spellings() for column in columns}
    by_position: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for position, header in enumerate(header_row.cells):
        if not header:
            continue
        wanted = header_key(header)
        key = next((key for key, spelled in spellings.items() if wanted in spelled), None)
        if key is None or key in headers:
            ignored.append(header)
            continue
        by_position[position] = key
        headers[key] = header
    required = "title" if kind is Kind.OFFERS else "name"
    if required not in headers and not (
        kind is Kind.PERSONS and {"first_name", "last_name"} & set(headers)
    ):
        wanted_header = next(c for c in columns if c.key == required).german
        found = ", ".join(f'"{h}"' for h in header_row.cells if h) or "none"
        raise TransferError(
            f'line {header_row.line} has no column "{wanted_header}" '
            f"(the first non-empty line must name the columns; found: {found})"
        )
    width = len(header_row.cells)
    table_rows = [
        SourceRow(
            row.line,
            {
                by_position[position]: cell
                for position, cell in enumerate(row.cells)
                if cell and position in by_position
            },
            _shape_problem(row, width, by_position),
        )
        for row in data_rows
    ]
    return Table(kind, headers, table_rows, ignored, description)


# Columns whose text may run over several lines; every other value is one line.
MULTILINE_COLUMNS = frozenset({"notes", "description"})


def _shape_problem(row: RawRow, width: int, by_position: dict[int, str]) -> str | None:
    """What is wrong with the shape of ``row`` under a header of ``width`` cells, if anything.

    A row with more filled cells than the header has columns most often holds a separator
    inside a value that was not quoted; one with fewer cells lost some. Either way the
    values would land in the wrong columns, so the row is refused rather than guessed.
    """
    filled = len(row.cells)
    while filled and not row.cells[filled - 1]:
        filled -= 1  # empty cells at the end are only padding (Excel writes them)
    if filled > width:
        return (
            f"{filled} cells, but the header has {width} columns "
            "(a separator inside a value that is not in quotes?)"
        )
    if len(row.cells) < width and filled == len(row.cells):
        return f"only {len(row.cells)} cells, but the header has {width} columns"
    for position, cell in enumerate(row.cells):
        key = by_position.get(position)
        if key is not None and key not in MULTILINE_COLUMNS and "\n" in cell:
            return f'a line break inside the one-line value of column {position + 1} ("{key}")'
    return None
