"""Scheduled posts of the calendar: meeting reminders, invitation deadlines, ``!erinnerung``.

The scheduler calls these handlers once per occurrence, and once more after a crash cut one
short (see ``bot/scheduler.py``); they read the database afresh and post through the bot's
outbox under the occurrence's key, so each post is sent exactly once. A handler that changes
more than the outbox (the roll-over moves items, a one-time reminder is done) writes its post
in the same transaction as that change: a run after a crash then finds the change made and
the post owed, or neither, and so changes nothing twice and owes nothing twice.

The entries are written by the meeting and reminder commands (contract in
``commands/meetings/schedule.py`` and ``commands/reminders/commands.py``), the texts are in
``commands/meetings/texts.py``:

* ``meeting.reminder`` (:class:`MeetingReminder`): into the committee room.
* ``meeting.invitation_due`` (:class:`InvitationDue`): into the team room, for organisers.
* ``meeting.items_call`` and ``meeting.items_last_day`` (:class:`ItemsCall`,
  :class:`ItemsLastDay`): the call for agenda items and its last day, into the committee room.
* ``meeting.items_deadline`` (:class:`ItemsDeadline`): the draft agenda, into the team room.
* ``meeting.over`` (:class:`MeetingOver`): the items not dealt with move to the next meeting.
* ``reminder`` — payload ``{"reminder_id"}``: into the reminder's room, or to its creator.

What changed since the entry was written wins: a cancelled meeting or a deleted reminder posts
nothing, a moved meeting is reminded by the entries its move wrote, never by the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from nio import MatrixRoom

from bot.config import Config
from bot.matrix import is_joined
from bot.scheduler import JobHandler, ScheduledRun, occurrence_key
from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry
from commands.framework.reply import Reply, Text, fmt
from commands.meetings.agenda import (
    agenda_blocks,
    build_agenda,
    items_call_post,
    items_deadline_post,
)
from commands.meetings.schedule import (
    INVITATION_DUE_KIND,
    ITEMS_CALL_KIND,
    ITEMS_DEADLINE_KIND,
    ITEMS_LAST_DAY_KIND,
    MEETING_OVER_KIND,
    MEETING_REMINDER_KIND,
    InvitationDue,
    ItemsCall,
    ItemsDeadline,
    ItemsLastDay,
    MeetingEntry,
    MeetingOver,
    MeetingReminder,
)
from commands.meetings.texts import invitation_due_post, meeting_number, reminder_post
from storage.database import Database
from storage.models import Meeting, MeetingStatus, OutboxMessage
from storage.repositories import Store
from storage.schedule import REMINDER_KIND

log = logging.getLogger(__name__)

# An entry is written for exactly ``start - offset``; more than this apart means the meeting
# moved after the entry was written (its move wrote new entries, which will remind instead).
MOVED_TOLERANCE = timedelta(minutes=1)


# --------------------------------------------------------------------------- what we need


class _State(Protocol):
    @property
    def team_room_id(self) -> str | None: ...


class _Rooms(Protocol):
    @property
    def rooms(self) -> dict[str, MatrixRoom]: ...


class DirectChatGateway(Protocol):
    """The part of :class:`bot.matrix.MatrixGateway` that direct chats need."""

    @property
    def user_id(self) -> str: ...

    @property
    def client(self) -> _Rooms: ...

    async def create_direct_room(self, user_id: str) -> str: ...


class CalendarBot(Protocol):
    """The part of :class:`bot.core.Kuemmerer` the scheduled posts use (tests pass a fake)."""

    @property
    def database(self) -> Database: ...

    @property
    def t(self) -> Translator: ...

    @property
    def config(self) -> Config: ...

    @property
    def registry(self) -> Registry: ...

    @property
    def state(self) -> _State: ...

    @property
    def gateway(self) -> DirectChatGateway: ...

    async def post(self, room_id: str, reply: Reply, key: str | None = None) -> None: ...

    async def owe(
        self, store: Store, room_id: str, reply: Reply, key: str
    ) -> Sequence[OutboxMessage]: ...

    def send_owed(self, written: Sequence[OutboxMessage]) -> None: ...


# --------------------------------------------------------------------------- direct chats


async def direct_room_for(bot: CalendarBot, user_id: str) -> str:
    """The bot's 1:1 room with ``user_id``: an existing one, else a new direct chat.

    A room counts when its only members (joined or invited) are the bot and that person and it
    is neither the team room nor a committee room, which may have just two members too. The
    new room is remembered by the homeserver and so found again after a restart.
    """
    candidates = [
        room
        for room in bot.gateway.client.rooms.values()
        if set(room.users) == {bot.gateway.user_id, user_id}
        and is_joined(room, bot.gateway.user_id)
        and room.room_id != bot.state.team_room_id
    ]
    # A room the person has joined beats one they were only invited to.
    candidates.sort(key=lambda room: (not is_joined(room, user_id), room.room_id))
    async with bot.database.session() as session:
        committees = Store(session).committees
        for room in candidates:
            if await committees.for_room(room.room_id) is None:
                return str(room.room_id)
    room_id = await bot.gateway.create_direct_room(user_id)
    log.info("opened a direct chat %s for personal reminders", room_id)
    return room_id


# --------------------------------------------------------------------------- texts


def late_note(t: Translator, run: ScheduledRun) -> Text | None:
    """``(Sent late after an interruption; planned for …)`` when the run is late."""
    if run.late_by is None:
        return None
    message = N_("(Sent late after an interruption; planned for {when}.)")
    return fmt(t.gettext(message), when=t.datetime(run.occurrence))


def _add_late_note(t: Translator, reply: Reply, run: ScheduledRun) -> None:
    note = late_note(t, run)
    if note is not None:
        reply.add(note)


def _moment(run: ScheduledRun) -> datetime:
    """The bot's "now" for this run, as the scheduler saw it."""
    return run.occurrence + (run.late_by or timedelta(0))


