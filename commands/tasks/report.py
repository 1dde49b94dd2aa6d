"""``!bericht``: a status report for committees and politics, as a message, a chart and a PDF.

Counts meetings held, decisions taken and tasks done, open and overdue in a period (by default
the last twelve months up to today), for one committee or the whole office.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from commands.committees.lookup import committee_in_scope, title_of
from commands.framework import converters
from commands.framework.charts import BarPanel, network_chart
from commands.framework.context import Context
from commands.framework.documents import html_to_pdf, png_source, render_html
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, command
from commands.framework.reply import Attachment, Reply, fmt, strong
from commands.tasks.converters import any_day
from commands.tasks.texts import (
    DECISION_STATE_WORDS,
    decision_state,
    is_overdue,
    local_today,
    owner_in_words,
    shortened,
    status_in_words,
    task_number,
    votes_in_words,
)
from storage.models import Committee, Task, TaskStatus
from storage.tasks import PeriodCounts

DEFAULT_PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class TaskRow:
    """A row of the report's task table."""

    number: str
    text: str
    owner: str
    state: str


def _midnight(ctx: Context, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ctx.t.zone)


@command(
    "bericht",
    english="report",
    help=N_(
        "A status report with a chart and a PDF: meetings held, decisions, tasks done, open "
        "and overdue in a period (by default the last twelve months)."
    ),
    params=[Param("committee", N_("committee"), converters.text, optional=True, greedy=True)],
    options=[
        Option("start", "von", any_day, aliases=("from",)),
        Option("end", "bis", any_day, aliases=("until", "to")),
    ],
    min_role=Role.MEMBER,
    examples=("!bericht", "!bericht Bildungsbeirat von=01.01.2026 bis=30.06.2026"),
    group=HelpGroup.TASKS,
    rank=110,
)
async def report_show(
    ctx: Context, committee: str | None, start: date | None, end: date | None
) -> Reply:
    now = ctx.clock.now()
    today = local_today(ctx.t, now)
    last = end or today
    first = start or (last - DEFAULT_PERIOD + timedelta(days=1))
    if first > last:
        raise BadArgument(
            ctx.say(
                "The period starts ({start}) after it ends ({end}).",
                start=ctx.t.date(_midnight(ctx, first)),
                end=ctx.t.date(_midnight(ctx, last)),
            )
        )
    chosen = await committee_in_scope(
        ctx,
        committee,
        N_(
            "This is the room of {committee}; reports on other committees are made in the "
            "team room."
        ),
    )
    begins, ends = _midnight(ctx, first), _midnight(ctx, last + timedelta(days=1))
    counts = await ctx.store.tasks.period_counts(
        chosen.id if chosen is not None else None, begins, ends, today
    )
    whose = title_of(chosen) if chosen is not None else ctx._(N_("the whole office"))
    title = ctx.say("Status report: {whose}", whose=whose).plain
    period = ctx.say(
        "Period: {start} – {end}", start=ctx.t.date(begins), end=ctx.t.date(_midnight(ctx, last))
    ).plain
    labelled = _labelled_counts(ctx, counts)
    reply = Reply.of(strong(title)).add(period)
    reply.bullets(fmt("{label}: {count}", label=label, count=count) for label, count in labelled)
    panel = BarPanel(
        ctx._(N_("In the period")),
        tuple(label for label, _ in labelled),
        tuple(count for _, count in labelled),
    )
    chart = await asyncio.to_thread(network_chart, title, [panel])
    html = render_html(
        "report.html",
        title=title,
        period=period,
        counts=labelled,
        chart=png_source(chart),
        decisions=await _decision_lines(ctx, chosen, begins, ends),
        tasks=await _task_rows(ctx, chosen, begins, ends),
        labels=_labels(ctx),
        created=ctx.say("Created on {when}", when=ctx.t.datetime(now)).plain,
    )
    pdf = await asyncio.to_thread(
        html_to_pdf, html, title=title, created=now, language=ctx.t.language
    )
    stem = ctx._(N_("status-report")) + "-" + today.isoformat()
    reply.attachments.append(Attachment(f"{stem}.png", "image/png", chart))
    reply.attachments.append(Attachment(f"{stem}.pdf", "application/pdf", pdf))
    return reply.add(ctx._(N_("The chart and the report as a PDF follow.")))


def _labelled_counts(ctx: Context, counts: PeriodCounts) -> list[tuple[str, int]]:
    return [
        (ctx._(N_("Meetings held")), counts.meetings_held),
        (ctx._(N_("Decisions")), counts.decisions),
        (ctx._(N_("Tasks done")), counts.tasks_done),
        (ctx._(N_("Tasks open")), counts.tasks_open),
        (ctx._(N_("of them overdue")), counts.tasks_overdue),
    ]


def _labels(ctx: Context) -> dict[str, str]:
    return {
        "summary": ctx._(N_("At a glance")),
        "what": ctx._(N_("What")),
        "count": ctx._(N_("Count")),
        "decisions": ctx._(N_("Decisions in the period")),
        "tasks": ctx._(N_("Tasks open at the end of the period")),
        "none": ctx._(N_("None.")),
        "number": ctx._(N_("No.")),
        "task": ctx._(N_("Task")),
        "owner": ctx._(N_("Owner")),
        "state": ctx._(N_("Status")),
    }


async def _decision_lines(
    ctx: Context, committee: Committee | None, begins: datetime, ends: datetime
) -> list[str]:
    ids = [committee.id] if committee is not None else None
    decisions = [d for d in await ctx.store.tasks.decisions(ids) if begins <= d.decided_at < ends]
    tasks = await ctx.store.tasks.tasks_of_decisions([d.id for d in decisions])
    today = local_today(ctx.t, ctx.clock.now())
    return [
        " · ".join(
            (
                task_number(ctx.t, d.id),
                d.committee.short_name or d.committee.name,
                ctx.t.date(d.decided_at),
                ctx._(DECISION_STATE_WORDS[decision_state(tasks.get(d.id, []), today)]),
                votes_in_words(ctx.t, d),
            )
        )
        + ": "
        + shortened(d.text)
        for d in decisions
    ]


async def _task_rows(
    ctx: Context, committee: Committee | None, begins: datetime, ends: datetime
) -> list[TaskRow]:
    """The tasks still open at the end of the period, overdue ones first."""
    found = await ctx.store.tasks.tasks(
        committee_id=committee.id if committee is not None else None, include_done=True
    )
    today = local_today(ctx.t, ctx.clock.now())

    def open_at_end(task: Task) -> bool:
        finished = (
            task.status == TaskStatus.DONE and task.done_at is not None and task.done_at < ends
        )
        return task.created_at < ends and not finished

    shown = sorted(
        (task for task in found if open_at_end(task)),
        key=lambda task: (not is_overdue(task, today), task.due_on or date.max, task.id),
    )
    return [
        TaskRow(
            task_number(ctx.t, task.id),
            shortened(task.text),
            owner_in_words(ctx.t, task, ctx.person),
            status_in_words(ctx.t, task, today),
        )
        for task in shown
    ]
