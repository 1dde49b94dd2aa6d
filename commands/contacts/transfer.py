"""``!kontakt export`` — the contact network as a file for Outlook, Thunderbird or Excel."""

from __future__ import annotations

import asyncio

from commands.contacts.files.columns import Format, Kind
from commands.contacts.files.records import export_records
from commands.contacts.files.writers import export_filename, serialise
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Attachment, Reply, code, fmt, join, strong

# A filtered export takes at most this many of the best matches (an unfiltered one takes all).
SEARCH_LIMIT = 5000
FORMAT_SPELLINGS = {
    "vcf": Format.VCF,
    "vcard": Format.VCF,
    "csv": Format.CSV,
    "xlsx": Format.XLSX,
    "excel": Format.XLSX,
    "json": Format.JSON,
}
FORMAT_NAMES = {
    Format.VCF: "vCard",
    Format.CSV: "CSV",
    Format.XLSX: "Excel (XLSX)",
    Format.JSON: "JSON",
}


def export_format(ctx: Context, raw: str) -> Format:
    """``vcf``, ``csv``, ``xlsx`` or ``json`` (also ``vcard``, ``excel``, ``.csv``)."""
    found = FORMAT_SPELLINGS.get(raw.strip().lower().lstrip("."))
    if found is None:
        raise BadArgument(
            ctx.say(
                "{raw} is not an export format. Write one of {formats}.",
                raw=code(raw),
                formats=join(", ", [code(f"format={f.value}") for f in Format]),
            )
        )
    return found


@command(
    "kontakt export",
    english="contact export",
    help=N_(
        "Exports contacts as a file (vCard for Outlook and Thunderbird, CSV, Excel or JSON): "
        "all of them, or those a search finds."
    ),
    params=[Param("query", N_("filter"), converters.text, optional=True, greedy=True)],
    options=[Option("file_format", "format", export_format)],
    min_role=Role.TEAM,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=("!kontakt export", "!kontakt export Schule format=xlsx"),
    group=HelpGroup.PRIVACY,
    rank=30,
)
async def contact_export(ctx: Context, query: str | None, file_format: Format | None) -> Reply:
    """All contacts, or those the search finds for ``query``, as a file attached to the answer."""
    chosen = file_format or Format.VCF
    ids, capped = (None, False) if query is None else await _matching_persons(ctx, query)
    if ids == []:
        return Reply.of(
            ctx.say(
                "No contact matches {query}, so nothing was exported. Try another "
                "search text; {command} without a filter exports everyone.",
                query=strong(query or ""),
                command=code(ctx.command_ref(contact_export)),
            )
        )
    language = ctx.t.language
    records = await export_records(ctx.store.session, Kind.PERSONS, language, ids)
    if not records:
        return Reply.of(ctx._(N_("There are no contacts yet, so there is nothing to export.")))
    now = ctx.clock.now()
    # Serialising thousands of contacts takes a moment; the event loop keeps serving others.
    data = await asyncio.to_thread(serialise, Kind.PERSONS, chosen, records, language, now)
    filename = export_filename(Kind.PERSONS, chosen, language, ctx.t.local(now).date())
    # The filter is not logged: it may be a person's name.
    await ctx.store.audit.record(
        now,
        ctx.sender,
        "export",
        "person",
        "*",
        f"count={len(records)} format={chosen.value}" + (" filtered" if query else ""),
    )
    template = ctx.t.ngettext(
        "{count} contact exported as {format}: {file}",
        "{count} contacts exported as {format}: {file}",
        len(records),
    )
    reply = Reply.of(
        fmt(template, count=len(records), format=FORMAT_NAMES[chosen], file=code(filename))
    )
    if capped:
        reply.add(
            ctx._(
                N_(
                    "The search found more contacts than one export takes; the file holds "
                    "the best matches. A more precise filter narrows it down, and without "
                    "a filter everyone is exported."
                )
            )
        )
    reply.add(
        ctx._(
            N_(
                "The file contains personal data. Please store it safely and delete it "
                "when you no longer need it."
            )
        )
    )
    reply.attachments.append(Attachment(filename, chosen.mimetype, data))
    return reply


async def _matching_persons(ctx: Context, query: str) -> tuple[list[int], bool]:
    """The ids of the persons the search finds for ``query``, best match first, and whether
    there were more matches than one export takes."""
    page = await ctx.store.search.search(query, kinds=("person",), limit=SEARCH_LIMIT)
    ids = [hit.id for hit in page.hits if hit.kind == "person"]
    return ids, page.capped or page.total > len(ids)
