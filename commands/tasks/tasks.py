"""Task commands: ``!aufgabe neu``, ``!aufgabe <Nr.>``, ``!aufgabe ändern``, ``!aufgabe status``,
``!erledigt`` and ``!wv``.

Who sees what: in a committee room that committee's tasks; in the team room all of them; in a
direct chat the team sees all, anybody else the tasks they own. What is out of reach is "not
found". A task may be changed by an organiser (the team, or an organiser of its committee's
room) and by its owner, who is the one to report progress.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Unpack

from commands.committees.lookup import committee_in_scope
from commands.contacts.converters import clearable
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotAllowed, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, strong, text
from commands.meetings.finding import meeting_in_reach
from commands.meetings.mode import (
    item_of_meeting,
    only_organisers_record,
    record_under_current,
    require_current,
    running_here,
    with_current_item,
)
from commands.tasks.converters import (
    NewTask,
    OwnerRef,
    future_day,
    new_task,
    owner_ref,
    task_number_or_new,
    task_status,
    task_text,
)
from commands.tasks.schedule import REMINDER_TIME, arm_task
from commands.tasks.texts import STATUS_WORDS, day_in_words, day_moment, task_details
from storage.models import Committee, Decision, EntryKind, Task, TaskStatus
from storage.tasks import Owner
from storage.values import TaskLinks

NUMBER_PARAM = Param("number", N_("number"), converters.number)
OWNER_OPTION = Option("owner", "wer", owner_ref, aliases=("who", "owner"))
DUE_OPTION = Option("due", "bis", future_day, aliases=("due", "until"))
# How a due date is changed, in the reader's words ("bis=…" / "until=…").
DUE_EXAMPLE = N_("until=…")
DECISION_OPTION = Option("decision", "beschluss", converters.number, aliases=("decision",))


# --------------------------------------------------------------------------- finding


def no_such_task(ctx: Context, number: int) -> NotFound:
    """The one answer to a task number that is unknown or out of reach here."""
    return NotFound(
        ctx.say(
            "There is no task No. {number} here. {list} lists the tasks.",
            number=number,
            list=code(ctx.command_ref("aufgaben")),
        )
    )


def owns(ctx: Context, task: Task) -> bool:
    """Whether the sender is the task's owner, by Matrix id or by their contact record."""
    person_id = task.owner_person.matrix_id if task.owner_person is not None else ""
    return ctx.sender in {task.owner_matrix_id, person_id} - {""}


async def task_in_reach(ctx: Context, number: int) -> Task:
    """Task No. ``number`` if it may be shown here (see the module docstring)."""
    task = await ctx.store.tasks.task(number)
    if task is None:
        raise no_such_task(ctx, number)
    if ctx.room_kind is RoomKind.GROUP:
        visible = task.committee is not None and task.committee.room_id == ctx.room_id
    elif ctx.room_kind is RoomKind.TEAM:
        visible = True
    else:
        visible = ctx.role >= Role.TEAM or owns(ctx, task)
    if not visible:
        raise no_such_task(ctx, number)
    return task


async def task_to_change(ctx: Context, number: int) -> Task:
    """Task No. ``number``, if the sender may change it."""
    task = await task_in_reach(ctx, number)
    if ctx.role < Role.ORGANIZER and not owns(ctx, task):
        raise NotAllowed(
            ctx.say(
                "Only the owner of task No. {number} or an organiser may change it.", number=number
            )
        )
    return task


async def decision_in_reach(ctx: Context, number: int) -> Decision:
    """Decision No. ``number`` if it may be shown here: in a committee room that committee's."""
    decision = await ctx.store.tasks.decision(number)
    here_only = ctx.room_kind is RoomKind.GROUP
    if decision is None or (here_only and decision.committee.room_id != ctx.room_id):
        raise NotFound(
            ctx.say(
                "There is no decision No. {number} here. {list} lists them.",
                number=number,
                list=code(ctx.command_ref("beschlüsse")),
            )
        )
    return decision


# --------------------------------------------------------------------------- echoes


def _echo(ctx: Context, task: Task, headline: Text) -> Reply:
    reply = Reply.of(strong(headline))
    reply.bullets(task_details(ctx.t, task, ctx.clock.now(), ctx.person))
    return reply


