"""Kümmerer against the floor: reply time, a burst of commands and reminders due together, on a
throwaway Synapse, side by side with a minimal matrix-nio echo bot (``bench/echo_bot.py``).

Run: ``.venv/bin/python -m bench.matrix_load`` (about eight minutes; ``--quick`` for a short
look of about one). ``make bench`` runs it together with the other benchmarks.

Both bots run as their own processes, as in production: Kümmerer through ``kuemmerer run`` with
a generated config and a fresh SQLite database, the echo bot through ``python -m
bench.echo_bot``. People are matrix-nio clients in this process. Times are taken from the
homeserver's own ``origin_server_ts`` of the command and of the answer (the same clock for
both, and free of this process's scheduling); the time until the answer reached the sender's
sync is kept as well.

1. Idle reply time: one person asks, waits for the answer, asks again, in a plain and in an
   encrypted room per bot. The bots take turns command by command, so drift of the machine
   (other processes, Synapse's caches) hits both alike.
2. Burst: ten people send 500 commands as fast as the server takes them into three rooms per
   bot (each person waits for the server to accept one before sending the next). Every
   command must be answered exactly once and, per room, in the order the commands arrived.
   Time to drain (first command to last answer, by server time) and the CPU seconds the bot's
   process used (from ``/proc``) per command. The bots take turns: echo, Kümmerer.
3. Reminders (Kümmerer only; the echo bot has none): 200 reminders set with
   ``!erinnerung <Datum Uhrzeit mit Sekunden>: …`` in 20 rooms beforehand, 100 due at the
   full minute and 100 spread over it. Lateness of each post by server time against its due
   moment; none may be missing or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
)

from bench.common import (
    describe_machine,
    print_table,
    ratio,
    write_results,
)
from bench.load_bots import (
    BotProcess,
    first_answer,
    rooms_with,
    start_echo,
    start_kuemmerer,
    wait_for_output,
)
from bench.load_people import Observer, sender_client
from bench.load_phases import burst, idle, reminders
from bench.load_settings import COMMAND, FULL, GOALS, QUICK, Settings
from bot.devtools.homeserver import LocalSynapse

NAME = "matrix_load"


# --------------------------------------------------------------------------- the run


async def measure(synapse: LocalSynapse, directory: Path, s: Settings) -> dict[str, Any]:
    """All three measurements on ``synapse``; the bots' files go under ``directory``."""
    tag = secrets.token_hex(3)
    load_at_start = list(os.getloadavg())
    phases: dict[str, float] = {}
    clock = [time.monotonic()]

    def phase(name: str) -> None:
        now = time.monotonic()
        phases[name] = round(now - clock[0], 2)
        clock[0] = now

    anna_user = await synapse.register(f"anna-{tag}")
    anna = Observer(synapse.url, anna_user, directory / "anna")
    await anna.start()
    bots: list[BotProcess] = []
    senders: list[AsyncClient] = []
    try:
        kuemmerer_user = await synapse.register(f"kuemmerer-{tag}")
        echo_user = await synapse.register(f"echo-{tag}")
        team = await anna.create_room("Bildungsbüro", [kuemmerer_user.user_id], False)
        kuemmerer = start_kuemmerer(directory / "kuemmerer", synapse, kuemmerer_user, team)
        bots.append(kuemmerer)
        echo = start_echo(directory / "echo", synapse, echo_user)
        bots.append(echo)
        people_users = [await synapse.register(f"person{n}-{tag}") for n in range(s.burst_people)]
        senders = [sender_client(synapse.url, user) for user in people_users]
        people_ids = [user.user_id for user in people_users]
        rooms: dict[str, dict[str, str]] = {}
        burst_rooms: dict[str, list[str]] = {}

        async def rooms_for(bot: BotProcess) -> None:
            (plain,), (encrypted,), burst_rooms[bot.name] = await asyncio.gather(
                rooms_with(anna, bot, [f"{bot.name} idle"], encrypted=False),
                rooms_with(anna, bot, [f"{bot.name} e2ee"], encrypted=True),
                rooms_with(
                    anna,
                    bot,
                    [f"{bot.name} burst {n}" for n in range(s.burst_rooms)],
                    encrypted=False,
                    invite=people_ids,
                ),
            )
            rooms[bot.name] = {"plain": plain, "encrypted": encrypted}
            await asyncio.gather(
                *(client.join(room) for client in senders for room in burst_rooms[bot.name])
            )

        # The rooms are made while the bots start: each joins what it was invited to before
        # its first sync as well as after.
        names = [f"Erinnerungen {n}" for n in range(s.reminder_rooms)]
        *_, reminder_rooms = await asyncio.gather(
            first_answer(anna, team, kuemmerer),
            wait_for_output(echo, "echo bot ready"),
            rooms_for(echo),
            rooms_for(kuemmerer),
            rooms_with(anna, kuemmerer, names, False),
        )
        phase("bots_started_in_their_rooms")
        print(f"idle: {s.idle_rounds} commands per bot and room, bots taking turns", flush=True)
        idle_result = await idle(anna, rooms, [echo, kuemmerer], s)
        phase("idle")
        burst_result: dict[str, Any] = {}
        for bot in (echo, kuemmerer):
            print(f"burst: {s.burst_commands} commands to {bot.name}", flush=True)
            burst_result[bot.name] = await burst(anna, senders, burst_rooms[bot.name], bot, s)
        for key in ("drain_s", "cpu_ms_per_command"):
            burst_result[f"ratio_{key}"] = ratio(
                burst_result["kuemmerer"][key], burst_result["echo"][key]
            )
        phase("burst")
        print(f"reminders: {s.reminders} in {s.reminder_rooms} rooms", flush=True)
        slowest_reply_s = max(
            idle_result[kind]["kuemmerer"]["sender_sync_ms"]["max"] / 1000
            for kind in ("plain", "encrypted")
        )
        reminder_result = await reminders(anna, reminder_rooms, kuemmerer, s, slowest_reply_s)
        phase("reminders")
        for bot in bots:
            bot.alive()
        return {
            "settings": asdict(s),
            "command": COMMAND,
            "phases_s": phases,
            "load_average_at_start": load_at_start,
            "observer_gaps_filled": anna.gaps_filled,
            "observer_undecryptable": anna.undecryptable,
            "idle": idle_result,
            "burst": burst_result,
            "reminders": reminder_result,
            "goals": goals(idle_result, reminder_result),
        }
    finally:
        for client in senders:
            await client.close()
        await anna.close()
        await asyncio.gather(*(bot.stop() for bot in bots))


