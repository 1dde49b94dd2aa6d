"""``!top`` and its subcommands: members propose items, organisers shape them; ``!anlage``.

Who sees an item follows who sees its meeting (``commands/meetings/finding.py``): the
committee's room, the team, and in a direct chat the committee's members. What is out of reach
is "not found", never "not allowed".
"""

from __future__ import annotations

from dataclasses import dataclass

from commands.agenda.card import item_card
from commands.agenda.converters import Proposal, item_minutes, proposal, title
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, strong, text
from commands.meetings.agenda import build_agenda, item_number
from commands.meetings.finding import (
    committee_of_room,
    meeting_in_reach,
    no_such_meeting,
    still_ahead,
    within_reach,
)
from commands.meetings.mode import call_item
from commands.meetings.planning import COMMITTEE_OPTION
from commands.meetings.schedule import item_deadline
from commands.meetings.texts import meeting_number
from storage.models import OPEN_ITEM_STATES, AgendaItem, Committee, ItemStatus, Meeting


@dataclass(frozen=True)
class Placed:
    """An item with the meeting it is planned for (None: the committee's next one) and its
    committee."""

    item: AgendaItem
    meeting: Meeting | None
    committee: Committee


def no_such_item(ctx: Context, number: int) -> NotFound:
    """The one answer to an item number that is unknown or out of reach here."""
    return NotFound(
        ctx.say(
            "There is no agenda item No. {number} here. {agenda} shows the items.",
            number=number,
            agenda=code(ctx.command_ref("tagesordnung")),
        )
    )


async def item_in_reach(ctx: Context, number: int) -> Placed:
    """Item No. ``number`` with its meeting and committee, if it may be shown here."""
    item = await ctx.store.agenda.get(number)
    if item is None:
        raise no_such_item(ctx, number)
    meeting = await ctx.store.meetings.get(item.meeting_id) if item.meeting_id else None
    committee = meeting.committee if meeting else await ctx.store.committees.get(item.committee_id)
    if committee is None or not await within_reach(ctx, committee):
        raise no_such_item(ctx, number)
    return Placed(item, meeting, committee)


async def open_item(ctx: Context, number: int) -> Placed:
    """Item No. ``number`` if it is still on an agenda (not withdrawn, not dealt with)."""
    placed = await item_in_reach(ctx, number)
    if placed.item.status not in OPEN_ITEM_STATES:
        raise BadArgument(
            ctx.say(
                "{item} is withdrawn or dealt with already.", item=item_number(ctx.t, placed.item)
            )
        )
    return placed


async def meeting_items(ctx: Context, meeting: Meeting) -> list[AgendaItem]:
    """The open items of ``meeting``, with those waiting for it if it is the next one."""
    upcoming = await ctx.store.agenda.next_meeting(meeting.committee_id, ctx.clock.now())
    waiting = upcoming is not None and upcoming.id == meeting.id
    return await ctx.store.agenda.for_meeting(meeting, waiting=waiting)


async def position_text(ctx: Context, item: AgendaItem, meeting: Meeting | None) -> Text:
    """``P 5`` for an accepted item on its meeting's agenda, else how it waits."""
    if meeting is not None and item.status == ItemStatus.ACCEPTED:
        agenda = build_agenda(ctx.t, meeting, await meeting_items(ctx, meeting))
        label = agenda.label_of(item.id)
        if label is not None:
            return strong(label)
    if item.status == ItemStatus.LATE:
        return text(ctx._(N_("late item, waiting for acceptance")))
    return text(ctx._(N_("for the next meeting")))


def organiser_of(ctx: Context, committee: Committee) -> bool:
    """Whether the sender organises ``committee`` here: the team anywhere the committee is in
    reach, an organiser in its room."""
    if ctx.role >= Role.TEAM:
        return True
    return ctx.role >= Role.ORGANIZER and ctx.room_id == committee.room_id


def only_organisers(ctx: Context, committee: Committee) -> None:
    if not organiser_of(ctx, committee):
        raise NotAllowed(
            ctx.say(
                "Only the organisers of {committee} shape its agenda.", committee=committee.name
            )
        )


