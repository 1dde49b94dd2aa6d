"""Import and export of the contact network: file formats, the importer and the CLI glue.

Readers and writers are pure functions on bytes, so the chat command can run them in a worker
thread. The importer reads what is stored once, matches every row against it in memory
(duplicates are merged or reported, never doubled) and writes new records in batches.

Offices keep their lists in Excel, so CSV files come with ``;`` or ``,``, in UTF-8 (with or
without byte order mark) or Windows-1252, and with German or English column names in any case
and spelling.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from commands.clock import Clock, SystemClock
from commands.converters import MATRIX_ID
from storage.database import Database
from storage.models import Offer, Organization, Person, VocabularyTerm
from storage.repositories import AuditRepository
from storage.transfer import AuditLine, TransferRepository
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP, VocabularyRepository, fold_text

if TYPE_CHECKING:
    from bot.config import Config

IMPORT_ACTOR = "cli:import"
# Rows per transaction: short enough that a running bot never waits long for the database.
IMPORT_CHUNK = 1000
EXPORT_ACTOR = "cli:export"
EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
# Several organisations of one person share a cell: "VHS Musterkreis | Stadt Musterstadt".
MULTI_SEPARATOR = "|"
# Excel runs cells starting with these as formulas (CSV injection); exports defuse them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE_LIKE = re.compile(r"^[+\-]?[\d\s()/\-.]+$")


class TransferError(Exception):
    """The file as a whole cannot be read or written; the message says why."""


class Kind(StrEnum):
    """What a file holds."""

    PERSONS = "persons"
    ORGANISATIONS = "organisations"
    OFFERS = "offers"

    @property
    def object_type(self) -> str:
        """The object type in the audit log and the search index."""
        return {"persons": "person", "organisations": "organization", "offers": "offer"}[self]


class Format(StrEnum):
    """Export file formats."""

    CSV = "csv"
    XLSX = "xlsx"
    VCF = "vcf"
    JSON = "json"

    @property
    def mimetype(self) -> str:
        return {
            "csv": "text/csv",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "vcf": "text/vcard",
            "json": "application/json",
        }[self]


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a file: its key, its German and English header and other spellings."""

    key: str
    german: str
    english: str
    aliases: tuple[str, ...] = ()
    exported: bool = True

    def header(self, language: str) -> str:
        return self.german if language == "de" else self.english


def header_key(header: str) -> str:
    """``"E-Mail"``, ``"e_mail"`` and ``"EMAIL "`` all become ``"email"``."""
    return re.sub(r"[^a-z0-9]", "", fold_text(header))


_EMAIL = Column("email", "E-Mail", "E-mail", ("mail", "e-mail-adresse", "email address"))
_PHONE = Column("phone", "Telefon", "Phone", ("tel", "telefonnummer", "telephone", "phone number"))
_FIELDS = Column(
    "fields", "Handlungsfelder", "Fields", ("handlungsfeld", "felder", "feld", "field")
)
_GEMEINDE = Column("gemeinde", "Gemeinde", "Municipality", ("kommune", "stadt", "town", "city"))
_SOURCE = Column("source", "Quelle", "Source", ("herkunft",))
_NOTES = Column(
    "notes",
    "Notiz",
    "Notes",
    ("notizen", "bemerkung", "bemerkungen", "anmerkung", "kommentar", "note", "comment"),
)

