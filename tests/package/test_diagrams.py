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


# --- chapters 1 and 2 -------------------------------------------------------------------

def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_rolled_and_unrolled_figure_has_one_cell_per_step():
    fig = diagrams.draw_rolled_and_unrolled(steps=3)
    rolled, unrolled = fig.axes
    boxes = [p for p in unrolled.patches if p.__class__.__name__ == "FancyBboxPatch"]
    assert len(boxes) == 3
    assert [t for t in _texts(fig) if t.startswith("$x_")] == ["$x_t$", "$x_1$", "$x_2$",
                                                                "$x_3$"]
    assert "$h_0$" in _texts(fig) and unrolled.get_title() == "unrolled over 3 time steps"
    assert rolled.get_title() == "rolled"
    plt.close(fig)


def test_unrolled_rejects_no_steps():
    import pytest

    with pytest.raises(ValueError, match="at least 1"):
        diagrams.draw_unrolled_rnn(0)


def test_bptt_graph_draws_the_gradient_dashed_and_backwards():
    fig = diagrams.draw_bptt_graph()
    ax, = fig.axes
    arrows = [p for p in ax.patches if p.__class__.__name__ == "FancyArrowPatch"]
    dashed = [a for a in arrows if a.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 5  # one per gap: L -> h_T -> ... -> h_1
    for arrow in dashed:
        assert arrow.get_edgecolor() == to_rgba(diagrams.LOSS_COLOURS[0])
        (x_start, _), (x_end, _) = arrow._posA_posB
        assert x_start > x_end  # the gradient flows right to left
    jacobian_labels = [t for t in _texts(fig) if "diag" in t]
    assert len(jacobian_labels) == 3 and all("W_h^{\\top}" in t for t in jacobian_labels)
    assert {"$h_{1}$", "$h_{T}$", "$x_{T-1}$", "$L$"} <= set(_texts(fig))
    plt.close(fig)


def test_state_box_uses_the_given_colours():
    fig, ax = plt.subplots()
    diagrams.state_box(ax, 0, 0, "$x$", colours=diagrams.INPUT_COLOURS)
    box, = ax.patches
    assert box.get_edgecolor() == to_rgba(diagrams.INPUT_COLOURS[0])
    assert box.get_facecolor() == to_rgba(diagrams.INPUT_COLOURS[1])
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
