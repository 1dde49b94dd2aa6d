"""Committee commands: ``!gremium``, ``!gremien``, ``!gremium neu``, ``!gremium ändern``,
``!gremium mitglied``.

A committee lives in its own Matrix room: a team member types ``!gremium neu`` there, and from
then on the room *is* the committee — its members see it with ``!gremium``, its organisers
manage the seats and settings there, and no command needs the committee's name.

``!gremium mitglied entfernen …`` removes a seat. The registry reads at most two words as a
command name, so ``entfernen`` is not a third word of the name but the first word of the
member argument: :func:`seat_change` reads "entfernen @bernd:…" as "remove this member". One
command thus covers adding, re-roling and removing a seat, and ``!hilfe gremium mitglied``
shows both forms in its examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from commands import converters
from commands.contact_converters import clearable, number_label, record_number
from commands.context import Context
from commands.errors import BadArgument, NotAllowed, NotFound
from commands.i18n import N_
from commands.meetings import arm_schedule
from commands.paging import Page, more_note
from commands.registry import (
    Handler,
    Option,
    Param,
    Role,
    RoomKind,
    command,
    declaration_of,
)
from commands.reply import Reply, Text, code, fmt, join, strong, text
from storage.committees import SEAT_ROLES
from storage.models import Committee, CommitteeMember, Meeting, Person
from storage.vocabulary import fold_text

TEAM_ROOMS = (RoomKind.TEAM, RoomKind.DIRECT)
NONE = "–"
NAME_LENGTH = 255
SHORT_NAME_LENGTH = 32
MAX_NOTICE_DAYS = 365
MAX_DURATION_MINUTES = 24 * 60
MAX_REMINDER_MINUTES = 90 * 24 * 60
MINUTES_PER_DAY = 24 * 60

# --------------------------------------------------------------------------- vocabularies

# Kinds of committee: the stored (German) value and its label in the reader's language.
KIND_LABELS = {
    "Beirat": N_("advisory board"),
    "Steuerungsgruppe": N_("steering group"),
    "AG": N_("working group"),
    "Gremium": N_("committee"),
}
_KIND_SPELLINGS = {
    "beirat": "Beirat",
    "advisory board": "Beirat",
    "board": "Beirat",
    "steuerungsgruppe": "Steuerungsgruppe",
    "lenkungsgruppe": "Steuerungsgruppe",
    "steering group": "Steuerungsgruppe",
    "steering committee": "Steuerungsgruppe",
    "ag": "AG",
    "arbeitsgruppe": "AG",
    "arbeitskreis": "AG",
    "working group": "AG",
    "gremium": "Gremium",
    "committee": "Gremium",
}

# Roles of a seat: the stored (German) value and its label in the reader's language.
ROLE_LABELS = {
    "Vorsitz": N_("chair"),
    "Stellvertretung": N_("deputy chair"),
    "Mitglied": N_("member"),
    "Geschäftsführung": N_("secretary"),
}
_ROLE_SPELLINGS = {
    "vorsitz": "Vorsitz",
    "vorsitzende": "Vorsitz",
    "vorsitzender": "Vorsitz",
    "chair": "Vorsitz",
    "chairperson": "Vorsitz",
    "stellvertretung": "Stellvertretung",
    "stellvertreter": "Stellvertretung",
    "stellvertreterin": "Stellvertretung",
    "stellv": "Stellvertretung",
    "deputy": "Stellvertretung",
    "deputy chair": "Stellvertretung",
    "vice chair": "Stellvertretung",
    "vice-chair": "Stellvertretung",
    "mitglied": "Mitglied",
    "member": "Mitglied",
    "geschaeftsfuehrung": "Geschäftsführung",
    "geschaeftsstelle": "Geschäftsführung",
    "secretary": "Geschäftsführung",
    "secretariat": "Geschäftsführung",
}
_REMOVE_WORDS = frozenset({"entfernen", "austragen", "loeschen", "remove", "delete"})

_DAY_COUNT = re.compile(r"^(\d{1,3})\s*(d|t|tag|tage|day|days|w|woche|wochen|week|weeks)?$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_HOUR_WORDS = r"h|std|stunde|stunden|hour|hours|hr|hrs"
_MINUTE_WORDS = r"m|min|mins|minute|minuten|minutes"
_DURATION_PART = re.compile(rf"(\d+(?:\.\d+)?)\s*({_HOUR_WORDS}|{_MINUTE_WORDS})(?![a-z])")
_OFFSET = re.compile(
    r"^(\d{1,4})\s*(d|t|tag|tage|day|days|w|woche|wochen|week|weeks|"
    rf"{_HOUR_WORDS}|{_MINUTE_WORDS})(?:\s+(?:vorher|davor|before))?$"
)
_UNIT_MINUTES = {
    **dict.fromkeys(("d", "t", "tag", "tage", "day", "days"), MINUTES_PER_DAY),
    **dict.fromkeys(("w", "woche", "wochen", "week", "weeks"), 7 * MINUTES_PER_DAY),
    **dict.fromkeys(_HOUR_WORDS.split("|"), 60),
    **dict.fromkeys(_MINUTE_WORDS.split("|"), 1),
}
_NO_REMINDERS = frozenset({"", "-", "keine", "none", "aus", "off"})
_YES = frozenset({"ja", "j", "yes", "y", "an", "on", "true", "1"})
_NO = frozenset({"nein", "n", "no", "aus", "off", "false", "0"})


# --------------------------------------------------------------------------- converters


def committee_name(ctx: Context, raw: str) -> str:
    """A committee's name: any text up to 255 characters."""
    value = converters.text(ctx, raw)
    if len(value) > NAME_LENGTH:
        raise BadArgument(
            fmt(ctx._(N_("A name has at most {count} characters.")), count=NAME_LENGTH)
        )
    return value


