"""How the bot reads a room from its cached state: what kind of room it is, who is who in it,
what the bot is called there, and which thread a message belongs to."""

from __future__ import annotations

from nio import MatrixRoom
from nio.events import Event

from bot.matrix import is_joined
from commands.framework.registry import Role, RoomKind
from storage.models import LEADING_SEAT_ROLES

ORGANIZER_POWER_LEVEL = 50


def bot_names(room: MatrixRoom, bot_user_id: str) -> tuple[str, ...]:
    """What people call the bot in ``room``: its display name there, and its localpart."""
    own = room.users.get(bot_user_id)
    names = [bot_user_id.split(":")[0].lstrip("@")]
    if own is not None and own.display_name:
        names.insert(0, own.display_name)
    return tuple(names)


def room_kind(room: MatrixRoom, team_room_id: str | None, committee_room: bool) -> RoomKind:
    """The team room, a group (any shared room, a committee's above all) or a direct chat."""
    if room.room_id == team_room_id:
        return RoomKind.TEAM
    # Invited people count: they can read the room's history once they join.
    if len(room.users) > 2:
        return RoomKind.GROUP
    # A committee room may hold only the bot and one organiser; binding makes it a group.
    return RoomKind.GROUP if committee_room else RoomKind.DIRECT


def role_of(
    room: MatrixRoom,
    sender: str,
    kind: RoomKind,
    seat_role: str | None = None,
    *,
    admin: bool,
    team: bool,
) -> Role:
    """The sender's role from cached room state and their seat in the room's committee:
    the chair, the deputy chair and the secretary organise it like a room moderator."""
    if admin:
        return Role.ADMIN
    if team:
        return Role.TEAM
    if kind is RoomKind.GROUP and is_joined(room, sender):
        if room.power_levels.get_user_level(sender) >= ORGANIZER_POWER_LEVEL:
            return Role.ORGANIZER
        if seat_role in LEADING_SEAT_ROLES:
            return Role.ORGANIZER
        return Role.MEMBER
    return Role.GUEST


def thread_root(event: Event) -> str | None:
    """The root of the thread ``event`` was sent in; None outside a thread."""
    relation = event.source.get("content", {}).get("m.relates_to") or {}
    if relation.get("rel_type") == "m.thread":
        root = relation.get("event_id")
        return root if isinstance(root, str) else None
    return None
