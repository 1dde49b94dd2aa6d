"""``kuemmerer demo``'s entry point: start everything, run a mode, stop everything in order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from bot.devtools.demo.bootstrap import CONFIG_FILE, Demo, set_up, start_afresh
from bot.devtools.demo.cast import BOT_NAME, PEOPLE, ROOMS, DemoError
from bot.devtools.demo.terminal import chat, play_script
from bot.devtools.homeserver import HomeserverError, LocalSynapse
from bot.matrix import LoginFailed

EXIT_INTERRUPTED: Final = 130


async def run_demo(directory: Path, script: Path | None, keep: bool = False) -> int:
    """Run the demo in ``directory``: interactive, or the lines of ``script``; an exit code.

    0 when the chat ends or every scripted command was answered; 1 when a scripted command got
    no answer or the setup failed; 2 when the script cannot be read; 130 when a script run is
    interrupted (Ctrl-C ends the interactive chat normally, with 0).
    """
    restore_logging = _quiet_logging()
    loop = asyncio.get_running_loop()
    body = asyncio.create_task(_run(directory, script, keep), name="demo")
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        body.cancel()  # the cleanup in _run stops bot, clients and homeserver in order

    handled: list[signal.Signals] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(signum, interrupt)
            handled.append(signum)
    try:
        return await body
    except asyncio.CancelledError:
        if not interrupted:
            raise
        print("\nDemo beendet (stopped).", flush=True)
        return 0 if script is None else EXIT_INTERRUPTED
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        restore_logging()


def _quiet_logging() -> Callable[[], None]:
    """Keep the terminal for the chat: warnings only, nio only errors (unless DEBUG)."""
    root, nio = logging.getLogger(), logging.getLogger("nio")
    levels = (root.level, nio.level)
    if root.getEffectiveLevel() > logging.DEBUG:
        root.setLevel(logging.WARNING)
        # nio warns about every unverified device in the encrypted room; nothing to act on here.
        nio.setLevel(logging.ERROR)

    def restore() -> None:
        root.setLevel(levels[0])
        nio.setLevel(levels[1])

    return restore


async def _run(directory: Path, script: Path | None, keep: bool) -> int:
    started = time.monotonic()
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            print(f"Skript nicht lesbar (cannot read script): {error}", file=sys.stderr)
            return 2
    if not keep and not start_afresh(directory):
        print(
            f"{directory} sieht nicht nach einer Demo aus und wird nicht gelöscht; wählen Sie "
            "ein anderes --dir (not a demo directory, not deleted)",
            file=sys.stderr,
        )
        return 2
    directory.mkdir(parents=True, exist_ok=True)
    synapse = LocalSynapse(directory / "homeserver")
    async with contextlib.AsyncExitStack() as stack:
        try:
            print(f"Starte den lokalen Homeserver in {directory} … (starting)", flush=True)
            await synapse.start()
            stack.push_async_callback(synapse.stop)
            demo = await set_up(directory, synapse, stack)
        except (DemoError, HomeserverError, LoginFailed, TimeoutError) as error:
            message = str(error) or type(error).__name__
            print(f"Die Demo konnte nicht starten (setup failed): {message}", file=sys.stderr)
            print(
                f"Neu beginnen (start over): kuemmerer demo --dir {directory}",
                file=sys.stderr,
            )
            return 1
        _print_welcome(demo, synapse, directory, time.monotonic() - started)
        if lines is None:
            await chat(demo.conversation)
            code = 0
        else:
            code = await play_script(demo.conversation, lines)
    print("Demo beendet (stopped).", flush=True)
    return code


def _print_welcome(demo: Demo, synapse: LocalSynapse, directory: Path, seconds: float) -> None:
    print(f"\nKümmerer-Demo bereit nach {seconds:.1f} s (ready).")
    print(f"  Homeserver:     {synapse.url}  (nur lokal – loopback only)")
    for spec in PEOPLE:
        user = demo.state.people[spec.localpart]
        print(f"  {spec.display_name:<14}  {user.user_id}  ({spec.role})")
        print(f"  {'':<14}  Passwort (password): {user.password}")
    print(f"  Bot:            {demo.config.matrix.user_id} ({BOT_NAME})")
    rooms = ", ".join(f"{spec.name} ({spec.key})" for spec in ROOMS)
    print(f"  Räume (rooms):  {rooms}; der Beirat ist verschlüsselt (encrypted)")
    print(f"  Konfiguration:  {directory / CONFIG_FILE}\n", flush=True)