def short_name(ctx: Context, raw: str) -> str:
    """A committee's short name such as ``BB`` or ``AG ÜSB``."""
    value = converters.text(ctx, raw)
    if len(value) > SHORT_NAME_LENGTH:
        raise BadArgument(
            fmt(
                ctx._(N_("A short name has at most {count} characters, e.g. BB or AG ÜSB.")),
                count=SHORT_NAME_LENGTH,
            )
        )
    return value


def committee_kind(ctx: Context, raw: str) -> str:
    """``Beirat``, ``Steuerungsgruppe``, ``AG`` or ``Gremium``, also in English."""
    kind = _KIND_SPELLINGS.get(fold_text(raw))
    if kind is None:
        raise BadArgument(
            fmt(
                ctx._(N_("Unknown kind of committee {raw}. Possible kinds: {known}.")),
                raw=code(raw),
                known=", ".join(ctx._(label) for label in KIND_LABELS.values()),
            )
        )
    return kind


def seat_role(ctx: Context, raw: str) -> str:
    """``Vorsitz``, ``Stellvertretung``, ``Mitglied`` or ``Geschäftsführung``, also in English
    (chair, deputy, member, secretary)."""
    role = _ROLE_SPELLINGS.get(fold_text(raw))
    if role is None:
        raise BadArgument(
            fmt(
                ctx._(N_("Unknown role {raw}. Possible roles: {known}.")),
                raw=code(raw),
                known=", ".join(ctx._(label) for label in ROLE_LABELS.values()),
            )
        )
    return role


def day_count(ctx: Context, raw: str) -> int:
    """A number of days such as ``14``, ``14d``, ``14 Tage`` or ``2w``."""
    match = _DAY_COUNT.match(fold_text(raw))
    days = int(match[1]) * (7 if match and match[2] and match[2][0] == "w" else 1) if match else -1
    if not 0 <= days <= MAX_NOTICE_DAYS:
        raise BadArgument(
            fmt(
                ctx._(N_("{raw} is not a number of days. Write it like 14 or 14d.")),
                raw=code(raw),
            )
        )
    return days


