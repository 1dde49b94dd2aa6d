"""``GET /health`` on the bot's web server, against a real Synapse: 200 with every check passing
while the bot syncs, 503 naming the failing check otherwise, and no personal data either way."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import create_bot
from bot.config import HttpConfig, StorageConfig
from tests.support.matrix import Office, free_port, with_http_server

pytestmark = pytest.mark.synapse


async def health(base: str) -> tuple[int, dict[str, Any], str]:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/health") as response:
        text = await response.text()
        assert response.headers["Cache-Control"] == "no-store"
        return response.status, json.loads(text), text


async def test_a_syncing_bot_is_healthy_and_says_nothing_personal(office: Office) -> None:
    """While the bot syncs and answers, /health is 200 with sync, database and scheduler ok;
    the body names no user, room or server."""
    base = await with_http_server(office)
    reply = await office.anna.ask(office.team_room, "!help")
    assert reply.sender == office.bot.user_id

    status, body, text = await health(base)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["sync"]["ok"] and body["checks"]["sync"]["seconds_since_last"] < 60
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["scheduler"] == {"ok": True}
    for personal in (office.bot.user_id, office.anna.user_id, office.team_room, "localhost"):
        assert personal not in text
    assert "@" not in text and "!" not in text


async def test_a_bot_that_never_synced_or_lost_its_database_is_unhealthy(
    office: Office, tmp_path: Path
) -> None:
    """Before the first sync /health is 503 with sync and scheduler failing; once the database
    file is gone it is 503 with the database failing too."""
    await office.bot.stop()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = replace(
        office.bot.config,
        http=HttpConfig(enabled=True, host="127.0.0.1", port=port, public_url=base),
        storage=StorageConfig(url=f"sqlite+aiosqlite:///{tmp_path / 'db' / 'kuemmerer.db'}"),
    )
    bot = await create_bot(config, office.bot.clock)  # logged in, but never run: no sync
    [server] = bot.services
    await server.start()
    try:
        status, body, _ = await health(base)
        assert status == 503 and body["status"] == "unhealthy"
        assert body["checks"]["sync"] == {"ok": False, "seconds_since_last": None}
        assert body["checks"]["scheduler"] == {"ok": False}
        assert body["checks"]["database"] == {"ok": True}

        await bot.database.dispose()  # no pooled connection keeps the deleted file open
        shutil.rmtree(tmp_path / "db")
        status, body, _ = await health(base)
        assert status == 503 and body["checks"]["database"] == {"ok": False}
    finally:
        await server.stop()
        await bot.gateway.close()
        await bot.database.dispose()
