"""rnncourse.diagrams_deep: the unrolled stacked and bidirectional diagrams of chapter 5."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from rnncourse import diagrams_deep  # noqa: E402


def boxes(ax):
    return [p for p in ax.patches if isinstance(p, FancyBboxPatch)]


def texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("layers, steps", [(1, 2), (2, 4), (3, 5)])
def test_stacked_diagram_has_one_box_per_layer_and_step(layers, steps):
    ax = diagrams_deep.draw_stacked_rnn(layers=layers, steps=steps)
    assert len(boxes(ax)) == layers * steps
    assert sum("return_sequences=True" in t for t in texts(ax)) == layers - 1
    assert "output" in texts(ax)
    plt.close("all")


def test_bidirectional_diagram_has_both_directions_and_a_join_per_step():
    ax = diagrams_deep.draw_bidirectional_rnn(steps=4)
    drawn = boxes(ax)
    assert len(drawn) == 3 * 4  # forward state, backward state, join
    edge = {to_rgba(diagrams_deep.FORWARD_COLOUR): 0, to_rgba(diagrams_deep.BACKWARD_COLOUR): 0}
    for box in drawn:
        if box.get_edgecolor() in edge:
            edge[box.get_edgecolor()] += 1
    assert list(edge.values()) == [4, 4]
    assert texts(ax).count("join") == 4
    assert any("right to left" in t for t in texts(ax))
    plt.close("all")


def test_diagrams_refuse_degenerate_sizes():
    with pytest.raises(ValueError):
        diagrams_deep.draw_stacked_rnn(layers=0)
    with pytest.raises(ValueError):
        diagrams_deep.draw_bidirectional_rnn(steps=1)


def test_diagrams_draw_on_a_given_axes():
    fig, ax = plt.subplots()
    assert diagrams_deep.draw_stacked_rnn(ax=ax) is ax
    plt.close(fig)