def duration(ctx: Context, raw: str) -> int:
    """A meeting's length in minutes, written ``2h``, ``90min``, ``1,5 Std.``, ``1h30`` or
    ``1:30``. A bare number is refused: 2 and 90 would mean different units."""
    folded = fold_text(raw).replace(",", ".")
    minutes = -1.0
    clock = _CLOCK.match(folded)
    if clock:
        minutes = int(clock[1]) * 60 + int(clock[2])
    elif folded:
        parts = list(_DURATION_PART.finditer(folded))
        rest = _DURATION_PART.sub("", folded).replace(" ", "")
        # "1h30": the minutes after the hours need no unit.
        if parts and rest.isdigit() and parts[-1][2] in _HOUR_WORDS.split("|"):
            minutes, rest = float(rest), ""
        if parts and not rest:
            minutes = max(minutes, 0) + sum(
                float(part[1]) * _UNIT_MINUTES[part[2]] for part in parts
            )
    if not 0 < minutes <= MAX_DURATION_MINUTES or minutes != int(minutes):
        raise BadArgument(
            fmt(
                ctx._(N_("{raw} is not a duration. Write it like 2h, 90min or 1:30.")),
                raw=code(raw),
            )
        )
    return int(minutes)


def reminder_offsets(ctx: Context, raw: str) -> list[int]:
    """How long before a meeting its reminders go out, in minutes, latest last:
    ``"7d, 1d"``, ``"1 Woche, 2 Stunden"``; ``-`` or ``keine`` for no reminders."""
    if fold_text(raw) in _NO_REMINDERS:
        return []
    offsets: set[int] = set()
    for part in re.split(r"\s*(?:[,;/]|\bund\b|\band\b)\s*", fold_text(raw)):
        match = _OFFSET.match(part.strip())
        minutes = int(match[1]) * _UNIT_MINUTES[match[2]] if match else 0
        if not 0 < minutes <= MAX_REMINDER_MINUTES:
            raise BadArgument(
                fmt(
                    ctx._(
                        N_(
                            "{raw} is not a list of reminder times. Write it like "
                            '"7d, 1d" or "2h"; "-" switches the reminders off.'
                        )
                    ),
                    raw=code(raw),
                )
            )
        offsets.add(minutes)
    return sorted(offsets, reverse=True)


def yes_no(ctx: Context, raw: str) -> bool:
    """``ja``/``nein`` (also yes/no, an/aus, on/off)."""
    folded = fold_text(raw)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise BadArgument(
        fmt(ctx._(N_("{raw} is neither yes nor no. Write ja or nein.")), raw=code(raw))
    )


@dataclass(frozen=True)
class SeatChange:
    """What ``!gremium mitglied`` was asked: whose seat, and whether to remove it."""

    remove: bool
    person_number: int | None
    matrix_id: str


def seat_change(ctx: Context, raw: str) -> SeatChange:
    """``12``, ``@bernd:example.org``, or either after ``entfernen``/``remove``."""
    words = raw.split()
    remove = bool(words) and fold_text(words[0]) in _REMOVE_WORDS
    if remove:
        words = words[1:]
    if len(words) != 1:
        raise BadArgument(
            ctx._(
                N_(
                    "Name one member: a contact number such as 12, or a Matrix user such as "
                    "@bernd:example.org."
                )
            )
        )
    number = record_number(words[0])
    if number is not None:
        return SeatChange(remove, number, "")
    return SeatChange(remove, None, converters.matrix_user(ctx, words[0]))


# --------------------------------------------------------------------------- texts


def command_text(ctx: Context, handler: Handler, rest: str = "") -> str:
    """How the reader types ``handler``'s command, e.g. ``!gremium mitglied …``."""
    name = declaration_of(handler).name_in(ctx.t.language)
    return f"{ctx.prefix}{name} {rest}".rstrip()


def other_command(ctx: Context, words: str, rest: str = "") -> str | None:
    """How the reader types a command of another module (None while it does not exist)."""
    found = ctx.registry.find(words.split())
    if found is None:
        return None
    return f"{ctx.prefix}{found[0].name_in(ctx.t.language)} {rest}".rstrip()


