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
The package: :mod:`~storage.search.scoring` reads a query and ranks a match (no SQL),
:mod:`~storage.search.sql` holds the index's tables and the conditions of its statements,
:mod:`~storage.search.query` plans and runs a search, and :mod:`~storage.search.indexing` keeps
the index in step with the records. :class:`SearchIndex` is both halves, for one session.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.search.indexing import IndexMaintenance
from storage.search.query import CANDIDATE_LIMIT, Hit, SearchPage, SearchQueries
from storage.search.scoring import TEXT_SCORE
from storage.search.sql import KINDS, entry_id, is_index_table

__all__ = [
    "CANDIDATE_LIMIT",
    "KINDS",
    "TEXT_SCORE",
    "Hit",
    "SearchIndex",
    "SearchPage",
    "entry_id",
    "is_index_table",
]


@dataclass
class SearchIndex(SearchQueries, IndexMaintenance):
    """Keeps the search index in step with the records and answers queries.

    ``scan=True`` answers queries by the LIKE statement even where FTS5 exists: the benchmark's
    baseline. On PostgreSQL that statement is the indexed path anyway (pg_trgm).
    """
