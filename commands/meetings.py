"""Meeting commands: ``!sitzung``, ``!termine``, ``!einladung``.

Who sees what: in a committee room only that committee's meetings exist (for everyone, so one
committee's plans never show up in another's room); the team sees all of them in the team room
and in a direct chat; anybody else sees, in a direct chat, the committees they sit in. What is
out of reach is "not found", never "not allowed", so a refusal tells nothing about it.

Changes are announced in the committee room. A command given elsewhere (the team room) answers
its sender there and hands the announcement to the bot through :attr:`Reply.posts`.

Every meeting keeps its scheduler entries in step (contract shared with ``bot/calendar_jobs.py``):
``meeting:{id}:reminder:{offset}`` (kind ``meeting.reminder``) per reminder offset, and
``meeting:{id}:invitation`` (kind ``meeting.invitation_due``) two days before the notice period
starts, as long as no invitation was posted. Moving rewrites them, cancelling deactivates them,
and none is ever written for a moment already past.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from commands import converters
from commands.context import Context
from commands.errors import BadArgument, NotFound
from commands.i18n import N_
from commands.paging import PAGE_OPTION, more_note, page_from
from commands.recurrence import (
    MAX_OCCURRENCES,
    Frequency,
    TooManyOccurrences,
    frequency_named,
    plan_series,
    rule_shape,
)
from commands.registry import Option, Param, Role, RoomKind, command
from commands.reply import Block, Paragraph, Reply, Text, code, fmt, join, strong, text
from commands.when import ParsedWhen, When
from storage.models import MEETING_CANCELLED, MEETING_SCHEDULED, Committee, Meeting
from storage.schedule import INVITATION_DUE_KIND, MEETING_REMINDER_KIND

# A series shows this many of its dates when it is created; !termine lists the rest.
FIRST_DATES_SHOWN = 5
# Invitation deadline reminder: this long before the notice period starts.
INVITATION_WARNING_LEAD = timedelta(days=2)
UID_DOMAIN = "kuemmerer"
_WEB_LINK = re.compile(r"^https?://\S+\.\S+$", re.IGNORECASE)


# --------------------------------------------------------------------------- converters


def frequency(ctx: Context, raw: str) -> Frequency:
    """How a series repeats: wöchentlich, 14-täglich, monatlich, quartalsweise (or English)."""
    found = frequency_named(raw)
    if found is None:
        raise BadArgument(
            fmt(
                ctx._(
                    N_(
                        "{raw} is not a repetition. Write weekly, biweekly, monthly or "
                        "quarterly (wöchentlich, 14-täglich, monatlich, quartalsweise)."
                    )
                ),
                raw=code(raw),
            )
        )
    return found


def occurrence_count(ctx: Context, raw: str) -> int:
    """How many meetings a series has: 1 to :data:`MAX_OCCURRENCES`."""
    count = converters.number(ctx, raw)
    if count > MAX_OCCURRENCES:
        raise too_many(ctx)
    return count


def last_day(ctx: Context, raw: str) -> date:
    """The last day of a series (``bis=31.12.2027``), in the bot's zone."""
    parsed = When(future=True)(ctx, raw)
    return ctx.t.local(parsed.at).date()


def online_link(ctx: Context, raw: str) -> str:
    """A web link to join online, e.g. a video conference."""
    value = raw.strip()
    if not _WEB_LINK.match(value):
        raise BadArgument(
            fmt(
                ctx._(
                    N_("{raw} is not a web link. Write it like https://meet.example.org/beirat.")
                ),
                raw=code(raw),
            )
        )
    return value


def too_many(ctx: Context) -> BadArgument:
    return BadArgument(
        fmt(
            ctx._(
                N_(
                    "A series holds at most {limit} meetings. Choose an earlier bis= or a "
                    "smaller anzahl=."
                )
            ),
            limit=MAX_OCCURRENCES,
        )
    )


# --------------------------------------------------------------------------- formatting


def span_text(ctx: Context, start: datetime, end: datetime) -> str:
    """``Mi, 12.03.2027, 14:00–16:00 Uhr``; a meeting past midnight shows both dates."""
    if ctx.t.local(start).date() == ctx.t.local(end).date():
        day = f"{ctx.t.weekday(start)}, {ctx.t.date(start)}"
        return f"{day}, {ctx.t.clock(start)}–{ctx.t.time(end)}"
    return f"{ctx.t.datetime(start)} – {ctx.t.datetime(end)}"


