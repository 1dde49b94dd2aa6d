"""The votes of a decision against the attendance of its meeting: the one rule that
``!beschluss`` and ``!beschluss ändern`` share.

Only a meeting whose minutes record attendance (meeting mode's ``!anwesend``) can be checked;
a decision recorded afterwards for a meeting without minutes keeps its votes as given.
"""

from __future__ import annotations

from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.reply import Text, code
from storage.models import Committee, EntryKind

Votes = tuple[int | None, int | None, int | None]


async def check_votes(
    ctx: Context, meeting_id: int | None, committee: Committee, unanimous: bool, counted: Votes
) -> Text | None:
    """Refuse votes the attendance cannot carry: more votes than members present, or a
    unanimous decision while meeting mode runs with nobody present. A note to add to the reply
    when the members present are fewer than the committee's quorum."""
    minutes = await ctx.store.minutes.of_meeting(meeting_id) if meeting_id is not None else None
    if minutes is None:
        return None
    entries = await ctx.store.minutes.entries(minutes.meeting_id)
    present = sum(1 for entry in entries if entry.kind == EntryKind.PRESENT)
    attendance = code(ctx.command_ref("anwesend", "…"))
    if present == 0:
        if unanimous and minutes.ended_at is None:
            raise BadArgument(
                ctx.say(
                    "Nobody is recorded as present yet, so the decision cannot be unanimous: "
                    "record the attendance with {attendance} first.",
                    attendance=attendance,
                )
            )
        return None
    votes = sum(count or 0 for count in counted)
    if not unanimous and votes > present:
        raise BadArgument(
            ctx.say(
                "The votes add up to {votes}, but {present} are recorded as present: correct "
                "yes=, no= and abstain=, or record who else is present with {attendance}.",
                votes=votes,
                present=present,
                attendance=attendance,
            )
        )
    if committee.quorum is not None and present < committee.quorum:
        return ctx.say(
            "Note: {present} present, {quorum} needed for the quorum; the decision is recorded "
            "all the same.",
            present=present,
            quorum=committee.quorum,
        )
    return None
