"""The Matrix load benchmark's three measurements: idle reply time, a burst, reminders
due together."""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomSendResponse,
)

from bench.common import (
    ratio,
    summary,
)
from bench.load_bots import (
    BotProcess,
)
from bench.load_people import Observer, Seen
from bench.load_settings import BERLIN, COMMAND, MARKER, Settings

# --------------------------------------------------------------------------- 1. idle


async def ask_once(anna: Observer, room: str, timeout: float) -> tuple[str, float, float]:
    """One command and its answer: the command's event id, the server ms between both, and
    the ms until the answer reached Anna's sync."""
    started = time.monotonic()
    event = await anna.say(room, COMMAND)
    await anna.wait_until(anna.answered(event), timeout)
    answer = anna.answers[event][0]
    return event, float(answer.server_ts - anna.stamps[event]), (answer.arrived - started) * 1000


async def idle(
    anna: Observer, rooms: dict[str, dict[str, str]], bots: Sequence[BotProcess], s: Settings
) -> dict[str, Any]:
    """Sequential commands, the bots taking turns command by command, plain and encrypted."""
    samples: dict[tuple[str, str], tuple[list[str], list[float], list[float]]] = {
        (kind, bot.name): ([], [], []) for kind in ("plain", "encrypted") for bot in bots
    }
    for number in range(s.warmup_rounds + s.idle_rounds):
        # Alternating who goes first keeps a bot from always following the other's answer.
        order = bots if number % 2 == 0 else list(reversed(bots))
        for bot in order:
            for kind in ("plain", "encrypted"):
                event, server_ms, client_ms = await ask_once(
                    anna, rooms[bot.name][kind], s.answer_timeout_s
                )
                if number >= s.warmup_rounds:
                    samples[kind, bot.name][0].append(event)
                    samples[kind, bot.name][1].append(server_ms)
                    samples[kind, bot.name][2].append(client_ms)
    await asyncio.sleep(s.settle_s)  # a doubled answer would show up by now
    result: dict[str, Any] = {}
    for kind in ("plain", "encrypted"):
        per_bot: dict[str, dict[str, Any]] = {
            bot.name: {
                "server_ms": summary(samples[kind, bot.name][1]),
                "sender_sync_ms": summary(samples[kind, bot.name][2]),
                "commands": len(samples[kind, bot.name][0]),
                "answered_once": sum(
                    len(anna.answers[event]) == 1 for event in samples[kind, bot.name][0]
                ),
            }
            for bot in bots
        }
        result[kind] = per_bot | {
            f"ratio_{p}": ratio(
                per_bot["kuemmerer"]["server_ms"].get(p), per_bot["echo"]["server_ms"].get(p)
            )
            for p in ("p50", "p95")
        }
    return result


# --------------------------------------------------------------------------- 2. burst