def meeting_number(ctx: Context, meeting: Meeting) -> Text:
    """``Nr. 12``."""
    return fmt(ctx._(N_("No. {number}")), number=meeting.id)


def meeting_name(meeting: Meeting) -> str:
    """The committee, and the meeting's own title if it has one."""
    if meeting.title:
        return f"{meeting.committee.name}: {meeting.title}"
    return meeting.committee.name


def meeting_line(ctx: Context, meeting: Meeting) -> Text:
    """``Nr. 12 · Mi, 12.03.2027, 14:00 Uhr · Bildungsbeirat · Rathaus``."""
    parts: list[Text | str] = [
        meeting_number(ctx, meeting),
        ctx.t.datetime(meeting.start),
        meeting_name(meeting),
    ]
    if meeting.place:
        parts.append(meeting.place)
    if meeting.online_link:
        parts.append(ctx._(N_("online")))
    return join(" · ", parts)


def labelled(ctx: Context, label: str, value: Text | str) -> Text:
    """``Label: value``; ``label`` is an English msgid."""
    return fmt("{label}: {value}", label=ctx._(label), value=value)


def where_lines(ctx: Context, meeting: Meeting) -> list[Text]:
    """Place and online link, where the meeting has them."""
    lines = []
    if meeting.place:
        lines.append(labelled(ctx, N_("Place"), meeting.place))
    if meeting.online_link:
        lines.append(labelled(ctx, N_("Online"), meeting.online_link))
    return lines


POSITIONS = {1: N_("1st"), 2: N_("2nd"), 3: N_("3rd"), 4: N_("4th"), -1: N_("last")}


def rhythm_text(ctx: Context, frequency: Frequency, position: int, first: datetime) -> Text:
    """``monthly on the 2nd Wednesday``, ``every other Tuesday`` …"""
    weekday = ctx.t.weekday_name(first)
    if frequency is Frequency.WEEKLY:
        return fmt(ctx._(N_("every {weekday}")), weekday=weekday)
    if frequency is Frequency.BIWEEKLY:
        return fmt(ctx._(N_("every other {weekday}")), weekday=weekday)
    ordinal = ctx._(POSITIONS[position])
    if frequency is Frequency.MONTHLY:
        return fmt(
            ctx._(N_("monthly on the {position} {weekday}")), position=ordinal, weekday=weekday
        )
    return fmt(
        ctx._(N_("every three months on the {position} {weekday}")),
        position=ordinal,
        weekday=weekday,
    )


def delivered(
    ctx: Context, committee: Committee, announcement: Reply, confirmation: Text
) -> Reply:
    """The announcement as the answer when the command came from the committee room; from
    anywhere else a confirmation, with the announcement posted into the committee room."""
    if committee.allow_room_mention:
        announcement.address_room()
    if ctx.room_id == committee.room_id:
        return announcement
    reply = Reply.of(confirmation)
    reply.add(
        fmt(
            ctx._(N_("It has been announced in the room of {committee}.")),
            committee=committee.name,
        )
    )
    return reply.post(committee.room_id, announcement)


# --------------------------------------------------------------------------- finding


def not_bound(ctx: Context) -> BadArgument:
    return BadArgument(
        fmt(
            ctx._(
                N_("This room belongs to no committee yet. A team member binds it with {command}.")
            ),
            command=code(ctx.command_ref("gremium neu", '"Name"')),
        )
    )


async def committee_named(ctx: Context, name: str) -> Committee:
    """The one committee ``name`` means (name or short name, any spelling)."""
    found = await ctx.store.committees.matching(name)
    if not found:
        raise NotFound(
            fmt(
                ctx._(N_("There is no committee called {name}. {committees} lists them all.")),
                name=strong(name),
                committees=code(ctx.command_ref("gremien")),
            )
        )
    if len(found) > 1:
        names = join(", ", [c.short_name or c.name for c in found])
        raise BadArgument(
            fmt(
                ctx._(N_("{name} could mean several committees: {names}. Please be precise.")),
                name=strong(name),
                names=names,
            )
        )
    return found[0]


async def committee_of_room(ctx: Context, name: str | None) -> Committee:
    """The committee a command is about: the room's own one, or in the team room or a direct
    chat the one named with ``gremium=``."""
    here = await ctx.store.committees.for_room(ctx.room_id)
    if here is not None:
        if name and (await committee_named(ctx, name)).id != here.id:
            raise BadArgument(
                fmt(
                    ctx._(
                        N_(
                            "This is the room of {committee}; meetings of other committees "
                            "are planned in the team room."
                        )
                    ),
                    committee=here.name,
                )
            )
        return here
    if ctx.room_kind is RoomKind.GROUP:
        raise not_bound(ctx)
    if not name:
        raise BadArgument(
            ctx._(N_("Say which committee it is for, e.g. gremium=BB, or use its room."))
        )
    return await committee_named(ctx, name)


