"""Persons, organisations, memberships and offers: the contact network's records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Unpack

from sqlalchemy import Select, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from storage.folding import fold_text
from storage.models import (
    Committee,
    CommitteeMember,
    Membership,
    Offer,
    Organization,
    Person,
    VocabularyTerm,
    organization_field,
    person_field,
)
from storage.search import SearchIndex
from storage.values import (
    OfferValues,
    OrganizationValues,
    PersonChange,
    PersonValues,
    refuse_unknown,
)

# What comes with each record, by the use it is loaded for. Collections beside a joined load
# are loaded by a second SELECT (selectin) rather than multiplying the joined rows.
PERSON_PLACES_LOADED = (selectinload(Person.memberships).joinedload(Membership.organization),)
"""Where a person works (memberships and their organisations), beside its fields: what
changing it, a committee seat and "who is responsible" need."""


def persons_with_fields(*, places: bool = False) -> Select[Person]:
    """Persons with the fields they work in (what a card and a search hit show), joined in the
    same SELECT; with ``places`` also where they work (:data:`PERSON_PLACES_LOADED`).

    The joins are written out flat rather than left to ``joinedload``: SQLAlchemy joins a
    many-to-many collection as ``LEFT JOIN (person_field JOIN vocabulary_term)``, and SQLite
    (3.40) runs that nested join by copying the whole person_field table first, about 100 ms
    per command at 100 000 persons; flat, it finds a person's fields by primary key.
    """
    statement = (
        select(Person)
        .outerjoin(person_field, person_field.c.person_id == Person.id)
        .outerjoin(VocabularyTerm, VocabularyTerm.id == person_field.c.term_id)
        .options(contains_eager(Person.fields))
    )
    return statement.options(*PERSON_PLACES_LOADED) if places else statement


ORGANIZATION_LOADED = (
    joinedload(Organization.kind),
    selectinload(Organization.fields),
    selectinload(Organization.memberships),
)
"""An organisation with its kind, fields and memberships (how many people work there)."""
ORGANIZATION_PEOPLE_LOADED = (
    joinedload(Organization.kind),
    selectinload(Organization.fields),
    selectinload(Organization.memberships).joinedload(Membership.person),
)
"""An organisation as above, and who works there: what its card lists."""
OFFER_LOADED = (
    joinedload(Offer.provider),
    selectinload(Offer.fields),
    selectinload(Offer.target_groups),
)
"""An offer with its provider (the organisation's own columns only), fields and target
groups."""


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
        **values: Unpack[PersonValues],
    ) -> Person:
        """Record a person and index it."""
        refuse_unknown(values, PersonValues.__optional_keys__, "person")
        person = Person(
            name=name, name_key=fold_text(name), recorded_at=at, updated_at=at, **values
        )
        person.fields = list(fields)
        person.memberships = []  # known to be empty: reading it later needs no lazy load
        self.session.add(person)
        await self.session.flush()
        await self.index.index_person(person)
        return person

    async def person(self, person_id: int, *, places: bool = False) -> Person | None:
        """Contact No. ``person_id`` with its fields, in one SELECT; with ``places`` also its
        memberships and their organisations."""
        rows = await self.session.scalars(
            persons_with_fields(places=places).where(Person.id == person_id)
        )
        return rows.unique().one_or_none()

    async def update_person(
        self, person: Person, at: datetime, **values: Unpack[PersonChange]
    ) -> Person:
        """Set the given columns (and fields) of ``person`` and index it anew."""
        refuse_unknown(values, PersonChange.__optional_keys__, "person")
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
        membership = await self.session.scalar(
            select(Membership).where(
                Membership.person_id == person.id, Membership.organization_id == organization.id
            )
        )
        if membership is None:
            membership = Membership(person=person, organization=organization, function=function)
            self.session.add(membership)
        elif function:
            membership.function = function
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
        """The contacts carrying the account ``matrix_id``, with where they work."""
        rows = await self.session.scalars(
            persons_with_fields(places=True).where(Person.matrix_id == matrix_id)
        )
        return list(rows.unique())

    # ----------------------------------------------------------------- organisations

    async def add_organization(
        self,
        at: datetime,
        name: str,
        kind: VocabularyTerm | None = None,
        fields: Sequence[VocabularyTerm] = (),
        **values: Unpack[OrganizationValues],
    ) -> Organization:
        """Record an organisation and index it."""
        refuse_unknown(values, OrganizationValues.__optional_keys__, "organisation")
        organization = Organization(
            name=name, name_key=fold_text(name), kind=kind, created_at=at, updated_at=at, **values
        )
        organization.fields = list(fields)
        organization.memberships = []  # known to be empty: reading it needs no lazy load
        self.session.add(organization)
        await self.session.flush()
        await self.index.index_organization(organization)
        return organization

    async def organization(
        self, organization_id: int, *, people: bool = False
    ) -> Organization | None:
        """Organisation No. ``organization_id`` with its kind, fields and memberships; with
        ``people`` also the persons of the memberships."""
        loading = ORGANIZATION_PEOPLE_LOADED if people else ORGANIZATION_LOADED
        return await self.session.scalar(
            select(Organization).where(Organization.id == organization_id).options(*loading)
        )

    async def organization_named(self, name: str) -> Organization | None:
        """The organisation called ``name``, in any spelling (case, umlauts, dashes), with its
        kind, fields and memberships."""
        return await self.session.scalar(
            select(Organization)
            .where(Organization.name_key == fold_text(name))
            .limit(1)
            .options(*ORGANIZATION_LOADED)
        )

    async def offers_of(self, organization: Organization) -> list[Offer]:
        """The offers of ``organization`` by title, each with its provider and terms."""
        return list(
            await self.session.scalars(
                select(Offer)
                .where(Offer.provider_id == organization.id)
                .order_by(Offer.title)
                .options(*OFFER_LOADED)
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
        **values: Unpack[OfferValues],
    ) -> Offer:
        """Record an offer and index it."""
        refuse_unknown(values, OfferValues.__optional_keys__, "offer")
        offer = Offer(title=title, provider=provider, created_at=at, updated_at=at, **values)
        offer.fields = list(fields)
        offer.target_groups = list(target_groups)
        self.session.add(offer)
        await self.session.flush()
        await self.index.index_offer(offer)
        return offer

    async def offer(self, offer_id: int) -> Offer | None:
        """Offer No. ``offer_id`` with its provider and terms."""
        return await self.session.scalar(
            select(Offer).where(Offer.id == offer_id).options(*OFFER_LOADED)
        )

    # ----------------------------------------------------------------- counts

    async def counts(self) -> dict[str, int]:
        """How many persons, organisations and offers there are."""
        return {
            "persons": await self.session.scalar(select(func.count(Person.id))) or 0,
            "organizations": await self.session.scalar(select(func.count(Organization.id))) or 0,
            "offers": await self.session.scalar(select(func.count(Offer.id))) or 0,
        }

    # ----------------------------------------------------------------- queries for commands

    async def persons_by_ids(self, ids: Sequence[int], *, places: bool = False) -> list[Person]:
        """The persons with ``ids`` in that order (for search hits), with their fields and with
        ``places`` also where they work; unknown ids are skipped."""
        if not ids:
            return []
        rows = await self.session.scalars(
            persons_with_fields(places=places).where(Person.id.in_(ids))
        )
        by_id = {person.id: person for person in rows.unique()}
        return [by_id[i] for i in ids if i in by_id]

    async def organizations_by_ids(
        self, ids: Sequence[int], *, people: bool = False
    ) -> list[Organization]:
        """The organisations with ``ids`` in that order, loaded as by :meth:`organization`;
        unknown ids are skipped."""
        if not ids:
            return []
        loading = ORGANIZATION_PEOPLE_LOADED if people else ORGANIZATION_LOADED
        rows = await self.session.scalars(
            select(Organization).where(Organization.id.in_(ids)).options(*loading)
        )
        by_id = {organization.id: organization for organization in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def offers_by_ids(self, ids: Sequence[int]) -> list[Offer]:
        """The offers with ``ids`` in that order, with provider and terms; unknown ids are
        skipped."""
        if not ids:
            return []
        rows = await self.session.scalars(
            select(Offer).where(Offer.id.in_(ids)).options(*OFFER_LOADED)
        )
        by_id = {offer.id: offer for offer in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def roles_of(self, persons: Sequence[Person]) -> dict[int, list[PersonRole]]:
        """Every place each person holds in the network, by person id.

        First the functions in organisations, then the seats in committees (the role, e.g.
        "Vorsitz", as ``function``), so every card and ``!wer`` list shows them without knowing
        where they come from.
        """
        roles: dict[int, list[PersonRole]] = {person.id: [] for person in persons}
        if not roles:
            return roles
        # One SELECT for both kinds of place: a card is three statements in all.
        functions = (
            select(
                Membership.person_id,
                literal(0).label("rank"),
                literal("organization").label("kind"),
                Organization.id.label("body_id"),
                Organization.name.label("body_name"),
                Organization.name_key.label("body_key"),
                Membership.function,
            )
            .join(Organization, Membership.organization_id == Organization.id)
            .where(Membership.person_id.in_(roles))
        )
        seats = (
            select(
                CommitteeMember.person_id,
                literal(1).label("rank"),
                literal("committee").label("kind"),
                Committee.id.label("body_id"),
                Committee.name.label("body_name"),
                Committee.name_key.label("body_key"),
                CommitteeMember.role.label("function"),
            )
            .join(Committee, CommitteeMember.committee_id == Committee.id)
            .where(CommitteeMember.person_id.in_(roles))
        )
        places = union_all(functions, seats).subquery()
        rows = await self.session.execute(
            select(
                places.c.person_id,
                places.c.kind,
                places.c.body_id,
                places.c.body_name,
                places.c.function,
            ).order_by(places.c.rank, places.c.body_key, places.c.body_id)
        )
        for person_id, kind, body_id, name, function in rows:
            roles[person_id].append(PersonRole(kind, body_id, name, function))
        return roles

    async def responsible_for_field(
        self, term: VocabularyTerm, gemeinde: str | None = None
    ) -> list[Responsible]:
        """Who works in the field ``term``: persons tagged with it, and the people of
        organisations tagged with it; optionally only those in ``gemeinde``."""
        tagged = select(person_field.c.person_id).where(person_field.c.term_id == term.id)
        organizations = select(organization_field.c.organization_id).where(
            organization_field.c.term_id == term.id
        )
        via_organization = select(Membership.person_id).where(
            Membership.organization_id.in_(organizations)
        )
        # Whether a person or an organisation is tagged is asked by id: loading every
        # candidate's fields (and their organisations' fields) only to look for ``term`` in
        # them cost tens of thousands of objects per command in a large network.
        tagged_persons = set(await self.session.scalars(tagged))
        tagged_organizations = set(await self.session.scalars(organizations))
        persons = await self.session.scalars(
            select(Person)
            .where(or_(Person.id.in_(tagged), Person.id.in_(via_organization)))
            .options(selectinload(Person.memberships).joinedload(Membership.organization))
        )
        candidates: list[tuple[Responsible, bool]] = []
        for person in persons:
            personally = person.id in tagged_persons
            for membership in person.memberships:
                organization = membership.organization
                reason = organization is not None and organization.id in tagged_organizations
                if personally or reason:
                    candidates.append(
                        (Responsible(person, organization, membership.function), reason)
                    )
            if personally and not person.memberships:
                candidates.append((Responsible(person, None, ""), False))
        return _one_place_each(candidates, gemeinde)

    async def responsible_among(
        self,
        person_ids: Sequence[int],
        organization_ids: Sequence[int],
        gemeinde: str | None = None,
    ) -> list[Responsible]:
        """The persons found and the people of the organisations found, e.g. by a full-text
        search; optionally only those in ``gemeinde``."""
        candidates: list[tuple[Responsible, bool]] = []
        for organization in await self.organizations_by_ids(organization_ids, people=True):
            candidates.extend(
                (Responsible(m.person, organization, m.function), True)
                for m in organization.memberships
            )
        for person in await self.persons_by_ids(person_ids, places=True):
            candidates.extend(
                (Responsible(person, m.organization, m.function), False)
                for m in person.memberships
            )
            if not person.memberships:
                candidates.append((Responsible(person, None, ""), False))
        return _one_place_each(candidates, gemeinde)


@dataclass(frozen=True)
class PersonRole:
    """A place a person holds: a function in an organisation (``kind`` "organization") or a
    seat in a committee (``kind`` "committee", ``function`` the stored role, e.g. "Vorsitz")."""

    kind: str
    body_id: int
    body_name: str
    function: str


@dataclass(frozen=True)
class Responsible:
    """One line of "who is responsible": a person, where they work, and as what."""

    person: Person
    organization: Organization | None
    function: str


def _one_place_each(
    candidates: list[tuple[Responsible, bool]], gemeinde: str | None
) -> list[Responsible]:
    """Each person once per organisation that is the reason they were found (``True``), or
    else once, under their first organisation: the lists read "who", not "where else"."""
    wanted = fold_text(gemeinde) if gemeinde else None
    by_person: dict[int, list[tuple[Responsible, bool]]] = {}
    for row, reason in candidates:
        if wanted is not None and wanted not in (
            fold_text(row.person.gemeinde),
            fold_text(row.organization.gemeinde) if row.organization else None,
        ):
            continue
        by_person.setdefault(row.person.id, []).append((row, reason))
    rows: list[Responsible] = []
    for found in by_person.values():
        reasons = [row for row, reason in found if reason]
        rows.extend(reasons or _ordered([row for row, _reason in found])[:1])
    unique = {(row.person.id, row.organization and row.organization.id): row for row in rows}
    return _ordered(list(unique.values()))


def _ordered(rows: list[Responsible]) -> list[Responsible]:
    """By organisation (people without one last), then by name."""
    return sorted(
        rows,
        key=lambda row: (
            row.organization is None,
            row.organization.name_key if row.organization else "",
            row.person.name_key,
            row.person.id,
        ),
    )
