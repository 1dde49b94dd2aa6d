"""What an import or export file holds: its kind, its format and its columns.

Offices keep their lists in Excel, with German or English column names in any case and
spelling; every column knows its German and English header and the other spellings it goes by.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from storage.folding import fold_text

# Several organisations of one person share a cell: "VHS Musterkreis | Stadt Musterstadt".
MULTI_SEPARATOR = "|"


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
        """The media type an upload of this format is sent with."""
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
        """The header an export writes in ``language``."""
        return self.german if language == "de" else self.english

    def spellings(self) -> set[str]:
        """Every header that names this column, as :func:`header_key` folds it."""
        return {header_key(s) for s in (self.key, self.german, self.english, *self.aliases)}


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
