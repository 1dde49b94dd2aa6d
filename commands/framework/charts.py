"""Charts as PNG bytes (matplotlib, Agg): pure functions without I/O, safe in a worker thread.

Only matplotlib's object API is used — no ``pyplot`` and its global figure registry — so two
charts rendered at the same time in different threads do not interfere.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_INCHES = 10.0
DPI = 100  # 1000 px wide: readable in a chat timeline without zooming
BAR_INCHES = 0.34
PANEL_OVERHEAD_INCHES = 1.0
BAR_COLOUR = "#2f6f8f"
EMPTY_COLOUR = "#b0b0b0"


@dataclass(frozen=True)
class BarPanel:
    """One horizontal bar chart: a heading and labelled counts, drawn top to bottom."""

    title: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    empty_note: str = "–"  # shown when the panel has no bars at all

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError("every bar needs a label")


def network_chart(title: str, panels: Sequence[BarPanel]) -> bytes:
    """A PNG with one horizontal bar chart per panel, stacked, under ``title``.

    Labels arrive translated; the function itself knows no language.
    """
    # Imported here, not at the top: matplotlib takes half a second to import, which every
    # start of the bot would pay for a chart that is rarely asked for.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    heights = [max(len(panel.labels), 1) * BAR_INCHES + PANEL_OVERHEAD_INCHES for panel in panels]
    figure = Figure(figsize=(WIDTH_INCHES, sum(heights) + 0.6), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=15, fontweight="bold")
    axes = figure.subplots(len(panels), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        _draw(ax, panel)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw(ax: Axes, panel: BarPanel) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_title(panel.title, loc="left", fontsize=12)
    if not panel.labels:
        ax.text(0.5, 0.5, panel.empty_note, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    positions = range(len(panel.labels))
    colours = [BAR_COLOUR if value else EMPTY_COLOUR for value in panel.values]
    bars = ax.barh(positions, panel.values, color=colours, height=0.7)
    ax.set_yticks(list(positions), labels=list(panel.labels), fontsize=10)
    ax.invert_yaxis()  # the first label on top, as in the text answer
    ax.bar_label(bars, padding=3, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(max(panel.values), 1) * 1.12)  # room for the numbers at the bar ends
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
