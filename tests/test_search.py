"""Search over the contact network, on a migrated SQLite and PostgreSQL with data made by
ContactRepository."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Unpack

import pytest
from sqlalchemy import text

from storage.contacts import ContactRepository
from storage.database import Database
from storage.models import Organization, VocabularyTerm
from storage.search import Hit, SearchIndex, SearchPage
from storage.values import OfferValues, OrganizationValues, PersonValues
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP, VocabularyRepository
from tests.support.postgres import PostgresServer

NOW = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


@dataclass
class SearchDesk:
    """The database, and shortcuts to write records and to search as a command would."""

    database: Database

    async def term(self, vocabulary: str, spelling: str) -> VocabularyTerm:
        async with self.database.session() as session:
            term = await VocabularyRepository(session).match(vocabulary, spelling)
        assert term is not None, spelling
        return term

    async def person(
        self,
        name: str,
        organization: str | None = None,
        function: str = "",
        fields: tuple[str, ...] = (),
        **values: Unpack[PersonValues],
    ) -> int:
        async with self.database.session() as session:
            contacts = ContactRepository(session)
            terms = [await VocabularyRepository(session).match(FIELD, f) for f in fields]
            person = await contacts.add_person(
                NOW, name, fields=[t for t in terms if t is not None], **values
            )
            if organization is not None:
                found = await contacts.organization_named(organization)
                assert found is not None, organization
                await contacts.link(person, found, function)
            return person.id

    async def organization(
        self,
        name: str,
        kind: str | None = None,
        fields: tuple[str, ...] = (),
        **values: Unpack[OrganizationValues],
    ) -> int:
        async with self.database.session() as session:
            vocabulary = VocabularyRepository(session)
            organization = await ContactRepository(session).add_organization(
                NOW,
                name,
                kind=None if kind is None else await vocabulary.match(ORG_KIND, kind),
                fields=[t for f in fields if (t := await vocabulary.match(FIELD, f)) is not None],
                **values,
            )
            return organization.id

    async def offer(
        self,
        title: str,
        provider: str | None = None,
        fields: tuple[str, ...] = (),
        target_groups: tuple[str, ...] = (),
        **values: Unpack[OfferValues],
    ) -> int:
        async with self.database.session() as session:
            contacts = ContactRepository(session)
            vocabulary = VocabularyRepository(session)
            offer = await contacts.add_offer(
                NOW,
                title,
                provider=None if provider is None else await contacts.organization_named(provider),
                fields=[t for f in fields if (t := await vocabulary.match(FIELD, f)) is not None],
                target_groups=[
                    t
                    for g in target_groups
                    if (t := await vocabulary.match(TARGET_GROUP, g)) is not None
                ],
                **values,
            )
            return offer.id

    async def search(self, query: str, **options: Any) -> SearchPage:
        async with self.database.session() as session:
            return await SearchIndex(session).search(query, **options)

    async def found(self, query: str, **options: Any) -> list[tuple[str, int]]:
        page = await self.search(query, **options)
        return [(hit.kind, hit.id) for hit in page.hits]


@pytest.fixture
async def network(database: Database) -> SearchDesk:
    """A small network: two schools, a VHS, a company, and the people who work there."""
    return await small_network(SearchDesk(database))


async def small_network(desk: SearchDesk) -> SearchDesk:
    """Two schools, a VHS and a company in ``desk``'s database."""
    await desk.organization(
        "Gymnasium Am Park", kind="weiterführende Schule", fields=("Schule",), gemeinde="Herford"
    )
    await desk.organization("VHS im Wittekindskreis", kind="VHS", gemeinde="Bünde")
    await desk.organization(
        "Berufskolleg Elsbachtal", kind="Berufsschule", fields=("ÜSB",), gemeinde="Bünde"
    )
    await desk.organization("Möbelwerke Kirchlengern GmbH", gemeinde="Kirchlengern")
    return desk


def ids(hits: list[Hit], kind: str = "person") -> list[int]:
    return [hit.id for hit in hits if hit.kind == kind]


# --------------------------------------------------------------------------- what is found


async def test_a_person_is_found_by_name_in_any_spelling(network: SearchDesk) -> None:
    """Name, case and umlauts do not matter: "Müller", "mueller" and "MÜLLER" find Maria."""
    maria = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    await network.person("Jonas Kaya", "VHS im Wittekindskreis", "Kursleitung")
    for query in ("Maria Müller", "müller", "mueller", "MÜLLER", "Müller, Maria"):
        assert await network.found(query) == [("person", maria)], query


