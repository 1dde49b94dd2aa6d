"""What the committee commands' options accept: names, kinds, roles, days, durations,
reminder times, yes/no, and whose seat ``!gremium mitglied`` changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from commands import converters
from commands.contact_converters import record_number
from commands.context import Context
from commands.errors import BadArgument
from commands.i18n import N_
from commands.reply import code, fmt
from storage.vocabulary import fold_text

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
