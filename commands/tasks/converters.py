"""What the task commands accept: a new task's line, owners, due dates, states and the
filters of the list (what a decision's commands accept is in ``commands/decisions``).

Look-ups that need the database (a contact's number) come out as a reference that the handler
resolves, as in ``commands/contacts/converters.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from commands.dates.when import When, parse_when
from commands.framework import converters
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.reply import code, fmt, join
from commands.tasks.texts import day_in_words
from storage.folding import fold_text
from storage.models import TaskStatus
from storage.tasks import Owner

if TYPE_CHECKING:
    from commands.framework.context import Context

MAX_TEXT_LENGTH = 2000
# The word before a due date in a new task's line: "… bis Freitag", "… until friday".
_DUE_WORDS = frozenset({"bis", "until", "due"})
_FUTURE_DAY = When(future=True)
_ANY_DAY = When(future=False)


# --------------------------------------------------------------------------- days


def _day_of(ctx: Context, raw: str, reader: When) -> date:
    parsed = reader(ctx, raw)
    day = ctx.t.local(parsed.at).date()
    if parsed.has_time:
        # A due date is a day: say so rather than drop the time without a word.
        ctx.note(
            ctx.say(
                "Taken as the day {day}; a time of day is not kept for it.",
                day=day_in_words(ctx.t, day, ctx.clock.now()),
            )
        )
    return day


def future_day(ctx: Context, raw: str) -> date:
    """A day from today on, written as people write it (``Freitag``, ``11.12.2026``)."""
    return _day_of(ctx, raw, _FUTURE_DAY)


def any_day(ctx: Context, raw: str) -> date:
    """A day in the past or future, e.g. the start of a report's period."""
    return _day_of(ctx, raw, _ANY_DAY)


# --------------------------------------------------------------------------- owners


@dataclass(frozen=True)
class OwnerRef:
    """An owner as written: a Matrix user, or the number of a contact record."""

    matrix_id: str = ""
    contact_number: int | None = None

    async def resolve(self, ctx: Context) -> Owner:
        """The owner, with the contact's Matrix id when the record has one."""
        if self.contact_number is None:
            return Owner(matrix_id=self.matrix_id)
        person = await ctx.store.contacts.person(self.contact_number)
        if person is None:
            raise NotFound(
                ctx.say(
                    "There is no contact No. {number}. {search} finds contacts.",
                    number=self.contact_number,
                    search=code(ctx.command_ref("kontakt", "…")),
                )
            )
        return Owner(matrix_id=person.matrix_id, person_id=person.id)


def owner_ref(ctx: Context, raw: str) -> OwnerRef:
    """``@anna:example.org`` (or a mention) or a contact's number (``12``, ``Nr. 12``)."""
    value = raw.strip()
    if converters.is_matrix_id(value):
        return OwnerRef(matrix_id=value)
    number = converters.record_number(value)
    if number is None:
        raise BadArgument(
            ctx.say(
                "{raw} is neither a Matrix user nor a contact's number. Write "
                "who=@anna:example.org, mention the person, or give the number of a "
                "contact without Matrix, e.g. who=12.",
                raw=code(raw),
            )
        )
    return OwnerRef(contact_number=number)


# --------------------------------------------------------------------------- a new task


@dataclass(frozen=True)
class NewTask:
    """``<Text> [@wer] [bis <Datum>]`` as read."""

    text: str
    owner: OwnerRef | None
    due: date | None


def task_number_or_new(ctx: Context, raw: str) -> int | NewTask:
    """``3`` (a task's number) or, for meeting mode, a new task as :func:`new_task` reads it."""
    if converters.record_number(raw) is not None:
        return converters.number(ctx, raw)
    return new_task(ctx, raw)


