"""Keeping the index in step with the records: one document per person, organisation and
offer, its facets (terms) and the counts of its words; and the purge after an erasure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVarTuple

from sqlalchemy import (
    CompoundSelect,
    Select,
    SQLColumnExpression,
    bindparam,
    delete,
    event,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.folding import fold_text
from storage.models import (
    Membership,
    Offer,
    Organization,
    Person,
    offer_field,
    offer_target_group,
    organization_field,
    person_field,
)
from storage.search.scoring import counted_words, joined
from storage.search.sql import (
    ANALYZE_INDEX,
    FTS_DELETE,
    FTS_OPTIMIZE,
    FTS_REBUILD,
    KINDS,
    entry_id,
    is_kind,
    search_entry,
    search_facet,
    search_fts,
    search_word,
)

_PURGE_PENDING = "search_index_purge_pending"
_Row = TypeVarTuple("_Row")


@dataclass(frozen=True)
class Document:
    """What the index holds about one record."""

    id: int
    name: str
    body: str
    gemeinde: str
    terms: frozenset[int]

    @property
    def words(self) -> set[str]:
        """The words ``search_word`` counts for this record."""
        return counted_words(self.name, self.body)


def _grouped(rows: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped


def _purge_index(session: Session) -> None:
    session.info.pop(_PURGE_PENDING, None)
    session.execute(FTS_OPTIMIZE)


@dataclass
class IndexMaintenance:
    """Writes the index: after every change of a record, and anew from all records."""

    session: AsyncSession

    @property
    def _fts(self) -> bool:
        """Whether the FTS5 index exists (SQLite)."""
        return self.session.get_bind().dialect.name == "sqlite"

    # ----------------------------------------------------------------- keeping it current

    async def index_person(self, person: Person) -> None:
        """(Re)index a person: after it was added, changed or linked to an organisation."""
        await self._replace(await self._person_documents([person.id]))

    async def index_organization(self, organization: Organization) -> None:
        """(Re)index an organisation and what is found by its name: its people and offers."""
        await self._replace(await self._organization_documents([organization.id]))
        await self._reindex_dependants(organization.id)

    async def index_offer(self, offer: Offer) -> None:
        """(Re)index an offer."""
        await self._replace(await self._offer_documents([offer.id]))

    async def remove(self, kind: str, record_id: int) -> None:
        """Take a record out of the index, before it is deleted.

        The index is purged of every trace of it when the transaction commits.
        """
        if not is_kind(kind):
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        await self._delete_entries([entry_id(kind, record_id)])
        if kind == "organization":
            await self._reindex_dependants(record_id, removed=True)
        self._purge_on_commit()

    async def rebuild(self) -> int:
        """Index every record anew (after an import, or when the index was lost).

        Returns the number of records indexed.
        """
        for table in (search_facet, search_entry, search_word):
            await self.session.execute(delete(table))
        documents = [
            *await self._person_documents(None),
            *await self._organization_documents(None),
            *await self._offer_documents(None),
        ]
        await self._insert(documents, with_fts=False)
        counted: Counter[str] = Counter()
        for document in documents:
            counted.update(document.words)
        await self._change_word_counts(counted)
        if self._fts:
            # Built in one pass from search_entry, then merged into a single segment.
            await self.session.execute(FTS_REBUILD)
            await self.session.execute(FTS_OPTIMIZE)
        elif self.session.get_bind().dialect.name == "postgresql":
            # PostgreSQL plans the LIKE by its statistics of the columns; after a rebuild they
            # would describe the old index until autovacuum comes round.
            await self.session.execute(ANALYZE_INDEX)
        return len(documents)

    async def is_stale(self) -> bool:
        """Whether the index lacks records (e.g. a database from before the index existed)."""
        indexed = await self.session.scalar(select(func.count()).select_from(search_entry))
        records = await self.session.scalar(
            select(
                select(func.count()).select_from(Person).scalar_subquery()
                + select(func.count()).select_from(Organization).scalar_subquery()
                + select(func.count()).select_from(Offer).scalar_subquery()
            )
        )
        return indexed != records

    # ----------------------------------------------------------------- documents

    async def _rows(
        self,
        statement: Select[*_Row] | CompoundSelect[*_Row],
        ids: Sequence[int] | None,
    ) -> list[tuple[*_Row]]:
        """The rows of ``statement``; none when ``ids`` is empty (it restricts the statement)."""
        if ids is not None and not ids:
            return []
        return list(await self.session.execute(statement))

    @staticmethod
    def _only(
        statement: Select[*_Row], column: SQLColumnExpression[int], ids: Sequence[int] | None
    ) -> Select[*_Row]:
        """``statement`` restricted to ``column IN ids``, unless ids is None (every row)."""
        return statement if ids is None else statement.where(column.in_(list(ids)))

    async def _terms_of(
        self,
        owner: SQLColumnExpression[int],
        term: SQLColumnExpression[int],
        ids: Sequence[int] | None,
    ) -> dict[int, list[int]]:
        """The term ids of each owner in a link table (of ``ids`` only, unless None)."""
        return _grouped(await self._rows(self._only(select(owner, term), owner, ids), ids))

    async def _person_documents(
        self, ids: Sequence[int] | None, without_organization: int | None = None
    ) -> list[Document]:
        persons = await self._rows(
            self._only(
                select(Person.id, Person.title, Person.name, Person.gemeinde), Person.id, ids
            ),
            ids,
        )
        jobs_query = (
            select(
                Membership.person_id,
                Membership.function,
                Organization.id,
                Organization.name,
                Organization.gemeinde,
            )
            .outerjoin(Organization, Organization.id == Membership.organization_id)
            .order_by(Membership.id)
        )
        memberships = await self._rows(self._only(jobs_query, Membership.person_id, ids), ids)
        terms = await self._terms_of(person_field.c.person_id, person_field.c.term_id, ids)
        organization_ids = sorted({row[2] for row in memberships if row[2] is not None})
        fields_of = await self._terms_of(
            organization_field.c.organization_id,
            organization_field.c.term_id,
            None if ids is None else organization_ids,
        )
        jobs: dict[int, list[tuple[str, int | None, str | None, str | None]]] = defaultdict(list)
        for person_id, function, organization_id, name, gemeinde in memberships:
            if organization_id is None or organization_id != without_organization:
                jobs[person_id].append((function, organization_id, name, gemeinde))
        documents = []
        for person_id, title, name, gemeinde in persons:
            work = jobs.get(person_id, [])
            gemeinden = [gemeinde] + [job[3] for job in work]
            person_terms = set(terms.get(person_id, ()))
            for _function, employer_id, _name, _gemeinde in work:
                if employer_id is not None:
                    person_terms.update(fields_of.get(employer_id, ()))
            documents.append(
                Document(
                    id=entry_id("person", person_id),
                    name=fold_text(name),
                    body=joined(
                        title, *(job[0] for job in work), *(job[2] for job in work), *gemeinden
                    ),
                    gemeinde=fold_text(next((g for g in gemeinden if g), "")),
                    terms=frozenset(person_terms),
                )
            )
        return documents

    async def _organization_documents(self, ids: Sequence[int] | None) -> list[Document]:
        organizations = await self._rows(
            self._only(
                select(
                    Organization.id, Organization.name, Organization.gemeinde, Organization.kind_id
                ),
                Organization.id,
                ids,
            ),
            ids,
        )
        fields_of = await self._terms_of(
            organization_field.c.organization_id, organization_field.c.term_id, ids
        )
        return [
            Document(
                id=entry_id("organization", organization_id),
                name=fold_text(name),
                body=joined(gemeinde),
                gemeinde=fold_text(gemeinde),
                terms=frozenset(
                    {*fields_of.get(organization_id, ()), *([kind_id] if kind_id else [])}
                ),
            )
            for organization_id, name, gemeinde, kind_id in organizations
        ]

    async def _offer_documents(
        self, ids: Sequence[int] | None, without_organization: int | None = None
    ) -> list[Document]:
        offers_query = select(
            Offer.id,
            Offer.title,
            Offer.place,
            Offer.gemeinde,
            Offer.description,
            Organization.id,
            Organization.name,
            Organization.gemeinde,
        ).outerjoin(Organization, Organization.id == Offer.provider_id)
        offers = await self._rows(self._only(offers_query, Offer.id, ids), ids)
        terms_query = union_all(
            self._only(
                select(offer_field.c.offer_id, offer_field.c.term_id), offer_field.c.offer_id, ids
            ),
            self._only(
                select(offer_target_group.c.offer_id, offer_target_group.c.term_id),
                offer_target_group.c.offer_id,
                ids,
            ),
        )
        terms = _grouped(await self._rows(terms_query, ids))
        documents = []
        for offer_id, title, place, gemeinde, description, provider_id, provider, home in offers:
            # An organisation being removed no longer lends its name and place to its offers.
            gone = provider_id is not None and provider_id == without_organization
            documents.append(
                Document(
                    id=entry_id("offer", offer_id),
                    name=fold_text(title),
                    body=joined(None if gone else provider, place, gemeinde, description),
                    gemeinde=fold_text(gemeinde or (None if gone else home) or ""),
                    terms=frozenset(terms.get(offer_id, ())),
                )
            )
        return documents

    async def _reindex_dependants(self, organization_id: int, removed: bool = False) -> None:
        """Persons and offers are found by their organisation's name and fields: keep them so."""
        without = organization_id if removed else None
        members = await self.session.scalars(
            select(Membership.person_id)
            .distinct()
            .where(Membership.organization_id == organization_id)
        )
        offers = await self.session.scalars(
            select(Offer.id).where(Offer.provider_id == organization_id)
        )
        member_ids, offer_ids = list(members), list(offers)
        if member_ids:
            await self._replace(await self._person_documents(member_ids, without))
        if offer_ids:
            await self._replace(await self._offer_documents(offer_ids, without))

    # ----------------------------------------------------------------- writing

    async def _replace(self, documents: Sequence[Document]) -> None:
        if not documents:
            return
        old = await self._delete_entries([document.id for document in documents], count=False)
        await self._insert(documents, with_fts=self._fts)
        change: Counter[str] = Counter()
        for counted in old:
            change.subtract(counted)
        for document in documents:
            change.update(document.words)
        await self._change_word_counts(change)

    async def _delete_entries(self, ids: Sequence[int], count: bool = True) -> list[set[str]]:
        """Delete entries (FTS rows first: FTS5 needs the old text to find its tokens).

        Returns the word sets of the deleted entries; their counts drop unless ``count`` is
        false (the caller settles them).
        """
        if not ids:
            return []
        entry = search_entry.c
        rows = list(
            await self.session.execute(
                select(entry.id, entry.name, entry.body).where(entry.id.in_(list(ids)))
            )
        )
        if not rows:
            return []
        if self._fts:
            await self.session.execute(
                FTS_DELETE, [{"id": key, "name": name, "body": body} for key, name, body in rows]
            )
        found = [key for key, _name, _body in rows]
        await self.session.execute(delete(search_facet).where(search_facet.c.entry_id.in_(found)))
        await self.session.execute(delete(search_entry).where(entry.id.in_(found)))
        old = [counted_words(name, body) for _key, name, body in rows]
        if count:
            change: Counter[str] = Counter()
            for counted in old:
                change.subtract(counted)
            await self._change_word_counts(change)
        return old

    async def _insert(self, documents: Sequence[Document], with_fts: bool) -> None:
        entries = [
            {"id": d.id, "name": d.name, "body": d.body, "gemeinde": d.gemeinde} for d in documents
        ]
        await self.session.execute(insert(search_entry), entries)
        facets = [
            {"term_id": term, "entry_id": d.id} for d in documents for term in sorted(d.terms)
        ]
        if facets:
            await self.session.execute(insert(search_facet), facets)
        if with_fts:
            await self.session.execute(
                insert(search_fts),
                [{"rowid": d.id, "name": d.name, "body": d.body} for d in documents],
            )

    async def _change_word_counts(self, change: Mapping[str, int]) -> None:
        more = [
            {"word": word, "backwards": word[::-1], "documents": n}
            for word, n in change.items()
            if n > 0
        ]
        fewer = [{"the_word": word, "change": n} for word, n in change.items() if n < 0]
        known = search_word.c
        if more:
            dialect = self.session.get_bind().dialect.name
            upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(search_word)
            await self.session.execute(
                upsert.on_conflict_do_update(
                    index_elements=[known.word],
                    set_={"documents": known.documents + upsert.excluded.documents},
                ),
                more,
            )
        if fewer:
            await self.session.execute(
                update(search_word)
                .where(known.word == bindparam("the_word"))
                .values(documents=known.documents + bindparam("change")),
                fewer,
            )
            # A word no record holds any more goes, names of erased persons included.
            await self.session.execute(
                delete(search_word).where(
                    known.word.in_([row["the_word"] for row in fewer]), known.documents <= 0
                )
            )

    def _purge_on_commit(self) -> None:
        """Merge the FTS5 index once, just before the transaction that removed records commits.

        Until segments are merged, FTS5 keeps a deleted row's tokens (and delete markers that
        repeat them); a full merge drops both. One merge per transaction keeps bulk deletions
        cheap.
        """
        if not self._fts:
            return
        sync_session = self.session.sync_session
        if sync_session.info.get(_PURGE_PENDING):
            return
        sync_session.info[_PURGE_PENDING] = True
        event.listen(sync_session, "before_commit", _purge_index, once=True)