async def within_reach(ctx: Context, committee: Committee) -> bool:
    """Whether meetings of ``committee`` may be shown here (see the module docstring)."""
    if ctx.room_kind is RoomKind.GROUP:
        return committee.room_id == ctx.room_id
    if ctx.role >= Role.TEAM:
        return True
    return committee.id in await ctx.store.meetings.committee_ids_of(ctx.sender)


def no_such_meeting(ctx: Context, number: int) -> NotFound:
    return NotFound(
        fmt(
            ctx._(N_("There is no meeting No. {number} here. {meetings} shows the planned ones.")),
            number=number,
            meetings=code(ctx.command_ref("termine")),
        )
    )


async def meeting_in_reach(ctx: Context, number: int) -> Meeting:
    """Meeting No. ``number`` if it may be shown here; otherwise "not found"."""
    meeting = await ctx.store.meetings.get(number)
    if meeting is None or not await within_reach(ctx, meeting.committee):
        raise no_such_meeting(ctx, number)
    return meeting


async def meeting_or_next(ctx: Context, number: int | None) -> Meeting:
    """Meeting No. ``number``, or without a number the next one of this room's committee."""
    if number is not None:
        return await meeting_in_reach(ctx, number)
    committee = await ctx.store.committees.for_room(ctx.room_id)
    if committee is None:
        if ctx.room_kind is RoomKind.GROUP:
            raise not_bound(ctx)
        raise BadArgument(
            fmt(
                ctx._(N_("Please give the meeting's number; {meetings} shows them.")),
                meetings=code(ctx.command_ref("termine")),
            )
        )
    meeting = await ctx.store.meetings.next_for(committee.id, ctx.clock.now())
    if meeting is None:
        raise NotFound(
            fmt(
                ctx._(N_("{committee} has no upcoming meeting. {new} schedules one.")),
                committee=committee.name,
                new=code(ctx.command_ref("sitzung neu", "…")),
            )
        )
    return meeting


def still_ahead(ctx: Context, meeting: Meeting) -> None:
    """Refuse changes to a cancelled meeting or one that has begun."""
    if meeting.status == MEETING_CANCELLED:
        raise BadArgument(
            fmt(
                ctx._(N_("Meeting {number} is cancelled.")),
                number=meeting_number(ctx, meeting),
            )
        )
    if meeting.start <= ctx.clock.now():
        raise BadArgument(
            fmt(
                ctx._(N_("Meeting {number} has already taken place ({when}).")),
                number=meeting_number(ctx, meeting),
                when=ctx.t.datetime(meeting.start),
            )
        )


# --------------------------------------------------------------------------- scheduling


def reminder_offsets(committee: Committee) -> list[int]:
    """Minutes before a meeting at which the room is reminded, as the committee stores them
    (``!gremium neu`` starts with the configured defaults; an empty list means none)."""
    offsets = committee.reminder_offsets_minutes or []
    return sorted({int(offset) for offset in offsets if int(offset) > 0}, reverse=True)


def invitation_deadline(committee: Committee, meeting: Meeting) -> datetime:
    """The last moment the invitation meets the notice period (Ladungsfrist)."""
    return meeting.start - timedelta(days=committee.notice_days)


def item_deadline(committee: Committee, meeting: Meeting) -> datetime:
    """The deadline for submitting agenda items."""
    return meeting.start - timedelta(days=committee.item_deadline_days)


async def arm_schedule(ctx: Context, meeting: Meeting) -> None:
    """Write the meeting's scheduler entries for its current state, stop the obsolete ones.

    Entries whose moment is already past are not written (the scheduler would catch them up).
    """
    now = ctx.clock.now()
    committee = meeting.committee
    wanted: dict[str, tuple[str, datetime, dict[str, int]]] = {}
    if meeting.status == MEETING_SCHEDULED:
        for offset in reminder_offsets(committee):
            wanted[f"meeting:{meeting.id}:reminder:{offset}"] = (
                MEETING_REMINDER_KIND,
                meeting.start - timedelta(minutes=offset),
                {"meeting_id": meeting.id, "offset_minutes": offset},
            )
        if ctx.calendar.invitation_reminder and meeting.invitation_sent_at is None:
            wanted[f"meeting:{meeting.id}:invitation"] = (
                INVITATION_DUE_KIND,
                invitation_deadline(committee, meeting) - INVITATION_WARNING_LEAD,
                {"meeting_id": meeting.id},
            )
    wanted = {key: value for key, value in wanted.items() if value[1] > now}
    for entry_id, (kind, first_at, payload) in wanted.items():
        await ctx.store.schedule.put(
            entry_id=entry_id,
            kind=kind,
            first_at=first_at,
            now=now,
            timezone=ctx.t.zone.key,
            payload=payload,
        )
    for entry_id in await ctx.store.meetings.active_entry_ids(meeting.id):
        if entry_id not in wanted:
            await ctx.store.schedule.deactivate(entry_id)


