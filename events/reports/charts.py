"""Server-side SVG charts of the attendance report (matplotlib, Agg, no external fonts).

The SVG carries its own text alternative (`role="img"`, `aria-label` and `<title>`); the page
shows the same numbers in a data table next to the chart.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl

mpl.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure

# Colour-blind safe palette (Okabe–Ito), dark enough against white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9"]
HATCHES = ["", "//", "..", "xx", "\\\\", "--", "++"]  # not colour alone
_RC = {
    "svg.fonttype": "path",  # text drawn as paths: no font files needed by the viewer
    "svg.hashsalt": "kohtaamo-report",  # stable element ids
    "font.family": "DejaVu Sans",  # ships with matplotlib
    "font.size": 9,
}


def timeline_svg(timeline: dict, *, title: str, description: str, y_label: str) -> str:
    """Stacked bars of attendance per month, one colour per column of the timeline table."""
    months = [row[0] for row in timeline["rows"]]
    with rc_context(_RC):
        figure = Figure(figsize=(8, 3.6), dpi=100)
        axes = figure.add_subplot()
        bottom = [0] * len(months)
        for index, column in enumerate(timeline["columns"]):
            values = [row[index + 1] for row in timeline["rows"]]
            axes.bar(
                range(len(months)),
                values,
                bottom=bottom,
                label=column,
                color=PALETTE[index % len(PALETTE)],
                hatch=HATCHES[index % len(HATCHES)],
                edgecolor="white",
                linewidth=0.4,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        _axes_style(axes, months, y_label)
        if timeline["columns"]:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buffer.getvalue(), title=title, description=description)


def _axes_style(axes, months: list[str], y_label: str) -> None:
    step = max(1, len(months) // 12)
    axes.set_xticks(range(0, len(months), step))
    axes.set_xticklabels(months[::step], rotation=45, ha="right")
    axes.set_ylabel(y_label)
    axes.margins(y=0.08)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#d0d0d0", linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _accessible(svg: str, *, title: str, description: str) -> str:
    """Drop the XML prolog and give the <svg> a role, a label, a <title> and a <desc>."""
    start = svg.index("<svg")
    svg = svg[start:]
    head_end = svg.index(">") + 1
    head = svg[: head_end - 1] + f' role="img" aria-label={quoteattr(title)}>'
    text = f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    return head + text + svg[head_end:]
