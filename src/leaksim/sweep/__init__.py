"""Sweeps and Monte Carlo: many cases of one scenario, in chunks, in process or on Dask.

* :class:`Sweep` (a scenario, the swept parameters, the case count, the seed) and
  :func:`load_sweep` (a scenario file with a ``[sweep]`` table);
* the kinds of swept values: :class:`Uniform`, :class:`LogUniform`, :class:`Normal`,
  :class:`LogNormal`, :class:`Choice`, :class:`Table`, :class:`Grid`;
* :class:`SweepResult`: the rows, fractions with confidence intervals, percentiles, tables by
  bands, RESULTS and SUMMARY files.
"""

from __future__ import annotations

from .distributions import Choice, Distribution, Grid, LogNormal, LogUniform, Normal, Table, Uniform
from .file import load_sweep, loads_sweep
from .result import SweepResult
from .study import DEFAULT_CHUNK_SIZE, MAX_CASES, MEMORY_SHARE, Sweep

__all__ = [
    "Choice",
    "DEFAULT_CHUNK_SIZE",
    "Distribution",
    "Grid",
    "LogNormal",
    "LogUniform",
    "MAX_CASES",
    "MEMORY_SHARE",
    "Normal",
    "Sweep",
    "SweepResult",
    "Table",
    "Uniform",
    "load_sweep",
    "loads_sweep",
]