# --------------------------------------------------------------------------- handlers


class CalendarPosts:
    """The three handlers, sharing the bot they post through."""

    def __init__(self, bot: CalendarBot) -> None:
        self.bot = bot

    async def meeting_reminder(self, run: ScheduledRun) -> None:
        """Remind the committee room of a meeting ``offset_minutes`` before it starts."""
        t = self.bot.t
        reminder = MeetingReminder.from_payload(run.payload)
        now = _moment(run)
        async with self.bot.database.session() as session:
            meeting = await Store(session).reminders.meeting(reminder.meeting_id)
            if not self._worth_posting(run, meeting, now):
                return
            assert meeting is not None
            if _moved(run, reminder, meeting):
                return
            room_id = meeting.committee.room_id
            agenda = []
            if meeting.agenda_published_at is not None:
                items = await Store(session).agenda.for_meeting(meeting)
                agenda = agenda_blocks(t, build_agenda(t, meeting, items), waiting=False)
            reply = reminder_post(
                self.bot.registry, t, self.bot.config.bot.prefix, meeting, now, agenda
            )
        _add_late_note(t, reply, run)
        await self.bot.post(room_id, reply, occurrence_key(run))

    async def invitation_due(self, run: ScheduledRun) -> None:
        """Tell the organisers in the team room that the notice period is about to begin."""
        t = self.bot.t
        team_room = self.bot.state.team_room_id
        due = InvitationDue.from_payload(run.payload)
        now = _moment(run)
        async with self.bot.database.session() as session:
            meeting = await Store(session).reminders.meeting(due.meeting_id)
            if not self._worth_posting(run, meeting, now):
                return
            assert meeting is not None
            if meeting.invitation_sent_at is not None:
                log.info("%s: invitation already sent", run.entry_id)
                return
            if team_room is None:
                log.warning("%s: no team room to tell about the invitation", run.entry_id)
                return
            reply = invitation_due_post(
                self.bot.registry, t, self.bot.config.bot.prefix, meeting, now
            )
        _add_late_note(t, reply, run)
        await self.bot.post(team_room, reply, occurrence_key(run))

    async def items_call(self, run: ScheduledRun) -> None:
        """Ask the committee room for agenda items (the call, or its last day)."""
        entry: ItemsCall | ItemsLastDay = (
            ItemsCall.from_payload(run.payload)
            if run.kind == ITEMS_CALL_KIND
            else ItemsLastDay.from_payload(run.payload)
        )
        now = _moment(run)
        async with self.bot.database.session() as session:
            meeting = await Store(session).reminders.meeting(entry.meeting_id)
            if not self._collecting(run, meeting, now) or _moved(run, entry, meeting):
                return
            assert meeting is not None
            room_id = meeting.committee.room_id
            reply = items_call_post(
                self.bot.registry,
                self.bot.t,
                self.bot.config.bot.prefix,
                meeting,
                last_day=isinstance(entry, ItemsLastDay),
            )
        _add_late_note(self.bot.t, reply, run)
        await self.bot.post(room_id, reply, occurrence_key(run))

    async def items_deadline(self, run: ScheduledRun) -> None:
        """Send the organisers the draft agenda in the team room at the deadline for items."""
        t = self.bot.t
        entry = ItemsDeadline.from_payload(run.payload)
        team_room = self.bot.state.team_room_id
        now = _moment(run)
        async with self.bot.database.session() as session:
            store = Store(session)
            meeting = await store.reminders.meeting(entry.meeting_id)
            if not self._collecting(run, meeting, now) or _moved(run, entry, meeting):
                return
            assert meeting is not None
            if team_room is None:
                log.warning("%s: no team room for the draft agenda", run.entry_id)
                return
            upcoming = await store.agenda.next_meeting(meeting.committee_id, now)
            waiting = upcoming is not None and upcoming.id == meeting.id
            items = await store.agenda.for_meeting(meeting, waiting=waiting)
            reply = items_deadline_post(
                self.bot.registry,
                t,
                self.bot.config.bot.prefix,
                build_agenda(t, meeting, items),
                now,
            )
        _add_late_note(t, reply, run)
        await self.bot.post(team_room, reply, occurrence_key(run))

    async def meeting_over(self, run: ScheduledRun) -> None:
        """Postpone the items of a meeting that is over and were not marked as dealt with to
        the committee's next meeting, and tell the organisers in the team room.

        The move and the post are one transaction: run again, it finds nothing left to move
        and owes no second post; cut short before the commit, it moved nothing either."""
        t = self.bot.t
        team_room = self.bot.state.team_room_id
        written: Sequence[OutboxMessage] = ()
        entry = MeetingOver.from_payload(run.payload)
        now = _moment(run)
        async with self.bot.database.session() as session:
            store = Store(session)
            meeting = await store.reminders.meeting(entry.meeting_id)
            if meeting is None or meeting.status == MeetingStatus.CANCELLED:
                return
            if _moved(run, entry, meeting):
                return
            target = await store.agenda.next_meeting(meeting.committee_id, now)
            moved = await store.agenda.roll_over(meeting.committee_id, now, target)
            if not moved:
                return
            log.info("%s: %d items postponed", run.entry_id, len(moved))
            reply = Reply.of(
                fmt(
                    t.ngettext(
                        "Meeting {number} of {committee} is over; {count} item not marked as "
                        "dealt with is postponed: {items}.",
                        "Meeting {number} of {committee} is over; {count} items not marked as "
                        "dealt with are postponed: {items}.",
                        len(moved),
                    ),
                    number=meeting_number(t, meeting),
                    committee=meeting.committee.name,
                    count=len(moved),
                    items=", ".join(f"#{item.item_id} {item.title}" for item in moved),
                )
            )
            if team_room is not None:
                written = await self.bot.owe(store, team_room, reply, occurrence_key(run))
        self.bot.send_owed(written)

    async def reminder(self, run: ScheduledRun) -> None:
        """Post a ``!erinnerung`` into its room, or to its creator by direct chat."""
        t = self.bot.t
        reminder_id = int(run.payload["reminder_id"])
        async with self.bot.database.session() as session:
            reminder = await Store(session).reminders.get(reminder_id)
            if reminder is None or not reminder.active:
                log.info("%s: reminder %d deleted; nothing posted", run.entry_id, reminder_id)
                return
            creator, once = reminder.creator, not reminder.rule
            room_id = None if reminder.to_creator_only else reminder.room_id
            reply = Reply.of(fmt(t.gettext(N_("Reminder: {text}")), text=reminder.text))
        if room_id is None:
            # Outside the transaction: opening a direct chat waits for the homeserver.
            room_id = await direct_room_for(self.bot, creator)
        _add_late_note(t, reply, run)
        async with self.bot.database.session() as session:
            store = Store(session)
            written = await self.bot.owe(store, room_id, reply, occurrence_key(run))
            if once:
                # Done, together with its post: it no longer shows in !erinnerungen.
                await store.reminders.deactivate(reminder_id)
        self.bot.send_owed(written)

    def _collecting(self, run: ScheduledRun, meeting: Meeting | None, now: datetime) -> bool:
        """Whether items are still collected for the meeting: ahead and not published."""
        if not self._worth_posting(run, meeting, now):
            return False
        assert meeting is not None
        if meeting.agenda_published_at is not None:
            log.info("%s: the agenda of meeting %d is published", run.entry_id, meeting.id)
            return False
        return True

    def _worth_posting(self, run: ScheduledRun, meeting: Meeting | None, now: datetime) -> bool:
        if meeting is None:
            log.info("%s: the meeting no longer exists", run.entry_id)
            return False
        if meeting.status == MeetingStatus.CANCELLED:
            log.info("%s: meeting %d is cancelled", run.entry_id, meeting.id)
            return False
        if meeting.start <= now:
            log.info("%s: meeting %d has begun; too late to post", run.entry_id, meeting.id)
            return False
        return True


def _moved(run: ScheduledRun, entry: MeetingEntry, meeting: Meeting | None) -> bool:
    """Whether the meeting moved since ``entry`` was written (its move wrote new entries)."""
    if meeting is None or abs(entry.due(meeting, meeting.committee) - run.occurrence) <= (
        MOVED_TOLERANCE
    ):
        return False
    log.info("%s: meeting %d moved; its new entries post", run.entry_id, meeting.id)
    return True


def calendar_job_handlers(bot: CalendarBot) -> dict[str, JobHandler]:
    """The handlers by schedule-entry kind."""
    posts = CalendarPosts(bot)
    return {
        MEETING_REMINDER_KIND: posts.meeting_reminder,
        INVITATION_DUE_KIND: posts.invitation_due,
        ITEMS_CALL_KIND: posts.items_call,
        ITEMS_LAST_DAY_KIND: posts.items_call,
        ITEMS_DEADLINE_KIND: posts.items_deadline,
        MEETING_OVER_KIND: posts.meeting_over,
        REMINDER_KIND: posts.reminder,
    }
