"""Run the example notebooks for the documentation, each in a fresh kernel that leaves no trace.

``docs/conf.py`` calls :func:`execute_notebooks` before Sphinx reads any source; myst-nb then
renders the outputs the notebooks hold (its own execution is off). The kernels talk to the build
over Unix sockets (Jupyter's IPC transport) in a private temporary folder: myst-nb starts its
kernels on TCP ports of the loopback interface without encryption, for which ipykernel 7 warns
once per notebook, and has no setting for the transport. Here nbclient starts and stops each
kernel, configured through its kernel manager.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def execute_notebook(path: Path, cwd: Path, timeout: int, sockets: str) -> None:
    """Execute the notebook at ``path`` in place, with ``cwd`` as its working folder.

    Parameters
    ----------
    path : pathlib.Path
        The notebook; its outputs are replaced by those of this run [-].
    cwd : pathlib.Path
        Folder the kernel runs in, where the notebook finds the files it reads [-].
    timeout : int
        Longest a cell may run [s].
    sockets : str
        Existing folder for the kernel's sockets; they are removed when the kernel stops [-].

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell fails, with the cell and its traceback.
    """
    import nbclient
    import nbformat
    from traitlets.config import Config

    notebook = nbformat.read(path, as_version=4)
    kernel = {"transport": "ipc", "ip": os.path.join(sockets, path.stem)}
    nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(cwd)}},
        config=Config({"KernelManager": kernel}),
    ).execute()
    nbformat.write(notebook, path)


def execute_notebooks(folder: Path, timeout: int, log: Callable[[str], None]) -> None:
    """Execute every notebook of ``folder`` in place, in its folder, one kernel each.

    Parameters
    ----------
    folder : pathlib.Path
        Folder of the notebooks and the files they read [-].
    timeout : int
        Longest a cell may run [s].
    log : callable
        Called with a line before each notebook runs [-].
    """
    with tempfile.TemporaryDirectory(prefix="leaksim-kernels-") as sockets:
        for path in sorted(folder.glob("*.ipynb")):
            log(f"executing {path.name}")
            execute_notebook(path, folder, timeout, sockets)
