"""A meeting's scheduler entries: their ids, typed payloads, the invitation deadline and arming.

This module is the one place that knows how a meeting lives in the scheduler. The meeting and
committee commands arm a meeting after every change, the calendar jobs read the payloads back
and recompute the moments from the meeting, and the tests build entries with it:

* ``meeting:{id}:reminder:{offset}`` (kind ``meeting.reminder``): into the committee room,
  ``offset`` minutes before the start, one per reminder offset of the committee;
* ``meeting:{id}:invitation`` (kind ``meeting.invitation_due``): into the team room,
  :data:`INVITATION_WARNING_LEAD` before the notice period starts, as long as no invitation
  was posted;
* ``meeting:{id}:items_call`` (kind ``meeting.items_call``): the call for agenda items into the
  committee room, the configured number of days before the deadline for items (``top_frist``);
* ``meeting:{id}:items_last_day`` (kind ``meeting.items_last_day``): into the committee room,
  :data:`LAST_DAY_LEAD` before that deadline;
* ``meeting:{id}:items_deadline`` (kind ``meeting.items_deadline``): the draft agenda to the
  organisers in the team room, at the deadline (the three only while the agenda is unpublished);
* ``meeting:{id}:over`` (kind ``meeting.over``): at the meeting's end, its items not dealt with
  are postponed to the committee's next meeting.

Moving rewrites them, cancelling deactivates them, and none is ever written for a moment
already past (the scheduler would catch it up).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self

from commands.committees import TIMING_CHANGED
from commands.framework.context import Context
from commands.framework.registry import listens_to
from storage.models import Committee, Meeting, MeetingStatus
from storage.schedule import ScheduleRepository

log = logging.getLogger(__name__)

MEETING_REMINDER_KIND = "meeting.reminder"
INVITATION_DUE_KIND = "meeting.invitation_due"
ITEMS_CALL_KIND = "meeting.items_call"
ITEMS_LAST_DAY_KIND = "meeting.items_last_day"
ITEMS_DEADLINE_KIND = "meeting.items_deadline"
MEETING_OVER_KIND = "meeting.over"
# The organisers hear of the invitation this long before the notice period starts.
INVITATION_WARNING_LEAD = timedelta(days=2)
# The room is reminded of the deadline for items this long before it, on its last day.
LAST_DAY_LEAD = timedelta(hours=5)
# An entry is written for exactly its moment; more than this apart means the meeting moved
# after the entry was written (its move wrote new entries, which post instead).
MOVED_TOLERANCE = timedelta(minutes=1)


def entry_prefix(meeting_id: int) -> str:
    """What the ids of all of meeting ``meeting_id``'s entries start with."""
    return f"meeting:{meeting_id}:"


@dataclass(frozen=True)
class MeetingReminder:
    """The committee room is reminded ``offset_minutes`` before meeting ``meeting_id``."""

    meeting_id: int
    offset_minutes: int
    kind: ClassVar[str] = MEETING_REMINDER_KIND

    @property
    def entry_id(self) -> str:
        """``meeting:{id}:reminder:{offset}``."""
        return f"{entry_prefix(self.meeting_id)}reminder:{self.offset_minutes}"

    @property
    def offset(self) -> timedelta:
        """How long before the start the reminder goes out."""
        return timedelta(minutes=self.offset_minutes)

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        """When the reminder goes out for the meeting as it stands now."""
        return meeting.start - self.offset

    def to_payload(self) -> dict[str, int]:
        """The payload stored with the entry."""
        return {"meeting_id": self.meeting_id, "offset_minutes": self.offset_minutes}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> MeetingReminder:
        """The reminder a stored payload describes."""
        return cls(int(payload["meeting_id"]), int(payload["offset_minutes"]))


