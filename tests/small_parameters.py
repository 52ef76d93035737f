"""Small papermill parameters per notebook: seconds instead of minutes, same code paths.

Every chapter and solution notebook needs an entry (tests/test_small_runs.py checks);
exercises run with their solution's entry. The full-size defaults run once, under nbval.
"""

SMALL_PARAMETERS = {
    "chapters/ch01_recurrent_loop.md": {
        "TASK_TRAIN": 400, "TASK_TEST": 100, "TASK_LENGTH": 10, "TASK_EPOCHS": 8,
    },
    "solutions/ch01_recurrent_loop.md": {"DEMO_PADDING": [1, 3]},
    "chapters/ch02_bptt.md": {
        "LENGTHS": [5, 30], "EPOCHS": 10, "N_TRAIN": 2000, "N_TEST": 500, "CLIP_STEPS": 100,
    },
    "solutions/ch02_bptt.md": {"DEMO_LENGTH": 20, "DEMO_BATCH": 4},
    "chapters/ch03_lstm.md": {
        "GRAD_STEPS": 30, "GRAD_UNITS": 8, "GRAD_INPUT_DIM": 4, "GRAD_BATCH": 4,
        "GRAD_BURN_IN": 30,
        "IMDB_SUBSAMPLE": 400, "MAX_TOKENS": 2000, "SEQUENCE_LENGTH": 60, "EMBEDDING_DIM": 8,
        "LSTM_UNITS": 8, "EPOCHS": 1, "REVIEW_MAX_WORDS": 60,
    },
    "solutions/ch03_lstm.md": {"TIME_STEPS": 4, "MEMORY_STEPS": 300},
    "chapters/ch04_gru.md": {
        "PARAM_UNITS": [1, 16], "SPEED_UNITS": 8, "SPEED_LENGTH": 20, "SPEED_SAMPLES": 128,
        "SPEED_REPEATS": 2, "TASK_LENGTHS": [10], "TASK_UNITS": 8, "TASK_EPOCHS": 1,
        "TASK_TRAIN": 128, "TASK_TEST": 64,
    },
    "solutions/ch04_gru.md": {"TIME_STEPS": 4},
    "chapters/ch05_deeper_and_generating.md": {
        "TRAIN_REVIEWS": 40, "HELD_OUT_REVIEWS": 10, "NGRAM_ORDERS": [1, 3],
        "SEQUENCE_LENGTH": 50, "LM_UNITS": 16, "EPOCHS": 1, "EVALS_PER_EPOCH": 1,
        "TBPTT_LENGTH": 40, "TBPTT_CHUNKS": [10, 40], "TBPTT_BATCH": 4,
        "TBPTT_TRAIN_CHUNK": 10, "TBPTT_UNITS": 8, "TBPTT_REVIEWS": 20, "CHEAT_UNITS": 8,
        "CHEAT_REVIEWS": 20, "TEMPERATURES": [0.5, 1.5], "SAMPLE_LENGTH": 30,
    },
    "solutions/ch05_deeper_and_generating.md": {"TIME_STEPS": 4},
    "chapters/ch06_imdb_sentiment.md": {
        "SUBSAMPLE": 600, "VALIDATION_SIZE": 100, "VOCAB_SIZE": 1000, "MAX_LENGTH": 60,
        "EMBEDDING_DIM": 8, "UNITS": 8, "BATCH_SIZE": 64, "EPOCHS": 1,
        "EXPERIMENT_SIZE": 200, "EXPERIMENT_EPOCHS": 1, "EXPERIMENT_LENGTH": 60,
        "COMPARE_TEST_SIZE": 100,
        "TFIDF_VOCAB_SIZE": 1000, "MISTAKES_SHOWN": 2,
    },
    "solutions/ch06_imdb_sentiment.md": {
        "SUBSAMPLE": 1000, "VALIDATION_SIZE": 300, "VOCAB_SIZE": 3000, "MAX_LENGTH": 150,
        "EMBEDDING_DIM": 16, "UNITS": 16, "BATCH_SIZE": 32, "EPOCHS": 3, "MIN_ACCURACY": 0.55,
    },
}
