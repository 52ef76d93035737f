"""Chapter 2's prose claims, and its solution's, on the small run and the book's full-size run.

The chapter's small run (tests/small_parameters.py) takes about half a minute yet keeps
every claim: at its longest length (30 steps) a SimpleRNN is at chance while the LSTM and
the GRU solve the task (this held for seeds 0, 1 and 2 when the parameters were chosen).
"""

from __future__ import annotations

import pytest
from small_parameters import SMALL_PARAMETERS

CHAPTER = "chapters/ch02_bptt.md"
SOLUTION = "solutions/ch02_bptt.md"


def tape_equals_the_product_and_the_bptt_sum(values):
    """Section 1: the step Jacobian, the product of Jacobians and dL/dW_h match the tape."""
    assert values["step_jacobian_error"] < 1e-6
    assert values["tape_numpy_relative_error"] < 1e-9
    assert values["bptt_relative_error"] < 1e-9
    # the question's answer: step 2's term is far smaller than the last step's
    assert 0 < values["bptt_second_over_last"] < 0.1


def gradient_vanishes_below_radius_one_and_grows_above(values):
    assert values["bound_factor_up"] == pytest.approx(1.1**50)
    assert values["bound_factor_down"] == pytest.approx(0.9**50)
    factors = values["per_step_factor"]
    norms = values["radius_norms_longest_lag"]
    radii = sorted(factors)
    assert all(factors[r] < 1 for r in radii if r <= 1)  # decays on average
    assert factors[max(radii)] > 1 and max(radii) > 1  # grows for the largest radius
    assert all(factors[r] < r for r in radii)  # tanh' shrinks it below rho per step
    # monotone in the radius, and many orders of magnitude between the extremes
    assert [norms[r] for r in radii] == sorted(norms[r] for r in radii)
    assert norms[max(radii)] / norms[min(radii)] > 1e4
    assert values["factor_smallest_radius"] == factors[min(radii)]
    assert values["norm_largest_radius"] == norms[max(radii)]


def clipping_rescues_training_that_huge_steps_wreck(values):
    assert values["clip_first_norm"] > 3 * values["clip_norm"]
    assert values["one_step_loss_unclipped"] > values["one_step_loss_before"] \
        > values["one_step_loss_clipped"]
    assert values["final_loss_clipped"] < 0.3 * values["final_loss_unclipped"]
    assert values["final_loss_unclipped"] > 0.5 * values["chance_loss"]
    assert values["saturated_unclipped"] > values["saturated_clipped"]
    assert values["unclipped_peak_loss"] > values["unclipped_start_loss"]


def simple_rnn_at_chance_at_the_longest_length_gated_layers_not(values, margin, gated_floor):
    chance = values["accuracy_chance"]
    assert values["accuracy_shortest_simplernn"] > 0.9  # it can solve short sequences
    assert values["accuracy_longest_simplernn"] < chance + margin
    assert values["accuracy_longest_lstm"] > gated_floor
    assert values["accuracy_longest_gru"] > gated_floor


def fresh_layers_depend_on_the_probe(values):
    """Section 5: one-hot probe SimpleRNN > LSTM > GRU; normal probe LSTM > SimpleRNN;
    the GRU keeps the least on both (chapter 3 measures on normal inputs, as here)."""
    def norm(layer, key):
        return values[f"norm_longest_lag_{layer}_{key}"]

    assert norm("simplernn", "init") > norm("lstm", "init") > norm("gru", "init")
    assert norm("lstm", "init_normal") > norm("simplernn", "init_normal") > \
        norm("gru", "init_normal")


def trained_gradient_verdict_matches_the_numbers(values):
    # After training, the gradient at the longest lag is NOT reliably larger for the gated
    # layers (a trained LSTM can solve the task yet be insensitive to small changes of the
    # cue), so the chapter states a verdict computed from its own numbers.
    simple = values["norm_longest_lag_simplernn_trained"]
    ratios = [values[f"norm_longest_lag_{name}_trained"] / simple for name in ("lstm", "gru")]
    verdict = values["trained_verdict"]
    if min(ratios) > 100:
        assert verdict.startswith("both")
    elif max(ratios) > 100:
        assert verdict.startswith("one")
    else:
        assert verdict.startswith("neither")


def test_small_run_claims(chapter):
    tape_equals_the_product_and_the_bptt_sum(chapter)
    gradient_vanishes_below_radius_one_and_grows_above(chapter)
    clipping_rescues_training_that_huge_steps_wreck(chapter)
    simple_rnn_at_chance_at_the_longest_length_gated_layers_not(chapter, 0.15, 0.9)
    fresh_layers_depend_on_the_probe(chapter)
    trained_gradient_verdict_matches_the_numbers(chapter)


def test_long_range_table_is_complete_and_well_formed(chapter):
    table = chapter["long_range_table"]
    lengths = SMALL_PARAMETERS[CHAPTER]["LENGTHS"]
    assert {(r["layer"], r["length"]) for r in table} == {
        (layer, n) for layer in ("SimpleRNN", "LSTM", "GRU") for n in lengths}
    for row in table:
        assert set(row) == {"layer", "length", "accuracy", "chance", "seconds", "params"}
        assert 0 <= row["accuracy"] <= 1 and row["chance"] == 0.25 and row["seconds"] > 0


@pytest.mark.full_size
def test_full_size_claims(full):
    tape_equals_the_product_and_the_bptt_sum(full)
    gradient_vanishes_below_radius_one_and_grows_above(full)
    assert full["norm_smallest_radius"] < 1e-6
    assert full["norm_largest_radius"] > 1.0
    clipping_rescues_training_that_huge_steps_wreck(full)
    simple_rnn_at_chance_at_the_longest_length_gated_layers_not(
        full, 0.1, full["accuracy_chance"] + 0.4)
    fresh_layers_depend_on_the_probe(full)
    trained_gradient_verdict_matches_the_numbers(full)


def test_solution_notebook_passes_its_own_checks(small_run):
    executed = small_run(SOLUTION)
    printed = executed.printed
    assert "✓ gradient_norms_by_lag matches" in printed
    assert "✓ clip_by_global_norm matches" in printed
    assert "retracing" not in printed


def test_intro_prerequisites_are_true():
    """intro.md promises no TensorFlow beforehand and a primer in chapter 2 where needed."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    intro = " ".join((root / "intro.md").read_text().split())
    assert "chapter 2 has a short primer on `tf.GradientTape` and `tf.function`" in intro
    cells = json.loads((root / CHAPTER).read_text())["cells"]
    texts = ["".join(c["source"]) for c in cells]
    primer = next(i for i, t in enumerate(texts) if "A short primer: tf.GradientTape" in t)
    first_tape = next(i for i, (c, t) in enumerate(zip(cells, texts, strict=True))
                      if c["cell_type"] == "code" and "GradientTape" in t)
    first_function = next(i for i, (c, t) in enumerate(zip(cells, texts, strict=True))
                          if c["cell_type"] == "code" and "tf.function" in t)
    assert primer < first_tape and primer < first_function
    assert "`@tf.function`" in texts[primer] and "tape.jacobian" in texts[primer]
