"""The demo's fictional education network: Landkreis Musterland with six Gemeinden.

All names are invented; any likeness to real people or institutions is accidental. The data is
deterministic, so a demo transcript reads the same every time.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.render import split_reply
from bot.work import CommandWork
from commands.framework.clock import Clock
from commands.framework.context import ReplyLookup
from commands.framework.dispatch import Request
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from commands.tasks.schedule import arm_task
from storage.database import Database
from storage.folding import fold_text
from storage.models import EntryKind, Meeting, TaskStatus
from storage.repositories import Store
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP

GEMEINDEN = ("Altdorf", "Bergheim", "Lindenau", "Neustadt am See", "Weidenbach", "Talhausen")


@dataclass(frozen=True)
class SampleOrganization:
    name: str
    kind: str  # vocabulary key of the organisation kind
    gemeinde: str
    fields: tuple[str, ...]  # vocabulary keys of Handlungsfelder


@dataclass(frozen=True)
class SamplePerson:
    title: str
    name: str
    organization: str
    function: str
    fields: tuple[str, ...]


ORGANIZATIONS = (
    SampleOrganization("Kita Sonnenblume", "kita", "Altdorf",
                       ("fruehkindliche-bildung", "uebergang-kita-grundschule", "sprachbildung")),
    SampleOrganization("Kita Regenbogen", "kita", "Bergheim",
                       ("fruehkindliche-bildung", "sprachbildung")),
    SampleOrganization("Familienzentrum Lindenau", "kita", "Lindenau",
                       ("fruehkindliche-bildung", "bildungsberatung")),
    SampleOrganization("Grundschule am Mühlbach", "grundschule", "Altdorf",
                       ("schule", "uebergang-kita-grundschule", "ganztag")),
    SampleOrganization("Grundschule Weidenbach", "grundschule", "Weidenbach",
                       ("schule", "ganztag", "sprachbildung")),
    SampleOrganization("Lindenschule", "grundschule", "Lindenau", ("schule", "medienbildung")),
    SampleOrganization("Gesamtschule Neustadt", "weiterfuehrende-schule", "Neustadt am See",
                       ("schule", "uebergang-schule-beruf", "ganztag")),
    SampleOrganization("Gymnasium Bergheim", "weiterfuehrende-schule", "Bergheim",
                       ("schule", "medienbildung", "bne")),
    SampleOrganization("Oberschule Talhausen", "weiterfuehrende-schule", "Talhausen",
                       ("schule", "uebergang-schule-beruf")),
    SampleOrganization("Berufskolleg Musterland", "berufsschule", "Neustadt am See",
                       ("berufliche-bildung", "uebergang-schule-beruf")),
    SampleOrganization("Hochschule Musterland", "hochschule", "Neustadt am See",
                       ("hochschule", "weiterbildung")),
    SampleOrganization("Volkshochschule Musterland", "vhs", "Neustadt am See",
                       ("weiterbildung", "sprachbildung", "integration-neuzugewanderte")),
    SampleOrganization("Kreisjugendamt Musterland", "jugendhilfe", "Neustadt am See",
                       ("non-formale-kulturelle-bildung", "fruehkindliche-bildung")),
    SampleOrganization("Jugendzentrum Kompass", "jugendhilfe", "Bergheim",
                       ("non-formale-kulturelle-bildung", "medienbildung")),
    SampleOrganization("Musikschule Lindenau e.V.", "verein", "Lindenau",
                       ("non-formale-kulturelle-bildung",)),
    SampleOrganization("Naturschutzzentrum Weidenbach e.V.", "verein", "Weidenbach", ("bne",)),
    SampleOrganization("Lesepaten Altdorf e.V.", "verein", "Altdorf",
                       ("sprachbildung", "non-formale-kulturelle-bildung")),
    SampleOrganization("Integrationsnetz Talhausen e.V.", "verein", "Talhausen",
                       ("integration-neuzugewanderte", "bildungsberatung")),
    SampleOrganization("Maschinenbau Hartmann GmbH", "unternehmen", "Talhausen",
                       ("berufliche-bildung", "uebergang-schule-beruf")),
    SampleOrganization("Stadtwerke Neustadt", "unternehmen", "Neustadt am See",
                       ("berufliche-bildung",)),
    SampleOrganization("IHK-Geschäftsstelle Musterland", "kammer", "Neustadt am See",
                       ("berufliche-bildung", "uebergang-schule-beruf")),
    SampleOrganization("Kreishandwerkerschaft Musterland", "kammer", "Bergheim",
                       ("berufliche-bildung", "uebergang-schule-beruf")),
    SampleOrganization("Agentur für Arbeit, Geschäftsstelle Neustadt", "verwaltung",
                       "Neustadt am See", ("uebergang-schule-beruf", "bildungsberatung")),
    SampleOrganization("Staatliches Schulamt Musterland", "verwaltung", "Neustadt am See",
                       ("schule", "ganztag")),
    SampleOrganization("Bildungsbüro Landkreis Musterland", "verwaltung", "Neustadt am See",
                       ("bildungsberatung", "bne", "medienbildung")),
)  # fmt: skip

PERSONS = (
    SamplePerson("", "Anna Schulz", "Bildungsbüro Landkreis Musterland", "Leitung Bildungsbüro",
                 ("bildungsberatung",)),
    SamplePerson("", "Jonas Wagner", "Bildungsbüro Landkreis Musterland",
                 "Bildungsmonitoring", ("bildungsberatung",)),
    SamplePerson("", "Selin Aydın", "Bildungsbüro Landkreis Musterland",
                 "Koordination Übergang Schule–Beruf", ("uebergang-schule-beruf",)),
    SamplePerson("", "Petra Hoffmann", "Kita Sonnenblume", "Kita-Leitung",
                 ("fruehkindliche-bildung",)),
    SamplePerson("", "Mehmet Yılmaz", "Kita Regenbogen", "Kita-Leitung",
                 ("fruehkindliche-bildung", "sprachbildung")),
    SamplePerson("", "Sabine Krüger", "Familienzentrum Lindenau", "Koordination Familienzentrum",
                 ("fruehkindliche-bildung", "bildungsberatung")),
    SamplePerson("", "Thomas Becker", "Grundschule am Mühlbach", "Schulleitung",
                 ("schule", "uebergang-kita-grundschule")),
    SamplePerson("", "Julia Neumann", "Grundschule am Mühlbach", "Koordination Ganztag",
                 ("ganztag",)),
    SamplePerson("", "Lena Fischer", "Grundschule Weidenbach", "Schulleitung", ("schule",)),
    SamplePerson("", "Markus Richter", "Lindenschule", "Medienbeauftragter",
                 ("medienbildung",)),
    SamplePerson("Dr.", "Claudia Wolf", "Gesamtschule Neustadt", "Schulleitung", ("schule",)),
    SamplePerson("", "Tobias Klein", "Gesamtschule Neustadt", "Studien- und Berufsorientierung",
                 ("uebergang-schule-beruf",)),
    SamplePerson("", "Katharina Schröder", "Gymnasium Bergheim", "BNE-Koordination",
                 ("bne",)),
    SamplePerson("", "Stefan Zimmermann", "Oberschule Talhausen", "Schulsozialarbeit",
                 ("uebergang-schule-beruf", "bildungsberatung")),
    SamplePerson("", "Miriam Braun", "Berufskolleg Musterland", "Abteilungsleitung Ausbildung",
                 ("berufliche-bildung",)),
    SamplePerson("Prof. Dr.", "Henrik Lange", "Hochschule Musterland", "Vizepräsident Studium",
                 ("hochschule",)),
    SamplePerson("", "Eva Hartmann", "Hochschule Musterland", "Weiterbildungszentrum",
                 ("weiterbildung",)),
    SamplePerson("", "Fatima Haddad", "Volkshochschule Musterland", "Fachbereich Deutsch",
                 ("sprachbildung", "integration-neuzugewanderte")),
    SamplePerson("", "Ralf Schmitt", "Volkshochschule Musterland", "Leitung",
                 ("weiterbildung",)),
    SamplePerson("", "Nadine Koch", "Kreisjugendamt Musterland", "Jugendhilfeplanung",
                 ("non-formale-kulturelle-bildung",)),
    SamplePerson("", "Daniel Roth", "Kreisjugendamt Musterland", "Frühe Hilfen",
                 ("fruehkindliche-bildung",)),
    SamplePerson("", "Luca Bauer", "Jugendzentrum Kompass", "Jugendarbeit",
                 ("non-formale-kulturelle-bildung", "medienbildung")),
    SamplePerson("", "Ines Vogel", "Musikschule Lindenau e.V.", "Leitung",
                 ("non-formale-kulturelle-bildung",)),
    SamplePerson("", "Martin Weber", "Naturschutzzentrum Weidenbach e.V.",
                 "Umweltbildung", ("bne",)),
    SamplePerson("", "Gisela Franke", "Lesepaten Altdorf e.V.", "Vorsitz", ("sprachbildung",)),
    SamplePerson("", "Yusuf Demir", "Integrationsnetz Talhausen e.V.", "Migrationsberatung",
                 ("integration-neuzugewanderte", "bildungsberatung")),
    SamplePerson("", "Karin Hartmann", "Maschinenbau Hartmann GmbH", "Ausbildungsleitung",
                 ("berufliche-bildung", "uebergang-schule-beruf")),
    SamplePerson("", "Oliver Schuster", "Stadtwerke Neustadt", "Personalentwicklung",
                 ("berufliche-bildung",)),
    SamplePerson("", "Birgit Lorenz", "IHK-Geschäftsstelle Musterland", "Ausbildungsberatung",
                 ("berufliche-bildung", "uebergang-schule-beruf")),
    SamplePerson("", "Frank Peters", "Kreishandwerkerschaft Musterland", "Nachwuchswerbung",
                 ("uebergang-schule-beruf",)),
    SamplePerson("", "Sandra Möller", "Agentur für Arbeit, Geschäftsstelle Neustadt",
                 "Berufsberatung", ("uebergang-schule-beruf", "bildungsberatung")),
    SamplePerson("", "Uwe Kaiser", "Staatliches Schulamt Musterland", "Schulaufsicht",
                 ("schule",)),
    SamplePerson("", "Heike Berger", "Staatliches Schulamt Musterland", "Fachberatung Ganztag",
                 ("ganztag",)),
    SamplePerson("", "Nicole Schwarz", "Kita Sonnenblume", "Sprachfachkraft",
                 ("sprachbildung",)),
    SamplePerson("", "Dennis Keller", "Grundschule Weidenbach", "Koordination Ganztag",
                 ("ganztag",)),
    SamplePerson("", "Aylin Çelik", "Gesamtschule Neustadt", "Schulsozialarbeit",
                 ("bildungsberatung",)),
    SamplePerson("", "Robert Sommer", "Oberschule Talhausen", "Schulleitung", ("schule",)),
    SamplePerson("", "Vanessa Jung", "Jugendzentrum Kompass", "Medienpädagogik",
                 ("medienbildung",)),
    SamplePerson("", "Bernd Keller", "Kreisjugendamt Musterland", "Mitglied Bildungsbeirat",
                 ("non-formale-kulturelle-bildung",)),
    SamplePerson("", "Helga Brandt", "Volkshochschule Musterland", "Seniorenbildung",
                 ("weiterbildung",)),
)  # fmt: skip

# Offer titles per Handlungsfeld with their target groups; combined with providers below.
OFFER_TEMPLATES = (
    ("Forscherwerkstatt für Kita-Kinder", "fruehkindliche-bildung", ("kinder-0-6",)),
    ("Eltern-Kind-Gruppe", "fruehkindliche-bildung", ("kinder-0-6", "eltern")),
    ("Lernförderung Mathematik", "schule", ("schuelerinnen",)),
    ("Schülerzeitungs-AG", "schule", ("schuelerinnen",)),
    ("Sprachförderung im Kita-Alltag", "sprachbildung", ("kinder-0-6", "fachkraefte")),
    ("Vorlesestunde", "sprachbildung", ("kinder-0-6", "eltern")),
    ("Deutschkurs für Neuzugewanderte", "sprachbildung", ("neuzugewanderte",)),
    ("Brückenjahr Kita–Grundschule", "uebergang-kita-grundschule", ("kinder-0-6", "eltern")),
    ("Elterncafé Schulstart", "uebergang-kita-grundschule", ("eltern",)),
    ("Berufsorientierungswoche", "uebergang-schule-beruf", ("schuelerinnen",)),
    ("Praktikumsbörse", "uebergang-schule-beruf", ("schuelerinnen", "junge-menschen")),
    ("Ausbildungsmesse", "berufliche-bildung", ("junge-menschen", "eltern")),
    ("Azubi-Sprechstunde", "berufliche-bildung", ("junge-menschen",)),
    ("Schnupperstudium", "hochschule", ("schuelerinnen",)),
    ("Fortbildung Ganztag", "ganztag", ("fachkraefte",)),
    ("Hausaufgabenbetreuung", "ganztag", ("schuelerinnen",)),
    ("Medienscouts", "medienbildung", ("schuelerinnen", "junge-menschen")),
    ("Elternabend Mediensicherheit", "medienbildung", ("eltern",)),
    ("Klimaschule-Projekttage", "bne", ("schuelerinnen",)),
    ("Naturerlebnistag", "bne", ("kinder-0-6", "eltern")),
    ("Bildungsberatung offene Sprechstunde", "bildungsberatung", ("junge-menschen", "eltern")),
    ("Theaterwerkstatt", "non-formale-kulturelle-bildung", ("junge-menschen",)),
    ("Bandprojekt", "non-formale-kulturelle-bildung", ("schuelerinnen",)),
    ("Integrationslotsen", "integration-neuzugewanderte", ("neuzugewanderte",)),
    ("Computerkurs 60+", "weiterbildung", ("aeltere",)),
    ("Qualifizierung Tagespflege", "weiterbildung", ("fachkraefte",)),
)
SCHEDULES = ("wöchentlich, dienstags", "monatlich", "jeweils im Frühjahr", "nach Vereinbarung",
             "Schuljahr 2026/27", "jeden ersten Samstag im Monat")  # fmt: skip
OFFER_COUNT = 60


def _email(name: str, organization: str) -> str:
    # An address must be ASCII: the shared fold does umlauts and accents, and the dotless ı
    # (which has no accent to drop) becomes i.
    local = ".".join(fold_text(name).replace("ı", "i").split())
    domain = "".join(ch for ch in fold_text(organization).replace("ı", "i") if ch.isalnum())[:20]
    return f"{local}@{domain}.example"


async def seed_contact_network(database: Database, clock: Clock) -> dict[str, int]:
    """Create the fictional organisations, persons and offers; returns how many of each."""
    now = clock.now()
    async with database.session() as session:
        store = Store(session)
        vocabulary = {
            kind: {term.key: term for term in await store.vocabulary.terms(kind)}
            for kind in (FIELD, TARGET_GROUP, ORG_KIND)
        }
        organizations = {}
        for sample in ORGANIZATIONS:
            organizations[sample.name] = await store.contacts.add_organization(
                now,
                sample.name,
                kind=vocabulary[ORG_KIND][sample.kind],
                fields=[vocabulary[FIELD][key] for key in sample.fields],
                gemeinde=sample.gemeinde,
                source="Demo-Beispieldaten",
            )
        for index, person in enumerate(PERSONS):
            organization = organizations[person.organization]
            record = await store.contacts.add_person(
                now,
                person.name,
                fields=[vocabulary[FIELD][key] for key in person.fields],
                title=person.title,
                email=_email(person.name, person.organization),
                phone=f"+49 5555 {1000 + index * 37}",
                gemeinde=organization.gemeinde,
                source="Demo-Beispieldaten",
            )
            await store.contacts.link(record, organization, person.function)
        providers = [o for o in ORGANIZATIONS if o.kind not in ("verwaltung", "kammer")]
        # Every template with each provider working in its field, taken in rounds so that all
        # fields appear before any template repeats.
        by_template = [
            [(template, provider) for provider in providers if template[1] in provider.fields]
            for template in OFFER_TEMPLATES
        ]
        rounds = itertools.zip_longest(*by_template)
        chosen = [pair for pair in itertools.chain.from_iterable(rounds) if pair is not None]
        for index, ((title, field_key, groups), provider) in enumerate(chosen[:OFFER_COUNT]):
            await store.contacts.add_offer(
                now,
                title,
                provider=organizations[provider.name],
                fields=[vocabulary[FIELD][field_key]],
                target_groups=[vocabulary[TARGET_GROUP][key] for key in groups],
                place=provider.name,
                gemeinde=provider.gemeinde,
                schedule=SCHEDULES[index % len(SCHEDULES)],
                cost="kostenfrei" if index % 3 else "geringer Eigenanteil",
                source="Demo-Beispieldaten",
            )
        return await store.contacts.counts()


# The committees of Landkreis Musterland, each set up the way the office would do it: by
# commands typed in the committee's own room (so the demo runs the same code as the chat).
COMMITTEE_SCRIPTS: dict[str, tuple[str, ...]] = {
    "team": ("!kontakt ändern {person[Bernd Keller]} matrix={bernd}",),
    "beirat": (
        '!gremium neu "Bildungsbeirat" kurz=BB art=Beirat ort="Kreishaus, Sitzungssaal 2"',
        "!gremium mitglied {bernd} rolle=Vorsitz",
        "!gremium mitglied {person[Nadine Koch]} rolle=Stellvertretung",
        "!gremium mitglied {person[Anna Schulz]} rolle=Geschäftsführung",
        "!gremium mitglied {person[Fatima Haddad]}",
        "!gremium mitglied {person[Thomas Becker]}",
        "!sitzung neu in drei Wochen 16 Uhr wiederholung=monatlich anzahl=6 "
        'titel="Sitzung des Bildungsbeirats"',
        '!sitzung neu in sechs Wochen 9 Uhr dauer=7h titel="Bildungskonferenz 2027" '
        'ort="Stadthalle Neustadt am See"',
        # The first meeting's agenda: an item with a paper, a non-public one, then publishing,
        # after which a further item is a late item (Nachtrag) waiting for acceptance.
        '!top Bildungsbericht 2027: erste Ergebnisse dauer=30 beschreibung="Entwurf zur '
        'Diskussion"',
        "!anlage 1",
        "!top Personalangelegenheit Schulsozialarbeit nö dauer=15",
        "!top Sprachkitas im Landkreis dauer=20",
        "!tagesordnung veröffentlichen",
        "!top Ferienbetreuung 2027 dauer=10",
    ),
    "steuerung": (
        '!gremium neu "Steuerungsgruppe Bildung" kurz=SG art=Steuerungsgruppe '
        'ort="Landratsamt, Raum 101"',
        "!gremium mitglied {person[Uwe Kaiser]} rolle=Vorsitz",
        "!gremium mitglied {person[Ralf Schmitt]}",
        "!gremium mitglied {person[Birgit Lorenz]}",
        "!gremium mitglied {person[Anna Schulz]} rolle=Geschäftsführung",
        "!sitzung neu nächsten Dienstag 10 Uhr wiederholung=quartalsweise anzahl=4",
        '!sitzung neu nächsten Freitag 14 Uhr dauer=1h titel="Sondersitzung Haushalt 2027"',
    ),
    "ag": (
        '!gremium neu "AG Übergang Schule–Beruf" kurz=AG-USB art=AG',
        "!gremium mitglied {person[Selin Aydın]} rolle=Vorsitz",
        "!gremium mitglied {person[Tobias Klein]}",
        "!gremium mitglied {person[Karin Hartmann]}",
        "!gremium mitglied {person[Sandra Möller]}",
        "!sitzung neu nächsten Donnerstag 14 Uhr wiederholung=14-täglich anzahl=8 "
        "online=https://meet.example.org/ag-uesb",
    ),
}


class SeedFailed(Exception):
    """A seeding command was not accepted; the message is the bot's answer."""


