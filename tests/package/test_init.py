"""``import rnncourse``: no TensorFlow import of its own, quiet TensorFlow start-up, and
fatal output never hidden (issue 12 defect 6, issue 13).

Stand-in ``tensorflow`` packages on ``sys.path`` play the part of a TensorFlow that logs,
fails or aborts; each test runs in a fresh Python process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a real TensorFlow offers that rnncourse calls after the import.
CONFIG = """
import types
calls = []
config = types.SimpleNamespace(
    list_physical_devices=lambda: calls.append("devices") or [],
    experimental=types.SimpleNamespace(
        enable_tensor_float_32_execution=lambda on: calls.append(f"tf32={on}")))
"""


def run(tmp_path: Path, program: str, tensorflow: str | None = None, keras: str | None = None,
        **environment) -> subprocess.CompletedProcess:
    for name, source in (("tensorflow", tensorflow), ("keras", keras)):
        if source is not None:
            package = tmp_path / "stand-ins" / name
            package.mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").write_text(textwrap.dedent(source))
    env = {k: v for k, v in os.environ.items() if k != "RNNCOURSE_CHECK_CUDNN_MASKS"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "stand-ins"), str(ROOT)])
    env.update(environment)
    return subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)


@pytest.mark.slow
def test_import_rnncourse_does_not_import_tensorflow(tmp_path):
    result = run(tmp_path, "import sys, rnncourse, rnncourse.data\n"
                 "print(sorted({'tensorflow', 'keras'} & set(sys.modules)))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_tensorflow_that_aborts_shows_its_message(tmp_path):
    aborting = """
        import os
        os.write(2, b"F tensorflow: this build needs AVX, which this CPU lacks\\n")
        os.abort()
    """
    for program in ("import rnncourse\nimport tensorflow", "import rnncourse\nimport keras"):
        result = run(tmp_path, program, tensorflow=aborting, keras="import tensorflow",
                     TF_CPP_MIN_LOG_LEVEL="0")
        assert result.returncode == -signal.SIGABRT
        assert "this build needs AVX" in result.stderr, (program, result.stderr)


def test_tensorflow_that_fails_to_import_shows_its_output_and_error(tmp_path):
    failing = """
        import os
        os.write(2, b"E tensorflow: libcudart.so.12 not found\\n")
        raise ImportError("broken TensorFlow build")
    """
    result = run(tmp_path, "import rnncourse\nimport tensorflow", tensorflow=failing)
    assert result.returncode == 1
    assert "libcudart.so.12 not found" in result.stderr
    assert "ImportError: broken TensorFlow build" in result.stderr
    assert result.stderr.index("libcudart") < result.stderr.index("ImportError")


def test_start_up_noise_is_hidden_and_tensor_float_32_turned_off(tmp_path):
    noisy = "import os\nos.write(2, b'I tensorflow/core: oneDNN custom operations are on\\n')\n"
    program = ("import rnncourse\nimport keras, tensorflow, sys\n"
               "print(tensorflow.calls)\nprint('after', file=sys.stderr)")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = run(tmp_path, program, tensorflow=noisy + CONFIG, keras="import tensorflow",
                 TMPDIR=str(temporary))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['devices', 'tf32=False']"
    assert result.stderr.strip() == "after"  # the noise is gone, stderr works again
    assert list(temporary.iterdir()) == []  # the captured text was deleted


def test_tensorflow_imported_before_rnncourse_is_configured_too(tmp_path):
    result = run(tmp_path, "import tensorflow, rnncourse\nprint(tensorflow.calls)",
                 tensorflow=CONFIG)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['devices', 'tf32=False']"


@pytest.mark.slow
def test_real_tensorflow_imports_quietly(tmp_path):
    """The real TensorFlow and Keras, imported after ``rnncourse`` with TensorFlow's own
    logging at its most verbose: nothing from TensorFlow on stderr, TF32 off, and what
    the program itself writes to file descriptor 2 still shows."""
    program = ("import rnncourse, os\nos.write(2, b'visible\\n')\n"
               "import keras, tensorflow as tf\n"
               "print(tf.config.experimental.tensor_float_32_execution_enabled())")
    result = run(tmp_path, program, TF_CPP_MIN_LOG_LEVEL="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"
    assert result.stderr.strip() == "visible", result.stderr


def test_abort_in_a_jupyter_kernel_reaches_the_terminal(tmp_path):
    """ipykernel sends fd 2 into a pipe that a thread of the kernel forwards to the
    notebook: an abort kills that thread too. The message must reach the terminal (the
    Jupyter server's log), whose copy ipykernel keeps as ``sys.stderr.fileno()``."""
    aborting = """
        import os
        os.write(2, b"F tensorflow: this build needs AVX, which this CPU lacks\\n")
        os.abort()
    """
    program = textwrap.dedent("""
        import os, sys
        forwarded, pipe = os.pipe()  # nobody reads it once the kernel is dead
        terminal = os.dup(2)
        os.dup2(pipe, 2)

        class KernelStream:  # what ipykernel's OutStream offers
            def fileno(self):
                return terminal

            def write(self, text):
                return len(text)

            def flush(self):
                pass

        sys.stderr = KernelStream()
        import rnncourse
        import tensorflow
    """)
    result = run(tmp_path, program, tensorflow=aborting)
    assert result.returncode == -signal.SIGABRT
    assert "this build needs AVX" in result.stderr, result.stderr


@pytest.mark.slow
def test_a_saved_end_to_end_model_loads_after_import_rnncourse_alone(tmp_path):
    """The saved model's own layers (CleanReviews, LastTokens) are registered with Keras on
    ``import rnncourse``: a fresh process loads the file without importing sentiment."""
    save = ("import keras, numpy as np, tensorflow as tf\nfrom rnncourse import sentiment\n"
            "texts = ['a fine film', 'a dull film']\n"
            "vectorizer = sentiment.make_vectorizer(texts, vocab_size=10)\n"
            "model = sentiment.build_classifier('LSTM', vocab_size=10, embedding_dim=2, units=2)\n"
            "reviewer = sentiment.end_to_end(vectorizer, model, max_length=3)\n"
            "reviewer.save('reviewer.keras')\n"
            "print(float(np.asarray(reviewer.predict(tf.constant(texts[:1]), verbose=0))[0, 0]))")
    saved = run(tmp_path, save)
    assert saved.returncode == 0, saved.stderr
    load = ("import rnncourse, sys, keras, numpy as np, tensorflow as tf\n"
            "model = keras.models.load_model('reviewer.keras')\n"
            "assert 'rnncourse.sentiment' not in sys.modules\n"
            "probability = model.predict(tf.constant(['a fine film']), verbose=0)\n"
            "print(float(np.asarray(probability)[0, 0]))")
    loaded = run(tmp_path, load)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert float(loaded.stdout.split()[-1]) == pytest.approx(float(saved.stdout.split()[-1]),
                                                             rel=1e-6)