def goals(idle_result: dict[str, Any], reminder_result: dict[str, Any]) -> dict[str, Any]:
    """The issue's goals, each with the measured figure and whether it is met."""
    measured: dict[str, Any] = {}
    for kind in ("plain", "encrypted"):
        for p, goal in (("p50", GOALS["idle_p50_ratio"]), ("p95", GOALS["idle_p95_ratio"])):
            figure = idle_result[kind][f"ratio_{p}"]
            measured[f"idle_{kind}_{p}_ratio"] = {
                "goal": f"<= {goal}",
                "measured": figure,
                "met": figure is not None and figure <= goal,
            }
    late = reminder_result["lateness_s"]["all"].get("p99")
    complete = reminder_result["missing"] == 0 and reminder_result["doubled"] == 0
    measured["reminder_p99_s"] = {
        "goal": f"< {GOALS['reminder_p99_s']} and none missing or doubled",
        "measured": late,
        "met": late is not None and late < GOALS["reminder_p99_s"] and complete,
    }
    return measured


def report(results: dict[str, Any]) -> None:
    """The results as tables."""
    print(f"Kümmerer vs a minimal matrix-nio echo bot — {describe_machine(results['machine'])}")
    print()
    rows = []
    for kind in ("plain", "encrypted"):
        part = results["idle"][kind]
        for name in ("echo", "kuemmerer"):
            server, sync = part[name]["server_ms"], part[name]["sender_sync_ms"]
            rows.append(
                [f"{kind} / {name}", server["count"], server.get("p50"), server.get("p95"),
                 sync.get("p50"), sync.get("p95")]
            )  # fmt: skip
        rows.append([f"{kind} / ratio", "", part["ratio_p50"], part["ratio_p95"], "", ""])
    print_table(
        f"1. idle reply time, {results['command']} (ms; goal ratio p50 <= 1.05, p95 <= 1.1)",
        ["room / bot", "n", "server p50", "server p95", "sync p50", "sync p95"],
        rows,
    )
    rows = []
    for name in ("echo", "kuemmerer"):
        b = results["burst"][name]
        rows.append(
            [name, b["commands"], b["answered_once"], b["missing"], b["doubled"],
             "yes" if b["order_kept"] else "NO", b["drain_s"], b["cpu_s"],
             b["cpu_ms_per_command"]]
        )  # fmt: skip
    b = results["burst"]
    rows.append(
        ["ratio", "", "", "", "", "", b["ratio_drain_s"], "", b["ratio_cpu_ms_per_command"]]
    )
    print_table(
        f"2. burst: {b['echo']['commands']} commands from {b['echo']['people']} people into "
        f"{b['echo']['rooms']} rooms per bot (drain by server time)",
        ["bot", "sent", "once", "missing", "doubled", "in order", "drain s", "CPU s",
         "CPU ms/cmd"],
        rows,
    )  # fmt: skip
    r = results["reminders"]
    rows = []
    for group, figures in r["lateness_s"].items():
        rows.append([group, figures["count"], figures.get("p50"), figures.get("p99"),
                     figures.get("max")])  # fmt: skip
    print_table(
        f"3. reminders: {r['reminders']} in {r['rooms']} rooms within {r['window_s']} s — "
        f"posted {r['posted']}, missing {r['missing']}, doubled {r['doubled']}, "
        f"early {r['early']} (lateness in s by server time; goal p99 < 1 s)",
        ["due", "n", "p50", "p99", "max"],
        rows,
    )
    print_table(
        "goals",
        ["goal", "target", "measured", "met"],
        [[name, g["goal"], g["measured"], "yes" if g["met"] else "no"]
         for name, g in results["goals"].items()],
    )  # fmt: skip


async def run(
    s: Settings, synapse: LocalSynapse | None = None, directory: Path | None = None
) -> dict[str, Any]:
    """Measure on ``synapse``, or on a throwaway Synapse started (and stopped) for the run."""
    with tempfile.TemporaryDirectory(prefix="kuemmerer-bench-") as scratch:
        work = directory or Path(scratch)
        if synapse is not None:
            return await measure(synapse, work, s)
        async with LocalSynapse(work / "synapse") as own:
            return await measure(own, work, s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--results",
        type=Path,
        help="directory for matrix_load.json (bench/results; a quick run's goes to a temporary "
        "directory unless given, so it never replaces the committed figures)",
    )
    parser.add_argument("--keep", type=Path, help="keep Synapse's and the bots' files here")
    arguments = parser.parse_args(argv)
    settings = QUICK if arguments.quick else FULL
    if arguments.keep:
        arguments.keep.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(run(settings, directory=arguments.keep))
    target = arguments.results
    if target is None and arguments.quick:
        target = Path(tempfile.mkdtemp(prefix="kuemmerer-bench-quick-"))
    path = write_results(NAME, results, target)
    report(json.loads(path.read_text(encoding="utf-8")))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
