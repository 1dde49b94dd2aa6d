"""``!kalender`` — the meetings as an iCalendar file and as a subscription feed."""

from __future__ import annotations

import asyncio

from commands.committees.lookup import (
    committees_matching,
    not_a_committee_room,
)
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Param, Role, RoomKind, command
from commands.framework.reply import Attachment, Reply, code, fmt, strong
from commands.meetings.feed import calendar_file
from commands.meetings.ics import calendar_filename, calendar_name
from storage.committees import is_called
from storage.folding import fold_text
from storage.models import Committee

ICS_MIMETYPE = "text/calendar"
NEW_LABEL = N_("new")
NEW_WORDS = frozenset({"neu", "new", "erneuern", "renew"})  # folded spellings


def renewal(ctx: Context, raw: str) -> bool:
    """The word that asks for a new feed address: ``neu`` or ``new``."""
    if fold_text(raw) in NEW_WORDS or fold_text(raw) == fold_text(ctx._(NEW_LABEL)):
        return True
    raise BadArgument(
        ctx.say(
            "{raw} is not understood here. Write {word} to get a new address.",
            raw=code(raw),
            word=code(ctx._(NEW_LABEL)),
        )
    )


async def _chosen_committees(ctx: Context, wanted: str | None) -> tuple[list[Committee], bool]:
    """The committees whose meetings the file holds, and whether that is all of them."""
    if ctx.room_kind is RoomKind.GROUP:
        own = await ctx.store.committees.for_room(ctx.room_id)
        if own is None and (wanted is None or ctx.role < Role.TEAM):
            raise NotFound(not_a_committee_room(ctx))
        if own is not None and (wanted is None or is_called(own, fold_text(wanted))):
            return [own], False
        # In a committee room only that committee's calendar: another committee's meetings
        # (with their online links) do not belong into this room, whoever asks.
        if own is not None or ctx.role < Role.TEAM:
            raise NotAllowed(
                ctx.say(
                    "In this room {command} exports this committee's meetings. "
                    "The team gets other committees' calendars in the team room.",
                    command=code(ctx.command_ref("kalender")),
                )
            )
    if wanted is None:
        return await ctx.store.committees.all(), True
    return await committees_matching(ctx, wanted), False


@command(
    "kalender",
    english="calendar",
    help=N_(
        "Sends the upcoming meetings as a calendar file (.ics) for Outlook and Thunderbird: "
        "this committee's, or all committees' in the team room."
    ),
    params=[Param("committee", N_("committee"), converters.text, optional=True, greedy=True)],
    min_role=Role.MEMBER,
    rooms=(RoomKind.TEAM, RoomKind.GROUP, RoomKind.DIRECT),
    examples=("!kalender", "!kalender Bildungsbeirat"),
    group=HelpGroup.MEETINGS,
    rank=70,
)
async def calendar_export(ctx: Context, committee: str | None) -> Reply:
    """The upcoming meetings of the room's committee (or of all, or of ``committee``) as an
    .ics file attached to the answer."""
    committees, everything = await _chosen_committees(ctx, committee)
    now = ctx.clock.now()
    rows = await ctx.store.calendar.rows(committees, since=now)
    upcoming = rows.upcoming(now)
    scope = ctx._(N_("all committees")) if everything else ", ".join(c.name for c in committees)
    if not upcoming:
        return Reply.of(
            ctx.say(
                "No upcoming meetings for {scope}, so there is no calendar file. "
                "Organisers schedule one with {command}.",
                scope=strong(scope),
                command=code(ctx.command_ref("sitzung neu")),
            )
        )
    name = calendar_name(committees, everything, ctx._)
    # A long series with many occurrences takes a moment; the event loop serves others meanwhile.
    data = await asyncio.to_thread(calendar_file, ctx.t, name, rows, now=now, since=now)
    filename = calendar_filename(committees, everything, ctx.t.language, ctx.t.local(now).date())
    await ctx.store.audit.record(
        now,
        ctx.sender,
        "export",
        "committee",
        "*" if everything else ",".join(str(c.id) for c in committees),
        f"count={len(upcoming)} format=ics",
    )
    template = ctx.t.ngettext(
        "{count} upcoming meeting of {scope} as a calendar file: {file}",
        "{count} upcoming meetings of {scope} as a calendar file: {file}",
        len(upcoming),
    )
    reply = Reply.of(fmt(template, count=len(upcoming), scope=strong(scope), file=code(filename)))
    reply.add(
        ctx._(
            N_(
                "Open the file with Outlook or Thunderbird to add the meetings to your calendar; "
                "importing it again later updates them instead of doubling them."
            )
        )
    )
    if ctx.feed_base_url:
        reply.add(
            ctx.say(
                "For a calendar that updates itself, an organiser asks for its "
                "address in the committee room with {command}.",
                command=code(ctx.command_ref(calendar_subscribe)),
            )
        )
    reply.attachments.append(Attachment(filename, ICS_MIMETYPE, data))
    return reply


