"""``!gremium`` and ``!gremien``: one committee in full, and all of them."""

from __future__ import annotations

from commands.committees.lookup import committee_here, committee_named, title_of
from commands.committees.texts import (
    kind_label,
    meeting_brief,
    ordered_seats,
    seat_entry,
    settings_lines,
)
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import NotAllowed
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Reply, code, fmt, join, strong

TEAM_ROOMS = (RoomKind.TEAM, RoomKind.DIRECT)


@command(
    "gremium",
    english="committee",
    help=N_("Shows this room's committee: members with their roles, next meeting, settings."),
    params=[Param("name", N_("name"), converters.text, optional=True, greedy=True)],
    min_role=Role.MEMBER,
    examples=("!gremium", "!gremium BB"),
    group=HelpGroup.COMMITTEES,
    rank=20,
)
async def committee_show(ctx: Context, name: str | None) -> Reply:
    if name is None:
        committee = await committee_here(ctx)
    elif ctx.room_kind is RoomKind.GROUP or ctx.role < Role.TEAM:
        # In a committee room only that committee is shown: its members do not see others.
        raise NotAllowed(
            ctx.say(
                "Here {command} shows this room's committee only; the team finds the "
                "others in the team room.",
                command=code(ctx.command_ref("gremium")),
            )
        )
    else:
        committee = await committee_named(ctx, name, seats=True)
    now = ctx.clock.now()
    upcoming = await ctx.store.committees.upcoming_count(committee, now)
    next_meeting = (await ctx.store.committees.next_meetings([committee.id], now)).get(
        committee.id
    )
    reply = Reply.of(strong(ctx.say("Committee {name}", name=title_of(committee))))
    lines = [
        fmt(
            "{label}: {value}",
            label=ctx._(N_("Next meeting")),
            value=meeting_brief(ctx.t, next_meeting)
            if next_meeting
            else ctx._(N_("none planned")),
        ),
        fmt("{label}: {value}", label=ctx._(N_("Upcoming meetings")), value=upcoming),
        *settings_lines(ctx, committee),
    ]
    reply.bullets(lines)
    seats = ordered_seats(committee)
    reply.add(
        strong(
            fmt(
                ctx.t.ngettext("{count} member:", "{count} members:", len(seats)),
                count=len(seats),
            )
        )
    )
    if seats:
        numbered = ctx.role >= Role.TEAM and ctx.room_kind is not RoomKind.GROUP
        reply.bullets(seat_entry(ctx, member, numbered=numbered) for member in seats)
    elif ctx.role >= Role.ORGANIZER and ctx.room_id == committee.room_id:
        reply.add(
            ctx.say(
                "No members recorded yet. {command} adds one.",
                command=code(ctx.command_ref("gremium mitglied", "@…:… rolle=…")),
            )
        )
    else:
        reply.add(ctx._(N_("No members recorded yet.")))
    return reply


@command(
    "gremien",
    english="committees",
    help=N_("Lists all committees with their members and next meetings."),
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!gremien",),
    group=HelpGroup.COMMITTEES,
    rank=30,
)
async def committee_list(ctx: Context) -> Reply:
    committees = await ctx.store.committees.all()
    if not committees:
        return Reply.of(
            ctx.say(
                "No committee is set up yet. Create a room for the committee, invite "
                "the bot and type {command} there.",
                command=code(ctx.command_ref("gremium neu", '"…" kurz=…')),
            )
        )
    ids = [committee.id for committee in committees]
    upcoming = await ctx.store.committees.next_meetings(ids, ctx.clock.now())
    seat_counts = await ctx.store.committees.seat_counts(ids)
    header = ctx.t.ngettext("{count} committee:", "{count} committees:", len(committees))
    reply = Reply.of(strong(fmt(header, count=len(committees))))
    entries = []
    for committee in committees:
        members = seat_counts[committee.id]
        next_meeting = upcoming.get(committee.id)
        entries.append(
            join(
                " · ",
                [
                    strong(title_of(committee)),
                    kind_label(ctx, committee.kind),
                    fmt(
                        ctx.t.ngettext("{count} member", "{count} members", members),
                        count=members,
                    ),
                    ctx.say("next meeting: {meeting}", meeting=meeting_brief(ctx.t, next_meeting))
                    if next_meeting
                    else ctx._(N_("no meeting planned")),
                ],
            )
        )
    reply.bullets(entries)
    return reply.add(
        ctx.say(
            "{command} shows one of them in full.", command=code(ctx.command_ref("gremium", "<…>"))
        )
    )
