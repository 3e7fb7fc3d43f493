"""One chunk of a sweep: sample its cases, solve them group by group, and make its rows.

:func:`chunk_rows` is the unit of work that engines hand out (in-process or to Dask workers),
so it takes only picklable arguments and returns plain numpy columns.

Columns (``docs/scenario-format.md``, "Sweeps and Monte Carlo" and its additions):

* ``case``: the case index;
* each swept parameter under its path, in SI units (a name as text);
* ``threshold.<name>.<module>_s``: first time the module reached the threshold, NaN if never;
* ``reserve.<name>.<module>_s``: the reserve time of :attr:`leaksim.result.Result.reserve_times`;
* ``min.<module>.pressure_Pa``: the lowest pressure at the output times and the end;
* ``final.<module>.pressure_Pa``: the pressure at the end;
* ``status``: ``ok``, or why the case failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..scenario import Scenario
from .apply import build, groups
from .distributions import Distribution
from .sampling import sample

__all__ = ["chunk_rows", "column_names"]


def column_names(scenario: Scenario, parameters: Mapping[str, Distribution]) -> list[str]:
    """The columns of a sweep's rows, in order."""
    modules = list(scenario.station.module_names)
    names = ["case", *parameters]
    for kind in ("threshold", "reserve"):
        names += [f"{kind}.{t.name}.{m}_s" for t in scenario.thresholds for m in modules]
    names += [f"min.{m}.pressure_Pa" for m in modules]
    names += [f"final.{m}.pressure_Pa" for m in modules]
    return [*names, "status"]


def chunk_rows(
    scenario: Scenario,
    parameters: Mapping[str, Distribution],
    seed: int,
    start: int,
    stop: int,
    solve_options: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Rows of cases ``start`` to ``stop - 1``.

    Parameters
    ----------
    scenario : Scenario
        The swept scenario (one case).
    parameters : mapping of str to Distribution
        Swept parameters by path.
    seed : int
        Seed of the sweep [-].
    start, stop : int
        First case and one past the last [-].
    solve_options : mapping, optional
        Passed to :meth:`leaksim.scenario.Scenario.run`.

    Returns
    -------
    dict of str to numpy.ndarray
        One column per name of :func:`column_names`, each of length ``stop - start``.
    """
    values = sample(parameters, seed, start, stop)
    n = stop - start
    columns = _empty_columns(scenario, parameters, n)
    columns["case"][:] = np.arange(start, stop)
    for path in parameters:
        columns[path] = values[path]
    for members, shared in groups(values, parameters):
        numeric = {path: v[members] for path, v in values.items() if path not in shared}
        group = build(scenario, parameters, numeric, shared, len(members))
        result = group.run(**dict(solve_options or {}))
        _fill(columns, members, result)
    return columns


def _empty_columns(
    scenario: Scenario, parameters: Mapping[str, Distribution], n: int
) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    for name in column_names(scenario, parameters):
        if name == "case":
            columns[name] = np.zeros(n, dtype=np.int64)
        elif name == "status":
            columns[name] = np.full(n, "", dtype=object)
        elif name not in parameters:
            columns[name] = np.full(n, np.nan)
    return columns


def _fill(columns: dict[str, np.ndarray], members: np.ndarray, result: Any) -> None:
    """Copy a group's answers into the chunk's columns at the group's positions."""
    modules = result.modules
    for kind, table in (("threshold", result.threshold_times), ("reserve", result.reserve_times)):
        for name, by_module in table.items():
            for m in modules:
                columns[f"{kind}.{name}.{m}_s"][members] = by_module[m].m_as("s")
    series = np.asarray(result.solution.pressure, dtype=float)
    final = np.asarray(result.solution.final_pressure, dtype=float)
    with np.errstate(invalid="ignore"):
        lowest = np.fmin(np.nanmin(_padded(series), axis=-1), final)
    lowest[np.isinf(lowest)] = np.nan
    for i, m in enumerate(modules):
        columns[f"min.{m}.pressure_Pa"][members] = lowest[:, i]
        columns[f"final.{m}.pressure_Pa"][members] = final[:, i]
    columns["status"][members] = np.array(result.status, dtype=object)


def _padded(series: np.ndarray) -> np.ndarray:
    # nanmin warns on an all-NaN slice (a case that failed at once); a column of inf avoids it.
    return np.concatenate([series, np.full((*series.shape[:2], 1), np.inf)], axis=-1)
