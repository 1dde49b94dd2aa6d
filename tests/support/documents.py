"""Documents the bot renders, read back as a person would read them."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page of the PDF ``data``, page after page."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def text_lines_and_image_tops(data: bytes) -> tuple[dict[str, float], list[float]]:
    """On the PDF's first page: the lowest baseline of each text fragment, and the top edge of
    each image, both in points from the top of the page."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    height = float(page.mediabox.height)
    baselines: dict[str, float] = {}

    def seen(text: str, _cm: object, tm: list[float], *_rest: object) -> None:
        if text.strip():
            key = text.strip()
            baselines[key] = max(baselines.get(key, 0.0), height - tm[5])

    page.extract_text(visitor_text=seen)
    # An image is drawn through the matrix "w 0 0 h x y cm" before its "/I… Do": its top
    # edge is y + h from the bottom of the page.
    words = page.get_contents().get_data().decode("latin-1").split()  # type: ignore[union-attr]
    tops = [
        height - (float(words[index - 1]) + float(words[index - 3]))
        for index, word in enumerate(words[:-1])
        if word == "cm" and words[index + 1].startswith("/I")
    ]
    return baselines, tops
