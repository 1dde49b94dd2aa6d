"""How the bot's costs grow with the size of the office's data: from 1 000 to 100 000 persons.

Run: ``.venv/bin/python -m bench.scale`` (about a quarter of an hour on 2 cores; ``--quick``
for a smoke run of a minute, ``--sizes 1000,10000`` for a look at the smaller sizes). Writes
``bench/results/scale.json`` and prints a table with a row per measurement, a column per size
and the factor between the largest and the smallest size.

For each size a fresh SQLite database is migrated by Alembic and filled with fictional German
data in the proportions of a large Landkreis — at 100 000 persons: 20 000 organisations,
50 000 offers (the generator of ``bench/search.py``, same seed), 250 committees with their
seats, 5 000 meetings, 15 000 schedule entries (three per meeting, with ledger rows for those
already past) and 20 000 tasks. Then:

* the bot itself: a throwaway Synapse, the bot as its own process (``kuemmerer run``) on the
  prepared database, started once to join its team room and then restarted with a command
  sent the moment the process is spawned: seconds until the answer arrives, and the peak RSS
  (``VmHWM``) after that answer and after a round of the queries below sent through Matrix;
* in-process, each command in its own unit of work as the bot runs it (parsing, the handler,
  rendering the notices, writing them to the outbox, the commit): p50/p95 of contact search
  (``!kontakt``), ``!wer``, ``!termine`` in the team room and in a committee room;
* a scheduler wake-up: ``SchedulerService.run_due`` on a ``ManualClock`` with
  :data:`DUE_PER_WAKE_UP` entries due among all of them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select

from bench.common import describe_machine, machine_description, percentile, table
from bench.search import NOW, SEED, chunks, generate, queries, settle
from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse
from bot.render import Target, notice_contents
from bot.scheduler import ScheduledRun, SchedulerService, occurrence_key
from commands.catalog.modules import build_registry
from commands.framework.clock import ManualClock
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import Translator
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Items, Reply
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
    VocabularyTerm,
)
from storage.repositories import Store

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results" / "scale.json"
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
QUICK_QUERIES = 10
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
# Queries sent to the bot process through Matrix before its peak RSS is read a second time.
MATRIX_QUERIES_PER_KIND = 5

# Goals of issue 12 at 100 000 persons.
GOALS = {
    "search_p95_ms": 50.0,
    "start_up_s": 3.0,
    "rss_mb": 200.0,
}

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
    async with database.session() as session:
        vocabulary = list(await session.scalars(select(VocabularyTerm)))
    terms: dict[str, dict[str, int]] = {"field": {}, "target_group": {}, "org_kind": {}}
    for term in vocabulary:
        terms[term.vocabulary][term.key] = term.id
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


# --------------------------------------------------------------------------- in-process


@dataclass
class Sample:
    """Timings of one kind of query, and how many answers listed something."""

    milliseconds: list[float] = field(default_factory=list)
    # CPU time of this process (all its threads, SQLite's included): what the work costs,
    # whatever else the machine is doing; wall time grows with the machine's load.
    cpu_milliseconds: list[float] = field(default_factory=list)
    with_results: int = 0
    errors: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "count": len(self.milliseconds),
            "p50_ms": round(statistics.median(self.milliseconds), 3),
            "p95_ms": round(percentile(self.milliseconds, 95), 3),
            "cpu_p50_ms": round(statistics.median(self.cpu_milliseconds), 3),
            "cpu_p95_ms": round(percentile(self.cpu_milliseconds, 95), 3),
            "with_results": self.with_results,
            "errors": self.errors,
            "ms": [round(value, 3) for value in self.milliseconds],
        }


def listed(reply: Reply) -> int:
    """How many entries the answer lists (search hits, people, meetings)."""
    return sum(len(block.entries) for block in reply.blocks if isinstance(block, Items))


class Desk:
    """The bot's dispatcher on the benchmark's database, run as the bot runs a chat command:
    one unit of work for parsing, the handler, the handled record and the notices owed."""

    def __init__(self, database: Database, clock: ManualClock) -> None:
        self.database = database
        self.clock = clock
        self.dispatcher = Dispatcher(
            build_registry(), Translator("de", BERLIN), clock, self.store, "!", "@bot:localhost"
        )

    @asynccontextmanager
    async def store(self) -> AsyncIterator[Store]:
        async with self.database.session() as session:
            yield Store(session)

    async def run(self, line: str, room_id: str, room_kind: RoomKind, role: Role) -> Reply:
        event_id = f"${secrets.token_hex(8)}:localhost"
        request = Request(ANNA, room_id, room_kind, role, line, event_id=event_id)
        target = Target(room_id, event_id, None, ANNA)

        async def owe(store: Store, reply: Reply) -> None:
            for place, content in enumerate(notice_contents(reply, target)):
                await store.outbox.add(
                    f"reply:{event_id}#{place}", room_id, content, self.clock.now(), None
                )

        async with self.store() as store:
            reply = await self.dispatcher.answer(request, store, owe)
        assert reply is not None, f"{line!r} was not taken as a command"
        return reply


async def time_commands(desk: Desk, office: Office) -> dict[str, Sample]:
    """Every measured command, each in its own unit of work; the first few warm the caches."""
    samples: dict[str, Sample] = {}
    for measurement, lines in office.commands.items():
        sample = Sample()
        in_committee = measurement == "termine_committee"
        for number, line in enumerate([*lines[:3], *lines]):
            room = office.committee_rooms[number % len(office.committee_rooms)]
            where = (room, RoomKind.GROUP, Role.MEMBER) if in_committee else None
            room_id, kind, role = where or (TEAM_ROOM, RoomKind.TEAM, Role.TEAM)
            started, cpu_started = time.perf_counter(), time.process_time()
            reply = await desk.run(line, room_id, kind, role)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu_started) * 1000
            if number < 3:
                continue
            sample.milliseconds.append(elapsed)
            sample.cpu_milliseconds.append(cpu)
            sample.with_results += listed(reply) > 0
            sample.errors += reply.is_error
        samples[measurement] = sample
    return samples


async def time_wake_ups(database: Database) -> Sample:
    """:data:`WAKE_UPS` wake-ups, each finding :data:`DUE_PER_WAKE_UP` entries due."""
    clock = ManualClock(NOW)

    async def post(run: ScheduledRun) -> None:
        # What a real handler does: owe the room a post under the occurrence's key.
        async with database.session() as session:
            await Store(session).outbox.add(
                occurrence_key(run), TEAM_ROOM, {"msgtype": "m.notice", "body": "bench"},
                clock.now(), None,
            )  # fmt: skip

    service = SchedulerService(database, clock, GRACE_PERIOD, {WAKE_UP_KIND: post})
    # Whatever the bot process left due before NOW (its daily housekeeping) is dealt with here.
    await service.run_due()
    sample = Sample()
    for minute in range(1, WAKE_UPS + 1):
        clock.set(NOW + timedelta(minutes=minute, seconds=1))
        started, cpu_started = time.perf_counter(), time.process_time()
        ran = await service.run_due()
        sample.milliseconds.append((time.perf_counter() - started) * 1000)
        sample.cpu_milliseconds.append((time.process_time() - cpu_started) * 1000)
        sample.with_results += ran == DUE_PER_WAKE_UP
        sample.errors += ran != DUE_PER_WAKE_UP
    return sample


# --------------------------------------------------------------------------- the bot process


def bot_config(directory: Path, synapse: LocalSynapse, user_id: str, password: str,
               team_room: str, database: Path) -> Path:  # fmt: skip
    """A config.toml for the bot on ``database``, as an office writes it."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "\n".join(
        [
            "[matrix]",
            f"homeserver = {json.dumps(synapse.url)}",
            f"user_id = {json.dumps(user_id)}",
            f"password = {json.dumps(password)}",
            'store_path = "store"',
            "sync_timeout_ms = 30000",
            "[bot]",
            f"team_room = {json.dumps(team_room)}",
            'language = "de"',
            f"allowed_servers = [{json.dumps(synapse.server_name)}]",
            "[storage]",
            f"url = {json.dumps(f'sqlite+aiosqlite:///{database}')}",
        ]
    )
    path = directory / "config.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def spawn_bot(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """``kuemmerer run --config FILE`` as a service manager starts it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KUEMMERER_")}
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
            cwd=PROJECT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


