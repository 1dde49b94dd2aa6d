"""``!gremium mitglied``: a seat is added, changes its role, or is removed.

The registry reads at most two words as a command name, so ``entfernen`` is not a third word of
the name but the first word of the member argument: :func:`seat_change` reads
"entfernen @bernd:…" as "remove this member". One command thus covers adding, re-roling and
removing a seat, and ``!hilfe gremium mitglied`` shows both forms in its examples."""

from __future__ import annotations

from commands.committees.converters import SeatChange, seat_change, seat_role
from commands.committees.lookup import committee_here, title_of
from commands.committees.texts import holder_text
from commands.contacts.converters import number_label
from commands.contacts.seats import role_label
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, code, fmt, strong, text
from storage.models import Committee, Person


@command(
    "gremium mitglied",
    english="committee member",
    help=N_(
        "Adds a member to this committee or changes their role; with entfernen (remove) "
        "before the member, removes them."
    ),
    params=[Param("change", N_("contact number or @matrix-id"), seat_change, greedy=True)],
    options=[Option("role", "rolle", seat_role, aliases=("role",))],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=(
        "!gremium mitglied @bernd:example.org rolle=Vorsitz",
        "!gremium mitglied 12",
        "!gremium mitglied entfernen @bernd:example.org",
    ),
    group=HelpGroup.COMMITTEES,
    rank=50,
)
async def committee_member(ctx: Context, change: SeatChange, role: str | None) -> Reply:
    committee = await committee_here(ctx)
    if change.remove:
        if role is not None:
            raise BadArgument(
                ctx._(N_("A member who is removed needs no role: leave out rolle=."))
            )
        return await remove_seat(ctx, committee, change)
    person = await seat_person(ctx, change)
    matrix_id = change.matrix_id or (person.matrix_id if person is not None else "")
    existing = ctx.store.committees.seat_of(committee, person, matrix_id)
    wanted = role or (existing.role if existing is not None else "Mitglied")
    member, created = await ctx.store.committees.seat(
        committee, ctx.clock.now(), wanted, person=person, matrix_id=matrix_id
    )
    await ctx.store.audit.record(
        ctx.clock.now(),
        ctx.sender,
        "create" if created else "update",
        "committee_member",
        member.id,
        f"committee={committee.id},role={member.role}",
    )
    if created and member.role == "Mitglied":
        template = N_("{holder} is now a member of the committee {committee}.")
    elif created:
        template = N_("{holder} is now a member of the committee {committee}, as {role}.")
    else:
        template = N_("{holder} now holds the role {role} in the committee {committee}.")
    # No hint about a missing contact record here: the answer is read by the whole room, and
    # whether someone is in the office's contact network is none of its business.
    return Reply.of(
        fmt(
            ctx._(template),
            holder=strong(holder_text(ctx, member)),
            committee=title_of(committee),
            role=role_label(ctx, member.role),
        )
    )


async def seat_person(ctx: Context, change: SeatChange) -> Person | None:
    """The contact record a new seat is linked to, if there is one."""
    if change.person_number is None:
        # The account's contact record, when exactly one has it: with two, linking either
        # would be a guess.
        found = await ctx.store.contacts.persons_with_matrix_id(change.matrix_id)
        return found[0] if len(found) == 1 else None
    # Contact numbers open the contact network, which only the team may see.
    if ctx.role < Role.TEAM:
        raise NotAllowed(
            ctx._(
                N_(
                    "Only the team can link a contact number; add the member by their Matrix "
                    "account instead, e.g. @bernd:example.org."
                )
            )
        )
    person = await ctx.store.contacts.person(change.person_number, places=True)
    if person is None:
        raise NotFound(
            ctx.say(
                "There is no contact with {number}.",
                number=number_label(ctx, change.person_number),
            )
        )
    return person


async def remove_seat(ctx: Context, committee: Committee, change: SeatChange) -> Reply:
    """Remove the seat ``change`` names from ``committee``, or say that there is none."""
    member = next(
        (
            m
            for m in committee.members
            if (change.person_number is not None and m.person_id == change.person_number)
            or (change.matrix_id and m.matrix_id == change.matrix_id)
        ),
        None,
    )
    if member is None:
        who = (
            number_label(ctx, change.person_number)
            if change.person_number is not None
            else text(ctx.person(change.matrix_id))
        )
        raise NotFound(
            ctx.say(
                "{who} has no seat in the committee {committee}. {show} lists them.",
                who=strong(who),
                committee=title_of(committee),
                show=code(ctx.command_ref("gremium")),
            )
        )
    holder = holder_text(ctx, member)
    member_id = member.id
    await ctx.store.committees.unseat(committee, member, ctx.clock.now())
    await ctx.store.audit.record(
        ctx.clock.now(),
        ctx.sender,
        "delete",
        "committee_member",
        member_id,
        f"committee={committee.id}",
    )
    return Reply.of(
        ctx.say(
            "{holder} is no longer a member of the committee {committee}.",
            holder=strong(holder),
            committee=title_of(committee),
        )
    )
