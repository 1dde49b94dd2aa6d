"""Clash warnings: a meeting is still planned, and the reply names what it overlaps."""

from __future__ import annotations

from commands.framework.registry import Role, RoomKind
from storage.database import Database
from tests.support.committees import add_beirat, add_committee, in_beirat
from tests.support.desk import Desk
from tests.support.names import STEUERUNG_ROOM


async def test_a_second_meeting_of_the_committee_at_the_same_hour_is_warned(
    database: Database,
) -> None:
    """The Beirat booked twice for 12 March 14:00 gets both meetings and a warning naming the
    first; a meeting later that day gets none."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 12.03.2027 14:00")
    twice = Desk.text(await in_beirat(desk, "!meeting new 12.03.2027 15:00"))
    assert twice.startswith("Meeting No. 2 of Bildungsbeirat scheduled"), twice
    assert "Warning: meeting No. 2 overlaps meeting No. 1 of the same committee" in twice
    later = Desk.text(await in_beirat(desk, "!meeting new 12.03.2027 18:00"))
    assert "overlaps" not in later


async def test_another_committee_in_the_same_place_gets_a_note(database: Database) -> None:
    """The Steuerungsgruppe planning the Sitzungssaal while the Beirat meets there is told."""
    await add_beirat(database)
    await add_committee(database, "Steuerungsgruppe", STEUERUNG_ROOM, "SG")
    desk = Desk(database)
    await in_beirat(desk, '!meeting new 12.03.2027 14:00 ort="Kreishaus, Sitzungssaal 2"')
    answer = await desk.ask(
        "!meeting new 12.03.2027 15:00 ort=Kreishaus, sitzungssaal 2",
        role=Role.ORGANIZER,
        room=RoomKind.GROUP,
        room_id=STEUERUNG_ROOM,
    )
    assert "Note: at that time the committee Bildungsbeirat meets in the same place" in answer
    elsewhere = await desk.ask(
        "!meeting new 12.03.2027 13:00 ort=Rathaus",
        role=Role.ORGANIZER,
        room=RoomKind.GROUP,
        room_id=STEUERUNG_ROOM,
    )
    assert "same place" not in elsewhere and "overlaps" not in elsewhere


async def test_moving_a_meeting_onto_another_warns_too(database: Database) -> None:
    """Moving meeting 2 onto meeting 1's hour warns as planning it there would."""
    await add_beirat(database)
    desk = Desk(database)
    await in_beirat(desk, "!meeting new 12.03.2027 14:00")
    await in_beirat(desk, "!meeting new 19.03.2027 14:00")
    moved = Desk.text(await in_beirat(desk, "!meeting move 2 12.03.2027 14:30"))
    assert "overlaps meeting No. 1" in moved, moved
