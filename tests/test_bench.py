"""bench/imdb_bench.py: the command line, without training anything."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("imdb_bench", ROOT / "bench" / "imdb_bench.py")
imdb_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(imdb_bench)

FINAL = {"max_length": 800, "dropout": 0.3}


def test_overrides_change_only_the_named_values_and_keep_their_types():
    config = imdb_bench.with_overrides(FINAL, ["max_length=400", "dropout=0"])
    assert config == {"max_length": 400, "dropout": 0.0}
    assert isinstance(config["dropout"], float)
    assert FINAL["max_length"] == 800  # the original is untouched


@pytest.mark.parametrize(("assignment", "message"), [
    ("units=3", "unknown key 'units'"),
    ("max_length=long", "is not a int"),
    ("max_length", "is not a int"),
])
def test_bad_overrides_are_rejected_with_the_reason(assignment, message):
    with pytest.raises(ValueError, match=message):
        imdb_bench.with_overrides(FINAL, [assignment])


def test_bad_arguments_stop_before_any_work(capsys):
    with pytest.raises(SystemExit):
        imdb_bench.main(["--set", "colour=3"])
    assert "unknown key 'colour'" in capsys.readouterr().err