async def organised_item(ctx: Context, number: int) -> Placed:
    """Open item No. ``number`` for a command that only its committee's organisers may use."""
    placed = await open_item(ctx, number)
    only_organisers(ctx, placed.committee)
    return placed


# An item's number, handed to the handler as the item with its meeting and committee.
OPEN_ITEM = Param("placed", N_("item number"), converters.looked_up(open_item))
ORGANISED_ITEM = Param("placed", N_("item number"), converters.looked_up(organised_item))


# --------------------------------------------------------------------------- proposing


async def meeting_for_item(ctx: Context, committee: Committee, number: int | None) -> Meeting:
    """The meeting an item goes to: No. ``number`` of that committee, or its next one."""
    if number is not None:
        meeting = await meeting_in_reach(ctx, number)
        if meeting.committee_id != committee.id:
            raise no_such_meeting(ctx, number)
        still_ahead(ctx, meeting)
        return meeting
    upcoming = await ctx.store.agenda.next_meeting(committee.id, ctx.clock.now())
    if upcoming is None:
        raise NotFound(
            ctx.say(
                "{committee} has no upcoming meeting to take the item. Organisers "
                "schedule one with {new}.",
                committee=committee.name,
                new=code(ctx.command_ref("sitzung neu", "…")),
            )
        )
    return upcoming


@command(
    "top",
    english="item",
    help=N_(
        "Proposes an agenda item for the committee's next meeting (or sitzung=…); nö makes it "
        "non-public. A number alone shows that item."
    ),
    params=[Param("proposed", N_("title"), proposal, greedy=True)],
    options=[
        Option("minutes", "dauer", item_minutes, aliases=("duration", "minuten")),
        Option("meeting", "sitzung", converters.number, aliases=("meeting",)),
        Option("description", "beschreibung", converters.text, aliases=("description",)),
        COMMITTEE_OPTION,
    ],
    examples=(
        "!top Bildungsbericht 2027 dauer=20",
        "!top Personalfrage Kita nö dauer=10",
        "!top Sprachkitas gremium=BB sitzung=12",
        "!top 7",
    ),
    group=HelpGroup.AGENDA,
    rank=20,
)
async def item_propose(
    ctx: Context,
    proposed: Proposal,
    minutes: int | None,
    meeting: int | None,
    description: str | None,
    committee: str | None,
) -> Reply:
    if proposed.call is not None:
        return await call_item(ctx, proposed.call)
    if proposed.show is not None:
        return await item_shown(ctx, proposed.show)
    body = await committee_of_room(ctx, committee)
    if not await within_reach(ctx, body):
        raise NotAllowed(
            ctx.say(
                "Only members of {committee} propose items for its meetings.", committee=body.name
            )
        )
    target = await meeting_for_item(ctx, body, meeting)
    now = ctx.clock.now()
    deadline = item_deadline(body, target)
    late = now > deadline or target.agenda_published_at is not None
    item = await ctx.store.agenda.add(
        now,
        committee_id=body.id,
        meeting_id=target.id,
        title=proposed.title,
        description=description or "",
        minutes=minutes or 15,
        public=proposed.public,
        position=await ctx.store.agenda.last_position(target.id, body.id) + 1,
        status=ItemStatus.LATE if late else ItemStatus.ACCEPTED,
        late=late,
        submitter=ctx.sender,
        submitter_name=ctx.person(ctx.sender),
    )
    await ctx.store.audit.record(now, ctx.sender, "create", "agenda_item", item.id)
    reply = Reply.of(
        ctx.say(
            "{item} “{title}” is proposed for meeting {meeting} on {when} ({place}).",
            item=strong(item_number(ctx.t, item)),
            title=item.title,
            meeting=meeting_number(ctx.t, target),
            when=ctx.t.datetime(target.start),
            place=await position_text(ctx, item, target),
        )
    )
    if not item.public:
        reply.add(ctx._(N_("It is non-public: it is shown only to the committee and the team.")))
    if not late:
        reply.add(
            ctx.say(
                "The deadline for items ({deadline}) has not passed.",
                deadline=ctx.t.datetime(deadline),
            )
        )
        return reply
    why = (
        N_("The agenda has been published already")
        if target.agenda_published_at is not None
        else N_("The deadline for items ({deadline}) has passed")
    )
    reply.add(
        ctx.say(
            "{why}: it is a late item and waits until an organiser accepts it with {accept}.",
            why=fmt(ctx._(why), deadline=ctx.t.datetime(deadline)),
            accept=code(ctx.command_ref(item_accept, str(item.id))),
        )
    )
    return reply