async def test_a_person_is_found_by_organisation_function_and_gemeinde(
    network: SearchDesk,
) -> None:
    """Kontakt search covers the organisation, the function and the Gemeinde, not just names."""
    maria = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    jonas = await network.person("Jonas Kaya", "VHS im Wittekindskreis", "Kursleitung")
    assert ids((await network.search("Wittekindskreis")).hits) == [jonas]
    assert ids((await network.search("Gymnasium am Park")).hits) == [maria]
    assert ids((await network.search("Schulsozialarbeit")).hits) == [maria]
    assert ids((await network.search("sozialarbeit")).hits) == [maria]  # part of a compound
    # Jonas lives in no Gemeinde of his own: his organisation's Gemeinde counts.
    assert ids((await network.search("Bünde")).hits) == [jonas]
    assert ids((await network.search("buende")).hits) == [jonas]


async def test_organisations_are_found_too_but_offers_only_when_asked_for(
    network: SearchDesk,
) -> None:
    """The default kinds are persons and organisations; an offer needs kinds=("offer",)."""
    vhs = await network.found("VHS im Wittekindskreis")
    assert vhs[0][0] == "organization"
    offer = await network.offer("Deutschkurs am Abend", provider="VHS im Wittekindskreis")
    assert ("offer", offer) not in await network.found("Deutschkurs")
    assert await network.found("Deutschkurs", kinds=("offer",)) == [("offer", offer)]


async def test_a_field_is_found_by_label_alias_and_umlaut_free_spelling(
    network: SearchDesk,
) -> None:
    """ÜSB = Übergang Schule–Beruf = "uebergang schule beruf": own fields and the employer's."""
    own = await network.person("Ole Brandt", fields=("Übergang Schule–Beruf",))
    employed = await network.person("Lea Winter", "Berufskolleg Elsbachtal", "Lehrkraft")
    await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    for query in ("Übergang Schule-Beruf", "ÜSB", "usb", "uebergang schule beruf", "Schule–Beruf"):
        page = await network.search(query, kinds=("person",))
        assert sorted(ids(page.hits)) == sorted([own, employed]), query
        assert page.total == 2, query


async def test_a_field_filter_keeps_records_of_that_field(network: SearchDesk) -> None:
    """field_ids filters; a person has their own fields and those of their organisations."""
    usb = await network.term(FIELD, "ÜSB")
    own = await network.person("Ole Brandt", fields=("ÜSB",))
    employed = await network.person("Lea Brandt", "Berufskolleg Elsbachtal", "Lehrkraft")
    await network.person("Tom Brandt", "Gymnasium Am Park", "Lehrkraft")
    page = await network.search("Brandt", kinds=("person",), field_ids=[usb.id])
    assert ids(page.hits) == [employed, own]  # same score: by name (lea, ole)
    assert page.total == 2


async def test_an_organisation_kind_finds_its_organisations(network: SearchDesk) -> None:
    """An organisation kind is a term too: "Volkshochschule" finds the VHS by its kind."""
    async with network.database.session() as session:
        vhs = await ContactRepository(session).organization_named("VHS im Wittekindskreis")
    assert vhs is not None
    assert await network.found("Volkshochschule") == [("organization", vhs.id)]


async def test_short_words_and_stop_words_need_not_match(network: SearchDesk) -> None:
    """ "e.V.", "AG" and "der" only rank: the longer words find the record."""
    club = await network.organization("Förderverein der Grundschule am Park e.V.")
    for query in ("Förderverein e.V.", "foerderverein der grundschule", "Grundschule AG Park"):
        assert await network.found(query) == [("organization", club)], query


async def test_typos_and_missing_umlaut_dots_are_tolerated(network: SearchDesk) -> None:
    """ "Schulsozialarbiet" finds Schulsozialarbeit; "Muller" and "Mülller" find Müller."""
    maria = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    await network.person("Jonas Kaya", "VHS im Wittekindskreis", "Kursleitung")
    assert ids((await network.search("Schulsozialarbiet")).hits) == [maria]
    for query in ("Muller", "Mülller", "Maria Muller", "Marai Müller"):
        assert ids((await network.search(query)).hits) == [maria], query


async def test_the_exact_name_ranks_before_partial_matches(network: SearchDesk) -> None:
    """Equal name first, then the name as a whole word, then as the start of a word."""
    bergmann = await network.person("Anna Bergmann")
    berg = await network.person("Anna Berg")
    johanna = await network.person("Johanna Berg")
    page = await network.search("Anna Berg")
    assert ids(page.hits) == [berg, bergmann, johanna]
    assert page.hits[0].score == 100
    assert page.hits[0].score > page.hits[1].score > page.hits[2].score
    later = await network.search("Berg")
    assert ids(later.hits)[:2] == [berg, johanna]  # whole word "berg", ties by name
    assert ids(later.hits)[2] == bergmann


