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


# --- chapters 3 and 4: the LSTM and GRU cells ------------------------------------------------

def _highlighted_patches(fig):
    ax = fig.axes[0]
    return [p for p in ax.patches if p.get_edgecolor() == to_rgba(diagrams.HIGHLIGHT)]


def test_lstm_cell_highlights_each_part_and_only_it():
    import pytest

    counts = {}
    for part in diagrams.LSTM_PARTS:
        fig = diagrams.draw_lstm_cell(part)
        counts[part] = len(_highlighted_patches(fig))
        assert counts[part] > 0, part
        assert not fig.axes[0].axison
        plt.close(fig)
    # every part highlights something different from the whole diagram
    fig = diagrams.draw_lstm_cell("f")
    assert len(_highlighted_patches(fig)) < len(fig.axes[0].patches)
    plt.close(fig)
    with pytest.raises(ValueError, match="highlight must be one of"):
        diagrams.draw_lstm_cell("forget")


def test_gru_cell_highlights_each_part_and_draws_on_a_given_axes():
    import pytest

    for part in diagrams.GRU_PARTS:
        fig = diagrams.draw_gru_cell(part)
        assert len(_highlighted_patches(fig)) > 0, part
        plt.close(fig)
    fig, ax = plt.subplots()
    assert diagrams.draw_gru_cell("z", ax=ax) is fig
    assert len(ax.patches) > 10
    plt.close(fig)
    with pytest.raises(ValueError, match="highlight must be one of"):
        diagrams.draw_gru_cell("c")
