"""The demo's two modes: a script played line by line, or the interactive chat on stdin."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import sys
import threading

from bot.devtools.demo.cast import HELP_TEXT
from bot.devtools.demo.conversation import Conversation, Outcome


async def play_script(conversation: Conversation, lines: list[str]) -> int:
    """The script: a transcript on stdout; 1 if a command got no answer or a line failed."""
    failures: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"Zeile {number}: [{conversation.room.name}] {conversation.person.display_name}"
        if line.startswith("/"):
            outcome = conversation.directive(line)
            if outcome is Outcome.QUIT:
                break
            if outcome is Outcome.FAILED:
                failures.append(f"{where}: {line}")
            continue
        if not await conversation.send(line, echo=True):
            failures.append(f"{where}: {line}")
    if failures:
        print("\nOhne Antwort oder fehlgeschlagen (unanswered or failed):")
        for failure in failures:
            print(f"  {failure}")
        return 1
    return 0


async def chat(conversation: Conversation) -> None:
    """The interactive chat until /beenden or end of input."""
    print(HELP_TEXT)
    # Typed lines are on the screen already; piped ones are echoed like a script's.
    typed = sys.stdin.isatty()
    lines = StdinLines(asyncio.get_running_loop())
    watcher = asyncio.create_task(_watch(conversation), name="watch")
    try:
        while True:
            if typed:
                conversation.show_prompt()
            line = await lines.next()
            conversation.prompt_visible = False
            if line is None:
                print()
                return
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not typed:
                    print(f"[{conversation.room.name}] {conversation.person.display_name}: {line}")
                if conversation.directive(line) is Outcome.QUIT:
                    return
                continue
            await conversation.send(line, echo=not typed)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _watch(conversation: Conversation) -> None:
    """Print messages that arrive on their own (reminders, other people) while idle."""
    while True:
        client = conversation.client

        def pending() -> bool:
            return not conversation.busy and bool(conversation.unseen())

        with contextlib.suppress(TimeoutError):
            # Bounded, so that a switch of person is noticed even without new messages.
            await client.wait_until(pending, 1.0)
        if pending():
            await conversation.show_new()


class StdinLines:
    """Lines typed on standard input, read by a daemon thread.

    ``os.read`` in a daemon thread never blocks the event loop, holds no lock of ``sys.stdin``
    and does not keep the process alive when the demo ends while a read is pending (a worker of
    ``asyncio.to_thread`` would, until the next Enter). Without the readline module the
    terminal's own line editing applies and its settings are never changed.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, fd: int = 0) -> None:
        self._loop = loop
        self._fd = fd
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._read, name="stdin", daemon=True).start()

    async def next(self) -> str | None:
        """The next line without its line break; None at the end of input."""
        return await self._queue.get()

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self._fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                rest = pending + decoder.decode(b"", final=True)
                if rest:
                    self._post(rest)
                self._post(None)
                return
            pending += decoder.decode(chunk)
            *complete, pending = pending.split("\n")
            for line in complete:
                if not self._post(line.rstrip("\r")):
                    return

    def _post(self, line: str | None) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
        except RuntimeError:  # the loop is closed: the demo has ended
            return False
        return True
