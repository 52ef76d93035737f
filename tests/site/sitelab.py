"""The course's JupyterLab for the browser tests: started from .venv, isolated, on localhost.

``Lab`` starts ``jupyter lab`` (the one `make lab` runs) on a free port of 127.0.0.1 with a
random token, in a folder of notebooks, with its own settings, workspaces and runtime
folders (nothing of the user's is read or written), and notebook windowing off so that
every cell is rendered, as a reader scrolling through would see it. ``rendered_markdown``
opens one notebook in a browser page and returns the HTML of each rendered Markdown cell.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sitebook import ROOT

JUPYTER = Path(sys.executable).with_name("jupyter")
SETTINGS = {
    # Render every cell (JupyterLab 4 renders only the visible ones by default).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # No "would you like to receive news?" toast over the notebook.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A running JupyterLab serving ``folder``; stop it with ``stop()``."""

    def __init__(self, folder: Path, state: Path, timeout: float = 120):
        self.folder = folder
        self._workspaces = 0
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        settings = state / "settings"
        for name, values in SETTINGS.items():
            target = settings / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        env = {**os.environ,
               "JUPYTERLAB_SETTINGS_DIR": str(settings),
               "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
               "JUPYTER_RUNTIME_DIR": str(state / "runtime"),
               "JUPYTER_CONFIG_DIR": str(state / "config"),
               "PATH": f"{JUPYTER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.log = (state / "jupyterlab.log").open("wb")
        self.process = subprocess.Popen(
            [str(JUPYTER), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
             f"--ServerApp.root_dir={folder}", "--LabApp.news_url=",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--allow-root"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait(timeout, state / "jupyterlab.log")

    def _wait(self, timeout: float, log: Path):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}api/status?token={self.token}",
                                            timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer in {timeout} s: "
                           f"{log.read_text()[-2000:]}")

    def url(self, relative: str) -> str:
        """``relative`` opened alone, in a new workspace (no tabs restored from before)."""
        self._workspaces += 1
        return (f"{self.base}lab/workspaces/test{self._workspaces}/tree/{relative}"
                f"?token={self.token}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# The HTML of every Markdown cell of the notebook in view, once all of them are rendered.
_MARKDOWN_JS = """
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell')]
        .map(cell => {
          const out = cell.querySelector('.jp-RenderedMarkdown');
          return out ? out.innerHTML : null;
        })
"""


def open_notebook(page, lab: Lab, relative: str, cells: int, timeout_ms: int = 60_000):
    """Open ``relative`` in JupyterLab and wait until its ``cells`` cells are in the page."""
    page.goto(lab.url(relative), wait_until="domcontentloaded")
    page.wait_for_function(
        "n => document.querySelectorAll("
        "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length >= n",
        arg=cells, timeout=timeout_ms)


def rendered_markdown(page, lab: Lab, relative: str, markdown_cells: int,
                      cells: int) -> list[str | None]:
    """The HTML of each Markdown cell of ``relative`` as JupyterLab renders it."""
    open_notebook(page, lab, relative, cells)
    page.wait_for_function(
        "n => { const r = (" + _MARKDOWN_JS + ")(); "
        "return r.length >= n && r.every(html => html !== null && html.length > 0); }",
        arg=markdown_cells, timeout=60_000)
    return page.evaluate(_MARKDOWN_JS)
