"""Restarts, outages, stale commands, bursts, rate limits and unreadable events — real Synapse."""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.devtools.homeserver import LocalSynapse
from bot.matrix import TIMELINE_LIMIT
from commands.framework.clock import OffsetClock
from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.registry import Handler, command, declaration_of
from commands.framework.reply import Reply
from tests.support.matrix import Office, People, RunningBot, bot_config, with_bot_settings

pytestmark = [pytest.mark.synapse, pytest.mark.long_running]

# A short staleness limit lets a test make a command "old" by waiting a few seconds.
STALE_SECONDS = 3


async def settle(seconds: float = 1.0) -> None:
    """Give a wrongly repeated answer time to show up before asserting there is none."""
    await asyncio.sleep(seconds)


async def test_restart_neither_repeats_nor_loses_commands(office: Office) -> None:
    """After a restart an old command is not re-run, one sent while down is answered once, and
    roles are known again (room state is reloaded)."""
    anna = office.anna
    before = await anna.say(office.team_room, "!whoami")
    await anna.wait_until(lambda: bool(anna.answers_to(before)))
    await office.bot.stop()
    while_down = await anna.say(office.team_room, "!whoami")
    await office.bot.start()
    await anna.wait_until(lambda: bool(anna.answers_to(while_down)))
    # The bot answers a room's events in order: a wrong answer to `before` would have come first.
    assert len(anna.answers_to(before)) == 1
    assert len(anna.answers_to(while_down)) == 1
    assert "team member" in anna.answers_to(while_down)[0].body


async def test_first_sync_of_a_new_installation_runs_no_history(
    people: People, tmp_path: Path
) -> None:
    """Commands in a room's history from before the bot's first start are never executed."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    old = await anna.say(team_room, "!whoami")
    running = RunningBot(
        bot_config(people.synapse, bot_user, tmp_path, team_room, language="en"),
        OffsetClock(timedelta(0)),
    )
    await running.start()
    try:
        await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id))
        new = await anna.say(team_room, "!whoami")
        await anna.wait_until(lambda: bool(anna.answers_to(new)))
        # The bot answers a room's events in order: a wrong answer to `old` would have come first.
        assert anna.answers_to(old) == []
    finally:
        await running.stop()


async def test_first_start_answers_nothing_from_before_it_existed(
    people: People, tmp_path: Path
) -> None:
    """On its very first start the bot neither runs nor lists as skipped the commands in a room
    whose invite was waiting for it; only what comes after its start is answered."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    group = await anna.create_room("AG Sprachbildung", invite=[bot_user.user_id])
    stale = await anna.say(group, "!whoami")
    await asyncio.sleep(STALE_SECONDS + 1)  # old enough for a "not run" notice
    recent = await anna.say(group, "!help")  # young enough to be run
    config = bot_config(people.synapse, bot_user, tmp_path, team_room, language="en")
    running = RunningBot(
        with_bot_settings(config, stale_command_after=timedelta(seconds=STALE_SECONDS)),
        OffsetClock(timedelta(0)),
    )
    await running.start()
    try:
        await anna.wait_until(lambda: anna.is_joined(group, bot_user.user_id))
        new = await anna.say(group, "!whoami")
        await anna.wait_until(lambda: bool(anna.answers_to(new)))
        # The bot answers a room's events in order: a wrong answer or notice would have come first.
        assert anna.answers_to(stale) == [] and anna.answers_to(recent) == []
        from_bot = [m for m in anna.messages if m.sender == bot_user.user_id]
        assert [m.in_reply_to for m in from_bot] == [new], [m.body for m in from_bot]
    finally:
        await running.stop()


async def test_a_room_joined_during_down_time_still_gets_the_notice(office: Office) -> None:
    """A running installation that was down lists the stale commands of a room it was invited
    to meanwhile: the first-start silence does not swallow real down time."""
    anna = office.anna
    await office.bot.stop()
    room = await anna.create_room("AG Ganztag", invite=[office.bot.user_id])
    missed = await anna.say(room, "!whoami")
    seen = len(anna.messages)
    await office.bot.start(OffsetClock(timedelta(minutes=20)))
    notice = await anna.next_message(room, office.bot.user_id, seen)
    assert "older than 10 minutes" in notice.body and "`!whoami`" in notice.body
    assert anna.answers_to(missed) == []


async def test_stale_commands_are_skipped_with_one_notice(office: Office) -> None:
    """Commands older than stale_command_after are not run; one notice in the room lists them."""
    anna = office.anna
    await office.bot.stop()
    first = await anna.say(office.team_room, "!whoami")
    second = await anna.say(office.team_room, "!help")
    seen = len(anna.messages)
    # The bot comes back believing 20 minutes have passed: both commands are now stale.
    await office.bot.start(OffsetClock(timedelta(minutes=20)))
    notice = await anna.next_message(office.team_room, office.bot.user_id, seen)
    assert "older than 10 minutes" in notice.body
    assert "`!whoami`" in notice.body and "`!help`" in notice.body
    assert notice.msgtype == "m.notice"
    await settle()
    assert anna.answers_to(first) == [] and anna.answers_to(second) == []
    bot_messages = [m for m in anna.messages[seen:] if m.sender == office.bot.user_id]
    assert len(bot_messages) == 1


