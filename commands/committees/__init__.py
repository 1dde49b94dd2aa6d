"""Committee commands: ``!gremium neu``, ``!gremium``, ``!gremien``, ``!gremium ändern``,
``!gremium mitglied``.

A committee lives in its own Matrix room: a team member types ``!gremium neu`` there, and from
then on the room *is* the committee — its members see it with ``!gremium``, its organisers
manage the seats and settings there, and no command needs the committee's name.

One module per job: :mod:`~commands.committees.setup` creates and changes, :mod:`~.show`
shows, :mod:`~.members` manages the seats, :mod:`~.who` answers ``!wer`` for a committee;
:mod:`~.converters` reads the options and :mod:`~.texts` words the answers. Finding a
committee by room or name is ``commands/committees/lookup.py``, shared with other features.

The registry takes the commands in the order they are imported here, which is the order
``!hilfe`` lists them.
"""

from __future__ import annotations

from commands.committees.setup import committee_create  # isort: skip (help order)
from commands.committees.show import committee_show  # isort: skip
from commands.committees.show import committee_list  # isort: skip
from commands.committees.setup import committee_change  # isort: skip
from commands.committees.members import committee_member  # isort: skip
from commands.committees.texts import role_label
from commands.committees.who import committee_who

__all__ = [
    "committee_change",
    "committee_create",
    "committee_list",
    "committee_member",
    "committee_show",
    "committee_who",
    "role_label",
]
