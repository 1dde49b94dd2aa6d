"""How an agenda reads: its parts and numbers, its minutes, and the posts of the collection
window.

Shared by the agenda commands, the invitation and the reminders (which answer in a chat), the
scheduled jobs in ``commands/meetings/jobs.py`` and ``commands/agenda/jobs.py`` and the
calendar file and feed (which have no command to answer). Like :mod:`commands.meetings.texts`
it therefore takes the :class:`~commands.framework.i18n.Translator`, the prefix and the
:class:`~commands.framework.registry.Registry`.

Who may see a non-public item is decided by whoever shows the agenda: the rooms that show it at
all (the committee's room, the team room, a direct chat with a member) may show all of it; the
calendar file and the feed get :meth:`Agenda.calendar_lines`, which the iCalendar builder
filters once more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup

from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry
from commands.framework.reply import Block, Items, Paragraph, Reply, Text, code, fmt, join, strong
from commands.meetings.ics import AgendaLine
from commands.meetings.schedule import item_deadline
from commands.meetings.texts import meeting_name, meeting_number
from storage.calendar_export import CalendarRows
from storage.models import AgendaItem, AgendaPaper, Committee, ItemStatus, Meeting

# The standard opening items of a committee that has not set its own (``!tagesordnung
# eröffnung``), and the closing item that ends the public part.
DEFAULT_OPENING_ITEMS = (
    N_("Opening and establishment of the quorum"),
    N_("Approval of the agenda"),
    N_("Approval of the minutes of the last meeting"),
    N_("Status of the implementation of the decisions"),
)
CLOSING_ITEM = N_("Any other business")


def opening_items(t: Translator, committee: Committee) -> list[str]:
    """The committee's own opening items, or the usual four in the reader's language."""
    return list(committee.opening_items) or [t.gettext(item) for item in DEFAULT_OPENING_ITEMS]


@dataclass(frozen=True)
class Entry:
    """One line of the agenda: ``Ö 3`` and its title; ``item`` is None for a standard one."""

    label: str
    title: str
    public: bool
    item: AgendaItem | None = None


@dataclass(frozen=True)
class Agenda:
    """A meeting's agenda as it stands: the public part (opening items, accepted items,
    "any other business"), the non-public part, and the Nachträge still waiting."""

    meeting: Meeting
    public: tuple[Entry, ...]
    non_public: tuple[Entry, ...]
    waiting: tuple[AgendaItem, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.public + self.non_public

    @property
    def planned_minutes(self) -> int:
        """The planned minutes of the accepted items."""
        return sum(entry.item.minutes for entry in self.entries if entry.item is not None)

    @property
    def meeting_minutes(self) -> int:
        return int((self.meeting.end - self.meeting.start) / timedelta(minutes=1))

    def label_of(self, item_id: int) -> str | None:
        """``Ö 5`` for accepted item ``item_id``; None when it is not on the agenda."""
        return next((e.label for e in self.entries if e.item and e.item.id == item_id), None)

    def calendar_lines(self) -> list[AgendaLine]:
        """The lines a calendar may carry (the builder keeps only the public ones)."""
        return [AgendaLine(entry.label, entry.title, entry.public) for entry in self.entries]


def build_agenda(
    t: Translator,
    meeting: Meeting,
    items: Sequence[AgendaItem],
    committee: Committee | None = None,
) -> Agenda:
    """Number the meeting's items: ``Ö 1 …`` for the public part, ``NÖ 1 …`` for the rest.
    Without ``committee``, ``meeting.committee`` must be loaded."""
    accepted = [item for item in items if item.status == ItemStatus.ACCEPTED]
    public_titles: list[tuple[str, AgendaItem | None]] = [
        (title, None) for title in opening_items(t, committee or meeting.committee)
    ]
    public_titles += [(item.title, item) for item in accepted if item.public]
    public_titles.append((t.gettext(CLOSING_ITEM), None))
    public = tuple(
        Entry(fmt(t.gettext(N_("P {number}")), number=n).plain, title, True, item)
        for n, (title, item) in enumerate(public_titles, start=1)
    )
    non_public = tuple(
        Entry(fmt(t.gettext(N_("NP {number}")), number=n).plain, item.title, False, item)
        for n, item in enumerate((item for item in accepted if not item.public), start=1)
    )
    waiting = tuple(item for item in items if item.status == ItemStatus.LATE)
    return Agenda(meeting, public, non_public, waiting)


# --------------------------------------------------------------------------- lines


def item_number(t: Translator, item: AgendaItem) -> Text:
    """``Item No. 7``: how commands name an item (``!top annehmen 7``)."""
    return fmt(t.gettext(N_("Item No. {number}")), number=item.id)


def paper_link(paper: AgendaPaper) -> Text:
    """The paper's name, linked to its message in the committee room."""
    url = f"https://matrix.to/#/{paper.room_id}/{paper.event_id}"
    return Text(
        f"{paper.name} ({url})",
        Markup('<a href="{}">{}</a>').format(url, paper.name),
    )


