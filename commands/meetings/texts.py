"""How a meeting reads: its number, name, times and place, and the scheduled posts about it.

Shared by the meeting and committee commands (which answer in a chat) and by the scheduled jobs
in ``commands/meetings/jobs.py`` (which post on their own, with no command to answer). Everything
here therefore takes the :class:`~commands.framework.i18n.Translator`, the command prefix
and, to spell
a command, the :class:`~commands.framework.registry.Registry`, not a command's context.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

# How a meeting is numbered and named in brief belongs to the committees, which show their
# next meeting; re-exported here, where the other meeting texts are.
from commands.committees.texts import meeting_brief as meeting_brief
from commands.committees.texts import meeting_number as meeting_number
from commands.dates.recurrence import Frequency
from commands.dates.when import relative_day
from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry
from commands.framework.reply import Block, Reply, Text, code, fmt, join, strong
from commands.meetings.schedule import invitation_deadline
from storage.models import Committee, Meeting

POSITIONS = {1: N_("1st"), 2: N_("2nd"), 3: N_("3rd"), 4: N_("4th"), -1: N_("last")}


def meeting_command(
    registry: Registry, t: Translator, prefix: str, german: str, number: int
) -> Text:
    """``!sitzung 12`` / ``!meeting 12``, as the reader types it for one meeting."""
    return code(registry.named(german).ref(t.language, prefix, str(number)))


def span_text(t: Translator, start: datetime, end: datetime) -> str:
    """``Mi, 12.03.2027, 14:00–16:00 Uhr``; a meeting past midnight shows both dates."""
    if t.local(start).date() == t.local(end).date():
        day = f"{t.weekday(start)}, {t.date(start)}"
        return f"{day}, {t.clock(start)}–{t.time(end)}"
    return f"{t.datetime(start)} – {t.datetime(end)}"


def meeting_name(meeting: Meeting) -> str:
    """The committee, and the meeting's own title if it has one (and it says something else)."""
    committee = meeting.committee.name
    if meeting.title and meeting.title != committee:
        return f"{committee}: {meeting.title}"
    return committee


def meeting_line(t: Translator, meeting: Meeting) -> Text:
    """``Nr. 12 · Mi, 12.03.2027, 14:00 Uhr · Bildungsbeirat · Rathaus``."""
    parts: list[Text | str] = [meeting_number(t, meeting), t.datetime(meeting.start)]
    parts.append(meeting_name(meeting))
    if meeting.place:
        parts.append(meeting.place)
    if meeting.online_link:
        parts.append(t.gettext(N_("online")))
    return join(" · ", parts)


def labelled(t: Translator, label: str, value: Text | str) -> Text:
    """``Label: value``; ``label`` is an English msgid."""
    return fmt("{label}: {value}", label=t.gettext(label), value=value)


def where_lines(t: Translator, meeting: Meeting) -> list[Text]:
    """Place and online link, where the meeting has them."""
    lines = []
    if meeting.place:
        lines.append(labelled(t, N_("Place"), meeting.place))
    if meeting.online_link:
        lines.append(labelled(t, N_("Online"), meeting.online_link))
    return lines


def agenda_line(t: Translator, meeting: Meeting) -> Text:
    """The agenda of a meeting whose agenda is not published: "to follow"."""
    return labelled(t, N_("Agenda"), t.gettext(N_("to follow")))


def rhythm_text(t: Translator, frequency: Frequency, position: int, first: datetime) -> Text:
    """``monthly on the 2nd Wednesday``, ``every other Tuesday`` …"""
    weekday = t.weekday_name(first)
    if frequency is Frequency.WEEKLY:
        return fmt(t.gettext(N_("every {weekday}")), weekday=weekday)
    if frequency is Frequency.BIWEEKLY:
        return fmt(t.gettext(N_("every other {weekday}")), weekday=weekday)
    ordinal = t.gettext(POSITIONS[position])
    if frequency is Frequency.MONTHLY:
        return fmt(
            t.gettext(N_("monthly on the {position} {weekday}")),
            position=ordinal,
            weekday=weekday,
        )
    return fmt(
        t.gettext(N_("every three months on the {position} {weekday}")),
        position=ordinal,
        weekday=weekday,
    )


# --------------------------------------------------------------------------- scheduled posts


def reminder_post(
    registry: Registry,
    t: Translator,
    prefix: str,
    meeting: Meeting,
    now: datetime,
    agenda: Sequence[Block] = (),
) -> Reply:
    """The reminder a committee room gets before a meeting (``@room`` where the committee
    allows it), with the published ``agenda`` if there is one (the room may see all of it)."""
    reply = Reply.of(
        fmt(
            t.gettext(N_("Reminder: {meeting} on {when} ({distance})")),
            meeting=meeting_name(meeting),
            when=t.datetime(meeting.start),
            distance=relative_day(t, meeting.start, now),
        )
    )
    for line in where_lines(t, meeting):
        reply.add(line)
    if agenda:
        reply.add(strong(t.gettext(N_("Agenda"))))
        reply.blocks.extend(agenda)
    else:
        reply.add(agenda_line(t, meeting))
    reply.add(
        fmt(
            t.gettext(N_("Details: {command}")),
            command=meeting_command(registry, t, prefix, "sitzung", meeting.id),
        )
    )
    return reply.address_room() if meeting.committee.allow_room_mention else reply


def invitation_due_post(
    registry: Registry, t: Translator, prefix: str, meeting: Meeting, now: datetime
) -> Reply:
    """What the organisers are told in the team room when the notice period is near, or has
    begun without an invitation."""
    committee: Committee = meeting.committee
    deadline = invitation_deadline(committee, meeting)
    message = (
        N_(
            "The notice period for {committee} (meeting on {when}) begins on "
            "{deadline}: send the invitation with {command} in the committee room."
        )
        if deadline > now
        else N_(
            "The notice period for {committee} (meeting on {when}) began on "
            "{deadline}: send the invitation with {command} in the committee room "
            "as soon as possible."
        )
    )
    return Reply.of(
        fmt(
            t.gettext(message),
            committee=meeting_name(meeting),
            when=t.datetime(meeting.start),
            deadline=t.date(deadline),
            command=meeting_command(registry, t, prefix, "einladung", meeting.id),
        )
    )
