"""Reminder commands: ``!erinnerung``, ``!erinnerung mich``, ``!erinnerungen``,
``!erinnerung löschen``.

A reminder goes into the room it was set in, or with ``mich`` to its creator alone by direct
chat. Its number is its id. Who sees what: a room's reminders are listed and deleted in that
room; a personal reminder exists only for its creator (listed in a direct chat with the bot,
since its text is nobody else's business). A room reminder may be deleted by its creator, an
organiser of the room or the team.

Each reminder has one scheduler entry (``commands/reminders/schedule.py``), posted by
``commands/reminders/jobs.py``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time

from commands.dates.recurrence import occurrences
from commands.dates.recurrence_text import (
    Frequency,
    Problem,
    Recurrence,
    RecurrenceError,
    looks_recurring,
    parse_recurrence,
)
from commands.dates.when import When, relative_day
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_, Translator
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from commands.reminders.schedule import ReminderDue, schedule_entry_id
from storage.models import Reminder, ScheduleEntry

MAX_TEXT_LENGTH = 2000
# A date without a time ("!erinnerung 12.03.2027: …") reminds in the morning, not at midnight.
DEFAULT_TIME = time(9, 0)
NEXT_DATES_SHOWN = 3
LISTED_TEXT_LENGTH = 80
_ONE_OFF = When(future=True, default_time=DEFAULT_TIME)


# --------------------------------------------------------------------------- the converter


@dataclass(frozen=True)
class ReminderRequest:
    """What ``<wann>: <Text>`` said: when (once or repeating) and what."""

    first_at: datetime  # aware UTC
    rule: str  # "" for once
    text: str

    @property
    def recurrence(self) -> Recurrence | None:
        return Recurrence.from_rule(self.rule) if self.rule else None


def split_at_colon(raw: str) -> tuple[str, str] | None:
    """``"morgen 9:30: Akten"`` → ``("morgen 9:30", "Akten")``: the first colon that is not
    inside a time of day separates the time from the text."""
    for index, character in enumerate(raw):
        if character != ":":
            continue
        inside_time = (
            index > 0 and raw[index - 1].isdigit() and raw[index + 1 : index + 3].isdigit()
        )
        if not inside_time:
            return raw[:index].strip(), raw[index + 1 :].strip()
    return None


def reminder_example(ctx: Context) -> Text:
    """``!erinnerung morgen 9 Uhr: Protokoll verschicken`` in the reader's language."""
    return code(ctx.command_ref(reminder_create, ctx._(N_("tomorrow 9am: send the minutes"))))


def reminder_request(ctx: Context, raw: str) -> ReminderRequest:
    """Converter for ``<wann>: <Text>``, once (``when``) or repeating (``recurrence_text``)."""
    split = split_at_colon(raw)
    if split is None:
        message = N_("Put a colon between the time and the text, e.g. {example}.")
        raise BadArgument(fmt(ctx._(message), example=reminder_example(ctx)))
    when, reminder_text = split
    if not when:
        message = N_("The time is missing before the colon, e.g. {example}.")
        raise BadArgument(fmt(ctx._(message), example=reminder_example(ctx)))
    if not reminder_text:
        message = N_("The text is missing after the colon, e.g. {example}.")
        raise BadArgument(fmt(ctx._(message), example=reminder_example(ctx)))
    if len(reminder_text) > MAX_TEXT_LENGTH:
        message = N_("A reminder can hold at most {limit} characters; this one has {count}.")
        raise BadArgument(fmt(ctx._(message), limit=MAX_TEXT_LENGTH, count=len(reminder_text)))
    if not looks_recurring(when):
        return ReminderRequest(_ONE_OFF(ctx, when).at, "", reminder_text)
    try:
        parsed = parse_recurrence(when, now=ctx.clock.now(), zone=ctx.t.zone)
    except RecurrenceError as error:
        raise BadArgument(recurrence_problem(ctx, when, error.problem)) from None
    return ReminderRequest(parsed.first_at, parsed.rule, reminder_text)


