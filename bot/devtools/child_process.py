"""A server run as a child process group on loopback: its port, its log, stopping it.

The helpers :class:`bot.devtools.homeserver.LocalSynapse` starts and stops Synapse with; they
know nothing of Synapse itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Final

LOOPBACK: Final = "127.0.0.1"
# How much of a log an error message quotes.
TAIL_LINES: Final = 40


def free_loopback_port() -> int:
    """A TCP port on loopback that nothing listens on at this moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``port`` (SO_REUSEADDR like Twisted: TIME_WAIT is fine)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
        return True


def write_atomically(path: Path, text: str, private: bool = False) -> None:
    """Replace ``path`` with ``text`` at once (readable by the owner only if ``private``)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    if private:
        temporary.chmod(0o600)
    os.replace(temporary, path)


def file_size(path: Path) -> int:
    """The size of ``path`` in bytes; 0 while it does not exist."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def log_tail(path: Path, offset: int, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines written to ``path`` after ``offset`` (for an error message)."""
    try:
        with path.open("rb") as file:
            file.seek(offset)
            text = file.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


def signal_group(process: subprocess.Popen[bytes], signum: signal.Signals) -> None:
    """Signal the process group the server leads; only while it is unreaped, so the id is ours."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


async def wait_for_exit(process: subprocess.Popen[bytes], grace: float) -> bool:
    """Poll (loop-agnostic, unlike asyncio subprocesses) until the process has exited."""
    deadline = time.monotonic() + grace
    while process.poll() is None:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def terminate_blocking(process: subprocess.Popen[bytes], grace: float) -> None:
    """Last resort when a running harness is collected or the interpreter exits."""
    signal_group(process, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        signal_group(process, signal.SIGKILL)
        process.wait()
