"""``!netzwerk`` — the inventory of the education landscape at a glance."""

from __future__ import annotations

import asyncio

from commands.contacts.vocabulary import term_label
from commands.framework.charts import BarPanel, network_chart
from commands.framework.context import Context
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Role, RoomKind, command
from commands.framework.reply import Attachment, Reply, Text, fmt, join, strong
from storage.reports import NetworkOverview, Tally

TOP_GEMEINDEN = 8


def _tally(ctx: Context, label: str, tally: Tally) -> Text:
    return fmt(
        "{label}: {organizations} · {persons} · {offers}",
        label=label,
        organizations=tally.organizations,
        persons=tally.persons,
        offers=tally.offers,
    )


def _legend(ctx: Context, heading: str) -> Text:
    return strong(heading) + " " + ctx._(N_("(organisations · contacts · offers)"))


@command(
    "netzwerk",
    english="network",
    help=N_(
        "Shows the network at a glance: counts per field and municipality, gaps, and a chart."
    ),
    min_role=Role.TEAM,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=("!netzwerk",),
    group=HelpGroup.NETWORK,
    rank=10,
)
async def network_show(ctx: Context) -> Reply:
    overview = await ctx.store.reports.network_overview()
    # A bulk view of the whole inventory: logged, like every bulk view.
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "view", "network", "*", "")
    today = ctx.clock.now()

    reply = Reply.of(
        fmt(
            ctx._(N_("{heading} (as of {date})")),
            heading=strong(ctx._(N_("The network at a glance"))),
            date=ctx.t.date(today),
        )
    )
    reply.add(_totals(ctx, overview.totals))
    _add_fields(ctx, reply, overview)
    _add_gemeinden(ctx, reply, overview)
    _add_gaps(ctx, reply, overview)

    # Rendering takes a few hundred milliseconds: off the event loop, so other rooms go on.
    heading = ctx._(N_("The network at a glance"))
    title = f"{heading} – {ctx.t.date(today)}"
    chart = await asyncio.to_thread(network_chart, title, _chart_panels(ctx, overview))
    filename = f"netzwerk-{ctx.t.local(today).date().isoformat()}.png"
    reply.attachments.append(Attachment(filename, "image/png", chart))
    return reply


def _totals(ctx: Context, totals: Tally) -> Text:
    parts = [
        fmt(
            ctx.t.ngettext("{count} organisation", "{count} organisations", totals.organizations),
            count=totals.organizations,
        ),
        fmt(
            ctx.t.ngettext("{count} contact", "{count} contacts", totals.persons),
            count=totals.persons,
        ),
        fmt(
            ctx.t.ngettext("{count} offer", "{count} offers", totals.offers),
            count=totals.offers,
        ),
    ]
    return join(" · ", parts)


def _add_fields(ctx: Context, reply: Reply, overview: NetworkOverview) -> None:
    used = [entry for entry in overview.by_field if entry.tally.total]
    if not used:
        return
    reply.add(_legend(ctx, ctx._(N_("By field"))))
    reply.bullets(
        _tally(ctx, term_label(entry.field, ctx.t.language), entry.tally) for entry in used
    )


def _add_gemeinden(ctx: Context, reply: Reply, overview: NetworkOverview) -> None:
    shown, others, other_count = overview.top_gemeinden(TOP_GEMEINDEN)
    without = overview.without_gemeinde
    if not shown and without is None:
        return
    lines = [_tally(ctx, place.gemeinde, place.tally) for place in shown]
    if others is not None:
        label = ctx.t.ngettext(
            "{count} more municipality", "{count} more municipalities", other_count
        ).format(count=other_count)
        lines.append(_tally(ctx, label, others))
    if without is not None:
        lines.append(_tally(ctx, ctx._(N_("without municipality")), without))
    reply.add(_legend(ctx, ctx._(N_("By municipality"))))
    reply.bullets(lines)


def _add_gaps(ctx: Context, reply: Reply, overview: NetworkOverview) -> None:
    if not overview.gaps:
        reply.add(ctx._(N_("No gaps: every field has offers in every municipality.")))
        return
    reply.add(strong(ctx._(N_("Gaps – fields without offers in a municipality:"))))
    lines: list[Text] = []
    empty = [
        term_label(gap.field, ctx.t.language) for gap in overview.gaps if gap.no_offers_at_all
    ]
    if empty:
        lines.append(ctx.say("No offers at all: {fields}", fields=join(", ", empty)))
    for gap in overview.gaps:
        if gap.no_offers_at_all:
            continue
        lines.append(
            ctx.say(
                "{field}: none in {places}",
                field=term_label(gap.field, ctx.t.language),
                places=join(", ", list(gap.gemeinden)),
            )
        )
    reply.bullets(lines)


def _chart_panels(ctx: Context, overview: NetworkOverview) -> list[BarPanel]:
    # Bars sorted by size, largest first, so the chart reads as a ranking.
    by_offers = sorted(overview.by_field, key=lambda entry: -entry.tally.offers)
    fields = BarPanel(
        ctx._(N_("Offers per field")),
        tuple(term_label(entry.field, ctx.t.language) for entry in by_offers),
        tuple(entry.tally.offers for entry in by_offers),
        empty_note=ctx._(N_("No data yet")),
    )
    shown, others, other_count = overview.top_gemeinden(TOP_GEMEINDEN)
    shown = sorted(shown, key=lambda place: -place.tally.organizations)
    labels = [place.gemeinde for place in shown]
    values = [place.tally.organizations for place in shown]
    if others is not None:
        labels.append(
            ctx.t.ngettext(
                "{count} more municipality", "{count} more municipalities", other_count
            ).format(count=other_count)
        )
        values.append(others.organizations)
    without = overview.without_gemeinde
    if without is not None and without.organizations:
        labels.append(ctx._(N_("without municipality")))
        values.append(without.organizations)
    places = BarPanel(
        ctx._(N_("Organisations per municipality")),
        tuple(labels),
        tuple(values),
        empty_note=ctx._(N_("No data yet")),
    )
    return [fields, places]
