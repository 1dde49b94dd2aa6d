"""Which meeting or committee a meeting command is about, and where its answer goes.

Who sees what: in a committee room only that committee's meetings exist (for everyone, so one
committee's plans never show up in another's room); the team sees all of them in the team room
and in a direct chat; anybody else sees, in a direct chat, the committees they sit in. What is
out of reach is "not found", never "not allowed", so a refusal tells nothing about it.

Changes are announced in the committee room. A command given elsewhere (the team room) answers
its sender there and hands the announcement to the bot through :attr:`Reply.posts`.
"""

from __future__ import annotations

from commands.committees.lookup import committee_named, not_a_committee_room
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Reply, Text, code
from commands.meetings.texts import meeting_number
from storage.models import Committee, Meeting, MeetingStatus


def delivered(
    ctx: Context, committee: Committee, announcement: Reply, confirmation: Text
) -> Reply:
    """The announcement as the answer when the command came from the committee room; from
    anywhere else a confirmation, with the announcement posted into the committee room."""
    if committee.allow_room_mention:
        announcement.address_room()
    if ctx.room_id == committee.room_id:
        return announcement
    reply = Reply.of(confirmation)
    reply.add(
        ctx.say("It has been announced in the room of {committee}.", committee=committee.name)
    )
    return reply.post(committee.room_id, announcement)


async def committee_of_room(ctx: Context, name: str | None) -> Committee:
    """The committee a command is about: the room's own one, or in the team room or a direct
    chat the one named with ``gremium=``."""
    here = await ctx.store.committees.for_room(ctx.room_id)
    if here is not None:
        if name and (await committee_named(ctx, name)).id != here.id:
            raise BadArgument(
                ctx.say(
                    "This is the room of {committee}; meetings of other committees "
                    "are planned in the team room.",
                    committee=here.name,
                )
            )
        return here
    if ctx.room_kind is RoomKind.GROUP:
        raise NotFound(not_a_committee_room(ctx))
    if not name:
        raise BadArgument(
            ctx._(N_("Say which committee it is for, e.g. gremium=BB, or use its room."))
        )
    return await committee_named(ctx, name)


async def within_reach(ctx: Context, committee: Committee) -> bool:
    """Whether meetings of ``committee`` may be shown here (see the module docstring)."""
    if ctx.room_kind is RoomKind.GROUP:
        return committee.room_id == ctx.room_id
    if ctx.role >= Role.TEAM:
        return True
    return committee.id in await ctx.store.meetings.committee_ids_of(ctx.sender)


def no_such_meeting(ctx: Context, number: int) -> NotFound:
    """The one answer to a meeting number that is unknown or out of reach here."""
    return NotFound(
        ctx.say(
            "There is no meeting No. {number} here. {meetings} shows the planned ones.",
            number=number,
            meetings=code(ctx.command_ref("termine")),
        )
    )


async def meeting_in_reach(ctx: Context, number: int) -> Meeting:
    """Meeting No. ``number`` if it may be shown here; otherwise "not found"."""
    meeting = await ctx.store.meetings.get(number)
    if meeting is None or not await within_reach(ctx, meeting.committee):
        raise no_such_meeting(ctx, number)
    return meeting


async def meeting_or_next(ctx: Context, meeting: Meeting | None) -> Meeting:
    """The meeting a command names (see :data:`~commands.meetings.converters.reachable_meeting`),
    or without one the next one of this room's committee."""
    if meeting is not None:
        return meeting
    committee = await ctx.store.committees.for_room(ctx.room_id)
    if committee is None:
        if ctx.room_kind is RoomKind.GROUP:
            raise NotFound(not_a_committee_room(ctx))
        raise BadArgument(
            ctx.say(
                "Please give the meeting's number; {meetings} shows them.",
                meetings=code(ctx.command_ref("termine")),
            )
        )
    upcoming = await ctx.store.meetings.next_for(committee.id, ctx.clock.now())
    if upcoming is None:
        raise NotFound(
            ctx.say(
                "{committee} has no upcoming meeting. {new} schedules one.",
                committee=committee.name,
                new=code(ctx.command_ref("sitzung neu", "…")),
            )
        )
    return upcoming


def still_ahead(ctx: Context, meeting: Meeting) -> None:
    """Refuse changes to a cancelled meeting, one held in meeting mode, or one that has
    begun."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise BadArgument(
            ctx.say("Meeting {number} is cancelled.", number=meeting_number(ctx.t, meeting))
        )
    if meeting.status == MeetingStatus.HELD:
        # Its planned time may still lie ahead when it was begun early.
        raise BadArgument(
            ctx.say(
                "Meeting {number} has already been held; it can no longer be changed or "
                "cancelled.",
                number=meeting_number(ctx.t, meeting),
            )
        )
    if meeting.start <= ctx.clock.now():
        raise BadArgument(
            ctx.say(
                "Meeting {number} has already taken place ({when}).",
                number=meeting_number(ctx.t, meeting),
                when=ctx.t.datetime(meeting.start),
            )
        )