def kind_label(ctx: Context, kind: str) -> str:
    return ctx._(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def role_label(ctx: Context, role: str) -> str:
    """A seat's role in the reader's language: ``chair`` / ``Vorsitz``."""
    return ctx._(ROLE_LABELS[role]) if role in ROLE_LABELS else role


def title_of(committee: Committee) -> str:
    """``Bildungsbeirat (BB)``."""
    if committee.short_name:
        return f"{committee.name} ({committee.short_name})"
    return committee.name


def days_text(ctx: Context, days: int) -> str:
    return ctx.t.ngettext("{count} day", "{count} days", days).format(count=days)


def minutes_text(ctx: Context, minutes: int) -> str:
    """``2 hours``, ``1 hour 30 minutes``, ``7 days``: the largest units that fit."""
    if minutes and minutes % MINUTES_PER_DAY == 0:
        return days_text(ctx, minutes // MINUTES_PER_DAY)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ctx.t.ngettext("{count} hour", "{count} hours", hours).format(count=hours))
    if rest or not hours:
        parts.append(ctx.t.ngettext("{count} minute", "{count} minutes", rest).format(count=rest))
    return " ".join(parts)


def guessed_kind(name: str) -> str:
    """The kind a committee's name suggests: "Bildungsbeirat" is a Beirat, "AG Ganztag" an AG."""
    folded = fold_text(name)
    if "beirat" in folded:
        return "Beirat"
    if "steuerungsgruppe" in folded or "lenkungsgruppe" in folded:
        return "Steuerungsgruppe"
    if folded == "ag" or folded.startswith("ag ") or "arbeitsgruppe" in folded:
        return "AG"
    return "Gremium"


def settings(ctx: Context, committee: Committee) -> dict[str, tuple[str, str]]:
    """The committee's settings as (label msgid, shown value), by the stored field's name."""
    reminders = committee.reminder_offsets_minutes or []
    return {
        "name": (N_("Name"), committee.name),
        "short_name": (N_("Short name"), committee.short_name),
        "kind": (N_("Kind"), kind_label(ctx, committee.kind)),
        "notice_days": (N_("Notice period"), days_text(ctx, committee.notice_days)),
        "item_deadline_days": (
            N_("Agenda items due"),
            fmt(
                ctx._(N_("{days} before the meeting")),
                days=days_text(ctx, committee.item_deadline_days),
            ).plain,
        ),
        "default_duration_minutes": (
            N_("Usual length"),
            minutes_text(ctx, committee.default_duration_minutes),
        ),
        "default_place": (N_("Usual place"), committee.default_place),
        "reminder_offsets_minutes": (
            N_("Reminders before a meeting"),
            ", ".join(minutes_text(ctx, offset) for offset in reminders) or ctx._(N_("none")),
        ),
        "allow_room_mention": (
            N_("@room in announcements"),
            ctx._(N_("yes")) if committee.allow_room_mention else ctx._(N_("no")),
        ),
    }


def settings_lines(ctx: Context, committee: Committee) -> list[Text]:
    """``Label: value`` for each setting except the name, which the answer's title shows."""
    return [
        fmt("{label}: {value}", label=ctx._(label), value=value or NONE)
        for key, (label, value) in settings(ctx, committee).items()
        if key not in ("name", "short_name")
    ]


def meeting_text(ctx: Context, meeting: Meeting) -> Text:
    """``No. 5, Wed, 12 Mar 2027, 14:00, Kreishaus``."""
    parts: list[Text | str] = [number_label(ctx, meeting.id), ctx.t.datetime(meeting.start)]
    if meeting.place:
        parts.append(meeting.place)
    return join(", ", parts)


def seat_sort_key(member: CommitteeMember) -> tuple[int, str]:
    """Chair first, then deputy, members, secretary; by name within a role."""
    rank = SEAT_ROLES.index(member.role) if member.role in SEAT_ROLES else len(SEAT_ROLES)
    return rank, member.person.name_key if member.person else member.matrix_id


def ordered_seats(committee: Committee) -> list[CommitteeMember]:
    return sorted(committee.members, key=seat_sort_key)


def holder_text(ctx: Context, member: CommitteeMember, *, numbered: bool = False) -> Text:
    """Who holds a seat: ``Dr. Maria Müller (Gymnasium Am Park, Schulleitung)``, or the
    Matrix account when no contact record is linked. Never e-mail or phone."""
    person = member.person
    if person is None:
        return text(member.matrix_id)
    name = text(person.display_name)
    if numbered:
        name = fmt("{number} {name}", number=number_label(ctx, person.id), name=name)
    places = [
        f"{m.organization.name}, {m.function}" if m.function else m.organization.name
        for m in sorted(person.memberships, key=lambda m: m.id)
        if m.organization is not None
    ]
    if places:
        name += fmt(" ({places})", places="; ".join(places))
    return name


def seat_entry(ctx: Context, member: CommitteeMember, *, numbered: bool = False) -> Text:
    """``Dr. Maria Müller (Gymnasium Am Park) – chair``."""
    return fmt(
        "{holder} – {role}",
        holder=holder_text(ctx, member, numbered=numbered),
        role=role_label(ctx, member.role),
    )


def no_committee_here(ctx: Context) -> NotFound:
    """The answer to a committee command in a room that belongs to no committee."""
    return NotFound(
        fmt(
            ctx._(
                N_(
                    "This room belongs to no committee. {list} lists all committees; "
                    "{new}, typed in a committee's own room, sets it up there."
                )
            ),
            list=code(command_text(ctx, committee_list)),
            new=code(command_text(ctx, committee_create, '"…" kurz=…')),
        )
    )


async def committee_here(ctx: Context) -> Committee:
    """The committee of the room the command came from, with its seats."""
    committee = await ctx.store.committees.for_room(ctx.room_id, seats=True)
    if committee is None:
        raise no_committee_here(ctx)
    return committee


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
                fmt(
                    ctx._(
                        N_("{name} is already taken by the committee {other}. {list} lists all.")
                    ),
                    name=strong(value),
                    other=strong(title_of(other)),
                    list=code(command_text(ctx, committee_list)),
                )
            )


# --------------------------------------------------------------------------- !gremium neu


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
        Option("duration", "dauer", duration, aliases=("duration",)),
        Option("place", "ort", converters.text, aliases=("place",)),
        Option("mention_room", "raum_erwaehnen", yes_no, aliases=("mention_room",)),
    ],
    min_role=Role.TEAM,
    rooms=(RoomKind.GROUP, RoomKind.DIRECT),
    examples=(
        '!gremium neu "Bildungsbeirat" kurz=BB art=Beirat ladungsfrist=14 dauer=2h '
        'ort="Kreishaus, Raum 101"',
    ),
)
async def committee_create(
    ctx: Context,
    name: str,
    short_name: str | None,
    kind: str | None,
    notice_days: int | None,
    item_deadline_days: int | None,
    duration: int | None,
    place: str | None,
    mention_room: bool | None,
) -> Reply:
    # A fresh room holding only the organiser and the bot looks like a direct chat; binding
    # it is what makes it a committee room, so both kinds of room are accepted here.
    bound = await ctx.store.committees.for_room(ctx.room_id)
    if bound is not None:
        raise BadArgument(
            fmt(
                ctx._(
                    N_(
                        "This room already belongs to the committee {name}: one room, one "
                        "committee. Create a new room for another committee; {change} renames "
                        "this one."
                    )
                ),
                name=strong(title_of(bound)),
                change=code(command_text(ctx, committee_change, 'name="…"')),
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
        default_duration_minutes=duration or int(calendar.meeting_duration.total_seconds() // 60),
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
            fmt(
                ctx._(N_("This room is now the room of the committee {name}.")),
                name=title_of(committee),
            )
        )
    )
    reply.bullets(settings_lines(ctx, committee))
    steps: list[Text] = [
        fmt(
            ctx._(N_("Add members with {command}.")),
            command=code(command_text(ctx, committee_member, "@…:… rolle=Vorsitz")),
        ),
        fmt(
            ctx._(N_("Change a setting with {command}.")),
            command=code(command_text(ctx, committee_change, "ladungsfrist=21")),
        ),
    ]
    plan = other_command(ctx, "sitzung neu", "…")
    if plan is not None:
        steps.append(fmt(ctx._(N_("Plan a meeting with {command}.")), command=code(plan)))
    return reply.add(join(" ", steps))


# --------------------------------------------------------------------------- !gremium


@command(
    "gremium",
    english="committee",
    help=N_("Shows this room's committee: members with their roles, next meeting, settings."),
    params=[Param("name", N_("name"), converters.text, optional=True, greedy=True)],
    min_role=Role.MEMBER,
    examples=("!gremium", "!gremium BB"),
)
async def committee_show(ctx: Context, name: str | None) -> Reply:
    if name is None:
        committee = await committee_here(ctx)
    elif ctx.room_kind is RoomKind.GROUP or ctx.role < Role.TEAM:
        # In a committee room only that committee is shown: its members do not see others.
        raise NotAllowed(
            fmt(
                ctx._(
                    N_(
                        "Here {command} shows this room's committee only; the team finds the "
                        "others in the team room."
                    )
                ),
                command=code(command_text(ctx, committee_show)),
            )
        )
    else:
        committee = await committee_named(ctx, name)
    now = ctx.clock.now()
    upcoming = await ctx.store.committees.upcoming_count(committee, now)
    next_meeting = (await ctx.store.committees.next_meetings([committee.id], now)).get(
        committee.id
    )
    reply = Reply.of(strong(fmt(ctx._(N_("Committee {name}")), name=title_of(committee))))
    lines = [
        fmt(
            "{label}: {value}",
            label=ctx._(N_("Next meeting")),
            value=meeting_text(ctx, next_meeting) if next_meeting else ctx._(N_("none planned")),
        ),
        fmt("{label}: {value}", label=ctx._(N_("Upcoming meetings")), value=upcoming),
        *settings_lines(ctx, committee),
    ]
    reply.bullets(lines)
    seats = ordered_seats(committee)
    reply.add(
        strong(
            fmt(
                ctx.t.ngettext("{count} member:", "{count} members:", len(seats)),
                count=len(seats),
            )
        )
    )
    if seats:
        numbered = ctx.role >= Role.TEAM and ctx.room_kind is not RoomKind.GROUP
        reply.bullets(seat_entry(ctx, member, numbered=numbered) for member in seats)
    elif ctx.role >= Role.ORGANIZER and ctx.room_id == committee.room_id:
        reply.add(
            fmt(
                ctx._(N_("No members recorded yet. {command} adds one.")),
                command=code(command_text(ctx, committee_member, "@…:… rolle=…")),
            )
        )
    else:
        reply.add(ctx._(N_("No members recorded yet.")))
    return reply


async def committee_named(ctx: Context, name: str) -> Committee:
    """The committee called ``name`` (or with that short name), for the team."""
    committee = await ctx.store.committees.named(name, seats=True)
    if committee is None:
        raise NotFound(
            fmt(
                ctx._(N_("There is no committee {name}. {list} lists all committees.")),
                name=strong(name),
                list=code(command_text(ctx, committee_list)),
            )
        )
    return committee


# --------------------------------------------------------------------------- !gremien


@command(
    "gremien",
    english="committees",
    help=N_("Lists all committees with their members and next meetings."),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!gremien",),
)
async def committee_list(ctx: Context) -> Reply:
    committees = await ctx.store.committees.all()
    if not committees:
        return Reply.of(
            fmt(
                ctx._(
                    N_(
                        "No committee is set up yet. Create a room for the committee, invite "
                        "the bot and type {command} there."
                    )
                ),
                command=code(command_text(ctx, committee_create, '"…" kurz=…')),
            )
        )
    ids = [committee.id for committee in committees]
    upcoming = await ctx.store.committees.next_meetings(ids, ctx.clock.now())
    seat_counts = await ctx.store.committees.seat_counts(ids)
    header = ctx.t.ngettext("{count} committee:", "{count} committees:", len(committees))
    reply = Reply.of(strong(fmt(header, count=len(committees))))
    entries = []
    for committee in committees:
        members = seat_counts[committee.id]
        next_meeting = upcoming.get(committee.id)
        entries.append(
            join(
                " · ",
                [
                    strong(title_of(committee)),
                    kind_label(ctx, committee.kind),
                    fmt(
                        ctx.t.ngettext("{count} member", "{count} members", members),
                        count=members,
                    ),
                    fmt(
                        ctx._(N_("next meeting: {meeting}")),
                        meeting=meeting_text(ctx, next_meeting),
                    )
                    if next_meeting
                    else ctx._(N_("no meeting planned")),
                ],
            )
        )
    reply.bullets(entries)
    return reply.add(
        fmt(
            ctx._(N_("{command} shows one of them in full.")),
            command=code(command_text(ctx, committee_show, "<…>")),
        )
    )


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
        Option("duration", "dauer", duration, aliases=("duration",)),
        Option("place", "ort", clearable(converters.text), aliases=("place",)),
        Option("reminders", "erinnerungen", reminder_offsets, aliases=("reminders",)),
        Option("mention_room", "raum_erwaehnen", yes_no, aliases=("mention_room",)),
    ],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=(
        '!gremium ändern ladungsfrist=21 erinnerungen="7d, 1d" ort="Kreishaus, Raum 101"',
        "!gremium ändern raum_erwaehnen=ja",
    ),
)
async def committee_change(
    ctx: Context,
    name: str | None,
    short_name: str | None,
    kind: str | None,
    notice_days: int | None,
    item_deadline_days: int | None,
    duration: int | None,
    place: str | None,
    reminders: list[int] | None,
    mention_room: bool | None,
) -> Reply:
    committee = await committee_here(ctx)
    given: dict[str, Any] = {
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "notice_days": notice_days,
        "item_deadline_days": item_deadline_days,
        "default_duration_minutes": duration,
        "default_place": place,
        "reminder_offsets_minutes": reminders,
        "allow_room_mention": mention_room,
    }
    values = {key: value for key, value in given.items() if value is not None}
    if not values:
        raise BadArgument(
            fmt(
                ctx._(N_("Nothing to change. Give what is new, e.g. {example}.")),
                example=code(command_text(ctx, committee_change, "ladungsfrist=21")),
            )
        )
    await refuse_taken_names(ctx, name, short_name, committee)
    before = settings(ctx, committee)
    await ctx.store.committees.update(committee, ctx.clock.now(), **values)
    after = settings(ctx, committee)
    changed = [key for key in before if before[key][1] != after[key][1]]
    if not changed:
        return Reply.of(
            fmt(
                ctx._(N_("Nothing changed: the committee {name} already reads like that.")),
                name=strong(title_of(committee)),
            )
        )
    if {"reminder_offsets_minutes", "notice_days"} & set(changed):
        # Planned meetings follow the new reminder times and notice period at once.
        for meeting in await ctx.store.committees.upcoming_meetings(committee, ctx.clock.now()):
            await arm_schedule(ctx, meeting)
    await ctx.store.audit.record(
        ctx.clock.now(), ctx.sender, "update", "committee", committee.id, ",".join(changed)
    )
    reply = Reply.of(strong(fmt(ctx._(N_("Committee {name} changed:")), name=title_of(committee))))
    return reply.bullets(
        fmt(
            "{label}: {old} → {new}",
            label=ctx._(before[key][0]),
            old=before[key][1] or NONE,
            new=after[key][1] or NONE,
        )
        for key in changed
    )


