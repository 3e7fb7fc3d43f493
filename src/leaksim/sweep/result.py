"""The rows of a sweep and what safety studies ask of them.

:class:`SweepResult` holds one row per case (columns in :mod:`leaksim.sweep.rows`) and answers:
how often each module reached each threshold, with a 95 % interval; the percentiles of reserve
time and minimum pressure; the same fractions by bands of swept parameters (hole size x crew
response time). It writes RESULTS (CSV or Parquet) and SUMMARY.json whole or not at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import pint

from .._io import atomic_open
from ..errors import ScenarioError
from ..units import ureg
from .stats import band_table, fraction, percentiles

if TYPE_CHECKING:
    from .study import Sweep

__all__ = ["SweepResult"]

#: Output formats by file extension.
_FORMATS = {".csv": "csv", ".parquet": "parquet"}


class SweepResult:
    """One row per case of a sweep, and the summaries built on them.

    Parameters
    ----------
    rows : pandas.DataFrame
        The rows, in case order.
    sweep : Sweep
        The sweep that made them.

    Attributes
    ----------
    rows : pandas.DataFrame
        ``case``, the swept parameters (SI units), ``threshold.<name>.<module>_s``,
        ``reserve.<name>.<module>_s``, ``min.<module>.pressure_Pa``,
        ``final.<module>.pressure_Pa``, ``status``.
    """

    def __init__(self, rows: pd.DataFrame, sweep: Sweep) -> None:
        self.rows = rows
        self.sweep = sweep
        self.modules = list(sweep.scenario.station.module_names)
        self.thresholds = [t.name for t in sweep.scenario.thresholds]

    @property
    def n_cases(self) -> int:
        """Number of cases (rows)."""
        return len(self.rows)

    @property
    def ok(self) -> np.ndarray:
        """True for each case that reached its duration, shape (C,)."""
        return self.rows["status"].to_numpy() == "ok"

    # ------------------------------------------------------------------ questions

    def reached(
        self, threshold: str, module: str | None = None, *, other_module: bool = False
    ) -> np.ndarray:
        """Whether each case reached ``threshold`` in ``module`` (any module when None).

        Parameters
        ----------
        threshold : str
            A threshold name.
        module : str, optional
            A module name; None means any module.
        other_module : bool, default False
            Count only the modules that hold no leak in the case (see :meth:`leak_modules`):
            whether the loss reached beyond the holed module. Only with ``module`` None.

        Returns
        -------
        numpy.ndarray of bool, shape (C,)
        """
        self._check_threshold(threshold)
        if other_module and module is not None:
            raise ValueError("other_module counts every module without a leak: give no module")
        modules = self.modules if module is None else [self._check_module(module)]
        times = self.rows[[f"threshold.{threshold}.{m}_s" for m in modules]].to_numpy(float)
        hit = ~np.isnan(times)
        if other_module:
            hit &= ~self.leak_modules()
        return np.any(hit, axis=1)

    def leak_modules(self) -> np.ndarray:
        """Whether each module holds a leak in each case, shape (C, M).

        A leak's ``module``, swept (``"leak.<name>.module"``) or as the scenario gives it.
        """
        names = np.array(self.modules, dtype=object)
        holed = np.zeros((self.n_cases, len(self.modules)), dtype=bool)
        for leak in self.sweep.scenario.station.leaks:
            path = f"leak.{leak.name}.module"
            if path in self.rows.columns:
                module = self.rows[path].to_numpy(dtype=object)
            else:
                module = np.full(self.n_cases, leak.module, dtype=object)
            holed |= module[:, None] == names[None, :]
        return holed

    def fraction_reached(
        self,
        threshold: str,
        module: str | None = None,
        by: Mapping[str, Sequence[Any] | None] | None = None,
        *,
        other_module: bool = False,
    ) -> dict[str, Any] | pd.DataFrame:
        """Fraction of the successful cases that reached a threshold, with its 95 % interval.

        Parameters
        ----------
        threshold : str
            A threshold name.
        module : str, optional
            A module name; None counts a case when any module reached it.
        by : mapping of str to sequence or None, optional
            Swept parameter -> band edges (quantities such as ``"10 mm"`` or SI floats), or
            None to split by its values (a choice of module). Gives a conditional table.
        other_module : bool, default False
            Count a case only when a module without a leak reached it (:meth:`reached`): the
            fraction of impacts whose loss spreads beyond the holed module.

        Returns
        -------
        dict or pandas.DataFrame
            ``fraction``, ``ci95_low``, ``ci95_high`` (Clopper-Pearson), ``reached``,
            ``cases``; per band when ``by`` is given.
        """
        hit = self.reached(threshold, module, other_module=other_module)[self.ok]
        if by is None:
            return fraction(hit)
        edges = {column: self._edges(column, bands) for column, bands in by.items()}
        return band_table(self.rows[self.ok], hit, edges)

    def reserve_time(self, threshold: str, module: str) -> pint.Quantity:
        """Reserve time of each case, shape (C,) [s] (NaN where the case failed)."""
        self._check_threshold(threshold)
        column = f"reserve.{threshold}.{self._check_module(module)}_s"
        return ureg.Quantity(self.rows[column].to_numpy(float), "s")

    def min_pressure(self, module: str) -> pint.Quantity:
        """Lowest pressure of each case in ``module``, shape (C,) [Pa]."""
        column = f"min.{self._check_module(module)}.pressure_Pa"
        return ureg.Quantity(self.rows[column].to_numpy(float), "Pa")

    def summary(self) -> dict[str, Any]:
        """The SUMMARY.json content.

        Returns
        -------
        dict
            ``cases``, ``ok``, ``failed``, ``seed``; ``thresholds``: per threshold, per module,
            for ``any_module`` (a case counts when any module reached it, the leak's own
            included) and for ``other_module`` (only a module without a leak counts), the
            fraction of successful cases that reached it with its 95 % interval;
            ``reserve_time_s``: per threshold, per module and for ``first_module`` and
            ``first_other_module`` (the earliest of any module, of the modules without a leak),
            percentiles 5, 50 and 95; ``min_pressure_Pa``: per module, the same percentiles.
        """
        ok = self.ok
        thresholds = {}
        reserve = {}
        for name in self.thresholds:
            by_module = {m: fraction(self.reached(name, m)[ok]) for m in self.modules}
            thresholds[name] = {
                **by_module,
                "any_module": fraction(self.reached(name)[ok]),
                "other_module": fraction(self.reached(name, other_module=True)[ok]),
            }
            reserve[name] = {
                **{
                    m: percentiles(self.rows[f"reserve.{name}.{m}_s"].to_numpy(float)[ok])
                    for m in self.modules
                },
                "first_module": percentiles(self.earliest_reserve_time(name).m_as("s")[ok]),
                "first_other_module": percentiles(
                    self.earliest_reserve_time(name, other_module=True).m_as("s")[ok]
                ),
            }
        return {
            "cases": self.n_cases,
            "ok": int(ok.sum()),
            "failed": int((~ok).sum()),
            "seed": self.sweep.seed,
            "parameters": list(self.sweep.kinds),
            "thresholds": thresholds,
            "reserve_time_s": reserve,
            "min_pressure_Pa": {
                m: percentiles(self.rows[f"min.{m}.pressure_Pa"].to_numpy(float)[ok])
                for m in self.modules
            },
        }

    # ------------------------------------------------------------------ plots

    def earliest_reserve_time(self, threshold: str, *, other_module: bool = False) -> pint.Quantity:
        """Reserve time of the first module to reach ``threshold`` in each case [s].

        With ``other_module``, of the first module without a leak (:meth:`leak_modules`);
        infinite where every module is holed.
        """
        self._check_threshold(threshold)
        columns = [f"reserve.{threshold}.{m}_s" for m in self.modules]
        times = self.rows[columns].to_numpy(float)
        if other_module:
            times = np.where(self.leak_modules(), np.inf, times)
        return ureg.Quantity(np.min(times, axis=1), "s")

    def plot_reserve_cdf(
        self, threshold: str, module: str | None = None, ax: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Distribution of reserve time; see :func:`leaksim.plotting.plot_reserve_cdf`.

        Parameters
        ----------
        threshold : str
            A threshold name.
        module : str, optional
            A module; by default the first module of each case to reach the threshold.
        ax : matplotlib.axes.Axes, optional
            Axes to draw on [-].
        **kwargs
            Passed on to :func:`leaksim.plotting.plot_reserve_cdf`.

        Returns
        -------
        dict
            The artists drawn.
        """
        from ..plotting import plot_reserve_cdf

        times = (
            self.earliest_reserve_time(threshold)
            if module is None
            else self.reserve_time(threshold, module)
        )
        label = kwargs.pop("label", f"{threshold}, {module or 'first module'}")
        return plot_reserve_cdf(times[self.ok], ax=ax, label=label, **kwargs)

    def plot_map(
        self,
        x: str,
        y: str,
        threshold: str,
        module: str | None = None,
        ax: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Map of the fraction of cases reaching ``threshold`` over two swept parameters.

        Parameters
        ----------
        x, y : str
            Paths of two numeric swept parameters (hole diameter, response time).
        threshold : str
            A threshold name.
        module : str, optional
            A module; any module when None.
        ax : matplotlib.axes.Axes, optional
            Axes to draw on [-].
        **kwargs
            Passed on to :func:`leaksim.plotting.plot_outcome_map` (``bins``, units, names).

        Returns
        -------
        dict
            The artists drawn.
        """
        from ..plotting import plot_outcome_map

        values = {}
        for path in (x, y):
            kind = self.sweep.kinds.get(path)
            if kind is None or not kind.numeric:
                raise KeyError(f"{path!r} is not a numeric swept parameter of this sweep")
            values[path] = ureg.Quantity(self.rows[path].to_numpy(float)[self.ok], kind.unit)
        kwargs.setdefault("x_name", x.rsplit(".", 1)[-1].replace("_", " "))
        kwargs.setdefault("y_name", y.rsplit(".", 1)[-1].replace("_", " "))
        kwargs.setdefault("outcome_name", f"fraction reaching {threshold!r}")
        outcome = self.reached(threshold, module)[self.ok].astype(float)
        return plot_outcome_map(values[x], values[y], outcome, ax=ax, **kwargs)

    # ------------------------------------------------------------------ files

    def write(self, path: str | os.PathLike[str] | IO[Any], format: str | None = None) -> None:
        """Write the rows as CSV (empty cells for NaN) or Parquet, by the extension.

        Parameters
        ----------
        path : str, os.PathLike or file object
            The file, which appears whole or not at all; or an open file (text with
            ``newline=""`` for CSV, binary for Parquet) [-].
        format : {"csv", "parquet"}, optional
            Needed with an open file; by default the extension of ``path`` tells.
        """
        kind = format if format is not None else _FORMATS.get(Path(_name(path)).suffix.lower())
        if kind is None or kind not in _FORMATS.values():
            raise ScenarioError(f"results file must end in .csv or .parquet, got {_name(path)!r}")
        if kind == "parquet":
            _check_parquet()
        if hasattr(path, "write"):
            _write_rows(self.rows, cast(IO[Any], path), kind)
            return
        with atomic_open(path, "wb" if kind == "parquet" else "w", newline="") as f:
            _write_rows(self.rows, f, kind)

    def write_json(self, path: str | os.PathLike[str] | IO[str]) -> None:
        """Write :meth:`summary` as JSON (NaN and inf as null), whole or not at all.

        Parameters
        ----------
        path : str, os.PathLike or text file object
            The file to create or replace, or an open file [-].
        """
        text = json.dumps(_jsonable(self.summary()), indent=2) + "\n"
        if hasattr(path, "write"):
            cast(IO[str], path).write(text)
            return
        with atomic_open(path) as f:
            f.write(text)

    # ------------------------------------------------------------------ checks

    def _check_threshold(self, name: str) -> None:
        if name not in self.thresholds:
            valid = ", ".join(map(repr, self.thresholds)) or "none"
            raise KeyError(f"no threshold named {name!r}; thresholds are {valid}")

    def _check_module(self, name: str) -> str:
        if name not in self.modules:
            raise KeyError(f"no module named {name!r}; modules are {', '.join(self.modules)}")
        return name

    def _edges(self, column: str, bands: Sequence[Any] | None) -> list[float] | None:
        if column not in self.rows.columns:
            raise KeyError(f"no column {column!r}; swept parameters are {list(self.sweep.kinds)}")
        if bands is None:
            return None
        unit = self.sweep.kinds[column].unit if column in self.sweep.kinds else ""
        return [_si(b, unit) for b in bands]

    def __repr__(self) -> str:
        return f"<SweepResult: {self.n_cases} cases, {int((~self.ok).sum())} failed>"


def _write_rows(rows: pd.DataFrame, f: IO[Any], kind: str) -> None:
    if kind == "parquet":
        rows.to_parquet(f, index=False)
    else:
        # repr-exact floats: a row read back is the row computed
        rows.to_csv(f, index=False, na_rep="", float_format="%.17g")


def _name(path: Any) -> str:
    return str(getattr(path, "name", path)) if hasattr(path, "write") else os.fspath(path)


def _si(value: Any, unit: str) -> float:
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    q = ureg.Quantity(value)
    return float(q.m_as(unit) if unit else q.m_as(""))


def _check_parquet() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ScenarioError(
            'writing .parquet needs pyarrow: pip install "leaksim[parquet]", or write .csv'
        ) from None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