@dataclass(frozen=True)
class _OncePerMeeting:
    """An entry of which a meeting has one: its id is ``meeting:{id}:{suffix}``."""

    meeting_id: int
    suffix: ClassVar[str]

    @property
    def entry_id(self) -> str:
        return f"{entry_prefix(self.meeting_id)}{self.suffix}"

    def to_payload(self) -> dict[str, int]:
        """The payload stored with the entry."""
        return {"meeting_id": self.meeting_id}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The entry a stored payload describes."""
        return cls(int(payload["meeting_id"]))


@dataclass(frozen=True)
class InvitationDue(_OncePerMeeting):
    """The organisers are told in time that the invitation to ``meeting_id`` is due."""

    kind: ClassVar[str] = INVITATION_DUE_KIND
    suffix: ClassVar[str] = "invitation"

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        """When the organisers hear of it for the meeting as it stands now."""
        return invitation_deadline(committee, meeting) - INVITATION_WARNING_LEAD


@dataclass(frozen=True)
class ItemsCall:
    """The committee room is asked for agenda items ``days`` before the deadline for them."""

    meeting_id: int
    days: int
    kind: ClassVar[str] = ITEMS_CALL_KIND

    @property
    def entry_id(self) -> str:
        """``meeting:{id}:items_call`` (one call per meeting, whatever the number of days)."""
        return f"{entry_prefix(self.meeting_id)}items_call"

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        return item_deadline(committee, meeting) - timedelta(days=self.days)

    def to_payload(self) -> dict[str, int]:
        return {"meeting_id": self.meeting_id, "days": self.days}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ItemsCall:
        return cls(int(payload["meeting_id"]), int(payload["days"]))


@dataclass(frozen=True)
class ItemsLastDay(_OncePerMeeting):
    """The committee room is reminded on the last day for agenda items."""

    kind: ClassVar[str] = ITEMS_LAST_DAY_KIND
    suffix: ClassVar[str] = "items_last_day"

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        return item_deadline(committee, meeting) - LAST_DAY_LEAD


@dataclass(frozen=True)
class ItemsDeadline(_OncePerMeeting):
    """The organisers get the draft agenda in the team room when the deadline has passed."""

    kind: ClassVar[str] = ITEMS_DEADLINE_KIND
    suffix: ClassVar[str] = "items_deadline"

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        return item_deadline(committee, meeting)


@dataclass(frozen=True)
class MeetingOver(_OncePerMeeting):
    """At the meeting's end its items not dealt with move on to the next meeting."""

    kind: ClassVar[str] = MEETING_OVER_KIND
    suffix: ClassVar[str] = "over"

    def due(self, meeting: Meeting, committee: Committee) -> datetime:
        return meeting.end


MeetingEntry = (
    MeetingReminder | InvitationDue | ItemsCall | ItemsLastDay | ItemsDeadline | MeetingOver
)
_ONCE_PER_MEETING: tuple[type[_OncePerMeeting], ...] = (
    InvitationDue,
    ItemsLastDay,
    ItemsDeadline,
    MeetingOver,
)


def parse_entry_id(entry_id: str) -> MeetingEntry | None:
    """The meeting entry ``entry_id`` names, or None when it is not a meeting's entry."""
    match entry_id.split(":"):
        case ["meeting", meeting, "reminder", offset] if meeting.isdigit() and offset.isdigit():
            return MeetingReminder(int(meeting), int(offset))
        case ["meeting", meeting, "items_call"] if meeting.isdigit():
            return ItemsCall(int(meeting), 0)
        case ["meeting", meeting, suffix] if meeting.isdigit():
            for entry_type in _ONCE_PER_MEETING:
                if entry_type.suffix == suffix:
                    return entry_type(int(meeting))  # type: ignore[return-value]
    return None


def invitation_deadline(committee: Committee, meeting: Meeting) -> datetime:
    """The last moment the invitation meets the notice period (Ladungsfrist)."""
    return meeting.start - timedelta(days=committee.notice_days)


def item_deadline(committee: Committee, meeting: Meeting) -> datetime:
    """The deadline for submitting agenda items."""
    return meeting.start - timedelta(days=committee.item_deadline_days)


def reminder_offsets(committee: Committee) -> list[int]:
    """Minutes before a meeting at which the room is reminded, as the committee stores them
    (``!gremium neu`` starts with the configured defaults; an empty list means none)."""
    offsets = committee.reminder_offsets_minutes or []
    return sorted({int(offset) for offset in offsets if int(offset) > 0}, reverse=True)