# Lines of the bot's log that mark how far its start-up has come, by what they say.
START_UP_MARKS = {
    "first_log_line": "",  # Python has imported the bot's modules
    "logged_in": "restored session of device",
    "running": " runs as ",
    # After the first sync the scheduler catches up (run_due over every entry), then says so.
    "scheduler_caught_up": "Scheduler started",
}


def start_up_phases(log: Path, offset: int, spawned_at: float) -> dict[str, float]:
    """Seconds from the spawn to each of :data:`START_UP_MARKS` in the log of the process
    that began writing at ``offset``."""
    phases: dict[str, float] = {}
    with log.open("rb") as lines:
        lines.seek(offset)
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            try:
                # The log's clock is the local wall clock, to the millisecond.
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            except ValueError:
                continue
            for mark, says in START_UP_MARKS.items():
                if mark not in phases and says in line:
                    phases[mark] = round(stamp - spawned_at, 3)
    return phases


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user and system), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The fields after the command name, which is in parentheses and may hold spaces.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def stop_bot(process: subprocess.Popen[bytes], log: Path, stops: list[bool]) -> None:
    """SIGTERM, and SIGKILL after 30 s; ``stops`` gets whether SIGTERM alone did it.

    A SIGTERM that arrived while the bot armed its many timers was seen to go unheeded: the
    run goes on, and the results say so.
    """
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stops.append(process.poll() is not None)
    if process.poll() is None:
        print(f"the bot did not stop within 30 s of SIGTERM; killed (log: {log})", flush=True)
        process.kill()
        process.wait()


