"""``!top 7``: what the agenda knows about one item, in the words the agenda uses for it."""

from __future__ import annotations

from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.reply import Reply, Text, join, strong
from commands.meetings.agenda import item_details, item_number, paper_link
from storage.models import AgendaItem, Committee, ItemStatus, Meeting

# How an item that is no longer open stands; an open one is named by its place on the agenda.
_CLOSED_STATES = {
    ItemStatus.WITHDRAWN: N_("withdrawn"),
    ItemStatus.DONE: N_("dealt with"),
}


def item_card(
    ctx: Context, item: AgendaItem, meeting: Meeting | None, committee: Committee, place: Text
) -> Reply:
    """The item with its committee, its state, its meeting, whether it is public, who proposed
    it, its description and papers; ``place`` is where an open item stands on its agenda."""
    closed = _CLOSED_STATES.get(item.status)
    state = strong(ctx._(closed)) if closed is not None else place
    heading = ctx.say("{item} “{title}”", item=item_number(ctx.t, item), title=item.title)
    reply = Reply.of(join(" · ", [strong(heading), committee.name, state]))
    when = (
        ctx.say(
            "Meeting: No. {number} on {when}",
            number=meeting.id,
            when=ctx.t.datetime(meeting.start),
        )
        if meeting is not None
        else ctx.say("Meeting: the next one of {committee}", committee=committee.name)
    )
    part = ctx._(N_("public") if item.public else N_("non-public"))
    facts: list[Text | str] = [when, join(", ", [part, item_details(ctx.t, item)])]
    if item.description:
        facts.append(ctx.say("Description: {text}", text=item.description))
    if item.papers:
        papers = join(", ", [paper_link(paper) for paper in item.papers])
        facts.append(ctx.say("Papers: {papers}", papers=papers))
    return reply.bullets(facts)
