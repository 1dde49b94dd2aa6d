"""How a committee, its settings and its seats read in an answer."""

from __future__ import annotations

from commands.committees.converters import KIND_LABELS, MINUTES_PER_DAY
from commands.contacts.converters import number_label
from commands.contacts.seats import role_label
from commands.framework.context import Context
from commands.framework.i18n import N_, Translator
from commands.framework.reply import Text, fmt, join, text
from storage.committees import SEAT_ROLES
from storage.folding import fold_text
from storage.models import Committee, CommitteeMember, Meeting

NONE = "–"


def kind_label(ctx: Context, kind: str) -> str:
    """A committee's kind in the reader's language: ``advisory board`` / ``Beirat``."""
    return ctx._(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def days_text(ctx: Context, days: int) -> str:
    """``14 days`` / ``14 Tage``."""
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
            ctx.say(
                "{days} before the meeting", days=days_text(ctx, committee.item_deadline_days)
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
        "quorum": (
            N_("Quorum (members present)"),
            str(committee.quorum) if committee.quorum else ctx._(N_("none")),
        ),
    }


def settings_lines(ctx: Context, committee: Committee) -> list[Text]:
    """``Label: value`` for each setting except the name, which the answer's title shows."""
    return [
        fmt("{label}: {value}", label=ctx._(label), value=value or NONE)
        for key, (label, value) in settings(ctx, committee).items()
        if key not in ("name", "short_name")
    ]


def seat_sort_key(member: CommitteeMember) -> tuple[int, str]:
    """Chair first, then deputy, members, secretary; by name within a role."""
    rank = SEAT_ROLES.index(member.role) if member.role in SEAT_ROLES else len(SEAT_ROLES)
    return rank, member.person.name_key if member.person else member.matrix_id


def ordered_seats(committee: Committee) -> list[CommitteeMember]:
    """The committee's seats in the order member lists show them (see :func:`seat_sort_key`)."""
    return sorted(committee.members, key=seat_sort_key)


def holder_text(ctx: Context, member: CommitteeMember, *, numbered: bool = False) -> Text:
    """Who holds a seat: ``Dr. Maria Müller (Gymnasium Am Park, Schulleitung)``, or the
    Matrix account's display name when no contact record is linked. Never e-mail or phone."""
    person = member.person
    if person is None:
        return text(ctx.person(member.matrix_id))
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


def meeting_number(t: Translator, meeting: Meeting) -> Text:
    """``Nr. 12``."""
    return fmt(t.gettext(N_("No. {number}")), number=meeting.id)


def meeting_brief(t: Translator, meeting: Meeting) -> Text:
    """``No. 5, Wed, 12 Mar 2027, 14:00, Kreishaus``: a committee's next meeting."""
    parts: list[Text | str] = [meeting_number(t, meeting), t.datetime(meeting.start)]
    if meeting.place:
        parts.append(meeting.place)
    return join(", ", parts)
