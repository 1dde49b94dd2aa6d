"""What is said about tasks and decisions: status words, a task's line, a decision's state,
and the posts the scheduler sends (due reminders, Wiedervorlage, the weekly digest).

The functions take a :class:`Translator`, not a context: the scheduled posts in ``bot/`` have
no command to answer and use them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from enum import StrEnum

from commands.dates.when import relative_day
from commands.framework.i18n import N_, Translator
from commands.framework.registry import Registry
from commands.framework.reply import Reply, Text, code, fmt, join, mention, strong, text
from storage.models import Decision, Task, TaskStatus

# How a task's status reads: always in words, never by colour alone.
STATUS_WORDS = {
    TaskStatus.OPEN: N_("open"),
    TaskStatus.IN_PROGRESS: N_("in progress"),
    TaskStatus.BLOCKED: N_("blocked"),
    TaskStatus.DONE: N_("done"),
}
OVERDUE_WORD = N_("overdue")
LISTED_TEXT_LENGTH = 120

NameOf = Callable[[str], str]


class DecisionState(StrEnum):
    """How far a decision is carried out, from the state of its tasks."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"


DECISION_STATE_WORDS = {
    DecisionState.OPEN: N_("open"),
    DecisionState.IN_PROGRESS: N_("in progress"),
    DecisionState.DONE: N_("done"),
    DecisionState.OVERDUE: N_("overdue"),
}


# --------------------------------------------------------------------------- days


def day_moment(t: Translator, day: date) -> datetime:
    """Noon of ``day`` in the bot's zone: a moment to format a day without a time."""
    return datetime.combine(day, time(12), tzinfo=t.zone)


def local_today(t: Translator, now: datetime) -> date:
    """Today's date in the bot's zone."""
    return t.local(now).date()


def day_in_words(t: Translator, day: date, now: datetime) -> str:
    """``Freitag, 11.12.2026 (in 8 Tagen)``: how a due date is echoed and listed."""
    moment = day_moment(t, day)
    return f"{t.weekday_name(moment)}, {t.date(moment)} ({relative_day(t, moment, now)})"


# --------------------------------------------------------------------------- tasks


def is_overdue(task: Task, today: date) -> bool:
    """Not done, and its due date has passed."""
    return task.status != TaskStatus.DONE and task.due_on is not None and task.due_on < today


def listing_order(task: Task, today: date) -> tuple[bool, date, int]:
    """Overdue tasks first, then by due date; tasks without a due date last."""
    return (not is_overdue(task, today), task.due_on or date.max, task.id)


def status_in_words(t: Translator, task: Task, today: date) -> str:
    """``in Arbeit`` or ``in Arbeit, überfällig``."""
    words = t.gettext(STATUS_WORDS.get(task.status, STATUS_WORDS[TaskStatus.OPEN]))
    if is_overdue(task, today):
        words += ", " + t.gettext(OVERDUE_WORD)
    return words


def task_number(t: Translator, task_id: int) -> str:
    """``Nr. 3`` / ``No. 3``."""
    return t.gettext(N_("No. {number}")).format(number=task_id)


def owner_in_words(t: Translator, task: Task, name_of: NameOf) -> str:
    """Who the task is for: the contact's name, the Matrix user's name, the pseudonym of an
    erased owner, or that nobody is named yet."""
    if task.owner_person is not None:
        return task.owner_person.display_name
    if task.owner_matrix_id:
        return name_of(task.owner_matrix_id)
    return task.owner_name or t.gettext(N_("nobody yet"))


