"""Strict rate limits on a real Synapse: the bot waits as long as the server asks, drops
nothing after some number of attempts and doubles nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from nio import JoinError

from bot.devtools.homeserver import LocalSynapse
from commands.framework.clock import OffsetClock
from tests.support.history import history_once_sent
from tests.support.matrix import Office, People, RunningBot, bot_config, bot_of

pytestmark = [pytest.mark.synapse, pytest.mark.long_running]


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
    history = await history_once_sent(bot_of(office), anna, office.team_room)
    assert [len(history.answers_to(event)) for event in sent] == [1] * len(sent)
    assert refused_joins, "no join was refused with 429: the test proved nothing about joins"


# One join per 20 s after the first: the bot's second join waits long enough to be seen waiting.
STRICT_JOINS = {"rc_joins.local": (0.05, 1)}


@pytest.fixture
async def strict_join_synapse(tmp_path: Path) -> AsyncIterator[LocalSynapse]:
    """A Synapse of this test's own that lets a user join one room every 20 seconds."""
    server = LocalSynapse(tmp_path / "synapse", rate_limits=STRICT_JOINS)
    await server.start()
    yield server
    await server.stop()


async def test_a_join_waiting_for_a_rate_limit_does_not_hold_up_other_rooms(
    strict_join_synapse: LocalSynapse, tmp_path: Path
) -> None:
    """While the bot's join to a new room waits out a 429, it answers a command in the team
    room; and it does join the new room in the end."""
    people = People(strict_join_synapse, tmp_path / "people")
    running: RunningBot | None = None
    try:
        anna = await people.person("anna")
        bot_user = await people.register("kuemmerer")
        team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
        config = bot_config(
            strict_join_synapse, bot_user, tmp_path / "bot", team_room, language="en"
        )
        running = RunningBot(config, OffsetClock(timedelta(0)))
        await running.start()  # its join to the team room uses the one join it has
        await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id))
        assert running.bot is not None
        refused = asyncio.Event()

        async def note(response: JoinError) -> None:
            if response.status_code == "M_LIMIT_EXCEEDED":
                refused.set()

        running.bot.gateway.client.add_response_callback(note, JoinError)
        group = await anna.create_room("AG Sprachbildung", invite=[bot_user.user_id])
        await asyncio.wait_for(refused.wait(), 20)

        reply = await anna.ask(team_room, "!whoami", timeout=10)
        assert "team member" in reply.body
        # The answer came through while the join still waited for the server's permission.
        assert not anna.is_joined(group, bot_user.user_id)
        await anna.wait_until(lambda: anna.is_joined(group, bot_user.user_id), timeout=60)
        answer = await anna.ask(group, "!whoami", timeout=10)
        assert answer.room_id == group
    finally:
        if running is not None:
            with contextlib.suppress(Exception):
                await running.stop()
        await people.close()
