"""``!hilfe`` — generated from the registry, showing only what the sender may use here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.committees.texts import role_label
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.dispatch import usage
from commands.framework.errors import NotFound
from commands.framework.i18n import N_
from commands.framework.registry import Command, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from storage.models import LEADING_SEAT_ROLES
from storage.vocabulary import fold_text


@command(
    "hilfe",
    english="help",
    help=N_("Shows the commands you can use here, or details of one command."),
    params=[Param("name", N_("command"), converters.text, optional=True, greedy=True)],
    examples=("!hilfe", "!hilfe ich"),
)
async def help_show(ctx: Context, name: str | None) -> Reply:
    visible = ctx.registry.visible(ctx.role, ctx.room_kind)
    if name is None:
        return _short_help(ctx, visible)
    wanted = name.strip()
    group = None if wanted.startswith(ctx.prefix) else group_named(wanted)
    if group is not None:
        return _group_help(ctx, group, visible)
    found = ctx.registry.find(wanted.removeprefix(ctx.prefix).split())
    if found is None or found[0] not in visible:
        raise NotFound(
            fmt(
                ctx._(N_("There is no command {name} that you can use here. {help} lists them.")),
                name=code(ctx.prefix + wanted.removeprefix(ctx.prefix)),
                help=code(ctx.command_ref(help_show)),
            )
        )
    declaration = found[0]
    reply = Reply.of(strong(code(usage(declaration, ctx.t, ctx.prefix))))
    reply.add(ctx._(declaration.help))
    shown_name = declaration.name_in(ctx.t.language)
    other_names = [ctx.prefix + n for n in declaration.names if n != shown_name]
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


@dataclass(frozen=True)
class Group:
    """A heading of the short help: a few commands that belong together."""

    key: str  # how it is typed after !hilfe, German
    english: str  # and in English
    label: str  # msgid of the heading
    modules: tuple[str, ...]  # the command modules whose commands it holds


# The short help's groups, in the order of the office's day. A command belongs to the group
# of the module that declares it, so a new command needs no second declaration here.
GROUPS = (
    Group("kontakte", "contacts", N_("Contacts"), (
        "commands.contacts.persons", "commands.contacts.responsibles",
        "commands.contacts.organizations", "commands.contacts.offers",
    )),
    Group("sitzungen", "meetings", N_("Meetings"), (
        "commands.meetings", "commands.meetings.calendar",
    )),
    Group("tagesordnung", "agenda", N_("Agenda and minutes"), (
        "commands.agenda", "commands.minutes",
    )),
    Group("gremien", "committees", N_("Committees"), ("commands.committees",)),
    Group("erinnerungen", "reminders", N_("Reminders"), ("commands.reminders",)),
    Group("aufgaben", "tasks", N_("Tasks and decisions"), (
        "commands.tasks", "commands.decisions",
    )),
    Group("datenschutz", "privacy", N_("Data protection and export"), (
        "commands.contacts.privacy", "commands.contacts.transfer",
    )),
    Group("netzwerk", "network", N_("Network and terms"), (
        "commands.contacts.network", "commands.contacts.vocabulary",
    )),
    Group("verwaltung", "admin", N_("Administration"), ("commands.admin",)),
    Group("allgemein", "general", N_("General"), ("commands.framework.help",)),
)  # fmt: skip


def group_named(word: str) -> Group | None:
    """The group ``word`` names, in either language, any case, with or without umlauts."""
    key = fold_text(word)
    return next((g for g in GROUPS if key in (fold_text(g.key), fold_text(g.english))), None)


def group_of(declaration: Command) -> Group:
    """The group of the module that declares ``declaration`` (General if none names it)."""
    module = declaration.handler.__module__
    for group in GROUPS:
        if any(module == m or module.startswith(m + ".") for m in group.modules):
            return group
    return GROUPS[-1]


def _short_help(ctx: Context, visible: Sequence[Command]) -> Reply:
    """One line per group, only with what the sender may use here: it fits a phone screen."""
    reply = Reply.of(strong(ctx._(N_("What you can do here:"))))
    lines = []
    shown: list[Group] = []
    for group in GROUPS:
        members = [c for c in visible if group_of(c) is group]
        if not members:
            continue
        shown.append(group)
        names = join(", ", [code(ctx.prefix + c.name_in(ctx.t.language)) for c in members])
        lines.append(fmt("{group}: {names}", group=strong(ctx._(group.label)), names=names))
    reply.bullets(lines)
    hint = ctx._(N_("{group} shows a group's commands in detail, {command} one command."))
    group_word = shown[0].english if ctx.t.language == "en" else shown[0].key
    return reply.add(
        fmt(
            hint,
            group=code(ctx.command_ref(help_show, group_word.capitalize())),
            command=code(ctx.command_ref(help_show, "<…>")),
        )
    )


def _group_help(ctx: Context, group: Group, visible: Sequence[Command]) -> Reply:
    """The usage line and help of every command of ``group`` that the sender may use here."""
    members = [c for c in visible if group_of(c) is group]
    reply = Reply.of(strong(fmt("{group}", group=ctx._(group.label))))
    if not members:
        return reply.add(ctx._(N_("None of these commands can be used here.")))
    reply.bullets(
        fmt("{usage} – {help}", usage=code(usage(c, ctx.t, ctx.prefix)), help=ctx._(c.help))
        for c in members
    )
    hint = ctx._(N_("{example} shows details of one command."))
    return reply.add(fmt(hint, example=code(ctx.command_ref(help_show, "<…>"))))


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
