"""Chapter 6's benchmark: the IMDB classifiers on all the data, accuracy and time.

Trains chapter 6's final model (Embedding → LSTM → Dense, ``rnncourse.sentiment.FINAL``)
and the models of its comparison table (tf-idf bigram logistic regression, SimpleRNN,
GRU, bidirectional LSTM) on the full 25,000 training reviews (minus the validation split
used for early stopping), scores them on the full 25,000 test reviews, and writes
accuracy, parameter count and training time per model to ``bench/results/`` as JSON.

When both the final LSTM and the tf-idf baseline are trained, each seed's pair is also
*combined*, as chapter 6 does: the average ``a * p_LSTM + (1 - a) * p_tf-idf``, with the
weight ``a`` chosen on the validation split (lowest cross-entropy), scored once on the
test set. McNemar's exact test (paired: the same test reviews) compares the average with
each model, and the two models with each other.

Each model is trained ``--repeats`` times (seeds 0, 1, ...); times are reported as the
median over the runs, accuracies per run and as the median. TensorFlow's thread settings
are left at their defaults; the load average before and after is recorded, since other
processes on the machine slow training down.

Usage (from the repository root)::

    python bench/imdb_bench.py                     # all models, 3 runs each
    python bench/imdb_bench.py --models final --repeats 1
    python bench/imdb_bench.py --notebooks         # also time chapter 6 and its solution
    python bench/imdb_bench.py --models final --set max_length=400   # a variant of FINAL
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NOTEBOOKS = ["chapters/ch06_imdb_sentiment.md", "solutions/ch06_imdb_sentiment.md"]
MODELS = ["final", "tfidf", "SimpleRNN", "GRU", "BiLSTM"]
TITLES = {"final": "LSTM (final model)", "tfidf": "tf-idf bigrams + logistic",
          "SimpleRNN": "SimpleRNN", "GRU": "GRU", "BiLSTM": "BiLSTM"}
# The goal the final model is measured against: Maas et al. (2011) report 88.89 %.
GOAL = {"test_accuracy": 0.89, "train_seconds": 300}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=MODELS, default=MODELS,
                        help="which models to train (default: all)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="training runs per model, seeds 0.. (default 3; time = median)")
    parser.add_argument("--subsample", type=int, default=None,
                        help="reviews per split instead of all 25,000 (quick trials only)")
    parser.add_argument("--validation-size", type=int, default=None,
                        help="default: FINAL['validation_size'] (scaled down with --subsample)")
    parser.add_argument("--tfidf-vocab-size", type=int, default=50_000)
    parser.add_argument("--notebooks", action="store_true",
                        help="also execute chapter 6 and its solution at default parameters "
                             "and record their wall time")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change one value of the final configuration (FINAL) for this "
                             "run, e.g. --set max_length=400; repeatable")
    parser.add_argument("--output", type=Path, default=None,
                        help="JSON file (default: bench/results/imdb-<UTC time>.json)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")

    import keras  # noqa: F401  (after the environment variable above)
    import tensorflow as tf

    import rnncourse  # noqa: F401
    from rnncourse import sentiment

    started = datetime.now(UTC)
    try:
        config = with_overrides(sentiment.FINAL, args.set)
    except ValueError as error:
        parser.error(str(error))
    report = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine_info(tf),
        "load_average_before": os.getloadavg(),
        "config": config,
        "goal": GOAL,
        "models": {},
    }
    data, report["data"] = prepare(sentiment, config, args)
    print(f"data: {report['data']}", flush=True)

    probabilities = {}  # (model, seed) -> {"validation": (n,), "test": (n,)}
    for name in args.models:
        runs = []
        for seed in range(args.repeats):
            run, probabilities[name, seed] = train_one(sentiment, name, data, config, seed,
                                                       args)
            runs.append(run)
            print(f"{TITLES[name]:28s} seed {seed}: test accuracy {run['test_accuracy']:.4f}, "
                  f"{run['train_seconds']:.0f} s ({run['epochs_run']} epochs), "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        report["models"][name] = summarize(name, runs)
    if "final" in report["models"]:
        final = report["models"]["final"]
        report["final"] = {
            "test_accuracy_median": final["test_accuracy_median"],
            "train_seconds_median": final["train_seconds_median"],
            "meets_goal": (final["test_accuracy_median"] >= GOAL["test_accuracy"]
                           and final["train_seconds_median"] <= GOAL["train_seconds"]),
        }
    if args.notebooks:
        report["notebook_seconds"] = {nb: time_notebook(nb) for nb in NOTEBOOKS}
    if {"final", "tfidf"} <= set(report["models"]):
        report["combination"] = combine_runs(sentiment, probabilities, data)
    report["load_average_after"] = os.getloadavg()
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")

    print_table(report)
    output = args.output or RESULTS / f"imdb-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {output}")
    return 0


def with_overrides(final: dict, assignments: list[str]) -> dict:
    """A copy of ``final`` with ``KEY=VALUE`` assignments applied (VALUE as a Python number).

    The value must have the key's type: a whole number for an integer key (``epochs=2.9``
    is refused, not rounded down), any finite number for a float key.
    """
    import ast
    import math

    config = dict(final)
    for assignment in assignments:
        key, _, value = assignment.partition("=")
        if key not in final:
            raise ValueError(f"--set {assignment}: unknown key {key!r}; one of {', '.join(final)}")
        kind = type(final[key])
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            parsed = None
        if kind is int:
            valid = isinstance(parsed, int) and not isinstance(parsed, bool)
        else:
            valid = (isinstance(parsed, (int, float)) and not isinstance(parsed, bool)
                     and math.isfinite(parsed))
        if not valid:
            raise ValueError(f"--set {assignment}: {value!r} is not a {kind.__name__}"
                             + (" (a whole number)" if kind is int else ""))
        config[key] = kind(parsed)
    return config


def machine_info(tf) -> dict:
    import keras

    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def prepare(sentiment, config, args):
    """Load, vectorize and split the reviews exactly as chapter 6 does."""
    from rnncourse.data import load_imdb

    start = time.perf_counter()
    train, test = load_imdb(subsample=args.subsample, seed=0)
    loaded = time.perf_counter()
    vectorizer = sentiment.make_vectorizer(train.texts, config["vocab_size"])
    train_sequences = sentiment.encode(vectorizer, train.texts)
    test_sequences = sentiment.encode(vectorizer, test.texts)
    vectorized = time.perf_counter()
    n_validation = args.validation_size or config["validation_size"]
    if args.subsample and not args.validation_size:
        n_validation = max(2, len(train) // 10)
    data = {
        "fit": (train_sequences[n_validation:], train.labels[n_validation:]),
        "validation": (train_sequences[:n_validation], train.labels[:n_validation]),
        "test": (test_sequences, test.labels),
        "fit_texts": (train.texts[n_validation:], train.labels[n_validation:]),
        "validation_texts": (train.texts[:n_validation], train.labels[:n_validation]),
        "test_texts": (test.texts, test.labels),
    }
    info = {"n_fit": len(data["fit"][0]), "n_validation": n_validation,
            "n_test": len(test_sequences), "load_seconds": loaded - start,
            "vectorize_seconds": vectorized - loaded}
    return data, info


def train_one(sentiment, name, data, config, seed, args) -> tuple[dict, dict]:
    """Train one model with one seed; return its summary and its probabilities.

    The probabilities, ``{"validation": (n_validation,), "test": (n_test,)}``, are in the
    order of ``data`` (the same reviews for every model), for the combination.
    """
    import numpy as np

    start = time.perf_counter()
    if name == "tfidf":
        vectorizer, model, history, timer = sentiment.fit_tfidf(
            data["fit_texts"], data["validation_texts"], vocab_size=args.tfidf_vocab_size,
            epochs=config["epochs"], batch_size=config["batch_size"], seed=seed)
        fitted = time.perf_counter()

        def predict(split):
            dataset = sentiment.tfidf_dataset(vectorizer, *data[split + "_texts"],
                                              batch_size=512)
            return np.concatenate([np.asarray(model.predict_on_batch(x)).reshape(-1)
                                   for x, _ in dataset])
    else:
        kind = "LSTM" if name == "final" else name
        model, history, timer = sentiment.fit_recurrent(
            kind, data["fit"], data["validation"], config=config, epochs=config["epochs"],
            seed=seed)
        fitted = time.perf_counter()

        def predict(split):
            return sentiment.predict_probabilities(model, data[split][0],
                                                   max_length=config["max_length"])
    probabilities = {"test": predict("test")}
    test_accuracy = float(np.mean((probabilities["test"] > 0.5) == data["test"][1]))
    evaluated = time.perf_counter()
    if name in ("final", "tfidf"):  # the two the combination needs
        probabilities["validation"] = predict("validation")
    return {
        "seed": seed,
        "test_accuracy": test_accuracy,
        "validation_accuracy": float(max(history.history["val_accuracy"])),
        "epochs_run": len(history.history["loss"]),
        # Fit time: adapting the tf-idf vocabulary, every epoch and its validation pass.
        "train_seconds": fitted - start,
        "epoch_seconds": timer.seconds,
        "evaluate_seconds": evaluated - fitted,
        "parameters": sentiment.parameter_count(model),
    }, probabilities


def combine_runs(sentiment, probabilities: dict, data: dict) -> dict:
    """Per seed: the final LSTM and the tf-idf baseline averaged, scored with paired tests.

    ``probabilities[(model, seed)]`` holds each model's validation and test probabilities.
    The weight of the LSTM is chosen on the validation split; the test set scores the
    average once. p-values: McNemar's exact test on the test reviews, the average against
    each model and the LSTM against the baseline.
    """
    import numpy as np

    validation_labels = np.asarray(data["validation"][1]) > 0.5
    test_labels = np.asarray(data["test"][1]) > 0.5
    seeds = sorted(seed for name, seed in probabilities if name == "final"
                   and ("tfidf", seed) in probabilities)
    runs = []
    for seed in seeds:
        lstm, tfidf = probabilities["final", seed], probabilities["tfidf", seed]
        weight = sentiment.choose_combination_weight(lstm["validation"], tfidf["validation"],
                                                     validation_labels)
        average = {split: sentiment.combine_probabilities(lstm[split], tfidf[split], weight)
                   for split in ("validation", "test")}
        correct = {"average": (average["test"] > 0.5) == test_labels,
                   "final": (lstm["test"] > 0.5) == test_labels,
                   "tfidf": (tfidf["test"] > 0.5) == test_labels}
        runs.append({
            "seed": seed,
            "weight_final": weight,
            "validation_accuracy": float(np.mean(
                (average["validation"] > 0.5) == validation_labels)),
            "test_accuracy": float(correct["average"].mean()),
            "test_accuracy_final": float(correct["final"].mean()),
            "test_accuracy_tfidf": float(correct["tfidf"].mean()),
            "p_average_vs_final": sentiment.mcnemar_p_value(correct["average"],
                                                            correct["final"]),
            "p_average_vs_tfidf": sentiment.mcnemar_p_value(correct["average"],
                                                            correct["tfidf"]),
            "p_final_vs_tfidf": sentiment.mcnemar_p_value(correct["final"], correct["tfidf"]),
            "disagreement": float(np.mean(correct["final"] != correct["tfidf"])),
        })
    summary = {"title": "average of LSTM and tf-idf", "n_test": int(len(test_labels)),
               "runs": runs}
    for key in ("weight_final", "test_accuracy", "p_average_vs_final", "p_average_vs_tfidf",
                "p_final_vs_tfidf", "disagreement"):
        summary[key + "_median"] = statistics.median(run[key] for run in runs)
    return summary


def summarize(name, runs) -> dict:
    return {
        "title": TITLES[name],
        "parameters": runs[0]["parameters"],
        "test_accuracy_median": statistics.median(r["test_accuracy"] for r in runs),
        "test_accuracy_min": min(r["test_accuracy"] for r in runs),
        "test_accuracy_max": max(r["test_accuracy"] for r in runs),
        "train_seconds_median": statistics.median(r["train_seconds"] for r in runs),
        "seconds_per_epoch_median": statistics.median(
            s for r in runs for s in r["epoch_seconds"]),
        "runs": runs,
    }


def time_notebook(notebook: str) -> float:
    import tempfile

    import papermill

    source = ROOT / notebook
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        papermill.execute_notebook(str(source), str(Path(folder) / source.name),
                                   kernel_name="python3", cwd=str(source.parent),
                                   progress_bar=False)
        seconds = time.perf_counter() - start
    print(f"{notebook}: {seconds:.0f} s", flush=True)
    return seconds


def print_table(report) -> None:
    print(f"\n{'model':28s} {'test accuracy':>14s} {'parameters':>11s} "
          f"{'train s':>8s} {'s/epoch':>8s}")
    for row in report["models"].values():
        print(f"{row['title']:28s} {row['test_accuracy_median']:14.4f} "
              f"{row['parameters']:11,d} {row['train_seconds_median']:8.0f} "
              f"{row['seconds_per_epoch_median']:8.1f}")
    if "combination" in report:
        combination = report["combination"]
        print(f"{combination['title']:28s} {combination['test_accuracy_median']:14.4f}   "
              f"(weight of the LSTM {combination['weight_final_median']:.2f}; McNemar p vs "
              f"LSTM {combination['p_average_vs_final_median']:.2g}, vs tf-idf "
              f"{combination['p_average_vs_tfidf_median']:.2g}; LSTM vs tf-idf "
              f"{combination['p_final_vs_tfidf_median']:.2g}; medians over "
              f"{len(combination['runs'])} seeds)")
    if "final" in report:
        final = report["final"]
        print(f"\nfinal model: {final['test_accuracy_median']:.4f} test accuracy in "
              f"{final['train_seconds_median']:.0f} s of training; goal "
              f"≥ {GOAL['test_accuracy']:.2%} in ≤ {GOAL['train_seconds']} s: "
              f"{'met' if final['meets_goal'] else 'NOT met'}")
    print(f"load average before {report['load_average_before']}, after "
          f"{report['load_average_after']}")


if __name__ == "__main__":
    sys.exit(main())