PERSON_COLUMNS = (
    Column("title", "Titel", "Title", ("akademischer grad",)),
    Column("name", "Name", "Name", ("vollstaendiger name", "full name", "ansprechperson")),
    Column(
        "organization",
        "Organisation",
        "Organisation",
        ("organization", "einrichtung", "traeger", "institution", "company", "firma", "provider"),
    ),
    Column("function", "Funktion", "Function", ("rolle", "role", "position", "job title")),
    _EMAIL,
    _PHONE,
    _FIELDS,
    Column("gemeinde", "Gemeinde", "Municipality", ("kommune", "stadt", "ort", "town", "city")),
    Column("matrix_id", "Matrix", "Matrix", ("matrix-id", "mxid")),
    _SOURCE,
    _NOTES,
    Column("first_name", "Vorname", "First name", ("given name",), exported=False),
    Column("last_name", "Nachname", "Last name", ("familienname", "surname"), exported=False),
)
ORGANISATION_COLUMNS = (
    Column(
        "name",
        "Name",
        "Name",
        ("organisation", "organization", "einrichtung", "traeger", "institution"),
    ),
    Column("kind", "Art", "Kind", ("typ", "type", "organisationsart")),
    Column("street", "Straße", "Street", ("adresse", "anschrift", "address")),
    Column("postcode", "PLZ", "Postcode", ("postleitzahl", "zip", "zip code", "postal code")),
    Column("gemeinde", "Gemeinde", "Municipality", ("ort", "kommune", "stadt", "town", "city")),
    Column("website", "Website", "Website", ("webseite", "homepage", "internet", "url", "web")),
    _EMAIL,
    _PHONE,
    _FIELDS,
    _SOURCE,
    _NOTES,
)
OFFER_COLUMNS = (
    Column("title", "Titel", "Title", ("angebot", "name", "bezeichnung", "offer")),
    Column(
        "provider",
        "Träger",
        "Provider",
        ("anbieter", "organisation", "organization", "einrichtung", "veranstalter"),
    ),
    _FIELDS,
    Column("target_groups", "Zielgruppen", "Target groups", ("zielgruppe", "target group")),
    Column("place", "Ort", "Place", ("veranstaltungsort", "location", "venue")),
    _GEMEINDE,
    Column(
        "schedule",
        "Zeitraum",
        "Schedule",
        ("termine", "termin", "zeit", "dates", "period", "zeitraum termine"),
    ),
    Column("cost", "Kosten", "Cost", ("preis", "gebuehr", "costs", "price", "fee")),
    Column("link", "Link", "Link", ("url", "website", "webseite", "homepage", "internet")),
    Column("description", "Beschreibung", "Description", ("details", "kurzbeschreibung")),
    _SOURCE,
)
COLUMNS: dict[Kind, tuple[Column, ...]] = {
    Kind.PERSONS: PERSON_COLUMNS,
    Kind.ORGANISATIONS: ORGANISATION_COLUMNS,
    Kind.OFFERS: OFFER_COLUMNS,
}


def _spellings(column: Column) -> set[str]:
    return {header_key(s) for s in (column.key, column.german, column.english, *column.aliases)}


# --------------------------------------------------------------------------- reading files


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


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab, whichever splits the header line most often (``;`` on a tie)."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
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
    cell = cell.replace("\u00a0", " ").strip()
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
    spellings = {column.key: _spellings(column) for column in columns}
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
    table_rows = [
        SourceRow(
            row.line,
            {
                by_position[position]: cell
                for position, cell in enumerate(row.cells)
                if cell and position in by_position
            },
        )
        for row in data_rows
    ]
    return Table(kind, headers, table_rows, ignored, description)


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class Notice:
    """Something about one line of the file: an error, or a note about a merge."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    kind: Kind
    filename: str
    description: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organisations_created: int = 0
    errors: list[Notice] = field(default_factory=list)
    notes: list[Notice] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """The report as the terminal shows it."""
        what = {Kind.PERSONS: "persons", Kind.ORGANISATIONS: "organisations"}.get(
            self.kind, "offers"
        )
        lines = [
            f"Import of {what} from {self.filename}"
            + (f" ({self.description})" if self.description else "")
            + f": {self.rows} rows"
            + (" – DRY RUN" if self.dry_run else ""),
            f"  created:    {self.created}",
            f"  updated:    {self.updated}",
            f"  unchanged:  {self.unchanged}",
            f"  errors:     {len(self.errors)}",
        ]
        if self.organisations_created:
            lines.append(f"  organisations created for them: {self.organisations_created}")
        if self.ignored_columns:
            ignored = ", ".join(f'"{header}"' for header in self.ignored_columns)
            lines.append(f"Ignored columns (not known): {ignored}")
        if self.errors:
            lines.append("Rows not imported:")
            lines.extend(f"  {notice}" for notice in self.errors)
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {notice}" for notice in self.notes)
        if self.dry_run:
            lines.append("Dry run: nothing was written. Run again without --dry-run to import.")
        return "\n".join(lines)


Record = Person | Organization | Offer


@dataclass
class _Change:
    action: str  # create | update
    object_type: str
    fields: set[str] = field(default_factory=set)
    line: int = 0


class RowRefused(Exception):
    """A row that cannot be imported; the problems say why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class TermMatcher:
    """Matches vocabulary spellings in memory (a lookup per row would cost a query per row)."""

    def __init__(self, terms: Iterable[VocabularyTerm]) -> None:
        self.terms = list(terms)
        self.by_spelling: dict[str, VocabularyTerm] = {}
        for term in self.terms:
            for spelling in (term.key, term.label_de, term.label_en, *term.aliases):
                self.by_spelling.setdefault(fold_text(spelling), term)

    def match_list(self, text: str) -> tuple[list[VocabularyTerm], list[str]]:
        """Terms for a list separated by commas, semicolons or line breaks, and the rest."""
        found: list[VocabularyTerm] = []
        unknown: list[str] = []
        for part in (piece.strip() for piece in re.split(r"[,;\n]", text)):
            if not part:
                continue
            term = self.by_spelling.get(fold_text(part))
            if term is None:
                unknown.append(part)
            elif term not in found:
                found.append(term)
        return found, unknown


