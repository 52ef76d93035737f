"""rnncourse.diagrams: the highlighted part is drawn in the highlight colour."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from rnncourse import diagrams  # noqa: E402


def test_part_style_highlights_only_members():
    assert diagrams.part_style({"f", "cell"}, "f") == (diagrams.HIGHLIGHT, 2.6)
    assert diagrams.part_style({"f", "cell"}, "o") == (diagrams.MUTED, 1.2)


def test_primitives_draw_in_the_part_colour():
    fig, ax = plt.subplots()
    diagrams.wire(ax, [(0, 0), (1, 0), (1, 1)], {"f"}, "f")
    diagrams.layer_box(ax, 2, 2, "σ", "$f_t$", {"f"}, "o")
    diagrams.operator(ax, 3, 3, "+", {"f"}, "f", fontsize=7)
    line, = ax.lines
    arrow, box, circle = ax.patches
    assert line.get_color() == diagrams.HIGHLIGHT
    assert arrow.get_edgecolor() == to_rgba(diagrams.HIGHLIGHT)
    assert box.get_edgecolor() == to_rgba(diagrams.MUTED)
    assert circle.get_edgecolor() == to_rgba(diagrams.HIGHLIGHT)
    assert [t.get_fontsize() for t in ax.texts][-1] == 7
    plt.close(fig)
