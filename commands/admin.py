"""Maintenance commands for the administrators named in the configuration."""

from __future__ import annotations

from commands import converters
from commands.context import Context
from commands.errors import BadArgument
from commands.i18n import N_
from commands.registry import Option, Role, RoomKind, command
from commands.reply import Reply, code, fmt, strong

AUDIT_LIMIT_MAX = 200


def audit_limit(ctx: Context, raw: str) -> int:
    value = converters.number(ctx, raw)
    if value > AUDIT_LIMIT_MAX:
        raise BadArgument(
            fmt(
                ctx._(N_("At most {maximum} entries can be shown at once.")),
                maximum=AUDIT_LIMIT_MAX,
            )
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
)
async def audit_show(ctx: Context, limit: int | None) -> Reply:
    entries = await ctx.store.audit.latest(limit or 20)
    # Looking at the log is itself a bulk view of who did what: it is logged too.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "view", "audit_log", "*", "")
    if not entries:
        return Reply.of(ctx._(N_("The audit log is empty.")))
    reply = Reply.of(strong(ctx._(N_("Audit log, latest entries:"))))
    return reply.bullets(
        fmt(
            "{when} · {actor} · {action} {object}",
            when=ctx.t.datetime(entry.at),
            actor=entry.actor,
            action=entry.action,
            object=code(f"{entry.object_type}:{entry.object_id}"),
        )
        for entry in entries
    )
