"""Run ``python -m leaksim`` as a process that stops at a chosen import and says so.

A ``sitecustomize`` module, put first on the child's path, adds an import hook: when the child
first looks for module ``pause_at``, it writes the module's name to a marker file and sleeps
``pause_s`` seconds there. A test waits for the marker (however long the child takes to get
there) and then sends its signal, so it knows where the child stands without guessing from the
clock. Python imports ``sitecustomize`` at start-up by itself; leaksim knows nothing of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["start_leaksim", "wait_for_marker"]

#: Longest a test waits for the child to reach its marker: a guard against a hang, not a timing.
MARKER_TIMEOUT_S = 300.0

_SITECUSTOMIZE = """\
import os
import sys
import time


class _PauseAtImport:
    def find_spec(self, name, path=None, target=None):
        if name == os.environ["LEAKSIM_TEST_PAUSE_AT"]:
            sys.meta_path.remove(self)
            with open(os.environ["LEAKSIM_TEST_MARKER"], "w") as f:
                f.write(name)
            time.sleep(float(os.environ["LEAKSIM_TEST_PAUSE_S"]))
        return None


sys.meta_path.insert(0, _PauseAtImport())
"""


def start_leaksim(
    args: list[str], folder: Path, pause_at: str, pause_s: float = 600.0, **popen: object
) -> tuple[subprocess.Popen[str], Path]:
    """Start ``python -m leaksim ARGS`` that pauses before importing ``pause_at``.

    Parameters
    ----------
    args : list of str
        The command's arguments.
    folder : Path
        Where the hook and the marker go (not where the command writes) [-].
    pause_at : str
        Full name of the module before whose import the child stops, e.g. ``"numpy"`` [-].
    pause_s : float, optional
        How long it stops there [s]; 0 to only mark the moment.
    **popen
        Passed to :class:`subprocess.Popen`.

    Returns
    -------
    (Popen, Path)
        The process, with text pipes for stdout and stderr, and the marker file to wait for.
    """
    site = folder / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    marker = folder / f"reached-{pause_at}"
    path = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "LEAKSIM_DEBUG": "",
        "LEAKSIM_TEST_PAUSE_AT": pause_at,
        "LEAKSIM_TEST_MARKER": str(marker),
        "LEAKSIM_TEST_PAUSE_S": str(pause_s),
    }
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    options.update(popen)
    process = subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "leaksim", *args], env=env, text=True, **options
    )
    return process, marker


def wait_for_marker(process: subprocess.Popen[str], marker: Path) -> None:
    """Wait until the child has written ``marker``; fail if it ends or hangs first."""
    deadline = time.monotonic() + MARKER_TIMEOUT_S
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the child ended ({process.returncode}) first: {out}{err}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the child did not reach {marker.name}")
        time.sleep(0.01)