async def answer_of(anna: ChatClient, room: str, line: str, process: subprocess.Popen[bytes],
                    log: Path, timeout: float = 300) -> float:  # fmt: skip
    """Send ``line`` and wait for the bot's answer; the seconds until it arrived."""
    started = time.perf_counter()
    event_id = await anna.say(room, line)

    def answered() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited:\n{log.read_text()[-3000:]}")
        return bool(anna.answers_to(event_id))

    await anna.wait_until(answered, timeout)
    return time.perf_counter() - started


async def time_bot_process(
    synapse: LocalSynapse, directory: Path, database: Path, office: Office
) -> dict[str, Any]:
    """Start-up to the first answer, and the bot's peak RSS, on the prepared database."""
    anna_user = await synapse.register(f"anna-{secrets.token_hex(3)}")
    bot_user = await synapse.register(f"kuemmerer-{secrets.token_hex(3)}")
    anna = ChatClient(
        synapse.url, anna_user.user_id, anna_user.device_id, anna_user.access_token,
        directory / "anna",
    )  # fmt: skip
    await anna.start()
    log = directory / "bot.log"
    try:
        team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
        config = bot_config(
            directory / "bot", synapse, bot_user.user_id, bot_user.password, team_room, database
        )
        stops: list[bool] = []
        # The first start: login, a new device, joining the team room.
        spawned = time.perf_counter()
        process = spawn_bot(config, log)
        try:
            await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id), 300)
            await answer_of(anna, team_room, "!ich", process, log)
            first_start = time.perf_counter() - spawned
        finally:
            await stop_bot(process, log, stops)
        # The restart that is measured: a command sent the moment the process exists.
        logged = log.stat().st_size
        spawned, spawned_at = time.perf_counter(), time.time()
        process = spawn_bot(config, log)
        try:
            await answer_of(anna, team_room, "!ich", process, log)
            start_up = time.perf_counter() - spawned
            start_up_cpu = cpu_seconds(process.pid)
            rss_answered = peak_rss_mb(process.pid)
            replies: list[float] = []
            # The peak after each kind of query in turn: which one makes the process grow.
            rss_after: dict[str, float] = {}
            for measurement, lines in office.commands.items():
                if measurement == "termine_committee":
                    continue  # the bot's committee rooms exist only in the generated data
                for line in lines[:MATRIX_QUERIES_PER_KIND]:
                    replies.append(await answer_of(anna, team_room, line, process, log))
                rss_after[measurement] = round(peak_rss_mb(process.pid), 1)
            rss_queried = peak_rss_mb(process.pid)
            # Read now: the scheduler's catch-up may end after the first answer.
            phases = start_up_phases(log, logged, spawned_at)
        finally:
            await stop_bot(process, log, stops)
    finally:
        await anna.close()
    return {
        "first_start_s": round(first_start, 3),
        "start_up_to_first_answer_s": round(start_up, 3),
        "start_up_phases_s": phases,
        "start_up_cpu_s": round(start_up_cpu, 3),
        # Per start, whether SIGTERM stopped it (else it was killed after 30 s).
        "stopped_on_sigterm": stops,
        "peak_rss_after_answer_mb": round(rss_answered, 1),
        "peak_rss_after_queries_mb": round(rss_queried, 1),
        "peak_rss_after_each_kind_mb": rss_after,
        "matrix_queries": len(replies),
        "matrix_reply_p50_s": round(statistics.median(replies), 3),
    }


# --------------------------------------------------------------------------- one size


