"""Errors between the bot and a real Synapse. Passing ones: a gateway in front of the
homeserver answers 502 or cuts the connection in the middle of a send, or answers syncs with
502; nothing the bot owes is dropped or doubled, and the sync loop goes on. A permanent one: a
room that kicked the bot ends the sends owed to it, logged, and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.devtools.homeserver import LOOPBACK, LocalSynapse
from commands.framework.clock import OffsetClock
from commands.framework.reply import Reply
from storage.outbox import OutboxState
from tests.support.history import history_once_sent
from tests.support.matrix import Office, People, RunningBot, bot_config
from tests.support.storage_reads import outbox_in_states

pytestmark = pytest.mark.synapse

# Hop-by-hop and length headers belong to each connection, not to the request passed on.
NOT_FORWARDED = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass
class Fault:
    """The next ``times`` requests whose path contains ``path`` fail as ``how`` says:
    ``bad_gateway`` (502 without reaching Synapse) or ``cut`` (Synapse handles the request,
    then the connection is closed before its answer)."""

    path: str
    how: str
    times: int


class FlakyGateway:
    """A reverse proxy in front of Synapse that fails chosen requests as a real one can."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.failed: list[str] = []  # "how path" of every request failed so far
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=1024**3)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{LOOPBACK}:{port}"
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))

    async def stop(self) -> None:
        # The server first: a long poll still in hand must not find its upstream closed.
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def fail(self, path: str, how: str, times: int) -> None:
        self.faults.append(Fault(path, how, times))

    def _fault_for(self, request: web.Request) -> str | None:
        for fault in self.faults:
            if fault.path in request.path and fault.times > 0:
                fault.times -= 1
                self.failed.append(f"{fault.how} {request.method} {fault.path}")
                return fault.how
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        fault = self._fault_for(request)
        if fault == "bad_gateway":
            return web.Response(
                status=502, text="<h1>502 Bad Gateway</h1>", content_type="text/html"
            )
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in NOT_FORWARDED}
        async with self._session.request(
            request.method,
            self.upstream + str(request.rel_url),
            headers=headers,
            data=await request.read(),
        ) as answer:
            body = await answer.read()
            status, content_type = answer.status, answer.content_type
        if fault == "cut" and request.transport is not None:
            request.transport.close()  # Synapse did the work; its answer never arrives
        return web.Response(status=status, body=body, content_type=content_type)


@pytest.fixture
async def gateway(synapse: LocalSynapse) -> AsyncIterator[FlakyGateway]:
    proxy = FlakyGateway(synapse.url)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def test_bad_gateway_and_cut_connections_lose_and_double_nothing(
    people: People,
    synapse: LocalSynapse,
    gateway: FlakyGateway,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Replies whose sends get 502 three times, or reach Synapse but lose their answer, and a
    command that arrives while syncs get 502: each is answered exactly once, and the bot runs
    on."""
    anna = await people.person("anna")
    bot_user = await people.register("kuemmerer")
    team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
    config = bot_config(synapse, bot_user, tmp_path / "bot", team_room, language="en")
    config = replace(config, matrix=replace(config.matrix, homeserver=gateway.url))
    running = RunningBot(config, OffsetClock(timedelta(0)))
    await running.start()
    try:
        await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id))
        with caplog.at_level(logging.INFO, logger="bot"):
            gateway.fail("/send/", "bad_gateway", times=3)
            refused_thrice = await anna.say(team_room, "!whoami")
            await anna.wait_until(lambda: bool(anna.answers_to(refused_thrice)), timeout=40)

            # Twice: aiohttp itself sends a PUT again once when a kept-alive connection closes.
            gateway.fail("/send/", "cut", times=2)
            cut_off = await anna.say(team_room, "!whoami")
            await anna.wait_until(lambda: bool(anna.answers_to(cut_off)), timeout=40)

            failed_before = len(gateway.failed)
            gateway.fail("/sync", "bad_gateway", times=3)
            async with asyncio.timeout(20):
                while len(gateway.failed) == failed_before:  # until the first sync fails
                    await asyncio.sleep(0.05)
            during_sync_trouble = await anna.say(team_room, "!whoami")
            await anna.wait_until(lambda: bool(anna.answers_to(during_sync_trouble)), timeout=40)
        assert running.bot is not None
        history = await history_once_sent(running.bot, anna, team_room)
        sent = [refused_thrice, cut_off, during_sync_trouble]
        assert [len(history.answers_to(event)) for event in sent] == [1, 1, 1]
        assert len(gateway.failed) == 8, gateway.failed
        assert running.task is not None and not running.task.done()
        lines = [record.getMessage() for record in caplog.records]
        assert any("homeserver unreachable" in line for line in lines)
        assert not any("refused for good" in line for line in lines)
    finally:
        with contextlib.suppress(Exception):
            await running.stop()


async def test_a_room_that_kicked_the_bot_ends_its_sends_and_nothing_else(
    office: Office, caplog: pytest.LogCaptureFixture
) -> None:
    """A post owed to a room the bot was kicked from is given up and logged, both while the bot
    still knows the room and after a restart, when it knows it no more; the team room is still
    answered."""
    anna = office.anna
    room = await office.room_with_bot(anna, "AG Ganztag")
    await anna.client.room_kick(room, office.bot.user_id)
    await anna.wait_until(lambda: not anna.is_joined(room, office.bot.user_id))
    with caplog.at_level(logging.INFO, logger="bot"):
        for text in ("Für die AG", "Noch einmal für die AG"):
            assert office.bot.bot is not None
            await office.bot.bot.post(room, Reply.of(text))
            assert await office.bot.bot.outbox.drain(20)
            await office.bot.restart()
        reply = await anna.ask(office.team_room, "!whoami")
    assert "team member" in reply.body
    refusals = [r.getMessage() for r in caplog.records if "refused for good" in r.getMessage()]
    assert len(refusals) == 2, refusals
    assert office.bot.bot is not None
    async with office.bot.bot.database.session() as session:
        failed = await outbox_in_states(session, [OutboxState.FAILED])
    assert [message.room_id for message in failed] == [room, room]
