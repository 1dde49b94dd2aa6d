"""The scaling benchmark's bot process: started on the prepared database, timed until its
first answer, its memory read."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.scale_data import (
    PROJECT,
    Office,
)
from bot.devtools.chat_client import ChatClient
from bot.devtools.homeserver import LocalSynapse

# Queries sent to the bot process through Matrix before its peak RSS is read a second time.
MATRIX_QUERIES_PER_KIND = 5


# --------------------------------------------------------------------------- the bot process


def bot_config(directory: Path, synapse: LocalSynapse, user_id: str, password: str,
               team_room: str, database: Path) -> Path:  # fmt: skip
    """A config.toml for the bot on ``database``, as an office writes it."""
    directory.mkdir(parents=True, exist_ok=True)
    text = "\n".join(
        [
            "[matrix]",
            f"homeserver = {json.dumps(synapse.url)}",
            f"user_id = {json.dumps(user_id)}",
            f"password = {json.dumps(password)}",
            'store_path = "store"',
            "sync_timeout_ms = 30000",
            "[bot]",
            f"team_room = {json.dumps(team_room)}",
            'language = "de"',
            f"allowed_servers = [{json.dumps(synapse.server_name)}]",
            "[storage]",
            f"url = {json.dumps(f'sqlite+aiosqlite:///{database}')}",
        ]
    )
    path = directory / "config.toml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def spawn_bot(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """``kuemmerer run --config FILE`` as a service manager starts it."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KUEMMERER_")}
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--config", str(config)],
            cwd=PROJECT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


# Lines of the bot's log that mark how far its start-up has come, by what they say.
START_UP_MARKS = {
    "first_log_line": "",  # Python has imported the bot's modules
    "logged_in": "restored session of device",
    "running": " runs as ",
    # After the first sync the scheduler catches up (run_due over every entry), then says so.
    "scheduler_caught_up": "Scheduler started",
}


def start_up_phases(log: Path, offset: int, spawned_at: float) -> dict[str, float]:
    """Seconds from the spawn to each of :data:`START_UP_MARKS` in the log of the process
    that began writing at ``offset``."""
    phases: dict[str, float] = {}
    with log.open("rb") as lines:
        lines.seek(offset)
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            try:
                # The log's clock is the local wall clock, to the millisecond.
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            except ValueError:
                continue
            for mark, says in START_UP_MARKS.items():
                if mark not in phases and says in line:
                    phases[mark] = round(stamp - spawned_at, 3)
    return phases


def cpu_seconds(pid: int) -> float:
    """CPU time the process has used so far (user and system), in seconds."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The fields after the command name, which is in parentheses and may hold spaces.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def stop_bot(process: subprocess.Popen[bytes], log: Path, stops: list[bool]) -> None:
    """SIGTERM, and SIGKILL after 30 s; ``stops`` gets whether SIGTERM alone did it.

    A SIGTERM that arrived while the bot armed its many timers was seen to go unheeded: the
    run goes on, and the results say so.
    """
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stops.append(process.poll() is not None)
    if process.poll() is None:
        print(f"the bot did not stop within 30 s of SIGTERM; killed (log: {log})", flush=True)
        process.kill()
        process.wait()


async def answer_of(anna: ChatClient, room: str, line: str, process: subprocess.Popen[bytes],
                    log: Path, timeout: float = 300) -> float:  # fmt: skip
    """Send ``line`` and wait for the bot's answer; the seconds until it arrived."""
    started = time.perf_counter()
    event_id = await anna.say(room, line)

    def answered() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited:\n{log.read_text()[-3000:]}")
        return bool(anna.answers_to(event_id))

    await anna.wait_until(answered, timeout)
    return time.perf_counter() - started


async def time_bot_process(
    synapse: LocalSynapse, directory: Path, database: Path, office: Office
) -> dict[str, Any]:
    """Start-up to the first answer, and the bot's peak RSS, on the prepared database."""
    anna_user = await synapse.register(f"anna-{secrets.token_hex(3)}")
    bot_user = await synapse.register(f"kuemmerer-{secrets.token_hex(3)}")
    anna = ChatClient(
        synapse.url, anna_user.user_id, anna_user.device_id, anna_user.access_token,
        directory / "anna",
    )  # fmt: skip
    await anna.start()
    log = directory / "bot.log"
    try:
        team_room = await anna.create_room("Bildungsbüro", invite=[bot_user.user_id])
        config = bot_config(
            directory / "bot", synapse, bot_user.user_id, bot_user.password, team_room, database
        )
        stops: list[bool] = []
        # The first start: login, a new device, joining the team room.
        spawned = time.perf_counter()
        process = spawn_bot(config, log)
        try:
            await anna.wait_until(lambda: anna.is_joined(team_room, bot_user.user_id), 300)
            await answer_of(anna, team_room, "!ich", process, log)
            first_start = time.perf_counter() - spawned
        finally:
            await stop_bot(process, log, stops)
        # The restart that is measured: a command sent the moment the process exists.
        logged = log.stat().st_size
        spawned, spawned_at = time.perf_counter(), time.time()
        process = spawn_bot(config, log)
        try:
            await answer_of(anna, team_room, "!ich", process, log)
            start_up = time.perf_counter() - spawned
            start_up_cpu = cpu_seconds(process.pid)
            rss_answered = peak_rss_mb(process.pid)
            replies: list[float] = []
            # The peak after each kind of query in turn: which one makes the process grow.
            rss_after: dict[str, float] = {}
            for measurement, lines in office.commands.items():
                if measurement == "termine_committee":
                    continue  # the bot's committee rooms exist only in the generated data
                for line in lines[:MATRIX_QUERIES_PER_KIND]:
                    replies.append(await answer_of(anna, team_room, line, process, log))
                rss_after[measurement] = round(peak_rss_mb(process.pid), 1)
            rss_queried = peak_rss_mb(process.pid)
            # Read now: the scheduler's catch-up may end after the first answer.
            phases = start_up_phases(log, logged, spawned_at)
        finally:
            await stop_bot(process, log, stops)
    finally:
        await anna.close()
    return {
        "first_start_s": round(first_start, 3),
        "start_up_to_first_answer_s": round(start_up, 3),
        "start_up_phases_s": phases,
        "start_up_cpu_s": round(start_up_cpu, 3),
        # Per start, whether SIGTERM stopped it (else it was killed after 30 s).
        "stopped_on_sigterm": stops,
        "peak_rss_after_answer_mb": round(rss_answered, 1),
        "peak_rss_after_queries_mb": round(rss_queried, 1),
        "peak_rss_after_each_kind_mb": rss_after,
        "matrix_queries": len(replies),
        "matrix_reply_p50_s": round(statistics.median(replies), 3),
    }
