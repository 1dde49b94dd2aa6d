"""The local Synapse harness: one real start and one restart, shared by the tests in file order.

Synapse only ever runs as a subprocess; this module does not import it (its import-time warnings
would fail the suite under ``filterwarnings = error``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
import pytest_asyncio

from bot.devtools.homeserver import HomeserverError, LocalSynapse, RegisteredUser


@dataclass(frozen=True)
class Running:
    server: LocalSynapse
    admin: RegisteredUser
    alice: RegisteredUser


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def running(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Running]:
    # The fixture lives on the module's event loop while the tests run on their own loops:
    # the harness must not be tied to the loop that started it.
    server = LocalSynapse(tmp_path_factory.mktemp("synapse"))
    async with server:
        admin = await server.register("admin", admin=True)
        alice = await server.register("alice", password="alice-secret")
        yield Running(server, admin, alice)


async def call(
    server: LocalSynapse, method: str, path: str, token: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method, server.url + path, json=body, headers={"Authorization": f"Bearer {token}"}
        ) as response,
    ):
        data: dict[str, Any] = await response.json()
        return response.status, data


async def whoami(server: LocalSynapse, user: RegisteredUser) -> dict[str, Any]:
    status, body = await call(
        server, "GET", "/_matrix/client/v3/account/whoami", user.access_token
    )
    assert status == 200, body
    return body


def admin_path(user_id: str, suffix: str = "") -> str:
    return f"/_synapse/admin/v2/users/{quote(user_id, safe='')}{suffix}"


@pytest.mark.synapse
async def test_registered_tokens_identify_user_and_device(running: Running) -> None:
    """A registered user's access token answers whoami with its user_id and device_id."""
    for user in (running.admin, running.alice):
        assert await whoami(running.server, user) == {
            "user_id": user.user_id,
            "device_id": user.device_id,
            "is_guest": False,
        }
    assert running.alice.user_id == "@alice:localhost"
    assert running.alice.password == "alice-secret"
    assert running.server.url == f"http://127.0.0.1:{running.server.port}"


@pytest.mark.synapse
async def test_admin_flag_is_honoured(running: Running) -> None:
    """register(admin=True) makes a server admin; a plain user is refused by the admin API."""
    server, admin, alice = running.server, running.admin, running.alice
    status, body = await call(server, "GET", admin_path(alice.user_id), admin.access_token)
    assert (status, body["admin"]) == (200, False)
    status, body = await call(server, "GET", admin_path(admin.user_id), admin.access_token)
    assert (status, body["admin"]) == (200, True)
    status, body = await call(server, "GET", admin_path(admin.user_id), alice.access_token)
    assert (status, body["errcode"]) == (403, "M_FORBIDDEN")


@pytest.mark.synapse
async def test_registering_again_logs_in(running: Running) -> None:
    """Re-registering a taken localpart returns a fresh working login, with or without password."""
    server = running.server
    again = await server.register("alice", password="alice-secret")
    assert again.user_id == running.alice.user_id
    assert again.device_id != running.alice.device_id
    assert (await whoami(server, again))["device_id"] == again.device_id
    # The default password is derived, not random per call, so demo restarts can log in.
    admin_again = await server.register("admin", admin=True)
    assert admin_again.password == running.admin.password
    assert (await whoami(server, admin_again))["user_id"] == running.admin.user_id


@pytest.mark.synapse
async def test_wrong_password_for_taken_localpart_fails(running: Running) -> None:
    """Re-registering with another password raises HomeserverError carrying M_FORBIDDEN."""
    with pytest.raises(HomeserverError) as caught:
        await running.server.register("alice", password="not-alices")
    assert caught.value.errcode == "M_FORBIDDEN"


@pytest.mark.synapse
async def test_override_ratelimit_is_stored(running: Running) -> None:
    """override_ratelimit sets the user's message rate limit as the admin API reports it."""
    server, admin, alice = running.server, running.admin, running.alice
    await server.override_ratelimit(admin, alice.user_id, messages_per_second=1, burst_count=2)
    path = f"/_synapse/admin/v1/users/{quote(alice.user_id, safe='')}/override_ratelimit"
    status, body = await call(server, "GET", path, admin.access_token)
    assert (status, body) == (200, {"messages_per_second": 1, "burst_count": 2})
    with pytest.raises(HomeserverError):
        await server.override_ratelimit(alice, admin.user_id, 1, 2)


@pytest.mark.synapse
async def test_second_harness_reuses_directory(running: Running) -> None:
    """A new LocalSynapse on the same directory gets the same URL and registration secret."""
    twin = LocalSynapse(running.server.directory)
    twin.prepare()
    assert twin.url == running.server.url
    assert not twin.is_running
    bob = await twin.register("bob")
    assert (await whoami(running.server, bob))["user_id"] == "@bob:localhost"


async def test_start_refuses_a_taken_port(tmp_path: Path) -> None:
    """start() on a port something else listens on raises without spawning Synapse."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        server = LocalSynapse(tmp_path, port=squatter.getsockname()[1])
        with pytest.raises(HomeserverError, match="in use"):
            await server.start()
    assert server.pid is None
    assert not server.is_running


@pytest.mark.synapse
async def test_restart_keeps_port_and_users(running: Running) -> None:
    """restart() comes back on the same port with the same users, devices and tokens."""
    server = running.server
    url, pid = server.url, server.pid
    await server.restart()
    assert server.is_running
    assert server.pid != pid
    assert server.url == url
    for user in (running.admin, running.alice):
        assert (await whoami(server, user))["device_id"] == user.device_id
    assert (await server.register("alice", password="alice-secret")).user_id == "@alice:localhost"


@pytest.mark.synapse
async def test_stop_leaves_no_process(running: Running) -> None:
    """stop() ends Synapse's whole process group and frees the port; a second stop() is a no-op."""
    server = running.server
    pid = server.pid
    assert pid is not None and server.is_running
    await server.stop()
    assert not server.is_running
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", server.port))
    await server.stop()
    # The module's other tests share this server, in whatever order they are run.
    await server.start()