async def burst(
    anna: Observer,
    senders: Sequence[AsyncClient],
    rooms: Sequence[str],
    bot: BotProcess,
    s: Settings,
) -> dict[str, Any]:
    """Every sender writes its share of commands as fast as the server takes them."""
    per_sender = [s.burst_commands // len(senders)] * len(senders)
    for index in range(s.burst_commands % len(senders)):
        per_sender[index] += 1
    sent: list[str] = []

    async def write(number: int, client: AsyncClient, count: int) -> None:
        for k in range(count):
            room = rooms[(number + k) % len(rooms)]
            response = await client.room_send(
                room, "m.room.message", {"msgtype": "m.text", "body": COMMAND}
            )
            if isinstance(response, ErrorResponse):
                raise RuntimeError(f"burst send failed: {response}")
            assert isinstance(response, RoomSendResponse)
            sent.append(str(response.event_id))

    cpu_before = bot.cpu_seconds()
    started = time.monotonic()
    await asyncio.gather(
        *(
            write(n, client, count)
            for n, (client, count) in enumerate(zip(senders, per_sender, strict=True))
        )
    )
    sending = time.monotonic() - started

    def all_answered() -> bool:
        return all(anna.answers[event] for event in sent) and all(e in anna.stamps for e in sent)

    timed_out = False
    try:
        await anna.wait_until(all_answered, s.answer_timeout_s)
    except TimeoutError:
        timed_out = True
    drained_wall = time.monotonic() - started
    cpu = bot.cpu_seconds() - cpu_before
    await asyncio.sleep(s.settle_s)

    commands = set(sent)
    answers = [anna.answers[event] for event in sent]
    answered = [found for found in answers if found]
    first_command = min(anna.stamps[event] for event in sent if event in anna.stamps)
    last_answer = max((seen.server_ts for found in answered for seen in found), default=None)
    order_kept = True
    for room in rooms:
        asked = [seen.event_id for seen in anna.timeline[room] if seen.event_id in commands]
        replied: list[str] = []
        for seen in anna.timeline[room]:
            reply_to = seen.in_reply_to
            if (
                seen.sender == bot.user.user_id
                and reply_to in commands
                and reply_to not in replied
            ):
                replied.append(reply_to)
        order_kept &= replied == asked[: len(replied)]
    return {
        "commands": len(sent),
        "people": len(senders),
        "rooms": len(rooms),
        "answered_once": sum(1 for found in answers if len(found) == 1),
        "missing": sum(1 for found in answers if not found),
        "doubled": sum(1 for found in answers if len(found) > 1),
        "order_kept": order_kept,
        "timed_out": timed_out,
        "sending_s": sending,
        "drain_s": None if last_answer is None else (last_answer - first_command) / 1000,
        "drain_wall_s": drained_wall,
        "cpu_s": cpu,
        "cpu_ms_per_command": cpu * 1000 / len(sent),
    }


# --------------------------------------------------------------------------- 3. reminders


def due_moments(s: Settings, now: datetime, lead_s: float) -> list[datetime]:
    """Half of the reminders due at the first moment, the rest spread over the window."""
    start = (now + timedelta(seconds=lead_s)).replace(microsecond=0)
    start += timedelta(seconds=1)
    if s.align_to_minute:
        start = start.replace(second=0) + timedelta(minutes=1)
    together = s.reminders // 2
    spread = s.reminders - together
    return [start] * together + [
        start + timedelta(seconds=math.floor(index * s.reminder_window_s / spread))
        for index in range(spread)
    ]


async def reminders(
    anna: Observer, rooms: Sequence[str], bot: BotProcess, s: Settings, reply_s: float
) -> dict[str, Any]:
    """Set every reminder in advance, then watch them fall due. ``reply_s`` is how long a
    reply took in the idle phase: a loaded machine needs more time to set them all."""
    per_room_count = math.ceil(s.reminders / len(rooms))
    lead_s = max(s.reminder_lead_s, 1 + 3 * reply_s * per_room_count)
    dues = due_moments(s, datetime.now(BERLIN), lead_s)
    per_room: dict[str, list[int]] = defaultdict(list)
    for number in range(len(dues)):
        per_room[rooms[number % len(rooms)]].append(number)

    confirmations: list[str] = []

    async def set_in(room: str, numbers: list[int]) -> None:
        for number in numbers:
            when = dues[number].astimezone(BERLIN).strftime("%d.%m.%Y %H:%M:%S")
            event = await anna.say(room, f"!erinnerung {when}: Bench [r{number:04d}]")
            await anna.wait_until(anna.answered(event), 60)
            confirmations.append(event)

    await asyncio.gather(*(set_in(room, numbers) for room, numbers in per_room.items()))
    set_by = datetime.now(BERLIN)
    if set_by >= min(dues):
        raise RuntimeError(
            f"setting {len(dues)} reminders took until {set_by:%H:%M:%S}, past the first due"
            " moment: raise reminder_lead_s"
        )

    def posts() -> dict[int, list[Seen]]:
        found: dict[int, list[Seen]] = defaultdict(list)
        for room in rooms:
            for seen in anna.timeline[room]:
                if seen.sender != bot.user.user_id or seen.in_reply_to is not None:
                    continue
                match = MARKER.search(seen.body)
                if match:
                    found[int(match.group(1))].append(seen)
        return found

    last_due = max(dues)
    timeout = (last_due - datetime.now(BERLIN)).total_seconds() + 60
    timed_out = False
    try:
        await anna.wait_until(lambda: len(posts()) == len(dues), timeout)
    except TimeoutError:
        timed_out = True
    await asyncio.sleep(s.settle_s)
    found = posts()
    together = s.reminders // 2

    def lateness(numbers: range) -> list[float]:
        return [
            found[n][0].server_ts / 1000 - dues[n].timestamp() for n in numbers if found.get(n)
        ]

    every = lateness(range(len(dues)))
    return {
        "reminders": len(dues),
        "rooms": len(rooms),
        "first_due": min(dues).astimezone(UTC).isoformat(),
        "window_s": s.reminder_window_s,
        "set_ahead_s": (min(dues) - set_by).total_seconds(),
        "confirmed": len(confirmations),
        "posted": sum(1 for n in range(len(dues)) if found.get(n)),
        "missing": sum(1 for n in range(len(dues)) if not found.get(n)),
        "doubled": sum(1 for n in range(len(dues)) if len(found.get(n, [])) > 1),
        "early": sum(1 for late in every if late < 0),
        "timed_out": timed_out,
        "lateness_s": {
            "due_together": summary(lateness(range(together))),
            "spread": summary(lateness(range(together, len(dues)))),
            "all": summary(every),
        },
    }
