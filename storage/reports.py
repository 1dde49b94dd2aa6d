"""Reports over the contact network: the Art. 15 data collection and the network overview.

Every count is an SQL aggregate (``GROUP BY``), so the overview stays fast with 100 000 persons
and 50 000 offers; Python only merges a few dozen grouped rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.folding import fold_text
from storage.minutes import minutes_of_person
from storage.models import (
    AgendaItem,
    AuditEntry,
    Committee,
    CommitteeMember,
    Membership,
    Offer,
    Organization,
    Person,
    VocabularyTerm,
    offer_field,
    organization_field,
    person_field,
)
from storage.tasks import decisions_by_person, tasks_of_person
from storage.vocabulary import FIELD

# --------------------------------------------------------------------------- Art. 15


PersonalValue = str | int | datetime | date | None
SectionRows = list[dict[str, PersonalValue]]


@dataclass(frozen=True)
class PersonalDataSection:
    """One part of what is stored about a person, e.g. the memberships.

    ``tables`` names the tables this section reads: a test checks that every table with a
    foreign key to ``person.id`` is covered by some section, so a new table that refers to
    persons cannot silently drop out of the right of access.
    """

    key: str  # the key in the JSON export; contacts/privacy.py gives it a heading
    tables: tuple[str, ...]
    collect: Callable[[AsyncSession, Person], Awaitable[SectionRows]]


async def _memberships(session: AsyncSession, person: Person) -> SectionRows:
    rows = await session.execute(
        select(Membership.id, Membership.function, Organization.id, Organization.name)
        .outerjoin(Organization, Organization.id == Membership.organization_id)
        .where(Membership.person_id == person.id)
        .order_by(Membership.id)
    )
    return [
        {
            "membership_id": membership_id,
            "organization_id": organization_id,
            "organization": organization_name,
            "function": function,
        }
        for membership_id, function, organization_id, organization_name in rows
    ]


async def _fields(session: AsyncSession, person: Person) -> SectionRows:
    terms = await session.scalars(
        select(VocabularyTerm)
        .join(person_field, person_field.c.term_id == VocabularyTerm.id)
        .where(person_field.c.person_id == person.id)
        .order_by(VocabularyTerm.id)
    )
    return [
        {"key": term.key, "label_de": term.label_de, "label_en": term.label_en} for term in terms
    ]


async def _committee_seats(session: AsyncSession, person: Person) -> SectionRows:
    rows = await session.execute(
        select(CommitteeMember.id, Committee.id, Committee.name, CommitteeMember.role,
               CommitteeMember.matrix_id, CommitteeMember.created_at)
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .where(CommitteeMember.person_id == person.id)
        .order_by(CommitteeMember.id)
    )  # fmt: skip
    return [
        {
            "seat_id": seat_id,
            "committee_id": committee_id,
            "committee": name,
            "role": role,
            "matrix_id": matrix_id,
            "since": since,
        }
        for seat_id, committee_id, name, role, matrix_id, since in rows
    ]


async def _audit_log(session: AsyncSession, person: Person) -> SectionRows:
    # Who recorded, changed, exported the record and when: the recipients and the processing
    # of the data are part of the data subject's right of access (Art. 15 (1) c).
    entries = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "person", AuditEntry.object_id == str(person.id))
        .order_by(AuditEntry.id)
    )
    return [
        {"at": entry.at, "actor": entry.actor, "action": entry.action, "detail": entry.detail}
        for entry in entries
    ]


async def _agenda_items(session: AsyncSession, person: Person) -> SectionRows:
    # The items the person submitted with the Matrix account of their record.
    if not person.matrix_id:
        return []
    rows = await session.execute(
        select(AgendaItem.id, Committee.name, AgendaItem.meeting_id, AgendaItem.title,
               AgendaItem.status, AgendaItem.created_at)
        .join(Committee, Committee.id == AgendaItem.committee_id)
        .where(AgendaItem.submitter == person.matrix_id)
        .order_by(AgendaItem.id)
    )  # fmt: skip
    return [
        {
            "item_id": item_id,
            "committee": committee,
            "meeting_id": meeting_id,
            "title": title,
            "status": status,
            "submitted_at": submitted_at,
        }
        for item_id, committee, meeting_id, title, status, submitted_at in rows
    ]


# Later issues add their sections here (tasks, agenda mentions, decisions, minutes), each with
# the tables it reads; the export, the Markdown rendering and the summary pick them up.
PERSONAL_DATA_SECTIONS: tuple[PersonalDataSection, ...] = (
    PersonalDataSection("memberships", ("membership",), _memberships),
    PersonalDataSection("fields", ("person_field",), _fields),
    PersonalDataSection("committee_seats", ("committee_member",), _committee_seats),
    PersonalDataSection("tasks", ("task",), tasks_of_person),
    PersonalDataSection("decisions", ("decision",), decisions_by_person),
    PersonalDataSection("agenda_items", ("agenda_item",), _agenda_items),
    PersonalDataSection("minutes", ("minutes_entry",), minutes_of_person),
    PersonalDataSection("audit_log", ("audit_entry",), _audit_log),
)


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person: the row of the record and one list of rows per
    section (by its key). Values are plain Python values (datetimes stay aware datetimes)
    for the caller to serialise."""

    person_id: int
    record: dict[str, PersonalValue]
    sections: dict[str, SectionRows]

    def as_export(self) -> dict[str, object]:
        """``{"person_id", "record", <section key>: [rows], …}``: the export's layout."""
        return {"person_id": self.person_id, "record": self.record, **self.sections}


