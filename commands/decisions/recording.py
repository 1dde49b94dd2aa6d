"""A committee's decisions: ``!beschluss`` (in meeting mode or after it),
``!beschluss ändern`` and the Beschlusskontrolle ``!beschlüsse``.

:func:`decision_tracking` renders the state of a committee's decisions; the agenda's standing
item "Stand der Umsetzung der Beschlüsse" shows the same by calling it.
"""

from __future__ import annotations

from commands.committees.lookup import committee_in_scope, not_a_committee_room, title_of
from commands.decisions.attendance import check_votes
from commands.decisions.converters import (
    VOTE_OPTIONS,
    DecisionScope,
    DecisionText,
    counted_votes,
    decision_correction,
    decision_scope,
    decision_text,
    meeting_number,
    reachable_decision,
)
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument, NotFound
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, Text, code, fmt, join, strong
from commands.meetings.finding import meeting_in_reach
from commands.meetings.mode import (
    item_of_meeting,
    record_under_current,
    require_current,
    running_here,
    with_current_item,
)
from commands.tasks.texts import (
    DECISION_STATE_WORDS,
    DecisionState,
    decision_state,
    local_today,
    shortened,
    task_line,
    votes_in_words,
)
from storage.models import Committee, Decision, EntryKind, Meeting


@command(
    "beschluss",
    english="decision",
    help=N_(
        "Records a committee's decision with its votes (or unanimous): in meeting mode under "
        "the current item, otherwise with meeting= and item=."
    ),
    params=[Param("wording", N_("wording [unanimous]"), decision_text, greedy=True)],
    options=[
        Option("meeting", "sitzung", meeting_number, aliases=("meeting",)),
        Option("item", "top", converters.number, aliases=("item",)),
        *VOTE_OPTIONS,
    ],
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.TEAM, RoomKind.GROUP),
    examples=(
        "!beschluss Der Beirat empfiehlt das Konzept. sitzung=4 ja=9 nein=1 enthaltung=2",
        "!beschluss Die AG wird bis 2027 verlängert. einstimmig sitzung=4 top=7",
    ),
    group=HelpGroup.TASKS,
    rank=90,
)
async def decision_create(
    ctx: Context,
    wording: DecisionText,
    meeting: int | None,
    item: int | None,
    yes: int | None,
    no: int | None,
    abstain: int | None,
) -> Reply:
    counted = counted_votes(ctx, wording.unanimous, yes, no, abstain)
    running = await running_here(ctx) if meeting is None and item is None else None
    held: Meeting | None
    if running is not None:
        held, committee = running.meeting, running.meeting.committee
        item_id = require_current(ctx, running).agenda_item_id
    else:
        held, committee = await _meeting_and_committee(ctx, meeting)
        item_id = await item_of_meeting(ctx, held, item)
    held_id = held.id if held is not None else None
    quorum_note = await check_votes(ctx, held_id, committee, wording.unanimous, counted)
    now = ctx.clock.now()
    decision = await ctx.store.tasks.add_decision(
        committee_id=committee.id,
        meeting_id=held.id if held is not None else None,
        agenda_item_id=item_id,
        text=wording.text,
        votes_yes=yes,
        votes_no=no,
        votes_abstain=abstain,
        unanimous=wording.unanimous,
        recorded_by=ctx.sender,
        decided_at=held.start if held is not None else now,
        created_at=now,
    )
    await ctx.store.audit.record(
        now, ctx.sender, "create", "decision", decision.id, f"committee {committee.id}"
    )
    if running is not None:
        await record_under_current(ctx, running, kind=EntryKind.DECISION, decision_id=decision.id)
    reply = Reply.of(
        strong(
            ctx.say(
                "Decision No. {number} of {committee} is recorded.",
                number=decision.id,
                committee=committee.name,
            )
        )
    )
    reply.bullets(_facts(ctx, decision, held))
    if any(count is None for count in counted) and not all(c is None for c in counted):
        reply.add(ctx._(N_("Votes not given are recorded as 0.")))
    if quorum_note is not None:
        reply.add(quorum_note)
    if running is not None:
        reply.add(
            fmt(
                ctx._(N_("{task} records a task under it.")),
                task=code(ctx.command_ref("aufgabe", ctx._(N_("… @who until …")))),
            )
        )
        return with_current_item(ctx, running, reply)
    return reply.add(
        fmt(
            ctx._(N_("{task} records a task that carries it out.")),
            task=code(
                ctx.command_ref(
                    "aufgabe neu", ctx._(N_("… decision={number}")).format(number=decision.id)
                )
            ),
        )
    )


