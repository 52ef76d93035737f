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


def _cell_axes(ax):
    """A new figure for a cell diagram, or the given axes' figure."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8))
    return ax.figure, ax


def _finish_cell(ax, ylim):
    ax.set(xlim=(-0.8, 11.2), ylim=ylim)
    ax.set_aspect("equal")
    ax.axis("off")


LSTM_PARTS = ("cell", "f", "i", "c", "o")
GRU_PARTS = ("state", "z", "r", "h")


def draw_lstm_cell(highlight: str = "cell", ax=None):
    """Draw one LSTM step (chapter 3) with one part highlighted; return the figure.

    ``highlight``: "cell" (the cell-state path), "f" (forget gate), "i" (input gate),
    "c" (candidate) or "o" (output gate).
    """
    if highlight not in LSTM_PARTS:
        raise ValueError(f"highlight must be one of {LSTM_PARTS}, got {highlight!r}")
    fig, ax = _cell_axes(ax)
    cell_y, gate_y, bus_y = 5.4, 2.8, 1.0
    # The cell state runs along the top: multiplied by f_t, then i_t * c~_t is added.
    wire(ax, [(0.2, cell_y), (2.38, cell_y)], {"cell", "f"}, highlight, arrow=False)
    wire(ax, [(2.82, cell_y), (5.68, cell_y)], {"cell", "f"}, highlight, arrow=False)
    wire(ax, [(6.12, cell_y), (10.3, cell_y)], {"cell", "f", "i", "c"}, highlight)
    ax.text(0.1, cell_y, "$c_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(10.4, cell_y, "$c_t$", ha="left", va="center", fontsize=12)
    # Every gate reads the previous hidden state and the current input.
    wire(ax, [(0.2, bus_y), (7.5, bus_y)], arrow=False, colour=WIRE)
    wire(ax, [(1.2, -0.1), (1.2, bus_y)], arrow=False, colour=WIRE)
    ax.plot(1.2, bus_y, "o", color=WIRE, markersize=4)
    ax.text(0.1, bus_y, "$h_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(1.2, -0.2, "$x_t$", ha="center", va="top", fontsize=12)
    gates = [(2.6, r"$\sigma$", "$f_t$", {"f"}), (4.2, r"$\sigma$", "$i_t$", {"i"}),
             (5.9, "tanh", r"$\tilde c_t$", {"c"}), (7.5, r"$\sigma$", "$o_t$", {"o"})]
    for x, text, label, groups in gates:
        wire(ax, [(x, bus_y), (x, gate_y - 0.32)], groups, highlight)
        layer_box(ax, x, gate_y, text, label, groups, highlight)
    # Forget gate.
    wire(ax, [(2.6, gate_y + 0.32), (2.6, cell_y - 0.22)], {"f"}, highlight)
    operator(ax, 2.6, cell_y, r"$\times$", {"f", "cell"}, highlight)
    # Input gate times candidate, added to the cell state.
    wire(ax, [(4.2, gate_y + 0.32), (4.2, 4.2), (5.68, 4.2)], {"i"}, highlight)
    wire(ax, [(5.9, gate_y + 0.32), (5.9, 3.98)], {"c"}, highlight)
    operator(ax, 5.9, 4.2, r"$\times$", {"i", "c"}, highlight)
    wire(ax, [(5.9, 4.42), (5.9, cell_y - 0.22)], {"i", "c"}, highlight)
    operator(ax, 5.9, cell_y, "+", {"cell", "i", "c"}, highlight)
    # Output gate: h_t = o_t * tanh(c_t).
    wire(ax, [(9.0, cell_y), (9.0, 4.45)], {"o"}, highlight)
    layer_box(ax, 9.0, 4.2, "tanh", "", {"o"}, highlight)
    wire(ax, [(9.0, 3.88), (9.0, gate_y + 0.22)], {"o"}, highlight)
    wire(ax, [(7.96, gate_y), (8.78, gate_y)], {"o"}, highlight)
    operator(ax, 9.0, gate_y, r"$\times$", {"o"}, highlight)
    wire(ax, [(9.0, gate_y - 0.22), (9.0, bus_y), (10.3, bus_y)], {"o"}, highlight)
    ax.text(10.4, bus_y, "$h_t$", ha="left", va="center", fontsize=12)
    _finish_cell(ax, (-0.7, 6.0))
    return fig


def draw_gru_cell(highlight: str = "state", ax=None):
    """Draw one GRU step (chapter 4) with one part highlighted; return the figure.

    ``highlight``: "state" (the state path), "z" (update gate), "r" (reset gate) or
    "h" (candidate).
    """
    if highlight not in GRU_PARTS:
        raise ValueError(f"highlight must be one of {GRU_PARTS}, got {highlight!r}")
    fig, ax = _cell_axes(ax)
    top, gate_y, bus_y, x_y = 5.4, 2.8, 1.0, 0.35
    # The hidden state runs along the top: scaled by z_t, then (1 - z_t) * h~_t is added.
    wire(ax, [(0.2, top), (4.38, top)], {"state", "z"}, highlight, arrow=False)
    wire(ax, [(4.82, top), (7.58, top)], {"state", "z"}, highlight, arrow=False)
    wire(ax, [(8.02, top), (10.3, top)], {"state", "z", "h"}, highlight)
    ax.text(0.1, top, "$h_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(10.4, top, "$h_t$", ha="left", va="center", fontsize=12)
    # The gates read h_{t-1} (taken down from the top line) and x_t.
    wire(ax, [(0.8, top), (0.8, bus_y), (4.6, bus_y)], arrow=False, colour=WIRE)
    wire(ax, [(1.5, -0.2), (1.5, bus_y)], arrow=False, colour=WIRE)
    ax.plot([1.5, 1.5, 0.8], [bus_y, x_y, top], "o", color=WIRE, markersize=4)
    ax.text(1.5, -0.3, "$x_t$", ha="center", va="top", fontsize=12)
    for x, label, groups in [(2.6, "$r_t$", {"r"}), (4.6, "$z_t$", {"z"})]:
        wire(ax, [(x, bus_y), (x, gate_y - 0.32)], groups, highlight)
        layer_box(ax, x, gate_y, r"$\sigma$", label, groups, highlight)
    # Update gate: z_t scales h_{t-1}; 1 - z_t scales the candidate.
    wire(ax, [(4.6, gate_y + 0.32), (4.6, top - 0.22)], {"z"}, highlight)
    operator(ax, 4.6, top, r"$\times$", {"z", "state"}, highlight)
    wire(ax, [(4.6, 4.1), (5.98, 4.1)], {"z"}, highlight)
    operator(ax, 6.2, 4.1, "1−", {"z"}, highlight, fontsize=7)
    wire(ax, [(6.42, 4.1), (7.58, 4.1)], {"z"}, highlight)
    # Reset gate: r_t scales the previous state's contribution to the candidate.
    wire(ax, [(2.6, top), (2.6, 4.32)], {"r"}, highlight)
    wire(ax, [(2.6, gate_y + 0.32), (2.6, 3.88)], {"r"}, highlight)
    operator(ax, 2.6, 4.1, r"$\times$", {"r"}, highlight)
    wire(ax, [(2.82, 4.1), (3.4, 4.1), (3.4, 2.0), (6.9, 2.0), (6.9, gate_y),
              (7.34, gate_y)], {"r"}, highlight)
    # Candidate: tanh of x_t and the reset-scaled state; (1 - z_t) * h~_t is added.
    wire(ax, [(1.5, x_y), (7.8, x_y), (7.8, gate_y - 0.32)], {"h"}, highlight)
    layer_box(ax, 7.8, gate_y, "tanh", "", {"h"}, highlight)
    ax.text(8.3, gate_y - 0.05, r"$\tilde h_t$", ha="left", va="center", fontsize=11,
            color=part_style({"h"}, highlight)[0])
    wire(ax, [(7.8, gate_y + 0.32), (7.8, 3.88)], {"h"}, highlight)
    operator(ax, 7.8, 4.1, r"$\times$", {"z", "h"}, highlight)
    wire(ax, [(7.8, 4.32), (7.8, top - 0.22)], {"z", "h"}, highlight)
    operator(ax, 7.8, top, "+", {"state", "z", "h"}, highlight)
    _finish_cell(ax, (-0.9, 6.0))
    return fig


# --- Chapters 1 and 2: the loop, rolled and unrolled, and the backward pass -----------

CELL_COLOURS = (COLORS[0], "#E8F1F8")  # edge, fill of a recurrent cell or a state
INPUT_COLOURS = (COLORS[2], "#E5F5EF")  # of an input
LOSS_COLOURS = (COLORS[1], "#FBEAE0")  # of the loss, and of the gradient's arrows


def state_box(ax, x, y, text, width=0.8, height=0.6, colours=CELL_COLOURS, fontsize=9):
    """A filled rounded box centred at (x, y) with ``text`` inside: a cell, a state, x_t, L."""
    edge, fill = colours
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.05", facecolor=fill, edgecolor=edge,
                                linewidth=1.5, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def backward_arrow(ax, start, end, colour=LOSS_COLOURS[0]):
    """A dashed arrow: the gradient flowing back from ``start`` to ``end``."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11,
                                 color=colour, linewidth=1.2, linestyle="--",
                                 shrinkA=0, shrinkB=0))