# --------------------------------------------------------------------------- !gremium mitglied


@command(
    "gremium mitglied",
    english="committee member",
    help=N_(
        "Adds a member to this committee or changes their role; with entfernen (remove) "
        "before the member, removes them."
    ),
    params=[Param("change", N_("contact number or @matrix-id"), seat_change, greedy=True)],
    options=[Option("role", "rolle", seat_role, aliases=("role",))],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=(
        "!gremium mitglied @bernd:example.org rolle=Vorsitz",
        "!gremium mitglied 12",
        "!gremium mitglied entfernen @bernd:example.org",
    ),
)
async def committee_member(ctx: Context, change: SeatChange, role: str | None) -> Reply:
    committee = await committee_here(ctx)
    if change.remove:
        if role is not None:
            raise BadArgument(
                ctx._(N_("A member who is removed needs no role: leave out rolle=."))
            )
        return await remove_seat(ctx, committee, change)
    person = await seat_person(ctx, change)
    matrix_id = change.matrix_id or (person.matrix_id if person is not None else "")
    existing = ctx.store.committees.seat_of(committee, person, matrix_id)
    wanted = role or (existing.role if existing is not None else "Mitglied")
    member, created = await ctx.store.committees.seat(
        committee, ctx.clock.now(), wanted, person=person, matrix_id=matrix_id
    )
    await ctx.store.audit.record(
        ctx.clock.now(),
        ctx.sender,
        "create" if created else "update",
        "committee_member",
        member.id,
        f"committee={committee.id},role={member.role}",
    )
    if created and member.role == "Mitglied":
        template = N_("{holder} is now a member of the committee {committee}.")
    elif created:
        template = N_("{holder} is now a member of the committee {committee}, as {role}.")
    else:
        template = N_("{holder} now holds the role {role} in the committee {committee}.")
    # No hint about a missing contact record here: the answer is read by the whole room, and
    # whether someone is in the office's contact network is none of its business.
    return Reply.of(
        fmt(
            ctx._(template),
            holder=strong(holder_text(ctx, member)),
            committee=title_of(committee),
            role=role_label(ctx, member.role),
        )
    )