async def measure_size(
    persons: int, count: int, directory: Path, synapse: LocalSynapse
) -> dict[str, Any]:
    """Build a database for ``persons`` in ``directory`` and take every measurement on it."""
    path = directory / f"scale-{persons}.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    # Other work on the machine shows in the figures; the load says how much there was.
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    office = await build(database, persons, count)
    built = time.perf_counter() - started
    await database.dispose()
    print(f"{persons:>7,} persons: built in {built:.0f} s ({path.stat().st_size / 1e6:.0f} MB)")

    # The bot process first, on the database as prepared: the in-process runs below leave
    # replies in the outbox that it would otherwise try to send.
    bot = await time_bot_process(synapse, directory / f"bot-{persons}", path, office)
    print(f"{persons:>7,} persons: bot process {bot}")

    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        desk = Desk(database, ManualClock(NOW))
        samples = await time_commands(desk, office)
        samples["wake_up"] = await time_wake_ups(database)
    finally:
        await database.dispose()
    size_mb = path.stat().st_size / 1e6
    for leftover in directory.glob(f"scale-{persons}.db*"):
        leftover.unlink()
    return {
        "persons": persons,
        "counts": office.counts,
        "build_s": round(built, 1),
        "database_mb": round(size_mb, 1),
        "queries": {name: sample.summary() for name, sample in samples.items()},
        "bot_process": bot,
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


# --------------------------------------------------------------------------- report

# (label, unit, where the figure is in a size's result)
ROWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("!kontakt search p50", "ms", ("queries", "search", "p50_ms")),
    ("!kontakt search p95", "ms", ("queries", "search", "p95_ms")),
    ("!kontakt search CPU p95", "ms", ("queries", "search", "cpu_p95_ms")),
    ("!wer p50", "ms", ("queries", "wer", "p50_ms")),
    ("!wer p95", "ms", ("queries", "wer", "p95_ms")),
    ("!wer CPU p95", "ms", ("queries", "wer", "cpu_p95_ms")),
    ("!termine (team room) p50", "ms", ("queries", "termine_team", "p50_ms")),
    ("!termine (team room) p95", "ms", ("queries", "termine_team", "p95_ms")),
    ("!termine (committee) p50", "ms", ("queries", "termine_committee", "p50_ms")),
    ("!termine (committee) p95", "ms", ("queries", "termine_committee", "p95_ms")),
    ("scheduler wake-up p50", "ms", ("queries", "wake_up", "p50_ms")),
    ("scheduler wake-up p95", "ms", ("queries", "wake_up", "p95_ms")),
    ("scheduler wake-up CPU p50", "ms", ("queries", "wake_up", "cpu_p50_ms")),
    ("start-up to first answer", "s", ("bot_process", "start_up_to_first_answer_s")),
    ("  of which: imports", "s", ("bot_process", "start_up_phases_s", "first_log_line")),
    ("  until it runs", "s", ("bot_process", "start_up_phases_s", "running")),
    (
        "  until the scheduler caught up",
        "s",
        ("bot_process", "start_up_phases_s", "scheduler_caught_up"),
    ),
    ("  CPU time the bot used by then", "s", ("bot_process", "start_up_cpu_s")),
    ("first start (login, join)", "s", ("bot_process", "first_start_s")),
    ("peak RSS after the answer", "MB", ("bot_process", "peak_rss_after_answer_mb")),
    ("peak RSS after !kontakt", "MB", ("bot_process", "peak_rss_after_each_kind_mb", "search")),
    ("peak RSS after !wer", "MB", ("bot_process", "peak_rss_after_each_kind_mb", "wer")),
    (
        "peak RSS after !termine",
        "MB",
        ("bot_process", "peak_rss_after_each_kind_mb", "termine_team"),
    ),
    ("database size", "MB", ("database_mb",)),
)


def figure(result: dict[str, Any], path: tuple[str, ...]) -> float | None:
    """The figure at ``path`` in one size's result; None if it was not seen (a start-up
    phase whose log line did not come)."""
    value: Any = result
    for key in path:
        if key not in value:
            return None
        value = value[key]
    return float(value)