def _plain_axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def draw_rolled_rnn(ax=None):
    """Chapter 1: one RNN cell whose new state loops back into it; return the figure."""
    fig, ax = _plain_axes(ax, (3, 3.2))
    state_box(ax, 0, 0, "RNN cell\n$W_x, W_h, b$", width=1.1)
    wire(ax, [(0, -0.95), (0, -0.38)], colour=WIRE)
    wire(ax, [(0, 0.38), (0, 0.95)], colour=WIRE)
    # The loop: the new state branches off the output and re-enters at the next step.
    wire(ax, [(0, 0.7), (1.0, 0.7), (1.0, 0), (0.62, 0)], colour=WIRE)
    ax.text(1.08, 0.35, "$h_{t-1}$\n(next step)", ha="left", va="center", fontsize=8)
    ax.text(0, -1.1, "$x_t$", ha="center", va="top")
    ax.text(0, 1.1, "$h_t$", ha="center", va="bottom")
    ax.set(xlim=(-0.8, 1.9), ylim=(-1.5, 1.5), title="rolled")
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def draw_unrolled_rnn(steps: int = 4, ax=None):
    """Chapter 1: one copy of the cell per time step, states flowing left to right."""
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    fig, ax = _plain_axes(ax, (1.8 * steps, 3.2))
    for t in range(1, steps + 1):
        x = 1.6 * t
        state_box(ax, x, 0, "cell\n(shared)")
        wire(ax, [(x, -0.95), (x, -0.38)], colour=WIRE)
        wire(ax, [(x, 0.38), (x, 0.95)], colour=WIRE)
        wire(ax, [(x - 1.15, 0), (x - 0.45, 0)], colour=WIRE)
        ax.text(x, -1.1, f"$x_{t}$", ha="center", va="top")
        ax.text(x, 1.1, f"$h_{t}$", ha="center", va="bottom")
    ax.text(0.3, 0.12, "$h_0$", ha="center", va="bottom")
    ax.set(xlim=(0, 1.6 * steps + 0.8), ylim=(-1.5, 1.5),
           title=f"unrolled over {steps} time steps")
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def draw_rolled_and_unrolled(steps: int = 4):
    """Chapter 1's figure: the rolled cell (left) beside its unrolled form (right)."""
    import matplotlib.pyplot as plt

    fig, (rolled, unrolled) = plt.subplots(1, 2, figsize=(9.5, 3.2),
                                           gridspec_kw={"width_ratios": [1.3, 3]})
    draw_rolled_rnn(rolled)
    draw_unrolled_rnn(steps, unrolled)
    return fig


