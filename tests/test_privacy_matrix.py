"""Exports and charts reach the team as files over Matrix — encrypted where the room is — and
never reach a committee room or a non-team user."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from nio import MemoryDownloadResponse
from nio.crypto.attachments import decrypt_attachment

from bot.devtools.chat_client import ChatClient, Message
from storage.database import Database
from storage.repositories import Store
from tests.support.matrix import Office

pytestmark = pytest.mark.synapse


async def add_contact(database: Database) -> int:
    """Dr. Maria Beispiel of the Kita Sonnenblume, straight into the bot's database."""
    async with database.session() as session:
        store = Store(session)
        now = datetime.now(UTC)
        kita = await store.contacts.add_organization(now, "Kita Sonnenblume", gemeinde="Altdorf")
        maria = await store.contacts.add_person(
            now, "Maria Beispiel", title="Dr.", email="maria.beispiel@example.org"
        )
        await store.contacts.link(maria, kita, "Leitung")
        return maria.id


def files_in(person: ChatClient, room_id: str, sender: str) -> list[Message]:
    return [
        message
        for message in person.messages
        if message.room_id == room_id and message.sender == sender and message.msgtype == "m.file"
    ]


async def download(person: ChatClient, url: str) -> bytes:
    response = await person.client.download(mxc=url)
    assert isinstance(response, MemoryDownloadResponse), response
    return bytes(response.body)


async def test_access_files_arrive_in_the_team_room_and_nowhere_else(office: Office) -> None:
    """The team gets the JSON and Markdown as m.file events; a committee room and a non-team
    user in a direct chat get a refusal and no file."""
    anna, bot = office.anna, office.bot
    assert bot.bot is not None
    number = await add_contact(bot.bot.database)

    reply = await anna.ask(office.team_room, f"!contact access {number}")
    assert f"about contact No. {number} (Dr. Maria Beispiel)" in reply.body
    await anna.wait_until(lambda: len(files_in(anna, office.team_room, bot.user_id)) == 2)
    json_file, markdown_file = files_in(anna, office.team_room, bot.user_id)
    assert json_file.body.startswith(f"auskunft-person-{number}-")
    assert json_file.body.endswith(".json") and markdown_file.body.endswith(".md")
    assert json_file.content["info"]["mimetype"] == "application/json"
    export = json.loads(await download(anna, json_file.content["url"]))
    assert export["record"]["email"] == "maria.beispiel@example.org"
    assert "Dr. Maria Beispiel" in (await download(anna, markdown_file.content["url"])).decode()

    bernd = await office.people.person("bernd")
    committee = await office.room_with_bot(anna, "Bildungsbeirat", members=[bernd])
    refused = await anna.ask(committee, f"!contact access {number}")
    assert "not allowed here" in refused.body
    direct = await bernd.create_room("", invite=[bot.user_id], direct=True)
    await bernd.wait_until(lambda: bernd.is_joined(direct, bot.user_id))
    refused = await bernd.ask(direct, f"!contact delete {number} confirmed")
    assert "only for the team" in refused.body
    assert files_in(anna, committee, bot.user_id) == [] == files_in(bernd, direct, bot.user_id)
    async with bot.bot.database.session() as session:
        assert await Store(session).contacts.person(number) is not None


async def test_network_chart_arrives_encrypted_in_an_encrypted_direct_chat(office: Office) -> None:
    """In an encrypted direct chat the chart is an encrypted m.file that decrypts to a PNG."""
    anna, bot = office.anna, office.bot
    assert bot.bot is not None
    await add_contact(bot.bot.database)
    direct = await anna.create_room("", invite=[bot.user_id], encrypted=True, direct=True)
    await anna.wait_until(lambda: anna.is_joined(direct, bot.user_id))

    reply = await anna.ask(direct, "!network")
    assert "1 organisation · 1 contact · 0 offers" in reply.body
    await anna.wait_until(lambda: bool(files_in(anna, direct, bot.user_id)))
    [chart] = files_in(anna, direct, bot.user_id)
    assert chart.body.startswith("netzwerk-") and chart.body.endswith(".png")
    assert "url" not in chart.content
    keys = chart.content["file"]
    ciphertext = await download(anna, keys["url"])
    png = decrypt_attachment(ciphertext, keys["key"]["k"], keys["hashes"]["sha256"], keys["iv"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
