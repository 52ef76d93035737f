"""Glue: record a value computed by a notebook so the book's prose and the tests can use it.

``record(name, value)`` stores the value in the notebook's outputs under ``name`` in
myst-nb's ``glue`` format: the book quotes it with ``{glue:text}`name```, and the tests
read it back from the executed notebook. Nothing is shown in the notebook itself.
Import it as ``from rnncourse import record``.
"""

from IPython.core.formatters import format_display_data
from IPython.display import display

# myst-nb's marker for glued values that are not displayed (myst_nb.core.variables).
_HIDDEN_PREFIX = "application/papermill.record/"


def record(name: str, value) -> None:
    """Store ``value`` under ``name`` in the cell's outputs, without displaying it.

    Equivalent to ``myst_nb.glue(name, value, display=False)``, written out so that a
    notebook also runs where myst-nb is not installed (Colab, Binder).
    """
    if not name.isidentifier():
        raise ValueError(f"record name must be an identifier, got {name!r}")
    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": _HIDDEN_PREFIX}
    display({_HIDDEN_PREFIX + mime: data for mime, data in bundle.items()},
            raw=True, metadata=metadata)
    # Returns nothing, so a record(...) that ends a cell does not print the value again.