async def test_a_name_match_ranks_before_a_match_elsewhere(network: SearchDesk) -> None:
    """Someone called Park comes before people who work at the Gymnasium Am Park."""
    colleague = await network.person("Maria Müller", "Gymnasium Am Park", "Lehrkraft")
    park = await network.person("Sven Park")
    page = await network.search("Park", kinds=("person",))
    assert ids(page.hits) == [park, colleague]


async def test_results_come_in_pages_with_a_total(network: SearchDesk) -> None:
    """offset/limit page through all matches in a stable order; total counts all of them."""
    first_names = [f"{letter}nna" for letter in "ABCDEFGHIJKLMNOPQRSTUVW"]
    created = [await network.person(f"{first} Lindqvist") for first in first_names]
    pages = [await network.search("Lindqvist", limit=10, offset=o) for o in (0, 10, 20)]
    assert [len(page.hits) for page in pages] == [10, 10, 3]
    assert {page.total for page in pages} == {23}
    assert [hit.id for page in pages for hit in page.hits] == created  # by name
    assert not any(page.capped for page in pages)


async def test_offers_are_filtered_by_target_group_field_and_gemeinde(network: SearchDesk) -> None:
    """!angebot Stichwort zielgruppe=… feld=… gemeinde=…: every filter narrows the hits."""
    parents = await network.term(TARGET_GROUP, "Eltern")
    language = await network.term(FIELD, "Sprachbildung")
    evening = await network.offer(
        "Deutschkurs am Abend",
        provider="VHS im Wittekindskreis",
        fields=("Sprachbildung",),
        target_groups=("Eltern",),
        gemeinde="Bünde",
    )
    children = await network.offer(
        "Deutschkurs für Kinder",
        fields=("Sprachbildung",),
        target_groups=("Kinder 0–6",),
        gemeinde="Herford",
    )
    coaching = await network.offer(
        "Bewerbungstraining",
        provider="Berufskolleg Elsbachtal",
        fields=("ÜSB",),
        target_groups=("junge Menschen",),
        description="Deutsch im Beruf, Anschreiben und Vorstellungsgespräch",
    )
    offers = ("offer",)
    assert set(await network.found("Deutsch", kinds=offers)) == {
        ("offer", evening),
        ("offer", children),
        ("offer", coaching),
    }
    assert await network.found("Deutschkurs", kinds=offers) == [
        ("offer", evening),  # by name: "deutschkurs am abend" < "deutschkurs fuer kinder"
        ("offer", children),
    ]
    assert await network.found("Deutsch", kinds=offers, target_group_ids=[parents.id]) == [
        ("offer", evening)
    ]
    assert await network.found("deutsch", kinds=offers, gemeinde="HERFORD") == [
        ("offer", children)
    ]
    # Empty keyword: the filters alone, listed by title.
    listed = await network.search("", kinds=offers, field_ids=[language.id])
    assert [hit.id for hit in listed.hits] == [evening, children]
    assert listed.total == 2
    # The provider's Gemeinde stands in for an offer without one.
    assert await network.found("", kinds=offers, gemeinde="bünde") == [
        ("offer", coaching),
        ("offer", evening),
    ]


async def test_contact_data_and_notes_are_not_searchable(network: SearchDesk) -> None:
    """E-mail, phone and notes are personal data: no query finds a person by them."""
    await network.person(
        "Maria Müller",
        "Gymnasium Am Park",
        "Schulsozialarbeit",
        email="geheimadresse@example.org",
        phone="05221 5550199",
        notes="Allergie gegen Nüsse, Tochter Ylvie",
    )
    for query in ("geheimadresse", "example.org", "5550199", "Allergie", "Ylvie", "Nüsse"):
        page = await network.search(query, kinds=("person", "organization", "offer"))
        assert page.hits == [] and page.total == 0, query


# --------------------------------------------------------------------------- keeping it current


async def test_a_renamed_person_is_found_by_the_new_name_only(network: SearchDesk) -> None:
    """update_person reindexes: the old name finds nothing, the new one finds the person."""
    lea = await network.person("Lea Winter", "Berufskolleg Elsbachtal", "Lehrkraft")
    async with network.database.session() as session:
        contacts = ContactRepository(session)
        person = await contacts.person(lea)
        assert person is not None
        await contacts.update_person(person, NOW, name="Lea Sommerfeld")
    assert await network.found("Winter") == []
    assert await network.found("Sommerfeld") == [("person", lea)]
    assert await network.found("Elsbachtal", kinds=("person",)) == [("person", lea)]