def item_details(t: Translator, item: AgendaItem, *, minutes: bool = True) -> Text:
    """``Anna Muster, 20 min, postponed, late item`` — what the agenda says about an item."""
    parts: list[Text | str] = [item.submitter_name or item.submitter]
    if minutes:
        parts.append(fmt(t.gettext(N_("{minutes} min")), minutes=item.minutes))
    if item.deferred_from is not None:
        parts.append(strong(t.gettext(N_("postponed"))))
    if item.late:
        parts.append(t.gettext(N_("late item")))
    return join(", ", parts)


def entry_line(t: Translator, entry: Entry) -> Text:
    """``Ö 5 Title (No. 7: Anna Muster, 20 min) · papers: …``."""
    line = fmt("{label} {title}", label=strong(entry.label), title=entry.title)
    item = entry.item
    if item is None:
        return line
    line = line + fmt(
        " ({number}: {details})", number=f"#{item.id}", details=item_details(t, item)
    )
    if item.papers:
        papers = join(", ", [paper_link(paper) for paper in item.papers])
        line = line + fmt(" · {label}: {papers}", label=t.gettext(N_("papers")), papers=papers)
    return line


def minutes_line(t: Translator, agenda: Agenda) -> Text:
    """The planned minutes against the meeting's length, with a warning when they overrun."""
    planned, length = agenda.planned_minutes, agenda.meeting_minutes
    if planned <= length:
        return fmt(
            t.gettext(N_("Planned: {planned} of {length} minutes.")),
            planned=planned,
            length=length,
        )
    return fmt(
        t.gettext(
            N_(
                "Warning: the items are planned with {planned} minutes, but the meeting lasts "
                "{length} minutes. Shorten items, postpone one, or extend the meeting."
            )
        ),
        planned=strong(planned),
        length=length,
    )


def agenda_blocks(t: Translator, agenda: Agenda, *, waiting: bool = True) -> list[Block]:
    """The agenda for a chat: both parts, the minutes and (``waiting``) the Nachträge."""
    blocks: list[Block] = [
        Paragraph(strong(t.gettext(N_("Public part")))),
        Items(tuple(entry_line(t, entry) for entry in agenda.public)),
    ]
    if agenda.non_public:
        blocks.append(Paragraph(strong(t.gettext(N_("Non-public part")))))
        blocks.append(Items(tuple(entry_line(t, entry) for entry in agenda.non_public)))
    blocks.append(Paragraph(minutes_line(t, agenda)))
    if waiting and agenda.waiting:
        blocks.append(
            Paragraph(strong(t.gettext(N_("Late items waiting for an organiser's acceptance"))))
        )
        blocks.append(
            Items(
                tuple(
                    fmt(
                        "{number} {title} ({details})",
                        number=f"#{item.id}",
                        title=item.title,
                        details=item_details(t, item),
                    )
                    for item in agenda.waiting
                )
            )
        )
    return blocks


