"""One declaration per command; help, usage lines and the README table are built from it."""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from storage.folding import fold_text

if TYPE_CHECKING:
    from commands.framework.context import Context, JobContext, Post
    from commands.framework.questions import QuestionReader
    from commands.framework.reply import Reply

DECLARATION_ATTRIBUTE = "__kuemmerer_command__"


class Role(IntEnum):
    """Who the sender is in the room the command came from; higher includes lower."""

    GUEST = 0
    MEMBER = 1
    ORGANIZER = 2
    TEAM = 3
    ADMIN = 4


class RoomKind(Enum):
    TEAM = "team"  # the configured team room
    GROUP = "group"  # any other shared room, e.g. a committee room
    DIRECT = "direct"  # a direct chat between the bot and one person


ALL_ROOMS = frozenset(RoomKind)


class HelpGroup(IntEnum):
    """The headings of the short help, in the order of the office's day. Each command
    declares its group and its rank within it, so the help order is written down and does
    not follow the order in which modules happen to be imported."""

    CONTACTS = 1
    MEETINGS = 2
    AGENDA = 3
    COMMITTEES = 4
    REMINDERS = 5
    TASKS = 6
    PRIVACY = 7
    NETWORK = 8
    ADMIN = 9
    GENERAL = 10


class Converter(Protocol):
    """Turns one argument's text into a domain value or raises ``BadArgument``; a converter
    that looks a record up returns a coroutine, which the parser awaits."""

    def __call__(self, ctx: Context, raw: str, /) -> Any: ...


@dataclass(frozen=True)
class Param:
    """A positional argument. ``label`` is an English msgid shown (translated) in usage."""

    name: str
    label: str
    converter: Converter
    optional: bool = False
    greedy: bool = False  # takes the rest of the line, e.g. a date written in words
    # Takes the whole argument line exactly as typed (quotes, spacing, "a=b" included), e.g.
    # the text of a reminder. Only for a command's single parameter, without options.
    verbatim: bool = False


@dataclass(frozen=True)
class Option:
    """A ``key=value`` argument; ``key`` is German, ``aliases`` English or umlaut-free."""

    name: str
    key: str
    converter: Converter
    aliases: tuple[str, ...] = ()
    label: str = ""
    # A required option is refused as missing by the parser and shown without brackets in
    # the usage line; its handler parameter is never None.
    required: bool = False


Handler = Callable[..., Awaitable["Reply"]]
LISTENER_ATTRIBUTE = "__kuemmerer_listener__"


Subject = TypeVar("Subject")
Listener = Callable[["Context", Subject], Awaitable[None]]


@dataclass(frozen=True)
class Event(Generic[Subject]):
    """Something one feature announces and another reacts to within the same command, so the
    announcing feature need not import the reacting one: ``committees`` announces that a
    committee's reminder times changed, ``meetings`` re-arms the committee's meetings."""

    name: str


def listens_to(event: Event[Subject]) -> Callable[[Listener[Subject]], Listener[Subject]]:
    """Declare the decorated coroutine as a reaction to ``event``; :class:`Registry` collects
    it like a command."""

    def attach(listener: Listener[Subject]) -> Listener[Subject]:
        setattr(listener, LISTENER_ATTRIBUTE, event)
        return listener

    return attach


@dataclass(frozen=True)
class Command:
    """A command as declared: the single source of its syntax, help and permission."""

    name: str  # German, canonical
    english: str
    aliases: tuple[str, ...]
    help: str  # English msgid, translated when shown
    handler: Handler
    params: tuple[Param, ...] = ()
    options: tuple[Option, ...] = ()
    min_role: Role = Role.GUEST
    rooms: frozenset[RoomKind] = ALL_ROOMS
    examples: tuple[str, ...] = ()
    group: HelpGroup = HelpGroup.GENERAL
    rank: int = 0  # the place within its group; the help lists lower ranks first

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.english, *self.aliases)

    def name_in(self, language: str) -> str:
        """The name shown to readers of ``language``."""
        return self.english if language == "en" else self.name

    def ref(self, language: str, prefix: str, rest: str = "") -> str:
        """The command as a reader of ``language`` types it, followed by ``rest``:
        ``!sitzung 12`` / ``!meeting 12``. Every text that names a command spells it here."""
        return f"{prefix}{self.name_in(language)} {rest}".rstrip()

    def option_for(self, key: str) -> Option | None:
        wanted = fold_text(key)
        for option in self.options:
            if wanted in {fold_text(option.key), *(fold_text(alias) for alias in option.aliases)}:
                return option
        return None

    def allows(self, role: Role, room: RoomKind) -> bool:
        return role >= self.min_role and room in self.rooms