async def test_bot_recovers_when_synapse_restarts(office: Office, synapse: LocalSynapse) -> None:
    """A homeserver restart under the running bot does not kill it; it answers afterwards."""
    await synapse.restart()
    reply = await office.anna.ask(office.team_room, "!whoami", timeout=90)
    assert "team member" in reply.body
    assert office.bot.task is not None and not office.bot.task.done()


async def test_a_burst_larger_than_one_sync_is_answered_completely(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    """More commands than one sync's timeline holds (a `limited` sync) are all answered."""
    anna = office.anna
    await office.bot.stop()
    count = TIMELINE_LIMIT + 15
    sent = [await anna.say(office.team_room, f"!help nr{index}") for index in range(count)]
    with caplog.at_level(logging.INFO, logger="bot.matrix"):
        await office.bot.start()
        await anna.wait_until(lambda: all(anna.answers_to(event) for event in sent), timeout=120)
    assert any("filled a gap" in record.getMessage() for record in caplog.records)
    assert all(len(anna.answers_to(event)) == 1 for event in sent)
    assert f"!nr{count - 1}" in anna.answers_to(sent[-1])[0].body


async def test_rate_limited_answers_are_still_delivered(
    office: Office, people: People, caplog: pytest.LogCaptureFixture
) -> None:
    """When Synapse answers M_LIMIT_EXCEEDED, the bot waits as told and delivers every answer."""
    admin = await people.register("admin", admin=True)
    await people.synapse.override_ratelimit(admin, office.bot.user_id, 1, 1)
    anna = office.anna
    with caplog.at_level(logging.WARNING, logger="nio"):
        sent = [await anna.say(office.team_room, "!whoami") for _ in range(4)]
        await anna.wait_until(lambda: all(anna.answers_to(event) for event in sent), timeout=60)
    # nio's own retry (see bot.matrix) logs each 429 it waits out.
    assert any("ratelimited" in record.getMessage() for record in caplog.records)
    assert all(len(anna.answers_to(event)) == 1 for event in sent)


async def test_undecryptable_message_gets_one_short_notice(office: Office) -> None:
    """An encrypted message the bot cannot decrypt is logged and answered once, not per event."""
    anna = office.anna
    room = await office.room_with_bot(anna, "AG Sprachbildung", encrypted=True)
    assert (await anna.ask(room, "!whoami")).encrypted
    content = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "sender_key": anna.client.olm.account.identity_keys["curve25519"],
        "device_id": anna.client.device_id,
        "session_id": "a-session-the-bot-never-received",
        "ciphertext": "AwgAEnACgAkLmt6qF84IK++J7UDH2Za1YVchHyprqTqsg2yyOwAtHaZTwyNg37afzg8f",
    }
    url = f"{office.people.synapse.url}/_matrix/client/v3/rooms/{room}/send/m.room.encrypted"
    headers = {"Authorization": f"Bearer {anna.client.access_token}"}
    event_ids = []
    async with aiohttp.ClientSession(headers=headers) as http:
        for _ in range(2):
            async with http.put(f"{url}/{secrets.token_hex(8)}", json=content) as response:
                event_ids.append((await response.json())["event_id"])
    await anna.wait_until(lambda: bool(anna.answers_to(event_ids[0])))
    notice = anna.answers_to(event_ids[0])[0]
    assert "could not decrypt" in notice.body and notice.msgtype == "m.notice"
    await settle()
    assert anna.answers_to(event_ids[1]) == []


@command("fehler", english="bug", help=N_("Shows help."))
async def bug_run(ctx: Context) -> Reply:
    raise ZeroDivisionError("a bug in a handler")


def teach(office: Office, *handlers: Handler) -> None:
    """Give the running bot extra commands, as a later feature module would."""
    assert office.bot.bot is not None
    for handler in handlers:
        office.bot.bot.dispatcher.registry.add(declaration_of(handler))


async def test_a_slow_command_does_not_hold_up_other_rooms(office: Office) -> None:
    """While one room waits for a slow command, another room's command is answered at once."""
    started, released = asyncio.Event(), asyncio.Event()

    @command("langsam", english="slow", help=N_("Shows help."))
    async def slow_run(ctx: Context) -> Reply:
        # Slow for exactly as long as the test needs: until the other room has its answer.
        started.set()
        await released.wait()
        return Reply.of("finally done")

    teach(office, slow_run)
    anna = office.anna
    other_room = await office.room_with_bot(anna, "AG Ganztag")
    slow = await anna.say(other_room, "!slow")
    try:
        await asyncio.wait_for(started.wait(), 20)
        reply = await anna.ask(office.team_room, "!whoami", timeout=5)
        assert "team member" in reply.body and anna.answers_to(slow) == []
    finally:
        released.set()  # a failed assertion must not leave the bot's shutdown waiting
    await anna.wait_until(lambda: bool(anna.answers_to(slow)), timeout=20)


async def test_a_bug_in_a_handler_gets_a_reference_and_the_bot_goes_on(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    """A crashing handler gives "Internal error (ref. …)", a logged traceback; the bot lives on."""
    teach(office, bug_run)
    with caplog.at_level(logging.ERROR):
        reply = await office.anna.ask(office.team_room, "!bug")
    reference = reply.body.removeprefix("Internal error (ref. ")[:4]
    assert reply.body.startswith("Internal error (ref. ") and "please tell the team" in reply.body
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info and logged[0].exc_info[0] is ZeroDivisionError
    assert "team member" in (await office.anna.ask(office.team_room, "!whoami")).body