def person_record(person: Person) -> dict[str, PersonalValue]:
    """Every column of the person's row, so a column added later is exported too."""
    return {column.key: getattr(person, column.key) for column in Person.__table__.columns}


# --------------------------------------------------------------------------- overview


@dataclass(frozen=True)
class Tally:
    """How many organisations, persons and offers belong to one field or one Gemeinde."""

    organizations: int = 0
    persons: int = 0
    offers: int = 0

    @property
    def total(self) -> int:
        return self.organizations + self.persons + self.offers

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.organizations + other.organizations,
            self.persons + other.persons,
            self.offers + other.offers,
        )


@dataclass(frozen=True)
class FieldTally:
    """The tally of one Handlungsfeld."""

    field: VocabularyTerm
    tally: Tally


@dataclass(frozen=True)
class PlaceTally:
    """The tally of one Gemeinde."""

    gemeinde: str  # "" collects the records without a Gemeinde
    tally: Tally


@dataclass(frozen=True)
class Gap:
    """A Handlungsfeld with the municipalities of the network where it has no offer."""

    field: VocabularyTerm
    gemeinden: tuple[str, ...]  # in the order of the overview's municipalities
    no_offers_at_all: bool


@dataclass(frozen=True)
class NetworkOverview:
    """The inventory at a glance: totals, per field, per Gemeinde, and the gaps."""

    totals: Tally
    by_field: tuple[FieldTally, ...]  # every active field, in vocabulary order
    by_gemeinde: tuple[PlaceTally, ...]  # largest first; the one without Gemeinde last
    gaps: tuple[Gap, ...]  # fields in vocabulary order

    def top_gemeinden(self, limit: int) -> tuple[list[PlaceTally], Tally | None, int]:
        """The ``limit`` largest Gemeinden, the others summed (None if there are none), and
        how many others there are. Records without a Gemeinde are in neither."""
        named = [place for place in self.by_gemeinde if place.gemeinde]
        shown, others = named[:limit], named[limit:]
        if not others:
            return shown, None, 0
        summed = Tally()
        for place in others:
            summed += place.tally
        return shown, summed, len(others)

    @property
    def without_gemeinde(self) -> Tally | None:
        """The records without a Gemeinde, or None if every record has one."""
        return next((place.tally for place in self.by_gemeinde if not place.gemeinde), None)


