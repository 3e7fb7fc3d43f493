"""The architecture's rules: the SI core never imports pint, and imports point down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import leaksim

SOURCE = Path(leaksim.__file__).parent
CORE = ["gas", "flow", "network", "linalg", "solver", "zones"]
# Each module may import only the leaksim modules listed (layers point down).
ALLOWED = {
    "errors": set(),
    "gas": set(),
    "flow": set(),
    "linalg": set(),
    "network": {"flow", "gas"},
    "solver": {"errors", "linalg", "network"},
    "zones": {"network", "solver"},
}


def _imports(module: str) -> tuple[set[str], set[str]]:
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    external, internal = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            external.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level and node.module is None:  # from . import solver
                internal.update(alias.name for alias in node.names)
            elif node.level:
                internal.add(node.module.split(".")[0])
            else:
                external.add((node.module or "").split(".")[0])
    return external, internal


@pytest.mark.parametrize("module", CORE)
def test_core_does_not_import_pint(module):
    external, _ = _imports(module)
    assert "pint" not in external


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_core_imports_point_down(module):
    _, internal = _imports(module)
    assert internal <= ALLOWED[module]
