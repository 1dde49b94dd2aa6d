"""The demo's people and rooms, and how the terminal names them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from storage.folding import fold_text

BOT_LOCALPART: Final = "kuemmerer"
BOT_NAME: Final = "Kümmerer"


@dataclass(frozen=True)
class PersonSpec:
    """One of the demo's people."""

    key: str
    localpart: str
    display_name: str
    role: str


@dataclass(frozen=True)
class RoomSpec:
    """One of the demo's rooms; Anna creates it, the bot and ``members`` join."""

    key: str
    name: str
    aliases: tuple[str, ...]
    encrypted: bool
    members: tuple[str, ...]


ANNA: Final = PersonSpec("anna", "anna.schulz", "Anna Schulz", "Bildungsbüro (Team), Admin")
BERND: Final = PersonSpec("bernd", "bernd.keller", "Bernd Keller", "Mitglied im Bildungsbeirat")
PEOPLE: Final = (ANNA, BERND)
TEAM: Final = RoomSpec("team", "Bildungsbüro (Team)", ("team",), encrypted=False, members=())
BEIRAT: Final = RoomSpec(
    "beirat",
    "Bildungsbeirat",
    ("beirat", "gremium", "committee"),
    # Committee rooms on public-sector homeservers are encrypted: the demo shows that works.
    encrypted=True,
    members=(BERND.key,),
)
STEUERUNG: Final = RoomSpec(
    "steuerung", "Steuerungsgruppe Bildung", ("steuerung", "sg"), encrypted=False, members=()
)
AG_USB: Final = RoomSpec(
    "ag", "AG Übergang Schule–Beruf", ("ag", "uesb", "schule-beruf"), encrypted=False, members=()
)
ROOMS: Final = (TEAM, BEIRAT, STEUERUNG, AG_USB)

HELP_TEXT: Final = """\
Im Terminal (in the terminal):
  Nachricht eintippen + Enter    sendet sie als aktuelle Person in den aktuellen Raum
                                 (type a message to send it), z. B. !hilfe
  /raum team | beirat | sg | ag  wechselt den Raum (/room; Anfang des Namens genügt)
  /als anna | bernd              wechselt die Person (/as)
  /hilfe                         zeigt diese Hilfe (/help)
  /beenden                       beendet alles (/quit, Strg-D, Strg-C)"""


class DemoError(Exception):
    """The demo could not be set up; the message says what failed."""


T = TypeVar("T")


def choose(choices: Sequence[T], word: str, names: Callable[[T], Sequence[str]]) -> T | None:
    """The choice one of whose names is ``word``, or the only one a name of which starts so."""
    wanted = fold_text(word.strip())
    if not wanted:
        return None
    for choice in choices:
        if wanted in (fold_text(name) for name in names(choice)):
            return choice
    starting = [c for c in choices if any(fold_text(n).startswith(wanted) for n in names(c))]
    return starting[0] if len(starting) == 1 else None


def room_names(spec: RoomSpec) -> tuple[str, ...]:
    """What ``/raum`` accepts for a room (prefixes of these, too)."""
    return (spec.key, spec.name, *spec.aliases)


def person_names(spec: PersonSpec) -> tuple[str, ...]:
    """What ``/als`` accepts for a person (prefixes of these, too)."""
    first = spec.display_name.split()[0]
    return (spec.key, first, spec.display_name, spec.localpart, f"@{spec.localpart}")