def draw_bptt_graph(ax=None):
    """Chapter 2: the unrolled graph, forward arrows solid, the gradient's arrows dashed.

    Five columns (1, 2, ..., T-1, T) of an input x_t under a state h_t, then the loss L;
    each backward arrow is labelled with the step Jacobian it multiplies by.
    """
    fig, ax = _plain_axes(ax, (8.5, 3.0))
    gradient = LOSS_COLOURS[0]
    for i, label in enumerate(["1", "2", r"\cdots", "T-1", "T"]):
        x = 1.6 * i
        if label == r"\cdots":
            for y in (1.0, 0.0):
                ax.text(x, y, r"$\cdots$", ha="center", va="center", fontsize=14)
            continue
        state_box(ax, x, 1.0, f"$h_{{{label}}}$", width=0.7, height=0.5, fontsize=10)
        state_box(ax, x, 0.0, f"$x_{{{label}}}$", width=0.7, height=0.5,
                  colours=INPUT_COLOURS, fontsize=10)
        wire(ax, [(x, 0.3), (x, 0.7)], colour=WIRE)
    state_box(ax, 1.6 * 5, 1.0, "$L$", width=0.7, height=0.5, colours=LOSS_COLOURS,
              fontsize=10)
    for i in range(5):
        x0, x1 = 1.6 * i + 0.4, 1.6 * (i + 1) - 0.4
        wire(ax, [(x0, 1.08), (x1, 1.08)], colour=WIRE)
        backward_arrow(ax, (x1, 0.92), (x0, 0.92))
        step = {0: "2", 2: "T-1", 3: "T"}.get(i)  # the state the backward arrow leaves
        if step is not None:
            ax.text((x0 + x1) / 2, 0.6, rf"$\mathrm{{diag}}(1-h_{{{step}}}^2)\,W_h^{{\top}}$",
                    ha="center", fontsize=8, color=gradient)
    ax.text(1.6 * 4.5, 0.62, r"$\partial L / \partial h_T$", ha="center", fontsize=8,
            color=gradient)
    ax.text(4.0, 1.62, "forward: states (solid)   backward: gradient (dashed)",
            ha="center", fontsize=9)
    ax.set(xlim=(-0.6, 8.6), ylim=(-0.45, 1.85))
    ax.axis("off")
    return fig