def new_task(ctx: Context, raw: str) -> NewTask:
    """The text of a new task, with a mentioned owner and a due date after ``bis`` taken out.

    When the words after the last ``bis`` are no date, they stay in the text, and the reply
    says how to give a due date instead.
    """
    words = raw.split()
    owners = [word for word in words if converters.is_matrix_id(word)]
    if len(owners) > 1:
        raise BadArgument(
            ctx.say(
                "A task has one owner; {owners} are several.", owners=join(", ", map(code, owners))
            )
        )
    words = [word for word in words if word not in owners]
    due = None
    due_at = max((i for i, word in enumerate(words) if fold_text(word) in _DUE_WORDS), default=-1)
    if due_at >= 0:
        written = " ".join(words[due_at + 1 :])
        now = ctx.clock.now()
        if written and parse_when(written, now=now, zone=ctx.t.zone, future=True) is not None:
            due = future_day(ctx, written)
            words = words[:due_at]
        else:
            ctx.note(
                fmt(
                    ctx._(
                        N_(
                            'The words after "{word}" are no date, so they stay in the text. '
                            "A due date is written like {example}."
                        )
                    ),
                    word=words[due_at],
                    example=code(ctx._(N_("until=11.12.2026"))),
                )
            )
    text = " ".join(words)
    if not text:
        raise BadArgument(ctx._(N_("The task's text is missing: say what is to be done.")))
    if len(text) > MAX_TEXT_LENGTH:
        message = N_("A task can hold at most {limit} characters; this one has {count}.")
        raise BadArgument(fmt(ctx._(message), limit=MAX_TEXT_LENGTH, count=len(text)))
    owner = OwnerRef(matrix_id=owners[0]) if owners else None
    return NewTask(text, owner, due)


def task_text(ctx: Context, raw: str) -> str:
    """A task's new text."""
    value = converters.text(ctx, raw)
    if len(value) > MAX_TEXT_LENGTH:
        message = N_("A task can hold at most {limit} characters; this one has {count}.")
        raise BadArgument(fmt(ctx._(message), limit=MAX_TEXT_LENGTH, count=len(value)))
    return value


# --------------------------------------------------------------------------- status


_STATUS_SPELLINGS = {
    TaskStatus.OPEN: {"offen", "open", "neu", "new"},
    TaskStatus.IN_PROGRESS: {"in arbeit", "arbeit", "in progress", "in_progress", "progress"},
    TaskStatus.BLOCKED: {"blockiert", "blocked"},
    TaskStatus.DONE: {"erledigt", "done", "fertig"},
}


def task_status(ctx: Context, raw: str) -> TaskStatus:
    """``offen``, ``in Arbeit``, ``blockiert`` or ``erledigt`` (or the English words)."""
    wanted = " ".join(fold_text(raw).replace("_", " ").split())
    for status, spellings in _STATUS_SPELLINGS.items():
        if wanted in {fold_text(spelling) for spelling in spellings}:
            return status
    raise BadArgument(
        fmt(
            ctx._(N_("{raw} is no status. Write one of: {choices}.")),
            raw=code(raw),
            choices=ctx._(N_("open, in progress, blocked, done")),
        )
    )


# --------------------------------------------------------------------------- list filters


@dataclass(frozen=True)
class TaskFilter:
    """What ``!aufgaben`` was asked for besides the room's scope."""

    mine: bool = False
    with_done: bool = False
    overdue_only: bool = False


_FILTER_WORDS = {
    "mine": {"meine", "mine", "my"},
    "with_done": {"alle", "all"},
    "overdue_only": {"ueberfaellig", "uberfallig", "overdue"},
}


def task_filter(ctx: Context, raw: str) -> TaskFilter:
    """``meine``, ``alle`` and ``überfällig`` (or ``mine``, ``all``, ``overdue``), combined."""
    chosen: dict[str, bool] = {}
    for word in raw.split():
        key = next((k for k, words in _FILTER_WORDS.items() if fold_text(word) in words), None)
        if key is None:
            raise BadArgument(
                ctx.say(
                    "{raw} is no filter. Write mine (your own), all (done ones too) "
                    "or overdue, and committee=… or who=… for more.",
                    raw=code(word),
                )
            )
        chosen[key] = True
    return TaskFilter(**chosen)
