"""Export records: stored persons, organisations and offers as plain data.

A record holds the cells of a table row (for CSV and Excel) and a JSON document with every
field (for JSON and vCard), so the writers never touch the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from commands.contacts.files.columns import MULTI_SEPARATOR, Kind
from commands.contacts.vocabulary import term_label
from storage.models import Offer, Organization, Person, VocabularyTerm
from storage.transfer import TransferRepository


@dataclass(frozen=True)
class ExportRecord:
    """One record as plain data: table cells by column key and a JSON document."""

    cells: dict[str, str]
    document: dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 to the second, for the JSON documents; None stays None."""
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _terms_document(terms: Iterable[VocabularyTerm], language: str) -> list[dict[str, str]]:
    return [{"key": term.key, "label": term_label(term, language)} for term in terms]


def person_record(person: Person, language: str) -> ExportRecord:
    """A person for export; call it where the person's relations are loaded."""
    memberships = [
        (m.organization.name, m.function)
        for m in sorted(person.memberships, key=lambda m: m.id or 0)
        if m.organization is not None
    ]
    labels = [term_label(term, language) for term in person.fields]
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
        "recorded_at": iso(person.recorded_at),
        "legal_basis": person.legal_basis,
        "consent_at": iso(person.consent_at),
        "updated_at": iso(person.updated_at),
    }
    return ExportRecord(cells, document)


def organisation_record(organization: Organization, language: str) -> ExportRecord:
    """An organisation for export."""
    kind = term_label(organization.kind, language) if organization.kind is not None else ""
    cells = {
        "name": organization.name,
        "kind": kind,
        "street": organization.street,
        "postcode": organization.postcode,
        "gemeinde": organization.gemeinde,
        "website": organization.website,
        "email": organization.email,
        "phone": organization.phone,
        "fields": ", ".join(term_label(term, language) for term in organization.fields),
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
        "created_at": iso(organization.created_at),
        "updated_at": iso(organization.updated_at),
    }
    return ExportRecord(cells, document)


def offer_record(offer: Offer, language: str) -> ExportRecord:
    """An offer for export."""
    provider = offer.provider.name if offer.provider is not None else ""
    cells = {
        "title": offer.title,
        "provider": provider,
        "fields": ", ".join(term_label(term, language) for term in offer.fields),
        "target_groups": ", ".join(term_label(term, language) for term in offer.target_groups),
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
        "created_at": iso(offer.created_at),
        "updated_at": iso(offer.updated_at),
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