@dataclass
class ReportRepository:
    """Read-only reports; all aggregation happens in SQL."""

    session: AsyncSession

    async def personal_data(self, person_id: int) -> PersonalData | None:
        """Everything stored about one person (Art. 15 DSGVO), or None if there is no such
        person."""
        person = await self.session.get(Person, person_id)
        if person is None:
            return None
        sections = {
            section.key: await section.collect(self.session, person)
            for section in PERSONAL_DATA_SECTIONS
        }
        return PersonalData(person.id, person_record(person), sections)

    async def network_overview(self) -> NetworkOverview:
        """Counts per field and per Gemeinde, and the field × Gemeinde pairs without offer.

        Both sides are what the office declared: the fields of its vocabulary and the
        municipalities its network records. (Every field × target group pair was listed
        before; most of those pairs, such as "Hochschule für Kinder 0–6", are no gap at all.)
        """
        fields = await self._terms(FIELD)
        by_gemeinde = await self._by_gemeinde()
        return NetworkOverview(
            totals=await self._totals(),
            by_field=await self._by_field(fields),
            by_gemeinde=by_gemeinde,
            gaps=await self._gaps(fields, [p.gemeinde for p in by_gemeinde if p.gemeinde]),
        )

    async def _terms(self, vocabulary: str) -> list[VocabularyTerm]:
        return list(
            await self.session.scalars(
                select(VocabularyTerm)
                .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.active.is_(True))
                .order_by(VocabularyTerm.id)
            )
        )

    async def _totals(self) -> Tally:
        row = (
            await self.session.execute(
                select(
                    select(func.count()).select_from(Organization).scalar_subquery(),
                    select(func.count()).select_from(Person).scalar_subquery(),
                    select(func.count()).select_from(Offer).scalar_subquery(),
                )
            )
        ).one()
        return Tally(int(row[0]), int(row[1]), int(row[2]))

    async def _count_by_term(
        self, term: ColumnElement[int], owner: ColumnElement[int]
    ) -> dict[int, int]:
        rows = await self.session.execute(select(term, func.count(owner)).group_by(term))
        return {term_id: int(count) for term_id, count in rows}

    async def _by_field(self, fields: list[VocabularyTerm]) -> tuple[FieldTally, ...]:
        organizations = await self._count_by_term(
            organization_field.c.term_id, organization_field.c.organization_id
        )
        persons = await self._count_by_term(person_field.c.term_id, person_field.c.person_id)
        offers = await self._count_by_term(offer_field.c.term_id, offer_field.c.offer_id)
        return tuple(
            FieldTally(
                term,
                Tally(
                    organizations.get(term.id, 0), persons.get(term.id, 0), offers.get(term.id, 0)
                ),
            )
            for term in fields
        )

    async def _by_gemeinde(self) -> tuple[PlaceTally, ...]:
        # An offer without a place of its own counts where its provider is.
        offer_place = func.coalesce(func.nullif(Offer.gemeinde, ""), Organization.gemeinde, "")
        grouped = {
            "organizations": await self.session.execute(
                select(Organization.gemeinde, func.count()).group_by(Organization.gemeinde)
            ),
            "persons": await self.session.execute(
                select(Person.gemeinde, func.count()).group_by(Person.gemeinde)
            ),
            "offers": await self.session.execute(
                select(offer_place, func.count())
                .select_from(Offer)
                .outerjoin(Organization, Organization.id == Offer.provider_id)
                .group_by(offer_place)
            ),
        }
        # "Neustadt" and "neustadt " are one Gemeinde: merge spellings, show the commonest.
        tallies: dict[str, Tally] = {}
        spellings: dict[str, dict[str, int]] = {}
        for kind, rows in grouped.items():
            for gemeinde, count in rows:
                name = (gemeinde or "").strip()
                key = fold_text(name)
                tallies[key] = tallies.get(key, Tally()) + Tally(**{kind: int(count)})
                spelled = spellings.setdefault(key, {})
                spelled[name] = spelled.get(name, 0) + int(count)
        places = [
            PlaceTally(max(spellings[key], key=lambda s: (spellings[key][s], s)), tally)
            for key, tally in tallies.items()
        ]
        places.sort(key=lambda place: (not place.gemeinde, -place.tally.total, place.gemeinde))
        return tuple(places)

    async def _gaps(self, fields: list[VocabularyTerm], gemeinden: list[str]) -> tuple[Gap, ...]:
        offer_place = func.coalesce(func.nullif(Offer.gemeinde, ""), Organization.gemeinde, "")
        covered_rows = await self.session.execute(
            select(offer_field.c.term_id, offer_place)
            .select_from(offer_field)
            .join(Offer, Offer.id == offer_field.c.offer_id)
            .outerjoin(Organization, Organization.id == Offer.provider_id)
            .distinct()
        )
        covered = {(field_id, fold_text(place.strip())) for field_id, place in covered_rows}
        with_offers = {field_id for field_id, _place in covered}
        gaps = []
        for term in fields:
            missing = tuple(
                place for place in gemeinden if (term.id, fold_text(place)) not in covered
            )
            if missing:
                gaps.append(Gap(term, missing, no_offers_at_all=term.id not in with_offers))
        return tuple(gaps)