async def seat_person(ctx: Context, change: SeatChange) -> Person | None:
    """The contact record a new seat is linked to, if there is one."""
    if change.person_number is None:
        # The account's contact record, when exactly one has it: with two, linking either
        # would be a guess.
        found = await ctx.store.contacts.persons_with_matrix_id(change.matrix_id)
        return found[0] if len(found) == 1 else None
    # Contact numbers open the contact network, which only the team may see.
    if ctx.role < Role.TEAM:
        raise NotAllowed(
            ctx._(
                N_(
                    "Only the team can link a contact number; add the member by their Matrix "
                    "account instead, e.g. @bernd:example.org."
                )
            )
        )
    person = await ctx.store.contacts.person(change.person_number, places=True)
    if person is None:
        raise NotFound(
            fmt(
                ctx._(N_("There is no contact with {number}.")),
                number=number_label(ctx, change.person_number),
            )
        )
    return person


async def remove_seat(ctx: Context, committee: Committee, change: SeatChange) -> Reply:
    member = next(
        (
            m
            for m in committee.members
            if (change.person_number is not None and m.person_id == change.person_number)
            or (change.matrix_id and m.matrix_id == change.matrix_id)
        ),
        None,
    )
    if member is None:
        who = (
            number_label(ctx, change.person_number)
            if change.person_number is not None
            else text(change.matrix_id)
        )
        raise NotFound(
            fmt(
                ctx._(N_("{who} has no seat in the committee {committee}. {show} lists them.")),
                who=strong(who),
                committee=title_of(committee),
                show=code(command_text(ctx, committee_show)),
            )
        )
    holder = holder_text(ctx, member)
    member_id = member.id
    await ctx.store.committees.unseat(committee, member, ctx.clock.now())
    await ctx.store.audit.record(
        ctx.clock.now(),
        ctx.sender,
        "delete",
        "committee_member",
        member_id,
        f"committee={committee.id}",
    )
    return Reply.of(
        fmt(
            ctx._(N_("{holder} is no longer a member of the committee {committee}.")),
            holder=strong(holder),
            committee=title_of(committee),
        )
    )


