"""The Matrix contract, pinned against a real Synapse: joining, answering, encryption, threads."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.devtools.chat_client import ChatClient
from tests.support.matrix import Office, with_bot_settings
from tests.support.storage_reads import audit_of

pytestmark = pytest.mark.synapse


async def membership(observer: ChatClient, room_id: str, user_id: str) -> str:
    """The membership of ``user_id`` as the homeserver reports it to ``observer``."""
    response = await observer.client.room_get_state_event(room_id, "m.room.member", user_id)
    return str(getattr(response, "content", {}).get("membership"))


async def test_invite_from_allowed_server_is_accepted(office: Office) -> None:
    """An invite from a user of an allowed server makes the bot join the room."""
    anna = office.anna
    room = await anna.create_room("AG Übergang Schule–Beruf", invite=[office.bot.user_id])
    await anna.wait_until(lambda: anna.is_joined(room, office.bot.user_id))


async def test_help_answers_as_notice_replying_to_the_command(office: Office) -> None:
    """!help in the team room is answered with an m.notice that replies to the command."""
    command_id = await office.anna.say(office.team_room, "!help")
    await office.anna.wait_until(lambda: bool(office.anna.answers_to(command_id)))
    reply = office.anna.answers_to(command_id)[0]
    assert reply.sender == office.bot.user_id
    assert reply.msgtype == "m.notice"
    assert reply.content["m.relates_to"] == {"m.in_reply_to": {"event_id": command_id}}
    assert reply.content["format"] == "org.matrix.custom.html"
    assert "!help" in reply.body and "<code>!help</code>" in reply.html
    assert reply.content["m.mentions"] == {"user_ids": [office.anna.user_id]}
    assert "<mx-reply>" not in reply.html and not reply.body.startswith(">")


async def test_help_in_an_encrypted_room_is_answered_encrypted(office: Office) -> None:
    """In an encrypted room the bot reads the command and answers in encrypted form."""
    anna = office.anna
    room = await office.room_with_bot(anna, "Steuerungsgruppe", encrypted=True)
    reply = await anna.ask(room, "!help")
    assert "What you can do here" in reply.body
    assert reply.encrypted and reply.msgtype == "m.notice"
    command = next(m for m in anna.messages if m.event_id == reply.in_reply_to)
    assert command.encrypted and command.body == "!help"


async def test_command_in_a_thread_is_answered_in_the_thread(office: Office) -> None:
    """A command sent inside a thread is answered in that thread, replying to the command."""
    anna = office.anna
    root = await anna.say(office.team_room, "Planung Bildungskonferenz 2027")
    thread = {
        "m.relates_to": {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": True,
            "m.in_reply_to": {"event_id": root},
        }
    }
    command_id = await anna.say(office.team_room, "!help", thread)
    await anna.wait_until(lambda: bool(anna.answers_to(command_id)))
    relation = anna.answers_to(command_id)[0].content["m.relates_to"]
    assert relation["rel_type"] == "m.thread"
    assert relation["event_id"] == root
    assert relation["m.in_reply_to"] == {"event_id": command_id}
    assert relation["is_falling_back"] is False


async def test_html_in_user_input_is_escaped(office: Office) -> None:
    """User-supplied text never reaches formatted_body as markup."""
    reply = await office.anna.ask(office.team_room, '!help "<img src=x onerror=alert(1)>"')
    assert "<img" not in reply.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in reply.html
    reply = await office.anna.ask(office.team_room, "!help <b>x</b> <i>y</i>")
    assert "<i>" not in reply.html and "&lt;i&gt;y&lt;/i&gt;" in reply.html


async def test_unknown_command_suggests_the_closest(office: Office) -> None:
    """A misspelt command is answered with the closest known command."""
    reply = await office.anna.ask(office.team_room, "!hepl")
    assert "Unknown command" in reply.body and "!help" in reply.body


async def test_messages_without_prefix_and_notices_are_ignored(office: Office) -> None:
    """Plain chat and other bots' notices get no answer; a mention with a command does."""
    anna = office.anna
    chat = await anna.say(office.team_room, "hilfe, wer macht das Protokoll?")
    notice = await anna.say(office.team_room, "!help", {"msgtype": "m.notice"})
    pill = f'<a href="https://matrix.to/#/{office.bot.user_id}">Kümmerer</a>'
    mention = await anna.say(
        office.team_room,
        "Kümmerer: help",
        {
            "format": "org.matrix.custom.html",
            "formatted_body": f"{pill}: help",
            "m.mentions": {"user_ids": [office.bot.user_id]},
        },
    )
    await anna.wait_until(lambda: bool(anna.answers_to(mention)))
    # The bot answers a room's events in order, so a wrong answer to the chat or the notice
    # would have come before the answer to the mention.
    assert anna.answers_to(chat) == [] and anna.answers_to(notice) == []


async def test_invite_from_other_server_is_declined(office: Office) -> None:
    """An invite from a server outside allowed_servers is declined, and audited."""
    await office.bot.stop()
    office.bot.config = with_bot_settings(office.bot.config, allowed_servers=("example.org",))
    await office.bot.start()
    anna = office.anna
    room = await anna.create_room("Fremde Einladung", invite=[office.bot.user_id])

    async with asyncio.timeout(20):
        while await membership(anna, room, office.bot.user_id) != "leave":
            await asyncio.sleep(0.2)
    assert office.bot.bot is not None
    async with office.bot.bot.database.session() as session:
        entries = await audit_of(session, "room", room)
    assert [(entry.actor, entry.action) for entry in entries] == [(anna.user_id, "decline")]


async def test_an_answer_that_would_exceed_the_event_limit_still_arrives(office: Office) -> None:
    """An answer quoting 40 KB of input is shortened to fit Matrix's 64 KiB event limit."""
    reply = await office.anna.ask(office.team_room, f'!help "{"ü" * 20_000}"')
    assert len(json.dumps(reply.content).encode()) < 65_536
    assert "…" in reply.body


async def test_with_invites_only_from_team_others_are_declined(office: Office) -> None:
    """With invites_only_from_team a non-team user's invite is declined, the team's accepted."""
    await office.bot.stop()
    office.bot.config = with_bot_settings(office.bot.config, invites_only_from_team=True)
    await office.bot.start()
    bernd = await office.people.person("bernd")
    strangers_room = await bernd.create_room("Privat", invite=[office.bot.user_id])
    teams_room = await office.anna.create_room("AG BNE", invite=[office.bot.user_id])
    await office.anna.wait_until(lambda: office.anna.is_joined(teams_room, office.bot.user_id))
    async with asyncio.timeout(20):
        while await membership(bernd, strangers_room, office.bot.user_id) != "leave":
            await asyncio.sleep(0.2)


async def test_joining_twice_is_harmless(office: Office) -> None:
    """A second invite to a room the bot is already in changes nothing and breaks nothing."""
    room = await office.room_with_bot(office.anna, "AG Medienbildung")
    await office.anna.invite(room, office.bot.user_id)
    assert "team member" in (await office.anna.ask(room, "!whoami")).body