async def item_shown(ctx: Context, number: int) -> Reply:
    """``!top 7``: item No. 7 as the agenda knows it. A non-public item is shown only in its
    committee's room and the team room; anywhere else it does not exist."""
    placed = await item_in_reach(ctx, number)
    own_room = ctx.room_kind is RoomKind.TEAM or ctx.room_id == placed.committee.room_id
    if not placed.item.public and not own_room:
        raise no_such_item(ctx, number)
    place = await position_text(ctx, placed.item, placed.meeting)
    return item_card(ctx, placed.item, placed.meeting, placed.committee, place)


# --------------------------------------------------------------------------- organisers


@command(
    "top annehmen",
    english="item accept",
    help=N_("Accepts a late item onto the agenda."),
    params=[ORGANISED_ITEM],
    min_role=Role.ORGANIZER,
    examples=("!top annehmen 7",),
    group=HelpGroup.AGENDA,
    rank=40,
)
async def item_accept(ctx: Context, placed: Placed) -> Reply:
    item = placed.item
    if item.status != ItemStatus.LATE:
        raise BadArgument(
            ctx.say("{item} is on the agenda already.", item=item_number(ctx.t, item))
        )
    now = ctx.clock.now()
    await ctx.store.agenda.set_status(item, ItemStatus.ACCEPTED, now)
    await ctx.store.audit.record(now, ctx.sender, "accept", "agenda_item", item.id)
    reply = Reply.of(
        ctx.say(
            "{item} {title} is accepted: {place}.",
            item=item_number(ctx.t, item),
            title=item.title,
            place=await position_text(ctx, item, placed.meeting),
        )
    )
    return republish_hint(ctx, reply, placed.meeting)


def republish_hint(ctx: Context, reply: Reply, meeting: Meeting | None) -> Reply:
    """After a change to a published agenda: how the room learns of it."""
    if meeting is not None and meeting.agenda_published_at is not None:
        reply.add(
            ctx.say(
                "The agenda was published already; {publish} posts it again.",
                publish=code(ctx.command_ref("tagesordnung veröffentlichen", str(meeting.id))),
            )
        )
    return reply


@command(
    "top verschieben",
    english="item move",
    help=N_("Moves an item to another position in its part of the agenda."),
    params=[ORGANISED_ITEM, Param("position", N_("position"), converters.number)],
    min_role=Role.ORGANIZER,
    examples=("!top verschieben 7 5",),
    group=HelpGroup.AGENDA,
    rank=50,
)
async def item_move(ctx: Context, placed: Placed, position: int) -> Reply:
    item, meeting = placed.item, placed.meeting
    if item.status != ItemStatus.ACCEPTED or meeting is None:
        raise BadArgument(
            ctx.say(
                "{item} is not on an agenda yet; {accept} accepts it first.",
                item=item_number(ctx.t, item),
                accept=code(ctx.command_ref(item_accept, str(item.id))),
            )
        )
    if meeting.agenda_published_at is not None:
        raise BadArgument(
            ctx.say(
                "The agenda of meeting {meeting} is published; its order is fixed. "
                "Postpone the item with {postpone} if it cannot be dealt with.",
                meeting=meeting_number(ctx.t, meeting),
                postpone=code(ctx.command_ref(item_postpone, str(item.id))),
            )
        )
    items = await meeting_items(ctx, meeting)
    agenda = build_agenda(ctx.t, meeting, items)
    part = agenda.public if item.public else agenda.non_public
    movable = [entry for entry in part if entry.item is not None]
    first = part.index(movable[0]) + 1
    last = first + len(movable) - 1
    if not first <= position <= last:
        raise BadArgument(
            ctx.say(
                "Position {position} is not possible: the submitted items of this part "
                "are numbered {first} to {last}.",
                position=position,
                first=first,
                last=last,
            )
        )
    order = [entry.item for entry in movable if entry.item and entry.item is not item]
    order.insert(position - first, item)
    others = [i for i in items if i.status == ItemStatus.ACCEPTED and i.public != item.public]
    now = ctx.clock.now()
    await ctx.store.agenda.renumber([*order, *others] if item.public else [*others, *order], now)
    await ctx.store.audit.record(now, ctx.sender, "move", "agenda_item", item.id, str(position))
    return Reply.of(
        ctx.say(
            "{item} {title} is now {place}.",
            item=item_number(ctx.t, item),
            title=item.title,
            place=await position_text(ctx, item, meeting),
        )
    )