async def seed_committees(
    work: CommandWork,
    rooms: Mapping[str, str],
    organiser: str,
    member: str,
    paper: ReplyLookup | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Bind the demo's committee rooms, plan their meetings and fill the first agenda by
    running the commands an organiser would type; returns how many commands ran per room.
    ``names`` are the display names the rooms would show (for the agenda's submitters).

    ``!anlage`` answers the file that ``paper`` posts into the room; without a homeserver to
    post it (``paper`` None) that line is left out."""
    numbers = {person.name: index + 1 for index, person in enumerate(PERSONS)}
    counts: dict[str, int] = {}
    for room_key, lines in COMMITTEE_SCRIPTS.items():
        if room_key not in rooms:
            continue
        for line in lines:
            replied_to = paper if line.startswith("!anlage") else None
            if line.startswith("!anlage") and paper is None:
                continue
            text = line.format(bernd=member, person=numbers)
            kind = RoomKind.TEAM if room_key == "team" else RoomKind.GROUP
            request = Request(
                organiser,
                rooms[room_key],
                kind,
                Role.ADMIN,
                text,
                replied_to=replied_to,
                name_of=(names or {}).get,
            )
            reply = await work.respond(request)
            if reply is None or reply.is_error:
                answer = " ".join(block_text(reply)) if reply else "no answer"
                raise SeedFailed(f"{text!r}: {answer}")
        counts[f"committee_commands_{room_key}"] = len(lines)
    return counts


# A meeting of the Bildungsbeirat three weeks ago, its decisions and the tasks that carry them
# out, plus the office's own to-do list: some done, some under way, some overdue, so that
# !aufgaben, !beschlüsse and !bericht show something at once. Days are counted from today:
# (text, owner, due in days, status, decision index or None).
PAST_MEETING_DAYS_AGO = 21
DECISIONS: tuple[tuple[str, tuple[int, int, int] | None], ...] = (
    (
        "Der Bildungsbeirat empfiehlt, die alltagsintegrierte Sprachförderung in den Kitas "
        "des Kreises auszubauen.",
        (9, 1, 2),
    ),
    ("Die Bildungskonferenz 2027 findet in der Stadthalle Neustadt am See statt.", None),
)
TASKS: tuple[tuple[str, str, int | None, TaskStatus, int | None], ...] = (
    ("Bedarf an Sprachförderkräften abfragen", "Nadine Koch", -7, TaskStatus.IN_PROGRESS, 0),
    ("Förderantrag Sprach-Kitas vorbereiten", "{organiser}", 10, TaskStatus.OPEN, 0),
    ("Stadthalle für die Bildungskonferenz reservieren", "{member}", -10, TaskStatus.DONE, 1),
    ("Newsletter des Bildungsbüros versenden", "{organiser}", -2, TaskStatus.OPEN, None),
    ("Ganztagsstatistik an das Land melden", "Sandra Möller", 3, TaskStatus.BLOCKED, None),
)


# The minutes of that meeting, so that !protokoll shows them at once: who came, and for each
# decision the item it was taken under, with a note (label, title, note).
PRESENT = ("{organiser}", "{member}", "Nadine Koch", "Petra Hoffmann")
EXCUSED = ("Sandra Möller",)
MINUTES_ITEMS = (
    (
        "Ö 5",
        "Sprachförderung in Kitas",
        "Die Kitaträger berichten von langen Wartelisten für Sprachförderkräfte.",
    ),
    (
        "Ö 6",
        "Bildungskonferenz 2027",
        "Drei Orte wurden verglichen; die Stadthalle ist barrierefrei erreichbar.",
    ),
)


async def seed_tasks(
    database: Database, clock: Clock, rooms: Mapping[str, str], organiser: str, member: str
) -> dict[str, int]:
    """The Bildungsbeirat's last meeting with its decisions and their tasks, and the office's
    own tasks (see :data:`TASKS`); the tasks' reminders are planned as the commands plan them.
    Needs :func:`seed_committees` first; returns how many decisions and tasks it wrote."""
    now = clock.now()
    today = now.date()
    async with database.session() as session:
        store = Store(session)
        committee = await store.committees.for_room(rooms["beirat"])
        if committee is None:
            return {}
        start = now - timedelta(days=PAST_MEETING_DAYS_AGO)
        meeting = await store.meetings.add_meeting(
            start - timedelta(days=30),
            committee_id=committee.id,
            uid="demo-past-meeting@kuemmerer",
            start=start,
            end=start + timedelta(hours=2),
            title="Sitzung des Bildungsbeirats",
            place=committee.default_place,
            created_by=organiser,
        )
        decisions = [
            await store.tasks.add_decision(
                committee_id=committee.id,
                meeting_id=meeting.id,
                text=text,
                votes_yes=votes[0] if votes else None,
                votes_no=votes[1] if votes else None,
                votes_abstain=votes[2] if votes else None,
                unanimous=votes is None,
                recorded_by=organiser,
                decided_at=start,
                created_at=start,
            )
            for text, votes in DECISIONS
        ]
        persons = {person.name: index + 1 for index, person in enumerate(PERSONS)}
        linked_tasks: list[tuple[int, int]] = []
        for text, owner, due_in, status, decision in TASKS:
            matrix_id = owner.format(organiser=organiser, member=member)
            linked = decisions[decision] if decision is not None else None
            task = await store.tasks.add_task(
                text=text,
                owner_matrix_id=matrix_id if matrix_id.startswith("@") else "",
                owner_person_id=persons.get(owner),
                due_on=today + timedelta(days=due_in) if due_in is not None else None,
                status=status,
                done_at=now - timedelta(days=12) if status == TaskStatus.DONE else None,
                done_note="Reserviert für Juni." if status == TaskStatus.DONE else "",
                committee_id=committee.id if linked is not None else None,
                decision_id=linked.id if linked is not None else None,
                meeting_id=meeting.id if linked is not None else None,
                created_by=organiser,
                created_at=start,
                updated_at=start,
            )
            await arm_task(store.schedule, task, now=now, timezone="Europe/Berlin")
            if linked is not None:
                linked_tasks.append((decisions.index(linked), task.id))
        entries = await _seed_minutes(
            store,
            meeting,
            rooms["beirat"],
            organiser,
            member,
            [d.id for d in decisions],
            linked_tasks,
        )
    return {"decisions": len(DECISIONS), "tasks": len(TASKS), "minutes_entries": entries}


async def _seed_minutes(
    store: Store,
    meeting: Meeting,
    room_id: str,
    organiser: str,
    member: str,
    decision_ids: list[int],
    linked_tasks: list[tuple[int, int]],
) -> int:
    """The minutes of the past meeting (see :data:`MINUTES_ITEMS`), ended the same day."""
    start = meeting.start
    minutes = await store.minutes.begin(
        meeting, room_id, start, started_by=organiser, taker_name="Anna Schulz"
    )
    names = {organiser: "Anna Schulz", member: "Bernd Keller"}
    added = 0
    for kind, people in ((EntryKind.PRESENT, PRESENT), (EntryKind.EXCUSED, EXCUSED)):
        for written in people:
            who = written.format(organiser=organiser, member=member)
            await store.minutes.add(
                minutes,
                start,
                kind=kind,
                text=names.get(who, who),
                matrix_id=who if who.startswith("@") else "",
                author=organiser,
            )
            added += 1
    for index, (label, title, note) in enumerate(MINUTES_ITEMS):
        call = await store.minutes.add(
            minutes, start, kind=EntryKind.CALL, label=label, text=title, author=organiser
        )
        # The note, the decision and its tasks are recorded under the item's call.
        under_call = partial(
            store.minutes.add, minutes, start, call_id=call.id, label=label, author=organiser
        )
        await under_call(kind=EntryKind.NOTE, text=note)
        await under_call(kind=EntryKind.DECISION, decision_id=decision_ids[index])
        for decision, task_id in linked_tasks:
            if decision == index:
                await under_call(kind=EntryKind.TASK, task_id=task_id)
                added += 1
        added += 3
    await store.minutes.end(minutes, meeting, start + timedelta(hours=2))
    return added


def block_text(reply: Reply) -> list[str]:
    return [body for body, _html in split_reply(reply)]
