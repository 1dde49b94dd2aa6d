"""What the committee commands' options accept: names, kinds, roles, days,
reminder times, yes/no, and whose seat ``!gremium mitglied`` changes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from commands.contacts.seats import ROLE_LABELS
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.reply import code
from storage.folding import fold_text

NAME_LENGTH = 255
SHORT_NAME_LENGTH = 32
MAX_NOTICE_DAYS = 365
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

# "7d vorher": the word for "before" may follow a reminder time.
_BEFORE = re.compile(r"\s+(?:vorher|davor|before)$")
MINUTE = timedelta(minutes=1)
_NO_REMINDERS = frozenset({"", "-", "keine", "none", "aus", "off"})


# --------------------------------------------------------------------------- converters


def committee_name(ctx: Context, raw: str) -> str:
    """A committee's name: any text up to 255 characters."""
    value = converters.text(ctx, raw)
    if len(value) > NAME_LENGTH:
        raise BadArgument(ctx.say("A name has at most {count} characters.", count=NAME_LENGTH))
    return value


def short_name(ctx: Context, raw: str) -> str:
    """A committee's short name such as ``BB`` or ``AG ÜSB``."""
    value = converters.text(ctx, raw)
    if len(value) > SHORT_NAME_LENGTH:
        raise BadArgument(
            ctx.say(
                "A short name has at most {count} characters, e.g. BB or AG ÜSB.",
                count=SHORT_NAME_LENGTH,
            )
        )
    return value


def committee_kind(ctx: Context, raw: str) -> str:
    """``Beirat``, ``Steuerungsgruppe``, ``AG`` or ``Gremium``, also in English."""
    kind = _KIND_SPELLINGS.get(fold_text(raw))
    if kind is None:
        raise BadArgument(
            ctx.say(
                "Unknown kind of committee {raw}. Possible kinds: {known}.",
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
            ctx.say(
                "Unknown role {raw}. Possible roles: {known}.",
                raw=code(raw),
                known=", ".join(ctx._(label) for label in ROLE_LABELS.values()),
            )
        )
    return role


def day_count(ctx: Context, raw: str) -> int:
    """A number of days such as ``14``, ``14d``, ``14 Tage`` or ``2w``."""
    length = converters.read_duration(raw, bare_unit=timedelta(days=1))
    days = length.days if length is not None and not length % timedelta(days=1) else -1
    if not 0 <= days <= MAX_NOTICE_DAYS:
        raise BadArgument(
            ctx.say("{raw} is not a number of days. Write it like 14 or 14d.", raw=code(raw))
        )
    return days


def reminder_offsets(ctx: Context, raw: str) -> list[int]:
    """How long before a meeting its reminders go out, in minutes, latest last:
    ``"7d, 1d"``, ``"1 Woche, 2 Stunden"``; ``-`` or ``keine`` for no reminders."""
    if fold_text(raw) in _NO_REMINDERS:
        return []
    offsets: set[int] = set()
    for part in re.split(r"\s*(?:[,;/]|\bund\b|\band\b)\s*", fold_text(raw)):
        length = converters.read_duration(_BEFORE.sub("", part))
        minutes = -1 if length is None or length % timedelta(minutes=1) else length // MINUTE
        if not 0 < minutes <= MAX_REMINDER_MINUTES:
            raise BadArgument(
                ctx.say(
                    "{raw} is not a list of reminder times. Write it like "
                    '"7d, 1d" or "2h"; "-" switches the reminders off.',
                    raw=code(raw),
                )
            )
        offsets.add(minutes)
    return sorted(offsets, reverse=True)


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
    number = converters.record_number(words[0])
    if number is not None:
        return SeatChange(remove, number, "")
    return SeatChange(remove, None, converters.matrix_user(ctx, words[0]))