def wanted_entries(
    meeting: Meeting, committee: Committee, *, invitation_reminder: bool, item_call_days: int = 0
) -> list[MeetingEntry]:
    """The entries the meeting's current state asks for, whether or not their moment is past:
    a scheduled meeting is reminded at each of the committee's offsets, its invitation
    deadline is announced until the invitation is posted, items are collected until its
    agenda is published (a call ``item_call_days`` before the deadline, 0 for none), and its
    end rolls its open items over."""
    if meeting.status != MeetingStatus.SCHEDULED:
        return []
    entries: list[MeetingEntry] = [
        MeetingReminder(meeting.id, offset) for offset in reminder_offsets(committee)
    ]
    if invitation_reminder and meeting.invitation_sent_at is None:
        entries.append(InvitationDue(meeting.id))
    if meeting.agenda_published_at is None:
        if item_call_days > 0:
            entries.append(ItemsCall(meeting.id, item_call_days))
        entries += [ItemsLastDay(meeting.id), ItemsDeadline(meeting.id)]
    entries.append(MeetingOver(meeting.id))
    return entries


async def arm_meeting(
    schedule: ScheduleRepository,
    meeting: Meeting,
    committee: Committee,
    *,
    now: datetime,
    timezone: str,
    invitation_reminder: bool,
    item_call_days: int = 0,
) -> None:
    """Write the meeting's entries for its current state and stop the obsolete ones.

    Entries whose moment is already past are not written. An entry that already stands as
    wanted is left alone, so the scheduler re-arms only what this call really changed.
    """
    stored = {entry.id: entry for entry in await schedule.with_prefix(entry_prefix(meeting.id))}
    wanted = {
        entry.entry_id: (entry, entry.due(meeting, committee))
        for entry in wanted_entries(
            meeting,
            committee,
            invitation_reminder=invitation_reminder,
            item_call_days=item_call_days,
        )
    }
    wanted = {entry_id: value for entry_id, value in wanted.items() if value[1] > now}
    for entry_id, (entry, first_at) in wanted.items():
        await schedule.put(
            entry_id=entry_id,
            kind=entry.kind,
            first_at=first_at,
            now=now,
            timezone=timezone,
            payload=entry.to_payload(),
        )
    for entry_id, existing in stored.items():
        if existing.active and entry_id not in wanted:
            await schedule.deactivate(entry_id)


async def arm_schedule(ctx: Context, meeting: Meeting) -> None:
    """Bring the meeting's entries in step with its current state, within a command."""
    await arm_meeting(
        ctx.store.schedule,
        meeting,
        meeting.committee,
        now=ctx.clock.now(),
        timezone=ctx.t.zone.key,
        invitation_reminder=ctx.calendar.invitation_reminder,
        item_call_days=ctx.calendar.item_call_days,
    )


@listens_to(TIMING_CHANGED)
async def rearm_upcoming(ctx: Context, committee: Committee) -> None:
    """Planned meetings follow the committee's new reminder times and notice period at once."""
    for meeting in await ctx.store.committees.upcoming_meetings(committee, ctx.clock.now()):
        await arm_schedule(ctx, meeting)


# --------------------------------------------------------------------------- when a job fires


def moved_since(entry: MeetingEntry, meeting: Meeting | None, occurrence: datetime) -> bool:
    """Whether the meeting moved since ``entry`` was written for ``occurrence``: then the
    entries its move wrote post, and this one stays silent."""
    if meeting is None:
        return False
    if abs(entry.due(meeting, meeting.committee) - occurrence) <= MOVED_TOLERANCE:
        return False
    log.info("%s: meeting %d moved; its new entries post", entry.entry_id, meeting.id)
    return True


def still_ahead(entry: MeetingEntry, meeting: Meeting | None, now: datetime) -> bool:
    """Whether a post about the meeting still makes sense: it exists, is neither cancelled nor
    held, and has not begun."""
    if meeting is None:
        log.info("%s: the meeting no longer exists", entry.entry_id)
        return False
    if meeting.status != MeetingStatus.SCHEDULED:
        log.info("%s: meeting %d is %s", entry.entry_id, meeting.id, meeting.status)
        return False
    if meeting.start <= now:
        log.info("%s: meeting %d has begun; too late to post", entry.entry_id, meeting.id)
        return False
    return True


def collecting_items(entry: MeetingEntry, meeting: Meeting | None, now: datetime) -> bool:
    """Whether items are still collected for the meeting: ahead and its agenda unpublished."""
    if not still_ahead(entry, meeting, now):
        return False
    assert meeting is not None
    if meeting.agenda_published_at is not None:
        log.info("%s: the agenda of meeting %d is published", entry.entry_id, meeting.id)
        return False
    return True