def command(
    name: str,
    *,
    english: str,
    aliases: Iterable[str] = (),
    help: str,
    params: Iterable[Param] = (),
    options: Iterable[Option] = (),
    min_role: Role = Role.GUEST,
    rooms: Iterable[RoomKind] = ALL_ROOMS,
    examples: Iterable[str] = (),
    group: HelpGroup = HelpGroup.GENERAL,
    rank: int = 0,
) -> Callable[[Handler], Handler]:
    """Declare the decorated handler as a command; :class:`Registry` collects it."""

    def attach(handler: Handler) -> Handler:
        declaration = Command(
            name=name,
            english=english,
            aliases=tuple(aliases),
            help=help,
            handler=handler,
            params=tuple(params),
            options=tuple(options),
            min_role=min_role,
            rooms=frozenset(rooms),
            examples=tuple(examples),
            group=group,
            rank=rank,
        )
        setattr(handler, DECLARATION_ATTRIBUTE, declaration)
        return handler

    return attach


class DeclarationMismatch(TypeError):
    """A handler's signature does not fit its declared parameters and options."""


_KEYWORD_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def check_declaration(declaration: Command) -> None:
    """Refuse a handler whose signature is not ``(ctx, <each parameter and option>)``.

    The dispatcher calls the handler with the context and every declared name as a keyword, an
    absent optional value as None; a mismatch would otherwise surface only when someone types
    the command. The message names the command and what differs.
    """
    handler_parameters = list(inspect.signature(declaration.handler).parameters.values())
    problems = []
    if not handler_parameters or handler_parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        *_KEYWORD_KINDS,
    ):
        problems.append("the first parameter must take the context")
    taken = {p.name: p for p in handler_parameters[1:]}
    declared = [p.name for p in declaration.params] + [o.name for o in declaration.options]
    if len(set(declared)) != len(declared):
        problems.append("a parameter or option name is declared twice")
    if missing := [name for name in declared if name not in taken]:
        problems.append(f"the handler does not take {', '.join(missing)}")
    if unknown := [name for name in taken if name not in declared]:
        problems.append(f"the handler takes {', '.join(unknown)}, which is not declared")
    for name, parameter in taken.items():
        if name in declared and parameter.kind not in _KEYWORD_KINDS:
            problems.append(f"{name} must be passable by keyword")
    # Whatever may be left out arrives as None, so its annotation must allow None.
    may_be_none = [p.name for p in declaration.params if p.optional]
    may_be_none += [o.name for o in declaration.options if not o.required]
    for name in may_be_none:
        annotation = taken[name].annotation if name in taken else inspect.Parameter.empty
        spelled = annotation if isinstance(annotation, str) else repr(annotation)
        if annotation is not inspect.Parameter.empty and not any(
            word in spelled for word in ("None", "Optional", "Any")
        ):
            problems.append(f"{name} may be left out, so its type must allow None")
    params = declaration.params
    if any(param.greedy for param in params[:-1]):
        problems.append("only the last parameter may take the rest of the line")
    if any(param.verbatim for param in params) and (len(params) > 1 or declaration.options):
        problems.append("a verbatim parameter must be the only argument")
    if any(a.optional and not b.optional for a, b in itertools.pairwise(params)):
        problems.append("a required parameter may not follow an optional one")
    if problems:
        raise DeclarationMismatch(
            f"command {declaration.name!r} ({declaration.handler.__qualname__}): "
            + "; ".join(problems)
        )


def declaration_of(handler: Handler) -> Command:
    """The declaration that :func:`command` attached to ``handler``."""
    declaration = getattr(handler, DECLARATION_ATTRIBUTE, None)
    if not isinstance(declaration, Command):
        raise TypeError(f"{handler!r} is not a declared command")
    return declaration


