"""Offers: ``!angebot`` searches them or shows a card, ``!angebot neu`` records one."""

from __future__ import annotations

from commands.contacts.common import (
    TEAM_ROOMS,
    beyond_end,
    create_organization,
    default_source,
    filled,
    hit_count,
    labelled,
    new_organization_note,
    offer_entry,
    option_text,
    terms_text,
)
from commands.contacts.converters import (
    FIELDS_OPTION,
    FIELDS_OPTION_REQUIRED,
    GEMEINDE,
    OrganizationRef,
    TermNames,
    number_label,
    number_or_query,
    organization_ref,
    target_group_list,
    web_address,
)
from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import NotFound
from commands.framework.i18n import N_
from commands.framework.paging import PAGE_OPTION, more_note, page_from
from commands.framework.registry import (
    HelpGroup,
    Option,
    Param,
    Role,
    command,
)
from commands.framework.reply import Reply, code, fmt, strong, text
from storage.models import Offer


@command(
    "angebot",
    english="offer",
    help=N_(
        "Searches education offers by keyword, target group, field and municipality, "
        "or shows offer No. N."
    ),
    params=[Param("target", N_("keyword or number"), number_or_query, optional=True, greedy=True)],
    options=[
        Option(
            "target_groups",
            "zielgruppe",
            target_group_list,
            aliases=("target_group", "zielgruppen", "target_groups"),
        ),
        FIELDS_OPTION,
        Option("gemeinde", "gemeinde", converters.text, aliases=("municipality",)),
        PAGE_OPTION,
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=("!angebot sprachkurs", "!angebot zielgruppe=Eltern gemeinde=Herford", "!angebot 5"),
    group=HelpGroup.CONTACTS,
    rank=70,
)
async def offer_show(
    ctx: Context,
    target: int | str | None,
    target_groups: TermNames | None,
    fields: TermNames | None,
    gemeinde: str | None,
    page: int | None,
) -> Reply:
    if isinstance(target, int):
        return await offer_card(ctx, target)
    shown = page_from(page)
    groups = await target_groups.resolve(ctx) if target_groups is not None else []
    terms = await fields.resolve(ctx) if fields is not None else []
    # Without a keyword the search lists all offers that pass the filters, by title.
    found = await ctx.store.search.search(
        target or "",
        kinds=("offer",),
        gemeinde=gemeinde,
        field_ids=[term.id for term in terms],
        target_group_ids=[group.id for group in groups],
        limit=shown.size,
        offset=shown.offset,
    )
    offers = await ctx.store.contacts.offers_by_ids([hit.id for hit in found.hits])
    total = found.total
    if total == 0:
        return Reply.of(
            ctx.say(
                "No offer found. Try another keyword or fewer filters; {new} records one.",
                new=code(ctx.command_ref(offer_create, '"…" traeger=… feld=… zielgruppe=… ort=…')),
            )
        )
    if not offers:
        raise beyond_end(ctx, shown, total)
    line = ctx.command_ref(offer_show)
    for key, value in (
        ("", target),
        ("zielgruppe", target_groups and target_groups.text),
        ("feld", fields and fields.text),
        ("gemeinde", gemeinde),
    ):
        if value:
            line += " " + (option_text(key, value) if key else value)
    header = ctx.t.ngettext("{count} offer found:", "{count} offers found:", total)
    reply = Reply.of(strong(fmt(header, count=hit_count(found))))
    return reply.bullets(
        (offer_entry(ctx, offer) for offer in offers), more_note(ctx, shown, total, line)
    )


async def offer_card(ctx: Context, number: int) -> Reply:
    """Everything stored about one offer."""
    offer = await ctx.store.contacts.offer(number)
    if offer is None:
        raise NotFound(
            ctx.say(
                "There is no offer with {number}. {search} searches by keyword.",
                number=number_label(ctx, number),
                search=code(ctx.command_ref(offer_show, "<…>")),
            )
        )
    reply = Reply.of(
        strong(
            ctx.say(
                "Offer {number}: {title}", number=number_label(ctx, offer.id), title=offer.title
            )
        )
    )
    provider = (
        ctx.say(
            "{name} (organisation {number})",
            name=offer.provider.name,
            number=number_label(ctx, offer.provider.id),
        )
        if offer.provider is not None
        else text("")
    )
    return reply.bullets(
        [
            labelled(ctx, N_("Provider"), provider),
            labelled(ctx, N_("Fields"), terms_text(ctx, offer.fields)),
            labelled(ctx, N_("Target groups"), terms_text(ctx, offer.target_groups)),
            labelled(ctx, N_("Place"), offer.place),
            *filled(
                ctx,
                (N_("Municipality"), offer.gemeinde),
                (N_("Time"), offer.schedule),
                (N_("Cost"), offer.cost),
                (N_("Link"), offer.link),
                (N_("Description"), offer.description),
            ),
            labelled(ctx, N_("Source"), offer.source),
            labelled(ctx, N_("Recorded"), ctx.t.date(offer.created_at)),
        ]
    )


OFFER_TITLE = converters.FieldText(Offer, "title", N_("A title"))
PLACE = converters.FieldText(Offer, "place", N_("A place"))
SCHEDULE = converters.FieldText(Offer, "schedule", N_("A time note"))
COST = converters.FieldText(Offer, "cost", N_("A cost note"))
LINK = converters.FieldText(Offer, "link", N_("A link"), web_address)
SOURCE = converters.FieldText(Offer, "source", N_("A source"))


@command(
    "angebot neu",
    english="offer new",
    help=N_("Records a new education offer of a provider."),
    params=[Param("title", N_("title"), OFFER_TITLE, greedy=True)],
    options=[
        Option("provider", "traeger", organization_ref, aliases=("provider",), required=True),
        FIELDS_OPTION_REQUIRED,
        Option(
            "target_groups",
            "zielgruppe",
            target_group_list,
            aliases=("target_group", "zielgruppen", "target_groups"),
            required=True,
        ),
        Option("place", "ort", PLACE, aliases=("place",), required=True),
        Option("gemeinde", "gemeinde", GEMEINDE, aliases=("municipality",)),
        Option("schedule", "zeit", SCHEDULE, aliases=("time", "schedule")),
        Option("cost", "kosten", COST, aliases=("cost",)),
        Option("link", "link", LINK, aliases=("url",)),
        Option("description", "beschreibung", converters.text, aliases=("description",)),
        Option("source", "quelle", SOURCE, aliases=("source",)),
    ],
    min_role=Role.TEAM,
    rooms=TEAM_ROOMS,
    examples=(
        '!angebot neu "Deutschkurs für Eltern" träger="VHS Kreis Herford" feld=Sprachbildung '
        'zielgruppe=Eltern ort="VHS, Raum 2" zeit="dienstags 9–11 Uhr"',
    ),
    group=HelpGroup.CONTACTS,
    rank=80,
)
async def offer_create(
    ctx: Context,
    title: str,
    provider: OrganizationRef,
    fields: TermNames,
    target_groups: TermNames,
    place: str,
    gemeinde: str | None,
    schedule: str | None,
    cost: str | None,
    link: str | None,
    description: str | None,
    source: str | None,
) -> Reply:
    terms = await fields.resolve(ctx)
    groups = await target_groups.resolve(ctx)
    organization = await provider.find(ctx)
    created_organization = None
    if organization is None:
        organization = created_organization = await create_organization(ctx, provider.name)
    offer = await ctx.store.contacts.add_offer(
        ctx.clock.now(),
        title,
        organization,
        terms,
        groups,
        place=place,
        gemeinde=gemeinde or organization.gemeinde,
        schedule=schedule or "",
        cost=cost or "",
        link=link or "",
        description=description or "",
        source=source or default_source(ctx),
    )
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "offer", offer.id)
    reply = Reply.of(
        ctx.say(
            "Offer {number} recorded: {entry}",
            number=number_label(ctx, offer.id),
            entry=offer_entry(ctx, offer),
        )
    )
    if created_organization is not None:
        reply.add(new_organization_note(ctx, created_organization))
    return reply
