"""Scheduled jobs live with their feature, and bot/ only delivers and owns the unit of work:
every kind of schedule entry is declared by exactly one feature package, bot/ holds no feature
rule, a post carries one late note at most, and a command whose timers cannot be re-armed
still answers with its success alone."""

from __future__ import annotations

import ast
import importlib
import logging
import pkgutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

import commands
from bot.outbox import late_note
from commands.catalog.modules import FEATURES, build_jobs
from commands.framework.context import JobContext, Post
from commands.framework.i18n import Translator
from commands.framework.registry import JOB_ATTRIBUTE, Job, Jobs, job
from commands.meetings.schedule import MeetingOver
from commands.reminders.schedule import ReminderDue
from storage.database import Database
from storage.models import ScheduleEntry
from tests.support.desk import Desk
from tests.support.names import BERLIN

ROOT = Path(__file__).resolve().parent.parent
# bot/ modules that are tools, not the running bot: seeding sample data reads features freely.
TOOLS = ROOT / "bot" / "devtools"
# The repositories of features: deciding what a scheduled post says, or whether to stay
# silent, means reading one of them; delivering it never does.
FEATURE_REPOSITORIES = frozenset(
    {"agenda", "tasks", "reminders", "minutes", "decisions", "meetings", "roll_over"}
)
NOW = datetime(2027, 3, 8, 8, 0, tzinfo=UTC)


def command_modules() -> Iterator[ModuleType]:
    """Every module of the commands package, imported."""
    for info in pkgutil.walk_packages(commands.__path__, prefix="commands."):
        yield importlib.import_module(info.name)


def declared_jobs(modules: Iterable[ModuleType]) -> list[Job]:
    """Every ``@job`` declaration defined (not only imported) in ``modules``."""
    return [
        value.__dict__[JOB_ATTRIBUTE]
        for module in modules
        for value in vars(module).values()
        if callable(value)
        and JOB_ATTRIBUTE in getattr(value, "__dict__", {})
        and value.__module__ == module.__name__
    ]


def kinds_in_use(modules: Iterable[ModuleType]) -> set[str]:
    """The kinds of schedule entry the code writes, from each feature's ``schedule`` module
    (where its entries are written): every ``…_KIND`` constant and the ``kind`` of every
    payload type (a class with ``to_payload`` and ``from_payload``)."""
    kinds: set[str] = set()
    for module in modules:
        if not module.__name__.endswith(".schedule"):
            continue
        for name, value in vars(module).items():
            if name.endswith("_KIND") and isinstance(value, str):
                kinds.add(value)
            elif (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and hasattr(value, "to_payload")
                and hasattr(value, "from_payload")
                and isinstance(kind := getattr(value, "kind", None), str)
            ):
                kinds.add(kind)
    return kinds


def undeclared(kinds: Iterable[str], jobs: Jobs) -> set[str]:
    """The kinds in use that no job is declared for."""
    return set(kinds) - jobs.kinds


def feature_rules(source: Path) -> list[str]:
    """Where ``source`` (a bot/ module) does a feature's work: imports a feature's jobs,
    declares a job, or reads a feature's repository through a store."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("commands.") and node.module.endswith(".jobs"):
                found.append(f"line {node.lineno}: imports {node.module}")
            elif node.module.startswith("commands.") and any(
                alias.name == "jobs" for alias in node.names
            ):
                found.append(f"line {node.lineno}: imports the jobs of {node.module}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                called = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(called, ast.Name) and called.id == "job":
                    found.append(f"line {node.lineno}: declares the job {node.name}")
        elif isinstance(node, ast.Attribute) and node.attr in FEATURE_REPOSITORIES:
            owner = node.value
            through_store = (
                (isinstance(owner, ast.Name) and owner.id == "store")
                or (isinstance(owner, ast.Attribute) and owner.attr == "store")
                or (
                    isinstance(owner, ast.Call)
                    and isinstance(owner.func, ast.Name)
                    and owner.func.id == "Store"
                )
            )
            if through_store:
                found.append(f"line {node.lineno}: reads store.{node.attr}")
    return found


# --------------------------------------------------------------------------- declared kinds


def test_every_schedule_kind_in_use_is_declared_by_exactly_one_feature_package() -> None:
    """Each kind of schedule entry the commands write has one job, in one feature package, and
    that package exports it to the catalog."""
    modules = list(command_modules())
    jobs = declared_jobs(modules)
    packages: dict[str, set[str]] = {}
    for declaration in jobs:
        packages.setdefault(declaration.kind, set()).add(declaration.feature)
    assert {kind: found for kind, found in packages.items() if len(found) != 1} == {}
    assert len(jobs) == len(packages), "a kind is declared twice"
    features = {feature for found in packages.values() for feature in found}
    assert not features & {"commands.framework", "commands.catalog"}
    catalog = build_jobs()
    in_use = kinds_in_use(modules)
    assert len(in_use) >= 10
    assert undeclared(in_use, catalog) == set()
    assert catalog.kinds == set(packages)
    assert set(catalog.by_kind.values()) == set(jobs)


def test_a_job_kind_without_a_declaration_fails() -> None:
    """A kind written somewhere but declared nowhere is found, and a kind declared twice is
    refused when the jobs are collected."""
    orphan = ModuleType("commands.example.schedule")
    vars(orphan)["EXAMPLE_KIND"] = "example.forgotten"
    assert undeclared(kinds_in_use([orphan]), build_jobs()) == {"example.forgotten"}

    @job(ReminderDue.kind, payload=ReminderDue)
    async def second_reminder(ctx: JobContext, due: ReminderDue) -> list[Post]:
        """A second job for a kind that has one."""
        return []

    twice = ModuleType("commands.example.jobs")
    vars(twice)["second_reminder"] = second_reminder
    with pytest.raises(ValueError, match="declared twice"):
        Jobs.from_modules([*FEATURES, twice])


def test_a_payload_of_another_kind_is_refused_when_declared() -> None:
    """A job whose payload type is of a different kind is a declaration error at import."""
    with pytest.raises(TypeError, match=r"meeting\.over"):

        @job(ReminderDue.kind, payload=MeetingOver)
        async def mixed_up(ctx: JobContext, over: MeetingOver) -> list[Post]:
            """Declared for reminders, reading the roll-over's payload."""
            return []


