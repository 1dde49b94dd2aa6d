"""How many SELECTs a command costs, counted at the database driver, on each backend.

A command's SELECTs are: the bookkeeping read (was its event handled before? — the running bot
asks in the same SELECT whether the room is a committee's), then what the handler's repository
calls load. Relationships never load on their own, so these counts change only when a query
does.
"""

from __future__ import annotations

from collections.abc import Awaitable

from commands.framework.registry import Role, RoomKind
from storage.database import Database
from tests.support.desk import Desk
from tests.support.names import BEIRAT_ROOM, BERND
from tests.support.statements import counted_selects

NEW_MARIA = (
    '!contact new "Maria Müller" titel=Dr. org="Gymnasium Am Park" funktion=Schulleitung '
    'felder="ÜSB, Schule" gemeinde=Herford matrix=@maria:localhost'
)


async def a_busy_office(database: Database) -> Desk:
    """A committee with a monthly series and a chair who works in two organisations and has
    fields: everything an eager load would drag along with a meeting or a contact."""
    desk = Desk(database)
    await desk.ask(NEW_MARIA)
    await desk.ask('!contact change 1 org="VHS Kreis Herford" funktion=Dozentin')
    await desk.ask('!contact new "Jan Kurz" org="Gymnasium Am Park"')
    for line in (
        '!committee new "Bildungsbeirat" kurz=BB',
        "!committee member 1 rolle=Vorsitz",
        "!committee member 2",
        f"!committee member {BERND}",
        "!meeting new 10.03.2027 14:00 repeat=monthly count=4",
    ):
        await desk.ask(line, room=RoomKind.GROUP, room_id=BEIRAT_ROOM)
    return desk


async def answer_and_selects(database: Database, asking: Awaitable[str]) -> tuple[str, int]:
    """The answer ``asking`` gets, and how many SELECTs it took."""
    with counted_selects(database) as selects:
        answer = await asking
    return answer, len(selects)


async def test_a_meeting_card_costs_at_most_three_selects(database: Database) -> None:
    """`!meeting 1` in the team room, in the committee's room and in a member's direct chat
    sends at most three SELECTs in all: the bookkeeping read, the meeting joined with its
    committee and series, and (in a direct chat only) the committees the sender sits in."""
    desk = await a_busy_office(database)
    in_team_room = desk.ask("!meeting 1")
    in_committee_room = desk.ask(
        "!meeting 1", Role.MEMBER, RoomKind.GROUP, sender=BERND, room_id=BEIRAT_ROOM
    )
    in_direct_chat = desk.ask(
        "!meeting 1", Role.GUEST, RoomKind.DIRECT, sender=BERND, room_id="!dm:localhost"
    )
    for asking in (in_team_room, in_committee_room, in_direct_chat):
        card, selects = await answer_and_selects(database, asking)
        assert "No. 1 · Bildungsbeirat" in card and "Series: monthly" in card, card
        assert selects <= 3


async def test_a_contact_card_costs_at_most_three_selects(database: Database) -> None:
    """`!contact 1` sends three SELECTs in all: the bookkeeping read, the person joined with
    its fields, and its places (functions in organisations and committee seats) in one."""
    desk = await a_busy_office(database)
    card, selects = await answer_and_selects(database, desk.ask("!contact 1"))
    assert "Dr. Maria Müller" in card
    assert "Gymnasium Am Park" in card and "VHS Kreis Herford" in card
    assert "Bildungsbeirat" in card
    assert selects <= 3
