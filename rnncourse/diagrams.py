"""Drawing primitives for the gate-by-gate cell diagrams of chapters 3 and 4.

A diagram highlights one part of a cell: every primitive takes the set of parts it
belongs to (``groups``) and the part being highlighted, and is drawn in the highlight
colour and a heavier line when it belongs to that part, in muted grey otherwise.
Coordinates are data coordinates of the axes the diagram is drawn on.
"""

from __future__ import annotations

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from rnncourse.plotting import COLORS

HIGHLIGHT, MUTED, WIRE = COLORS[1], "#A0A0A0", "#404040"


def part_style(groups, highlight) -> tuple[str, float]:
    """(colour, line width) of an element belonging to ``groups``."""
    return (HIGHLIGHT, 2.6) if highlight in groups else (MUTED, 1.2)


def wire(ax, points, groups=(), highlight=None, arrow=True, colour=None):
    """A polyline through ``points`` with an arrow head at the end (unless ``arrow=False``).

    ``colour`` overrides the highlight logic (for wires that belong to no part).
    """
    colour, width = (colour, 1.4) if colour else part_style(groups, highlight)
    for start, end in zip(points[:-2], points[1:-1], strict=True):
        ax.plot([start[0], end[0]], [start[1], end[1]], color=colour, linewidth=width,
                linestyle="-", marker="")
    ax.add_patch(FancyArrowPatch(points[-2], points[-1], color=colour, linewidth=width,
                                 arrowstyle="-|>" if arrow else "-", mutation_scale=11,
                                 shrinkA=0, shrinkB=0))


def layer_box(ax, x, y, text, label, groups, highlight):
    """A rounded box for a small neural layer (sigma or tanh), labelled on its left."""
    colour, width = part_style(groups, highlight)
    ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.28), 0.84, 0.56, boxstyle="round,pad=0.04",
                                facecolor="white", edgecolor=colour, linewidth=width,
                                zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4,
            color="black" if highlight in groups else "#606060")
    ax.text(x - 0.5, y + 0.05, label, ha="right", va="center", fontsize=11, color=colour)


def operator(ax, x, y, symbol, groups, highlight, fontsize=11):
    """A circle for an element-wise operation (multiply, add, one minus)."""
    colour, width = part_style(groups, highlight)
    ax.add_patch(Circle((x, y), 0.22, facecolor="white", edgecolor=colour, linewidth=width,
                        zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize, zorder=4,
            color=colour)
