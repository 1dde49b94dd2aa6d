"""Build step that pyproject.toml cannot express: compiled gettext catalogs inside the wheel.

The committed ``locale/<lang>/LC_MESSAGES/kuemmerer.po`` files are compiled into
``commands/locale/<lang>/LC_MESSAGES/kuemmerer.mo`` of the built package, so an installed bot finds
its German texts without a source tree. Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

DOMAIN = "kuemmerer"
SOURCE_LOCALE = Path(__file__).resolve().parent / "locale"


class BuildPyWithCatalogs(build_py):
    """``build_py`` that also compiles every catalog into the ``commands`` package."""

    def run(self) -> None:
        super().run()
        # An editable install reads the source tree's locale/ (compiled by `make catalogs`).
        if not getattr(self, "editable_mode", False):
            for po_path, mo_path in self._catalogs():
                mo_path.parent.mkdir(parents=True, exist_ok=True)
                with po_path.open("rb") as source:
                    catalog = read_po(source, domain=DOMAIN)
                # Fuzzy entries are the merge tool's guesses, not translations: leave them out.
                with mo_path.open("wb") as target:
                    write_mo(target, catalog, use_fuzzy=False)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        compiled = [str(mo_path) for _po_path, mo_path in self._catalogs()]
        return [*super().get_outputs(include_bytecode), *compiled]

    def _catalogs(self) -> list[tuple[Path, Path]]:
        """Each committed .po file with the place of its .mo file in the built package."""
        pairs = []
        for po_path in sorted(SOURCE_LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            relative = po_path.relative_to(SOURCE_LOCALE).with_suffix(".mo")
            pairs.append((po_path, Path(self.build_lib) / "commands" / "locale" / relative))
        return pairs


setup(cmdclass={"build_py": BuildPyWithCatalogs})