def _max_length(model: type[Record], attribute: str) -> int | None:
    length = getattr(model.__table__.c[attribute].type, "length", None)
    return length if isinstance(length, int) else None


def _same(attribute: str, old: str, new: str) -> bool:
    """Whether two spellings of a value mean the same, so a merge need not report them."""
    if attribute == "email":
        return old.strip().lower() == new.strip().lower()
    if attribute == "phone":
        return re.sub(r"\D", "", old) == re.sub(r"\D", "", new)
    if attribute in ("website", "link"):
        return _plain_url(old) == _plain_url(new)
    return fold_text(old) == fold_text(new)


def _plain_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def _split_multi(text: str) -> list[str]:
    return [part.strip() for part in text.split(MULTI_SEPARATOR)] if text else []


class Importer:
    """Imports the rows of one table into the session.

    Everything the database holds is read once; rows are matched in memory, and new records
    are staged and written in batches.
    """

    def __init__(
        self,
        session: AsyncSession,
        table: Table,
        at: datetime,
        filename: str,
        *,
        actor: str = IMPORT_ACTOR,
        dry_run: bool = False,
    ) -> None:
        self.session = session
        self.repository = TransferRepository(session)
        self.table = table
        self.at = at
        self.filename = filename
        self.actor = actor
        self.dry_run = dry_run
        self.report = ImportReport(
            table.kind,
            filename,
            table.description,
            ignored_columns=list(table.ignored),
            dry_run=dry_run,
        )
        self.changes: dict[Record, _Change] = {}
        self.audited: set[Record] = set()
        self.organisations: dict[str, Organization] = {}
        self.persons_by_email: dict[str, Person] = {}
        self.persons_by_name: dict[str, list[Person]] = {}
        self.persons_by_name_and_org: dict[tuple[str, Organization], Person] = {}
        self.offers: dict[tuple[str, Organization | None], Offer] = {}
        self.fields = TermMatcher(())
        self.target_groups = TermMatcher(())
        self.org_kinds = TermMatcher(())

    async def run(
        self, progress: Callable[[int], None] | None = None, commit_every: int | None = None
    ) -> ImportReport:
        """Import every row, write and index what changed; returns the report.

        With ``commit_every``, the session is committed after so many rows. On SQLite one
        long write transaction would lock a running bot out for longer than its busy
        timeout; an import broken off half-way is simply run again, as duplicates merge.
        """
        await self._load()
        for number, row in enumerate(self.table.rows, 1):
            self.report.rows += 1
            try:
                if self.table.kind is Kind.PERSONS:
                    self._person_row(row)
                elif self.table.kind is Kind.ORGANISATIONS:
                    self._organisation_row(row)
                else:
                    self._offer_row(row)
            except RowRefused as refused:
                self.report.errors.append(Notice(row.line, "; ".join(refused.problems) + "."))
            if progress is not None:
                progress(1)
            if commit_every and number % commit_every == 0 and not self.dry_run:
                await self._write()
                await self.session.commit()
        await self._write()
        await self._reindex()
        return self.report

    # ----------------------------------------------------------------- loading

    async def _load(self) -> None:
        vocabulary = VocabularyRepository(self.session)
        self.fields = TermMatcher(await vocabulary.terms(FIELD))
        self.target_groups = TermMatcher(await vocabulary.terms(TARGET_GROUP))
        self.org_kinds = TermMatcher(await vocabulary.terms(ORG_KIND))
        for organization in await self.repository.all_organizations():
            self.organisations.setdefault(organization.name_key, organization)
        if self.table.kind is Kind.PERSONS:
            for person in await self.repository.all_persons():
                self._remember_person(person)
        if self.table.kind is Kind.OFFERS:
            for offer in await self.repository.all_offers():
                self.offers.setdefault((fold_text(offer.title), offer.provider), offer)

    def _remember_person(self, person: Person) -> None:
        if person.email:
            self.persons_by_email.setdefault(person.email.strip().lower(), person)
        same_name = self.persons_by_name.setdefault(person.name_key, [])
        if person not in same_name:
            same_name.append(person)
        for membership in person.memberships:
            if membership.organization is not None:
                key = (person.name_key, membership.organization)
                self.persons_by_name_and_org.setdefault(key, person)

    # ----------------------------------------------------------------- bookkeeping

    def _created(self, record: Record, line: int) -> None:
        self.changes[record] = _Change("create", self._object_type(record), line=line)

    def _updated(self, record: Record, changed: set[str]) -> None:
        change = self.changes.setdefault(record, _Change("update", self._object_type(record)))
        change.fields |= changed

    @staticmethod
    def _object_type(record: Record) -> str:
        if isinstance(record, Person):
            return "person"
        return "organization" if isinstance(record, Organization) else "offer"

    def _outcome(self, changed: set[str]) -> None:
        if changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1

    def _note(self, line: int, message: str) -> None:
        self.report.notes.append(Notice(line, message))

    def _label(self, record: Record) -> str:
        name = record.title if isinstance(record, Offer) else record.name
        change = self.changes.get(record)
        if change is not None and change.action == "create":
            return f'"{name}" (line {change.line})'
        return f'#{record.id} "{name}"'

    def _source(self, row: SourceRow) -> str:
        quelle = row.get("source")
        source = f"{self.filename}: {quelle}" if quelle else self.filename
        return source[:255]

    def _check_lengths(
        self, model: type[Record], row: SourceRow, attributes: Iterable[str]
    ) -> list[str]:
        problems = []
        for attribute in attributes:
            limit = _max_length(model, attribute)
            if limit is not None and len(row.get(attribute)) > limit:
                header = self.table.headers.get(attribute, attribute)
                problems.append(f'"{header}" is longer than {limit} characters')
        return problems

    def _check_email(self, row: SourceRow) -> list[str]:
        email = row.get("email")
        if email and not EMAIL.match(email.removeprefix("mailto:")):
            return [f'"{email}" is not an e-mail address']
        return []

    def _terms(
        self, matcher: TermMatcher, row: SourceRow, key: str, what: str
    ) -> tuple[list[VocabularyTerm], list[str]]:
        terms, unknown = matcher.match_list(row.get(key))
        problems = [f'unknown {what} "{part}"' for part in unknown]
        return terms, problems

    def _organisation_named(self, name: str, line: int) -> Organization:
        """The organisation of that name, created (and counted) when there is none yet."""
        key = fold_text(name)
        organization = self.organisations.get(key)
        if organization is None:
            organization = self.repository.new_organization(
                self.at, name, source=self.filename[:255]
            )
            self.organisations[key] = organization
            self._created(organization, line)
            self.report.organisations_created += 1
        return organization

    def _merge(
        self,
        record: Record,
        attribute: str,
        value: str,
        line: int,
        changed: set[str],
        target: object = None,
    ) -> None:
        """Fill an empty attribute of ``target`` (default: ``record``); report a differing one.

        A differing value is kept: which one is right is for a person to decide."""
        if not value:
            return
        target = record if target is None else target
        old = getattr(target, attribute) or ""
        if not old:
            setattr(target, attribute, value)
            changed.add(attribute)
        elif not _same(attribute, old, value):
            header = self.table.headers.get(attribute, attribute)
            self._note(
                line,
                f'{self._label(record)}: {header} differs – kept "{old}", the file has "{value}"',
            )

    def _merge_terms(self, current: list[VocabularyTerm], terms: list[VocabularyTerm]) -> bool:
        missing = [term for term in terms if term not in current]
        current.extend(missing)
        return bool(missing)

    # ----------------------------------------------------------------- persons

    def _person_row(self, row: SourceRow) -> None:
        name = row.get("name") or " ".join(
            part for part in (row.get("first_name"), row.get("last_name")) if part
        )
        problems = [] if name else ["no name"]
        if len(name) > (_max_length(Person, "name") or 255):
            problems.append("the name is too long")
        problems += self._check_email(row)
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        problems += unknown_fields
        matrix_id = row.get("matrix_id")
        if matrix_id and not MATRIX_ID.match(matrix_id):
            problems.append(f'"{matrix_id}" is not a Matrix id such as @anna:example.org')
        problems += self._check_lengths(
            Person, row, ("title", "phone", "gemeinde", "email", "matrix_id")
        )
        organisation_names = _split_multi(row.get("organization"))
        functions = _split_multi(row.get("function"))
        pairs = [
            (org, functions[i] if i < len(functions) else "")
            for i, org in enumerate(organisation_names)
            if org
        ]
        if any(len(org) > 255 or len(function) > 255 for org, function in pairs):
            problems.append("an organisation or function is longer than 255 characters")
        if problems:
            raise RowRefused(problems)
        if functions and not pairs:
            self._note(row.line, f'"{row.get("function")}" was not imported: no organisation')
        email = row.get("email").removeprefix("mailto:")
        memberships: list[tuple[Organization, str]] = []
        for org_name, function in pairs:
            organization = self._organisation_named(org_name, row.line)
            if all(organization is not known for known, _ in memberships):
                memberships.append((organization, function))
        existing = self._find_person(row, fold_text(name), email, [o for o, _ in memberships])
        if existing is None:
            self._create_person(row, name, email, fields, memberships)
            return
        changed: set[str] = set()
        if not _same("name", existing.name, name):
            self._note(row.line, f'{self._label(existing)} is called "{name}" in the file')
        for attribute in ("title", "phone", "gemeinde", "notes", "matrix_id"):
            self._merge(existing, attribute, row.get(attribute), row.line, changed)
        self._merge(existing, "email", email, row.line, changed)
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        for organization, function in memberships:
            current = next(
                (m for m in existing.memberships if m.organization is organization), None
            )
            if current is None:
                self.repository.new_membership(existing, organization, function)
                changed.add("organization")
            else:
                self._merge(existing, "function", function, row.line, changed, current)
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
            self._remember_person(existing)
        self._outcome(changed)

    def _find_person(
        self, row: SourceRow, name_key: str, email: str, organisations: list[Organization]
    ) -> Person | None:
        """The stored person this row describes, or None for a new one."""
        if email and (found := self.persons_by_email.get(email.lower())) is not None:
            return found
        for organization in organisations:
            if (found := self.persons_by_name_and_org.get((name_key, organization))) is not None:
                return found
        same_name = self.persons_by_name.get(name_key, [])
        if not same_name:
            return None
        if not email and not organisations:
            # Nothing but the name to go by: the same name is the same person, if unique.
            if len(same_name) == 1:
                return same_name[0]
            labels = ", ".join(self._label(p) for p in same_name)
            raise RowRefused(
                [f"several persons have this name ({labels}); add an e-mail or organisation"]
            )
        labels = ", ".join(self._label(p) for p in same_name)
        self._note(row.line, f"created as a new person although {labels} has the same name")
        return None

    def _create_person(
        self,
        row: SourceRow,
        name: str,
        email: str,
        fields: list[VocabularyTerm],
        memberships: list[tuple[Organization, str]],
    ) -> None:
        person = self.repository.new_person(
            self.at,
            name,
            fields,
            title=row.get("title"),
            email=email,
            phone=row.get("phone"),
            gemeinde=row.get("gemeinde"),
            notes=row.get("notes"),
            matrix_id=row.get("matrix_id"),
            source=self._source(row),
        )
        for organization, function in memberships:
            self.repository.new_membership(person, organization, function)
        self._created(person, row.line)
        self._remember_person(person)
        self.report.created += 1

    # ----------------------------------------------------------------- organisations

    def _organisation_row(self, row: SourceRow) -> None:
        name = row.get("name")
        problems = [] if name else ["no name"]
        problems += self._check_email(row)
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        kinds, unknown_kinds = self._terms(self.org_kinds, row, "kind", "kind of organisation")
        problems += unknown_fields + unknown_kinds
        if len(kinds) > 1:
            problems.append("give only one kind of organisation")
        problems += self._check_lengths(
            Organization,
            row,
            ("name", "street", "postcode", "gemeinde", "website", "email", "phone"),
        )
        if problems:
            raise RowRefused(problems)
        kind = kinds[0] if kinds else None
        values = {
            attribute: row.get(attribute)
            for attribute in ("street", "postcode", "gemeinde", "website", "phone", "notes")
        }
        values["email"] = row.get("email").removeprefix("mailto:")
        existing = self.organisations.get(fold_text(name))
        if existing is None:
            organization = self.repository.new_organization(
                self.at, name, kind, fields, source=self._source(row), **values
            )
            self.organisations[fold_text(name)] = organization
            self._created(organization, row.line)
            self.report.created += 1
            return
        changed: set[str] = set()
        for attribute, value in values.items():
            self._merge(existing, attribute, value, row.line, changed)
        if kind is not None:
            if existing.kind is None:
                existing.kind = kind
                changed.add("kind")
            elif existing.kind is not kind:
                header = self.table.headers.get("kind", "kind")
                self._note(
                    row.line,
                    f'{self._label(existing)}: {header} differs – kept "{existing.kind.label_de}"'
                    f', the file has "{row.get("kind")}"',
                )
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
        self._outcome(changed)

    # ----------------------------------------------------------------- offers

    def _offer_row(self, row: SourceRow) -> None:
        title = row.get("title")
        problems = [] if title else ["no title"]
        fields, unknown_fields = self._terms(self.fields, row, "fields", "Handlungsfeld")
        groups, unknown_groups = self._terms(
            self.target_groups, row, "target_groups", "target group"
        )
        problems += unknown_fields + unknown_groups
        problems += self._check_lengths(
            Offer, row, ("title", "place", "gemeinde", "schedule", "cost", "link")
        )
        if len(row.get("provider")) > 255:
            problems.append("the provider's name is longer than 255 characters")
        if problems:
            raise RowRefused(problems)
        provider_name = row.get("provider")
        provider = self._organisation_named(provider_name, row.line) if provider_name else None
        values = {
            attribute: row.get(attribute)
            for attribute in ("place", "gemeinde", "schedule", "cost", "link", "description")
        }
        key = (fold_text(title), provider)
        existing = self.offers.get(key)
        if existing is None:
            offer = self.repository.new_offer(
                self.at, title, provider, fields, groups, source=self._source(row), **values
            )
            self.offers[key] = offer
            self._created(offer, row.line)
            self.report.created += 1
            return
        changed: set[str] = set()
        for attribute, value in values.items():
            self._merge(existing, attribute, value, row.line, changed)
        if self._merge_terms(existing.fields, fields):
            changed.add("fields")
        if self._merge_terms(existing.target_groups, groups):
            changed.add("target_groups")
        if changed:
            existing.updated_at = self.at
            self._updated(existing, changed)
        self._outcome(changed)

    # ----------------------------------------------------------------- writing

    async def _write(self) -> None:
        """Write what is staged, with an audit entry for each record not yet audited."""
        if self.dry_run:
            return
        audit = [
            AuditLine(
                change.action,
                change.object_type,
                record,
                "import"
                if change.action == "create"
                else "import: " + ", ".join(sorted(change.fields)),
            )
            for record, change in self.changes.items()
            if record not in self.audited
        ]
        await self.repository.write(self.at, self.actor, audit)
        self.audited.update(line.record for line in audit)

    async def _reindex(self) -> None:
        if self.dry_run:
            return
        await self.repository.reindex(
            [r for r in self.changes if isinstance(r, Person)],
            [r for r in self.changes if isinstance(r, Organization)],
            [r for r in self.changes if isinstance(r, Offer)],
        )


