"""The minutes (Protokoll) as a message, an HTML file and a PDF: ``!protokoll`` and
``!protokoll freigeben``.

Rendered from the stored entries only. The non-public part (items called as non-public) is a
separate document that is only ever sent into the committee's own room.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from commands.framework.context import Context
from commands.framework.documents import html_to_pdf, render_html
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Role, RoomKind, command
from commands.framework.reply import Attachment, Reply, code, fmt, strong
from commands.meetings.converters import OPTIONAL_MEETING_NUMBER
from commands.meetings.finding import meeting_in_reach
from commands.meetings.texts import meeting_number
from commands.tasks.texts import owner_in_words, votes_in_words
from storage.models import Decision, EntryKind, Meeting, Minutes, MinutesEntry, Task


@dataclass
class Section:
    """One item of the minutes with its notes, decisions and tasks, as lines."""

    label: str
    title: str
    public: bool
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TaskRow:
    owner: str
    text: str
    due: str


@dataclass(frozen=True)
class Part:
    """One of the two documents: the public minutes, or the non-public part."""

    sections: list[Section]
    tasks: list[TaskRow]


def _decision_line(ctx: Context, decision: Decision) -> str:
    return ctx.say(
        "Decision No. {number}: {text} ({votes})",
        number=decision.id,
        text=decision.text,
        votes=votes_in_words(ctx.t, decision),
    ).plain


def _task_due(ctx: Context, task: Task) -> str:
    if task.due_on is None:
        return ctx._(N_("no date"))
    return task.due_on.strftime("%d.%m.%Y" if ctx.t.language == "de" else "%d %b %Y")


def _task_line(ctx: Context, task: Task) -> str:
    return ctx.say(
        "Task No. {number}: {text} ({owner}, until {due})",
        number=task.id,
        text=task.text,
        owner=owner_in_words(ctx.t, task, ctx.person),
        due=_task_due(ctx, task),
    ).plain


async def _parts(ctx: Context, meeting: Meeting, entries: list[MinutesEntry]) -> tuple[Part, Part]:
    """Sort the entries, decisions and tasks under the items they belong to, in two parts."""
    calls = [e for e in entries if e.kind == EntryKind.CALL]
    sections = {call.id: Section(call.label, call.text, call.public) for call in calls}
    by_item = {call.agenda_item_id: call.id for call in calls if call.agenda_item_id is not None}
    placed_decisions = {e.decision_id: e.call_id for e in entries if e.kind == EntryKind.DECISION}
    placed_tasks = {e.task_id: e.call_id for e in entries if e.kind == EntryKind.TASK}
    decisions = await ctx.store.minutes.decisions(meeting.id)
    tasks = await ctx.store.minutes.tasks(meeting.id)
    # Recorded after the meeting with top=: under that item if it was called; otherwise under
    # "further", in the non-public part when its item is non-public.
    further = Section("", ctx._(N_("Further decisions and tasks")), True)
    hidden = Section("", ctx._(N_("Further decisions and tasks")), False)

    async def section_for(call_id: int | None, item_id: int | None) -> Section:
        found = sections.get(call_id) if call_id is not None else None
        if found is None and item_id is not None and item_id in by_item:
            found = sections[by_item[item_id]]
        if found is not None:
            return found
        item = await ctx.store.agenda.get(item_id) if item_id is not None else None
        return hidden if item is not None and not item.public else further

    notes = {e.id: e for e in entries if e.kind == EntryKind.NOTE}
    for note in notes.values():
        if note.call_id in sections:
            sections[note.call_id].lines.append(f"{note.text} (#{note.id})")
    task_section: dict[int, Section] = {}
    for decision in decisions:
        where = await section_for(placed_decisions.get(decision.id), decision.agenda_item_id)
        where.lines.append(_decision_line(ctx, decision))
    for task in tasks:
        where = await section_for(placed_tasks.get(task.id), task.agenda_item_id)
        where.lines.append(_task_line(ctx, task))
        task_section[task.id] = where
    ordered = list(sections.values()) + [s for s in (further, hidden) if s.lines]

    def part(public: bool) -> Part:
        return Part(
            [s for s in ordered if s.public is public],
            [
                TaskRow(owner_in_words(ctx.t, t, ctx.person), t.text, _task_due(ctx, t))
                for t in tasks
                if task_section[t.id].public is public
            ],
        )

    return part(True), part(False)


async def _facts(ctx: Context, meeting: Meeting, minutes: Minutes) -> list[tuple[str, str]]:
    committee = await ctx.store.committees.load_seats(meeting.committee)
    chairs = [
        seat.person.display_name if seat.person is not None else ctx.person(seat.matrix_id)
        for seat in committee.members
        if seat.role == "Vorsitz"
    ]
    return [
        (ctx._(N_("Committee")), committee.name),
        (ctx._(N_("Meeting")), meeting_number(ctx.t, meeting).plain),
        (ctx._(N_("Date")), ctx.t.date(minutes.started_at)),
        (ctx._(N_("Time")), _hours(ctx, meeting, minutes)),
        (ctx._(N_("Place")), meeting.place or "–"),
        (ctx._(N_("Chair")), ", ".join(chairs) or "–"),
        (ctx._(N_("Minute-taker")), minutes.taker_name or "–"),
    ]


def _to_the_minute(moment: datetime) -> datetime:
    # The minutes name the clock time; seconds would only look like false precision.
    return moment.replace(second=0, microsecond=0)


def _span(ctx: Context, start: datetime, end: datetime) -> str:
    return f"{ctx.t.clock(start)}–{ctx.t.time(_to_the_minute(end))}"


def _hours(ctx: Context, meeting: Meeting, minutes: Minutes) -> str:
    """When meeting mode began and ended, to the minute; the planned time beside it when the
    meeting kept another."""
    begun = _to_the_minute(minutes.started_at)
    if minutes.ended_at is None:
        actual = ctx.say("since {time}", time=ctx.t.time(begun)).plain
    else:
        actual = _span(ctx, begun, minutes.ended_at)
    planned = _span(ctx, meeting.start, meeting.end)
    if minutes.ended_at is not None and actual == planned:
        return actual
    return ctx.say("{actual} (planned: {planned})", actual=actual, planned=planned).plain


def _labels(ctx: Context) -> dict[str, str]:
    return {
        "attendance": ctx._(N_("Attendance")),
        "present": ctx._(N_("Present")),
        "excused": ctx._(N_("Excused")),
        "nobody": "–",
        "items": ctx._(N_("Items")),
        "nothing": ctx._(N_("Dealt with, nothing recorded.")),
        "none": ctx._(N_("None.")),
        "postponed": ctx._(N_("Postponed items")),
        "tasks": ctx._(N_("All tasks")),
        "who": ctx._(N_("Who")),
        "what": ctx._(N_("What")),
        "due": ctx._(N_("By when")),
        "next": ctx._(N_("Next meeting")),
    }


async def minutes_reply(ctx: Context, meeting: Meeting, *, in_committee_room: bool) -> Reply:
    """The minutes of ``meeting`` as a message with the HTML and PDF files; the non-public
    part as its own files, only with ``in_committee_room``."""
    minutes = await ctx.store.minutes.of_meeting(meeting.id)
    if minutes is None:
        raise NotFound(
            ctx.say(
                "No minutes were taken for meeting {number}. {start} starts them.",
                number=meeting_number(ctx.t, meeting),
                start=code(ctx.command_ref("sitzung beginnen", str(meeting.id))),
            )
        )
    entries = await ctx.store.minutes.entries(meeting.id)
    public, non_public = await _parts(ctx, meeting, entries)
    facts = await _facts(ctx, meeting, minutes)
    present = [e.text for e in entries if e.kind == EntryKind.PRESENT]
    excused = [e.text for e in entries if e.kind == EntryKind.EXCUSED]
    following = await ctx.store.minutes.next_meeting_after(meeting)
    next_meeting = (
        ctx.say(
            "{number} on {when}",
            number=meeting_number(ctx.t, following),
            when=ctx.t.datetime(following.start),
        ).plain
        if following is not None
        else ctx._(N_("not scheduled yet"))
    )
    postponed = [
        fmt("#{number} {title}", number=item.id, title=item.title).plain
        for item in await ctx.store.minutes.postponed_from(meeting.id)
        if item.public
    ]
    title = ctx.say(
        "Minutes of {committee}, meeting {number}",
        committee=meeting.committee.name,
        number=meeting_number(ctx.t, meeting),
    ).plain
    state = (
        ctx.say("Approved on {when}.", when=ctx.t.date(minutes.approved_at)).plain
        if minutes.approved_at is not None
        else ctx._(N_("Draft, not approved yet."))
    )
    reply = Reply.of(strong(title))
    reply.bullets(fmt("{label}: {value}", label=label, value=value) for label, value in facts)
    for label, names in ((N_("Present"), present), (N_("Excused"), excused)):
        reply.add(
            fmt("{label}: {names}", label=strong(ctx._(label)), names=", ".join(names) or "–")
        )
    for section in public.sections:
        reply.add(strong(f"{section.label} {section.title}".strip()))
        if section.lines:
            reply.bullets(section.lines)
    reply.add(fmt("{label}: {value}", label=strong(ctx._(N_("Next meeting"))), value=next_meeting))
    reply.add(state)
    stem = ctx._(N_("minutes-{number}")).format(number=meeting.id)
    documents = [(public, "", stem, postponed)]
    if non_public.sections or non_public.tasks:
        if in_committee_room:
            part = ctx._(N_("Non-public part"))
            documents.append(
                (
                    non_public,
                    part,
                    ctx._(N_("minutes-{number}-non-public")).format(number=meeting.id),
                    [],
                )
            )
            reply.add(
                ctx._(N_("The non-public part is a separate document, sent only into this room."))
            )
        else:
            reply.add(ctx._(N_("The non-public part is available in the committee's room only.")))
    for shown, part_title, name, moved in documents:
        html = render_html(
            "minutes.html",
            title=title,
            part=part_title,
            facts=facts,
            present=present,
            excused=excused,
            sections=shown.sections,
            postponed=moved,
            tasks=shown.tasks,
            next_meeting=next_meeting,
            labels=_labels(ctx),
            footer=state,
        )
        pdf = await asyncio.to_thread(
            html_to_pdf,
            html,
            title=f"{title} {part_title}".strip(),
            created=ctx.clock.now(),
            language=ctx.t.language,
        )
        reply.attachments.append(Attachment(f"{name}.html", "text/html", html.encode()))
        reply.attachments.append(Attachment(f"{name}.pdf", "application/pdf", pdf))
    return reply


# --------------------------------------------------------------------------- commands


async def _meeting_of_minutes(ctx: Context, meeting: Meeting | None) -> Meeting:
    """The meeting the command names, or the one whose minutes were last taken in this room."""
    if meeting is not None:
        return meeting
    latest = await ctx.store.minutes.latest_in(ctx.room_id)
    if latest is None:
        raise NotFound(
            ctx.say(
                "No minutes were taken in this room. Give a meeting number: {example}",
                example=code(ctx.command_ref("protokoll", "12")),
            )
        )
    return await meeting_in_reach(ctx, latest.meeting_id)


@command(
    "protokoll",
    english="minutes",
    help=N_(
        "Renders the minutes of the last meeting (or No. …) again, as a message, HTML and PDF."
    ),
    params=[OPTIONAL_MEETING_NUMBER],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP, RoomKind.TEAM),
    examples=("!protokoll", "!protokoll 12"),
    group=HelpGroup.AGENDA,
    rank=200,
)
async def minutes_show(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await _meeting_of_minutes(ctx, meeting)
    own_room = ctx.room_kind is RoomKind.GROUP and meeting.committee.room_id == ctx.room_id
    return await minutes_reply(ctx, meeting, in_committee_room=own_room)


@command(
    "protokoll freigeben",
    english="minutes approve",
    help=N_("Marks the minutes of the last meeting (or No. …) as approved by the committee."),
    params=[OPTIONAL_MEETING_NUMBER],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!protokoll freigeben", "!protokoll freigeben 12"),
    group=HelpGroup.AGENDA,
    rank=210,
)
async def minutes_approve(ctx: Context, meeting: Meeting | None) -> Reply:
    meeting = await _meeting_of_minutes(ctx, meeting)
    minutes = await ctx.store.minutes.of_meeting(meeting.id)
    if minutes is None or minutes.ended_at is None:
        raise BadArgument(
            ctx.say(
                "The minutes of meeting {number} are not finished yet.",
                number=meeting_number(ctx.t, meeting),
            )
        )
    now = ctx.clock.now()
    await ctx.store.minutes.approve(minutes, now, ctx.sender)
    await ctx.store.audit.record(now, ctx.sender, "approve", "minutes", meeting.id)
    return Reply.of(
        ctx.say(
            "The minutes of meeting {number} are approved ({when}).",
            number=meeting_number(ctx.t, meeting),
            when=ctx.t.date(now),
        )
    )
