"""The contact network: persons, organisations, their memberships, offers, and the terms of the
controlled vocabularies they are tagged with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class VocabularyTerm(Base):
    """A term of a controlled vocabulary: Handlungsfeld, Zielgruppe or organisation kind."""

    __tablename__ = "vocabulary_term"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32))  # field | target_group | org_kind
    key: Mapped[str] = mapped_column(String(64))
    label_de: Mapped[str] = mapped_column(String(128))
    label_en: Mapped[str] = mapped_column(String(128))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("vocabulary", "key", name="uq_vocabulary_term_key"),)


person_field = Table(
    "person_field",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_person_field_term", "term_id", "person_id"),
)
organization_field = Table(
    "organization_field",
    Base.metadata,
    Column("organization_id", ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_organization_field_term", "term_id", "organization_id"),
)
offer_field = Table(
    "offer_field",
    Base.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_offer_field_term", "term_id", "offer_id"),
)
offer_target_group = Table(
    "offer_target_group",
    Base.metadata,
    Column("offer_id", ForeignKey("offer.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("vocabulary_term.id", ondelete="CASCADE"), primary_key=True),
    # Reports count by term ("how many offers per Handlungsfeld"): look up by term first.
    Index("ix_offer_target_group_term", "term_id", "offer_id"),
)


class Organization(Base):
    """A provider or institution (Träger, Einrichtung): school, Kita, VHS, association …"""

    __tablename__ = "organization"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # fold_text(name)
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("vocabulary_term.id"))
    street: Mapped[str] = mapped_column(String(255), default="")
    postcode: Mapped[str] = mapped_column(String(16), default="")
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    website: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    kind: Mapped[VocabularyTerm | None] = relationship(lazy="raise")
    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=organization_field, lazy="raise", passive_deletes=True
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        lazy="raise",
        passive_deletes=True,
    )


class Person(Base):
    """A contact (Ansprechperson). Personal data: source and legal basis are always kept."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # fold_text(name)
    email: Mapped[str] = mapped_column(String(255), default="", index=True)
    phone: Mapped[str] = mapped_column(String(64), default="")
    matrix_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")  # quelle
    recorded_at: Mapped[datetime]
    legal_basis: Mapped[str] = mapped_column(String(32), default="public_task")  # | consent
    consent_at: Mapped[datetime | None]
    consent_withdrawn_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=person_field, lazy="raise", passive_deletes=True
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="raise", passive_deletes=True
    )

    @property
    def display_name(self) -> str:
        return f"{self.title} {self.name}".strip()


class Membership(Base):
    """A person's function in an organisation (later also in a committee)."""

    __tablename__ = "membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    function: Mapped[str] = mapped_column(String(255), default="")

    person: Mapped[Person] = relationship(back_populates="memberships", lazy="raise")
    organization: Mapped[Organization | None] = relationship(
        back_populates="memberships", lazy="raise"
    )


class Offer(Base):
    """An education offer of a provider (Angebot, from the Bestandsaufnahme)."""

    __tablename__ = "offer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255), index=True)
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str] = mapped_column(String(255), default="")
    gemeinde: Mapped[str] = mapped_column(String(128), default="", index=True)
    schedule: Mapped[str] = mapped_column(String(255), default="")
    cost: Mapped[str] = mapped_column(String(255), default="")
    link: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    provider: Mapped[Organization | None] = relationship(lazy="raise")
    fields: Mapped[list[VocabularyTerm]] = relationship(
        secondary=offer_field, lazy="raise", passive_deletes=True
    )
    target_groups: Mapped[list[VocabularyTerm]] = relationship(
        secondary=offer_target_group, lazy="raise", passive_deletes=True
    )
