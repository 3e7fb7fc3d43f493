"""Sweeps from scenario files: the ``[sweep]`` table of ``docs/scenario-format.md``.

::

    [sweep]
    cases = 100000
    seed = 1
    [sweep.parameters]
    "leak.hole.diameter" = { distribution = "loguniform", low = "1 mm", high = "100 mm" }
    "leak.hole.module" = { choice = ["Lab", "Node1"], weights = [0.7, 0.3] }

Errors name the file, the table and the parameter, like every scenario-file error.
"""

from __future__ import annotations

import os
from typing import Any

from .. import _params as p
from ..errors import ScenarioError
from ..scenario_file import loads_with_sweep, read_text
from .study import Sweep

__all__ = ["load_sweep", "loads_sweep", "SWEEP_KEYS"]

#: Keys of the [sweep] table.
SWEEP_KEYS = ("cases", "seed", "parameters")


def load_sweep(path: str | os.PathLike[str]) -> Sweep:
    """Read a scenario file with a ``[sweep]`` table.

    Parameters
    ----------
    path : str or os.PathLike
        The TOML file.

    Returns
    -------
    Sweep

    Raises
    ------
    leaksim.errors.ScenarioError
        If the file is not a valid scenario, has no ``[sweep]`` table, or the table breaks a
        rule; the message names the file, ``[sweep]`` and the parameter.
    """
    return loads_sweep(*read_text(path))


def loads_sweep(text: str, source: str = "<string>") -> Sweep:
    """Read a sweep from TOML text (as :func:`load_sweep`).

    Examples
    --------
    >>> sweep = loads_sweep('''
    ... [simulation]
    ... duration = "1 h"
    ... [[module]]
    ... name = "Cabin"
    ... volume = "50 m^3"
    ... [[leak]]
    ... name = "hole"
    ... module = "Cabin"
    ... diameter = "1 mm"
    ... [sweep]
    ... cases = 4
    ... [sweep.parameters]
    ... "leak.hole.diameter" = { grid = ["1 mm", "2 mm"] }
    ... ''')
    >>> sweep.sample()["leak.hole.diameter"].tolist()
    [0.001, 0.002, 0.001, 0.002]
    """
    if not text.strip():
        # /dev/null, or a file not yet written: found, but nothing in it to sweep
        raise ScenarioError(
            "the file is empty: a sweep needs a scenario and a [sweep] table", source
        )
    scenario, table = loads_with_sweep(text, source)
    if table is None:
        raise ScenarioError("no [sweep] table: run the file with 'leaksim run'", source)
    try:
        return _sweep(scenario, table)
    except ScenarioError as err:
        raise ScenarioError(err.rule.replace("\n", " "), f"{source}: [sweep]") from None


def _sweep(scenario: Any, table: Any) -> Sweep:
    if not isinstance(table, dict):
        raise ScenarioError(f"sweep must be one table: write [sweep], got {p.show(table)}")
    for key in table:
        if key not in SWEEP_KEYS:
            hint = p.did_you_mean(key, SWEEP_KEYS) or "; allowed keys: " + ", ".join(SWEEP_KEYS)
            raise ScenarioError(f"unknown key {key!r}{hint}")
    if "parameters" not in table:
        raise ScenarioError("missing table [sweep.parameters]: at least one swept parameter")
    if not isinstance(table["parameters"], dict):
        raise ScenarioError(
            f"parameters must be a table [sweep.parameters], got {p.show(table['parameters'])}"
        )
    return Sweep(scenario, table["parameters"], cases=table.get("cases"), seed=table.get("seed", 0))
