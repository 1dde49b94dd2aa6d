"""Committee commands: ``!gremium neu``, ``!gremium``, ``!gremien``, ``!gremium ändern``,
``!gremium mitglied``.

A committee lives in its own Matrix room: a team member types ``!gremium neu`` there, and from
then on the room *is* the committee — its members see it with ``!gremium``, its organisers
manage the seats and settings there, and no command needs the committee's name.

One module per job: :mod:`~commands.committees.setup` creates and changes, :mod:`~.show`
shows, :mod:`~.members` manages the seats, :mod:`~.whoami` answers ``!ich``;
:mod:`~.converters` reads the options and :mod:`~.texts` words the answers. Finding a
committee by room or name is ``commands/committees/lookup.py``, shared with other features.

Each command declares its place in ``!hilfe`` (``group=``, ``rank=``).
"""

from __future__ import annotations

from commands.committees.members import committee_member
from commands.committees.setup import TIMING_CHANGED, committee_change, committee_create
from commands.committees.show import committee_list, committee_show
from commands.committees.whoami import role_show

__all__ = [
    "TIMING_CHANGED",
    "committee_change",
    "committee_create",
    "committee_list",
    "committee_member",
    "committee_show",
    "role_show",
]
