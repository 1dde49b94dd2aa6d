"""``!hilfe`` — generated from the registry, showing only what the sender may use here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.framework import converters
from commands.framework.context import Context
from commands.framework.dispatch import usage
from commands.framework.errors import NotFound
from commands.framework.i18n import N_
from commands.framework.registry import Command, HelpGroup, Param, command
from commands.framework.reply import Reply, code, fmt, join, strong
from storage.folding import fold_text


@command(
    "hilfe",
    english="help",
    help=N_("Shows the commands you can use here, or details of one command."),
    params=[Param("name", N_("command"), converters.text, optional=True, greedy=True)],
    examples=("!hilfe", "!hilfe ich"),
    group=HelpGroup.GENERAL,
    rank=10,
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
            ctx.say(
                "There is no command {name} that you can use here. {help} lists them.",
                name=code(ctx.prefix + wanted.removeprefix(ctx.prefix)),
                help=code(ctx.command_ref(help_show)),
            )
        )
    declaration = found[0]
    reply = Reply.of(strong(code(usage(declaration, ctx.t, ctx.prefix))))
    reply.add(ctx._(declaration.help))
    shown_name = declaration.name_in(ctx.t.language)
    other_names = [ctx.prefix + n for n in declaration.names if n != shown_name]
    reply.add(ctx.say("Also written as: {names}", names=join(", ", map(code, other_names))))
    if declaration.options:
        spelled = join(
            ", ", (code("=… / ".join((o.key, *o.aliases)) + "=…") for o in declaration.options)
        )
        reply.add(ctx.say("Options: {options}", options=spelled))
    if declaration.examples:
        examples = join(", ", map(code, declaration.examples))
        reply.add(ctx.say("Examples: {examples}", examples=examples))
    return reply


@dataclass(frozen=True)
class Group:
    """A heading of the short help: a few commands that belong together."""

    declared: HelpGroup  # what a command names in its declaration
    key: str  # how it is typed after !hilfe, German
    english: str  # and in English
    label: str  # msgid of the heading


# The short help's headings; their order and each command's place are declared with the
# command (``group=``, ``rank=``), so the help does not depend on how modules are imported.
GROUPS = (
    Group(HelpGroup.CONTACTS, "kontakte", "contacts", N_("Contacts")),
    Group(HelpGroup.MEETINGS, "sitzungen", "meetings", N_("Meetings")),
    Group(HelpGroup.AGENDA, "tagesordnung", "agenda", N_("Agenda and minutes")),
    Group(HelpGroup.COMMITTEES, "gremien", "committees", N_("Committees")),
    Group(HelpGroup.REMINDERS, "erinnerungen", "reminders", N_("Reminders")),
    Group(HelpGroup.TASKS, "aufgaben", "tasks", N_("Tasks and decisions")),
    Group(HelpGroup.PRIVACY, "datenschutz", "privacy", N_("Data protection and export")),
    Group(HelpGroup.NETWORK, "netzwerk", "network", N_("Network and terms")),
    Group(HelpGroup.ADMIN, "verwaltung", "admin", N_("Administration")),
    Group(HelpGroup.GENERAL, "allgemein", "general", N_("General")),
)


def group_named(word: str) -> Group | None:
    """The group ``word`` names, in either language, any case, with or without umlauts."""
    key = fold_text(word)
    return next((g for g in GROUPS if key in (fold_text(g.key), fold_text(g.english))), None)


def group_of(declaration: Command) -> Group:
    """The heading ``declaration`` names."""
    return next(group for group in GROUPS if group.declared is declaration.group)


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
