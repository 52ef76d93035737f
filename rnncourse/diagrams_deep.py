"""Unrolled diagrams of chapter 5: a stack of recurrent layers, and a bidirectional layer.

Each function draws one figure on a new (or given) axes and returns the axes; the notebook
calls it in one line. Time runs left to right, one column per step. Colours come from the
course palette and every direction also has its own line style, so the figures read in
greyscale.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from rnncourse.plotting import COLORS

INPUT_COLOUR, FORWARD_COLOUR, BACKWARD_COLOUR, OUTPUT_COLOUR = (
    "#404040", COLORS[0], COLORS[1], COLORS[2])
_BOX_W, _BOX_H = 0.9, 0.56


def _axes(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def _box(ax, x, y, text, colour, linestyle="-"):
    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.04", facecolor="white",
                                edgecolor=colour, linewidth=2, linestyle=linestyle,
                                zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)


def _arrow(ax, start, end, colour, linestyle="-", width=1.5, rad=0.0):
    ax.add_patch(FancyArrowPatch(start, end, color=colour, linewidth=width,
                                 linestyle=linestyle, arrowstyle="-|>", mutation_scale=11,
                                 shrinkA=0, shrinkB=0, zorder=2,
                                 connectionstyle=f"arc3,rad={rad}"))


def draw_stacked_rnn(layers: int = 2, steps: int = 4, ax=None):
    """A stack of ``layers`` recurrent layers unrolled over ``steps`` steps.

    Layer l at step t reads the output of layer l - 1 at step t (its input sequence) and
    its own state from step t - 1. Every layer but the last returns its whole sequence
    (``return_sequences=True``); the last one is read only at the final step.
    """
    if layers < 1 or steps < 2:
        raise ValueError("need at least one layer and two steps")
    ax = _axes(ax, (1.6 * steps + 1.8, 1.1 * layers + 2.0))
    dx, dy = 1.6, 1.1
    for t in range(steps):
        x = 1.2 + dx * t
        label = f"t={t + 1}" if t < steps - 1 else "t=T"
        ax.text(x, -0.15, f"$x_{{{label[2:]}}}$", ha="center", va="top", fontsize=11)
        _arrow(ax, (x, -0.05), (x, dy - _BOX_H / 2), INPUT_COLOUR)
        for layer in range(1, layers + 1):
            y = dy * layer
            colour = COLORS[(layer - 1) % len(COLORS)]
            linestyle = ["-", "--", "-.", ":"][(layer - 1) % 4]
            _box(ax, x, y, f"$h^{{({layer})}}_{{{label[2:]}}}$", colour, linestyle)
            if t > 0:
                _arrow(ax, (x - dx + _BOX_W / 2, y), (x - _BOX_W / 2, y), colour, linestyle)
            if layer < layers:
                # return_sequences=True: every step's output feeds the layer above.
                _arrow(ax, (x, y + _BOX_H / 2), (x, y + dy - _BOX_H / 2), colour, linestyle)
        if t == steps - 1:
            y = dy * layers
            _arrow(ax, (x, y + _BOX_H / 2), (x, y + 0.9), OUTPUT_COLOUR, width=2)
            ax.text(x, y + 0.95, "output", ha="center", va="bottom", fontsize=10)
    for layer in range(1, layers + 1):
        note = "return_sequences=True" if layer < layers else "last step only"
        ax.text(1.2 + dx * (steps - 1) + 0.7, dy * layer, f"layer {layer}\n({note})",
                ha="left", va="center", fontsize=9)
    ax.set(xlim=(0.4, 1.2 + dx * (steps - 1) + 3.2), ylim=(-0.7, dy * layers + 1.5))
    return ax


def draw_bidirectional_rnn(steps: int = 4, ax=None):
    """A bidirectional layer unrolled over ``steps`` steps.

    The forward layer reads x_1 .. x_T left to right, the backward layer reads x_T .. x_1
    right to left; the output at step t joins the two states at t.
    """
    if steps < 2:
        raise ValueError("need at least two steps")
    ax = _axes(ax, (1.8 * steps + 2.6, 4.6))
    dx, y_forward, y_backward, y_out = 1.8, 1.2, 2.4, 3.6
    shift = 0.35  # the backward row sits a little to the right, so that no wire hides
    for t in range(steps):
        x = 1.2 + dx * t
        sub = str(t + 1) if t < steps - 1 else "T"
        ax.text(x, -0.15, f"$x_{{{sub}}}$", ha="center", va="top", fontsize=11)
        _arrow(ax, (x, -0.05), (x, y_forward - _BOX_H / 2), INPUT_COLOUR)
        # The backward layer reads the same x_t: a wire to the right of the forward box.
        ax.plot([x, x + 0.62, x + 0.62], [0.3, 0.3, y_forward], color=INPUT_COLOUR,
                linewidth=1.2, linestyle="-", marker="")
        _arrow(ax, (x + 0.62, y_forward), (x + 0.62, y_backward - _BOX_H / 2), INPUT_COLOUR,
               width=1.2)
        _box(ax, x, y_forward, rf"$\overrightarrow{{h}}_{{{sub}}}$", FORWARD_COLOUR)
        _box(ax, x + shift, y_backward, rf"$\overleftarrow{{h}}_{{{sub}}}$",
             BACKWARD_COLOUR, "--")
        if t > 0:
            _arrow(ax, (x - dx + _BOX_W / 2, y_forward), (x - _BOX_W / 2, y_forward),
                   FORWARD_COLOUR)
            _arrow(ax, (x + shift - _BOX_W / 2, y_backward),
                   (x + shift - dx + _BOX_W / 2, y_backward), BACKWARD_COLOUR, "--")
        # Both states meet in the output at step t.
        _arrow(ax, (x - 0.3, y_forward + _BOX_H / 2), (x - 0.3, y_out), FORWARD_COLOUR,
               width=1.2)
        _arrow(ax, (x + shift, y_backward + _BOX_H / 2), (x + shift, y_out),
               BACKWARD_COLOUR, "--", 1.2)
        ax.add_patch(FancyBboxPatch((x - 0.55, y_out), 1.2, 0.4, boxstyle="round,pad=0.03",
                                    facecolor="white", edgecolor=OUTPUT_COLOUR,
                                    linewidth=1.5, zorder=3))
        ax.text(x + 0.05, y_out + 0.2, "join", ha="center", va="center", fontsize=8,
                zorder=4)
        ax.text(x + 0.05, y_out + 0.5, f"$y_{{{sub}}}$", ha="center", va="bottom",
                fontsize=11)
    right = 1.2 + dx * (steps - 1) + shift + 0.7
    ax.text(right, y_forward, "forward layer\n(reads left to right)", ha="left",
            va="center", fontsize=9, color=FORWARD_COLOUR)
    ax.text(right, y_backward, "backward layer\n(reads right to left)", ha="left",
            va="center", fontsize=9, color=BACKWARD_COLOUR)
    ax.set(xlim=(0.4, right + 2.4), ylim=(-0.7, y_out + 1.0))
    return ax
