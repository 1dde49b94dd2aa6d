"""The Bildungsbeirat at the desk: committees written straight into the database, seats for its
members, and commands typed into its room by an organiser or a member."""

from __future__ import annotations

from typing import Any

from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply
from storage.database import Database
from storage.folding import fold_text
from storage.models import Committee, CommitteeMember
from tests.support.desk import Desk
from tests.support.names import BEIRAT_ROOM, BERND, CLARA, MONDAY

AGENDA_MEETING = "12.04.2027 14:00"
"""The meeting of :func:`beirat_with_a_meeting`; its deadline for items is 05.04.2027, 14:00."""


async def add_committee(
    database: Database, name: str, room_id: str, short_name: str = "", **values: Any
) -> int:
    """A committee bound to ``room_id``, recorded directly (as ``!gremium neu`` would, with
    the configured reminder defaults of 7 days and 1 day)."""
    values.setdefault("reminder_offsets_minutes", [7 * 24 * 60, 24 * 60])
    async with database.session() as session:
        committee = Committee(
            name=name,
            name_key=fold_text(name),
            short_name=short_name,
            room_id=room_id,
            created_at=MONDAY,
            updated_at=MONDAY,
            **values,
        )
        session.add(committee)
        await session.flush()
        return committee.id


async def add_beirat(database: Database, **values: Any) -> int:
    """The Bildungsbeirat ("BB") in its room, with ``values`` as its settings."""
    return await add_committee(database, "Bildungsbeirat", BEIRAT_ROOM, "BB", **values)


async def in_beirat(desk: Desk, command: str, role: Role = Role.ORGANIZER) -> Reply:
    """``command`` typed by an organiser in the Bildungsbeirat's room."""
    return await desk.reply(command, role=role, room=RoomKind.GROUP, room_id=BEIRAT_ROOM)


async def seat(database: Database, committee_id: int, *matrix_ids: str) -> None:
    """Give ``matrix_ids`` seats in the committee (members reach it in a direct chat)."""
    async with database.session() as session:
        for matrix_id in matrix_ids:
            session.add(
                CommitteeMember(committee_id=committee_id, matrix_id=matrix_id, created_at=MONDAY)
            )


async def beirat_with_a_meeting(
    database: Database, language: str = "en", **committee: Any
) -> Desk:
    """The Bildungsbeirat with Bernd and Clara, and one meeting on 12 April 2027."""
    committee_id = await add_beirat(database, **committee)
    await seat(database, committee_id, BERND, CLARA)
    desk = Desk(database, language=language)
    await organiser(desk, f"!sitzung neu {AGENDA_MEETING} dauer=2h")
    return desk


async def organiser(desk: Desk, command: str) -> str:
    """``command`` from Anna, an organiser, in the Bildungsbeirat's room."""
    return await desk.ask(command, Role.ORGANIZER, RoomKind.GROUP, room_id=BEIRAT_ROOM)


async def member(desk: Desk, command: str, sender: str = BERND) -> str:
    """``command`` from a member in the Bildungsbeirat's room."""
    return await desk.ask(command, Role.MEMBER, RoomKind.GROUP, sender=sender, room_id=BEIRAT_ROOM)