def _facts(ctx: Context, decision: Decision, held: Meeting | None) -> list[Text]:
    """The decision's wording and votes, with the meeting it was taken in if there was one."""
    facts = [
        ctx.say("Wording: {text}", text=decision.text),
        ctx.say("Votes: {votes}", votes=votes_in_words(ctx.t, decision)),
    ]
    if held is not None:
        facts.append(
            ctx.say(
                "Meeting: No. {number} on {when}", number=held.id, when=ctx.t.datetime(held.start)
            )
        )
    return facts


async def _meeting_and_committee(
    ctx: Context, number: int | None
) -> tuple[Meeting | None, Committee]:
    """The meeting a decision was taken in and its committee; without a meeting, the room's
    committee (a decision by written procedure)."""
    here = await ctx.store.committees.for_room(ctx.room_id)
    if number is not None:
        meeting = await meeting_in_reach(ctx, number)
        if meeting.start > ctx.clock.now():
            raise BadArgument(
                ctx.say(
                    "Meeting No. {number} has not taken place yet ({when}).",
                    number=number,
                    when=ctx.t.datetime(meeting.start),
                )
            )
        return meeting, meeting.committee
    if here is not None:
        return None, here
    if ctx.room_kind is RoomKind.GROUP:
        raise NotFound(not_a_committee_room(ctx))
    raise BadArgument(
        ctx.say(
            "Say in which meeting it was decided, e.g. meeting=4; {list} shows them.",
            list=code(ctx.command_ref("termine")),
        )
    )


@command(
    "beschluss ändern",
    english="decision edit",
    aliases=("beschluss aendern",),
    help=N_("Corrects decision No. …: its wording, its votes, or unanimous."),
    params=[
        Param("decision", N_("number"), reachable_decision),
        Param(
            "wording", N_("[wording] [unanimous]"), decision_correction, optional=True, greedy=True
        ),
    ],
    options=VOTE_OPTIONS,
    min_role=Role.ORGANIZER,
    rooms=(RoomKind.TEAM, RoomKind.GROUP),
    examples=("!beschluss ändern 4 ja=8 nein=2 enthaltung=2", "!beschluss ändern 4 einstimmig"),
    group=HelpGroup.AGENDA,
    rank=230,
)
async def decision_change(
    ctx: Context,
    decision: Decision,
    wording: DecisionText | None,
    yes: int | None,
    no: int | None,
    abstain: int | None,
) -> Reply:
    unanimous = wording is not None and wording.unanimous
    counted = counted_votes(ctx, unanimous, yes, no, abstain)
    if (
        (wording is None or not wording.text)
        and not unanimous
        and all(count is None for count in counted)
    ):
        raise BadArgument(ctx._(N_("Nothing to change: give a new wording or the votes.")))
    quorum_note = None
    if unanimous or any(count is not None for count in counted):
        quorum_note = await check_votes(
            ctx, decision.meeting_id, decision.committee, unanimous, counted
        )
    if wording is not None and wording.text:
        decision.text = wording.text
    if unanimous:
        decision.unanimous = True
        decision.votes_yes = decision.votes_no = decision.votes_abstain = None
    elif any(count is not None for count in counted):
        decision.unanimous = False
        decision.votes_yes, decision.votes_no, decision.votes_abstain = (
            count or 0 for count in counted
        )
    now = ctx.clock.now()
    await ctx.store.tasks.touch_decision(decision)
    await ctx.store.audit.record(now, ctx.sender, "update", "decision", decision.id)
    reply = Reply.of(strong(ctx.say("Decision No. {number} is corrected.", number=decision.id)))
    reply.bullets(_facts(ctx, decision, None))
    if quorum_note is not None:
        reply.add(quorum_note)
    if decision.meeting_id is not None:
        # The minutes are rendered from the stored decision whenever they are asked for, so
        # they need no update here, only a word on how to see them again.
        reply.add(
            ctx.say(
                "{render} renders the minutes again.",
                render=code(ctx.command_ref("protokoll", str(decision.meeting_id))),
            )
        )
    return reply


