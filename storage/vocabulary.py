"""Controlled vocabularies (Handlungsfelder, Zielgruppen, organisation kinds) and matching."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.folding import fold_text
from storage.models import VocabularyTerm

FIELD = "field"
TARGET_GROUP = "target_group"
ORG_KIND = "org_kind"
VOCABULARIES = (FIELD, TARGET_GROUP, ORG_KIND)


@dataclass
class VocabularyRepository:
    """Reads and extends the vocabularies; matches user text to terms."""

    session: AsyncSession

    async def terms(self, vocabulary: str, include_inactive: bool = False) -> list[VocabularyTerm]:
        query = select(VocabularyTerm).where(VocabularyTerm.vocabulary == vocabulary)
        if not include_inactive:
            query = query.where(VocabularyTerm.active.is_(True))
        return list(await self.session.scalars(query.order_by(VocabularyTerm.id)))

    async def match(self, vocabulary: str, text: str) -> VocabularyTerm | None:
        """The term whose key, label or alias is ``text`` in any spelling."""
        wanted = fold_text(text)
        if not wanted:
            return None
        for term in await self.terms(vocabulary):
            spellings = {term.key, term.label_de, term.label_en, *term.aliases}
            if wanted in {fold_text(spelling) for spelling in spellings}:
                return term
        return None

    async def match_list(
        self, vocabulary: str, text: str
    ) -> tuple[list[VocabularyTerm], list[str]]:
        """Terms for a comma-separated list, and the parts that matched no term."""
        found: list[VocabularyTerm] = []
        unknown: list[str] = []
        for part in (piece.strip() for piece in re.split(r"[,;]", text)):
            if not part:
                continue
            term = await self.match(vocabulary, part)
            if term is None:
                unknown.append(part)
            elif term not in found:
                found.append(term)
        return found, unknown

    async def add(
        self, vocabulary: str, key: str, label_de: str, label_en: str, aliases: list[str]
    ) -> VocabularyTerm:
        term = VocabularyTerm(
            vocabulary=vocabulary,
            key=key,
            label_de=label_de,
            label_en=label_en,
            aliases=aliases,
            active=True,
        )
        self.session.add(term)
        await self.session.flush()
        return term
