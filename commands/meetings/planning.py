"""``!sitzung neu``: a meeting of a committee, once or as a series."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from commands.dates.recurrence import Frequency, TooManyOccurrences, plan_series, rule_shape
from commands.dates.when import ParsedWhen, When, relative_day
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, command
from commands.framework.reply import Reply, Text, code, fmt, strong
from commands.meetings.clashes import clash_notes
from commands.meetings.converters import (
    frequency,
    last_day,
    occurrence_count,
    online_link,
    too_many,
)
from commands.meetings.finding import committee_of_room
from commands.meetings.schedule import arm_schedule, invitation_deadline
from commands.meetings.texts import (
    labelled,
    meeting_line,
    meeting_number,
    rhythm_text,
    span_text,
    where_lines,
)
from storage.models import Committee, Meeting

# A series shows this many of its dates when it is created; !termine lists the rest.
FIRST_DATES_SHOWN = 5
UID_DOMAIN = "kuemmerer"


def new_uid() -> str:
    """A globally unique, stable iCalendar UID."""
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


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
    group=HelpGroup.MEETINGS,
    rank=10,
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
            ctx.say(
                "At what time? Please add it, e.g. {example}.",
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
        ctx.say(
            "Meeting {number} of {committee} scheduled: {when} ({relative}).",
            number=strong(meeting_number(ctx.t, meeting)),
            committee=committee.name,
            when=strong(span_text(ctx.t, meeting.start, meeting.end)),
            relative=relative_day(ctx.t, meeting.start, now),
        )
    )
    for line in where_lines(ctx.t, meeting):
        reply.add(line)
    reply.add(invitation_hint(ctx, committee, meeting))
    for note in await clash_notes(ctx, [meeting]):
        reply.add(note)
    return reply


def invitation_hint(ctx: Context, committee: Committee, meeting: Meeting) -> Text:
    """When the invitation is due, or that the notice period can no longer be met."""
    deadline = invitation_deadline(committee, meeting)
    invite = code(ctx.command_ref("einladung", str(meeting.id)))
    if deadline < ctx.clock.now():
        return ctx.say(
            "Note: the notice period of {days} days can no longer be met for this "
            "date. {invite} posts the invitation now.",
            days=committee.notice_days,
            invite=invite,
        )
    return ctx.say(
        "{invite} posts the invitation; it is due by {date} (notice period {days} days).",
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
            ctx.say(
                "bis={until} lies before the first meeting on {first}.",
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
    rhythm = rhythm_text(ctx.t, repeat, shape.position, first)
    hours = f"{ctx.t.clock(first)}–{ctx.t.time(first + length)}"
    created = ctx.t.ngettext(
        "{count} meeting created until {date}.",
        "{count} meetings created until {date}.",
        len(meetings),
    )
    reply = Reply.of(
        ctx.say(
            "Series for {committee}: {rhythm}, {hours}.",
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
    reply.bullets([meeting_line(ctx.t, meeting) for meeting in shown], note)
    if meetings[0].online_link:  # the place is on every line already, the link is not
        reply.add(labelled(ctx.t, N_("Online"), meetings[0].online_link))
    for clash in await clash_notes(ctx, meetings):
        reply.add(clash)
    return reply
