"""The course's figure style: colours that survive colour blindness and greyscale.

Every series gets a colour from the Okabe-Ito palette *and* its own line style and
marker, so a figure still reads when printed in grey.
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

# Okabe & Ito (2008), "Color Universal Design": distinguishable with any colour vision.
COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
# A sequential colour map that stays readable in greyscale (for heat maps).
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"


def use_course_style() -> None:
    """Apply the course's matplotlib defaults (call once, at the top of a notebook)."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": "medium",
        "legend.frameon": False,
        "axes.prop_cycle": cycler(color=COLORS) + cycler(linestyle=LINESTYLES)
        + cycler(marker=MARKERS),
        "lines.markersize": 4,
        "image.cmap": SEQUENTIAL_CMAP,
    })


def series_style(index: int) -> dict:
    """Colour, line style and marker of the ``index``-th series, for explicit plotting."""
    i = index % len(COLORS)
    return {"color": COLORS[i], "linestyle": LINESTYLES[i], "marker": MARKERS[i]}
