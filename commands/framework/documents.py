"""Printable documents: HTML from the Jinja2 templates shipped in
``commands/framework/templates``, and a PDF drawn from that HTML with fpdf2. Pure functions
without I/O, safe in a worker thread.

The status report uses this pipeline; the minutes will render their own template through it.
Every value put into a template is escaped (autoescape), so text typed in the chat cannot
change the document's markup.
"""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_FONT_FAMILY = "dejavu"
_FONT_FILES = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}


def render_html(template: str, **values: Any) -> str:
    """The HTML of ``template`` (in ``commands/framework/templates``) filled with ``values``."""
    environment = Environment(
        loader=PackageLoader("commands.framework", "templates"),
        autoescape=select_autoescape(("html",), default=True),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty spot
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(template).render(**values)


def png_source(png: bytes) -> str:
    """An image as a ``data:`` address, so the HTML carries it and needs no file beside it."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html_to_pdf(html: str, *, title: str, created: datetime, language: str) -> bytes:
    """An A4 PDF of ``html`` (the subset fpdf2 draws: headings, paragraphs, lists, tables,
    images), with ``title`` and ``created`` in its metadata."""
    # Imported here, not at the top: fpdf2 and matplotlib take half a second to import, which
    # every start of the bot would pay for a document that is rarely asked for.
    import matplotlib
    from fpdf import FPDF

    # DejaVu Sans covers every character of German and English texts (dashes, quotes, €); it
    # comes with matplotlib, so the PDF needs no font installed on the system.
    font_directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf = FPDF(format="A4")
    for style, filename in _FONT_FILES.items():
        pdf.add_font(_FONT_FAMILY, style, str(font_directory / filename))
    pdf.set_title(title)
    pdf.set_lang(language)
    pdf.set_creator("Kümmerer")
    pdf.set_creation_date(created)
    pdf.set_font(_FONT_FAMILY, size=10)
    pdf.add_page()
    pdf.write_html(html, font_family=_FONT_FAMILY)
    return bytes(pdf.output())
