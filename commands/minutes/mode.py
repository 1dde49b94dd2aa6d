"""Meeting mode in the committee room: ``!sitzung beginnen``/``beenden``, ``!anwesend``,
``!entschuldigt``, ``!weiter``, ``!top <Nr.> aufrufen``, ``!notiz`` and ``!rückgängig``.

Everything said here is stored as an entry of the minutes; the minutes are rendered from those
entries (:mod:`commands.minutes.document`), never from the chat.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from commands.decisions.recording import decision_tracking
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from commands.meetings.agenda import DEFAULT_OPENING_ITEMS, moved_items_text
from commands.meetings.finding import meeting_in_reach
from commands.meetings.mode import (
    Running,
    agenda_of,
    call_entry,
    call_item,
    minutes_to_approve,
    only_organisers_record,
    require_current,
    require_running,
    running_here,
    with_current_item,
)
from commands.meetings.schedule import arm_schedule
from commands.meetings.texts import meeting_number
from commands.minutes.converters import Attendee, attendees, note_text
from commands.minutes.document import minutes_reply
from commands.tasks.schedule import entry_prefix
from commands.tasks.texts import local_today
from storage.models import ATTENDANCE_KINDS, EntryKind, Meeting, MinutesEntry

ENTRY_NUMBER = Param("number", N_("entry number"), converters.number, optional=True)
# Only a number: whether this room has a committee and runs no meeting is said before the
# meeting is looked up.
TODAYS_MEETING_NUMBER = Param("number", N_("meeting number"), converters.number, optional=True)


async def _todays_meeting(ctx: Context, number: int | None) -> Meeting:
    committee = await ctx.store.committees.for_room(ctx.room_id)
    if committee is None:
        raise NotFound(ctx._(N_("Meeting mode runs in a committee's room only.")))
    now = ctx.clock.now()
    today = local_today(ctx.t, now)
    if number is not None:
        meeting = await meeting_in_reach(ctx, number)
    else:
        midnight = datetime.combine(today, time(0), tzinfo=ctx.t.zone)
        found = await ctx.store.minutes.meetings_between(
            committee.id, midnight, midnight + timedelta(days=1)
        )
        if not found:
            raise NotFound(
                ctx.say(
                    "{committee} has no meeting today. Give its number, e.g. {example}; "
                    "{list} shows the meetings.",
                    committee=committee.name,
                    example=code(ctx.command_ref("sitzung beginnen", "12")),
                    list=code(ctx.command_ref("termine")),
                )
            )
        meeting = found[0]
    if ctx.t.local(meeting.start).date() > today:
        raise BadArgument(
            ctx.say(
                "Meeting {number} is only on {when}; meeting mode starts on its day.",
                number=meeting_number(ctx.t, meeting),
                when=ctx.t.datetime(meeting.start),
            )
        )
    return meeting


@command(
    "sitzung beginnen",
    english="meeting start",
    help=N_("Starts meeting mode for today's meeting: the minutes are taken in this room."),
    params=[TODAYS_MEETING_NUMBER],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!sitzung beginnen", "!sitzung beginnen 12"),
    group=HelpGroup.AGENDA,
    rank=120,
)
async def meeting_begin(ctx: Context, number: int | None) -> Reply:
    if (running := await running_here(ctx)) is not None:
        raise BadArgument(
            ctx.say(
                "Meeting mode for meeting {number} already runs in this room; {end} "
                "ends it. Only one runs per room.",
                number=meeting_number(ctx.t, running.meeting),
                end=code(ctx.command_ref("sitzung beenden")),
            )
        )
    meeting = await _todays_meeting(ctx, number)
    now = ctx.clock.now()
    minutes = await ctx.store.minutes.begin(
        meeting, ctx.room_id, now, started_by=ctx.sender, taker_name=ctx.person(ctx.sender)
    )
    await ctx.store.audit.record(now, ctx.sender, "begin", "minutes", minutes.meeting_id)
    reply = Reply.of(
        strong(
            ctx.say(
                "Meeting mode for {committee}, meeting {number}, has begun.",
                committee=meeting.committee.name,
                number=meeting_number(ctx.t, meeting),
            )
        )
    )
    reply.add(
        ctx.say(
            "{present} records who is present, {next} calls the next item, {note} "
            "records a note, {end} ends the meeting and posts the minutes.",
            present=code(ctx.command_ref("anwesend", "@…")),
            next=code(ctx.command_ref("weiter")),
            note=code(ctx.command_ref("notiz", "…")),
            end=code(ctx.command_ref("sitzung beenden")),
        )
    )
    return with_current_item(ctx, Running(minutes, meeting, None), reply)


# --------------------------------------------------------------------------- attendance


async def _attendance(ctx: Context, kind: EntryKind, people: list[Attendee]) -> Reply:
    running = await require_running(ctx)
    only_organisers_record(ctx, N_("Only organisers record attendance."))
    now = ctx.clock.now()
    known = {
        (e.matrix_id or e.text): e
        for e in await ctx.store.minutes.entries(running.minutes.meeting_id)
        if e.kind in ATTENDANCE_KINDS
    }
    names: list[str] = []
    for person in people:
        name = ctx.person(person.matrix_id) if person.matrix_id else person.name
        person_id = None
        if person.matrix_id:
            contacts = await ctx.store.contacts.persons_with_matrix_id(person.matrix_id)
            person_id = contacts[0].id if contacts else None
        before = known.get(person.matrix_id or person.name)
        if before is not None:
            # Someone excused who comes after all (or the other way round) changes sides.
            await ctx.store.minutes.change(before, now, kind=kind, author=ctx.sender)
        else:
            await ctx.store.minutes.add(
                running.minutes,
                now,
                kind=kind,
                text=name,
                matrix_id=person.matrix_id,
                person_id=person_id,
                author=ctx.sender,
            )
        names.append(name)
    headline = N_("Present: {names}.") if kind == EntryKind.PRESENT else N_("Excused: {names}.")
    reply = Reply.of(fmt(ctx._(headline), names=join(", ", names)))
    reply.add(await _quorum_text(ctx, running))
    return with_current_item(ctx, running, reply)


async def _quorum_text(ctx: Context, running: Running) -> Text:
    entries = await ctx.store.minutes.entries(running.minutes.meeting_id)
    present = sum(1 for e in entries if e.kind == EntryKind.PRESENT)
    quorum = running.meeting.committee.quorum
    if quorum is None:
        return ctx.say("{count} present.", count=present)
    reached = N_("the quorum is reached") if present >= quorum else N_("the quorum is not reached")
    return ctx.say(
        "{count} present, {quorum} needed: {state}.",
        count=present,
        quorum=quorum,
        state=strong(ctx._(reached)),
    )


@command(
    "anwesend",
    english="present",
    help=N_(
        "In meeting mode: records who is present (@accounts or names, separated by commas); "
        "alone it shows the list and the quorum."
    ),
    params=[Param("people", N_("@who or names"), attendees, optional=True, greedy=True)],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!anwesend @bernd:example.org @clara:example.org, Petra Lang", "!anwesend"),
    group=HelpGroup.AGENDA,
    rank=130,
)
async def attendance_present(ctx: Context, people: list[Attendee] | None) -> Reply:
    if people is not None:
        return await _attendance(ctx, EntryKind.PRESENT, people)
    running = await require_running(ctx)
    entries = await ctx.store.minutes.entries(running.minutes.meeting_id)
    reply = Reply()
    for kind, label in ((EntryKind.PRESENT, N_("Present")), (EntryKind.EXCUSED, N_("Excused"))):
        names = [e.text for e in entries if e.kind == kind]
        reply.add(
            fmt(
                "{label}: {names}",
                label=strong(ctx._(label)),
                names=join(", ", names) if names else "–",
            )
        )
    reply.add(await _quorum_text(ctx, running))
    return with_current_item(ctx, running, reply)


@command(
    "entschuldigt",
    english="excused",
    help=N_("In meeting mode: records who is excused (@accounts or names)."),
    params=[Param("people", N_("@who or names"), attendees, greedy=True)],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!entschuldigt @dora:example.org, Frank Weber",),
    group=HelpGroup.AGENDA,
    rank=140,
)
async def attendance_excused(ctx: Context, people: list[Attendee]) -> Reply:
    return await _attendance(ctx, EntryKind.EXCUSED, people)


# --------------------------------------------------------------------------- items


@command(
    "weiter",
    english="next",
    help=N_("In meeting mode: calls the next item of the agenda."),
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!weiter",),
    group=HelpGroup.AGENDA,
    rank=150,
)
async def item_next(ctx: Context) -> Reply:
    running = await require_running(ctx)
    agenda = await agenda_of(ctx, running.meeting)
    entries = list(agenda.entries)
    index = -1
    if running.current is not None:
        current = running.current
        index = next(
            (
                i
                for i, e in enumerate(entries)
                if (e.item is not None and e.item.id == current.agenda_item_id)
                or (e.item is None and current.agenda_item_id is None and e.label == current.label)
            ),
            -1,
        )
    if index + 1 >= len(entries):
        reply = Reply.of(
            ctx.say(
                "That was the last item of the agenda. {end} ends the meeting.",
                end=code(ctx.command_ref("sitzung beenden")),
            )
        )
        return with_current_item(ctx, running, reply)
    call = await call_entry(ctx, running, entries[index + 1])
    reply = Reply.of(ctx.say("Called: {label} {title}", label=strong(call.label), title=call.text))
    if entries[index + 1].item is None and call.text == ctx._(DEFAULT_OPENING_ITEMS[3]):
        # The standing item shows the Beschlusskontrolle of the committee at once.
        tracking = await decision_tracking(ctx, [running.meeting.committee], only_open=True)
        reply.blocks.extend(tracking.blocks)
    elif entries[index + 1].item is None and call.text == ctx._(DEFAULT_OPENING_ITEMS[2]):
        reply.add(
            await minutes_to_approve(ctx, running.meeting)
            or ctx._(N_("No minutes of an earlier meeting were taken with the bot."))
        )
    return reply


@command(
    "top aufrufen",
    english="item call",
    help=N_("In meeting mode: calls agenda item No. … (also written !top <No.> call)."),
    params=[Param("number", N_("item number"), converters.number)],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!top 7 aufrufen", "!top aufrufen 7"),
    group=HelpGroup.AGENDA,
    rank=160,
)
async def item_call(ctx: Context, number: int) -> Reply:
    return await call_item(ctx, number)


# --------------------------------------------------------------------------- notes


@command(
    "notiz",
    english="note",
    help=N_("In meeting mode: records a note under the current item."),
    params=[Param("note", N_("text"), note_text, greedy=True)],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!notiz Der Entwurf wird bis zur nächsten Sitzung überarbeitet.",),
    group=HelpGroup.AGENDA,
    rank=170,
)
async def note_create(ctx: Context, note: str) -> Reply:
    running = await require_running(ctx)
    call = require_current(ctx, running)
    now = ctx.clock.now()
    entry = await ctx.store.minutes.add(
        running.minutes,
        now,
        kind=EntryKind.NOTE,
        call_id=call.id,
        agenda_item_id=call.agenda_item_id,
        label=call.label,
        public=call.public,
        text=note,
        author=ctx.sender,
    )
    await ctx.store.audit.record(now, ctx.sender, "create", "minutes_note", entry.id)
    reply = Reply.of(ctx.say("Note No. {number} is recorded.", number=entry.id))
    return with_current_item(ctx, running, reply)


@command(
    "notiz ändern",
    english="note edit",
    aliases=("notiz aendern",),
    help=N_("Corrects note No. … of the minutes (its author or an organiser)."),
    params=[
        Param("number", N_("number"), converters.number),
        Param("note", N_("text"), note_text, greedy=True),
    ],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!notiz ändern 14 Der Entwurf wird bis März überarbeitet.",),
    group=HelpGroup.AGENDA,
    rank=220,
)
async def note_change(ctx: Context, number: int, note: str) -> Reply:
    entry = await _entry_here(ctx, number)
    if entry.kind != EntryKind.NOTE:
        raise BadArgument(
            ctx.say("Entry No. {number} is no note.", number=number),
        )
    if ctx.role < Role.ORGANIZER and entry.author != ctx.sender:
        raise NotAllowed(ctx._(N_("Only the author of a note or an organiser may change it.")))
    now = ctx.clock.now()
    await ctx.store.minutes.change(entry, now, text=note)
    await ctx.store.audit.record(now, ctx.sender, "update", "minutes_note", entry.id)
    return Reply.of(
        ctx.say(
            "Note No. {number} is corrected. {render} renders the minutes again.",
            number=entry.id,
            render=code(ctx.command_ref("protokoll", str(entry.meeting_id))),
        )
    )


async def _entry_here(ctx: Context, number: int) -> MinutesEntry:
    """Entry No. ``number`` of minutes taken in this room."""
    entry = await ctx.store.minutes.entry(number)
    minutes = await ctx.store.minutes.of_meeting(entry.meeting_id) if entry else None
    if entry is None or minutes is None or minutes.room_id != ctx.room_id:
        raise NotFound(
            ctx.say("There is no entry No. {number} in the minutes of this room.", number=number)
        )
    return entry


# --------------------------------------------------------------------------- undo


@command(
    "rückgängig",
    english="undo",
    aliases=("rueckgaengig",),
    help=N_(
        "In meeting mode: removes your last entry (note, attendance, decision, task); "
        "organisers remove any entry by its number."
    ),
    params=[ENTRY_NUMBER],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!rückgängig", "!rückgängig 14"),
    group=HelpGroup.AGENDA,
    rank=180,
)
async def entry_undo(ctx: Context, number: int | None) -> Reply:
    running = await require_running(ctx)
    if number is None:
        entry = await ctx.store.minutes.last_by(running.minutes.meeting_id, ctx.sender)
        if entry is None:
            raise NotFound(ctx._(N_("You have recorded nothing in this meeting to take back.")))
    else:
        if ctx.role < Role.ORGANIZER:
            raise NotAllowed(
                ctx._(N_("Only organisers remove entries by number; you can take back your own."))
            )
        entry = await _entry_here(ctx, number)
        if entry.meeting_id != running.minutes.meeting_id or entry.kind == EntryKind.CALL:
            raise BadArgument(
                ctx.say("Entry No. {number} cannot be taken back in this meeting.", number=number)
            )
    what = _entry_words(ctx, entry)
    now = ctx.clock.now()
    if entry.task_id is not None:
        # The task goes, so its reminders go with it.
        for planned in await ctx.store.schedule.with_prefix(entry_prefix(entry.task_id)):
            await ctx.store.schedule.deactivate(planned.id)
    await ctx.store.minutes.remove(entry)
    await ctx.store.audit.record(now, ctx.sender, "delete", "minutes_entry", entry.id, entry.kind)
    reply = Reply.of(ctx.say("Taken back: {what}.", what=what))
    return with_current_item(ctx, running, reply)


def _entry_words(ctx: Context, entry: MinutesEntry) -> Text:
    if entry.decision_id is not None:
        return ctx.say("decision No. {number}", number=entry.decision_id)
    if entry.task_id is not None:
        return ctx.say("task No. {number}", number=entry.task_id)
    if entry.kind == EntryKind.NOTE:
        return ctx.say("note No. {number}", number=entry.id)
    return ctx.say("the attendance of {name}", name=entry.text)


# --------------------------------------------------------------------------- end


@command(
    "sitzung beenden",
    english="meeting end",
    help=N_(
        "Ends meeting mode: items called are dealt with, the others move to the next "
        "meeting, and the minutes are posted."
    ),
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!sitzung beenden",),
    group=HelpGroup.AGENDA,
    rank=190,
)
async def meeting_end(ctx: Context) -> Reply:
    running = await require_running(ctx)
    meeting = running.meeting
    now = ctx.clock.now()
    await ctx.store.minutes.end(running.minutes, meeting, now)
    # A held meeting wants no reminders or roll-over job any more.
    await arm_schedule(ctx, meeting)
    await ctx.store.minutes.mark_called_done(meeting.id, now)
    target = await ctx.store.minutes.next_meeting_after(meeting)
    # Held, the meeting counts as over: the agenda's roll-over moves what is still open.
    moved = await ctx.store.agenda.roll_over(meeting.committee_id, now, target)
    await ctx.store.audit.record(now, ctx.sender, "end", "minutes", meeting.id)
    reply = Reply.of(
        strong(
            ctx.say(
                "Meeting {number} of {committee} has ended.",
                number=meeting_number(ctx.t, meeting),
                committee=meeting.committee.name,
            )
        )
    )
    if moved:
        reply.add(moved_items_text(ctx.t, target, [fmt("{title}", title=m.title) for m in moved]))
    minutes = await minutes_reply(ctx, meeting, in_committee_room=True)
    reply.blocks.extend(minutes.blocks)
    reply.attachments.extend(minutes.attachments)
    return reply