def recurrence_problem(ctx: Context, when: str, problem: Problem) -> Text:
    """The sentence for a repeating time that could not be read."""
    if problem is Problem.NO_TIME:
        message = N_("Please add the time of day, e.g. {example}.")
        example = ctx._(N_("{when} at 9am")).format(when=when)
        return fmt(ctx._(message), example=code(example))
    if problem is Problem.NO_MONTH_DAY:
        message = N_("Please say on which day of the month, e.g. {example}.")
        return fmt(ctx._(message), example=code(ctx._(N_("monthly on the 1st at 8am"))))
    message = N_('Could not read "{raw}" as a repeating time. Write it like {examples}.')
    examples = ctx._(
        N_('"every monday 9am", "monthly on the 1st at 8am" or "every weekday at 8am"')
    )
    return fmt(ctx._(message), raw=when, examples=examples)


# --------------------------------------------------------------------------- in words


def _weekday_names(t: Translator, days: tuple[int, ...]) -> str:
    spelled = [t.day_name(day) for day in days]
    if len(spelled) == 1:
        return spelled[0]
    return ", ".join(spelled[:-1]) + t.gettext(N_(" and ")) + spelled[-1]


_POSITION_PHRASES = {
    1: N_("on the first {weekday}"),
    2: N_("on the second {weekday}"),
    3: N_("on the third {weekday}"),
    4: N_("on the fourth {weekday}"),
    -1: N_("on the last {weekday}"),
}


def _period_phrase(t: Translator, recurrence: Recurrence, first_at: datetime) -> str:
    """``every Monday``, ``monthly on day 1`` … without the time of day."""
    count = recurrence.interval
    if recurrence.frequency is Frequency.DAILY:
        if count == 1:
            return t.gettext(N_("every day"))
        return t.gettext(N_("every {count} days")).format(count=count)
    if recurrence.frequency is Frequency.WEEKLY:
        if recurrence.is_workdays:
            return t.gettext(N_("every weekday (Mon–Fri)"))
        weekdays = _weekday_names(t, recurrence.weekdays or (t.local(first_at).weekday(),))
        if count == 1:
            return t.gettext(N_("every {weekdays}")).format(weekdays=weekdays)
        if count == 2:
            return t.gettext(N_("every other {weekdays}")).format(weekdays=weekdays)
        template = t.gettext(N_("every {count} weeks on {weekdays}"))
        return template.format(count=count, weekdays=weekdays)
    period = (
        t.gettext(N_("monthly"))
        if count == 1
        else t.gettext(N_("every {count} months")).format(count=count)
    )
    if recurrence.week_position is not None and recurrence.weekdays:
        weekday = _weekday_names(t, recurrence.weekdays[:1])
        day = t.gettext(_POSITION_PHRASES[recurrence.week_position]).format(weekday=weekday)
    elif recurrence.month_day == -1:
        day = t.gettext(N_("on the last day"))
    elif recurrence.month_day is not None and recurrence.month_day > 28:
        day = t.gettext(N_("on day {day} (or the last day of a shorter month)"))
        day = day.format(day=recurrence.month_day)
    else:
        day = t.gettext(N_("on day {day}")).format(day=recurrence.month_day)
    return f"{period} {day}"


def rhythm_in_words(t: Translator, rule: str, first_at: datetime) -> str:
    """``every Monday at 09:00`` / ``jeden Montag um 09:00 Uhr``; ``once`` for no rule."""
    if not rule:
        return t.gettext(N_("once"))
    recurrence = Recurrence.from_rule(rule)
    if recurrence is None:  # not written by this module; show it rather than guess
        return rule
    at = t.gettext(N_("at {time}")).format(time=t.time(first_at))
    return f"{_period_phrase(t, recurrence, first_at)} {at}"


