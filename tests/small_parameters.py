"""Small papermill parameters per notebook: seconds instead of minutes, same code paths.

Every chapter and solution notebook needs an entry (tests/test_small_runs.py checks);
exercises run with their solution's entry. The full-size defaults run once, under nbval.
"""

SMALL_PARAMETERS = {
    "chapters/ch01_recurrent_loop.ipynb": {
        "TASK_TRAIN": 400, "TASK_TEST": 100, "TASK_LENGTH": 10, "TASK_EPOCHS": 8,
    },
    "solutions/ch01_recurrent_loop.ipynb": {"DEMO_LENGTHS": [1, 3]},
}