@command(
    "top zurückziehen",
    english="item withdraw",
    aliases=("top zurueckziehen",),
    help=N_("Withdraws an item (its submitter or an organiser)."),
    params=[OPEN_ITEM],
    examples=("!top zurückziehen 7",),
    group=HelpGroup.AGENDA,
    rank=60,
)
async def item_withdraw(ctx: Context, placed: Placed) -> Reply:
    item = placed.item
    if item.submitter != ctx.sender:
        only_organisers(ctx, placed.committee)
    now = ctx.clock.now()
    await ctx.store.agenda.set_status(item, ItemStatus.WITHDRAWN, now)
    await ctx.store.audit.record(now, ctx.sender, "withdraw", "agenda_item", item.id)
    reply = Reply.of(
        ctx.say("{item} {title} is withdrawn.", item=item_number(ctx.t, item), title=item.title)
    )
    return republish_hint(ctx, reply, placed.meeting)


@command(
    "top vertagen",
    english="item postpone",
    help=N_("Postpones an item to the committee's next meeting."),
    params=[ORGANISED_ITEM],
    min_role=Role.ORGANIZER,
    examples=("!top vertagen 7",),
    group=HelpGroup.AGENDA,
    rank=70,
)
async def item_postpone(ctx: Context, placed: Placed) -> Reply:
    item, meeting = placed.item, placed.meeting
    if meeting is None:
        raise BadArgument(
            ctx.say("{item} waits for the next meeting already.", item=item_number(ctx.t, item))
        )
    after = max(meeting.start, ctx.clock.now())
    target = await ctx.store.agenda.next_meeting(placed.committee.id, after)
    now = ctx.clock.now()
    item.meeting_id = target.id if target else None
    item.deferred_from = meeting.id
    item.position = await ctx.store.agenda.last_position(item.meeting_id, item.committee_id) + 1
    await ctx.store.agenda.touch(item, now)
    await ctx.store.audit.record(now, ctx.sender, "postpone", "agenda_item", item.id)
    if target is None:
        reply = Reply.of(
            ctx.say(
                "{item} {title} is postponed; {committee} has no later meeting yet, "
                "so it waits for the next one.",
                item=item_number(ctx.t, item),
                title=item.title,
                committee=placed.committee.name,
            )
        )
    else:
        reply = Reply.of(
            ctx.say(
                "{item} {title} is postponed to meeting {meeting} on {when}.",
                item=item_number(ctx.t, item),
                title=item.title,
                meeting=meeting_number(ctx.t, target),
                when=ctx.t.datetime(target.start),
            )
        )
    return republish_hint(ctx, reply, meeting)


