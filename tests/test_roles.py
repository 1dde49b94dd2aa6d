"""Roles come from the room the command was sent in, read from the bot's cached room state."""

from __future__ import annotations

import pytest

from tests.support.matrix import Office

pytestmark = pytest.mark.synapse


async def test_roles_in_team_room_committee_room_and_direct_chat(office: Office) -> None:
    """Team in the team room; organiser (power level) or member in a committee room; DM guest."""
    anna = office.anna
    bernd = await office.people.person("bernd")
    clara = await office.people.person("clara")
    committee = await office.room_with_bot(anna, "Bildungsbeirat", members=[bernd, clara])
    levels = await anna.client.room_get_state_event(committee, "m.room.power_levels")
    users = {**levels.content["users"], bernd.user_id: 50}
    await anna.client.room_put_state(
        committee,
        "m.room.power_levels",
        {**levels.content, "users": users},
    )

    assert "team member" in (await anna.ask(office.team_room, "!whoami")).body
    assert "team member" in (await anna.ask(committee, "!whoami")).body
    assert "organiser" in (await bernd.ask(committee, "!whoami", timeout=20)).body
    assert "You are member here (committee room)" in (await clara.ask(committee, "!whoami")).body

    direct = await clara.create_room("", invite=[office.bot.user_id], direct=True)
    await clara.wait_until(lambda: clara.is_joined(direct, office.bot.user_id))
    assert (
        "guest" in (await clara.ask(direct, "!whoami")).body
        and "direct chat" in (await clara.ask(direct, "!whoami")).body
    )
    anna_direct = await anna.create_room("", invite=[office.bot.user_id], direct=True)
    await anna.wait_until(lambda: anna.is_joined(anna_direct, office.bot.user_id))
    assert "team member" in (await anna.ask(anna_direct, "!whoami")).body


async def test_admin_command_is_refused_to_non_admins_and_leaks_nothing(office: Office) -> None:
    """!audit is admin-only: a team member gets a refusal naming who may use it, no entries."""
    reply = await office.anna.ask(office.team_room, "!audit")
    assert "only for administrators" in reply.body
    assert "decline" not in reply.body and "join" not in reply.body


async def test_a_room_with_pending_invitees_is_no_direct_chat(office: Office) -> None:
    """Anna, the bot and an invited (not yet joined) outsider: a group room, so no contact
    data is shown there — the invitee could read it after joining."""
    anna = office.anna
    outsider = await office.people.register("clara")
    room = await anna.create_room("Vorgespräch", invite=[office.bot.user_id, outsider.user_id])
    await anna.wait_until(lambda: anna.is_joined(room, office.bot.user_id))
    reply = await anna.ask(room, "!whoami")
    assert "(committee room)" in reply.body and "direct chat" not in reply.body