def agenda_heading(t: Translator, meeting: Meeting) -> Text:
    """``Agenda of Bildungsbeirat, No. 5, Wed, 12.03.2027, 14:00`` (with its state)."""
    state = N_("published on {date}") if meeting.agenda_published_at is not None else N_("draft")
    return fmt(
        t.gettext(N_("Agenda of {committee}, {number}, {when} ({state})")),
        committee=meeting_name(meeting),
        number=meeting_number(t, meeting),
        when=t.datetime(meeting.start),
        state=fmt(
            t.gettext(state),
            date=t.date(meeting.agenda_published_at) if meeting.agenda_published_at else "",
        ),
    )


# --------------------------------------------------------------------------- collection window


def items_call_post(
    registry: Registry, t: Translator, prefix: str, meeting: Meeting, *, last_day: bool
) -> Reply:
    """The call for items into the committee room, some days before the deadline, or
    (``last_day``) the reminder on the deadline's day."""
    deadline = item_deadline(meeting.committee, meeting)
    message = (
        N_(
            "Last day for topics for the meeting of {committee} on {when}: items submitted "
            "with {command} until {deadline} are on the agenda; later ones are late items."
        )
        if last_day
        else N_(
            "Topics for the meeting of {committee} on {when}: please submit them by "
            "{deadline} with {command}."
        )
    )
    return Reply.of(
        fmt(
            t.gettext(message),
            committee=meeting_name(meeting),
            when=t.datetime(meeting.start),
            deadline=strong(t.time(deadline) if last_day else t.datetime(deadline)),
            command=code(registry.named("top").ref(t.language, prefix, "…")),
        )
    ).add(
        fmt(
            t.gettext(N_("{agenda} shows what has been submitted so far.")),
            agenda=code(registry.named("tagesordnung").ref(t.language, prefix)),
        )
    )


def items_deadline_post(
    registry: Registry, t: Translator, prefix: str, agenda: Agenda, now: datetime
) -> Reply:
    """The draft agenda for the organisers in the team room, when the deadline has passed."""
    meeting = agenda.meeting
    reply = Reply.of(
        fmt(
            t.gettext(
                N_(
                    "The deadline for agenda items of {committee} (meeting on {when}) has "
                    "passed. The draft agenda:"
                )
            ),
            committee=meeting_name(meeting),
            when=t.datetime(meeting.start),
        )
    )
    reply.blocks.extend(agenda_blocks(t, agenda))
    reply.add(
        fmt(
            t.gettext(N_("In the committee room, {publish} publishes it.")),
            publish=code(registry.named("tagesordnung veröffentlichen").ref(t.language, prefix)),
        )
    )
    return reply


def moved_items_text(t: Translator, target: Meeting | None, moved: Sequence[Text]) -> Text:
    """Where the items of a cancelled meeting went, naming them and their submitters."""
    items = join("; ", moved)
    if target is None:
        return fmt(
            t.gettext(N_("Its agenda items wait for the next meeting: {items}.")), items=items
        )
    return fmt(
        t.gettext(N_("Its agenda items move to meeting {number} on {when}: {items}.")),
        number=meeting_number(t, target),
        when=t.datetime(target.start),
        items=items,
    )


def calendar_agendas(t: Translator, rows: CalendarRows) -> dict[int, list[AgendaLine]]:
    """The published agendas of the calendar's meetings, by meeting id, for the calendar
    file and the feed (whose builder keeps only their public part)."""
    committees = {committee.id: committee for committee in rows.committees}
    by_meeting: dict[int, list[AgendaItem]] = {}
    for item in rows.items:
        if item.meeting_id is not None:
            by_meeting.setdefault(item.meeting_id, []).append(item)
    return {
        meeting.id: build_agenda(
            t, meeting, by_meeting.get(meeting.id, []), committees[meeting.committee_id]
        ).calendar_lines()
        for meeting in rows.meetings
        if meeting.agenda_published_at is not None and meeting.committee_id in committees
    }
