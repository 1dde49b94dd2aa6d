"""One command, one transaction: its work and the record that its event was handled are
committed together, on each backend."""

from __future__ import annotations

from sqlalchemy import func, select

from commands.framework.context import Context
from commands.framework.dispatch import Request
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import Role, RoomKind, command, declaration_of
from commands.framework.reply import Reply
from storage.database import Database
from storage.models import Person
from tests.support.desk import Desk
from tests.support.names import ANNA, TEAM_ROOM
from tests.support.statements import counted_commits


@command("halbfertig", english="halfdone", help=N_("Shows help."))
async def half_done_run(ctx: Context) -> Reply:
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "record", 1)
    raise BadArgument("That cannot be finished.")


@command("absturz", english="crash", help=N_("Shows help."))
async def crash_run(ctx: Context) -> Reply:
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "record", 2)
    raise ZeroDivisionError("a bug after a write")


def desk_with_failing_commands(database: Database) -> Desk:
    """The real commands plus two that write an audit entry and then fail."""
    desk = Desk(database)
    for handler in (half_done_run, crash_run):
        desk.dispatcher.registry.add(declaration_of(handler))
    return desk


def from_anna(text: str, event_id: str) -> Request:
    """``text`` typed by Anna of the team in the team room, as the chat event ``event_id``."""
    return Request(ANNA, TEAM_ROOM, RoomKind.TEAM, Role.TEAM, text, event_id=event_id)


async def person_count(database: Database) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count(Person.id))) or 0)


async def was_handled(desk: Desk, event_id: str) -> bool:
    async with desk.store() as store:
        return await store.sync.was_handled(event_id)


async def test_a_command_commits_once_with_its_event(database: Database) -> None:
    """!contact new commits one transaction, which holds the person, the audit entry and the
    record that its event was handled."""
    desk = Desk(database)
    request = from_anna('!contact new "Jan Kurz"', "$1")
    with counted_commits(database) as commits:
        reply = await desk.dispatcher.respond(request)
    assert reply is not None and "Jan Kurz" in Desk.text(reply)
    assert len(commits) == 1
    assert await person_count(database) == 1 and await was_handled(desk, event_id="$1")


async def test_an_event_seen_again_is_not_run_again(database: Database) -> None:
    """The same event delivered twice gets one answer and records one person."""
    desk = Desk(database)
    request = from_anna('!contact new "Jan Kurz"', "$2")
    assert await desk.dispatcher.respond(request) is not None
    assert await desk.dispatcher.respond(request) is None
    assert await person_count(database) == 1


async def test_a_refused_command_keeps_only_the_record_of_its_event(database: Database) -> None:
    """A command refused after it wrote something leaves no trace of that write, but its event
    counts as handled, so the refusal is not repeated after a restart."""
    desk = desk_with_failing_commands(database)
    request = from_anna("!halfdone", "$3")
    reply = await desk.dispatcher.respond(request)
    assert reply is not None and "That cannot be finished." in Desk.text(reply)
    assert await desk.audit() == []
    assert await was_handled(desk, event_id="$3")


async def test_a_crashed_command_keeps_only_the_record_of_its_event(database: Database) -> None:
    """A handler that crashes after a write answers "Internal error"; the write is rolled back
    and the event is recorded as handled."""
    desk = desk_with_failing_commands(database)
    request = from_anna("!crash", "$4")
    reply = await desk.dispatcher.respond(request)
    assert reply is not None and Desk.text(reply).startswith("Internal error (ref. ")
    assert await desk.audit() == []
    assert await was_handled(desk, event_id="$4")
