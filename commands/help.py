"""``!hilfe`` — generated from the registry, showing only what the sender may use here."""

from __future__ import annotations

from commands import converters
from commands.committees.texts import role_label
from commands.context import Context
from commands.dispatch import usage
from commands.errors import NotFound
from commands.i18n import N_
from commands.registry import Param, Role, RoomKind, command
from commands.reply import Reply, Text, code, fmt, join, strong
from storage.models import LEADING_SEAT_ROLES


@command(
    "hilfe",
    english="help",
    help=N_("Shows the commands you can use here, or details of one command."),
    params=[Param("name", N_("command"), converters.text, optional=True, greedy=True)],
    examples=("!hilfe", "!hilfe ich"),
)
async def help_show(ctx: Context, name: str | None) -> Reply:
    visible = ctx.registry.visible(ctx.role, ctx.room_kind)
    language = ctx.t.language
    if name is None:
        reply = Reply.of(strong(ctx._(N_("Commands you can use here:"))))
        reply.bullets(
            fmt("{usage} – {help}", usage=code(usage(c, ctx.t, ctx.prefix)), help=ctx._(c.help))
            for c in visible
        )
        hint = ctx._(N_("{example} shows details of one command."))
        return reply.add(fmt(hint, example=code(ctx.command_ref(help_show, "<…>"))))

    found = ctx.registry.find(name.removeprefix(ctx.prefix).split())
    if found is None or found[0] not in visible:
        raise NotFound(
            fmt(
                ctx._(N_("There is no command {name} that you can use here. {help} lists them.")),
                name=code(ctx.prefix + name.removeprefix(ctx.prefix)),
                help=code(ctx.command_ref(help_show)),
            )
        )
    declaration = found[0]
    reply = Reply.of(strong(code(usage(declaration, ctx.t, ctx.prefix))))
    reply.add(ctx._(declaration.help))
    other_names = [ctx.prefix + n for n in declaration.names if n != declaration.name_in(language)]
    reply.add(fmt(ctx._(N_("Also written as: {names}")), names=join(", ", map(code, other_names))))
    if declaration.options:
        spelled = join(
            ", ", (code("=… / ".join((o.key, *o.aliases)) + "=…") for o in declaration.options)
        )
        reply.add(fmt(ctx._(N_("Options: {options}")), options=spelled))
    if declaration.examples:
        examples = join(", ", map(code, declaration.examples))
        reply.add(fmt(ctx._(N_("Examples: {examples}")), examples=examples))
    return reply


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
)
async def role_show(ctx: Context) -> Reply:
    reply = Reply.of(
        fmt(
            ctx._(N_("You are {role} here ({room}).")),
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
        return fmt(
            ctx._(N_("You hold the seat {seat} in the committee {committee}.")),
            seat=role_label(ctx, seat[1]),
            committee=strong(seat[0]),
        )
    if ctx.role is Role.ORGANIZER:
        return ctx._(N_("You have moderator rights (power level 50 or more) in this room."))
    return fmt(
        ctx._(
            N_(
                "The chair, the deputy chair and the secretary of a committee are organisers "
                "in its room, as are the room's moderators; the team records seats with "
                "{command}."
            )
        ),
        command=code(ctx.command_ref("gremium mitglied", "… rolle=Vorsitz")),
    )
