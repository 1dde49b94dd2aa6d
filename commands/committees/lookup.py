"""Finding the committee a command is about: by the room it is typed in, or by its name.

Shared by every feature that takes a committee (committees, meetings, the calendar export), so
that a name means the same committee everywhere and an unknown name or an unbound room gets
the same answer everywhere.
"""

from __future__ import annotations

from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.registry import Role, RoomKind
from commands.framework.reply import Text, code, fmt, join, strong
from storage.models import Committee


def title_of(committee: Committee) -> str:
    """``Bildungsbeirat (BB)``."""
    if committee.short_name:
        return f"{committee.name} ({committee.short_name})"
    return committee.name


async def no_such_committee(ctx: Context, name: str) -> NotFound:
    """The one answer to a committee name that names none. The team, outside committee rooms,
    also learns which names there are; a committee's members are told nothing about the
    committees they do not sit in."""
    message = ctx.say("There is no committee {name}.", name=strong(name))
    if ctx.role >= Role.TEAM and ctx.room_kind is not RoomKind.GROUP:
        known = [committee.name for committee in await ctx.store.committees.all()]
        message = (
            message
            + " "
            + ctx.say(
                "{list} lists all committees. Known committees: {known}.",
                list=code(ctx.command_ref("gremien")),
                known=join(", ", known) if known else "–",
            )
        )
    return NotFound(message)


async def committees_matching(ctx: Context, name: str) -> list[Committee]:
    """The committees ``name`` may mean: called so (name or short name, any spelling), or
    failing that, whose name contains it ("bildung" finds the Bildungsbeirat). Never empty."""
    found = await ctx.store.committees.matching(name)
    if not found:
        raise await no_such_committee(ctx, name)
    return found


async def committee_named(ctx: Context, name: str, *, seats: bool = False) -> Committee:
    """The one committee ``name`` means (see :func:`committees_matching`); a name that could
    mean several is refused. With ``seats``, its members are loaded as well."""
    found = await committees_matching(ctx, name)
    if len(found) > 1:
        names = join(", ", [c.short_name or c.name for c in found])
        raise BadArgument(
            ctx.say(
                "{name} could mean several committees: {names}. Please be precise.",
                name=strong(name),
                names=names,
            )
        )
    return await ctx.store.committees.load_seats(found[0]) if seats else found[0]


def not_a_committee_room(ctx: Context) -> Text:
    """The one answer to a committee's command in a room that belongs to no committee."""
    return ctx.say(
        "This room belongs to no committee. {list} lists all committees; "
        "{new}, typed in a committee's own room, sets it up there.",
        list=code(ctx.command_ref("gremien")),
        new=code(ctx.command_ref("gremium neu", '"…" kurz=…')),
    )


async def committee_here(ctx: Context) -> Committee:
    """The committee of the room the command came from, with its seats."""
    committee = await ctx.store.committees.for_room(ctx.room_id, seats=True)
    if committee is None:
        raise NotFound(not_a_committee_room(ctx))
    return committee


async def committee_in_scope(ctx: Context, name: str | None, elsewhere: str) -> Committee | None:
    """The committee a command is about: in a committee's room that committee (another name is
    refused with ``elsewhere``, a msgid with ``{committee}`` that says where other committees
    are dealt with); in the team room or a direct chat the one named, None when none is."""
    here = await ctx.store.committees.for_room(ctx.room_id)
    if here is not None:
        if name and (await committee_named(ctx, name)).id != here.id:
            raise BadArgument(fmt(ctx._(elsewhere), committee=here.name))
        return here
    if ctx.room_kind is RoomKind.GROUP:
        raise NotFound(not_a_committee_room(ctx))
    return await committee_named(ctx, name) if name else None
