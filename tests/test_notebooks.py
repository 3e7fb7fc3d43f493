"""The example notebooks of ``examples/``: committed without outputs, and each one runs.

Every notebook is executed from the ``examples/`` folder in a fresh Python kernel, so a change
to leaksim that breaks one fails the test suite. Notebooks with a larger run behind a flag read
``LEAKSIM_FULL=1`` from the environment; the default sizes finish in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: Longest a single cell may run [s]: far above the seconds each notebook takes, so only a hang
#: or a runaway case fails on time.
CELL_TIMEOUT = 300


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_examples_hold_notebooks():
    names = {path.stem for path in NOTEBOOKS}
    assert {
        "quickstart",
        "historical_decompressions",
        "prk_leak_hunt",
        "racing_the_hatch",
        "iss_monte_carlo",
    } <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    """Outputs are stripped before commit: no outputs, no execution counts."""
    code = [cell for cell in _load(path)["cells"] if cell["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    dirty = [i for i, cell in enumerate(code) if cell.get("outputs") or cell.get("execution_count")]
    assert not dirty, f"{path.name}: code cells {dirty} hold outputs; strip them before commit"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_starts_with_a_title(path):
    """The first cell is a markdown title, which the documentation uses as the page title."""
    first = _load(path)["cells"][0]
    assert first["cell_type"] == "markdown"
    assert "".join(first["source"]).startswith("# ")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    # A failing cell raises CellExecutionError, whose message holds the cell and the traceback.
    client.execute()
    errors = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