@command(
    "kalender abo",
    english="calendar subscribe",
    aliases=("kalender abonnieren", "calendar feed"),
    help=N_(
        "Gives the address under which Outlook or Thunderbird subscribe to this committee's "
        "meetings; with 'new' the old address stops working."
    ),
    params=[Param("renew", NEW_LABEL, renewal, optional=True)],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.GROUP,),
    examples=("!kalender abo", "!kalender abo neu"),
    group=HelpGroup.MEETINGS,
    rank=80,
)
async def calendar_subscribe(ctx: Context, renew: bool | None) -> Reply:
    """The committee's feed address; created on first use, replaced with ``neu``."""
    if not ctx.feed_base_url:
        return Reply.of(
            ctx.say(
                "The calendar subscription is switched off. An administrator can switch "
                "it on in the configuration: section {section} with {enabled} and "
                "{public_url} set to the address under which the bot's web server is "
                "reachable, then restart the bot. Until then, {command} sends the "
                "meetings as a file.",
                section=code("[http]"),
                enabled=code("enabled = true"),
                public_url=code('public_url = "https://…"'),
                command=code(ctx.command_ref(calendar_export)),
            )
        )
    repository = ctx.store.calendar
    committee = await ctx.store.committees.for_room(ctx.room_id)
    if committee is None:
        raise NotFound(not_a_committee_room(ctx))
    now = ctx.clock.now()
    if renew:
        await repository.rotate_feed_token(committee, now)
        # Never the token itself in the log: it is the key to the feed.
        await ctx.store.audit.record(
            now, ctx.sender, "update", "calendar_feed", committee.id, "renewed"
        )
    elif await repository.ensure_feed_token(committee, now):
        await ctx.store.audit.record(now, ctx.sender, "create", "calendar_feed", committee.id, "")
    else:
        await ctx.store.audit.record(now, ctx.sender, "view", "calendar_feed", committee.id, "")
    url = f"{ctx.feed_base_url}/kalender/{committee.feed_token}.ics"
    lead = (
        N_(
            "New subscription address for the meetings of {committee} "
            "(the old one no longer works):"
        )
        if renew
        else N_("Subscription address for the meetings of {committee}:")
    )
    reply = Reply.of(fmt(ctx._(lead), committee=strong(committee.name)))
    # Plain, not as code: clients turn it into a link that can be copied or clicked.
    reply.add(url)
    reply.add(
        ctx._(
            N_(
                "In Outlook: Add calendar → From Internet; in Thunderbird: New Calendar → On the "
                "Network. The calendar updates itself and shows only what is public: dates, "
                "places, online links, no non-public agenda items."
            )
        )
    )
    reply.add(
        ctx.say(
            "Anyone who has the address can read the calendar. If it reached the wrong "
            "people, {command} replaces it.",
            command=code(ctx.command_ref(calendar_subscribe, ctx._(NEW_LABEL))),
        )
    )
    return reply
