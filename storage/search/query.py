"""Answering a query: reading it against the vocabulary and the known words, then choosing
for each part the statement that finds its matches cheaply (the query plan is ours: SQLite
keeps no statistics of a bot's database, and PostgreSQL can only guess at ``LIKE '%…%'``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from sqlalchemy import ColumnElement, Select, distinct, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.folding import fold_text
from storage.models import VocabularyTerm
from storage.search.scoring import (
    STOPWORDS,
    TEXT_SCORE,
    ParsedQuery,
    QueryWord,
    allowed_edits,
    score,
    terms_named,
    umlaut_spellings,
    words,
)
from storage.search.sql import (
    KINDS,
    Filters,
    contains,
    filter_conditions,
    fts_group,
    fts_match,
    has_term,
    in_ranges,
    kind_range,
    search_entry,
    search_facet,
    search_fts,
    search_word,
    split_entry_id,
    unindexed,
)

CANDIDATE_LIMIT = 500
"""Text matches fetched and ranked per query; beyond that the total is a lower bound."""
# Records holding a word from which walking the entries in id order beats collecting the matches
# from PostgreSQL's trigram indexes: the walk reads about 500 × entries / matches rows, the
# index one row per match, at about a quarter of the cost each.
_DENSE_WORD = 4000
_MAX_CORRECTIONS = 5


@dataclass(frozen=True)
class Hit:
    """One search result: which record, and how well it matched (100 = the name itself)."""

    kind: str  # person | organization | offer
    id: int
    score: float


@dataclass(frozen=True)
class SearchPage:
    """One page of results and how many there are in all.

    When ``capped`` is true, more than ``CANDIDATE_LIMIT`` records matched the text and
    ``total`` is a lower bound: show it as "500+" and suggest a narrower query.
    """

    hits: list[Hit]
    total: int
    capped: bool = False


def _hit(key: int, rank: float) -> Hit:
    kind, record_id = split_entry_id(key)
    return Hit(kind, record_id, rank)


@dataclass
class SearchQueries:
    """The search over the index. ``scan=True`` answers queries by the LIKE statement even
    where FTS5 exists: the benchmark's baseline. On PostgreSQL that statement is the indexed
    path anyway (pg_trgm)."""

    session: AsyncSession
    scan: bool = False

    @property
    def _fts(self) -> bool:
        """Whether the FTS5 index exists (SQLite); elsewhere LIKE runs on trigram indexes."""
        return self.session.get_bind().dialect.name == "sqlite"

    @property
    def _trigram(self) -> bool:
        """Whether LIKE over the folded columns has trigram indexes (PostgreSQL, pg_trgm)."""
        return self.session.get_bind().dialect.name == "postgresql"

    async def search(
        self,
        query: str,
        kinds: Collection[str] = ("person", "organization"),
        *,
        gemeinde: str | None = None,
        field_ids: Collection[int] = (),
        target_group_ids: Collection[int] = (),
        limit: int = 10,
        offset: int = 0,
    ) -> SearchPage:
        """Records matching ``query`` and all filters, best first; one page of them.

        ``gemeinde`` matches in any spelling; ``field_ids`` keeps records with any of these
        Handlungsfelder (persons also through their organisations); ``target_group_ids`` keeps
        offers for any of these target groups. An empty query lists by name.
        """
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError(f"kinds must be some of {KINDS}, not {sorted(unknown)}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        filters = Filters(
            kinds=tuple(sorted(set(kinds), key=KINDS.index)),
            gemeinde=None if gemeinde is None else fold_text(gemeinde),
            field_ids=tuple(sorted(set(field_ids))),
            target_group_ids=tuple(sorted(set(target_group_ids))),
        )
        parsed = await self._parse(query)
        if not parsed.words:
            total, rows = await self._term_matches(filters, [], offset + limit)
            return SearchPage([_hit(key, TEXT_SCORE) for key, _n in rows[offset:]], total)

        # Text matches. When there are too many to rank them all, those in the name come
        # first, so that a flood of matches elsewhere (every person of every "…schule") cannot
        # push the names out of the ranked candidates.
        matches = await self._text_matches(parsed, filters, names_only=False)
        capped = len(matches) > CANDIDATE_LIMIT
        if capped:
            by_name = await self._text_matches(parsed, filters, names_only=True)
            matches = by_name[:CANDIDATE_LIMIT] + matches[:CANDIDATE_LIMIT]
        ranked: dict[int, tuple[float, str]] = {
            key: (score(parsed, name, body), name) for key, name, body in matches
        }
        total = len(ranked)

        # Term matches: every record with the named Handlungsfeld etc., all with TEXT_SCORE.
        groups = parsed.term_groups()
        if groups:
            overlap = await self._having_terms(list(ranked), groups)
            count, rows = await self._term_matches(filters, groups, offset + limit + len(overlap))
            total += count - len(overlap)
            for key, name in rows:
                ranked.setdefault(key, (TEXT_SCORE, name))

        order = sorted(ranked.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
        return SearchPage(
            hits=[_hit(key, rank) for key, (rank, _name) in order[offset : offset + limit]],
            total=total,
            capped=capped,
        )

    # ----------------------------------------------------------------- reading the query

    async def _parse(self, query: str) -> ParsedQuery:
        folded = words(fold_text(query))
        if not folded:
            return ParsedQuery("", (), frozenset())
        vocabulary = await self._vocabulary()
        whole = " ".join(folded)
        variants = {word: umlaut_spellings(word) for word in folded}
        known = await self._known_words({*folded, *(v for vs in variants.values() for v in vs)})
        parsed: list[QueryWord] = []
        for word in folded:
            terms = frozenset().union(
                *(terms_named(spelling, vocabulary) for spelling in {word, *variants[word]})
            )
            alternatives = {variant for variant in variants[word] if variant in known}
            if len(word) >= 3 and word not in (known | STOPWORDS) and not terms:
                alternatives |= await self._corrections(word)
            parsed.append(QueryWord(word, frozenset(alternatives), terms))
        whole_terms = terms_named(whole, vocabulary) if len(folded) > 1 else frozenset()
        return ParsedQuery(whole, tuple(parsed), whole_terms)

    async def _vocabulary(self) -> dict[int, set[str]]:
        rows = await self.session.execute(
            select(
                VocabularyTerm.id,
                VocabularyTerm.key,
                VocabularyTerm.label_de,
                VocabularyTerm.label_en,
                VocabularyTerm.aliases,
            ).where(VocabularyTerm.active.is_(True))
        )
        vocabulary: dict[int, set[str]] = {}
        for term_id, key, label_de, label_en, aliases in rows:
            spellings = [key, label_de, label_en, *aliases]
            vocabulary[term_id] = {" ".join(words(fold_text(s))) for s in spellings} - {""}
        return vocabulary

    async def _known_words(self, candidates: Collection[str]) -> set[str]:
        rows = await self.session.scalars(
            select(search_word.c.word).where(search_word.c.word.in_(sorted(candidates)))
        )
        return set(rows)

    async def _corrections(self, word: str) -> set[str]:
        """The known words nearest to ``word``, a typo or two away, found by its first or its
        last letter (a typo rarely hits both)."""
        head, tail = word[0], word[-1]
        known = search_word.c
        rows = await self.session.execute(
            union(
                select(known.word, known.documents).where(
                    known.word >= head, known.word < chr(ord(head) + 1)
                ),
                select(known.word, known.documents).where(
                    known.backwards >= tail, known.backwards < chr(ord(tail) + 1)
                ),
            )
        )
        allowed = allowed_edits(word)
        documents: dict[str, int] = {}
        distances: dict[str, int] = {}
        for candidate, count in rows:
            if abs(len(candidate) - len(word)) <= allowed:
                distance = OSA.distance(word, candidate, score_cutoff=allowed)
                if distance <= allowed:
                    documents[candidate], distances[candidate] = count, distance
        if not distances:
            return set()
        closest = min(distances.values())
        nearest = [candidate for candidate, distance in distances.items() if distance == closest]
        # Among equally near words, the common ones are the likelier meaning.
        nearest.sort(key=lambda candidate: (-documents[candidate], candidate))
        return set(nearest[:_MAX_CORRECTIONS])

    # ----------------------------------------------------------------- finding the matches

    async def _text_matches(
        self, parsed: ParsedQuery, filters: Filters, names_only: bool
    ) -> list[tuple[int, str, str]]:
        """Up to ``CANDIDATE_LIMIT + 1`` records matching every word: (id, name, text)."""
        plain = [word for word in parsed.matching if not word.terms]
        drivers = plain or list(parsed.matching)
        use_fts = (
            self._fts
            and not self.scan
            and any(len(spelling) >= 3 for word in drivers for spelling in word.spellings)
        )
        # With the index, conditions on the id test the index's rowid: an entry that fails
        # them is never read.
        entry = search_fts.c.rowid if use_fts else search_entry.c.id
        conditions = filter_conditions(filters, entry)
        fts_groups: list[str] = []
        for word in parsed.matching:
            indexed = [spelling for spelling in word.spellings if len(spelling) >= 3]
            if word not in drivers:
                # A word naming a term, next to other words: it matches as text or as the
                # term. The candidate row is at hand, so LIKE is cheaper than another MATCH.
                conditions.append(contains(word.spellings) | has_term(word.terms, entry))
            elif use_fts and indexed:
                fts_groups.append(fts_group(indexed))
            else:
                conditions.append(contains(word.spellings, names_only))
        columns = select(search_entry.c.id, search_entry.c.name, search_entry.c.body)
        if not use_fts:
            order: ColumnElement[int] = search_entry.c.id
            if self._trigram and not await self._walk_in_id_order(drivers, filters):
                # No walk along the primary key: the trigram indexes collect, then sort.
                order = unindexed(search_entry.c.id)
            statement = columns.where(*conditions).order_by(order)
            return await self._triples(statement.limit(CANDIDATE_LIMIT + 1))
        expression = " AND ".join(fts_groups)
        if names_only:
            expression = f"{{name}} : ({expression})"
        if filters.gemeinde is not None and len(filters.gemeinde) >= 3:
            # The Gemeinde is part of every entry's text, so the index can narrow by it, far
            # cheaper than reading each match; the Gemeinde column keeps it exact.
            expression += f" AND {fts_group([filters.gemeinde])}"
        ranges = filters.ranges()
        statement = (
            columns.select_from(search_fts.join(search_entry, search_entry.c.id == entry))
            .where(fts_match(expression), entry.between(ranges[0][0], ranges[-1][1]), *conditions)
            .order_by(entry)
        )
        return await self._triples(statement.limit(CANDIDATE_LIMIT + 1))

    async def _walk_in_id_order(self, drivers: Sequence[QueryWord], filters: Filters) -> bool:
        """Whether PostgreSQL may find text matches by walking the entries in id order, stopping
        at ``CANDIDATE_LIMIT``; if not, the trigram indexes collect them all and they are sorted.

        The walk wins only where matches are dense: one common word and no filter. PostgreSQL
        can only guess how many rows ``LIKE '%…%'`` matches, and a wrong guess walks the whole
        table for a rare name; ``search_word`` knows how many records hold words containing it.
        """
        if len(drivers) != 1 or filters.gemeinde is not None or filters.groups:
            return False
        # Words containing the query word ("schule" in "grundschule") count too; a record
        # holding two of them counts twice, which is near enough for choosing a plan.
        known = search_word.c
        spellings = [known.word.like(f"%{spelling}%") for spelling in drivers[0].spellings]
        documents = await self.session.scalar(
            select(func.sum(known.documents)).where(or_(*spellings))
        )
        return (documents or 0) >= _DENSE_WORD

    async def _triples(self, statement: Select[int, str, str]) -> list[tuple[int, str, str]]:
        return list(await self.session.execute(statement))

    async def _having_terms(
        self, ids: Sequence[int], groups: Sequence[Collection[int]]
    ) -> set[int]:
        """Those of ``ids`` that have a term of every group."""
        having = set(ids)
        for group in groups:
            if not having:
                break
            rows = await self.session.scalars(
                select(search_facet.c.entry_id)
                .distinct()
                .where(
                    search_facet.c.entry_id.in_(sorted(having)),
                    search_facet.c.term_id.in_(sorted(group)),
                )
            )
            having &= set(rows)
        return having

    async def _term_matches(
        self, filters: Filters, term_groups: Sequence[Collection[int]], wanted: int
    ) -> tuple[int, list[tuple[int, str]]]:
        """Records passing the filters with a term of every group: how many, first ones by name.

        The plan is chosen here, not left to SQLite (which has no statistics on a bot's
        database): by Gemeinde, through its index, which is in name order; else, when matches
        are dense, along the name index, testing each entry, which stops after ``wanted``;
        else from the facet list, sorting what it finds.
        """
        groups = [*term_groups, *filters.groups]
        ranges = filters.ranges()
        entry = search_entry.c
        by_name = select(entry.id, entry.name).order_by(entry.name, entry.id).limit(wanted)
        if filters.gemeinde is not None or not groups:
            tests = [has_term(group, entry.id) for group in groups]
            if filters.gemeinde is not None:
                tests.insert(0, entry.gemeinde == filters.gemeinde)
            count = await self.session.scalar(
                select(func.count())
                .select_from(search_entry)
                .where(in_ranges(entry.id, ranges), *tests)
            )
            # The Gemeinde index (gemeinde, name) or the name index gives the order; the id as
            # an expression keeps SQLite from walking the id range and sorting instead.
            walk = by_name.where(in_ranges(unindexed(entry.id), ranges), *tests)
            rows = await self.session.execute(walk)
            return int(count or 0), list(rows)
        first, rest = groups[0], groups[1:]
        facet = search_facet.alias()
        facets = [
            facet.c.term_id.in_(sorted(first)),
            in_ranges(facet.c.entry_id, ranges),
            *(has_term(group, facet.c.entry_id) for group in rest),
        ]
        count = int(
            await self.session.scalar(
                select(func.count(distinct(facet.c.entry_id))).where(*facets)
            )
            or 0
        )
        if count == 0:
            return 0, []
        if count * count >= wanted * await self._size(filters):
            # Dense: about wanted * size / count entries are walked in name order.
            having = [has_term(group, entry.id) for group in groups]
            where = [in_ranges(unindexed(entry.id), ranges), *having]
        else:
            # Sparse: few enough to fetch them all and sort by name.
            ids = await self.session.scalars(select(facet.c.entry_id).distinct().where(*facets))
            where = [entry.id.in_(list(ids))]
        rows = await self.session.execute(by_name.where(*where))
        return count, list(rows)

    async def _size(self, filters: Filters) -> int:
        """About how many entries the kinds have (ids are dense; deletions leave small gaps)."""
        size = 0
        for kind in filters.kinds:
            low, high = kind_range(kind)
            top = await self.session.scalar(
                select(func.max(search_entry.c.id)).where(search_entry.c.id.between(low, high))
            )
            size += 0 if top is None else top - low
        return max(size, 1)
