"""Translations: the German catalog is complete and current; dates read as Germans write them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from commands.framework.i18n import LOCALE_DIR, Translator
from tests.support.names import BERLIN, PROJECT

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def german_catalog() -> list[tuple[str, str]]:
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "kuemmerer.po").open("rb") as handle:
        catalog = read_po(handle)
    pairs: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert "fuzzy" not in message.flags, f"fuzzy translation for {ids[0]!r}"
        for index, string in enumerate(strings):
            pairs.append((str(ids[min(index, len(ids) - 1)]), str(string or "")))
    return pairs


def test_every_message_has_a_german_translation_with_the_same_placeholders() -> None:
    """No msgid is untranslated, and no translation drops or invents a {placeholder}."""
    for msgid, translation in german_catalog():
        assert translation, f"untranslated: {msgid!r}"
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(translation)), msgid


def test_catalog_template_matches_the_code(tmp_path: Path) -> None:
    """Every translatable string in the code is in the committed template (run `make extract`)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "--mapping", "babel.cfg",
         "--keywords", "N_", "--keywords", "say", "--keywords", "ngettext:1,2", "--no-location",
         "--sort-output",
         "--output-file", str(fresh), "bot", "commands", "storage"],
        cwd=PROJECT, check=True, capture_output=True,
    )  # fmt: skip
    with fresh.open("rb") as handle:
        in_code = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    translated = {msgid for msgid, _ in german_catalog()}
    assert in_code - translated == set(), "strings without German translation; run make extract"


def test_german_dates_use_the_house_format() -> None:
    """German shows "Fr, 05.03.2027, 14:00 Uhr"; English "Fri, 5 Mar 2027, 14:00"."""
    moment = datetime(2027, 3, 5, 13, 0, tzinfo=UTC)
    assert Translator("de", BERLIN).datetime(moment) == "Fr, 05.03.2027, 14:00 Uhr"
    assert Translator("en", BERLIN).datetime(moment) == "Fri, 5 Mar 2027, 14:00"


def test_summer_time_is_shown_in_local_wall_time() -> None:
    """12:00 UTC in July is 14:00 Uhr in Berlin (CEST), not 13:00."""
    assert Translator("de", BERLIN).time(datetime(2027, 7, 12, 12, 0, tzinfo=UTC)) == "14:00 Uhr"


def compiled_catalog(directory: Path, translations: dict[str, str]) -> Path:
    """A compiled German catalog with ``translations`` under ``directory``; returns it."""
    catalog = Catalog(locale="de", domain="kuemmerer")
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    target = directory / "de" / "LC_MESSAGES" / "kuemmerer.mo"
    target.parent.mkdir(parents=True)
    with target.open("wb") as handle:
        write_mo(handle, catalog)
    return directory


def test_the_installed_package_catalog_wins_over_the_source_tree(tmp_path: Path) -> None:
    """The catalog inside the package is used first; the source tree's locale/ is the fallback."""
    packaged = compiled_catalog(tmp_path / "packaged", {"Shows help.": "Zeigt die Hilfe."})
    source = compiled_catalog(tmp_path / "source", {"Shows help.": "Hilfe (Quellbaum)."})
    missing = tmp_path / "not-built"
    installed = Translator("de", BERLIN, (packaged, source))
    checkout = Translator("de", BERLIN, (missing, source))
    assert installed.gettext("Shows help.") == "Zeigt die Hilfe."
    assert checkout.gettext("Shows help.") == "Hilfe (Quellbaum)."


def test_a_missing_catalog_says_where_it_was_looked_for(tmp_path: Path) -> None:
    """Without any compiled catalog, German start-up fails with the places searched and the fix."""
    with pytest.raises(FileNotFoundError) as failure:
        Translator("de", BERLIN, (tmp_path / "a", tmp_path / "b"))
    assert str(tmp_path / "a") in str(failure.value) and "make catalogs" in str(failure.value)


def test_every_marked_text_is_a_plain_string_the_extractor_can_read() -> None:
    """``N_()`` or ``ctx.say()`` around an f-string or a variable is never extracted, so its
    text would stay English without any test noticing; every ``N_`` and ``say`` takes one plain
    string."""
    unreadable = []
    for path in [*Path("bot").rglob("*.py"), *Path("commands").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and (
                    (isinstance(node.func, ast.Name) and node.func.id == "N_")
                    or (
                        isinstance(node.func, ast.Attribute)
                        and node.func.attr == "say"
                        and isinstance(node.func.value, ast.Name)
                        and node.func.value.id == "ctx"
                    )
                )
                and not (
                    len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                )
            ):
                unreadable.append(f"{path}:{node.lineno}")
    assert unreadable == []


def test_no_text_is_marked_inside_the_values_of_a_say() -> None:
    """Babel reads no ``N_()`` inside the arguments of another keyword call, so a text marked
    in a value of ``ctx.say(…)`` would be missing from the template; such a value is translated
    before the call instead."""
    hidden = []
    for path in [*Path("bot").rglob("*.py"), *Path("commands").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "say"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "ctx"
            ):
                values = [*node.args[1:], *(keyword.value for keyword in node.keywords)]
                hidden += [
                    f"{path}:{inner.lineno}"
                    for value in values
                    for inner in ast.walk(value)
                    if isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id == "N_"
                ]
    assert hidden == []
