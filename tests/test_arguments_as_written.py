"""Options as people write them: a value runs until the next key=, and nothing is stored
from a line with a repeated key, an empty value, an unknown key or an over-long value."""

from __future__ import annotations

import pytest

from commands.framework.parsing import Token, tokenize
from storage.database import Database
from tests.support.desk import Desk

JANA = (
    '!kontakt neu Jana Krüger org="Volkshochschule Musterland" '
    "funktion=Fachbereichsleitung Sprachen tel=05555 1234-56 gemeinde=Neustadt am See "
    "quelle=Netzwerktreffen 11/2026"
)


def test_a_value_runs_until_the_next_key() -> None:
    """Unquoted values keep their spaces; a quoted value may contain key= itself."""
    assert tokenize('Jana Krüger tel=05555 1234-56 notiz="Raum a=b" gemeinde=Neustadt am See') == [
        Token("Jana"),
        Token("Krüger"),
        Token("05555 1234-56", "tel"),
        Token("Raum a=b", "notiz"),
        Token("Neustadt am See", "gemeinde"),
    ]


def test_invisible_characters_are_removed_and_text_is_composed() -> None:
    """Zero-width characters from copied text vanish; decomposed umlauts are composed (NFC)."""
    assert tokenize("Kru\u0308\u200bger") == [Token("Krüger")]


async def test_the_contact_from_the_office_is_stored_as_written(database: Database) -> None:
    """The unquoted !kontakt neu of the issue stores the right name, phone and municipality."""
    desk = Desk(database, language="de")
    answer = await desk.ask(JANA)
    assert answer.startswith("Kontakt Nr. 1 angelegt: Nr. 1 · Jana Krüger"), answer
    card = await desk.ask("!kontakt 1")
    assert "Jana Krüger" in card and "Sprachen 1234-56" not in card
    assert "05555 1234-56" in card
    assert "Neustadt am See" in card
    assert "Netzwerktreffen 11/2026" in card
    await desk.ask("!kontakt ändern 1 tel=05555 2296")
    assert "05555 2296" in await desk.ask("!kontakt 1")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("!kontakt neu Jana Krüger tel=1 tel=2", "`tel=` ist doppelt angegeben."),
        ("!kontakt neu Jana Krüger titel= tel=1", "`titel=` hat keinen Wert."),
        ("!kontakt neu Jana Krüger farbe=rot", "Unbekannte Angabe `farbe=`"),
        ("!kontakt neu Jana Krüger notiz=" + "x" * 2001, "`notiz=` ist zu lang"),
        ("!kontakt neu " + "J" * 60_000, "Der Text ist zu lang"),
    ],
)
async def test_a_doubtful_line_is_refused_with_the_key_and_nothing_is_stored(
    database: Database, line: str, said: str
) -> None:
    """Each kind of doubtful option is named in a sentence, and no contact is recorded."""
    desk = Desk(database, language="de")
    answer = await desk.ask(line)
    assert said in answer, answer
    assert "Verwendung:" in answer
    assert "keinen Kontakt mit Nr. 1" in await desk.ask("!kontakt 1")


async def test_a_field_has_the_same_limit_in_chat_as_in_the_import(database: Database) -> None:
    """A 300-character name is refused in chat as the import refuses it (255), and a quoted
    name with a line break is refused instead of stored with it."""
    desk = Desk(database, language="de")
    long_name = await desk.ask("!kontakt neu " + "Jana " * 60)
    assert "Ein Name darf höchstens 255 Zeichen haben, hier sind es 299." in long_name
    broken = await desk.ask('!kontakt neu "Jana\nKrüger"')
    assert "Ein Name ist einzeilig" in broken, broken
    assert "keinen Kontakt mit Nr. 1" in await desk.ask("!kontakt 1")


@pytest.mark.parametrize(
    ("line", "said", "check"),
    [
        (
            "!organisation neu VHS art=sonstige felder=Sprachbildung gemeinde=" + "Neustadt " * 20,
            "Eine Gemeinde darf höchstens 128 Zeichen haben",
            "!organisation VHS",
        ),
        (
            "!organisation neu VHS art=sonstige felder=Sprachbildung gemeinde=Neustadt "
            "web=https://vhs.example/" + "a" * 300,
            "Eine Webadresse darf höchstens 255 Zeichen haben",
            "!organisation VHS",
        ),
        (
            "!angebot neu Deutschkurs träger=VHS feld=Sprachbildung zielgruppe=Eltern ort=VHS "
            "kosten=" + "frei " * 60,
            "Eine Kostenangabe darf höchstens 255 Zeichen haben",
            "!angebot Deutschkurs",
        ),
        (
            '!angebot neu "Deutsch\nkurs" träger=VHS feld=Sprachbildung zielgruppe=Eltern ort=VHS',
            "Ein Titel ist einzeilig",
            "!angebot Deutsch",
        ),
    ],
)
async def test_organisations_and_offers_keep_the_column_limits_in_chat(
    database: Database, line: str, said: str, check: str
) -> None:
    """An organisation's or offer's field longer than its column, or a title with a line
    break, is refused with the field and its limit, and nothing is recorded."""
    desk = Desk(database, language="de")
    answer = await desk.ask(line)
    assert said in answer, answer
    assert "Verwendung:" in answer
    assert "Nr. 1" not in await desk.ask(check)


async def test_required_options_are_named_when_missing_and_shown_without_brackets(
    database: Database,
) -> None:
    """An organisation without art= and feld= is refused naming both, and the usage line
    shows the required keys without the brackets of optional ones."""
    desk = Desk(database, language="de")
    answer = await desk.ask("!organisation neu VHS gemeinde=Neustadt")
    assert answer.startswith("Es fehlt: `art=…`, `feld=…`."), answer
    assert "<Name…> art=… gemeinde=… feld=… [strasse=…]" in answer