def shortened(value: str, limit: int = LISTED_TEXT_LENGTH) -> str:
    """One line of at most ``limit`` characters."""
    line = " ".join(value.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def task_line(
    t: Translator, task: Task, now: datetime, name_of: NameOf, *, with_committee: bool = True
) -> Text:
    """``Nr. 3 · offen, überfällig · bis Montag, 30.11.2026 (vor 3 Tagen) · Anna · BB: Text``."""
    today = local_today(t, now)
    parts: list[Text | str] = [
        strong(task_number(t, task.id)),
        status_in_words(t, task, today),
    ]
    if task.due_on is not None and task.status != TaskStatus.DONE:
        parts.append(t.gettext(N_("due {day}")).format(day=day_in_words(t, task.due_on, now)))
    parts.append(owner_in_words(t, task, name_of))
    if with_committee and task.committee is not None:
        parts.append(task.committee.short_name or task.committee.name)
    return join(" · ", parts) + fmt(": {text}", text=shortened(task.text))


def task_details(t: Translator, task: Task, now: datetime, name_of: NameOf) -> list[Text]:
    """Every fact of a task, one line each, for ``!aufgabe <Nr.>`` and its echoes."""
    today = local_today(t, now)
    lines = [
        fmt(
            t.gettext(N_("Task {number}: {text}")), number=task_number(t, task.id), text=task.text
        ),
        fmt(t.gettext(N_("Status: {status}")), status=status_in_words(t, task, today)),
        fmt(t.gettext(N_("Owner: {owner}")), owner=owner_in_words(t, task, name_of)),
    ]
    if task.due_on is not None:
        lines.append(fmt(t.gettext(N_("Due: {day}")), day=day_in_words(t, task.due_on, now)))
    else:
        lines.append(text(t.gettext(N_("Due: none"))))
    if task.follow_up_on is not None:
        lines.append(
            fmt(t.gettext(N_("Follow-up: {day}")), day=day_in_words(t, task.follow_up_on, now))
        )
    where = task.committee.name if task.committee is not None else t.gettext(N_("the office"))
    lines.append(fmt(t.gettext(N_("For: {committee}")), committee=where))
    if task.decision is not None:
        lines.append(
            fmt(
                t.gettext(N_("From decision {number}: {text}")),
                number=task_number(t, task.decision.id),
                text=shortened(task.decision.text),
            )
        )
    if task.status == TaskStatus.DONE and task.done_note:
        lines.append(fmt(t.gettext(N_("Note: {note}")), note=task.done_note))
    return lines


# --------------------------------------------------------------------------- decisions


def decision_state(tasks: Sequence[Task], today: date) -> DecisionState:
    """Done when all its tasks are; overdue when one is; in progress when work has begun;
    open otherwise, also while it has no task at all."""
    if tasks and all(task.status == TaskStatus.DONE for task in tasks):
        return DecisionState.DONE
    if any(is_overdue(task, today) for task in tasks):
        return DecisionState.OVERDUE
    if any(task.status != TaskStatus.OPEN for task in tasks):
        return DecisionState.IN_PROGRESS
    return DecisionState.OPEN


def votes_in_words(t: Translator, decision: Decision) -> str:
    """``einstimmig``, ``Ja 7 · Nein 1 · Enthaltung 2`` or that no votes were recorded."""
    if decision.unanimous:
        return t.gettext(N_("unanimous"))
    counts = (decision.votes_yes, decision.votes_no, decision.votes_abstain)
    if all(count is None for count in counts):
        return t.gettext(N_("no votes recorded"))
    labels = (N_("Yes {count}"), N_("No {count}"), N_("Abstentions {count}"))
    return " · ".join(
        t.gettext(label).format(count=count or 0)
        for label, count in zip(labels, counts, strict=True)
    )


# --------------------------------------------------------------------------- scheduled posts


def _addressed(t: Translator, task: Task, name_of: NameOf) -> tuple[Text, list[str]]:
    """The owner as the post names them, and whom it notifies."""
    if task.owner_matrix_id:
        return mention(task.owner_matrix_id, name_of(task.owner_matrix_id)), [task.owner_matrix_id]
    return fmt("{owner}", owner=owner_in_words(t, task, name_of)), []


def _done_hint(t: Translator, registry: Registry, prefix: str, task: Task) -> Text:
    done = registry.named("erledigt").ref(t.language, prefix, str(task.id))
    return fmt(t.gettext(N_("{command} marks it done.")), command=code(done))


def due_post(
    t: Translator, registry: Registry, prefix: str, task: Task, now: datetime, name_of: NameOf
) -> Reply:
    """The day before a task is due: its owner is reminded."""
    assert task.due_on is not None
    owner, notified = _addressed(t, task, name_of)
    reply = Reply.of(
        strong(
            fmt(
                t.gettext(N_("Reminder for {owner}: task {number} is due {day}.")),
                owner=owner,
                number=task_number(t, task.id),
                day=day_in_words(t, task.due_on, now),
            )
        )
    )
    reply.add(fmt("{text}", text=task.text))
    reply.add(_done_hint(t, registry, prefix, task))
    reply.mention_users.extend(notified)
    return reply


def follow_up_post(
    t: Translator, registry: Registry, prefix: str, task: Task, now: datetime, name_of: NameOf
) -> Reply:
    """On the Wiedervorlage date: the task is put before its owner again."""
    owner, notified = _addressed(t, task, name_of)
    reply = Reply.of(
        strong(
            fmt(
                t.gettext(N_("Follow-up for {owner}: task {number} is up again today.")),
                owner=owner,
                number=task_number(t, task.id),
            )
        )
    )
    reply.bullets(task_details(t, task, now, name_of))
    reply.add(_done_hint(t, registry, prefix, task))
    reply.mention_users.extend(notified)
    return reply


def digest_post(
    t: Translator,
    registry: Registry,
    prefix: str,
    overdue: Iterable[Task],
    now: datetime,
    name_of: NameOf,
) -> Reply | None:
    """The weekly list of overdue tasks for the team room; None when nothing is overdue."""
    tasks = sorted(overdue, key=lambda task: listing_order(task, local_today(t, now)))
    if not tasks:
        return None
    heading = t.ngettext(
        "{count} task is overdue:", "{count} tasks are overdue:", len(tasks)
    ).format(count=len(tasks))
    reply = Reply.of(strong(heading))
    reply.bullets(task_line(t, task, now, name_of) for task in tasks)
    listing = registry.named("aufgaben").ref(t.language, prefix, t.gettext(N_("overdue")))
    return reply.add(
        fmt(t.gettext(N_("{command} shows them at any time.")), command=code(listing))
    )