async def test_a_renamed_organisation_renames_it_in_its_peoples_entries(
    network: SearchDesk,
) -> None:
    """Persons are found by their organisation's current name, not a stale one."""
    jonas = await network.person("Jonas Kaya", "VHS im Wittekindskreis", "Kursleitung")
    async with network.database.session() as session:
        contacts = ContactRepository(session)
        vhs = await contacts.organization_named("VHS im Wittekindskreis")
        assert isinstance(vhs, Organization)
        vhs.name = "Volkshochschule Ravensberg"  # as an import changes it
        await session.flush()
        await SearchIndex(session).index_organization(vhs)
    assert await network.found("Wittekindskreis") == []
    assert ("person", jonas) in await network.found("Ravensberg")


async def test_rebuild_indexes_everything_again(network: SearchDesk, backend: str) -> None:
    """rebuild() recreates a lost index from the records and says how many it indexed."""
    maria = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    await network.offer("Deutschkurs am Abend", provider="VHS im Wittekindskreis")
    async with network.database.session() as session:
        for table in ("search_facet", "search_entry", "search_word"):
            await session.execute(text(f"DELETE FROM {table}"))
        if backend == "sqlite":
            # FTS5 keeps its own copy of the tokens; PostgreSQL's trigram index follows the rows.
            await session.execute(text("INSERT INTO search_fts(search_fts) VALUES('rebuild')"))
        assert await SearchIndex(session).is_stale()
    assert await network.found("Müller") == []
    async with network.database.session() as session:
        assert await SearchIndex(session).rebuild() == 6  # 4 organisations, 1 person, 1 offer
        assert not await SearchIndex(session).is_stale()
    assert await network.found("Muller") == [("person", maria)]
    assert await network.found("Schulsozialarbeit") == [("person", maria)]


