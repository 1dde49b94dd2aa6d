"""Persons, organisations, memberships and offers: the contact network's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, Offer, Organization, Person, VocabularyTerm
from storage.search import SearchIndex
from storage.vocabulary import fold_text

PERSON_FIELDS = frozenset(
    {"title", "name", "email", "phone", "matrix_id", "gemeinde", "notes", "source",
     "legal_basis", "consent_at", "consent_withdrawn_at", "last_activity_at"}
)  # fmt: skip
ORGANIZATION_FIELDS = frozenset(
    {"name", "street", "postcode", "gemeinde", "website", "email", "phone", "notes", "source"}
)
OFFER_FIELDS = frozenset(
    {"title", "place", "gemeinde", "schedule", "cost", "link", "description", "source"}
)


@dataclass
class ContactRepository:
    """All SQL about the contact network. Every write keeps the search index current."""

    session: AsyncSession

    @property
    def index(self) -> SearchIndex:
        return SearchIndex(self.session)

    # ----------------------------------------------------------------- persons

    async def add_person(
        self,
        at: datetime,
        name: str,
        fields: Sequence[VocabularyTerm] = (),
        **values: Any,
    ) -> Person:
        unknown = set(values) - PERSON_FIELDS
        if unknown:
            raise ValueError(f"unknown person fields: {sorted(unknown)}")
        person = Person(
            name=name, name_key=fold_text(name), recorded_at=at, updated_at=at, **values
        )
        person.fields = list(fields)
        self.session.add(person)
        await self.session.flush()
        await self.index.index_person(person)
        return person

    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def update_person(self, person: Person, at: datetime, **values: Any) -> Person:
        unknown = set(values) - PERSON_FIELDS - {"fields"}
        if unknown:
            raise ValueError(f"unknown person fields: {sorted(unknown)}")
        for key, value in values.items():
            setattr(person, key, value)
        person.name_key = fold_text(person.name)
        person.updated_at = at
        await self.session.flush()
        await self.index.index_person(person)
        return person

    async def delete_person(self, person: Person) -> None:
        await self.index.remove("person", person.id)
        await self.session.delete(person)
        await self.session.flush()

    async def link(
        self, person: Person, organization: Organization, function: str = ""
    ) -> Membership:
        """Record that ``person`` works for ``organization`` (idempotent; updates the function)."""
        for membership in person.memberships:
            if membership.organization_id == organization.id:
                membership.function = function or membership.function
                break
        else:
            membership = Membership(person=person, organization=organization, function=function)
            self.session.add(membership)
        await self.session.flush()
        await self.session.refresh(person, ["memberships"])
        await self.index.index_person(person)
        return membership

    async def person_by_email(self, email: str) -> Person | None:
        if not email:
            return None
        return await self.session.scalar(
            select(Person).where(func.lower(Person.email) == email.strip().lower()).limit(1)
        )

    async def duplicate_of(
        self, name: str, email: str = "", organization: Organization | None = None
    ) -> Person | None:
        """An existing person with the same e-mail, or the same name in the same organisation."""
        by_email = await self.person_by_email(email)
        if by_email is not None:
            return by_email
        if organization is None:
            return None
        candidates = await self.session.scalars(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.organization_id == organization.id)
        )
        wanted = fold_text(name)
        return next((p for p in candidates if p.name_key == wanted), None)

    async def persons_with_matrix_id(self, matrix_id: str) -> list[Person]:
        return list(
            await self.session.scalars(select(Person).where(Person.matrix_id == matrix_id))
        )

    # ----------------------------------------------------------------- organisations

    async def add_organization(
        self,
        at: datetime,
        name: str,
        kind: VocabularyTerm | None = None,
        fields: Sequence[VocabularyTerm] = (),
        **values: Any,
    ) -> Organization:
        unknown = set(values) - ORGANIZATION_FIELDS
        if unknown:
            raise ValueError(f"unknown organisation fields: {sorted(unknown)}")
        organization = Organization(
            name=name, name_key=fold_text(name), kind=kind, created_at=at, updated_at=at, **values
        )
        organization.fields = list(fields)
        self.session.add(organization)
        await self.session.flush()
        await self.index.index_organization(organization)
        return organization

    async def organization(self, organization_id: int) -> Organization | None:
        return await self.session.get(Organization, organization_id)

    async def organization_named(self, name: str) -> Organization | None:
        """The organisation called ``name``, in any spelling (case, umlauts, dashes)."""
        return await self.session.scalar(
            select(Organization).where(Organization.name_key == fold_text(name)).limit(1)
        )

    async def update_organization(
        self, organization: Organization, at: datetime, **values: Any
    ) -> Organization:
        unknown = set(values) - ORGANIZATION_FIELDS - {"fields", "kind"}
        if unknown:
            raise ValueError(f"unknown organisation fields: {sorted(unknown)}")
        for key, value in values.items():
            setattr(organization, key, value)
        organization.name_key = fold_text(organization.name)
        organization.updated_at = at
        await self.session.flush()
        await self.index.index_organization(organization)
        return organization

    async def offers_of(self, organization: Organization) -> list[Offer]:
        return list(
            await self.session.scalars(
                select(Offer).where(Offer.provider_id == organization.id).order_by(Offer.title)
            )
        )

    # ----------------------------------------------------------------- offers

    async def add_offer(
        self,
        at: datetime,
        title: str,
        provider: Organization | None = None,
        fields: Sequence[VocabularyTerm] = (),
        target_groups: Sequence[VocabularyTerm] = (),
        **values: Any,
    ) -> Offer:
        unknown = set(values) - OFFER_FIELDS
        if unknown:
            raise ValueError(f"unknown offer fields: {sorted(unknown)}")
        offer = Offer(title=title, provider=provider, created_at=at, updated_at=at, **values)
        offer.fields = list(fields)
        offer.target_groups = list(target_groups)
        self.session.add(offer)
        await self.session.flush()
        await self.index.index_offer(offer)
        return offer

    async def offer(self, offer_id: int) -> Offer | None:
        return await self.session.get(Offer, offer_id)

    # ----------------------------------------------------------------- counts

    async def counts(self) -> dict[str, int]:
        """How many persons, organisations and offers there are."""
        return {
            "persons": await self.session.scalar(select(func.count(Person.id))) or 0,
            "organizations": await self.session.scalar(select(func.count(Organization.id))) or 0,
            "offers": await self.session.scalar(select(func.count(Offer.id))) or 0,
        }