def new_uid() -> str:
    """A globally unique, stable iCalendar UID."""
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


# --------------------------------------------------------------------------- the agenda


async def agenda_section(ctx: Context, meeting: Meeting) -> list[Block]:
    """The agenda as far as it is known, for the invitation: public part (Ö 1, Ö 2 …) and
    non-public part (NÖ 1 …).

    Agenda items arrive with the agenda commands; until then the agenda is "to follow". The
    invitation is posted only into the committee's own room, so the non-public part may appear.
    """
    return [Paragraph(labelled(ctx, N_("Agenda"), ctx._(N_("to follow"))))]


# --------------------------------------------------------------------------- !sitzung neu


@dataclass(frozen=True)
class Particulars:
    """What a new meeting (or each meeting of a series) carries besides its time."""

    title: str
    place: str
    online_link: str


WHEN_PARAM = Param("when", N_("when"), When(future=True), greedy=True)
COMMITTEE_OPTION = Option("committee", "gremium", converters.text, aliases=("committee",))


@command(
    "sitzung neu",
    english="meeting new",
    help=N_("Schedules a meeting of the committee, once or as a series."),
    params=[WHEN_PARAM],
    options=[
        Option("place", "ort", converters.text, aliases=("place",)),
        Option("duration", "dauer", converters.meeting_length, aliases=("duration",)),
        Option("title", "titel", converters.text, aliases=("title",)),
        Option("online", "online", online_link, aliases=("link",)),
        Option("repeat", "wiederholung", frequency, aliases=("repeat", "wiederholen")),
        Option("until", "bis", last_day, aliases=("until",)),
        Option("count", "anzahl", occurrence_count, aliases=("count",)),
        COMMITTEE_OPTION,
    ],
    min_role=Role.ORGANIZER,
    examples=(
        '!sitzung neu 12.03.2027 14 Uhr ort="Rathaus, Raum 3"',
        "!sitzung neu nächsten Dienstag 10:00 dauer=90min",
        "!sitzung neu 10.02.2027 14:00 wiederholung=monatlich anzahl=10",
    ),
)
async def meeting_create(
    ctx: Context,
    when: ParsedWhen,
    place: str | None,
    duration: timedelta | None,
    title: str | None,
    online: str | None,
    repeat: Frequency | None,
    until: date | None,
    count: int | None,
    committee: str | None,
) -> Reply:
    body = await committee_of_room(ctx, committee)
    if not when.has_time:
        raise BadArgument(
            fmt(
                ctx._(N_("At what time? Please add it, e.g. {example}.")),
                example=code(f"{ctx.t.date(when.at)} 14:00"),
            )
        )
    if repeat is None and (until is not None or count is not None):
        raise BadArgument(
            ctx._(
                N_("bis= and anzahl= belong to a series: add wiederholung=monatlich or the like.")
            )
        )
    if until is not None and count is not None:
        raise BadArgument(ctx._(N_("Give either bis= or anzahl=, not both.")))
    length = duration or timedelta(minutes=body.default_duration_minutes)
    details = Particulars(
        title=title or "",
        place=body.default_place if place is None else place,
        online_link=online or "",
    )
    if repeat is None:
        return await create_single(ctx, body, when.at, length, details)
    return await create_series(ctx, body, when.at, length, details, repeat, until, count)