def _timing(reminder: Reminder | ReminderRequest, timezone: str) -> ScheduleEntry:
    """A transient schedule entry, so the dates shown are the ones the scheduler computes."""
    return ScheduleEntry(first_at=reminder.first_at, rule=reminder.rule, timezone=timezone)


def next_time(reminder: Reminder, after: datetime) -> datetime | None:
    """When ``reminder`` is posted next (from ``after`` on), or None if never again."""
    return next(occurrences(_timing(reminder, reminder.timezone), after), None)


# --------------------------------------------------------------------------- commands

REQUEST_PARAM = Param("request", N_("when: text"), reminder_request, greedy=True, verbatim=True)


@command(
    "erinnerung",
    english="remind",
    help=N_("Sets a reminder that the bot posts in this room, once or repeatedly."),
    params=[REQUEST_PARAM],
    examples=(
        "!erinnerung morgen 9 Uhr: Protokoll verschicken",
        "!erinnerung jeden Montag 9 Uhr: Wochenplanung",
        "!erinnerung monatlich am 1. um 8 Uhr: Statistik melden",
    ),
    group=HelpGroup.REMINDERS,
    rank=10,
)
async def reminder_create(ctx: Context, request: ReminderRequest) -> Reply:
    return await _create(ctx, request, to_creator_only=False)


@command(
    "erinnerung mich",
    english="remind me",
    help=N_("Sets a reminder that the bot sends only to you, in a direct chat."),
    params=[REQUEST_PARAM],
    examples=("!erinnerung mich morgen 8 Uhr: Unterlagen mitnehmen",),
    group=HelpGroup.REMINDERS,
    rank=20,
)
async def personal_reminder_create(ctx: Context, request: ReminderRequest) -> Reply:
    return await _create(ctx, request, to_creator_only=True)


async def _create(ctx: Context, request: ReminderRequest, *, to_creator_only: bool) -> Reply:
    now = ctx.clock.now()
    zone = ctx.t.zone.key
    reminder = await ctx.store.reminders.add(
        room_id=ctx.room_id,
        creator=ctx.sender,
        text=request.text,
        first_at=request.first_at,
        rule=request.rule,
        timezone=zone,
        to_creator_only=to_creator_only,
        now=now,
    )
    due = ReminderDue(reminder.id)
    await ctx.store.schedule.put(
        entry_id=due.entry_id,
        kind=due.kind,
        first_at=request.first_at,
        now=now,
        rule=request.rule,
        timezone=zone,
        payload=due.to_payload(),
    )
    # The rhythm, never the text: the audit log holds no message contents.
    detail = ("personal " if to_creator_only else "") + (request.rule or "once")
    await ctx.store.audit.record(now, ctx.sender, "create", "reminder", reminder.id, detail)

    reply = Reply.of(strong(ctx.say("Reminder No. {number} is set.", number=reminder.id)))
    if request.rule:
        rhythm = rhythm_in_words(ctx.t, request.rule, request.first_at)
        reply.add(ctx.say("When: {when}", when=rhythm))
        upcoming = itertools.islice(
            occurrences(_timing(request, zone), request.first_at), NEXT_DATES_SHOWN
        )
        reply.add(ctx._(N_("Next dates:")))
        reply.bullets(ctx.t.datetime(moment) for moment in upcoming)
    else:
        reply.add(
            ctx.say(
                "When: {when} ({relative})",
                when=ctx.t.datetime(request.first_at),
                relative=relative_day(ctx.t, request.first_at, ctx.clock.now()),
            )
        )
    reply.add(ctx.say("Text: {text}", text=request.text))
    if to_creator_only:
        reply.add(ctx._(N_("You will get it in a direct chat with me.")))
    else:
        reply.add(ctx._(N_("It will be posted in this room.")))
    return reply.add(
        ctx.say(
            "{delete} deletes it.", delete=code(ctx.command_ref(reminder_delete, str(reminder.id)))
        )
    )


