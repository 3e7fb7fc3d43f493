"""The outcome of a run: solver arrays with units put back on, thresholds and exports.

A :class:`Result` wraps a :class:`leaksim.core.solver.Solution` (plain SI arrays) and adds the names
the scenario gave to modules and thresholds. Every array keeps the axis order
``(case, module, time)``, even with one case or one module; accessors never squeeze.

Exports follow the public contract of ``docs/scenario-format.md``: :meth:`Result.summary` and
:meth:`Result.write_json` give SUMMARY.json, :meth:`Result.write_csv` and
:meth:`Result.to_dataframe` give the long SERIES.csv table.
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, TextIO, TypedDict, cast

import numpy as np
import pint

from ._io import atomic_open, atomic_write_text
from .compile import CompiledScenario
from .core.network import Schedule
from .core.solver import RISING_QUANTITIES, THRESHOLD_QUANTITIES, Solution
from .errors import LeaksimError
from .units import ureg

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["Result", "UnknownModuleError", "THRESHOLD_QUANTITIES", "SERIES_COLUMNS"]


#: Columns of SERIES.csv and of :meth:`Result.to_dataframe`, in order.
SERIES_COLUMNS = (
    "case",
    "module",
    "time_s",
    "pressure_Pa",
    "temperature_K",
    "partial_pressure_O2_Pa",
    "partial_pressure_CO2_Pa",
)


class HatchRecord(TypedDict):
    """What one hatch saw, arrays of shape (C,): one value of :attr:`Result.hatches`."""

    closed_at: pint.Quantity
    max_pressure_difference: pint.Quantity
    final_pressure_difference: pint.Quantity
    opening_force: pint.Quantity
    can_open: np.ndarray


class UnknownModuleError(LeaksimError, KeyError):
    """A module name that the result does not hold."""

    def __str__(self) -> str:
        # KeyError would show the message in quotes, as the repr of a key
        return str(self.args[0]) if self.args else ""


class Result:
    """Time series, final states and threshold times of every case of a run.

    Parameters
    ----------
    solution : leaksim.core.solver.Solution
        Arrays returned by :func:`leaksim.core.solver.solve` or :func:`leaksim.core.zones.solve`,
        SI units, axes (case, module, time) [-].
    compiled : leaksim.compile.CompiledScenario
        The compiled scenario that was solved: it names the modules, thresholds, hatches,
        links and supplies, gives the threshold levels, the hatch areas and force limits, and
        the case parameters [-].

    Raises
    ------
    ValueError
        If the solution's shapes do not match the compiled scenario.

    Examples
    --------
    >>> from leaksim.scenario_file import load_scenario  # doctest: +SKIP
    >>> result = load_scenario("two_modules.toml").run()  # doctest: +SKIP
    >>> result.final_pressure.to("mmHg")  # doctest: +SKIP
    >>> result.threshold_times["evacuate"]["Lab"]  # doctest: +SKIP
    """

    def __init__(self, solution: Solution, compiled: CompiledScenario) -> None:
        self._solution = solution
        # What the result needs of the compiled scenario, and no more: a result may outlive
        # many runs, and the network's per-case arrays are not worth keeping alive.
        network = compiled.network
        self._compiled_cases = compiled.n_cases
        self._schedule = network.schedule
        self._link_ends = np.stack([network.links.a, network.links.b], axis=1)
        self._first_hatch = network.links.hatches.start
        self._first_supply = network.sources.supplies.start
        self._modules = compiled.module_names
        self._threshold_names = list(compiled.threshold_names)
        self._threshold_quantities = compiled.threshold_quantities
        self._link_names = list(compiled.network.links.names)
        self._hatch_names = compiled.hatch_names
        self._hatch_areas = list(np.array(compiled.hatch_area).T)
        self._hatch_force_limits = list(compiled.hatch_force_limit.T)
        self._supply_molar_mass = dict(
            zip(compiled.supply_names, compiled.supply_molar_mass.T, strict=True)
        )
        self._check_shapes()
        self._check_thresholds()
        self._threshold_levels = [threshold.level for threshold in compiled.thresholds]
        self._parameters = self._check_parameters(compiled.case_parameters)

    # ------------------------------------------------------------------ validation

    def _check_shapes(self) -> None:
        s = self._solution
        n_cases, n_modules, n_times = np.shape(s.pressure)
        if len(self._modules) != n_modules:
            raise ValueError(
                f"module_names must name the {n_modules} modules of the solution, "
                f"got {len(self._modules)}: {self._modules}"
            )
        if self._compiled_cases != n_cases:
            raise ValueError(
                f"the compiled scenario must hold one value per case of the solution "
                f"({n_cases}), got {self._compiled_cases}"
            )
        if np.shape(s.time) != (n_times,):
            raise ValueError(f"solution.time must have shape ({n_times},), got {np.shape(s.time)}")
        for name in ("temperature",):  # partial pressures may be computed on first read
            if np.shape(getattr(s, name)) != (n_cases, n_modules, n_times):
                raise ValueError(
                    f"solution.{name} must have shape {(n_cases, n_modules, n_times)}, "
                    f"got {np.shape(getattr(s, name))}"
                )

    def _check_thresholds(self) -> None:
        n_thresholds = len(self._threshold_names)
        expected = (self.n_cases, n_thresholds, len(self._modules))
        if np.shape(self._solution.operations.threshold_time) != expected and n_thresholds:
            raise ValueError(
                f"solution.operations.threshold_time must have shape {expected} for thresholds "
                f"{self._threshold_names}, got {np.shape(self._solution.operations.threshold_time)}"
            )

    def _check_parameters(self, parameters: Mapping[str, Any]) -> dict[str, np.ndarray]:
        checked = {}
        for path, values in parameters.items():
            array = np.asarray(values)
            if array.shape != (self.n_cases,):
                raise ValueError(
                    f"parameter {path!r} must hold one value per case ({self.n_cases},), "
                    f"got shape {array.shape}"
                )
            checked[str(path)] = array
        return checked

    # ------------------------------------------------------------------ plain facts

    @property
    def solution(self) -> Solution:
        """The solver's arrays, SI units, no quantities."""
        return self._solution

    @property
    def schedule(self) -> Schedule:
        """The events of the compiled network: what each switches, how, and when it was
        scheduled; ``solution.operations.event_time`` says when each happened."""
        return self._schedule

    @property
    def link_ends(self) -> np.ndarray:
        """Module index of the two sides of each link, shape (K, 2); -1 for the outside."""
        return self._link_ends.copy()

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``."""
        return int(np.shape(self._solution.pressure)[0])

    @property
    def modules(self) -> list[str]:
        """Module names, in the order of the module axis."""
        return list(self._modules)

    @property
    def thresholds(self) -> list[str]:
        """Threshold names, in the order given."""
        return list(self._threshold_names)

    @property
    def threshold_quantities(self) -> dict[str, str]:
        """What each threshold watches: ``"pressure"`` or ``"partial_pressure_O2"``."""
        return dict(zip(self._threshold_names, self._threshold_quantities, strict=True))

    @property
    def threshold_levels(self) -> dict[str, pint.Quantity]:
        """Level of each threshold in each case, shape (C,) [Pa]."""
        return {
            name: _quantity(level, "Pa")
            for name, level in zip(self._threshold_names, self._threshold_levels, strict=True)
        }

    @property
    def link_names(self) -> list[str]:
        """Names of the network's links in order: hatches, leaks, valves (may be empty)."""
        return list(self._link_names)

    @property
    def parameters(self) -> dict[str, np.ndarray]:
        """Case parameters: path -> values in SI units, shape (C,)."""
        return dict(self._parameters)

    @property
    def status(self) -> list[str]:
        """``"ok"`` for each case that reached its duration, else why it failed."""
        messages = list(self._solution.message) or [""] * self.n_cases
        return [
            "ok" if ok else (msg or "failed") for ok, msg in zip(self.ok, messages, strict=True)
        ]

    @property
    def ok(self) -> np.ndarray:
        """True for each case that reached its duration, shape (C,)."""
        return np.asarray(self._solution.status).reshape(self.n_cases) == 0

    def module(self, name: str) -> int:
        """Index of module ``name`` on the module axis.

        Parameters
        ----------
        name : str
            A module name [-].

        Returns
        -------
        int

        Raises
        ------
        UnknownModuleError
            A ``KeyError`` listing the valid names.
        """
        try:
            return self._modules.index(name)
        except ValueError:
            raise UnknownModuleError(
                f"no module named {name!r}; modules are {', '.join(map(repr, self._modules))}"
            ) from None

    # ------------------------------------------------------------------ quantities

    @property
    def time(self) -> pint.Quantity:
        """Output times shared by all cases, shape (T,) [s]."""
        return _quantity(self._solution.time, "s")

    @property
    def pressure(self) -> pint.Quantity:
        """Total pressure, shape (C, M, T) [Pa]; NaN after a case's end."""
        return _quantity(self._solution.pressure, "Pa")

    @property
    def temperature(self) -> pint.Quantity:
        """Gas temperature, shape (C, M, T) [K]; NaN after a case's end."""
        return _quantity(self._solution.temperature, "K")

    @property
    def partial_pressure_CO2(self) -> pint.Quantity:
        """CO2 partial pressure, shape (C, M, T) [Pa]; NaN after a case's end."""
        return _quantity(self._solution.partial_pressure_CO2, "Pa")

    @property
    def partial_pressure_O2(self) -> pint.Quantity:
        """O2 partial pressure, shape (C, M, T) [Pa]; NaN after a case's end."""
        return _quantity(self._solution.partial_pressure_O2, "Pa")

    @property
    def final_pressure(self) -> pint.Quantity:
        """Total pressure at each case's end, shape (C, M) [Pa]."""
        return _quantity(self._solution.final_pressure, "Pa")

    @property
    def final_temperature(self) -> pint.Quantity:
        """Gas temperature at each case's end, shape (C, M) [K]."""
        return _quantity(self._solution.final_temperature, "K")

    @property
    def end_time(self) -> pint.Quantity:
        """Time each case reached: its duration, or when it failed, shape (C,) [s]."""
        return _quantity(self._solution.end_time, "s")

    @property
    def threshold_times(self) -> dict[str, dict[str, pint.Quantity]]:
        """First time each module reached each threshold, shape (C,) [s]; NaN if never: fell to
        it for pressure and O2, rose to it for CO2.

        Keyed by threshold name, then module name.
        """
        times = np.asarray(self._solution.operations.threshold_time, dtype=float)
        return {
            name: {m: _quantity(times[:, h, i], "s") for i, m in enumerate(self._modules)}
            for h, name in enumerate(self._threshold_names)
        }

    @property
    def reserve_times(self) -> dict[str, dict[str, pint.Quantity]]:
        """Time from t = 0 until each module reaches each threshold, shape (C,) [s].

        The rule: where the run reached the threshold, its crossing time; otherwise the end of
        the run plus the time the trend at the end would take to reach it. A falling value
        (total or O2 partial pressure) decays exponentially, as a leak does:
        ``tau ln(v_end / level)`` with ``tau = -v_end / (dv/dt)_end``. A rising CO2 partial
        pressure grows linearly, as a crew's output into a sealed volume does:
        ``(level - v_end) / (dv/dt)_end``. Infinite where the value is not heading for the
        level at the end; NaN where the case failed.
        """
        s = self._solution
        out = {}
        crossed = np.asarray(s.operations.threshold_time, dtype=float)
        for h, name in enumerate(self._threshold_names):
            quantity = self._threshold_quantities[h]
            value, rate = self._final_watched(quantity)
            level = self._threshold_levels[h][:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                if quantity in RISING_QUANTITIES:
                    extra = np.where(rate > 0.0, np.maximum(level - value, 0.0) / rate, np.inf)
                else:
                    decay = value / -rate * np.log(np.maximum(value / level, 1.0))
                    extra = np.where(rate < 0.0, decay, np.inf)
            extrapolated = s.end_time[:, None] + extra
            reserve = np.where(np.isnan(crossed[:, h, :]), extrapolated, crossed[:, h, :])
            reserve = np.where(self.ok[:, None], reserve, np.nan)
            out[name] = {m: _quantity(reserve[:, i], "s") for i, m in enumerate(self._modules)}
        return out

    def _final_watched(self, quantity: str) -> tuple[np.ndarray, np.ndarray]:
        """Value [Pa] and rate [Pa/s] at the end of a threshold's quantity, each (C, M)."""
        s = self._solution
        if quantity == "pressure":
            return s.final_pressure, s.final_pressure_rate
        if quantity == "partial_pressure_CO2":
            return self._final_partial_pressure("CO2"), s.final_partial_pressure_CO2_rate
        return self._final_partial_pressure("O2"), s.final_partial_pressure_O2_rate

    def _final_partial_pressure(self, species: str) -> np.ndarray:
        """Partial pressure of ``species`` in each module at the end [Pa], (C, M)."""
        s = self._solution
        names = list(s.species)
        if species not in names:
            return np.zeros_like(s.final_pressure)
        moles = np.asarray(s.final_moles, dtype=float)
        total = moles.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(total > 0, moles[..., names.index(species)] / total, 0.0)
        return s.final_pressure * x

    # ------------------------------------------------------------------ exports

    def summary(self) -> dict[str, Any]:
        """The SUMMARY.json content: per-case lists in SI units, None for NaN.

        Returns
        -------
        dict
            Keys ``cases``, ``modules``, ``final``, ``thresholds``, ``status`` and, when the
            run has case parameters, ``parameters``. Every per-case value is a list of length
            ``n_cases``.
        """
        s = self._solution
        o2, co2 = self._final_partial_pressure("O2"), self._final_partial_pressure("CO2")
        final = {
            m: {
                "pressure_Pa": _json_list(s.final_pressure[:, i]),
                "temperature_K": _json_list(s.final_temperature[:, i]),
                "partial_pressure_O2_Pa": _json_list(o2[:, i]),
                "partial_pressure_CO2_Pa": _json_list(co2[:, i]),
            }
            for i, m in enumerate(self._modules)
        }
        thresholds = {
            name: {m: _json_list(t.m_as("s")) for m, t in per_module.items()}
            for name, per_module in self.threshold_times.items()
        }
        out: dict[str, Any] = {
            "cases": self.n_cases,
            "modules": self.modules,
            "final": final,
            "thresholds": thresholds,
            "status": self.status,
        }
        if self._parameters:
            out["parameters"] = {p: _json_list(v) for p, v in self._parameters.items()}
        if self._hatch_names:
            out["hatches"] = {
                name: {
                    "closed_at_s": _json_list(values["closed_at"].m_as("s")),
                    "max_pressure_difference_Pa": _json_list(
                        values["max_pressure_difference"].m_as("Pa")
                    ),
                    "final_pressure_difference_Pa": _json_list(
                        values["final_pressure_difference"].m_as("Pa")
                    ),
                    "opening_force_N": _json_list(values["opening_force"].m_as("N")),
                    "can_open": [None if np.isnan(v) else bool(v) for v in values["can_open"]],
                }
                for name, values in self.hatches.items()
            }
        out["reserve_times"] = {
            name: {m: _json_list(t.m_as("s")) for m, t in per_module.items()}
            for name, per_module in self.reserve_times.items()
        }
        if self._supply_molar_mass:
            out["supplies"] = {
                name: {"mass_used_kg": _json_list(values["mass_used"].m_as("kg"))}
                for name, values in self.supplies.items()
            }
        return out

    def _final_link_difference(self, k: int) -> np.ndarray:
        """|p_a - p_b| across link ``k``, between two modules, at the end [Pa]."""
        a, b = self.link_ends[k]
        return np.abs(self._solution.final_pressure[:, a] - self._solution.final_pressure[:, b])

    @property
    def supplies(self) -> dict[str, dict[str, pint.Quantity]]:
        """Per supply: ``mass_used``, the gas it fed [kg], and ``time_on``, how long it fed
        [s]; each of shape (C,)."""
        done = self._solution.operations
        first = self._first_supply
        out = {}
        for j, (name, molar_mass) in enumerate(self._supply_molar_mass.items(), start=first):
            amount = done.source_amount[:, j]
            time_on = done.source_on_time[:, j]
            out[name] = {
                "mass_used": ureg.Quantity(amount * molar_mass, "kg"),
                "time_on": ureg.Quantity(time_on, "s"),
            }
        return out

    @property
    def hatches(self) -> dict[str, HatchRecord]:
        """What each hatch saw, arrays of shape (C,).

        ``closed_at``: the first time an event closed it, NaN if none did [s];
        ``max_pressure_difference``: the largest pressure difference across it at the solver's
        steps [Pa]; ``final_pressure_difference`` at the end [Pa]; ``opening_force``, that
        difference times the hatch area [N]; ``can_open``: 1.0 where the force is within the
        hatch's ``opening_force_limit``, 0.0 where not, NaN where no limit was given.
        Hatches are the first links of the network.
        """
        done = self._solution.operations
        schedule = self._schedule
        first = self._first_hatch
        out: dict[str, HatchRecord] = {}
        for k, name in enumerate(self._hatch_names, start=first):
            closed = np.full(self.n_cases, np.nan)
            closing = (schedule.target == k) & ~schedule.opens
            if np.any(closing):
                times = np.where(closing, done.event_time, np.inf)
                times = np.where(np.isnan(times), np.inf, times).min(axis=1)
                closed = np.where(np.isfinite(times), times, np.nan)
            dp = done.max_pressure_difference[:, k]
            final_dp = self._final_link_difference(k)
            force = final_dp * self._hatch_areas[k - first]
            limit = self._hatch_force_limits[k - first]
            can_open = np.where(np.isnan(limit) | np.isnan(force), np.nan, force <= limit)
            out[name] = {
                "closed_at": ureg.Quantity(closed, "s"),
                "max_pressure_difference": ureg.Quantity(dp, "Pa"),
                "final_pressure_difference": ureg.Quantity(final_dp, "Pa"),
                "opening_force": ureg.Quantity(force, "N"),
                "can_open": can_open,
            }
        return out

    def write_json(self, path: str | os.PathLike[str] | TextIO) -> None:
        """Write :meth:`summary` as strict JSON (no NaN), atomically when given a path.

        Parameters
        ----------
        path : str, os.PathLike or text file object
            File to create or replace, or an open file to write to [-].
        """
        text = json.dumps(self.summary(), indent=2, allow_nan=False) + "\n"
        if hasattr(path, "write"):
            path.write(text)
        else:
            atomic_write_text(path, text)

    def write_csv(self, path: str | os.PathLike[str] | TextIO) -> None:
        """Write the long SERIES.csv table, atomically when given a path.

        Rows after a case's end, where every value is NaN, are left out; a NaN in a kept row
        is written as an empty field.

        Parameters
        ----------
        path : str, os.PathLike or text file object
            File to create or replace, or an open file to write to (opened with
            ``newline=""``, as the :mod:`csv` module asks) [-].
        """
        if hasattr(path, "write"):
            self._write_csv_rows(cast(TextIO, path))
        else:
            with atomic_open(path, "w", newline="") as f:
                self._write_csv_rows(f)

    def _write_csv_rows(self, f: IO[str]) -> None:
        writer = csv.writer(f)
        writer.writerow(SERIES_COLUMNS)
        writer.writerows(self._csv_rows())

    def _csv_rows(self) -> Iterator[list[Any]]:
        s = self._solution
        time = np.asarray(s.time, dtype=float)
        columns = (s.pressure, s.temperature, s.partial_pressure_O2, s.partial_pressure_CO2)
        for c in range(self.n_cases):
            for i, module in enumerate(self._modules):
                values = np.stack([np.asarray(a[c, i], dtype=float) for a in columns])
                keep = ~np.all(np.isnan(values), axis=0)
                for k in np.flatnonzero(keep):
                    yield [c, module, _csv_float(time[k]), *map(_csv_float, values[:, k])]

    def to_dataframe(self) -> pd.DataFrame:
        """The long SERIES.csv table as a pandas DataFrame.

        One row per (case, module, output time), in that order, including NaN rows after a
        case's end. Columns as :data:`SERIES_COLUMNS`; ``module`` is categorical.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            If pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError(
                "Result.to_dataframe needs pandas, which is not installed; install it with "
                "`pip install pandas` (or `pip install leaksim[dataframe]`)"
            ) from exc
        s = self._solution
        n_cases, n_modules, n_times = np.shape(s.pressure)
        module_index = np.tile(np.repeat(np.arange(n_modules), n_times), n_cases)
        data = {
            "case": np.repeat(np.arange(n_cases), n_modules * n_times),
            "module": pd.Categorical.from_codes(module_index, categories=self._modules),
            "time_s": np.tile(np.asarray(s.time, dtype=float), n_cases * n_modules),
            "pressure_Pa": np.asarray(s.pressure, dtype=float).ravel(),
            "temperature_K": np.asarray(s.temperature, dtype=float).ravel(),
            "partial_pressure_O2_Pa": np.asarray(s.partial_pressure_O2, dtype=float).ravel(),
            "partial_pressure_CO2_Pa": np.asarray(s.partial_pressure_CO2, dtype=float).ravel(),
        }
        return pd.DataFrame(data, columns=list(SERIES_COLUMNS))

    def plot(
        self,
        ax: Axes | None = None,
        pressure_unit: str | None = None,
        kind: str = "pressure",
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Plot the run; by default module pressures against time.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is made when None. Not taken by ``"overview"``,
            which draws its panels in a ``figure`` [-].
        pressure_unit : str, optional
            Unit of the pressure axes (ignored by ``"temperature"`` and ``"leak_rate"``);
            when None, that of the plot function of ``kind``: mmHg for total pressures and
            hatches, kPa for partial pressures [pressure unit, e.g. "mmHg", "kPa", "psi"].
        kind : str, optional
            What to plot: ``"pressure"`` (default, :func:`~leaksim.plotting.plot_pressure`),
            ``"oxygen"`` (:func:`~leaksim.plotting.plot_oxygen`), ``"co2"``
            (:func:`~leaksim.plotting.plot_carbon_dioxide`), ``"temperature"``
            (:func:`~leaksim.plotting.plot_temperature`), ``"leak_rate"``
            (:func:`~leaksim.plotting.plot_leak_rate`), ``"hatches"``
            (:func:`~leaksim.plotting.plot_hatch_pressure_differences`) or ``"overview"``
            (:func:`~leaksim.plotting.plot_overview`) [-].
        **kwargs
            Passed on to the plot function of ``kind``.

        Returns
        -------
        dict
            The artists drawn, as the plot function of ``kind`` returns them.

        Raises
        ------
        ValueError
            On an unknown ``kind``, or ``ax`` given with ``"overview"``.
        """
        from . import plotting

        functions: dict[str, Any] = {
            "pressure": plotting.plot_pressure,
            "oxygen": plotting.plot_oxygen,
            "co2": plotting.plot_carbon_dioxide,
            "temperature": plotting.plot_temperature,
            "leak_rate": plotting.plot_leak_rate,
            "hatches": plotting.plot_hatch_pressure_differences,
        }
        if kind == "overview":
            if ax is not None:
                raise ValueError("ax: kind 'overview' draws several panels; give figure= instead")
            if pressure_unit is not None:
                kwargs["pressure_unit"] = pressure_unit
            return plotting.plot_overview(self, **kwargs)
        if kind not in functions:
            raise ValueError(f"kind must be one of {[*functions, 'overview']}, got {kind!r}")
        if kind in ("pressure", "oxygen", "co2", "hatches") and pressure_unit is not None:
            kwargs["pressure_unit"] = pressure_unit
        return functions[kind](self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        modules = self._modules if len(self._modules) <= 4 else [*self._modules[:3], "..."]
        n_failed = int(np.count_nonzero(~self.ok))
        return (
            f"<Result: {self.n_cases} case{'s' if self.n_cases != 1 else ''}, "
            f"modules {', '.join(modules)}, {np.size(self._solution.time)} output times, "
            f"{len(self._threshold_names)} thresholds, {n_failed} failed>"
        )


def _quantity(values: Any, unit: str) -> pint.Quantity:
    """Wrap ``values`` in a quantity over a read-only view, so callers cannot edit the run."""
    array = np.asarray(values, dtype=float).view()
    array.flags.writeable = False
    return ureg.Quantity(array, unit)


def _json_value(value: Any) -> Any:
    """A JSON-ready scalar: float (None for NaN or inf), int, bool or str."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


def _json_list(values: Any) -> list[Any]:
    """One JSON-ready entry per element of a 1-d array."""
    return [_json_value(v) for v in np.asarray(values).reshape(-1)]


def _csv_float(value: float) -> str:
    """Shortest text that reads back to the same float; empty for NaN."""
    return "" if math.isnan(value) else repr(float(value))