async def create_single(
    ctx: Context,
    committee: Committee,
    start: datetime,
    length: timedelta,
    details: Particulars,
) -> Reply:
    """One meeting, its scheduler entries, and the answer echoing how the date was read."""
    now = ctx.clock.now()
    meeting = await ctx.store.meetings.add_meeting(
        now,
        committee_id=committee.id,
        uid=new_uid(),
        start=start,
        end=start + length,
        created_by=ctx.sender,
        **asdict(details),
    )
    meeting.committee = committee
    await ctx.store.audit.record(now, ctx.sender, "create", "meeting", meeting.id)
    await arm_schedule(ctx, meeting)
    reply = Reply.of(
        fmt(
            ctx._(N_("Meeting {number} of {committee} scheduled: {when}.")),
            number=strong(meeting_number(ctx, meeting)),
            committee=committee.name,
            when=strong(span_text(ctx, meeting.start, meeting.end)),
        )
    )
    for line in where_lines(ctx, meeting):
        reply.add(line)
    reply.add(invitation_hint(ctx, committee, meeting))
    return reply


def invitation_hint(ctx: Context, committee: Committee, meeting: Meeting) -> Text:
    """When the invitation is due, or that the notice period can no longer be met."""
    deadline = invitation_deadline(committee, meeting)
    invite = code(ctx.command_ref("einladung", str(meeting.id)))
    if deadline < ctx.clock.now():
        return fmt(
            ctx._(
                N_(
                    "Note: the notice period of {days} days can no longer be met for this "
                    "date. {invite} posts the invitation now."
                )
            ),
            days=committee.notice_days,
            invite=invite,
        )
    return fmt(
        ctx._(
            N_("{invite} posts the invitation; it is due by {date} (notice period {days} days).")
        ),
        invite=invite,
        date=ctx.t.date(deadline),
        days=committee.notice_days,
    )