async def import_file(
    database: Database,
    data: bytes,
    filename: str,
    kind: Kind,
    at: datetime,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    on_table: Callable[[Table], None] | None = None,
) -> ImportReport:
    """Read ``data`` and import it, committing every ``IMPORT_CHUNK`` rows.

    A dry run stages everything in memory, writes nothing and rolls back.
    """
    table = read_table(data, filename, kind)
    if on_table is not None:
        on_table(table)
    async with database.session() as session:
        importer = Importer(session, table, at, filename, dry_run=dry_run)
        report = await importer.run(progress, commit_every=IMPORT_CHUNK)
        if dry_run:
            await session.rollback()
    return report


# --------------------------------------------------------------------------- exporting


@dataclass(frozen=True)
class ExportRecord:
    """One record as plain data: table cells by column key and a JSON document."""

    cells: dict[str, str]
    document: dict[str, Any]


def _label(term: VocabularyTerm, language: str) -> str:
    return term.label_de if language == "de" else term.label_en


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _terms_document(terms: Iterable[VocabularyTerm], language: str) -> list[dict[str, str]]:
    return [{"key": term.key, "label": _label(term, language)} for term in terms]


def person_record(person: Person, language: str) -> ExportRecord:
    """A person for export; call it where the person's relations are loaded."""
    memberships = [
        (m.organization.name, m.function)
        for m in sorted(person.memberships, key=lambda m: m.id or 0)
        if m.organization is not None
    ]
    labels = [_label(term, language) for term in person.fields]
    cells = {
        "title": person.title,
        "name": person.name,
        "organization": f" {MULTI_SEPARATOR} ".join(org for org, _ in memberships),
        "function": (
            f" {MULTI_SEPARATOR} ".join(function for _, function in memberships)
            if any(function for _, function in memberships)
            else ""
        ),
        "email": person.email,
        "phone": person.phone,
        "fields": ", ".join(labels),
        "gemeinde": person.gemeinde,
        "matrix_id": person.matrix_id,
        "source": person.source,
        "notes": person.notes,
    }
    document = {
        "id": person.id,
        "title": person.title,
        "name": person.name,
        "organisations": [{"name": org, "function": function} for org, function in memberships],
        "email": person.email,
        "phone": person.phone,
        "matrix_id": person.matrix_id,
        "gemeinde": person.gemeinde,
        "fields": _terms_document(person.fields, language),
        "notes": person.notes,
        "source": person.source,
        "recorded_at": _iso(person.recorded_at),
        "legal_basis": person.legal_basis,
        "consent_at": _iso(person.consent_at),
        "updated_at": _iso(person.updated_at),
    }
    return ExportRecord(cells, document)


