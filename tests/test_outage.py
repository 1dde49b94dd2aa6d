"""Synapse stopped for a minute under the running bot, then started again: the bot process
recovers by itself, answers what it owes once, and posts the reminder that fell due meanwhile
late, with the note. The Synapse here is this test's own, so no other test loses its server.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse
from tests.support.cli import BotProcess, database_url, first_answer, office_for_process
from tests.support.history import owed_messages, posts_of, room_history
from tests.support.matrix import People
from tests.support.names import BERLIN

pytestmark = [pytest.mark.synapse, pytest.mark.long_running]

# The number: long enough for every backoff in the bot to reach its cap.
OUTAGE_SECONDS = 60
# The reminder falls due this long after the stop begins (a clean stop takes 2–3 s), and so
# while nothing answers.
DUE_INTO_OUTAGE_SECONDS = 8
UNREACHABLE_LINE = "homeserver unreachable"
BACK_LINE = "homeserver answers again"


@pytest.fixture
async def own_synapse(tmp_path: Path) -> AsyncIterator[LocalSynapse]:
    """A Synapse for this test alone: stopping it disturbs nobody else."""
    server = LocalSynapse(tmp_path / "synapse")
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def own_people(own_synapse: LocalSynapse, tmp_path: Path) -> AsyncIterator[People]:
    crowd = People(own_synapse, tmp_path / "people")
    yield crowd
    await crowd.close()


def patient(person: ChatClient) -> ChatClient:
    """The person's client asks a lost homeserver again every second, so the test waits for
    the bot rather than for nio's own backoff in the person's client (up to a minute)."""
    person.client.config = replace(person.client.config, max_timeout_retry_wait_time=1)
    return person


def log_since(log: Path, offset: int) -> str:
    return log.read_bytes()[offset:].decode("utf-8", errors="replace")


async def test_a_minute_without_synapse_loses_and_doubles_nothing(
    own_people: People,
    own_synapse: LocalSynapse,
    tmp_path: Path,
    bot_processes: list[BotProcess],
) -> None:
    """Synapse stopped for 60 s and started again: the same bot process syncs again by itself,
    logs the outage once, answers the commands it had in hand once each, and posts the reminder
    that fell due meanwhile once, late and saying so."""
    anna, bot_user, team_room, config = await office_for_process(own_people, own_synapse, tmp_path)
    patient(anna)
    log = config.parent / "bot.log"
    bot = BotProcess(config, log)
    bot_processes.append(bot)
    await first_answer(anna, team_room, bot)

    due = datetime.now(BERLIN) + timedelta(seconds=DUE_INTO_OUTAGE_SECONDS)
    when = due.strftime("%d.%m.%Y %H:%M:%S")
    await anna.ask(team_room, f"!remind {when}: outage reminder")
    # Commands the bot receives as the homeserver goes away: their answers may be cut off.
    in_hand = [await anna.say(team_room, "!whoami") for _ in range(3)]
    offset = log.stat().st_size
    stopped = time.monotonic()
    await own_synapse.stop()
    await anna.wait_until(lambda: UNREACHABLE_LINE in log_since(log, offset), timeout=30)
    # The outage itself is what is tested: the one fixed wait of this test.
    await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    await own_synapse.start()
    back = time.monotonic()
    seen_before_back = len(anna.messages)

    await anna.wait_until(lambda: BACK_LINE in log_since(log, offset), timeout=30)
    bot_synced = time.monotonic() - back
    bot_id = bot_user.user_id
    await anna.wait_until(lambda: posts_of(anna.messages, bot_id, "outage reminder"), timeout=30)
    posted_late_by = datetime.now(BERLIN) - due
    after = await anna.ask(team_room, "!whoami", timeout=30)
    await anna.wait_until(lambda: all(anna.answers_to(event) for event in in_hand), timeout=30)
    answered_again = time.monotonic() - back
    answered_after = sum(
        anna.messages.index(answer) >= seen_before_back
        for event in in_hand
        for answer in anna.answers_to(event)
    )

    print(
        f"outage {back - stopped:.0f} s; the bot synced {bot_synced:.1f} s after Synapse "
        f"answered and a new command was answered after {answered_again:.1f} s; the reminder "
        f"arrived {posted_late_by.total_seconds():.0f} s after it was due; "
        f"{answered_after} of {len(in_hand)} commands sent just before the stop were answered "
        "after it"
    )
    assert bot.process.poll() is None, "the bot process died; it must recover by itself"
    assert "team member" in after.body
    [late] = posts_of(anna.messages, bot_id, "outage reminder")
    assert "(Delivered late; planned for" in late.body and "Delivered late" in late.html

    # Stopped cleanly and owing nothing, the bot sends nothing more: the room's record on the
    # homeserver is final, and a doubled answer or post would be in it.
    bot.process.send_signal(signal.SIGTERM)
    assert await bot.wait(20) == 0, bot.output()[-3000:]
    assert await owed_messages(database_url(config.parent)) == 0
    history = await room_history(anna, team_room)
    assert [len(history.answers_to(event)) for event in in_hand] == [1, 1, 1]
    assert len(posts_of(history.messages, bot_id, "outage reminder")) == 1
    output = log_since(log, offset)
    # However many requests failed in that minute, the log tells of one outage.
    assert (output.count(UNREACHABLE_LINE), output.count(BACK_LINE)) == (1, 1), output[-3000:]
    assert "Traceback" not in output, output[-3000:]
