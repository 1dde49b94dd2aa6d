"""Maintenance commands for the administrators named in the configuration."""

from __future__ import annotations

from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Role, RoomKind, command
from commands.framework.reply import Reply, Text, fmt, strong

AUDIT_LIMIT_MAX = 200


def audit_limit(ctx: Context, raw: str) -> int:
    value = converters.number(ctx, raw)
    if value > AUDIT_LIMIT_MAX:
        raise BadArgument(
            ctx.say("At most {maximum} entries can be shown at once.", maximum=AUDIT_LIMIT_MAX)
        )
    return value


@command(
    "audit",
    english="auditlog",
    help=N_("Shows the latest entries of the audit log (who changed what, and when)."),
    options=[Option("limit", "anzahl", audit_limit, aliases=("limit",))],
    min_role=Role.ADMIN,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=("!audit anzahl=50",),
    group=HelpGroup.ADMIN,
    rank=10,
)
async def audit_show(ctx: Context, limit: int | None) -> Reply:
    entries = await ctx.store.audit.newest(limit or 20)
    names = await ctx.store.audit.names(entries)
    # Looking at the log is itself a bulk view of who did what: it is logged too.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "view", "audit_log", "*", "")
    if not entries:
        return Reply.of(ctx._(N_("The audit log is empty.")))
    reply = Reply.of(strong(ctx._(N_("Audit log, newest first:"))))
    return reply.bullets(
        fmt(
            "{when} · {actor} · {action}: {object}",
            when=ctx.t.datetime(entry.at),
            actor=names.get(("actor", entry.actor)) or ctx.person(entry.actor),
            action=ctx._(AUDIT_ACTIONS[entry.action])
            if entry.action in AUDIT_ACTIONS
            else entry.action,
            object=_audited_object(ctx, entry.object_type, entry.object_id, names),
        )
        for entry in entries
    )


# What each action of the log is called for its readers.
AUDIT_ACTIONS = {
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "erase": N_("erased (GDPR)"),
    "view": N_("viewed"),
    "search": N_("searched"),
    "export": N_("exported"),
    "invite": N_("invitation sent"),
    "cancel": N_("cancelled"),
    "move": N_("moved"),
    "record": N_("recorded"),
    "renewed": N_("renewed"),
    "join": N_("joined after an invitation"),
    "join_failed": N_("could not join after an invitation"),
    "decline": N_("declined an invitation"),
    "publish": N_("published"),
    "accept": N_("accepted"),
    "attach": N_("paper attached"),
    "done": N_("marked as dealt with"),
    "postpone": N_("postponed"),
    "withdraw": N_("withdrawn"),
    "demo.seed": N_("sample data loaded"),
    "begin": N_("meeting mode started"),
    "end": N_("meeting mode ended"),
    "approve": N_("approved"),
}
AUDIT_OBJECTS = {
    "person": N_("contact"),
    "organization": N_("organisation"),
    "offer": N_("offer"),
    "committee": N_("committee"),
    "committee_member": N_("committee seat"),
    "meeting": N_("meeting"),
    "meeting_series": N_("meeting series"),
    "reminder": N_("reminder"),
    "decision": N_("decision"),
    "task": N_("task"),
    "agenda_item": N_("agenda item"),
    "minutes": N_("minutes"),
    "minutes_entry": N_("minutes entry"),
    "minutes_note": N_("minutes note"),
    "opening_items": N_("opening items"),
    "demo": N_("demo"),
    "vocabulary_term": N_("term"),
    "calendar_feed": N_("calendar subscription"),
    "network": N_("network overview"),
    "audit_log": N_("audit log"),
    "room": N_("room"),
}


def _audited_object(
    ctx: Context, object_type: str, object_id: str, names: dict[tuple[str, str], str]
) -> Text:
    """``Kontakt Nr. 12 Jana Krüger``, ``Sitzung Nr. 3``, or ``alle Kontakte`` for a bulk view."""
    label = ctx._(AUDIT_OBJECTS[object_type]) if object_type in AUDIT_OBJECTS else object_type
    if object_id in ("", "*"):
        return ctx.say("{what} (all)", what=label)
    name = names.get((object_type, object_id))
    if object_type == "room" and (room_name := ctx.room_name_of(object_id)) is not None:
        return ctx.say("{what} “{name}”", what=label, name=room_name)
    if not object_id.isdigit():
        return fmt("{what} {id}", what=label, id=object_id)
    if name is None:
        return ctx.say("{what} No. {number}", what=label, number=object_id)
    return ctx.say("{what} No. {number} {name}", what=label, number=object_id, name=name)