# --------------------------------------------------------------------------- !wer <Gremium>


def committee_who(
    ctx: Context, committee: Committee, gemeinde: str | None, page: Page, command_line: str
) -> Reply:
    """``!wer Bildungsbeirat``: the committee's members with their roles, chair first.

    Called by ``!wer`` (commands/contacts.py) when its topic names a committee, with the
    command line that repeats the question (for "next page"); numbers and organisations are
    shown, contact data are not.
    """
    seats = ordered_seats(committee)
    if gemeinde:
        wanted = fold_text(gemeinde)
        seats = [seat for seat in seats if wanted in places_of(seat)]
    if not seats:
        if gemeinde:
            message = N_("No member of the committee {name} is from {gemeinde}.")
        else:
            message = N_("No members of the committee {name} are recorded yet.")
        return Reply.of(
            fmt(ctx._(message), name=strong(title_of(committee)), gemeinde=gemeinde or "")
        )
    shown = seats[page.offset : page.offset + page.size]
    if not shown:
        pages = -(-len(seats) // page.size)
        raise BadArgument(
            fmt(
                ctx.t.ngettext(
                    "Page {page} does not exist: there is {pages} page of results.",
                    "Page {page} does not exist: there are {pages} pages of results.",
                    pages,
                ),
                page=page.number,
                pages=pages,
            )
        )
    header = ctx.t.ngettext(
        "{count} member of the committee {name}:",
        "{count} members of the committee {name}:",
        len(seats),
    )
    reply = Reply.of(strong(fmt(header, count=len(seats), name=title_of(committee))))
    return reply.bullets(
        (seat_entry(ctx, seat, numbered=True) for seat in shown),
        more_note(ctx, page, len(seats), command_line),
    )


def places_of(member: CommitteeMember) -> set[str]:
    """The Gemeinden a seat belongs to: the person's own and their organisations'."""
    person = member.person
    if person is None:
        return set()
    places = {fold_text(person.gemeinde)}
    places.update(fold_text(m.organization.gemeinde) for m in person.memberships if m.organization)
    return places - {""}
