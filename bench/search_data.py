"""The search benchmark's fictional German network: names, places, organisations, offers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, select

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


async def read_vocabulary(
    database: Database,
) -> tuple[list[VocabularyTerm], dict[str, dict[str, int]]]:
    """The migrated database's vocabulary terms, and their ids by vocabulary and key as
    :func:`generate` takes them."""
    async with database.session() as session:
        vocabulary = list(await session.scalars(select(VocabularyTerm)))
    terms: dict[str, dict[str, int]] = {"field": {}, "target_group": {}, "org_kind": {}}
    for term in vocabulary:
        terms[term.vocabulary][term.key] = term.id
    return vocabulary, terms


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
