"""How small can exercise 6 be and still clear its accuracy floor? A measurement.

Trains the solution's model (Embedding → Dropout → GRU → Dense, post-padding with
``mask_zero=True``, Adam 2e-3 with clipping) the way ``solutions/ch06_imdb_sentiment.md``
does, for each ``--subsample`` and seed, for ``--epochs`` epochs without stopping, and
logs the validation accuracy after every epoch. Early stopping with patience 1 is then
replayed on that log, so one run answers every ``EPOCHS`` up to ``--epochs``: the
accuracy the check would see is the best epoch before early stopping ends the run.

Usage (from the repository root; minutes per subsample on a laptop CPU)::

    python bench/exercise_floor.py --subsample 4000 8000 14000 --seeds 0 1 2 --epochs 3

Writes one JSON line per run to stdout and a summary table at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def replay_early_stopping(val_accuracy: list[float], epochs: int, patience: int = 1) -> float:
    """The validation accuracy ``sentiment.early_stopping(patience)`` keeps after ``epochs``."""
    best, waited = -1.0, 0
    for value in val_accuracy[:epochs]:
        if value > best:
            best, waited = value, 0
        else:
            waited += 1
            if waited >= patience:
                break
    return best


def run(subsample: int, seed: int, epochs: int, args) -> dict:
    import keras
    import tensorflow as tf

    from rnncourse import sentiment
    from rnncourse.data import load_imdb

    keras.utils.set_random_seed(seed)
    train, _ = load_imdb(subsample=subsample, seed=seed)
    vectorizer = keras.layers.TextVectorization(max_tokens=args.vocab_size)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(train.texts).batch(1024))
    sequences = sentiment.encode(vectorizer, train.texts)
    n_validation = args.validation_size
    batches = {"batch_size": args.batch_size, "max_length": args.max_length, "padding": "post"}
    fit_data = sentiment.make_dataset(sequences[n_validation:], train.labels[n_validation:],
                                      shuffle=True, seed=seed, **batches)
    validation_data = sentiment.make_dataset(sequences[:n_validation],
                                             train.labels[:n_validation], **batches)
    keras.utils.set_random_seed(seed)
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Embedding(args.vocab_size, args.units, mask_zero=True)(ids)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.GRU(args.units)(x)
    model = keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer=keras.optimizers.Adam(2e-3, clipnorm=1.0),
                  loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(fit_data, validation_data=validation_data, epochs=epochs, verbose=0)
    return {"subsample": subsample, "seed": seed,
            "val_accuracy": [round(float(v), 4) for v in history.history["val_accuracy"]],
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subsample", type=int, nargs="+", default=[4000, 8000, 14000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--validation-size", type=int, default=2000)
    parser.add_argument("--vocab-size", type=int, default=20_000)
    parser.add_argument("--max-length", type=int, default=400)
    parser.add_argument("--units", type=int, default=64, help="also the embedding size")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--floor", type=float, default=0.75)
    args = parser.parse_args(argv)
    if any(s <= args.validation_size for s in args.subsample):
        parser.error("every --subsample must exceed --validation-size")

    runs = []
    for subsample in args.subsample:
        for seed in args.seeds:
            runs.append(run(subsample, seed, args.epochs, args))
            print(json.dumps(runs[-1]), flush=True)
    print(f"\nvalidation accuracy after early stopping (patience 1); floor {args.floor}")
    for subsample in args.subsample:
        for epochs in range(1, args.epochs + 1):
            kept = [replay_early_stopping(r["val_accuracy"], epochs) for r in runs
                    if r["subsample"] == subsample]
            cleared = sum(k >= args.floor for k in kept)
            print(f"SUBSAMPLE={subsample:6d} EPOCHS={epochs}: "
                  + ", ".join(f"{k:.3f}" for k in kept)
                  + f"  ({cleared}/{len(kept)} clear the floor)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
