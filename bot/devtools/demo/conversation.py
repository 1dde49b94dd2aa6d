"""The terminal's side of the chat: who speaks where, and what the terminal has shown."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Final

from nio.crypto import decrypt_attachment

from bot.devtools.chat_client import ChatClient, Message
from bot.devtools.demo.cast import (
    ANNA,
    BOT_LOCALPART,
    BOT_NAME,
    HELP_TEXT,
    PEOPLE,
    ROOMS,
    TEAM,
    RoomSpec,
    choose,
    person_names,
    room_names,
)
from bot.message_text import addressed_part
from storage.folding import fold_text

ANSWER_TIMEOUT: Final = 15.0
# Long answers arrive as several events; the answer counts as complete after this much quiet.
ANSWER_SETTLE: Final = 0.6


# Messages that carry a file the terminal cannot show: saved to disk instead.
FILE_MSGTYPES: Final = frozenset({"m.file", "m.image"})


class Outcome(Enum):
    """What a terminal directive (``/raum`` …) did."""

    DONE = "done"
    FAILED = "failed"
    QUIT = "quit"


def _free_path(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name-2.ext``, ``name-3.ext`` … if that file exists already."""
    target = directory / name
    number = 2
    while target.exists():
        target = directory / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return target


def _shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def indent_message(name: str, body: str) -> str:
    """A message under the line that caused it: ``  Name: first line``, the rest deeper."""
    first, *rest = body.splitlines() or [""]
    return "\n".join([f"  {name}: {first}", *(f"    {line}" if line else "" for line in rest)])