async def test_an_entry_of_an_undeclared_kind_is_not_written(database: Database) -> None:
    """The one write path refuses a kind no job runs for, as it refuses an unreadable rule,
    so nothing is stored that no handler would ever post."""
    desk = Desk(database)
    with pytest.raises(ValueError, match="no job is declared"):
        async with desk.store() as store:
            await store.schedule.put(
                entry_id="example:1", kind="example.forgotten", first_at=NOW, now=NOW
            )
    with pytest.raises(ValueError, match="invalid rule"):
        async with desk.store() as store:
            await store.schedule.put(
                entry_id="reminder:1",
                kind=ReminderDue.kind,
                first_at=NOW,
                now=NOW,
                rule="FREQ=SOMETIMES",
            )
    async with database.session() as session:
        assert await session.get(ScheduleEntry, "example:1") is None
        assert await session.get(ScheduleEntry, "reminder:1") is None


# --------------------------------------------------------------------------- bot/ delivers


def test_bot_holds_no_feature_rule() -> None:
    """No module of the running bot imports a feature's jobs, declares a job, or reads a
    feature's repository (the roll-over, agenda items, tasks, reminders): bot/ delivers."""
    running = [path for path in sorted((ROOT / "bot").rglob("*.py")) if TOOLS not in path.parents]
    assert {
        str(path.relative_to(ROOT)): rules for path in running if (rules := feature_rules(path))
    } == {}
    assert not [path.name for path in running if "job" in path.stem]


def test_the_check_finds_a_feature_rule_put_back_into_bot(tmp_path: Path) -> None:
    """The old roll-over, written into a bot module again, is found three ways."""
    module = tmp_path / "calendar_posts.py"
    module.write_text(
        "from commands.meetings import jobs\n"
        "from commands.framework.registry import job\n"
        "@job('meeting.over', payload=object)\n"
        "async def meeting_over(ctx, entry):\n"
        "    target = await store.agenda.next_meeting(1, now)\n"
        "    return await Store(session).agenda.roll_over(1, now, target)\n",
        encoding="utf-8",
    )
    rules = feature_rules(module)
    assert any("imports the jobs" in rule for rule in rules)
    assert any("declares the job meeting_over" in rule for rule in rules)
    assert sum("reads store.agenda" in rule for rule in rules) == 2


# --------------------------------------------------------------------------- the late note


def test_a_post_late_twice_says_so_once() -> None:
    """Written late after downtime and then delivered late as well, a post gets the one note
    about its written lateness; one written on time and held up on the way gets the other;
    one on time gets none."""
    t = Translator("en", BERLIN)
    due = datetime(2027, 3, 10, 13, 0, tzinfo=UTC)
    both = late_note(t, due, due + timedelta(minutes=40), due + timedelta(minutes=50))
    assert both is not None
    assert both.plain == "(Sent late after an interruption; planned for Wed, 10 Mar 2027, 14:00.)"
    held_up = late_note(t, due, due + timedelta(seconds=5), due + timedelta(minutes=2))
    assert held_up is not None
    assert held_up.plain == "(Delivered late; planned for Wed, 10 Mar 2027, 14:00.)"
    assert late_note(t, due, due + timedelta(seconds=5), due + timedelta(seconds=20)) is None


# --------------------------------------------------------------------------- the unit of work


async def test_a_re_arm_failing_after_the_commit_answers_the_success_alone(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A command that set a reminder is committed; when its timer cannot be re-armed after
    that, the user gets the success reply only, and the log has the failure with a reference."""
    desk = Desk(database, now=NOW)
    attempts: list[frozenset[str]] = []

    async def broken_rearm(entry_ids: frozenset[str]) -> None:
        attempts.append(entry_ids)
        raise ConnectionError("the scheduler is unreachable")

    desk.dispatcher.rearm = broken_rearm
    with caplog.at_level(logging.ERROR, logger="bot.work"):
        answer = await desk.ask("!remind tomorrow 9am: Raum buchen")
    assert answer.startswith("Reminder No. 1 is set."), answer
    assert "Internal error" not in answer
    assert attempts == [frozenset({ReminderDue(1).entry_id})]
    [record] = caplog.records
    assert "ref " in record.getMessage() and record.exc_info is not None
    async with database.session() as session:
        entry = await session.get(ScheduleEntry, ReminderDue(1).entry_id)
    assert entry is not None and entry.active
    assert entry.first_at == datetime(2027, 3, 9, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