@dataclass
class Registry:
    """All commands of the running bot, looked up by any spelling of any name."""

    commands: list[Command] = field(default_factory=list)
    # Reads questions put to the bot by name; without one, only commands are understood.
    questions: QuestionReader | None = None
    _by_name: dict[str, Command] = field(default_factory=dict, repr=False)
    # Keyed by the event's name; each list holds reactions to that one event's subject type.
    _listeners: dict[str, list[Listener[Any]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_modules(
        cls, modules: Iterable[ModuleType], questions: QuestionReader | None = None
    ) -> Registry:
        registry = cls(questions=questions)
        for module in modules:
            for value in vars(module).values():
                declaration = getattr(value, DECLARATION_ATTRIBUTE, None)
                if isinstance(declaration, Command):
                    registry.add(declaration)
                event = getattr(value, LISTENER_ATTRIBUTE, None)
                if isinstance(event, Event):
                    registry._listeners.setdefault(event.name, []).append(value)
        # The help and the README list commands in their declared order, whatever the order
        # of the modules.
        registry.commands.sort(key=lambda declaration: (declaration.group, declaration.rank))
        return registry

    def listeners_of(self, event: Event[Subject]) -> list[Listener[Subject]]:
        """The reactions declared for ``event``, in the order of the feature modules."""
        return list(self._listeners.get(event.name, []))

    def add(self, declaration: Command) -> None:
        """Register ``declaration``; refuse a handler that does not fit it or a taken name."""
        check_declaration(declaration)
        for key in {fold_text(spelling) for spelling in declaration.names}:
            if key in self._by_name:
                raise ValueError(f"command name {key!r} is declared twice")
            self._by_name[key] = declaration
        self.commands.append(declaration)

    def named(self, name: str) -> Command:
        """The command called ``name`` (any of its spellings), for texts that mention it."""
        found = self.find(name.split())
        if found is None or found[1] != len(name.split()):
            raise LookupError(f"no command is named {name!r}")
        return found[0]

    def find(self, words: list[str]) -> tuple[Command, int] | None:
        """The command named by the first one or two ``words`` and how many words it used."""
        for length in (2, 1):
            folded = [fold_text(word) for word in words[:length]]
            # A word of punctuation alone (the colon in "!remind : text") folds to nothing and
            # is an argument, not a part of the name.
            if len(folded) == length and all(folded):
                found = self._by_name.get(" ".join(folded))
                if found:
                    return found, length
        return None

    def closest(self, word: str) -> Command | None:
        """The command whose name is spelled most like ``word`` (for "did you mean")."""
        # Typing slips are missed, extra, wrong or swapped letters: the edit distance that
        # counts a swap as one edit, scaled to 0..1. Below half the guess would confuse more
        # than it helps.
        match = process.extractOne(
            fold_text(word),
            self._by_name.keys(),
            scorer=OSA.normalized_similarity,
            score_cutoff=0.5,
        )
        return self._by_name[match[0]] if match else None

    def visible(self, role: Role, room: RoomKind) -> list[Command]:
        return [declaration for declaration in self.commands if declaration.allows(role, room)]


# --------------------------------------------------------------------------- scheduled jobs

JOB_ATTRIBUTE = "__kuemmerer_job__"
# ``(ctx: JobContext, payload) -> Sequence[Post]``: what to post for one occurrence (nothing
# to stay silent). The bot owes the posts in the job's own unit of work and commits it.
JobHandler = Callable[..., Awaitable["Sequence[Post]"]]


class JobPayload(Protocol):
    """The typed payload of one kind of schedule entry, as it is stored with the entry."""

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Any: ...

    def to_payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Job:
    """A scheduled job as its feature declares it: the kind of entry it runs for, the type of
    that entry's payload and the handler deciding what to post."""

    kind: str
    payload: type[JobPayload]
    handler: JobHandler

    @property
    def feature(self) -> str:
        """The package that declares the job, e.g. ``commands.meetings``."""
        return self.handler.__module__.rpartition(".")[0]

    async def run(self, ctx: JobContext, payload: Mapping[str, Any]) -> Sequence[Post]:
        """Read the stored ``payload`` into its type and let the handler decide."""
        return await self.handler(ctx, self.payload.from_payload(payload))


def job(kind: str, *, payload: type[JobPayload]) -> Callable[[JobHandler], JobHandler]:
    """Declare the decorated handler as the job of schedule entries of ``kind``, whose stored
    payload reads as ``payload``; :class:`Jobs` collects it like :class:`Registry` commands."""

    def attach(handler: JobHandler) -> JobHandler:
        declared = getattr(payload, "kind", kind)
        if declared != kind:
            raise DeclarationMismatch(
                f"job {handler.__qualname__}: payload {payload.__name__} is of kind "
                f"{declared!r}, not {kind!r}"
            )
        setattr(handler, JOB_ATTRIBUTE, Job(kind, payload, handler))
        return handler

    return attach


@dataclass
class Jobs:
    """All scheduled jobs of the running bot, by the kind of entry each one runs for."""

    by_kind: dict[str, Job] = field(default_factory=dict)

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> Jobs:
        """The jobs declared in ``modules`` (each feature's ``jobs`` module)."""
        jobs = cls()
        for module in modules:
            for value in vars(module).values():
                declaration = getattr(value, JOB_ATTRIBUTE, None)
                if isinstance(declaration, Job) and declaration.handler is value:
                    jobs.add(declaration)
        return jobs

    def add(self, declaration: Job) -> None:
        """Register ``declaration``; refuse a second job for the same kind."""
        if declaration.kind in self.by_kind:
            raise ValueError(f"job kind {declaration.kind!r} is declared twice")
        self.by_kind[declaration.kind] = declaration

    @property
    def kinds(self) -> frozenset[str]:
        """Every kind of schedule entry some job runs for."""
        return frozenset(self.by_kind)

    def get(self, kind: str) -> Job | None:
        """The job for entries of ``kind``, None when no feature declares one."""
        return self.by_kind.get(kind)
