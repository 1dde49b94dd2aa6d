"""Strict rate limits on a real Synapse: the bot waits as long as the server asks, drops
nothing after some number of attempts and doubles nothing."""

from __future__ import annotations

import asyncio

import pytest
from nio import JoinError

from tests.conftest import Office, People

pytestmark = pytest.mark.synapse


async def test_under_strict_limits_every_reply_arrives_once_and_a_refused_join_is_retried(
    office: Office, people: People
) -> None:
    """At one message a second, a burst of commands from three people is answered completely
    and once each, and invites whose joins get 429 still end with the bot in every room."""
    assert office.bot.bot is not None
    refused_joins: list[JoinError] = []

    async def note(response: JoinError) -> None:
        if response.status_code == "M_LIMIT_EXCEEDED":
            refused_joins.append(response)

    office.bot.bot.gateway.client.add_response_callback(note, JoinError)
    admin = await people.register("admin", admin=True)
    # Synapse applies a user's override to its joins as well as to its messages.
    await people.synapse.override_ratelimit(admin, office.bot.user_id, 1, 1)
    anna = office.anna
    colleagues = [await people.person("ben"), await people.person("carla")]
    for colleague in colleagues:
        await anna.invite(office.team_room, colleague.user_id)
        await colleague.join(office.team_room)

    rooms = [await anna.create_room(f"AG {n}", invite=[office.bot.user_id]) for n in range(4)]
    sent = await asyncio.gather(
        *(
            person.say(office.team_room, "!whoami")
            for _ in range(4)
            for person in (anna, *colleagues)
        )
    )
    await anna.wait_until(lambda: all(anna.answers_to(event) for event in sent), timeout=90)
    await anna.wait_until(
        lambda: all(anna.is_joined(room, office.bot.user_id) for room in rooms), timeout=60
    )
    await asyncio.sleep(1.5)  # a doubled answer would show up by now
    assert [len(anna.answers_to(event)) for event in sent] == [1] * len(sent)
    assert refused_joins, "no join was refused with 429: the test proved nothing about joins"
