"""Chapter 6's benchmark: the IMDB classifiers on all the data, accuracy and time.

Trains chapter 6's final model (Embedding → LSTM → Dense, ``rnncourse.sentiment.FINAL``)
and the models of its comparison table (tf-idf bigram logistic regression, SimpleRNN,
GRU, bidirectional LSTM) on the full 25,000 training reviews (minus the validation split
used for early stopping), scores them on the full 25,000 test reviews, and writes
accuracy, parameter count and training time per model to ``bench/results/`` as JSON.

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
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
NOTEBOOKS = ["chapters/ch06_imdb_sentiment.ipynb", "solutions/ch06_imdb_sentiment.ipynb"]
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

    started = datetime.now(timezone.utc)
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

    for name in args.models:
        runs = []
        for seed in range(args.repeats):
            run = train_one(sentiment, name, data, config, seed, args)
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
    report["load_average_after"] = os.getloadavg()
    report["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")

    print_table(report)
    output = args.output or RESULTS / f"imdb-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {output}")
    return 0


def with_overrides(final: dict, assignments: list[str]) -> dict:
    """A copy of ``final`` with ``KEY=VALUE`` assignments applied (VALUE as a Python number)."""
    import ast

    config = dict(final)
    for assignment in assignments:
        key, _, value = assignment.partition("=")
        if key not in final:
            raise ValueError(f"--set {assignment}: unknown key {key!r}; one of {', '.join(final)}")
        try:
            config[key] = type(final[key])(ast.literal_eval(value))
        except (ValueError, SyntaxError, TypeError):
            raise ValueError(f"--set {assignment}: {value!r} is not a "
                             f"{type(final[key]).__name__}") from None
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


def train_one(sentiment, name, data, config, seed, args) -> dict:
    import numpy as np

    start = time.perf_counter()
    if name == "tfidf":
        vectorizer, model, history, timer = sentiment.fit_tfidf(
            data["fit_texts"], data["validation_texts"], vocab_size=args.tfidf_vocab_size,
            epochs=config["epochs"], batch_size=config["batch_size"], seed=seed)
        fitted = time.perf_counter()
        test_accuracy = sentiment.accuracy(model, sentiment.tfidf_dataset(
            vectorizer, *data["test_texts"], batch_size=512))
    else:
        kind = "LSTM" if name == "final" else name
        model, history, timer = sentiment.fit_recurrent(
            kind, data["fit"], data["validation"], config=config, epochs=config["epochs"],
            seed=seed)
        fitted = time.perf_counter()
        probabilities = sentiment.predict_probabilities(model, data["test"][0],
                                                        max_length=config["max_length"])
        test_accuracy = float(np.mean((probabilities > 0.5) == data["test"][1]))
    return {
        "seed": seed,
        "test_accuracy": test_accuracy,
        "validation_accuracy": float(max(history.history["val_accuracy"])),
        "epochs_run": len(history.history["loss"]),
        # Fit time: adapting the tf-idf vocabulary, every epoch and its validation pass.
        "train_seconds": fitted - start,
        "epoch_seconds": timer.seconds,
        "evaluate_seconds": time.perf_counter() - fitted,
        "parameters": sentiment.parameter_count(model),
    }


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
