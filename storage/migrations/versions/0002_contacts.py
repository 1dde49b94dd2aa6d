"""Contact network: vocabularies, organisations, persons, memberships, offers.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The controlled vocabularies of PRODUCT.md: (key, German label, English label, aliases).
# Aliases are matched case- and umlaut-insensitively; admins can add terms later.
FIELDS = [
    (
        "fruehkindliche-bildung",
        "frühkindliche Bildung",
        "early childhood education",
        ["frühe Bildung", "Elementarbildung", "early education"],
    ),
    ("schule", "Schule", "school", ["schulische Bildung", "schools"]),
    (
        "uebergang-kita-grundschule",
        "Übergang Kita–Grundschule",
        "transition Kita–primary school",
        ["Kita-Grundschule", "Übergang Kita-Schule", "ÜKG"],
    ),
    (
        "uebergang-schule-beruf",
        "Übergang Schule–Beruf",
        "transition school–work",
        ["Schule-Beruf", "Schule–Beruf", "ÜSB", "Berufsorientierung", "school to work"],
    ),
    (
        "berufliche-bildung",
        "berufliche Bildung",
        "vocational education",
        ["Berufsbildung", "Ausbildung", "vocational training"],
    ),
    ("hochschule", "Hochschule", "higher education", ["Studium", "Universität", "university"]),
    (
        "weiterbildung",
        "Weiterbildung",
        "further education",
        ["Erwachsenenbildung", "adult education", "continuing education"],
    ),
    (
        "non-formale-kulturelle-bildung",
        "non-formale/kulturelle Bildung",
        "non-formal and cultural education",
        ["kulturelle Bildung", "non-formale Bildung", "cultural education"],
    ),
    (
        "bildungsberatung",
        "Bildungsberatung",
        "education guidance",
        ["Beratung", "Bildungsberatung", "guidance"],
    ),
    (
        "integration-neuzugewanderte",
        "Integration/Neuzugewanderte",
        "integration and newcomers",
        ["Integration", "Neuzugewanderte", "Migration", "newcomers"],
    ),
    (
        "sprachbildung",
        "Sprachbildung",
        "language education",
        ["Sprachförderung", "Deutsch als Zweitsprache", "DaZ", "language support"],
    ),
    (
        "medienbildung",
        "Medienbildung",
        "media education",
        ["Medienkompetenz", "digitale Bildung", "media literacy"],
    ),
    ("ganztag", "Ganztag", "all-day schooling", ["Ganztagsschule", "OGS", "all-day school"]),
    (
        "bne",
        "BNE",
        "education for sustainable development",
        ["Bildung für nachhaltige Entwicklung", "Nachhaltigkeit", "ESD"],
    ),
]
TARGET_GROUPS = [
    ("kinder-0-6", "Kinder 0–6", "children 0–6", ["Kinder", "Kleinkinder", "0-6", "children"]),
    (
        "schuelerinnen",
        "Schüler:innen",
        "pupils",
        ["Schüler", "Schülerinnen", "SuS", "students", "pupils"],
    ),
    (
        "junge-menschen",
        "junge Menschen",
        "young people",
        ["Jugendliche", "junge Erwachsene", "youth"],
    ),
    ("eltern", "Eltern", "parents", ["Familien", "Erziehungsberechtigte", "families"]),
    (
        "fachkraefte",
        "Fachkräfte",
        "professionals",
        ["Lehrkräfte", "Erzieher:innen", "pädagogische Fachkräfte", "teachers"],
    ),
    (
        "neuzugewanderte",
        "Neuzugewanderte",
        "newcomers",
        ["Geflüchtete", "Zugewanderte", "Migrant:innen", "refugees"],
    ),
    ("aeltere", "Ältere", "older people", ["Senior:innen", "Senioren", "seniors"]),
]
ORGANIZATION_KINDS = [
    ("kita", "Kita", "day-care centre", ["Kindertagesstätte", "Kindergarten", "daycare"]),
    ("grundschule", "Grundschule", "primary school", ["GS", "primary school"]),
    (
        "weiterfuehrende-schule",
        "weiterführende Schule",
        "secondary school",
        ["Gymnasium", "Realschule", "Gesamtschule", "Oberschule", "Sekundarschule"],
    ),
    (
        "berufsschule",
        "Berufsschule",
        "vocational school",
        ["Berufskolleg", "berufsbildende Schule", "BBS"],
    ),
    ("hochschule", "Hochschule", "university", ["Universität", "Fachhochschule", "university"]),
    ("vhs", "VHS", "adult education centre", ["Volkshochschule"]),
    (
        "jugendhilfe",
        "Jugendhilfe",
        "youth services",
        ["Jugendamt", "Jugendzentrum", "Jugendarbeit", "youth work"],
    ),
    ("verein", "Verein", "association", ["e.V.", "Initiative", "association"]),
    ("unternehmen", "Unternehmen", "company", ["Betrieb", "Firma", "company"]),
    ("kammer", "Kammer", "chamber", ["IHK", "Handwerkskammer", "HWK", "chamber"]),
    (
        "verwaltung",
        "Verwaltung",
        "administration",
        ["Kreisverwaltung", "Gemeinde", "Stadtverwaltung", "Schulamt", "administration"],
    ),
    ("sonstige", "Sonstige", "other", ["andere", "other"]),
]


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("matrix_id", sa.String(length=255), nullable=False),
        sa.Column("gemeinde", sa.String(length=128), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("legal_basis", sa.String(length=32), nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=True),
        sa.Column("consent_withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_gemeinde"), ["gemeinde"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_matrix_id"), ["matrix_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_name_key"), ["name_key"], unique=False)

    op.create_table(
        "vocabulary_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vocabulary", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label_de", sa.String(length=128), nullable=False),
        sa.Column("label_en", sa.String(length=128), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vocabulary", "key", name="uq_vocabulary_term_key"),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_key", sa.String(length=255), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(length=255), nullable=False),
        sa.Column("postcode", sa.String(length=16), nullable=False),
        sa.Column("gemeinde", sa.String(length=128), nullable=False),
        sa.Column("website", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["vocabulary_term.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organization_gemeinde"), ["gemeinde"], unique=False)
        batch_op.create_index(batch_op.f("ix_organization_name_key"), ["name_key"], unique=False)

    op.create_table(
        "person_field",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["term_id"], ["vocabulary_term.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "term_id"),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("function", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_membership_person_id"), ["person_id"], unique=False)

    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=255), nullable=False),
        sa.Column("gemeinde", sa.String(length=128), nullable=False),
        sa.Column("schedule", sa.String(length=255), nullable=False),
        sa.Column("cost", sa.String(length=255), nullable=False),
        sa.Column("link", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["organization.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_gemeinde"), ["gemeinde"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_title"), ["title"], unique=False)

    op.create_table(
        "organization_field",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["term_id"], ["vocabulary_term.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("organization_id", "term_id"),
    )
    op.create_table(
        "offer_field",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["term_id"], ["vocabulary_term.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("offer_id", "term_id"),
    )
    op.create_table(
        "offer_target_group",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["term_id"], ["vocabulary_term.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("offer_id", "term_id"),
    )
    terms = sa.table(
        "vocabulary_term",
        sa.column("vocabulary", sa.String),
        sa.column("key", sa.String),
        sa.column("label_de", sa.String),
        sa.column("label_en", sa.String),
        sa.column("aliases", sa.JSON),
        sa.column("active", sa.Boolean),
    )
    rows = [
        {"vocabulary": vocabulary, "key": key, "label_de": de, "label_en": en,
         "aliases": aliases, "active": True}
        for vocabulary, entries in (
            ("field", FIELDS), ("target_group", TARGET_GROUPS), ("org_kind", ORGANIZATION_KINDS)
        )
        for key, de, en, aliases in entries
    ]  # fmt: skip
    op.bulk_insert(terms, rows)


def downgrade() -> None:
    op.drop_table("offer_target_group")
    op.drop_table("offer_field")
    op.drop_table("organization_field")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_title"))
        batch_op.drop_index(batch_op.f("ix_offer_provider_id"))
        batch_op.drop_index(batch_op.f("ix_offer_gemeinde"))

    op.drop_table("offer")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_person_id"))
        batch_op.drop_index(batch_op.f("ix_membership_organization_id"))

    op.drop_table("membership")
    op.drop_table("person_field")
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_name_key"))
        batch_op.drop_index(batch_op.f("ix_organization_gemeinde"))

    op.drop_table("organization")
    op.drop_table("vocabulary_term")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_name_key"))
        batch_op.drop_index(batch_op.f("ix_person_matrix_id"))
        batch_op.drop_index(batch_op.f("ix_person_gemeinde"))
        batch_op.drop_index(batch_op.f("ix_person_email"))

    op.drop_table("person")