def _plan_note(ctx: Context, task: Task) -> Text | None:
    """When the owner will be reminded, so a new or moved date shows its consequence."""
    if task.status == TaskStatus.DONE or task.due_on is None:
        return None
    moment = day_moment(ctx.t, task.due_on - timedelta(days=1)).replace(
        hour=REMINDER_TIME.hour, minute=REMINDER_TIME.minute
    )
    if moment <= ctx.clock.now():
        return text(ctx._(N_("The due date is too close for a reminder the day before.")))
    if not (task.owner_matrix_id or task.owner_person_id):
        return ctx.say("A reminder is posted on {when}.", when=ctx.t.datetime(moment))
    return ctx.say("The owner is reminded on {when}.", when=ctx.t.datetime(moment))


async def _arm(ctx: Context, task: Task) -> None:
    await arm_task(ctx.store.schedule, task, now=ctx.clock.now(), timezone=ctx.t.zone.key)


async def _link_decision(
    ctx: Context, number: int, committee: Committee | None
) -> tuple[Decision, Committee]:
    """The decision a task carries out; its committee is the task's."""
    decision = await decision_in_reach(ctx, number)
    if committee is not None and committee.id != decision.committee_id:
        raise BadArgument(
            ctx.say(
                "Decision No. {number} is one of {committee}, not of {other}.",
                number=number,
                committee=decision.committee.name,
                other=committee.name,
            )
        )
    return decision, decision.committee


async def _record(
    ctx: Context, text: str, owner: Owner, due: date | None, **links: Unpack[TaskLinks]
) -> Task:
    """Store a new task, plan its reminders and audit it (where it belongs, never its text)."""
    now = ctx.clock.now()
    created = await ctx.store.tasks.add_task(
        text=text,
        owner_matrix_id=owner.matrix_id,
        owner_person_id=owner.person_id,
        due_on=due,
        created_by=ctx.sender,
        created_at=now,
        updated_at=now,
        **links,
    )
    await _arm(ctx, created)
    committee_id = links.get("committee_id")
    where = f"committee {committee_id}" if committee_id is not None else "office"
    await ctx.store.audit.record(now, ctx.sender, "create", "task", created.id, where)
    return created


# --------------------------------------------------------------------------- commands


@command(
    "aufgabe neu",
    english="task new",
    help=N_(
        "Records a task: in a committee room for that committee, in the team room for the "
        "office (or a committee with committee=)."
    ),
    params=[Param("task", N_("text [@who] [until date]"), new_task, greedy=True)],
    options=[
        OWNER_OPTION,
        DUE_OPTION,
        Option("committee", "gremium", converters.text, aliases=("committee",)),
        DECISION_OPTION,
        Option("meeting", "sitzung", converters.number, aliases=("meeting",)),
        Option("item", "top", converters.number, aliases=("item",)),
    ],
    min_role=Role.ORGANIZER,
    examples=(
        "!aufgabe neu Raumanfrage Kreishaus @anna:example.org bis Freitag",
        "!aufgabe neu Flyer drucken wer=12 bis 11.12.2026 beschluss=3",
    ),
    group=HelpGroup.TASKS,
    rank=20,
)
async def task_create(
    ctx: Context,
    task: NewTask,
    owner: OwnerRef | None,
    due: date | None,
    committee: str | None,
    decision: int | None,
    meeting: int | None,
    item: int | None,
) -> Reply:
    if task.owner is not None and owner is not None:
        raise BadArgument(ctx._(N_("Name the owner once: either @… in the text or who=.")))
    if task.due is not None and due is not None:
        raise BadArgument(
            ctx._(N_("Give the due date once: either until … in the text or until=."))
        )
    chosen = await committee_in_scope(
        ctx,
        committee,
        N_(
            "This is the room of {committee}; tasks of other committees are recorded in the "
            "team room."
        ),
    )
    linked = None
    if decision is not None:
        linked, chosen = await _link_decision(ctx, decision, chosen)
    held = await meeting_in_reach(ctx, meeting) if meeting is not None else None
    if held is not None and chosen is not None and held.committee_id != chosen.id:
        raise BadArgument(
            ctx.say(
                "Meeting No. {number} is not one of {committee}.",
                number=held.id,
                committee=chosen.name,
            )
        )
    item_id = await item_of_meeting(ctx, held, item)
    if held is not None:
        chosen = held.committee
    who = task.owner or owner
    created = await _record(
        ctx,
        task.text,
        await who.resolve(ctx) if who is not None else Owner(),
        task.due or due,
        committee_id=chosen.id if chosen is not None else None,
        decision_id=linked.id if linked is not None else None,
        meeting_id=held.id if held is not None else (linked.meeting_id if linked else None),
        agenda_item_id=item_id,
    )
    headline = ctx.say("Task No. {number} is recorded.", number=created.id)
    reply = _echo(ctx, created, headline)
    if (note := _plan_note(ctx, created)) is not None:
        reply.add(note)
    return reply.add(
        ctx.say(
            "{done} marks it done, {change} changes it.",
            done=code(ctx.command_ref("erledigt", str(created.id))),
            change=code(ctx.command_ref(task_change, f"{created.id} {ctx._(DUE_EXAMPLE)}")),
        )
    )


