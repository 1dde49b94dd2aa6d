"""``!ich``: the sender's role in this room, and where it comes from."""

from __future__ import annotations

from commands.contacts.seats import role_label
from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, strong
from storage.models import LEADING_SEAT_ROLES

ROLE_NAMES = {
    Role.GUEST: N_("guest"),
    Role.MEMBER: N_("member"),
    Role.ORGANIZER: N_("organiser"),
    Role.TEAM: N_("team member"),
    Role.ADMIN: N_("administrator"),
}
ROOM_NAMES = {
    RoomKind.TEAM: N_("team room"),
    RoomKind.GROUP: N_("committee room"),
    RoomKind.DIRECT: N_("direct chat"),
}


@command(
    "ich",
    english="whoami",
    help=N_("Shows your role in this room and so what the bot lets you do here."),
    group=HelpGroup.GENERAL,
    rank=20,
)
async def role_show(ctx: Context) -> Reply:
    reply = Reply.of(
        ctx.say(
            "You are {role} here ({room}).",
            role=strong(ctx._(ROLE_NAMES[ctx.role])),
            room=ctx._(ROOM_NAMES[ctx.room_kind]),
        )
    )
    return reply.add(await _role_source(ctx))


async def _role_source(ctx: Context) -> Text | str:
    """Where the sender's role comes from, and how one gets more rights."""
    if ctx.role is Role.ADMIN:
        return ctx._(N_("The bot's configuration names you as an administrator."))
    if ctx.role is Role.TEAM:
        return ctx._(N_("You are a member of the team room, which makes you a team member."))
    seat = None
    if ctx.room_kind is RoomKind.GROUP:
        seat = await ctx.store.committees.seat_in_room(ctx.room_id, ctx.sender)
    if ctx.role is Role.ORGANIZER and seat is not None and seat[1] in LEADING_SEAT_ROLES:
        return ctx.say(
            "You hold the seat {seat} in the committee {committee}.",
            seat=role_label(ctx, seat[1]),
            committee=strong(seat[0]),
        )
    if ctx.role is Role.ORGANIZER:
        return ctx._(N_("You have moderator rights (power level 50 or more) in this room."))
    return ctx.say(
        "The chair, the deputy chair and the secretary of a committee are organisers "
        "in its room, as are the room's moderators; the team records seats with "
        "{command}.",
        command=code(ctx.command_ref("gremium mitglied", "… rolle=Vorsitz")),
    )