# On PostgreSQL both are the same statement; the next test compares PostgreSQL with SQLite.
@pytest.mark.sqlite_only
async def test_the_scan_fallback_answers_like_the_index(network: SearchDesk) -> None:
    """The LIKE statement (the benchmark's baseline; PostgreSQL's indexed path) gives the same
    pages as FTS5."""
    await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    await network.person("Ole Brandt", fields=("ÜSB",))
    await network.person("Lea Winter", "Berufskolleg Elsbachtal", "Lehrkraft")
    queries = ["Müller", "Muller", "ÜSB", "Schulsozialarbiet", "park", "b", "Winter Bünde"]
    async with network.database.session() as session:
        for query in queries:
            indexed = await SearchIndex(session).search(query)
            scanned = await SearchIndex(session, scan=True).search(query)
            assert indexed == scanned, query


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
async def test_postgres_answers_substrings_through_trigram_indexes_in_byte_order(
    postgres_server: PostgresServer,
) -> None:
    """On PostgreSQL, LIKE '%…%' over folded names and texts can use the GIN trigram indexes,
    and folded columns sort by bytes as on SQLite, whatever the server's locale."""
    database = Database(await postgres_server.create_migrated_database())
    network = SearchDesk(database)
    await network.organization("Gymnasium Am Park", gemeinde="Herford")
    maria = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    try:
        async with database.session() as session:
            # Tiny tables are scanned anyway; without that option the plan shows if it could.
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            plans = {
                column: "\n".join(
                    await session.scalars(
                        text(f"EXPLAIN SELECT id FROM search_entry WHERE {column} LIKE :part"),
                        {"part": "%arbeit%"},
                    )
                )
                for column in ("name", "body")
            }
            columns = await session.execute(
                text(
                    "SELECT table_name || '.' || column_name, collation_name"
                    " FROM information_schema.columns WHERE table_name IN"
                    " ('search_entry', 'search_word', 'person', 'organization', 'committee')"
                )
            )
            collations = {column: collation for column, collation in columns}
        assert "ix_search_entry_name_trgm" in plans["name"], plans["name"]
        assert "ix_search_entry_body_trgm" in plans["body"], plans["body"]
        folded = {
            "search_entry.name", "search_entry.body", "search_entry.gemeinde",
            "search_word.word", "search_word.backwards",
            "person.name_key", "organization.name_key", "committee.name_key",
        }  # fmt: skip
        assert {column: collations.get(column) for column in folded} == dict.fromkeys(folded, "C")
        assert await network.found("sozialarb") == [("person", maria)]
        assert await network.found("Muller schulsozialarbiet") == [("person", maria)]
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_postgres_gives_the_pages_sqlite_gives(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The same records and queries give the same hits, scores, order and totals on PostgreSQL's
    trigram indexes as on SQLite's FTS5: umlauts, typos, terms, filters, pages, tied names."""
    urls = [
        f"sqlite+aiosqlite:///{tmp_path / 'kuemmerer.db'}",
        await postgres_server.create_migrated_database(),
    ]
    queries: list[tuple[str, dict[str, Any]]] = [
        ("Müller", {}),
        ("Muller", {}),
        ("ÜSB", {}),
        ("uebergang schule beruf", {"kinds": ("person", "organization", "offer")}),
        ("Schulsozialarbiet", {}),
        ("park", {}),
        ("b", {}),
        ("Winter Bünde", {}),
        ("Berg", {"limit": 3, "offset": 1}),
        ("anna", {}),
        ("deutsch", {"kinds": ("offer",), "gemeinde": "HERFORD"}),
        ("", {"kinds": ("person",)}),
    ]
    answers = []
    for url in urls:
        database = Database(url)
        await database.migrate()
        network = await small_network(SearchDesk(database))
        try:
            await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
            await network.person("Ole Brandt", fields=("ÜSB",))
            await network.person("Lea Winter", "Berufskolleg Elsbachtal", "Lehrkraft")
            # Sorted by bytes these come in this order; a German locale would put "annabell"
            # before "anna-lena" (it passes over the hyphen).
            for name in ("Anna Berg", "Anna-Lena Berg", "Annabell Berg", "anna berg"):
                await network.person(name)
            await network.offer(
                "Deutschkurs für Kinder", fields=("Sprachbildung",), gemeinde="Herford"
            )
            answers.append([await network.search(query, **options) for query, options in queries])
        finally:
            await database.dispose()
    sqlite, postgres = answers
    assert any(page.hits for page in sqlite)  # the comparison is about real hits
    for (query, _options), expected, got in zip(queries, sqlite, postgres, strict=True):
        assert got == expected, query


@pytest.mark.postgres
async def test_postgres_plans_each_search_with_its_words_even_after_a_rollback(
    postgres_server: PostgresServer,
) -> None:
    """Every PostgreSQL connection plans statements with their values (a cached plan for a rare
    name would walk the whole index for a common one), also when its first work failed."""
    database = Database(await postgres_server.create_migrated_database())
    try:
        with pytest.raises(LookupError):
            async with database.session() as session:
                await session.execute(text("SELECT 1"))
                raise LookupError("the first unit of work fails and is rolled back")
        async with database.session() as session:
            mode = await session.scalar(text("SHOW plan_cache_mode"))
        assert mode == "force_custom_plan"
    finally:
        await database.dispose()


# --------------------------------------------------------------------------- erasure


def _rows_mentioning(path: Path, needles: list[str]) -> list[str]:
    """Every table (FTS5 shadow tables included) and text cell that mentions a needle."""
    found = []
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for cell in row:
                    if isinstance(cell, bytes):
                        cell = cell.decode("utf-8", "replace")
                    if isinstance(cell, str) and any(n in cell.lower() for n in needles):
                        found.append(f"{table}: {cell[:80]}")
    return found


# Reads the SQLite file byte by byte; on PostgreSQL, test_privacy checks rows and index entries.
@pytest.mark.sqlite_only
async def test_an_erased_person_leaves_no_trace_in_the_database_file(
    network: SearchDesk, tmp_path: Path
) -> None:
    """After delete_person + commit the name is in no table, no FTS segment and no file byte."""
    erased = await network.person(
        "Xenia Qwrzbeck", "Gymnasium Am Park", "Schulsozialarbeit", gemeinde="Herford"
    )
    kept = await network.person("Maria Müller", "Gymnasium Am Park", "Schulsozialarbeit")
    path = tmp_path / "kuemmerer.db"
    assert _rows_mentioning(path, ["qwrzbeck"])  # the probe sees it while it is there

    async with network.database.session() as session:
        contacts = ContactRepository(session)
        person = await contacts.person(erased)
        assert person is not None
        await contacts.delete_person(person)

    assert await network.found("Qwrzbeck") == []
    assert await network.found("Schulsozialarbeit") == [("person", kept)]
    await network.database.dispose()
    with sqlite3.connect(path) as connection:
        busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0
    assert _rows_mentioning(path, ["qwrzbeck", "xenia"]) == []
    raw = path.read_bytes().lower()
    # Not the name, and not the trigrams FTS5 indexed it by (only this name has them).
    for needle in (b"qwrzbeck", b"xenia", b"qwr", b"wrz", b"rzb", b"zbe"):
        assert needle not in raw, needle
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
