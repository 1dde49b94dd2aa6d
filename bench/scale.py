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
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import describe_machine, machine_description, percentile, table
from bench.scale_data import (
    ANNA,
    BERLIN,
    DUE_PER_WAKE_UP,
    GRACE_PERIOD,
    PROJECT,
    TEAM_ROOM,
    WAKE_UP_KIND,
    WAKE_UPS,
    Office,
    build,
)
from bench.scale_process import (
    time_bot_process,
)
from bench.search_data import NOW, SEED
from bot.devtools.homeserver import LocalSynapse
from bot.render import Target, notice_contents
from bot.scheduler import ScheduledRun, SchedulerService, occurrence_key
from bot.work import CommandWork
from commands.catalog.modules import build_registry
from commands.framework.clock import ManualClock
from commands.framework.dispatch import Dispatcher, Request
from commands.framework.i18n import Translator
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Items, Reply
from storage.database import Database
from storage.repositories import Store

RESULTS = PROJECT / "bench" / "results" / "scale.json"
SIZES = (1_000, 10_000, 100_000)
QUICK_SIZES = (200, 1_000)
QUICK_QUERIES = 10


# Goals of issue 12 at 100 000 persons.
GOALS = {
    "search_p95_ms": 50.0,
    "start_up_s": 3.0,
    "rss_mb": 200.0,
}


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
        dispatcher = Dispatcher(
            build_registry(), Translator("de", BERLIN), clock, "!", "@bot:localhost"
        )
        self.work = CommandWork(dispatcher, self.store, clock)

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
            reply = await self.work.answer(request, store, owe)
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
