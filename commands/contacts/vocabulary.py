"""``!begriffe`` and ``!begriff neu`` — the controlled vocabularies, readable for the team and
extendable by administrators (a new Handlungsfeld, target group or organisation kind)."""

from __future__ import annotations

import re

from commands.framework import converters
from commands.framework.context import Context
from commands.framework.errors import BadArgument
from commands.framework.i18n import N_
from commands.framework.registry import HelpGroup, Option, Param, Role, RoomKind, command
from commands.framework.reply import Reply, code, fmt, join, strong
from storage.folding import fold_text
from storage.models import VocabularyTerm
from storage.vocabulary import FIELD, ORG_KIND, TARGET_GROUP

VOCABULARY_NAMES = {
    FIELD: ("feld", "felder", "handlungsfeld", "handlungsfelder", "field", "fields"),
    TARGET_GROUP: ("zielgruppe", "zielgruppen", "target", "target_group", "targets"),
    ORG_KIND: ("art", "arten", "organisationsart", "kind", "kinds"),
}
VOCABULARY_LABELS = {
    FIELD: N_("Fields (Handlungsfelder)"),
    TARGET_GROUP: N_("Target groups"),
    ORG_KIND: N_("Kinds of organisation"),
}


def term_label(term: VocabularyTerm, language: str) -> str:
    """``term`` for a reader of ``language``: the German label for German, the English one for
    every other language, as the texts fall back to their English msgids."""
    return term.label_de if language == "de" else term.label_en


def vocabulary_name(ctx: Context, raw: str) -> str:
    """``feld``, ``zielgruppe`` or ``art`` (also English) → the vocabulary's key."""
    wanted = fold_text(raw)
    for vocabulary, names in VOCABULARY_NAMES.items():
        if wanted in names:
            return vocabulary
    raise BadArgument(
        ctx.say(
            "{raw} is not a vocabulary. Write one of {names}.",
            raw=code(raw),
            names=join(", ", [code("feld"), code("zielgruppe"), code("art")]),
        )
    )


def alias_list(ctx: Context, raw: str) -> list[str]:
    """Comma-separated alternative spellings."""
    return [part.strip() for part in re.split(r"[,;]", raw) if part.strip()]


@command(
    "begriffe",
    english="terms",
    help=N_("Lists the fields, target groups or kinds of organisation with their spellings."),
    params=[Param("vocabulary", N_("vocabulary"), vocabulary_name, optional=True)],
    min_role=Role.TEAM,
    examples=("!begriffe feld", "!begriffe zielgruppe"),
    group=HelpGroup.NETWORK,
    rank=20,
)
async def terms_list(ctx: Context, vocabulary: str | None) -> Reply:
    english = ctx.t.language == "en"
    reply = Reply()
    for name in [vocabulary] if vocabulary else list(VOCABULARY_NAMES):
        terms = await ctx.store.vocabulary.terms(name)
        reply.add(strong(ctx._(VOCABULARY_LABELS[name])))
        reply.bullets(
            fmt(
                "{label} ({aliases})" if term.aliases else "{label}",
                label=term.label_en if english else term.label_de,
                aliases=", ".join(term.aliases),
            )
            for term in terms
        )
    return reply


@command(
    "begriff neu",
    english="term new",
    help=N_("Adds a term to a vocabulary, e.g. a new field with its English name and aliases."),
    params=[
        Param("vocabulary", N_("vocabulary"), vocabulary_name),
        Param("label", N_("German name"), converters.text, greedy=True),
    ],
    options=[
        Option("english", "en", converters.text, aliases=("englisch",)),
        Option("aliases", "alias", alias_list, aliases=("aliase", "aliases")),
    ],
    min_role=Role.ADMIN,
    rooms=(RoomKind.TEAM, RoomKind.DIRECT),
    examples=('!begriff neu feld "Demokratiebildung" en="civic education" alias=Politik',),
    group=HelpGroup.NETWORK,
    rank=30,
)
async def term_create(
    ctx: Context, vocabulary: str, label: str, english: str | None, aliases: list[str] | None
) -> Reply:
    spellings = [label, *(aliases or []), *([english] if english else [])]
    for spelling in spellings:
        existing = await ctx.store.vocabulary.match(vocabulary, spelling)
        if existing is not None:
            raise BadArgument(
                ctx.say(
                    "{spelling} already means the term {term}.",
                    spelling=code(spelling),
                    term=strong(existing.label_de),
                )
            )
    key = re.sub(r"[^a-z0-9]+", "-", fold_text(label)).strip("-")
    term = await ctx.store.vocabulary.add(vocabulary, key, label, english or label, aliases or [])
    await ctx.store.audit.record(ctx.clock.now(), ctx.sender, "create", "vocabulary_term", term.id)
    return Reply.of(
        ctx.say(
            "Added {label} to {vocabulary}.",
            label=strong(label),
            vocabulary=ctx._(VOCABULARY_LABELS[vocabulary]),
        )
    )