@command(
    "top ändern",
    english="item change",
    aliases=("top aendern",),
    help=N_("Changes an item's title, planned minutes, description or whether it is public."),
    params=[ORGANISED_ITEM],
    options=[
        Option("new_title", "titel", title, aliases=("title",)),
        Option("minutes", "dauer", item_minutes, aliases=("duration", "minuten")),
        Option("description", "beschreibung", converters.text, aliases=("description",)),
        Option("public", "öffentlich", converters.yes_no, aliases=("oeffentlich", "public")),
    ],
    min_role=Role.ORGANIZER,
    examples=("!top ändern 7 dauer=30", "!top ändern 7 öffentlich=nein"),
    group=HelpGroup.AGENDA,
    rank=80,
)
async def item_change(
    ctx: Context,
    placed: Placed,
    new_title: str | None,
    minutes: int | None,
    description: str | None,
    public: bool | None,
) -> Reply:
    item = placed.item
    changes = {
        "title": new_title,
        "minutes": minutes,
        # "-" empties the description.
        "description": "" if description == "-" else description,
        "public": public,
    }
    given = {key: value for key, value in changes.items() if value is not None}
    if not given:
        raise BadArgument(
            ctx._(
                N_(
                    "Say what to change, e.g. titel=…, dauer=20, beschreibung=… or "
                    "öffentlich=nein."
                )
            )
        )
    now = ctx.clock.now()
    for key, value in given.items():
        setattr(item, key, value)
    await ctx.store.agenda.touch(item, now)
    await ctx.store.audit.record(
        now, ctx.sender, "update", "agenda_item", item.id, ",".join(sorted(given))
    )
    reply = Reply.of(
        fmt(
            ctx._(N_("{item} {title} is changed: {place}, {minutes} min, {part}.")),
            item=item_number(ctx.t, item),
            title=item.title,
            place=await position_text(ctx, item, placed.meeting),
            minutes=item.minutes,
            part=ctx._(N_("public") if item.public else N_("non-public")),
        )
    )
    return republish_hint(ctx, reply, placed.meeting)


@command(
    "top erledigt",
    english="item done",
    help=N_("Marks an item as dealt with, so it is not postponed after its meeting."),
    params=[ORGANISED_ITEM],
    min_role=Role.ORGANIZER,
    examples=("!top erledigt 7",),
    group=HelpGroup.AGENDA,
    rank=90,
)
async def item_done(ctx: Context, placed: Placed) -> Reply:
    now = ctx.clock.now()
    await ctx.store.agenda.mark_done(placed.item, now)
    await ctx.store.audit.record(now, ctx.sender, "done", "agenda_item", placed.item.id)
    return Reply.of(
        ctx.say(
            "{item} {title} is marked as dealt with.",
            item=item_number(ctx.t, placed.item),
            title=placed.item.title,
        )
    )


# --------------------------------------------------------------------------- papers


@command(
    "anlage",
    english="paper",
    aliases=("attachment",),
    help=N_("Attaches the file you reply to (posted in this room) to an agenda item."),
    params=[OPEN_ITEM],
    min_role=Role.MEMBER,
    rooms=(RoomKind.GROUP,),
    examples=("!anlage 7",),
    group=HelpGroup.AGENDA,
    rank=30,
)
async def paper_attach(ctx: Context, placed: Placed) -> Reply:
    how = ctx.say(
        "Post the file in this room, then answer it with {command} (reply to the file's message).",
        command=code(ctx.command_ref(paper_attach, str(placed.item.id))),
    )
    if ctx.replied_to is None:
        raise BadArgument(how)
    replied = await ctx.replied_to()
    if replied is None or replied.room_id != placed.committee.room_id:
        raise BadArgument(
            ctx.say(
                "I cannot read the message you replied to, so I cannot attach it. {how}", how=how
            )
        )
    if replied.file_name is None:
        raise BadArgument(ctx.say("The message you replied to is no file. {how}", how=how))
    if replied.sender != ctx.sender and not organiser_of(ctx, placed.committee):
        raise NotAllowed(
            ctx._(N_("You can attach only files you posted yourself; organisers attach any."))
        )
    now = ctx.clock.now()
    await ctx.store.agenda.add_paper(
        placed.item,
        now,
        name=replied.file_name[:255],
        room_id=replied.room_id,
        event_id=replied.event_id,
        added_by=ctx.sender,
    )
    await ctx.store.audit.record(now, ctx.sender, "attach", "agenda_item", placed.item.id)
    return Reply.of(
        ctx.say(
            "{name} is attached to {item} {title}.",
            name=strong(replied.file_name),
            item=item_number(ctx.t, placed.item),
            title=placed.item.title,
        )
    )
