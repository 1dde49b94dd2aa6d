"""``!aufgaben``: the open tasks of the room's scope, overdue ones first.

In a committee room that committee's tasks; in the team room all of them (the office's own and
every committee's); in a direct chat the sender's own (the team may widen it with gremium= or
wer=). ``meine``, ``alle`` (done ones too) and ``überfällig`` narrow or widen the list.
"""

from __future__ import annotations

from commands.committees.lookup import committee_in_scope
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import NotFound
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, strong
from commands.tasks.converters import OwnerRef, TaskFilter, owner_ref, task_filter
from commands.tasks.texts import is_overdue, listing_order, local_today, task_line
from storage.models import Committee
from storage.tasks import Owner


async def _scope(ctx: Context, name: str | None) -> tuple[Committee | None, bool]:
    """The committee whose tasks are listed (None: all), and whether only the sender's own
    tasks may be listed (a direct chat of someone outside the team)."""
    committee = await committee_in_scope(
        ctx,
        name,
        N_(
            "This is the room of {committee}; the tasks of other committees are listed in the "
            "team room."
        ),
    )
    return committee, ctx.room_kind is RoomKind.DIRECT and ctx.role < Role.TEAM


@command(
    "aufgaben",
    english="tasks",
    help=N_(
        "Lists the open tasks here, overdue ones first: a committee's in its room, all in the "
        "team room, your own in a direct chat."
    ),
    params=[Param("which", N_("mine/all/overdue"), task_filter, optional=True, greedy=True)],
    options=[
        Option("committee", "gremium", converters.text, aliases=("committee",)),
        Option("owner", "wer", owner_ref, aliases=("who", "owner")),
        PAGE_OPTION,
    ],
    examples=("!aufgaben", "!aufgaben überfällig", "!aufgaben meine", "!aufgaben gremium=BB"),
    group=HelpGroup.TASKS,
    rank=10,
)
async def tasks_list(
    ctx: Context,
    which: TaskFilter | None,
    committee: str | None,
    owner: OwnerRef | None,
    page: int | None,
) -> Reply:
    wanted = which or TaskFilter()
    scope, own_only = await _scope(ctx, committee)
    direct_default = ctx.room_kind is RoomKind.DIRECT and committee is None and owner is None
    chosen: Owner | None = await owner.resolve(ctx) if owner is not None else None
    if wanted.mine or own_only or direct_default:
        if chosen is not None and own_only and chosen.matrix_id != ctx.sender:
            raise NotFound(ctx._(N_("In a direct chat you see your own tasks only.")))
        chosen = Owner(matrix_id=ctx.sender)
    found = await ctx.store.tasks.tasks(
        committee_id=scope.id if scope is not None else None,
        owner=chosen,
        include_done=wanted.with_done,
    )
    now = ctx.clock.now()
    today = local_today(ctx.t, now)
    if wanted.overdue_only:
        found = [task for task in found if is_overdue(task, today)]
    found.sort(key=lambda task: listing_order(task, today))
    heading = _heading(ctx, scope, chosen, wanted, len(found))
    if not found:
        return Reply.of(heading).add(
            ctx.say("{new} records one.", new=code(ctx.command_ref("aufgabe neu", "…")))
        )
    shown = page_from(page)
    overdue = sum(is_overdue(task, today) for task in found)
    reply = Reply.of(strong(heading))
    reply.bullets(
        (
            task_line(ctx.t, task, now, ctx.person, with_committee=scope is None)
            for task in found[shown.offset : shown.offset + shown.size]
        ),
        more_note(ctx, shown, len(found), ctx.command_ref(tasks_list)),
    )
    if overdue:
        reply.add(
            fmt(
                ctx.t.ngettext(
                    "{count} of them is overdue.", "{count} of them are overdue.", overdue
                ),
                count=overdue,
            )
        )
    return reply


def _heading(
    ctx: Context, scope: Committee | None, owner: Owner | None, wanted: TaskFilter, count: int
) -> Text:
    """``Offene Aufgaben des Bildungsbeirats (3):`` and its variants, or that there are none."""
    if owner is not None and owner.matrix_id == ctx.sender:
        whose = ctx._(N_("your"))
    elif scope is not None:
        whose = scope.name
    else:
        whose = ctx._(N_("all"))
    if count == 0:
        message = (
            N_("No overdue tasks ({whose}).")
            if wanted.overdue_only
            else N_("No open tasks ({whose}).")
        )
        return fmt(ctx._(message), whose=whose)
    if wanted.overdue_only:
        message = N_("Overdue tasks ({whose}, {count}):")
    elif wanted.with_done:
        message = N_("Tasks including done ones ({whose}, {count}):")
    else:
        message = N_("Open tasks ({whose}, {count}):")
    return fmt(ctx._(message), whose=whose, count=count)