def organisation_record(organization: Organization, language: str) -> ExportRecord:
    """An organisation for export."""
    kind = _label(organization.kind, language) if organization.kind is not None else ""
    cells = {
        "name": organization.name,
        "kind": kind,
        "street": organization.street,
        "postcode": organization.postcode,
        "gemeinde": organization.gemeinde,
        "website": organization.website,
        "email": organization.email,
        "phone": organization.phone,
        "fields": ", ".join(_label(term, language) for term in organization.fields),
        "source": organization.source,
        "notes": organization.notes,
    }
    document = {
        "id": organization.id,
        "name": organization.name,
        "kind": ({"key": organization.kind.key, "label": kind} if organization.kind else None),
        "street": organization.street,
        "postcode": organization.postcode,
        "gemeinde": organization.gemeinde,
        "website": organization.website,
        "email": organization.email,
        "phone": organization.phone,
        "fields": _terms_document(organization.fields, language),
        "notes": organization.notes,
        "source": organization.source,
        "created_at": _iso(organization.created_at),
        "updated_at": _iso(organization.updated_at),
    }
    return ExportRecord(cells, document)


def offer_record(offer: Offer, language: str) -> ExportRecord:
    """An offer for export."""
    provider = offer.provider.name if offer.provider is not None else ""
    cells = {
        "title": offer.title,
        "provider": provider,
        "fields": ", ".join(_label(term, language) for term in offer.fields),
        "target_groups": ", ".join(_label(term, language) for term in offer.target_groups),
        "place": offer.place,
        "gemeinde": offer.gemeinde,
        "schedule": offer.schedule,
        "cost": offer.cost,
        "link": offer.link,
        "description": offer.description,
        "source": offer.source,
    }
    document = {
        "id": offer.id,
        "title": offer.title,
        "provider": (
            {"id": offer.provider.id, "name": provider} if offer.provider is not None else None
        ),
        "fields": _terms_document(offer.fields, language),
        "target_groups": _terms_document(offer.target_groups, language),
        "place": offer.place,
        "gemeinde": offer.gemeinde,
        "schedule": offer.schedule,
        "cost": offer.cost,
        "link": offer.link,
        "description": offer.description,
        "source": offer.source,
        "created_at": _iso(offer.created_at),
        "updated_at": _iso(offer.updated_at),
    }
    return ExportRecord(cells, document)