def growth(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A row per measurement: its value at each size and the factor largest/smallest."""
    rows = []
    for label, unit, path in ROWS:
        values = {str(result["persons"]): figure(result, path) for result in results}
        first, last = figure(results[0], path), figure(results[-1], path)
        rows.append(
            {
                "measurement": label.strip(),
                "unit": unit,
                "by_persons": values,
                "factor": round(last / first, 2) if first and last is not None else None,
            }
        )
    return rows


def growth_table(rows: Sequence[dict[str, Any]], sizes: Sequence[int], title: str) -> str:
    """The growth as text: a row per measurement, a column per size, and the factor."""
    headers = ["measurement", "unit", *(f"{size:,}" for size in sizes)]
    headers.append(f"{sizes[-1]:,}/{sizes[0]:,}")
    lines = []
    for row, (label, _unit, _path) in zip(rows, ROWS, strict=True):
        values = [row["by_persons"][str(size)] for size in sizes]
        factor = row["factor"]
        lines.append([label, row["unit"], *values, None if factor is None else f"{factor:.1f}×"])
    return table(title, headers, lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on, with the SQLite the databases ran on."""
    return {**machine_description(), "sqlite": sqlite3.sqlite_version}


def verdicts(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The issue's goals against the largest size measured."""
    largest = results[-1]
    bot = largest["bot_process"]
    rss = max(bot["peak_rss_after_answer_mb"], bot["peak_rss_after_queries_mb"])
    wake = [result["queries"]["wake_up"]["p50_ms"] for result in results]
    return {
        "at_persons": largest["persons"],
        "search_p95_ms": {
            "goal": GOALS["search_p95_ms"],
            "measured": largest["queries"]["search"]["p95_ms"],
        },
        "start_up_s": {"goal": GOALS["start_up_s"], "measured": bot["start_up_to_first_answer_s"]},
        "rss_mb": {"goal": GOALS["rss_mb"], "measured": rss},
        "wake_up_independent_of_entries": {
            "goal": "p50 about the same at every size",
            "measured_p50_ms": wake,
            "factor": round(wake[-1] / wake[0], 2) if wake[0] else None,
        },
    }


@contextmanager
def logged_to(path: Path) -> Iterator[None]:
    """Log records go to ``path`` while the benchmark runs, not between its figures (the
    in-process scheduler notes the bot process's daily jobs as missed on the benchmark's
    clock); the logging set-up is as before afterwards."""
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(level)


async def measure(
    sizes: Sequence[int], count: int, directory: Path, synapse: LocalSynapse | None = None
) -> dict[str, Any]:
    """Every size in turn, on one throwaway Synapse (``synapse``, or one started here)."""
    own = synapse is None
    server = synapse or LocalSynapse(directory / "synapse")
    with logged_to(directory / "bench.log"):
        if own:
            await server.start()
        try:
            results = [await measure_size(size, count, directory, server) for size in sizes]
        finally:
            if own:
                await server.stop()
    return {
        "benchmark": "scale",
        "machine": machine(),
        "taken_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "seed": SEED,
        "sizes": list(sizes),
        "queries_per_kind": count,
        "wake_ups": {"count": WAKE_UPS, "due_per_wake_up": DUE_PER_WAKE_UP},
        "results": results,
        "growth": growth(results),
        "goals": verdicts(results),
    }


def main(argv: list[str] | None = None) -> int:
    """Measure, print the growth table and write the JSON; 0 when done."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        help="numbers of persons, comma-separated (default 1000,10000,100000)",
    )
    parser.add_argument("--queries", type=int, help="queries of each kind (default 100)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short smoke run (200 and 1000 persons, 10 queries each) whose JSON goes to a "
        "temporary directory, never over the committed figures",
    )
    parser.add_argument(
        "--output", type=Path, help=f"where the JSON goes (default {RESULTS.relative_to(PROJECT)})"
    )
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    parser.add_argument(
        "--synapse",
        type=Path,
        help="the directory of a throwaway Synapse that is running already (default: start one)",
    )
    arguments = parser.parse_args(argv)
    sizes = sorted(arguments.sizes or (QUICK_SIZES if arguments.quick else SIZES))
    count = arguments.queries or (QUICK_QUERIES if arguments.quick else 100)
    output = arguments.output or RESULTS
    if arguments.quick and arguments.output is None:
        output = Path(tempfile.mkdtemp(prefix="kuemmerer-bench-quick-")) / RESULTS.name
    synapse = LocalSynapse(arguments.synapse) if arguments.synapse else None
    if arguments.keep:
        shutil.rmtree(arguments.keep, ignore_errors=True)
        arguments.keep.mkdir(parents=True)
        report = asyncio.run(measure(sizes, count, arguments.keep, synapse))
    else:
        with tempfile.TemporaryDirectory(prefix="kuemmerer-scale-") as directory:
            report = asyncio.run(measure(sizes, count, Path(directory), synapse))
    print()
    title = f"Kümmerer scale benchmark (seed {SEED}) — {describe_machine(report['machine'])}"
    print(growth_table(report["growth"], sizes, title))
    print()
    print(json.dumps(report["goals"], indent=2, ensure_ascii=False))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