async def create_series(
    ctx: Context,
    committee: Committee,
    first: datetime,
    length: timedelta,
    details: Particulars,
    repeat: Frequency,
    until: date | None,
    count: int | None,
) -> Reply:
    """A series: its rule, every occurrence as a meeting row, and their scheduler entries."""
    zone = ctx.t.zone
    if until is not None and until < ctx.t.local(first).date():
        raise BadArgument(
            fmt(
                ctx._(N_("bis={until} lies before the first meeting on {first}.")),
                until=ctx.t.date(datetime.combine(until, datetime.min.time(), tzinfo=zone)),
                first=ctx.t.date(first),
            )
        )
    try:
        plan = plan_series(repeat, first, zone, count=count, until_day=until)
    except TooManyOccurrences:
        raise too_many(ctx) from None
    now = ctx.clock.now()
    series = await ctx.store.meetings.add_series(
        now,
        uid=new_uid(),
        first_start=first,
        duration_minutes=int(length.total_seconds() // 60),
        rule=plan.rule,
        timezone=zone.key,
        committee_id=committee.id,
        **asdict(details),
    )
    meetings = []
    for start in plan.starts:
        meeting = await ctx.store.meetings.add_meeting(
            now,
            committee_id=committee.id,
            uid=series.uid,  # occurrences share the series' UID; original_start tells them apart
            series_id=series.id,
            original_start=start,
            start=start,
            end=start + length,
            created_by=ctx.sender,
            **asdict(details),
        )
        meeting.committee = committee
        await arm_schedule(ctx, meeting)
        meetings.append(meeting)
    await ctx.store.audit.record(
        now, ctx.sender, "create", "meeting_series", series.id, f"{len(meetings)} meetings"
    )
    shape = rule_shape(plan.rule)
    rhythm = rhythm_text(ctx, repeat, shape.position, first)
    hours = f"{ctx.t.clock(first)}–{ctx.t.time(first + length)}"
    created = ctx.t.ngettext(
        "{count} meeting created until {date}.",
        "{count} meetings created until {date}.",
        len(meetings),
    )
    reply = Reply.of(
        fmt(
            ctx._(N_("Series for {committee}: {rhythm}, {hours}.")),
            committee=committee.name,
            rhythm=strong(rhythm),
            hours=strong(hours),
        )
        + " "
        + fmt(created, count=len(meetings), date=ctx.t.date(meetings[-1].start))
    )
    if plan.open_ended:
        reply.add(
            ctx._(
                N_(
                    "Without bis= or anzahl= a series is created one year ahead; "
                    "schedule a new series to go on after that."
                )
            )
        )
    shown = meetings[:FIRST_DATES_SHOWN]
    rest = len(meetings) - len(shown)
    note = None
    if rest:
        note = fmt(
            ctx.t.ngettext(
                "… and {count} more: {meetings} lists them.",
                "… and {count} more: {meetings} lists them.",
                rest,
            ),
            count=rest,
            meetings=code(ctx.command_ref("termine")),
        )
    reply.bullets([meeting_line(ctx, meeting) for meeting in shown], note)
    if meetings[0].online_link:  # the place is on every line already, the link is not
        reply.add(labelled(ctx, N_("Online"), meetings[0].online_link))
    return reply


# --------------------------------------------------------------------------- !termine


@command(
    "termine",
    english="meetings",
    aliases=("sitzungen",),
    help=N_("Lists the upcoming meetings: of this room's committee, or of all committees."),
    params=[Param("committee", N_("committee"), converters.text, optional=True, greedy=True)],
    options=[PAGE_OPTION],
    examples=("!termine", "!termine Bildungsbeirat", "!termine BB seite=2"),
)
async def meeting_list(ctx: Context, committee: str | None, page: int | None) -> Reply:
    here = await ctx.store.committees.for_room(ctx.room_id)
    ids: list[int] | None
    heading_committee: Committee | None = None
    if here is not None:
        if committee and (await committee_named(ctx, committee)).id != here.id:
            raise BadArgument(
                fmt(
                    ctx._(
                        N_(
                            "This room shows the meetings of {committee}; other committees' "
                            "meetings are listed in the team room or in a direct chat."
                        )
                    ),
                    committee=here.name,
                )
            )
        ids, heading_committee = [here.id], here
    elif ctx.room_kind is RoomKind.GROUP:
        raise not_bound(ctx)
    elif committee:
        named = await committee_named(ctx, committee)
        if not await within_reach(ctx, named):
            raise NotFound(
                fmt(
                    ctx._(N_("You sit in no committee called {name}.")),
                    name=strong(committee),
                )
            )
        ids, heading_committee = [named.id], named
    elif ctx.role >= Role.TEAM:
        ids = None
    else:
        ids = await ctx.store.meetings.committee_ids_of(ctx.sender)

    chosen = page_from(page)
    found = await ctx.store.meetings.upcoming(
        ctx.clock.now(), ids, limit=chosen.size, offset=chosen.offset
    )
    if not found.meetings:
        return Reply.of(empty_list_text(ctx, heading_committee, ids, chosen.number))
    if heading_committee is not None:
        heading = fmt(
            ctx._(N_("Upcoming meetings of {committee} ({count}):")),
            committee=heading_committee.name,
            count=found.total,
        )
    else:
        heading = fmt(ctx._(N_("Upcoming meetings ({count}):")), count=found.total)
    line = ctx.command_ref("termine")
    if committee:
        line += f' "{committee}"' if " " in committee else f" {committee}"
    reply = Reply.of(heading)
    reply.bullets(
        [meeting_line(ctx, meeting) for meeting in found.meetings],
        more_note(ctx, chosen, found.total, line),
    )
    return reply


def empty_list_text(
    ctx: Context, committee: Committee | None, ids: list[int] | None, page: int
) -> Text:
    """Why the list is empty, and what to do."""
    if page > 1:
        return fmt(ctx._(N_("Page {page} is empty.")), page=page)
    new = code(ctx.command_ref("sitzung neu", "…"))
    if committee is not None:
        return fmt(
            ctx._(N_("{committee} has no upcoming meeting. {new} schedules one.")),
            committee=committee.name,
            new=new,
        )
    if ids is not None and not ids:
        return text(ctx._(N_("You sit in no committee the bot knows of.")))
    return text(ctx._(N_("No upcoming meetings.")))


# --------------------------------------------------------------------------- !sitzung <nr>


@command(
    "sitzung",
    english="meeting",
    help=N_("Shows a meeting in detail: the next one of this room, or meeting No. N."),
    params=[Param("number", N_("number"), converters.number, optional=True)],
    examples=("!sitzung", "!sitzung 12"),
)
async def meeting_show(ctx: Context, number: int | None) -> Reply:
    meeting = await meeting_or_next(ctx, number)
    committee = meeting.committee
    reply = Reply.of(
        strong(
            fmt(
                "{number} · {name}",
                number=meeting_number(ctx, meeting),
                name=meeting_name(meeting),
            )
        )
    )
    lines = [labelled(ctx, N_("When"), span_text(ctx, meeting.start, meeting.end))]
    if meeting.original_start is not None and meeting.original_start != meeting.start:
        lines.append(labelled(ctx, N_("Originally"), ctx.t.datetime(meeting.original_start)))
    lines.extend(where_lines(ctx, meeting))
    if meeting.series is not None:
        shape = rule_shape(meeting.series.rule)
        if shape.frequency is not None:
            lines.append(
                labelled(
                    ctx,
                    N_("Series"),
                    rhythm_text(ctx, shape.frequency, shape.position, meeting.series.first_start),
                )
            )
    if meeting.status == MEETING_CANCELLED:
        status = ctx._(N_("cancelled"))
        if meeting.cancel_reason:
            status = f"{status} ({meeting.cancel_reason})"
        lines.append(labelled(ctx, N_("Status"), status))
    elif meeting.invitation_sent_at is not None:
        lines.append(
            labelled(
                ctx,
                N_("Invitation"),
                fmt(ctx._(N_("posted on {date}")), date=ctx.t.date(meeting.invitation_sent_at)),
            )
        )
    elif meeting.start > ctx.clock.now():
        deadline = invitation_deadline(committee, meeting)
        if deadline < ctx.clock.now():
            due = ctx._(N_("not posted; it was due by {date} (notice period {days} days)"))
        else:
            due = ctx._(N_("due by {date} (notice period {days} days)"))
        lines.append(
            labelled(
                ctx,
                N_("Invitation"),
                fmt(due, date=ctx.t.date(deadline), days=committee.notice_days),
            )
        )
    if meeting.status == MEETING_SCHEDULED and meeting.start > ctx.clock.now():
        lines.append(
            labelled(ctx, N_("Agenda items until"), ctx.t.date(item_deadline(committee, meeting)))
        )
    reply.bullets(lines)
    return reply


# --------------------------------------------------------------------------- moving, cancelling


@command(
    "sitzung verschieben",
    english="meeting move",
    help=N_("Moves one meeting to another date; a series keeps its other dates."),
    params=[Param("number", N_("number"), converters.number), WHEN_PARAM],
    min_role=Role.ORGANIZER,
    examples=("!sitzung verschieben 12 19.03.2027 15 Uhr", "!sitzung verschieben 12 morgen"),
)
async def meeting_move(ctx: Context, number: int, when: ParsedWhen) -> Reply:
    meeting = await meeting_in_reach(ctx, number)
    still_ahead(ctx, meeting)
    committee = meeting.committee
    start = when.at
    if not when.has_time:
        # Only a new day: the meeting keeps its time of day there.
        day = ctx.t.local(when.at).date()
        clock = ctx.t.local(meeting.start).time()
        start = datetime.combine(day, clock, tzinfo=ctx.t.zone).astimezone(UTC)
    now = ctx.clock.now()
    if start <= now:
        raise BadArgument(
            fmt(
                ctx._(N_("The time {when} is in the past. Please give a future date.")),
                when=ctx.t.datetime(start),
            )
        )
    if start == meeting.start:
        raise BadArgument(
            fmt(
                ctx._(N_("Meeting {number} already takes place at {when}.")),
                number=meeting_number(ctx, meeting),
                when=ctx.t.datetime(start),
            )
        )
    before = meeting.start
    length = meeting.end - meeting.start
    meeting.start, meeting.end = start, start + length
    meeting.sequence += 1
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(
        now, ctx.sender, "move", "meeting", meeting.id, f"sequence {meeting.sequence}"
    )
    await arm_schedule(ctx, meeting)

    announcement = Reply.of(
        fmt(
            ctx._(N_("Meeting {number} of {committee} has been moved from {before} to {when}.")),
            number=meeting_number(ctx, meeting),
            committee=meeting_name(meeting),
            before=ctx.t.datetime(before),
            when=strong(span_text(ctx, meeting.start, meeting.end)),
        )
    )
    for line in where_lines(ctx, meeting):
        announcement.add(line)
    if meeting.series_id is not None:
        announcement.add(ctx._(N_("The other meetings of the series stay as they are.")))
    confirmation = fmt(
        ctx._(N_("Meeting {number} moved to {when}.")),
        number=meeting_number(ctx, meeting),
        when=span_text(ctx, meeting.start, meeting.end),
    )
    reply = delivered(ctx, committee, announcement, confirmation)
    if meeting.invitation_sent_at is not None:
        reply.add(
            fmt(
                ctx._(N_("The invitation had been posted already; {invite} posts it again.")),
                invite=code(ctx.command_ref("einladung", str(meeting.id))),
            )
        )
    return reply


@command(
    "sitzung absagen",
    english="meeting cancel",
    help=N_("Cancels one meeting; a series keeps its other dates."),
    params=[Param("number", N_("number"), converters.number)],
    options=[Option("reason", "grund", converters.text, aliases=("reason",))],
    min_role=Role.ORGANIZER,
    examples=('!sitzung absagen 12 grund="zu wenige Themen"',),
)
async def meeting_cancel(ctx: Context, number: int, reason: str | None) -> Reply:
    meeting = await meeting_in_reach(ctx, number)
    still_ahead(ctx, meeting)
    now = ctx.clock.now()
    meeting.status = MEETING_CANCELLED
    meeting.cancel_reason = reason or ""
    meeting.sequence += 1
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(
        now, ctx.sender, "cancel", "meeting", meeting.id, f"sequence {meeting.sequence}"
    )
    await arm_schedule(ctx, meeting)

    announcement = Reply.of(
        fmt(
            ctx._(N_("Meeting {number} of {committee} on {when} is cancelled.")),
            number=meeting_number(ctx, meeting),
            committee=meeting_name(meeting),
            when=strong(ctx.t.datetime(meeting.start)),
        )
    )
    if reason:
        announcement.add(labelled(ctx, N_("Reason"), reason))
    if meeting.series_id is not None:
        announcement.add(ctx._(N_("The other meetings of the series stay as they are.")))
    confirmation = fmt(
        ctx._(N_("Meeting {number} on {when} cancelled.")),
        number=meeting_number(ctx, meeting),
        when=ctx.t.datetime(meeting.start),
    )
    return delivered(ctx, meeting.committee, announcement, confirmation)


# --------------------------------------------------------------------------- !einladung


@command(
    "einladung",
    english="invitation",
    help=N_("Posts the formal invitation to a meeting into the committee's room."),
    params=[Param("number", N_("number"), converters.number, optional=True)],
    min_role=Role.ORGANIZER,
    examples=("!einladung", "!einladung 12"),
)
async def invitation_send(ctx: Context, number: int | None) -> Reply:
    meeting = await meeting_or_next(ctx, number)
    still_ahead(ctx, meeting)
    committee = meeting.committee
    now = ctx.clock.now()
    invitation = await invitation_text(ctx, committee, meeting)
    if committee.allow_room_mention:
        invitation.address_room()

    meeting.invitation_sent_at = now
    await ctx.store.meetings.touch(meeting, now)
    await ctx.store.audit.record(now, ctx.sender, "invite", "meeting", meeting.id)
    await arm_schedule(ctx, meeting)

    deadline = invitation_deadline(committee, meeting)
    warning = None
    if now > deadline:
        warning = fmt(
            ctx._(
                N_(
                    "Warning: the notice period of {days} days is not met; the invitation "
                    "was due by {date}. Please check whether the rules of {committee} allow "
                    "the meeting at such short notice."
                )
            ),
            days=committee.notice_days,
            date=ctx.t.date(deadline),
            committee=committee.name,
        )
    if ctx.room_id == committee.room_id:
        if warning is None:
            return invitation
        # The invitation stands on its own in the room; the answer warns the organiser.
        return Reply.of(warning).post(committee.room_id, invitation)
    reply = Reply.of(
        fmt(
            ctx._(N_("The invitation to meeting {number} has been posted in {committee}'s room.")),
            number=meeting_number(ctx, meeting),
            committee=committee.name,
        )
    )
    if warning is not None:
        reply.add(warning)
    return reply.post(committee.room_id, invitation)


async def invitation_text(ctx: Context, committee: Committee, meeting: Meeting) -> Reply:
    """The formal invitation: who meets when and where, the agenda, the deadline for items."""
    if meeting.title:
        heading = fmt(
            ctx._(N_("Invitation to the meeting of {committee}: {title}")),
            committee=committee.name,
            title=meeting.title,
        )
    else:
        heading = fmt(
            ctx._(N_("Invitation to the meeting of {committee}")), committee=committee.name
        )
    invitation = Reply.of(strong(heading))
    details = [labelled(ctx, N_("When"), span_text(ctx, meeting.start, meeting.end))]
    details.extend(where_lines(ctx, meeting))
    if not meeting.place and not meeting.online_link:
        details.append(labelled(ctx, N_("Place"), ctx._(N_("to follow"))))
    invitation.bullets(details)
    invitation.blocks.extend(await agenda_section(ctx, meeting))
    items_until = item_deadline(committee, meeting)
    if items_until > ctx.clock.now():
        invitation.add(
            fmt(
                ctx._(N_("Please submit agenda items by {date}.")),
                date=strong(ctx.t.date(items_until)),
            )
        )
    invitation.add(
        fmt(
            ctx._(N_("{meeting} shows the details at any time.")),
            meeting=code(ctx.command_ref("sitzung", str(meeting.id))),
        )
    )
    return invitation
