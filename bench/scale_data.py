"""The scaling benchmark's data: a Landkreis of a given size, generated into a fresh database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert

from bench.search import chunks, queries, settle
from bench.search_data import NOW, SEED, generate, read_vocabulary
from commands.meetings.schedule import MEETING_OVER_KIND, MEETING_REMINDER_KIND
from storage.database import Database
from storage.folding import fold_text
from storage.models import (
    Committee,
    CommitteeMember,
    Meeting,
    ScheduleEntry,
    SentLedger,
    Task,
)
from storage.repositories import Store

PROJECT = Path(__file__).resolve().parent.parent


BERLIN = ZoneInfo("Europe/Berlin")

# The full size; every table scales with the number of persons.
FULL_PERSONS = 100_000
FULL_MEETINGS = 5_000
FULL_TASKS = 20_000
MEETINGS_PER_COMMITTEE = 20
SEATS_PER_COMMITTEE = 12
# A reminder a day before, one an hour before, and the meeting's end: 15 000 at full size.
MEETING_ENTRIES = (
    (MEETING_REMINDER_KIND, 1440),
    (MEETING_REMINDER_KIND, 60),
    (MEETING_OVER_KIND, 0),
)

# The scheduler's wake-ups: the same few entries due at each, whatever the size, so that what
# grows with the size is the cost of finding them among all the others.
WAKE_UPS = 20
DUE_PER_WAKE_UP = 3
WAKE_UP_KIND = "bench.post"
GRACE_PERIOD = timedelta(hours=1)

ANNA = "@anna:localhost"
TEAM_ROOM = "!team:localhost"


COMMITTEE_TABLE = cast(Table, Committee.__table__)
MEMBER_TABLE = cast(Table, CommitteeMember.__table__)
MEETING_TABLE = cast(Table, Meeting.__table__)
ENTRY_TABLE = cast(Table, ScheduleEntry.__table__)
LEDGER_TABLE = cast(Table, SentLedger.__table__)
TASK_TABLE = cast(Table, Task.__table__)

COMMITTEE_TOPICS = (
    "Bildungsbeirat", "Steuerungsgruppe Bildung", "AG Übergang Schule–Beruf",
    "AG Frühkindliche Bildung", "Netzwerk Sprachbildung", "AG Ganztag", "Integrationsbeirat",
    "AG Medienbildung", "Lenkungskreis BNE", "AG Weiterbildung",
)  # fmt: skip
TASK_VERBS = (
    "Einladung an die Schulträger versenden", "Protokoll an den Beirat verteilen",
    "Raum im Kreishaus reservieren", "Förderantrag vorbereiten", "Bedarfsumfrage auswerten",
    "Kooperationsvertrag prüfen", "Presseinfo abstimmen", "Teilnehmerliste aktualisieren",
)  # fmt: skip
TASK_STATUSES = ("open", "open", "in_progress", "blocked", "done", "done")


# --------------------------------------------------------------------------- the data


@dataclass
class Office:
    """What the queries of one size are drawn from."""

    counts: dict[str, int]
    committee_rooms: list[str]
    commands: dict[str, list[str]]  # measurement -> command lines


def calendar_rows(persons: int, scale: float) -> dict[Table, list[dict[str, Any]]]:
    """Committees, seats, meetings a year back and a year ahead, their schedule entries (with
    ledger rows for what is past) and tasks, deterministic for the seed."""
    rng = random.Random(SEED + 2)
    rows: dict[Table, list[dict[str, Any]]] = {
        table: []
        for table in (
            COMMITTEE_TABLE, MEMBER_TABLE, MEETING_TABLE, ENTRY_TABLE, LEDGER_TABLE, TASK_TABLE,
        )
    }  # fmt: skip
    meetings = max(1, round(FULL_MEETINGS * scale))
    committees = max(1, meetings // MEETINGS_PER_COMMITTEE)
    created = NOW - timedelta(days=400)
    stamps = {"created_at": created, "updated_at": created}
    for number in range(1, committees + 1):
        name = f"{COMMITTEE_TOPICS[number % len(COMMITTEE_TOPICS)]} {number}"
        rows[COMMITTEE_TABLE].append(
            {"id": number, "name": name, "name_key": fold_text(name), "short_name": f"G{number}",
             "kind": "AG", "room_id": committee_room(number), "notice_days": 14,
             "item_deadline_days": 7, "default_duration_minutes": 120, "default_place": "",
             "reminder_offsets_minutes": [1440, 60], "allow_room_mention": False,
             "feed_token": "", "opening_items": [], "quorum": None, **stamps}
        )  # fmt: skip
        for seat, person_id in enumerate(rng.sample(range(1, persons + 1), SEATS_PER_COMMITTEE)):
            rows[MEMBER_TABLE].append(
                {"committee_id": number, "person_id": person_id,
                 "matrix_id": f"@mitglied{person_id}:localhost" if seat % 3 == 0 else "",
                 "role": "Vorsitz" if seat == 0 else "Mitglied", "created_at": created}
            )  # fmt: skip
    for number in range(1, meetings + 1):
        committee_id = rng.randint(1, committees)
        # Whole quarter hours in office hours, at least two days away from NOW so
        # that no meeting's entry falls among the wake-ups' (see wake_up_rows).
        day = rng.choice([d for d in range(-365, 366) if abs(d) >= 2])
        start = (NOW + timedelta(days=day)).replace(hour=rng.randint(7, 15), minute=0)
        start += timedelta(minutes=15 * rng.randint(0, 3))
        rows[MEETING_TABLE].append(
            {"id": number, "committee_id": committee_id, "series_id": None,
             "uid": f"bench-{number}@kuemmerer", "original_start": None, "start": start,
             "end": start + timedelta(hours=2), "title": "", "place": "Kreishaus, Raum 214",
             "online_link": "", "status": "scheduled", "cancel_reason": "", "sequence": 0,
             "invitation_sent_at": None, "agenda_published_at": None,
             "created_by": ANNA, **stamps}
        )  # fmt: skip
        for kind, offset in MEETING_ENTRIES:
            suffix = f"reminder:{offset}" if kind == MEETING_REMINDER_KIND else "over"
            entry_id = f"meeting:{number}:{suffix}"
            due = start - timedelta(minutes=offset) if offset else start + timedelta(hours=2)
            payload: dict[str, int] = {"meeting_id": number}
            if kind == MEETING_REMINDER_KIND:
                payload["offset_minutes"] = offset
            rows[ENTRY_TABLE].append(
                {"id": entry_id, "kind": kind, "first_at": due, "rule": "",
                 "timezone": "Europe/Berlin", "payload": payload, "active": True,
                 "created_at": created,
                 # As the scheduler keeps it: a one-off that has run is due never again.
                 "next_due": None if due < NOW else max(due, created)}
            )  # fmt: skip
            if due < NOW:
                rows[LEDGER_TABLE].append(
                    {"entry_id": entry_id, "occurrence": due, "status": "sent",
                     "recorded_at": due}
                )  # fmt: skip
    for number in range(1, max(1, round(FULL_TASKS * scale)) + 1):
        status = rng.choice(TASK_STATUSES)
        by_person = rng.random() < 0.3
        owner_committee = rng.randint(1, committees) if rng.random() < 0.8 else None
        rows[TASK_TABLE].append(
            {"id": number, "text": rng.choice(TASK_VERBS),
             "owner_matrix_id": "" if by_person else f"@team{rng.randint(1, 12)}:localhost",
             "owner_person_id": rng.randint(1, persons) if by_person else None,
             "owner_name": "", "due_on": (NOW + timedelta(days=rng.randint(-90, 180))).date(),
             "status": status, "decision_id": None, "committee_id": owner_committee,
             "meeting_id": None, "agenda_item_id": None, "follow_up_on": None,
             "done_note": "", "done_at": created if status == "done" else None,
             "created_by": ANNA, **stamps}
        )  # fmt: skip
    return rows


def wake_up_rows() -> list[dict[str, Any]]:
    """:data:`DUE_PER_WAKE_UP` entries due in each of the first :data:`WAKE_UPS` minutes after
    NOW, when nothing else is due."""
    return [
        {"id": f"bench:{minute}:{place}", "kind": WAKE_UP_KIND,
         "first_at": NOW + timedelta(minutes=minute), "rule": "", "timezone": "Europe/Berlin",
         "payload": {}, "active": True, "created_at": NOW - timedelta(days=1),
         "next_due": NOW + timedelta(minutes=minute)}
        for minute in range(1, WAKE_UPS + 1)
        for place in range(DUE_PER_WAKE_UP)
    ]  # fmt: skip


def committee_room(number: int) -> str:
    return f"!gremium{number}:localhost"


async def build(database: Database, persons: int, count: int) -> Office:
    """Migrate ``database`` (empty), fill it for ``persons`` and draw the commands to time."""
    scale = persons / FULL_PERSONS
    await database.migrate()
    vocabulary, terms = await read_vocabulary(database)
    network = generate(terms, scale)
    calendar = calendar_rows(persons, scale)
    calendar[ENTRY_TABLE].extend(wake_up_rows())
    tables = {**network.rows, **calendar}
    async with database.session() as session:
        for table, rows in tables.items():
            for chunk in chunks(rows):
                await session.execute(insert(table), chunk)
    async with database.session() as session:
        await Store(session).search.rebuild()
    await settle(database)

    drawn = queries(network, vocabulary, count)
    # Names as written and with a typo, taking turns.
    pairs = zip(drawn["exact name"], drawn["typo'd name"], strict=True)
    names = [query.text for pair in pairs for query in pair]
    rooms = [committee_room(number) for number in range(1, len(calendar[COMMITTEE_TABLE]) + 1)]
    rng = random.Random(SEED + 3)
    commands = {
        "search": [f"!kontakt {name}" for name in names[:count]],
        "wer": [f"!wer {query.text}" for query in drawn["field label/alias"]],
        "termine_team": ["!termine"] * count,
        "termine_committee": ["!termine"] * count,
    }
    return Office(
        counts={table.name: len(rows) for table, rows in tables.items()},
        committee_rooms=[rng.choice(rooms) for _n in range(count)],
        commands=commands,
    )
