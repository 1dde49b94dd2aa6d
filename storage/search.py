"""Search over persons, organisations and offers: ranked, tolerant of typos and umlaut spellings.

How records are found (SQLite). Every record has one row in ``search_entry``: its folded name
(``fold_text``), a folded text of what else it is found by, and its folded Gemeinde. An FTS5
index with the trigram tokenizer covers name and text, so every substring of three or more
letters is found through the index — German compounds need that ("arbeit" finds
"Schulsozialarbeit"). Vocabulary terms (Handlungsfelder, Zielgruppen, organisation kinds) are not
copied into the text: a record's terms are rows of ``search_facet`` (a person has their own fields
and those of their organisations), and a query word that is a term's label, key or alias in any
spelling ("ÜSB", "uebergang schule beruf") matches the records with that term. So renaming a term
needs no reindexing, and the field filters are index lookups.

Typos and umlauts. ``search_word`` counts, per word, the records that contain it. A query word
that no record contains is also searched as the known words closest to it (OSA distance 1, or 2
for words of six letters or more), and a/o/u typed for ä/ö/ü also try ae/oe/ue ("Muller" finds
"Müller"). Words of one or two letters and stop words ("AG", "e.V.", "und") need not match; they
only count for the rank. Matches are ranked by how the query meets the name (equal, whole word,
correction, prefix, part; rapidfuzz orders within a tier); a record matching elsewhere, or only
by a term, gets ``TEXT_SCORE``. Equal scores go by name, then id.

PostgreSQL has no FTS5. There the text condition is ``LIKE '%…%'`` over the same folded columns
of ``search_entry``, and GIN trigram indexes (pg_trgm, migration 0006) answer it: the same
substrings of three or more letters are found through an index. Everything else — folding,
``search_word`` corrections, facets, ranking — is the same code on both, and the folded columns
compare by bytes (collation "C") as on SQLite, so both give the same pages.

Data protection. Only names, titles, functions, organisation names and Gemeinden — for offers
title, provider, place, Gemeinde and description — are indexed: never e-mail, phone or notes.
``remove()`` deletes a record's entry, facets and words. FTS5 (SQLite 3.40) keeps the tokens of a
deleted row in its segments until they are merged, so before a transaction that removed a record
commits, the index is merged completely ('optimize'); with ``secure_delete`` the freed pages are
zeroed, and an erased person leaves no trace in the file. PostgreSQL drops the rows and their
index entries at once, but keeps the dead row versions in its data files and WAL until VACUUM
and checkpoints reuse the space; that part of erasure is the database administrator's.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from sqlalchemy import TextClause, bindparam, event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.folding import fold_text
from storage.models import Offer, Organization, Person

KINDS = ("person", "organization", "offer")
# An entry id is the record id with the kind in the high bits: each kind is one contiguous id
# range, which FTS5 can restrict a MATCH to (rowid BETWEEN …) without looking at other kinds.
_KIND_CODES = {"person": 1, "organization": 2, "offer": 3}
_ID_BITS = 40

CANDIDATE_LIMIT = 500
"""Text matches fetched and ranked per query; beyond that the total is a lower bound."""
TEXT_SCORE = 60.0
"""The score of a match outside the name (function, organisation, Gemeinde, term)."""
_MAX_WORD_LENGTH = 64
# Records holding a word from which walking the entries in id order beats collecting the matches
# from PostgreSQL's trigram indexes: the walk reads about 500 × entries / matches rows, the
# index one row per match, at about a quarter of the cost each.
_DENSE_WORD = 4000
_MAX_CORRECTIONS = 5
_PURGE_PENDING = "search_index_purge_pending"
_INDEX_TABLES = frozenset({"search_entry", "search_facet", "search_word", "search_fts"})
_WORD = re.compile(r"[^\W_]+")
# Words too common to find anything by (as are words of one or two letters): they only rank.
_STOPWORDS = frozenset(
    {"und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine", "fuer", "mit", "von",
     "vom", "zum", "zur", "auf", "bei", "and", "the", "for", "with"}
)  # fmt: skip


def is_index_table(name: str) -> bool:
    """Whether ``name`` is a table of the search index (incl. FTS5's shadow tables).

    These tables are created by migration 0003, not by the models: the FTS5 virtual table
    cannot be declared in SQLAlchemy metadata.
    """
    return name in _INDEX_TABLES or name.startswith("search_fts_")


def entry_id(kind: str, record_id: int) -> int:
    """The search entry id of a record."""
    return _KIND_CODES[kind] << _ID_BITS | record_id


def _kind_range(kind: str) -> tuple[int, int]:
    low = _KIND_CODES[kind] << _ID_BITS
    return low, low | ((1 << _ID_BITS) - 1)


def _split_entry_id(value: int) -> tuple[str, int]:
    code = value >> _ID_BITS
    kind = next(name for name, number in _KIND_CODES.items() if number == code)
    return kind, value & ((1 << _ID_BITS) - 1)


def _words(folded: str) -> list[str]:
    return _WORD.findall(folded)


def _joined(*parts: str | None) -> str:
    """Folded parts, each once, kept apart so no match spans two of them."""
    seen: list[str] = []
    for part in parts:
        folded = fold_text(part or "")
        if folded and folded not in seen:
            seen.append(folded)
    return " ; ".join(seen)


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


@dataclass(frozen=True)
class _Document:
    """What the index holds about one record."""

    id: int
    name: str
    body: str
    gemeinde: str
    terms: frozenset[int]

    @property
    def words(self) -> set[str]:
        return {
            word for word in _words(self.name) + _words(self.body) if len(word) <= _MAX_WORD_LENGTH
        }


@dataclass(frozen=True)
class _Word:
    """A query word, the known spellings it may stand for, and the terms it names."""

    text: str
    alternatives: frozenset[str] = frozenset()
    terms: frozenset[int] = frozenset()

    @property
    def spellings(self) -> list[str]:
        return [self.text, *sorted(self.alternatives - {self.text})]


@dataclass(frozen=True)
class _Query:
    """A parsed query: its folded words, and what they may mean."""

    text: str
    words: tuple[_Word, ...]
    terms: frozenset[int]  # terms the whole query names ("übergang schule beruf")

    @property
    def matching(self) -> tuple[_Word, ...]:
        """The words a match must contain. Words of one or two letters ("AG", "e.V.") and
        stop words ("und", "für") only rank, unless the query has nothing else."""
        return (
            tuple(w for w in self.words if len(w.text) >= 3 and w.text not in _STOPWORDS)
            or self.words
        )


@dataclass(frozen=True)
class _Filters:
    """What every hit must be, whatever the query: kinds, Gemeinde (folded), terms."""

    kinds: tuple[str, ...]
    gemeinde: str | None
    field_ids: tuple[int, ...]
    target_group_ids: tuple[int, ...]

    @property
    def groups(self) -> list[tuple[int, ...]]:
        """Term filters: a record must have a term of each group."""
        return [ids for ids in (self.field_ids, self.target_group_ids) if ids]

    def ranges(self) -> list[tuple[int, int]]:
        """The entry id ranges of the kinds, adjacent kinds merged."""
        merged: list[tuple[int, int]] = []
        for low, high in sorted(_kind_range(kind) for kind in self.kinds):
            if merged and merged[-1][1] + 1 == low:
                merged[-1] = (merged[-1][0], high)
            else:
                merged.append((low, high))
        return merged


class _Sql:
    """Collects bound parameters while a statement is put together: no value is spliced in."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._lists: list[str] = []

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def bind_all(self, values: Iterable[Any]) -> str:
        """A list, written ``IN :name``: expanded when run, so long id lists stay cheap."""
        name = f"p{len(self.params)}"
        self.params[name] = list(values)
        self._lists.append(name)
        return f":{name}"

    def text(self, statement: str) -> TextClause:
        """``statement`` with its list parameters (a builder may serve several statements)."""
        used = [name for name in self._lists if re.search(rf":{name}(?!\d)", statement)]
        return text(statement).bindparams(*(bindparam(name, expanding=True) for name in used))

    def in_ranges(self, column: str, ranges: Sequence[tuple[int, int]]) -> str:
        parts = [
            f"{column} BETWEEN {self.bind(low)} AND {self.bind(high)}" for low, high in ranges
        ]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def has_term(self, term_ids: Collection[int], entry: str = "e.id") -> str:
        alias = f"f{len(self.params)}"
        return (
            f"EXISTS (SELECT 1 FROM search_facet {alias} WHERE {alias}.entry_id = {entry}"
            f" AND {alias}.term_id IN {self.bind_all(sorted(term_ids))})"
        )

    def contains(self, spellings: Iterable[str], names_only: bool = False) -> str:
        parts = []
        for spelling in spellings:
            pattern = self.bind(f"%{spelling}%")  # words hold no % or _ (see _WORD)
            parts.append(f"e.name LIKE {pattern}")
            if not names_only:
                parts.append(f"e.body LIKE {pattern}")
        return "(" + " OR ".join(parts) + ")"

    def filters(self, filters: _Filters, entry: str = "e.id") -> list[str]:
        """Conditions for kinds, Gemeinde and the field and target group filters."""
        conditions = [self.in_ranges(entry, filters.ranges())]
        conditions.extend(self.has_term(group, entry) for group in filters.groups)
        if filters.gemeinde is not None:
            conditions.append(f"e.gemeinde = {self.bind(filters.gemeinde)}")
        return conditions


def _fts_group(spellings: Iterable[str]) -> str:
    """An FTS5 expression: any of the spellings as a substring (trigram phrase)."""
    quoted = ('"' + spelling.replace('"', '""') + '"' for spelling in spellings)
    return "(" + " OR ".join(quoted) + ")"


def _umlaut_spellings(word: str) -> set[str]:
    """``word`` with a/o/u read as ä/ö/ü (folded: ae/oe/ue), at up to three places at once."""
    places = [i for i, ch in enumerate(word) if ch in "aou" and word[i + 1 : i + 2] != "e"][:6]
    spellings = set()
    for count in range(1, min(3, len(places)) + 1):
        for chosen in combinations(places, count):
            letters = list(word)
            for place in chosen:
                letters[place] += "e"
            spellings.add("".join(letters))
    return spellings


def _allowed_edits(word: str) -> int:
    return 1 if len(word) < 6 else 2


def _word_score(word: _Word, tokens: Sequence[str], body: str) -> float:
    """How well one query word meets a name's words: 1 equal … 0 not at all."""
    best = 0.0
    for token in tokens:
        if token == word.text:
            return 1.0
        if token in word.alternatives:
            tier = 0.9
        elif token.startswith(word.text):
            tier = 0.8
        elif word.text in token:
            tier = 0.7
        elif any(alternative in token for alternative in word.alternatives):
            tier = 0.6
        else:
            continue
        # rapidfuzz orders within a tier (adds at most 0.1): "schul" is nearer "schule" than
        # "schulsozialarbeit".
        best = max(best, tier + fuzz.ratio(word.text, token) / 1000)
    if best == 0.0 and (word.terms or any(spelling in body for spelling in word.spellings)):
        best = 0.5
    return best


def _score(query: _Query, name: str, body: str) -> float:
    """The rank of a text match: 100 for the name itself, never below ``TEXT_SCORE``."""
    tokens = _words(name)
    if " ".join(tokens) == query.text:
        return 100.0
    total = sum(_word_score(word, tokens, body) for word in query.words)
    return max(TEXT_SCORE, round(95.0 * total / len(query.words), 2))


@dataclass
class SearchIndex:
    """Keeps the search index in step with the records and answers queries.

    ``scan=True`` answers queries by the LIKE statement even where FTS5 exists: the benchmark's
    baseline. On PostgreSQL that statement is the indexed path anyway (pg_trgm).
    """

    session: AsyncSession
    scan: bool = False

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
        if kind not in _KIND_CODES:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        await self._delete_entries([entry_id(kind, record_id)])
        if kind == "organization":
            await self._reindex_dependants(record_id, removed=True)
        self._purge_on_commit()

    async def rebuild(self) -> int:
        """Index every record anew (after an import, or when the index was lost).

        Returns the number of records indexed.
        """
        for table in ("search_facet", "search_entry", "search_word"):
            await self.session.execute(text(f"DELETE FROM {table}"))
        documents = [
            *await self._person_documents(None),
            *await self._organization_documents(None),
            *await self._offer_documents(None),
        ]
        await self._insert(documents, with_fts=False)
        words: Counter[str] = Counter()
        for document in documents:
            words.update(document.words)
        await self._change_word_counts(words)
        if self._fts:
            # Built in one pass from search_entry, then merged into a single segment.
            await self.session.execute(
                text("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
            )
            await self.session.execute(
                text("INSERT INTO search_fts(search_fts) VALUES('optimize')")
            )
        elif self._trigram:
            # PostgreSQL plans the LIKE by its statistics of the columns; after a rebuild they
            # would describe the old index until autovacuum comes round.
            await self.session.execute(text("ANALYZE search_entry, search_facet, search_word"))
        return len(documents)

    async def is_stale(self) -> bool:
        """Whether the index lacks records (e.g. a database from before the index existed)."""
        indexed = await self.session.scalar(text("SELECT count(*) FROM search_entry"))
        records = await self.session.scalar(
            text(
                "SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM organization)"
                " + (SELECT count(*) FROM offer)"
            )
        )
        return indexed != records

    # ----------------------------------------------------------------- searching

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
        filters = _Filters(
            kinds=tuple(sorted(set(kinds), key=KINDS.index)),
            gemeinde=None if gemeinde is None else fold_text(gemeinde),
            field_ids=tuple(sorted(set(field_ids))),
            target_group_ids=tuple(sorted(set(target_group_ids))),
        )
        parsed = await self._parse(query)
        if not parsed.words:
            total, rows = await self._term_matches(filters, [], offset + limit)
            return SearchPage([self._hit(key, TEXT_SCORE) for key, _n in rows[offset:]], total)

        # Text matches. When there are too many to rank them all, those in the name come
        # first, so that a flood of matches elsewhere (every person of every "…schule") cannot
        # push the names out of the ranked candidates.
        matches = await self._text_matches(parsed, filters, names_only=False)
        capped = len(matches) > CANDIDATE_LIMIT
        if capped:
            by_name = await self._text_matches(parsed, filters, names_only=True)
            matches = by_name[:CANDIDATE_LIMIT] + matches[:CANDIDATE_LIMIT]
        ranked: dict[int, tuple[float, str]] = {
            key: (_score(parsed, name, body), name) for key, name, body in matches
        }
        total = len(ranked)

        # Term matches: every record with the named Handlungsfeld etc., all with TEXT_SCORE.
        groups = self._term_groups(parsed)
        if groups:
            overlap = await self._having_terms(list(ranked), groups)
            count, rows = await self._term_matches(filters, groups, offset + limit + len(overlap))
            total += count - len(overlap)
            for key, name in rows:
                ranked.setdefault(key, (TEXT_SCORE, name))

        order = sorted(ranked.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
        return SearchPage(
            hits=[self._hit(key, score) for key, (score, _name) in order[offset : offset + limit]],
            total=total,
            capped=capped,
        )

    # ----------------------------------------------------------------- query planning

    @property
    def _fts(self) -> bool:
        """Whether the FTS5 index exists (SQLite); elsewhere LIKE runs on trigram indexes."""
        return self.session.get_bind().dialect.name == "sqlite"

    @property
    def _trigram(self) -> bool:
        """Whether LIKE over the folded columns has trigram indexes (PostgreSQL, pg_trgm)."""
        return self.session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def _hit(key: int, score: float) -> Hit:
        kind, record_id = _split_entry_id(key)
        return Hit(kind, record_id, score)

    @staticmethod
    def _term_groups(parsed: _Query) -> list[frozenset[int]]:
        """Facet conditions that match on their own: the whole query, or every word, a term."""
        if parsed.terms:
            return [parsed.terms]
        if all(word.terms for word in parsed.matching):
            return [word.terms for word in parsed.matching]
        return []

    async def _parse(self, query: str) -> _Query:
        words = _words(fold_text(query))
        if not words:
            return _Query("", (), frozenset())
        vocabulary = await self._vocabulary()
        whole = " ".join(words)
        variants = {word: _umlaut_spellings(word) for word in words}
        known = await self._known_words({*words, *(v for vs in variants.values() for v in vs)})
        parsed: list[_Word] = []
        for word in words:
            terms = frozenset().union(
                *(_terms_named(spelling, vocabulary) for spelling in {word, *variants[word]})
            )
            alternatives = {variant for variant in variants[word] if variant in known}
            if len(word) >= 3 and word not in (known | _STOPWORDS) and not terms:
                alternatives |= await self._corrections(word)
            parsed.append(_Word(word, frozenset(alternatives), terms))
        whole_terms = _terms_named(whole, vocabulary) if len(words) > 1 else frozenset()
        return _Query(whole, tuple(parsed), whole_terms)

    async def _vocabulary(self) -> dict[int, set[str]]:
        rows = await self.session.execute(
            text(
                "SELECT id, key, label_de, label_en, aliases FROM vocabulary_term"
                " WHERE active = :active"
            ),
            {"active": True},
        )
        vocabulary: dict[int, set[str]] = {}
        for term_id, key, label_de, label_en, aliases in rows:
            if isinstance(aliases, str):
                aliases = json.loads(aliases)
            spellings = [key, label_de, label_en, *aliases]
            vocabulary[term_id] = {" ".join(_words(fold_text(s))) for s in spellings} - {""}
        return vocabulary

    async def _known_words(self, words: Collection[str]) -> set[str]:
        sql = _Sql()
        rows = await self.session.scalars(
            sql.text(f"SELECT word FROM search_word WHERE word IN {sql.bind_all(sorted(words))}"),
            sql.params,
        )
        return set(rows)

    async def _corrections(self, word: str) -> set[str]:
        """The known words nearest to ``word``, a typo or two away, found by its first or its
        last letter (a typo rarely hits both)."""
        head, tail = word[0], word[-1]
        rows = await self.session.execute(
            text(
                "SELECT word, documents FROM search_word WHERE word >= :head AND word < :head_end"
                " UNION SELECT word, documents FROM search_word"
                " WHERE backwards >= :tail AND backwards < :tail_end"
            ),
            {
                "head": head,
                "head_end": chr(ord(head) + 1),
                "tail": tail,
                "tail_end": chr(ord(tail) + 1),
            },
        )
        allowed = _allowed_edits(word)
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

    async def _text_matches(
        self, parsed: _Query, filters: _Filters, names_only: bool
    ) -> list[tuple[int, str, str]]:
        """Up to ``CANDIDATE_LIMIT + 1`` records matching every word: (id, name, text)."""
        sql = _Sql()
        plain = [word for word in parsed.matching if not word.terms]
        drivers = plain or list(parsed.matching)
        use_fts = (
            self._fts
            and not self.scan
            and any(len(spelling) >= 3 for word in drivers for spelling in word.spellings)
        )
        # With the index, conditions on the id test the index's rowid: an entry that fails
        # them is never read.
        entry = "search_fts.rowid" if use_fts else "e.id"
        conditions = sql.filters(filters, entry)
        fts_groups: list[str] = []
        for word in parsed.matching:
            indexed = [spelling for spelling in word.spellings if len(spelling) >= 3]
            if word not in drivers:
                # A word naming a term, next to other words: it matches as text or as the
                # term. The candidate row is at hand, so LIKE is cheaper than another MATCH.
                conditions.append(
                    f"({sql.contains(word.spellings)} OR {sql.has_term(word.terms, entry)})"
                )
            elif use_fts and indexed:
                fts_groups.append(_fts_group(indexed))
            else:
                conditions.append(sql.contains(word.spellings, names_only))
        if not use_fts:
            order = "e.id"
            if self._trigram and not await self._walk_in_id_order(drivers, filters):
                # "+ 0": no walk along the primary key; the trigram indexes collect, then sort.
                order = "e.id + 0"
            statement = (
                f"SELECT e.id, e.name, e.body FROM search_entry e WHERE {' AND '.join(conditions)}"
                f" ORDER BY {order} LIMIT {CANDIDATE_LIMIT + 1}"
            )
            return await self._triples(sql, statement)
        expression = " AND ".join(fts_groups)
        if names_only:
            expression = f"{{name}} : ({expression})"
        if filters.gemeinde is not None and len(filters.gemeinde) >= 3:
            # The Gemeinde is part of every entry's text, so the index can narrow by it, far
            # cheaper than reading each match; e.gemeinde = … keeps it exact.
            expression += f" AND {_fts_group([filters.gemeinde])}"
        ranges = filters.ranges()
        statement = (
            "SELECT e.id, e.name, e.body"
            " FROM search_fts JOIN search_entry e ON e.id = search_fts.rowid"
            f" WHERE search_fts MATCH {sql.bind(expression)}"
            f" AND search_fts.rowid BETWEEN {sql.bind(ranges[0][0])} AND {sql.bind(ranges[-1][1])}"
            f" AND {' AND '.join(conditions)}"
            f" ORDER BY search_fts.rowid LIMIT {CANDIDATE_LIMIT + 1}"
        )
        return await self._triples(sql, statement)

    async def _walk_in_id_order(self, drivers: Sequence[_Word], filters: _Filters) -> bool:
        """Whether PostgreSQL may find text matches by walking the entries in id order, stopping
        at ``CANDIDATE_LIMIT``; if not, the trigram indexes collect them all and they are sorted.

        The walk wins only where matches are dense: one common word and no filter. PostgreSQL
        can only guess how many rows ``LIKE '%…%'`` matches, and a wrong guess walks the whole
        table for a rare name; ``search_word`` knows how many records hold words containing it.
        """
        if len(drivers) != 1 or filters.gemeinde is not None or filters.groups:
            return False
        sql = _Sql()
        # Words containing the query word ("schule" in "grundschule") count too; a record
        # holding two of them counts twice, which is near enough for choosing a plan.
        spellings = " OR ".join(
            f"word LIKE {sql.bind(f'%{spelling}%')}" for spelling in drivers[0].spellings
        )
        documents = await self.session.scalar(
            sql.text(f"SELECT sum(documents) FROM search_word WHERE {spellings}"), sql.params
        )
        return (documents or 0) >= _DENSE_WORD

    async def _triples(self, sql: _Sql, statement: str) -> list[tuple[int, str, str]]:
        rows = await self.session.execute(sql.text(statement), sql.params)
        return [(row[0], row[1], row[2]) for row in rows]

    async def _having_terms(
        self, ids: Sequence[int], groups: Sequence[Collection[int]]
    ) -> set[int]:
        """Those of ``ids`` that have a term of every group."""
        having = set(ids)
        for group in groups:
            if not having:
                break
            sql = _Sql()
            rows = await self.session.scalars(
                sql.text(
                    "SELECT DISTINCT entry_id FROM search_facet"
                    f" WHERE entry_id IN {sql.bind_all(sorted(having))}"
                    f" AND term_id IN {sql.bind_all(sorted(group))}"
                ),
                sql.params,
            )
            having &= set(rows)
        return having

    async def _term_matches(
        self, filters: _Filters, term_groups: Sequence[Collection[int]], wanted: int
    ) -> tuple[int, list[tuple[int, str]]]:
        """Records passing the filters with a term of every group: how many, first ones by name.

        The plan is chosen here, not left to SQLite (which has no statistics on a bot's
        database): by Gemeinde, through its index, which is in name order; else, when matches
        are dense, along the name index, testing each entry, which stops after ``wanted``;
        else from the facet list, sorting what it finds.
        """
        groups = [*term_groups, *filters.groups]
        sql = _Sql()
        ranges = filters.ranges()
        if filters.gemeinde is not None or not groups:
            tests = [sql.has_term(group) for group in groups]
            if filters.gemeinde is not None:
                tests.insert(0, f"e.gemeinde = {sql.bind(filters.gemeinde)}")
            count = await self.session.scalar(
                sql.text(
                    "SELECT count(*) FROM search_entry e"
                    f" WHERE {' AND '.join([sql.in_ranges('e.id', ranges), *tests])}"
                ),
                sql.params,
            )
            # The Gemeinde index (gemeinde, name) or the name index gives the order; "+e.id"
            # keeps SQLite from walking the id range and sorting instead.
            walk = " AND ".join([sql.in_ranges("+e.id", ranges), *tests])
            rows = await self.session.execute(
                sql.text(
                    f"SELECT e.id, e.name FROM search_entry e WHERE {walk}"
                    f" ORDER BY e.name, e.id LIMIT {sql.bind(wanted)}"
                ),
                sql.params,
            )
            return int(count or 0), [(key, name) for key, name in rows]
        first, rest = groups[0], groups[1:]
        facets = (
            f"FROM search_facet f WHERE f.term_id IN {sql.bind_all(sorted(first))}"
            f" AND {sql.in_ranges('f.entry_id', ranges)}"
            + "".join(f" AND {sql.has_term(group, entry='f.entry_id')}" for group in rest)
        )
        count = int(
            await self.session.scalar(
                sql.text(f"SELECT count(DISTINCT f.entry_id) {facets}"), sql.params
            )
            or 0
        )
        if count == 0:
            return 0, []
        if count * count >= wanted * await self._size(filters):
            # Dense: about wanted * size / count entries are walked in name order.
            having = " AND ".join(sql.has_term(group) for group in groups)
            where = f"{sql.in_ranges('+e.id', ranges)} AND {having}"
        else:
            # Sparse: few enough to fetch them all and sort by name.
            ids = await self.session.scalars(
                sql.text(f"SELECT DISTINCT f.entry_id {facets}"), sql.params
            )
            where = f"e.id IN {sql.bind_all(ids)}"
        rows = await self.session.execute(
            sql.text(
                f"SELECT e.id, e.name FROM search_entry e WHERE {where}"
                f" ORDER BY e.name, e.id LIMIT {sql.bind(wanted)}"
            ),
            sql.params,
        )
        return count, [(key, name) for key, name in rows]

    async def _size(self, filters: _Filters) -> int:
        """About how many entries the kinds have (ids are dense; deletions leave small gaps)."""
        size = 0
        for kind in filters.kinds:
            low, high = _kind_range(kind)
            top = await self.session.scalar(
                text("SELECT max(id) FROM search_entry WHERE id BETWEEN :low AND :high"),
                {"low": low, "high": high},
            )
            size += 0 if top is None else top - low
        return max(size, 1)

    # ----------------------------------------------------------------- documents

    async def _rows(self, statement: str, ids: Sequence[int] | None, column: str) -> list[Any]:
        """Rows of ``statement``, restricted to ``column IN ids`` unless ids is None."""
        if ids is not None and not ids:
            return []
        sql = _Sql()
        where = "" if ids is None else f" WHERE {column} IN {sql.bind_all(ids)}"
        return list(
            await self.session.execute(sql.text(statement.format(where=where)), sql.params)
        )

    async def _person_documents(
        self, ids: Sequence[int] | None, without_organization: int | None = None
    ) -> list[_Document]:
        persons = await self._rows(
            "SELECT p.id, p.title, p.name, p.gemeinde FROM person p{where}", ids, "p.id"
        )
        memberships = await self._rows(
            "SELECT m.person_id, m.function, o.id, o.name, o.gemeinde FROM membership m"
            " LEFT JOIN organization o ON o.id = m.organization_id{where} ORDER BY m.id",
            ids,
            "m.person_id",
        )
        own_terms = await self._rows(
            "SELECT person_id, term_id FROM person_field{where}", ids, "person_id"
        )
        organization_ids = sorted({row[2] for row in memberships if row[2] is not None})
        organization_terms = await self._rows(
            "SELECT organization_id, term_id FROM organization_field{where}",
            None if ids is None else organization_ids,
            "organization_id",
        )
        jobs: dict[int, list[Any]] = defaultdict(list)
        for person_id, function, organization_id, name, gemeinde in memberships:
            if organization_id is None or organization_id != without_organization:
                jobs[person_id].append((function, organization_id, name, gemeinde))
        terms = _grouped(own_terms)
        fields_of = _grouped(organization_terms)
        documents = []
        for person_id, title, name, gemeinde in persons:
            work = jobs.get(person_id, [])
            gemeinden = [gemeinde] + [job[3] for job in work]
            person_terms = set(terms.get(person_id, ()))
            for _function, organization_id, _name, _gemeinde in work:
                person_terms.update(fields_of.get(organization_id, ()))
            documents.append(
                _Document(
                    id=entry_id("person", person_id),
                    name=fold_text(name),
                    body=_joined(
                        title, *(job[0] for job in work), *(job[2] for job in work), *gemeinden
                    ),
                    gemeinde=fold_text(next((g for g in gemeinden if g), "")),
                    terms=frozenset(person_terms),
                )
            )
        return documents

    async def _organization_documents(self, ids: Sequence[int] | None) -> list[_Document]:
        organizations = await self._rows(
            "SELECT o.id, o.name, o.gemeinde, o.kind_id FROM organization o{where}", ids, "o.id"
        )
        fields_of = _grouped(
            await self._rows(
                "SELECT organization_id, term_id FROM organization_field{where}",
                ids,
                "organization_id",
            )
        )
        return [
            _Document(
                id=entry_id("organization", organization_id),
                name=fold_text(name),
                body=_joined(gemeinde),
                gemeinde=fold_text(gemeinde),
                terms=frozenset(
                    {*fields_of.get(organization_id, ()), *([kind_id] if kind_id else [])}
                ),
            )
            for organization_id, name, gemeinde, kind_id in organizations
        ]

    async def _offer_documents(
        self, ids: Sequence[int] | None, without_organization: int | None = None
    ) -> list[_Document]:
        offers = await self._rows(
            "SELECT f.id, f.title, f.place, f.gemeinde, f.description, o.id, o.name, o.gemeinde"
            " FROM offer f LEFT JOIN organization o ON o.id = f.provider_id{where}",
            ids,
            "f.id",
        )
        terms = _grouped(
            await self._rows(
                "SELECT offer_id, term_id FROM offer_field{where}"
                " UNION ALL SELECT offer_id, term_id FROM offer_target_group{where}",
                ids,
                "offer_id",
            )
        )
        documents = []
        for offer_id, title, place, gemeinde, description, provider_id, provider, home in offers:
            if provider_id is not None and provider_id == without_organization:
                provider, home = None, None
            documents.append(
                _Document(
                    id=entry_id("offer", offer_id),
                    name=fold_text(title),
                    body=_joined(provider, place, gemeinde, description),
                    gemeinde=fold_text(gemeinde or home or ""),
                    terms=frozenset(terms.get(offer_id, ())),
                )
            )
        return documents

    async def _reindex_dependants(self, organization_id: int, removed: bool = False) -> None:
        """Persons and offers are found by their organisation's name and fields: keep them so."""
        without = organization_id if removed else None
        members = await self.session.scalars(
            text("SELECT DISTINCT person_id FROM membership WHERE organization_id = :id"),
            {"id": organization_id},
        )
        offers = await self.session.scalars(
            text("SELECT id FROM offer WHERE provider_id = :id"), {"id": organization_id}
        )
        member_ids, offer_ids = list(members), list(offers)
        if member_ids:
            await self._replace(await self._person_documents(member_ids, without))
        if offer_ids:
            await self._replace(await self._offer_documents(offer_ids, without))

    # ----------------------------------------------------------------- writing

    async def _replace(self, documents: Sequence[_Document]) -> None:
        if not documents:
            return
        old = await self._delete_entries([document.id for document in documents], count=False)
        await self._insert(documents, with_fts=self._fts)
        change: Counter[str] = Counter()
        for words in old:
            change.subtract(words)
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
        sql = _Sql()
        rows = list(
            await self.session.execute(
                sql.text(
                    f"SELECT id, name, body FROM search_entry WHERE id IN {sql.bind_all(ids)}"
                ),
                sql.params,
            )
        )
        if not rows:
            return []
        if self._fts:
            await self.session.execute(
                text(
                    "INSERT INTO search_fts(search_fts, rowid, name, body)"
                    " VALUES('delete', :id, :name, :body)"
                ),
                [{"id": key, "name": name, "body": body} for key, name, body in rows],
            )
        found = [{"id": row[0]} for row in rows]
        await self.session.execute(text("DELETE FROM search_facet WHERE entry_id = :id"), found)
        await self.session.execute(text("DELETE FROM search_entry WHERE id = :id"), found)
        old = [
            {w for w in _words(name) + _words(body) if len(w) <= _MAX_WORD_LENGTH}
            for _key, name, body in rows
        ]
        if count:
            change: Counter[str] = Counter()
            for words in old:
                change.subtract(words)
            await self._change_word_counts(change)
        return old

    async def _insert(self, documents: Sequence[_Document], with_fts: bool) -> None:
        entries = [
            {"id": d.id, "name": d.name, "body": d.body, "gemeinde": d.gemeinde} for d in documents
        ]
        await self.session.execute(
            text(
                "INSERT INTO search_entry (id, name, body, gemeinde)"
                " VALUES (:id, :name, :body, :gemeinde)"
            ),
            entries,
        )
        facets = [{"term": term, "id": d.id} for d in documents for term in sorted(d.terms)]
        if facets:
            await self.session.execute(
                text("INSERT INTO search_facet (term_id, entry_id) VALUES (:term, :id)"), facets
            )
        if with_fts:
            await self.session.execute(
                text("INSERT INTO search_fts (rowid, name, body) VALUES (:id, :name, :body)"),
                entries,
            )

    async def _change_word_counts(self, change: Mapping[str, int]) -> None:
        more = [
            {"word": word, "backwards": word[::-1], "n": n} for word, n in change.items() if n > 0
        ]
        fewer = [{"word": word, "n": n} for word, n in change.items() if n < 0]
        if more:
            await self.session.execute(
                text(
                    "INSERT INTO search_word (word, backwards, documents)"
                    " VALUES (:word, :backwards, :n) ON CONFLICT (word)"
                    " DO UPDATE SET documents = search_word.documents + excluded.documents"
                ),
                more,
            )
        if fewer:
            await self.session.execute(
                text("UPDATE search_word SET documents = documents + :n WHERE word = :word"),
                fewer,
            )
            # A word no record holds any more goes, names of erased persons included.
            await self.session.execute(
                text("DELETE FROM search_word WHERE word = :word AND documents <= 0"),
                [{"word": row["word"]} for row in fewer],
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


def _purge_index(session: Session) -> None:
    session.info.pop(_PURGE_PENDING, None)
    session.execute(text("INSERT INTO search_fts(search_fts) VALUES('optimize')"))


def _grouped(rows: Iterable[Any]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped


def _terms_named(spelling: str, vocabulary: Mapping[int, set[str]]) -> frozenset[int]:
    """Terms that have ``spelling`` as a key, label or alias; long ones may be a letter off."""
    exact = frozenset(term for term, spellings in vocabulary.items() if spelling in spellings)
    if exact or len(spelling) < 6:
        return exact
    return frozenset(
        term
        for term, spellings in vocabulary.items()
        if any(fuzz.ratio(spelling, known) >= 90 for known in spellings)
    )
