"""Bulk reads and writes for importing and exporting the contact network.

An import of thousands of rows must not cost one round trip per row: the importer reads every
record once, builds new records in memory and writes them with a single flush at the end. That
also keeps the write transaction short, so a running bot is not locked out of the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Unpack

from sqlalchemy import false, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload, selectinload

from storage.folding import fold_text
from storage.models import AuditEntry, Membership, Offer, Organization, Person, VocabularyTerm
from storage.search import SearchIndex
from storage.values import OfferValues, OrganizationValues, PersonValues, refuse_unknown

# The models load their relations eagerly, and an organisation's members pull in every
# person of the network: a whole-table read says exactly what it needs instead.
_ORGANIZATION_LOADING = (
    selectinload(Organization.kind),
    selectinload(Organization.fields),
    raiseload(Organization.memberships),
)
_PERSON_LOADING = (
    selectinload(Person.fields),
    selectinload(Person.memberships)
    .selectinload(Membership.organization)
    .options(*_ORGANIZATION_LOADING),
)
# What an import stages: written with one flush at the end.
StagedRecord = Person | Organization | Offer | Membership
# Below this many touched records, indexing them one by one is cheaper than a full rebuild.
REBUILD_THRESHOLD = 200


@dataclass(frozen=True)
class AuditLine:
    """One audit entry to write in bulk; ``detail`` never holds personal data."""

    action: str
    object_type: str
    record: Person | Organization | Offer
    detail: str


@dataclass
class TransferRepository:
    """Loads whole tables for matching and exporting; stages new records without flushing."""

    session: AsyncSession
    staged: list[StagedRecord] = field(default_factory=list)

    # ----------------------------------------------------------------- reading

    async def all_persons(self) -> list[Person]:
        """Every person with fields and memberships loaded, ordered by name."""
        query = select(Person).options(*_PERSON_LOADING).order_by(Person.name_key, Person.id)
        return list(await self.session.scalars(query))

    async def persons_by_ids(self, ids: Sequence[int]) -> list[Person]:
        """The persons with these ids, in the order of ``ids`` (missing ones are skipped)."""
        found: dict[int, Person] = {}
        # Chunks keep the number of bound parameters below every database's limit.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(Person).options(*_PERSON_LOADING).where(Person.id.in_(chunk))
            for person in await self.session.scalars(query):
                found[person.id] = person
        return [found[person_id] for person_id in ids if person_id in found]

    async def all_organizations(self) -> list[Organization]:
        """Every organisation with kind and fields, but not its members, ordered by name."""
        query = (
            select(Organization)
            .options(*_ORGANIZATION_LOADING)
            .order_by(Organization.name_key, Organization.id)
        )
        return list(await self.session.scalars(query))

    async def all_offers(self) -> list[Offer]:
        """Every offer with provider, fields and target groups, ordered by title."""
        query = (
            select(Offer)
            .options(
                selectinload(Offer.fields),
                selectinload(Offer.target_groups),
                selectinload(Offer.provider).options(*_ORGANIZATION_LOADING),
            )
            .order_by(Offer.title, Offer.id)
        )
        return list(await self.session.scalars(query))

    # ----------------------------------------------------------------- staging

    def new_person(
        self,
        at: datetime,
        name: str,
        fields: Sequence[VocabularyTerm] = (),
        **values: Unpack[PersonValues],
    ) -> Person:
        """A new person, added to the session but not yet flushed."""
        refuse_unknown(values, PersonValues.__optional_keys__, "person")
        person = Person(
            name=name, name_key=fold_text(name), recorded_at=at, updated_at=at, **values
        )
        person.fields = list(fields)
        person.memberships = []
        self.session.add(person)
        self.staged.append(person)
        return person

    def new_organization(
        self,
        at: datetime,
        name: str,
        kind: VocabularyTerm | None = None,
        fields: Sequence[VocabularyTerm] = (),
        **values: Unpack[OrganizationValues],
    ) -> Organization:
        """A new organisation, added to the session but not yet flushed."""
        refuse_unknown(values, OrganizationValues.__optional_keys__, "organisation")
        organization = Organization(
            name=name, name_key=fold_text(name), kind=kind, created_at=at, updated_at=at, **values
        )
        organization.fields = list(fields)
        organization.memberships = []
        self.session.add(organization)
        self.staged.append(organization)
        return organization

    def new_offer(
        self,
        at: datetime,
        title: str,
        provider: Organization | None = None,
        fields: Sequence[VocabularyTerm] = (),
        target_groups: Sequence[VocabularyTerm] = (),
        **values: Unpack[OfferValues],
    ) -> Offer:
        """A new offer, added to the session but not yet flushed."""
        refuse_unknown(values, OfferValues.__optional_keys__, "offer")
        offer = Offer(title=title, provider=provider, created_at=at, updated_at=at, **values)
        offer.fields = list(fields)
        offer.target_groups = list(target_groups)
        self.session.add(offer)
        self.staged.append(offer)
        return offer

    def new_membership(
        self, person: Person, organization: Organization, function: str = ""
    ) -> Membership:
        """Link ``person`` to ``organization``; both collections see the new membership."""
        membership = Membership(person=person, organization=organization, function=function)
        self.session.add(membership)
        self.staged.append(membership)
        return membership

    # ----------------------------------------------------------------- writing

    async def write(self, at: datetime, actor: str, audit: Iterable[AuditLine]) -> None:
        """Flush everything staged, then write one audit entry per record."""
        if self.session.get_bind().dialect.name == "sqlite":
            await self._number_staged_records()
        self.staged.clear()
        await self.session.flush()
        rows = [
            {
                "at": at,
                "actor": actor,
                "action": line.action,
                "object_type": line.object_type,
                "object_id": str(line.record.id),
                "detail": line.detail,
            }
            for line in audit
        ]
        if rows:
            # One executemany: the ORM would insert row by row to learn each new id.
            await self.session.execute(insert(AuditEntry), rows)

    async def _number_staged_records(self) -> None:
        """Give staged records their ids before the flush.

        SQLite cannot say in which order a multi-row INSERT … RETURNING hands back new ids, so
        SQLAlchemy inserts such records one statement at a time – seconds for thousands of
        rows. With the ids known it inserts them in batches. A write statement first takes
        SQLite's write lock, so no other connection can take the same ids before we commit.
        """
        by_model: dict[type[StagedRecord], list[StagedRecord]] = {}
        for record in self.staged:
            if record.id is None:
                by_model.setdefault(type(record), []).append(record)
        with self.session.no_autoflush:
            for model, records in by_model.items():
                await self.session.execute(update(model).where(false()).values(id=model.id))
                highest = await self.session.scalar(select(func.max(model.id))) or 0
                for number, record in enumerate(records, highest + 1):
                    record.id = number

    async def reindex(
        self,
        persons: Sequence[Person],
        organizations: Sequence[Organization],
        offers: Sequence[Offer],
    ) -> None:
        """Bring the search index up to date for the records an import touched."""
        index = SearchIndex(self.session)
        if len(persons) + len(organizations) + len(offers) > REBUILD_THRESHOLD:
            await index.rebuild()
            return
        for person in persons:
            await index.index_person(person)
        for organization in organizations:
            await index.index_organization(organization)
        for offer in offers:
            await index.index_offer(offer)