@command(
    "aufgabe",
    english="task",
    help=N_(
        "Shows task No. …; in meeting mode, records a task under the current item and its "
        "last decision."
    ),
    params=[Param("task", N_("number | text @who until date"), task_number_or_new, greedy=True)],
    options=[OWNER_OPTION, DUE_OPTION],
    examples=("!aufgabe 3", "!aufgabe Konzept überarbeiten @anna:example.org bis 15.01.2027"),
    group=HelpGroup.TASKS,
    rank=30,
)
async def task_show(
    ctx: Context, task: int | NewTask, owner: OwnerRef | None, due: date | None
) -> Reply:
    if isinstance(task, NewTask):
        return await _task_in_meeting(ctx, task, owner, due)
    if owner is not None or due is not None:
        raise BadArgument(
            ctx.say(
                "To change task No. {number}, write {change}.",
                number=task,
                change=code(ctx.command_ref(task_change, f"{task} …")),
            )
        )
    found = await task_in_reach(ctx, task)
    return _echo(ctx, found, ctx.say("Task No. {number}", number=found.id))


async def _task_in_meeting(
    ctx: Context, task: NewTask, owner: OwnerRef | None, due: date | None
) -> Reply:
    """``!aufgabe <Text> @wer bis <Datum>`` in meeting mode: under the current item and the
    last decision taken under it."""
    running = await running_here(ctx)
    if running is None:
        raise BadArgument(
            ctx.say(
                "Outside meeting mode, {new} records a task; {show} shows one by its number.",
                new=code(ctx.command_ref(task_create, "…")),
                show=code(ctx.command_ref(task_show, "3")),
            )
        )
    only_organisers_record(ctx, N_("Only organisers record tasks in meeting mode."))
    call = require_current(ctx, running)
    if task.owner is not None and owner is not None:
        raise BadArgument(ctx._(N_("Name the owner once: either @… in the text or who=.")))
    who = task.owner or owner
    if who is None:
        raise BadArgument(
            ctx._(N_("Name who does it: @account or who=<contact No.>, e.g. who=12."))
        )
    resolved = await who.resolve(ctx)
    entries = await ctx.store.minutes.entries(running.minutes.meeting_id)
    decision_id = next(
        (
            e.decision_id
            for e in reversed(entries)
            if e.decision_id is not None and e.call_id == call.id
        ),
        None,
    )
    created = await _record(
        ctx,
        task.text,
        resolved,
        task.due or due,
        committee_id=running.meeting.committee_id,
        decision_id=decision_id,
        meeting_id=running.meeting.id,
        agenda_item_id=call.agenda_item_id,
    )
    await record_under_current(ctx, running, kind=EntryKind.TASK, task_id=created.id)
    headline = ctx.say("Task No. {number} is recorded.", number=created.id)
    return with_current_item(ctx, running, _echo(ctx, created, headline))


@command(
    "aufgabe ändern",
    english="task edit",
    help=N_("Changes a task's text, owner, due date, follow-up or decision (- removes one)."),
    params=[NUMBER_PARAM],
    options=[
        Option("text", "text", task_text),
        Option("owner", "wer", clearable(owner_ref), aliases=("who", "owner")),
        Option("due", "bis", clearable(future_day), aliases=("due", "until")),
        Option("follow_up", "wv", clearable(future_day), aliases=("followup",)),
        Option("decision", "beschluss", clearable(converters.number), aliases=("decision",)),
    ],
    examples=("!aufgabe ändern 3 bis=18.12.2026", "!aufgabe ändern 3 wer=@bernd:example.org"),
    group=HelpGroup.TASKS,
    rank=40,
)
async def task_change(
    ctx: Context,
    number: int,
    text: str | None,
    owner: Any,
    due: Any,
    follow_up: Any,
    decision: Any,
) -> Reply:
    if all(value is None for value in (text, owner, due, follow_up, decision)):
        raise BadArgument(
            ctx.say(
                "Say what to change, e.g. {example}.",
                example=code(ctx.command_ref(task_change, f"{number} {ctx._(DUE_EXAMPLE)}")),
            )
        )
    task = await task_to_change(ctx, number)
    changed: list[str] = []
    if text is not None:
        task.text = text
        changed.append("text")
    if owner is not None:
        resolved = await owner.resolve(ctx) if isinstance(owner, OwnerRef) else Owner()
        task.owner_matrix_id, task.owner_person_id = resolved.matrix_id, resolved.person_id
        task.owner_name = ""
        changed.append("owner")
    if due is not None:
        task.due_on = due or None
        changed.append("due")
    if follow_up is not None:
        task.follow_up_on = follow_up or None
        changed.append("follow_up")
    if decision is not None:
        if decision == "":
            task.decision_id = None
        else:
            linked, _ = await _link_decision(ctx, decision, task.committee)
            task.decision_id, task.committee_id = linked.id, linked.committee_id
        changed.append("decision")
    return await _saved(ctx, task, "update", ",".join(changed))


