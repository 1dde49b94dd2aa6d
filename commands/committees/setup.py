"""``!gremium neu`` and ``!gremium ändern``: a room becomes a committee; its settings change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commands.committees.converters import (
    MINUTE,
    committee_kind,
    committee_name,
    day_count,
    reminder_offsets,
    short_name,
)
from commands.committees.lookup import committee_here, title_of
from commands.committees.texts import NONE, guessed_kind, settings, settings_lines
from commands.contacts.converters import clearable
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import (
    Event,
    HelpGroup,
    Option,
    Param,
    Role,
    RoomKind,
    command,
)
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from storage.models import Committee


async def refuse_taken_names(
    ctx: Context, name: str | None, short: str | None, committee: Committee | None
) -> None:
    """One name, one committee: ``!wer BB`` must know which one is meant."""
    for value in (name, short):
        if not value:
            continue
        other = await ctx.store.committees.named(value)
        if other is not None and (committee is None or other.id != committee.id):
            raise BadArgument(
                ctx.say(
                    "{name} is already taken by the committee {other}. {list} lists all.",
                    name=strong(value),
                    other=strong(title_of(other)),
                    list=code(ctx.command_ref("gremien")),
                )
            )


# --------------------------------------------------------------------------- !gremium neu

# A committee's reminder times or notice period changed: what depends on them (its planned
# meetings' reminders and invitation deadline) follows within the same command.
TIMING_CHANGED: Event[Committee] = Event("committee timing changed")


@command(
    "gremium neu",
    english="committee new",
    help=N_("Sets up a committee for the room you type it in (one room, one committee)."),
    params=[Param("name", N_("name"), committee_name, greedy=True)],
    options=[
        Option("short_name", "kurz", short_name, aliases=("short",)),
        Option("kind", "art", committee_kind, aliases=("kind",)),
        Option("notice_days", "ladungsfrist", day_count, aliases=("notice",)),
        Option("item_deadline_days", "top_frist", day_count, aliases=("item_deadline",)),
        Option("duration", "dauer", converters.meeting_length, aliases=("duration",)),
        Option("place", "ort", converters.text, aliases=("place",)),
        Option("mention_room", "raum_erwaehnen", converters.yes_no, aliases=("mention_room",)),
    ],
    min_role=Role.TEAM,
    rooms=(RoomKind.GROUP, RoomKind.DIRECT),
    examples=(
        '!gremium neu "Bildungsbeirat" kurz=BB art=Beirat ladungsfrist=14 dauer=2h '
        'ort="Kreishaus, Raum 101"',
    ),
    group=HelpGroup.COMMITTEES,
    rank=10,
)
async def committee_create(
    ctx: Context,
    name: str,
    short_name: str | None,
    kind: str | None,
    notice_days: int | None,
    item_deadline_days: int | None,
    duration: timedelta | None,
    place: str | None,
    mention_room: bool | None,
) -> Reply:
    # A fresh room holding only the organiser and the bot looks like a direct chat; binding
    # it is what makes it a committee room, so both kinds of room are accepted here.
    bound = await ctx.store.committees.for_room(ctx.room_id)
    if bound is not None:
        raise BadArgument(
            ctx.say(
                "This room already belongs to the committee {name}: one room, one "
                "committee. Create a new room for another committee; {change} renames "
                "this one.",
                name=strong(title_of(bound)),
                change=code(ctx.command_ref("gremium ändern", 'name="…"')),
            )
        )
    await refuse_taken_names(ctx, name, short_name, None)
    calendar = ctx.calendar
    committee = await ctx.store.committees.add(
        ctx.clock.now(),
        name,
        ctx.room_id,
        short_name=short_name or "",
        kind=kind or guessed_kind(name),
        notice_days=calendar.notice_days if notice_days is None else notice_days,
        item_deadline_days=(
            calendar.item_deadline_days if item_deadline_days is None else item_deadline_days
        ),
        default_duration_minutes=(duration or calendar.meeting_duration) // MINUTE,
        default_place=place or "",
        reminder_offsets_minutes=sorted(
            {int(offset.total_seconds() // 60) for offset in calendar.meeting_reminders},
            reverse=True,
        ),
        allow_room_mention=bool(mention_room),
    )
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "committee", committee.id)
    reply = Reply.of(
        strong(
            ctx.say("This room is now the room of the committee {name}.", name=title_of(committee))
        )
    )
    reply.bullets(settings_lines(ctx, committee))
    steps: list[Text] = [
        ctx.say(
            "Add members with {command}.",
            command=code(ctx.command_ref("gremium mitglied", "@…:… rolle=Vorsitz")),
        ),
        ctx.say(
            "Change a setting with {command}.",
            command=code(ctx.command_ref("gremium ändern", "ladungsfrist=21")),
        ),
    ]
    if ctx.registry.find(["sitzung", "neu"]) is not None:
        plan = ctx.command_ref("sitzung neu", "…")
        steps.append(ctx.say("Plan a meeting with {command}.", command=code(plan)))
    return reply.add(join(" ", steps))


# --------------------------------------------------------------------------- !gremium ändern


@command(
    "gremium ändern",
    english="committee change",
    help=N_("Changes this committee's name or settings: give only what is new."),
    options=[
        Option("name", "name", committee_name),
        Option("short_name", "kurz", clearable(short_name), aliases=("short",)),
        Option("kind", "art", committee_kind, aliases=("kind",)),
        Option("notice_days", "ladungsfrist", day_count, aliases=("notice",)),
        Option("item_deadline_days", "top_frist", day_count, aliases=("item_deadline",)),
        Option("duration", "dauer", converters.meeting_length, aliases=("duration",)),
        Option("place", "ort", clearable(converters.text), aliases=("place",)),
        Option("reminders", "erinnerungen", reminder_offsets, aliases=("reminders",)),
        Option("mention_room", "raum_erwaehnen", converters.yes_no, aliases=("mention_room",)),
        Option(
            "quorum",
            "beschlussfaehig",
            clearable(converters.number),
            aliases=("beschlussfähig", "quorum"),
        ),
    ],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=(
        '!gremium ändern ladungsfrist=21 erinnerungen="7d, 1d" ort="Kreishaus, Raum 101"',
        "!gremium ändern raum_erwaehnen=ja",
    ),
    group=HelpGroup.COMMITTEES,
    rank=40,
)
async def committee_change(
    ctx: Context,
    name: str | None,
    short_name: str | None,
    kind: str | None,
    notice_days: int | None,
    item_deadline_days: int | None,
    duration: timedelta | None,
    place: str | None,
    reminders: list[int] | None,
    mention_room: bool | None,
    quorum: int | str | None,
) -> Reply:
    committee = await committee_here(ctx)
    given: dict[str, Any] = {
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "notice_days": notice_days,
        "item_deadline_days": item_deadline_days,
        "default_duration_minutes": None if duration is None else duration // MINUTE,
        "default_place": place,
        "reminder_offsets_minutes": reminders,
        "allow_room_mention": mention_room,
    }
    values = {key: value for key, value in given.items() if value is not None}
    if quorum is not None:  # "-" ("") removes the quorum
        values["quorum"] = quorum or None
    if not values:
        raise BadArgument(
            ctx.say(
                "Nothing to change. Give what is new, e.g. {example}.",
                example=code(ctx.command_ref("gremium ändern", "ladungsfrist=21")),
            )
        )
    await refuse_taken_names(ctx, name, short_name, committee)
    before = settings(ctx, committee)
    await ctx.store.committees.update(committee, ctx.clock.now(), **values)
    after = settings(ctx, committee)
    changed = [key for key in before if before[key][1] != after[key][1]]
    if not changed:
        return Reply.of(
            ctx.say(
                "Nothing changed: the committee {name} already reads like that.",
                name=strong(title_of(committee)),
            )
        )
    if {"reminder_offsets_minutes", "notice_days"} & set(changed):
        await ctx.announce(TIMING_CHANGED, committee)
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "update", "committee", committee.id, ",".join(changed)
    )
    reply = Reply.of(strong(ctx.say("Committee {name} changed:", name=title_of(committee))))
    return reply.bullets(
        fmt(
            "{label}: {old} → {new}",
            label=ctx._(before[key][0]),
            old=before[key][1] or NONE,
            new=after[key][1] or NONE,
        )
        for key in changed
    )