# --------------------------------------------------------------------------- tracking


async def decision_tracking(
    ctx: Context, committees: list[Committee] | None, *, only_open: bool = False
) -> Reply:
    """The Beschlusskontrolle: every decision of ``committees`` (all for None) with its state
    and tasks, oldest first; with ``only_open`` the ones not yet done."""
    ids = [committee.id for committee in committees] if committees is not None else None
    decisions = await ctx.store.tasks.decisions(ids)
    tasks = await ctx.store.tasks.tasks_of_decisions([d.id for d in decisions])
    now = ctx.clock.now()
    today = local_today(ctx.t, now)
    states = {d.id: decision_state(tasks.get(d.id, []), today) for d in decisions}
    if only_open:
        decisions = [d for d in decisions if states[d.id] is not DecisionState.DONE]
    whose = (
        join(", ", [title_of(c) for c in committees])
        if committees is not None
        else ctx._(N_("all committees"))
    )
    if not decisions:
        message = (
            N_("No open decisions ({whose}).") if only_open else N_("No decisions ({whose}).")
        )
        return Reply.of(fmt(ctx._(message), whose=whose))
    reply = Reply.of(
        strong(ctx.say("State of implementation of the decisions ({whose}):", whose=whose))
    )
    for decision in decisions:
        reply.add(_decision_heading(ctx, decision, states[decision.id], committees is None))
        own = tasks.get(decision.id, [])
        if own:
            reply.bullets(
                task_line(ctx.t, task, now, ctx.person, with_committee=False) for task in own
            )
        else:
            reply.add(ctx._(N_("No task carries it out yet.")))
    return reply


def _decision_heading(
    ctx: Context, decision: Decision, state: DecisionState, with_committee: bool
) -> Text:
    parts: list[Text | str] = [strong(ctx.say("Decision No. {number}", number=decision.id))]
    if with_committee:
        parts.append(decision.committee.short_name or decision.committee.name)
    parts.append(ctx.t.date(decision.decided_at))
    parts.append(strong(ctx._(DECISION_STATE_WORDS[state])))
    parts.append(votes_in_words(ctx.t, decision))
    return join(" · ", parts) + fmt(": {text}", text=shortened(decision.text))


@command(
    "beschlüsse",
    english="decisions",
    help=N_(
        "Decision tracking: every decision with its tasks and its state (open, in progress, "
        "done, overdue); with open only the open ones."
    ),
    params=[Param("scope", N_("committee, open"), decision_scope, optional=True, greedy=True)],
    rooms=(RoomKind.TEAM, RoomKind.GROUP, RoomKind.DIRECT),
    min_role=Role.MEMBER,
    examples=("!beschlüsse", "!beschlüsse offen", "!beschlüsse Bildungsbeirat"),
    group=HelpGroup.TASKS,
    rank=100,
)
async def decisions_list(ctx: Context, scope: DecisionScope | None) -> Reply:
    wanted = scope or DecisionScope("", only_open=False)
    chosen = await committee_in_scope(
        ctx,
        wanted.committee,
        N_(
            "This is the room of {committee}; the decisions of other committees are listed in "
            "the team room."
        ),
    )
    committees = [chosen] if chosen is not None else None
    return await decision_tracking(ctx, committees, only_open=wanted.only_open)
