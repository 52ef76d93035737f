"""Plumbing shared by the notebooks of the Recurrent Neural Networks course.

Every notebook starts with ``import rnncourse``. Importing the package does not import
TensorFlow (the exercise generator and the data loader work without it). It arranges
that when TensorFlow is imported later, by ``import keras`` or ``import tensorflow``:

- its C++ start-up messages (oneDNN, CUDA probing, absl) are kept out of the notebooks
  and the book: file descriptor 2 is captured while TensorFlow imports, and the captured
  text is shown only if the import fails, or if the process dies during it (a TensorFlow
  that aborts with a fatal diagnostic, such as a build that needs AVX on a CPU without
  it). A small watcher process holds the captured text, so an abort cannot hide it;
- TensorFloat-32 is turned off (see ``_after_tensorflow``);
- the tests' kernels get cuDNN's mask rules enforced (``rnncourse.cudnn_rules``);
- the layers of chapter 6's saved model are registered (``rnncourse.layers``), so that
  ``keras.models.load_model`` reads its file in a fresh process.
"""

import contextlib
import importlib.abc
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version as _version

__version__ = _version("rnncourse")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # a reader's own choice wins


def _after_tensorflow(tf) -> None:
    """Run once TensorFlow is imported (its start-up output still captured)."""
    # Device discovery logs once more on first use; trigger it while captured.
    tf.config.list_physical_devices()
    # TensorFloat-32 (on by default on Ampere and newer GPUs) rounds float32 matmul inputs
    # to 10 mantissa bits, about 1e-3 relative: the chapters' NumPy-equals-Keras checks
    # (atol 1e-6 to 1e-5) would fail on such a GPU. Full float32 everywhere, as on a CPU.
    tf.config.experimental.enable_tensor_float_32_execution(False)
    if "keras" not in sys.modules:  # else Keras is importing TensorFlow: see _after_keras
        _after_keras(None)


def _after_keras(keras) -> None:
    """Run once Keras is imported (or, with TensorFlow alone, once TensorFlow is)."""
    if keras is not None and hasattr(keras, "saving"):  # not the tests' stand-in Keras
        # Register the saved end-to-end model's own layers, so that load_model finds them.
        from rnncourse import layers  # noqa: F401
    if os.environ.get("RNNCOURSE_CHECK_CUDNN_MASKS") == "1":  # set by the tests' kernels
        from rnncourse import cudnn_rules

        cudnn_rules.install()


_AFTER_IMPORT = {"tensorflow": _after_tensorflow, "keras": _after_keras}
_CAPTURED = {"tensorflow"}

# Runs in a separate process: it reads the pipe until the course's process writes "ok"
# and closes it, or dies. Without "ok" it copies the captured text to the real stderr,
# and to the terminal behind it where a Jupyter kernel forwards fd 2 (argv[2], or -1).
_WATCHER = """\
import os, sys
succeeded = sys.stdin.buffer.read() == b"ok"
if not succeeded:
    try:
        with open(sys.argv[1], "rb") as captured:
            text = captured.read()
    except OSError:
        text = b""
    for descriptor in (int(sys.argv[2]), 2):
        if descriptor >= 0:
            try:
                with open(descriptor, "wb", closefd=False) as target:
                    target.write(text)
            except OSError:
                pass
try:
    os.remove(sys.argv[1])
except OSError:
    pass
"""


def _terminal_behind_stderr() -> int:
    """ipykernel points fd 2 at a pipe that its own thread forwards to the notebook (and
    that dies with the kernel); ``sys.stderr.fileno()`` is then the terminal's copy."""
    try:
        descriptor = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return -1
    return descriptor if isinstance(descriptor, int) and descriptor not in (-1, 2) else -1


@contextlib.contextmanager
def _stderr_captured():
    """Capture file descriptor 2 (TensorFlow's C++ logging bypasses Python) while the
    block runs; replay it if the block raises or the process dies meanwhile."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no stderr at all: nothing to hide
        yield
        return
    try:
        handle, path = tempfile.mkstemp(prefix="rnncourse-stderr-", suffix=".txt")
    except OSError:
        os.close(saved)
        yield
        return
    read_end = write_end = watcher = None
    terminal = _terminal_behind_stderr()
    try:
        read_end, write_end = os.pipe()
        watcher = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCHER, path, str(terminal)],
            stdin=read_end, stdout=subprocess.DEVNULL, stderr=saved, close_fds=True,
            pass_fds=(terminal,) if terminal >= 0 else ())
    except (OSError, ValueError, subprocess.SubprocessError):
        pass  # no watcher can be started: import without capture, better loud than silent
    finally:
        if read_end is not None:
            os.close(read_end)
    if watcher is None:
        for descriptor in (write_end, handle, saved):
            if descriptor is not None:
                os.close(descriptor)
        os.remove(path)
        yield
        return
    os.dup2(handle, 2)
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(handle)
        try:
            if succeeded:
                os.write(write_end, b"ok")
        finally:
            os.close(write_end)
            with contextlib.suppress(subprocess.TimeoutExpired):
                watcher.wait(timeout=10)  # lets a replay appear before the traceback


class _HookedLoader(importlib.abc.Loader):
    """Wraps a module's own loader to run its ``_AFTER_IMPORT`` function after it."""

    def __init__(self, loader, name):
        self._loader, self._name = loader, name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self._loader  # invisible from here
        capture = _stderr_captured if self._name in _CAPTURED else contextlib.nullcontext
        with capture():
            self._loader.exec_module(module)
            _AFTER_IMPORT[self._name](module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _ImportHooks(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` and ``keras`` as usual, wrapping their loaders."""

    def find_spec(self, name, path=None, target=None):
        if name not in _AFTER_IMPORT:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _HookedLoader(spec.loader, name)
                return spec
        return None


def _install_import_hooks() -> None:
    if not any(isinstance(finder, _ImportHooks) for finder in sys.meta_path):
        sys.meta_path.insert(0, _ImportHooks())
    for name, after in _AFTER_IMPORT.items():  # imported before rnncourse was
        module = sys.modules.get(name)
        if module is not None and not getattr(module.__spec__, "_initializing", False):
            with _stderr_captured() if name in _CAPTURED else contextlib.nullcontext():
                after(module)


_install_import_hooks()

from rnncourse.glue import record  # noqa: E402

__all__ = ["record"]