@command(
    "erinnerungen",
    english="reminders",
    help=N_("Lists this room's reminders with their numbers and next dates."),
    options=[PAGE_OPTION],
    group=HelpGroup.REMINDERS,
    rank=30,
)
async def reminders_list(ctx: Context, page: int | None) -> Reply:
    now = ctx.clock.now()
    found = list(await ctx.store.reminders.for_room(ctx.room_id))
    direct = ctx.room_kind is RoomKind.DIRECT
    if direct:
        # Personal reminders are listed only where nobody else reads along.
        found += [r for r in await ctx.store.reminders.personal(ctx.sender) if r not in found]
    upcoming = [(at, r) for r in found if (at := next_time(r, now)) is not None]
    upcoming.sort(key=lambda item: (item[0], item[1].id))
    shown = page_from(page)
    reply = Reply()
    if not upcoming:
        reply.add(ctx._(N_("There are no reminders in this room.")))
    else:
        reply.add(strong(ctx._(N_("Reminders in this room:"))))
        reply.bullets(
            (
                _list_entry(ctx, reminder, at)
                for at, reminder in upcoming[shown.offset : shown.offset + shown.size]
            ),
            more_note(ctx, shown, len(upcoming), ctx.command_ref(reminders_list)),
        )
    if not direct and (personal := await ctx.store.reminders.count_personal(ctx.sender)):
        note = ctx.t.ngettext(
            "You also have {count} personal reminder; {command} in a direct chat with me "
            "lists it.",
            "You also have {count} personal reminders; {command} in a direct chat with me "
            "lists them.",
            personal,
        )
        reply.add(fmt(note, count=personal, command=code(ctx.command_ref(reminders_list))))
    if not upcoming:
        reply.add(ctx.say("Set one like this: {example}", example=reminder_example(ctx)))
    return reply


def _list_entry(ctx: Context, reminder: Reminder, at: datetime) -> Text:
    shown = reminder.text.replace("\n", " ")
    if len(shown) > LISTED_TEXT_LENGTH:
        shown = shown[: LISTED_TEXT_LENGTH - 1] + "…"
    parts: list[Text | str] = [
        strong(ctx.say("No. {number}", number=reminder.id)),
        ctx.t.datetime(at),
        rhythm_in_words(ctx.t, reminder.rule, at),
        ctx.person(reminder.creator),
    ]
    if reminder.to_creator_only:
        parts.append(ctx._(N_("only for you")))
    return join(" · ", parts) + fmt(": {text}", text=shown)


@command(
    "erinnerung löschen",
    english="remind delete",
    help=N_("Deletes a reminder: its creator, an organiser or the team may."),
    params=[Param("number", N_("number"), converters.number)],
    examples=("!erinnerung löschen 3",),
    group=HelpGroup.REMINDERS,
    rank=40,
)
async def reminder_delete(ctx: Context, number: int) -> Reply:
    reminder = await ctx.store.reminders.get(number)
    visible = (
        reminder is not None
        and reminder.active
        and (
            reminder.creator == ctx.sender
            if reminder.to_creator_only
            else reminder.room_id == ctx.room_id
        )
    )
    if reminder is None or not visible:
        raise NotFound(
            ctx.say(
                "There is no reminder No. {number} in this room. {list} lists them.",
                number=number,
                list=code(ctx.command_ref(reminders_list)),
            )
        )
    # A personal reminder is visible to its creator only, so this concerns room reminders.
    if reminder.creator != ctx.sender and ctx.role < Role.ORGANIZER:
        raise NotAllowed(
            ctx.say(
                "Only {creator}, who set reminder No. {number}, an organiser or the "
                "team may delete it.",
                creator=reminder.creator,
                number=number,
            )
        )
    await ctx.store.reminders.deactivate(reminder.id)
    await ctx.store.schedule.deactivate(schedule_entry_id(reminder.id))
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "delete", "reminder", reminder.id)
    return Reply.of(ctx.say("Reminder No. {number} is deleted.", number=reminder.id))