async def _saved(ctx: Context, task: Task, action: str, detail: str) -> Reply:
    """Write the change, re-plan the reminders, log it, and echo the task as it is now."""
    now = ctx.clock.now()
    await ctx.store.tasks.touch(task, now)
    reloaded = await ctx.store.tasks.task(task.id)
    assert reloaded is not None
    await _arm(ctx, reloaded)
    await ctx.store.audit.record(now, ctx.sender, action, "task", task.id, detail)
    reply = _echo(ctx, reloaded, ctx.say("Task No. {number} is changed.", number=task.id))
    if (note := _plan_note(ctx, reloaded)) is not None:
        reply.add(note)
    return reply


@command(
    "aufgabe status",
    english="task status",
    help=N_("Sets a task's status: open, in progress, blocked or done."),
    params=[NUMBER_PARAM, Param("status", N_("status"), task_status, greedy=True)],
    examples=("!aufgabe status 3 in Arbeit", "!aufgabe status 3 blockiert"),
    group=HelpGroup.TASKS,
    rank=50,
)
async def task_set_status(ctx: Context, number: int, status: TaskStatus) -> Reply:
    task = await task_to_change(ctx, number)
    ctx.store.tasks.set_status(task, status, ctx.clock.now())
    return await _saved(ctx, task, "update", f"status {status}")


@command(
    "erledigt",
    english="done",
    help=N_("Marks a task as done, optionally with a note on the result."),
    params=[NUMBER_PARAM, Param("note", N_("note"), task_text, optional=True, greedy=True)],
    examples=("!erledigt 3", "!erledigt 3 Raum 101 ist gebucht"),
    group=HelpGroup.TASKS,
    rank=60,
)
async def task_done(ctx: Context, number: int, note: str | None) -> Reply:
    task = await task_to_change(ctx, number)
    if task.status == TaskStatus.DONE:
        raise BadArgument(
            ctx.say(
                "Task No. {number} is already done. {status} reopens it.",
                number=number,
                status=code(
                    ctx.command_ref(
                        task_set_status, f"{number} {ctx._(STATUS_WORDS[TaskStatus.OPEN])}"
                    )
                ),
            )
        )
    ctx.store.tasks.set_status(task, TaskStatus.DONE, ctx.clock.now(), note)
    reply = await _saved(ctx, task, "update", f"status {TaskStatus.DONE}")
    return reply.add(ctx._(N_("No more reminders will come for it.")))


@command(
    "wv",
    english="followup",
    help=N_("Sets a follow-up date (Wiedervorlage): the task is put before its owner again."),
    params=[NUMBER_PARAM, Param("day", N_("date"), future_day, greedy=True)],
    examples=("!wv 3 15.01.2027", "!wv 3 in zwei Wochen"),
    group=HelpGroup.TASKS,
    rank=70,
)
async def task_follow_up(ctx: Context, number: int, day: date) -> Reply:
    task = await task_to_change(ctx, number)
    if task.status == TaskStatus.DONE:
        raise BadArgument(
            ctx.say("Task No. {number} is done; it needs no follow-up.", number=number)
        )
    task.follow_up_on = day
    reply = await _saved(ctx, task, "update", "follow_up")
    return reply.add(
        ctx.say(
            "On {day} at {time} it is put before its owner again.",
            day=day_in_words(ctx.t, day, ctx.clock.now()),
            time=ctx.t.time(day_moment(ctx.t, day).replace(hour=REMINDER_TIME.hour, minute=0)),
        )
    )