class Conversation:
    """Who speaks in which room, and which messages the terminal has already shown."""

    def __init__(
        self,
        clients: dict[str, ChatClient],
        rooms: dict[str, str],
        bot_id: str,
        names: dict[str, str],
        is_command: Callable[[str], bool],
        downloads: Path,
    ) -> None:
        self.clients = clients
        self.downloads = downloads
        self.rooms = rooms
        self.bot_id = bot_id
        self.names = names
        self.is_command = is_command  # the bot's own rule, so the demo waits for every answer
        self.person = ANNA
        self.room = TEAM
        self.busy = False  # a message is out and its answer awaited; the answer prints then
        self.prompt_visible = False
        self._shown: set[str] = set()
        self._cursors: dict[str, int] = {}
        self.skip_history()

    @property
    def client(self) -> ChatClient:
        return self.clients[self.person.key]

    @property
    def room_id(self) -> str:
        return self.rooms[self.room.key]

    @property
    def prompt(self) -> str:
        return f"[{self.room.name}] {self.person.display_name}> "

    def skip_history(self) -> None:
        """Show only what arrives from now on (after a switch: no replay of the room)."""
        for key, client in self.clients.items():
            self._cursors[key] = len(client.messages)

    def unseen(self) -> list[Message]:
        """New messages of others, in any room, as the current person received them."""
        client = self.client
        return [
            message
            for message in client.messages[self._cursors[self.person.key] :]
            if message.sender != client.user_id and message.event_id not in self._shown
        ]

    async def show_new(self) -> None:
        """Print what :meth:`unseen` returns, each message once; a message in another room
        than the current one names its room, and a file is saved and its place printed."""
        await self.accept_invites()
        messages = self.unseen()
        if not messages:
            return
        if self.prompt_visible:
            print()  # the prompt line stays as it was; the messages start below it
        for message in messages:
            self._shown.add(message.event_id)
            name = self.name_of(message.sender)
            if message.room_id != self.room_id:
                name = f"[{self.room_name(message.room_id)}] {name}"
            print(indent_message(name, message.body))
            if message.msgtype in FILE_MSGTYPES:
                print(f"    ↳ {await self.save_file(message)}")
        self._cursors[self.person.key] = len(self.client.messages)
        if self.prompt_visible:
            self.show_prompt()
        sys.stdout.flush()

    def room_name(self, room_id: str) -> str:
        """The demo's name of ``room_id``, or "Direktchat" for a chat the bot opened."""
        for spec in ROOMS:
            if self.rooms.get(spec.key) == room_id:
                return spec.name
        return "Direktchat (direct chat)"

    async def accept_invites(self) -> None:
        """Join the direct chats the bot opens (``!erinnerung mich`` …), as a client would."""
        client = self.client.client
        for room_id, room in list(client.invited_rooms.items()):
            if room.inviter == self.bot_id or self.bot_id in room.users:
                await client.join(room_id)

    async def save_file(self, message: Message) -> str:
        """Download (and decrypt) the file of ``message`` into the downloads directory."""
        content = message.content
        encrypted = content.get("file")
        url = encrypted["url"] if encrypted else content.get("url", "")
        response = await self.client.client.download(mxc=url)
        data = getattr(response, "body", None)
        if not isinstance(data, bytes):
            return f"Datei nicht geladen (file not downloaded): {response}"
        if encrypted:
            data = decrypt_attachment(
                data, encrypted["key"]["k"], encrypted["hashes"]["sha256"], encrypted["iv"]
            )
        self.downloads.mkdir(parents=True, exist_ok=True)
        target = _free_path(self.downloads, Path(message.body).name or "datei")
        target.write_bytes(data)
        return f"gespeichert (saved): {_shown_path(target)}"

    def show_prompt(self) -> None:
        print(self.prompt, end="", flush=True)
        self.prompt_visible = True

    def name_of(self, user_id: str) -> str:
        if user_id in self.names:
            return self.names[user_id]
        room = self.client.client.rooms.get(self.room_id)
        if room is None:
            return user_id
        return room.user_name(user_id) or user_id

    def expects_answer(self, text: str) -> bool:
        """Whether the bot treats ``text`` as a command (addressed by prefix or by name)."""
        if addressed_part(text, self.bot_id, (BOT_NAME, BOT_LOCALPART)) is not None:
            return True
        return self.is_command(text)

    async def send(self, text: str, echo: bool) -> bool:
        """Send ``text`` as the current person; for a command, print the bot's answer.

        False when a command got no answer within the timeout or the message could not be
        sent; the reason is printed.
        """
        client, spec = self.client, self.room
        if echo:
            print(f"[{spec.name}] {self.person.display_name}: {text}", flush=True)
        if not client.is_joined(self.room_id, client.user_id):
            print(
                f"  ({self.person.display_name} ist nicht im Raum „{spec.name}“ – "
                "/raum wechselt den Raum; not a member of this room)",
                flush=True,
            )
            return False
        self.busy = True
        try:
            try:
                event_id = await client.say(self.room_id, text)
            except RuntimeError as error:
                print(f"  (nicht gesendet – not sent: {error})", flush=True)
                return False
            self._shown.add(event_id)
            if not self.expects_answer(text):
                return True
            try:
                await client.wait_until(lambda: bool(client.answers_to(event_id)), ANSWER_TIMEOUT)
            except TimeoutError:
                print(f"  (keine Antwort nach {ANSWER_TIMEOUT:g} s – no answer)", flush=True)
                return False
            await self._settle(client, event_id)
            return True
        finally:
            self.busy = False
            await self.show_new()

    async def _settle(self, client: ChatClient, event_id: str) -> None:
        """Wait until no further part of the answer arrives for a moment."""
        while True:
            count = len(client.answers_to(event_id))

            def grown(count: int = count) -> bool:
                return len(client.answers_to(event_id)) > count

            try:
                await client.wait_until(grown, ANSWER_SETTLE)
            except TimeoutError:
                return

    def directive(self, line: str) -> Outcome:
        """Carry out ``/raum``, ``/als``, ``/hilfe`` or ``/beenden`` and print what happened."""
        word, _, argument = line.strip().removeprefix("/").partition(" ")
        word = fold_text(word)
        if word in ("beenden", "quit", "exit", "q"):
            return Outcome.QUIT
        if word in ("hilfe", "help", "?"):
            print(HELP_TEXT)
            return Outcome.DONE
        if word in ("raum", "room"):
            room = choose(ROOMS, argument, room_names)
            if room is None:
                options = ", ".join(spec.key for spec in ROOMS)
                print(f"  (Raum? – which room? {options})")
                return Outcome.FAILED
            self.room = room
        elif word in ("als", "as"):
            person = choose(PEOPLE, argument, person_names)
            if person is None:
                options = ", ".join(spec.key for spec in PEOPLE)
                print(f"  (Wer? – who? {options})")
                return Outcome.FAILED
            self.person = person
            if not self.is_member(self.room):
                # Bernd is not in the team room: follow him to his room rather than fail later.
                self.room = next(spec for spec in ROOMS if self.is_member(spec))
        else:
            print(f"  (unbekannt – unknown: /{word}; /hilfe zeigt die Befehle)")
            return Outcome.FAILED
        self.skip_history()
        print(f"  → {self.person.display_name} im Raum „{self.room.name}“", flush=True)
        if not self.is_member(self.room):
            print(f"  ({self.person.display_name} ist hier nicht Mitglied – not a member here)")
        return Outcome.DONE

    def is_member(self, room: RoomSpec) -> bool:
        """Whether the current person belongs to ``room`` in the demo's setup."""
        return self.person.key == ANNA.key or self.person.key in room.members
