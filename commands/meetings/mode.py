"""Meeting mode as the other features see it: whether one runs in a room, which agenda item is
being dealt with, and how a decision or task recorded there joins the minutes.

The minutes commands (``commands/minutes/``) drive meeting mode; ``!beschluss``, ``!aufgabe``
and ``!top … aufrufen`` ask this module, so no feature imports another.
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import Role
from commands.framework.reply import Reply, Text, code, fmt, strong
from commands.meetings.agenda import Agenda, Entry, build_agenda
from storage.models import EntryKind, Meeting, Minutes, MinutesEntry


@dataclass(frozen=True)
class Running:
    """A meeting mode that runs in the room of a command, with the item now called."""

    minutes: Minutes
    meeting: Meeting
    current: MinutesEntry | None  # the call of the current item; None before the first


async def running_here(ctx: Context) -> Running | None:
    """The meeting mode running in the command's room, if any."""
    minutes = await ctx.store.minutes.running_in(ctx.room_id)
    if minutes is None:
        return None
    meeting = await ctx.store.meetings.get(minutes.meeting_id)
    if meeting is None:  # deleted under a running meeting mode: nothing to record into
        return None
    current = (
        await ctx.store.minutes.entry(minutes.current_call_id)
        if minutes.current_call_id is not None
        else None
    )
    return Running(minutes, meeting, current)


async def require_running(ctx: Context) -> Running:
    """The meeting mode of this room, or a sentence saying how to start one."""
    running = await running_here(ctx)
    if running is None:
        raise NotFound(
            ctx.say(
                "No meeting mode runs in this room. {start} starts it.",
                start=code(ctx.command_ref("sitzung beginnen")),
            )
        )
    return running


def only_organisers_record(ctx: Context, what: str) -> None:
    """Refuse a member an organiser's part of the minutes; ``what`` is a msgid."""
    if ctx.role < Role.ORGANIZER:
        raise NotAllowed(ctx._(what))


def current_item_text(ctx: Context, running: Running) -> Text:
    """``Current item: P 5 Title`` — every answer in meeting mode ends with it."""
    if running.current is None:
        return ctx.say(
            "No item is called yet; {next} calls the first.", next=code(ctx.command_ref("weiter"))
        )
    return ctx.say(
        "Current item: {label} {title}",
        label=strong(running.current.label),
        title=running.current.text,
    )


def with_current_item(ctx: Context, running: Running, reply: Reply) -> Reply:
    return reply.add(current_item_text(ctx, running))


def require_current(ctx: Context, running: Running) -> MinutesEntry:
    """The call of the current item; an entry needs one."""
    if running.current is None:
        raise BadArgument(
            fmt(
                ctx._(N_("No item is called yet. {next} calls the first, {call} a given one.")),
                next=code(ctx.command_ref("weiter")),
                call=code(ctx.command_ref("top", ctx._(N_("<No.> call")))),
            )
        )
    return running.current


async def agenda_of(ctx: Context, meeting: Meeting) -> Agenda:
    """The meeting's agenda as meeting mode walks it."""
    return build_agenda(ctx.t, meeting, await ctx.store.agenda.for_meeting(meeting))


async def call_entry(ctx: Context, running: Running, entry: Entry) -> MinutesEntry:
    """Make ``entry`` the current item; an item called again keeps its first call."""
    now = ctx.clock.now()
    entries = await ctx.store.minutes.entries(running.minutes.meeting_id)
    calls = [e for e in entries if e.kind == EntryKind.CALL]
    item_id = entry.item.id if entry.item is not None else None
    found = next(
        (
            call
            for call in calls
            if (item_id is not None and call.agenda_item_id == item_id)
            or (item_id is None and call.agenda_item_id is None and call.label == entry.label)
        ),
        None,
    )
    if found is None:
        found = await ctx.store.minutes.add(
            running.minutes,
            now,
            kind=EntryKind.CALL,
            agenda_item_id=item_id,
            label=entry.label,
            public=entry.public,
            text=entry.title,
            author=ctx.sender,
        )
    await ctx.store.minutes.set_current(running.minutes, found)
    return found


async def call_item(ctx: Context, number: int) -> Reply:
    """``!top <Nr.> aufrufen``: call agenda item No. ``number`` in meeting mode."""
    running = await require_running(ctx)
    only_organisers_record(ctx, N_("Only organisers move through the agenda."))
    agenda = await agenda_of(ctx, running.meeting)
    entry = next((e for e in agenda.entries if e.item and e.item.id == number), None)
    if entry is None:
        raise NotFound(
            ctx.say(
                "Item No. {number} is not on the agenda of this meeting. {agenda}",
                number=number,
                agenda=code(ctx.command_ref("tagesordnung", str(running.meeting.id))),
            )
        )
    call = await call_entry(ctx, running, entry)
    return Reply.of(ctx.say("Called: {label} {title}", label=strong(call.label), title=call.text))


async def record_under_current(
    ctx: Context,
    running: Running,
    *,
    kind: EntryKind,
    decision_id: int | None = None,
    task_id: int | None = None,
) -> MinutesEntry:
    """Join a decision or task recorded in meeting mode to the minutes under the current
    item, so ``!rückgängig`` can take it back."""
    call = require_current(ctx, running)
    return await ctx.store.minutes.add(
        running.minutes,
        ctx.clock.now(),
        kind=kind,
        call_id=call.id,
        agenda_item_id=call.agenda_item_id,
        label=call.label,
        public=call.public,
        decision_id=decision_id,
        task_id=task_id,
        author=ctx.sender,
    )


async def item_of_meeting(ctx: Context, meeting: Meeting | None, number: int | None) -> int | None:
    """``top=<Nr.>`` outside meeting mode: agenda item No. ``number`` of ``meeting``."""
    if number is None:
        return None
    item = await ctx.store.agenda.get(number)
    if (
        meeting is None
        or item is None
        or (item.meeting_id != meeting.id and item.deferred_from != meeting.id)
    ):
        raise BadArgument(
            ctx.say(
                "Item No. {number} is not on the agenda of the meeting given; write "
                "both, e.g. meeting=4 item=7.",
                number=number,
            )
        )
    return item.id


async def minutes_to_approve(ctx: Context, meeting: Meeting) -> Text | None:
    """What the opening item "Approval of the minutes of the last meeting" of ``meeting``
    refers to: the minutes of the committee's meeting before, and whether they are approved."""
    last = await ctx.store.minutes.approved_before(meeting.committee_id, meeting.start)
    if last is None or last.ended_at is None:
        return None
    state = (
        ctx.say("approved on {when}", when=ctx.t.date(last.approved_at))
        if last.approved_at is not None
        else ctx.say(
            "not approved yet; {approve} approves them",
            approve=code(ctx.command_ref("protokoll freigeben", str(last.meeting_id))),
        )
    )
    return ctx.say(
        "Minutes to approve: meeting No. {number} ({state}); {show} shows them.",
        number=last.meeting_id,
        state=state,
        show=code(ctx.command_ref("protokoll", str(last.meeting_id))),
    )