async def export_records(
    session: AsyncSession, kind: Kind, language: str, person_ids: Sequence[int] | None = None
) -> list[ExportRecord]:
    """The records of ``kind`` as plain data (persons optionally only those with these ids)."""
    repository = TransferRepository(session)
    if kind is Kind.PERSONS:
        persons = (
            await repository.all_persons()
            if person_ids is None
            else await repository.persons_by_ids(person_ids)
        )
        return [person_record(person, language) for person in persons]
    if kind is Kind.ORGANISATIONS:
        return [organisation_record(o, language) for o in await repository.all_organizations()]
    return [offer_record(offer, language) for offer in await repository.all_offers()]


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
        "exported_at": _iso(exported_at),
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


# --------------------------------------------------------------------------- command line


async def cli_import(
    config: Config, path: Path, kind: Kind, dry_run: bool, clock: Clock | None = None
) -> int:
    """``kuemmerer import``: 0 when every row imported, 1 when some rows were refused."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"Cannot read {path}: {error.strerror or error}", file=sys.stderr)
        return 2
    clock = clock or SystemClock()
    console = Console(stderr=True)
    database = Database(config.storage.url)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    )
    try:
        await database.migrate()
        with progress:
            task = progress.add_task(f"Importing {path.name}", total=None)

            def start(table: Table) -> None:
                progress.update(task, total=len(table.rows))

            report = await import_file(
                database,
                data,
                path.name,
                kind,
                clock.now(),
                dry_run=dry_run,
                progress=lambda done: progress.advance(task, done),
                on_table=start,
            )
    except TransferError as error:
        print(f"{path.name} cannot be imported: {error}.", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    print(report.summary())
    return 1 if report.errors else 0


async def cli_export(
    config: Config,
    kind: Kind,
    file_format: Format,
    output: Path | None,
    clock: Clock | None = None,
) -> int:
    """``kuemmerer export``: writes the file (``-`` for standard output) and audits it."""
    if file_format is Format.VCF and kind is not Kind.PERSONS:
        print("vCard files hold persons only; use csv, xlsx or json.", file=sys.stderr)
        return 2
    clock = clock or SystemClock()
    now = clock.now()
    language = config.bot.language
    to_stdout = output is not None and str(output) == "-"
    target = output or Path(
        export_filename(kind, file_format, language, now.astimezone(config.bot.zone).date())
    )
    database = Database(config.storage.url)
    try:
        await database.migrate()
        async with database.session() as session:
            records = await export_records(session, kind, language)
            data = serialise(kind, file_format, records, language, now)
            await AuditRepository(session).record(
                now,
                EXPORT_ACTOR,
                "export",
                kind.object_type,
                "*",
                f"count={len(records)} format={file_format.value}",
            )
            # Written inside the transaction: if writing fails, no export is audited.
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            else:
                target.write_bytes(data)
    except OSError as error:
        print(f"Cannot write {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    done = f"Exported {len(records)} {kind.value}" + ("." if to_stdout else f" to {target}.")
    print(done, file=sys.stderr if to_stdout else sys.stdout)
    if kind is Kind.PERSONS:
        print(
            "The file holds personal data: keep it safe and delete it when done.",
            file=sys.stderr if to_stdout else sys.stdout,
        )
    return 0
