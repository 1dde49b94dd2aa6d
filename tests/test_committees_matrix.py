"""Committees over Matrix: Anna binds a committee room, seats Bernd as chair; Bernd sees his
seat in the room, and the team finds the committee and its chair from the team room."""

from __future__ import annotations

import pytest

from tests.support.matrix import Office

pytestmark = pytest.mark.synapse


async def test_a_bound_room_shows_its_members_and_the_team_finds_them(office: Office) -> None:
    """Anna binds the Bildungsbeirat's room and seats Bernd as chair; Bernd sees the committee
    with his role and, as chair, organises it (Carla, a plain member, does not); !who
    Bildungsbeirat and !committees in the team room list it. Seats show display names, also
    in the team room, which Bernd is not in."""
    anna, bernd = office.anna, await office.people.person("bernd")
    carla = await office.people.person("carla")
    await bernd.client.set_displayname("Bernd Keller")
    await carla.client.set_displayname("Carla Ortmann")
    room = await office.room_with_bot(anna, "Bildungsbeirat", members=[bernd, carla])

    created = await anna.ask(room, '!committee new "Bildungsbeirat" kurz=BB')
    assert created.body.startswith(
        "This room is now the room of the committee Bildungsbeirat (BB)."
    ), created.body
    assert "Notice period: 14 days" in created.body
    added = await anna.ask(room, f"!committee member {bernd.user_id} rolle=Vorsitz")
    assert added.body == (
        "Bernd Keller is now a member of the committee Bildungsbeirat (BB), as chair."
    ), added.body

    card = await bernd.ask(room, "!committee")
    assert card.body.startswith("Committee Bildungsbeirat (BB)"), card.body
    assert "Next meeting: none planned" in card.body
    assert "Bernd Keller – chair" in card.body
    role = await bernd.ask(room, "!whoami")
    assert role.body.startswith("You are organiser here (committee room)."), role.body
    assert "You hold the seat chair in the committee Bildungsbeirat." in role.body
    seated = await bernd.ask(room, f"!committee member {carla.user_id}")
    assert seated.body.startswith("Carla Ortmann is now a member"), seated.body
    refused = await carla.ask(room, f"!committee member {carla.user_id} rolle=Vorsitz")
    assert refused.body.startswith("`!committee member` is only for organisers"), refused.body
    member = await carla.ask(room, "!whoami")
    assert "the team records seats with `!committee member … rolle=Vorsitz`" in member.body

    who = await anna.ask(office.team_room, "!who bildungsbeirat")
    assert who.body.startswith("2 members of the committee Bildungsbeirat (BB):"), who.body
    assert "Bernd Keller – chair" in who.body
    assert bernd.user_id not in who.body
    listing = await anna.ask(office.team_room, "!committees")
    assert "Bildungsbeirat (BB) · advisory board · 2 members · no meeting planned" in listing.body


async def test_a_fresh_room_is_bound_but_never_the_team_room(office: Office) -> None:
    """In the team room !committee new is refused with where to type it; a new room holding
    only Anna and the bot is bound, and a second binding there names the committee."""
    anna = office.anna
    in_team = await anna.ask(office.team_room, '!committee new "Steuerungsgruppe"')
    assert "is not allowed here; use it in committee rooms" in in_team.body, in_team.body

    room = await office.room_with_bot(anna, "Steuerungsgruppe")
    created = await anna.ask(room, '!committee new "Steuerungsgruppe" dauer=3h')
    assert "room of the committee Steuerungsgruppe." in created.body, created.body
    assert "Usual length: 3 hours" in created.body
    again = await anna.ask(room, '!committee new "AG Ganztag"')
    assert "This room already belongs to the committee Steuerungsgruppe" in again.body
    card = await anna.ask(room, "!committee")
    assert card.body.startswith("Committee Steuerungsgruppe"), card.body
