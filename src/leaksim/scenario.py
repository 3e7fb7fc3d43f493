"""Scenarios: a station, how long to simulate, and what to watch; compiled to SI and run.

A :class:`Scenario` holds quantities as the user gave them, checked and converted to SI once.
:meth:`Scenario.compile` runs the compile step (:func:`leaksim.compile.compile_scenario`):
a :class:`~leaksim.compile.CompiledScenario` whose :class:`leaksim.core.network.Network` is
made of typed records of float64 SI arrays with the case axis first, beside the durations, the
output times and the threshold levels, which is what :func:`leaksim.core.solver.solve` takes.
:meth:`Scenario.run` compiles, solves and builds a :class:`leaksim.result.Result` from the
compiled scenario and the solution.

Cases: any parameter given as a list (or an array quantity) holds one value per case. All such
lists have the same length ``C`` and are paired element by element; a list of one value and a
single value apply to every case.

Examples
--------
>>> from leaksim.station import Hatch, Leak, Module, Station
>>> station = Station(
...     modules=[Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
...     hatches=[Hatch(["Lab", "Node1"], area="0.5 m^2")],
...     leaks=[Leak("Lab", diameter=["2 mm", "5 mm", "12 mm"], name="hole")],
... )
>>> scenario = Scenario(station, duration="6 h", thresholds=[Threshold("evacuate", "490 mmHg")])
>>> compiled = scenario.compile()
>>> scenario.n_cases, compiled.network.modules.volume.shape, float(compiled.output_time[-1])
(3, (3, 2), 21600.0)
>>> compiled.case_parameters["leak.hole.diameter"]
array([0.002, 0.005, 0.012])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from . import _params as p
from .compile import (
    DEFAULT_OUTPUT_POINTS,
    CompiledScenario,
    check_output_size,
    compile_scenario,
)
from .core import solver
from .core import zones as zone_solver
from .core.network import ENERGY_MODES
from .errors import ScenarioError
from .result import Result
from .station import Crew, Hatch, Leak, Module, Scrubber, Station, Supply, Valve

__all__ = ["Threshold", "Scenario"]


@dataclass(frozen=True, eq=False)
class Threshold:
    """A level to watch: the first time each module's value reaches it.

    A pressure or an O2 partial pressure reaches its level falling to it; a CO2 partial
    pressure, rising to it.

    Parameters
    ----------
    name : str
        Name of the threshold, unique within the scenario, e.g. ``"evacuate"``.
    pressure : str or pint.Quantity, or a list of these, optional
        Total-pressure level [Pa].
    partial_pressure_O2 : str or pint.Quantity, or a list of these, optional
        Oxygen partial-pressure level, a floor [Pa].
    partial_pressure_CO2 : str or pint.Quantity, or a list of these, optional
        Carbon-dioxide partial-pressure level, a ceiling [Pa]. Give exactly one of the three
        levels.

    Raises
    ------
    leaksim.errors.ScenarioError
        On none or several levels, or a level that is negative, not finite or not a pressure.

    Examples
    --------
    >>> floor = Threshold("ppO2-floor", partial_pressure_O2="16 kPa")
    >>> floor.quantity, float(floor.level)
    ('partial_pressure_O2', 16000.0)
    """

    kind: ClassVar[str] = "threshold"

    name: str
    pressure: p.CaseValue | None = None
    partial_pressure_O2: p.CaseValue | None = None
    partial_pressure_CO2: p.CaseValue | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        p.name(self.name, "name", "threshold")
        label = f"threshold {self.name!r}"
        levels = {
            "pressure": self.pressure,
            "partial_pressure_O2": self.partial_pressure_O2,
            "partial_pressure_CO2": self.partial_pressure_CO2,
        }
        key = p.exactly_one(label, levels)
        si = {key: p.quantity(levels[key], "pressure", key, label, at_least=0.0)}
        object.__setattr__(self, "si", si)

    @property
    def quantity(self) -> str:
        """What the threshold watches: ``"pressure"``, ``"partial_pressure_O2"`` or
        ``"partial_pressure_CO2"``."""
        return next(iter(self.si))

    @property
    def level(self) -> np.ndarray:
        """The level [Pa], 0-d or one per case."""
        return self.si[self.quantity]

    def case_values(self) -> dict[str, np.ndarray]:
        """Parameters that may vary between cases: SI arrays, 0-d or 1-d."""
        return dict(self.si)


@dataclass(frozen=True, eq=False)
class Scenario:
    """A station, how long to simulate it, and the thresholds to watch.

    Parameters
    ----------
    station : leaksim.station.Station
        The modules, hatches and leaks.
    duration : str or pint.Quantity, or a list of these
        Simulated time [s].
    energy : {"isothermal", "adiabatic", "wall"}, default "isothermal"
        Energy equation: gas at fixed temperature (slow leaks), no heat exchange (fast
        decompression), or exchange with a fixed-temperature wall (needs the modules'
        ``wall_area`` and ``wall_heat_transfer``).
    output_interval : str or pint.Quantity, optional
        Spacing of the output times [s], shared by all cases; default the longest duration
        divided by 200. The solver chooses its own steps; this is only the output grid.
    thresholds : sequence of Threshold, optional
        Levels whose first crossing time is reported per case and module.
    relative_tolerance : float or list of float, default 1e-6
        Relative tolerance of the integration, in (0, 1) [-].

    Raises
    ------
    leaksim.errors.ScenarioError
        On a non-positive duration or output interval, an unknown energy mode, a tolerance
        outside (0, 1), duplicate threshold names, missing wall parameters in ``"wall"`` mode,
        or case lists of unequal lengths.

    Examples
    --------
    >>> from leaksim.station import Leak, Module, Station
    >>> cabin = Station([Module("Cabin", "100 m^3")], leaks=[Leak("Cabin", diameter="10 mm")])
    >>> Scenario(cabin, duration="2 h").compile().output_time.shape
    (201,)
    """

    station: Station
    duration: p.CaseValue
    energy: str = "isothermal"
    output_interval: p.QuantityLike | None = None
    thresholds: Sequence[Threshold] = ()
    relative_tolerance: float | Sequence[float] = 1e-6
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    _n_cases: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.station, Station):
            raise p.fail(
                "scenario", f"station must be a Station, got {type(self.station).__name__}"
            )
        try:
            si = _simulation_values(self)
        except ScenarioError as err:
            raise p.fail(err.source, err.rule, ("simulation", 0)) from None
        thresholds = _thresholds(self.thresholds)
        object.__setattr__(self, "si", si)
        object.__setattr__(self, "thresholds", thresholds)
        if self.energy == "wall":
            _check_wall(self.station.modules)
        object.__setattr__(self, "_n_cases", _count_cases(self.case_values()))
        duration = p.per_case(si["duration"], self._n_cases)
        _check_growth(self.station, duration)
        end = float(duration.max())
        interval = float(si.get("output_interval", end / DEFAULT_OUTPUT_POINTS))
        check_output_size(self._n_cases, len(self.station.modules), end, interval)

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``: the length of the parameter lists, 1 if there are none."""
        return self._n_cases

    def case_values(self) -> dict[str, np.ndarray]:
        """Every parameter that may vary between cases, by path, in SI units, 0-d or 1-d."""
        values = {f"simulation.{k}": v for k, v in self.si.items()}
        station = self.station
        items: list[Module | Hatch | Leak | Valve | Supply | Crew | Scrubber | Threshold] = [
            *station.modules,
            *station.hatches,
            *station.leaks,
            *station.valves,
            *station.supplies,
        ]
        items.extend(station.crews)
        items.extend(station.scrubbers)
        items.extend(self.thresholds)
        for item in items:
            for key, v in item.case_values().items():
                values[f"{item.kind}.{item.name}.{key}"] = v
        return values

    def compile(self) -> CompiledScenario:
        """Cross-check the station and compile the scenario to SI arrays.

        Returns
        -------
        CompiledScenario

        Raises
        ------
        leaksim.errors.ScenarioError
            If the station breaks a rule.
        """
        return compile_scenario(self)

    def run(self, zones: bool = True, **solve_options: Any) -> Result:
        """Compile, solve every case, and return the result.

        Parameters
        ----------
        zones : bool, default True
            True solves modules joined by open hatches as one volume where they equalise far
            faster than they leak (:func:`leaksim.core.zones.solve`, whose notes give the
            criterion; stations it does not apply to are solved in full); False solves every
            module on its own (:func:`leaksim.core.solver.solve`).
        **solve_options
            Passed to :func:`leaksim.core.solver.solve` (``atol``, ``max_steps``, ``on_failure``).

        Returns
        -------
        leaksim.result.Result
        """
        compiled = self.compile()
        solution = (zone_solver.solve if zones else solver.solve)(
            compiled.network,
            compiled.duration,
            compiled.output_time,
            thresholds=compiled.thresholds,
            rtol=compiled.relative_tolerance,
            **solve_options,
        )
        return Result(solution, compiled)


def _simulation_values(scenario: Scenario) -> dict[str, np.ndarray]:
    label = "scenario"
    si = {"duration": p.quantity(scenario.duration, "time", "duration", label, above=0.0)}
    energy = scenario.energy
    if not isinstance(energy, str) or energy not in ENERGY_MODES:
        modes = ", ".join(repr(m) for m in ENERGY_MODES)
        raise p.fail(
            label,
            f"energy must be one of {modes}, got {p.show(energy)}"
            f"{p.did_you_mean(energy, ENERGY_MODES) if isinstance(energy, str) else ''}",
        )
    if scenario.output_interval is not None:
        if len(p.entries(scenario.output_interval, "output_interval", label)[0]) > 1:
            raise p.fail(
                label,
                "output_interval must be one value (all cases share the output "
                f"times), got {p.show(scenario.output_interval)}",
            )
        si["output_interval"] = p.quantity(
            scenario.output_interval, "time", "output_interval", label, above=0.0
        ).reshape(())
    si["relative_tolerance"] = p.number(
        scenario.relative_tolerance,
        "relative_tolerance",
        label,
        low=0.0,
        high=1.0,
        high_open=True,
    )
    return si


def _thresholds(thresholds: Any) -> tuple[Threshold, ...]:
    if isinstance(thresholds, Threshold | str) or not isinstance(thresholds, Sequence):
        raise p.fail(
            "scenario", f"thresholds must be a list of Threshold, got {type(thresholds).__name__}"
        )
    first: dict[str, int] = {}
    for i, threshold in enumerate(thresholds):
        if not isinstance(threshold, Threshold):
            raise p.fail(
                "scenario",
                f"thresholds must hold only Threshold objects, got {type(threshold).__name__}",
            )
        if threshold.name in first:
            raise p.fail(
                f"threshold {threshold.name!r}",
                f"name must be unique, got {threshold.name!r} for threshold "
                f"#{first[threshold.name] + 1} and threshold #{i + 1}",
                ("threshold", i),
            )
        first[threshold.name] = i
    return tuple(thresholds)


def _check_wall(modules: Sequence[Module]) -> None:
    for i, module in enumerate(modules):
        for key in ("wall_area", "wall_heat_transfer"):
            if key not in module.si:
                raise p.fail(
                    f"module {module.name!r}",
                    f"{key} is required when energy = 'wall', got none",
                    ("module", i),
                )


def _check_growth(station: Station, duration: np.ndarray) -> None:
    """Refuse a shrinking hole (a negative ``growth.rate``) that would close within the run.

    The area grows linearly from the leak's ``start`` over the case's ``duration`` [s] (the
    span of the growth table the compile step builds); a negative rate may narrow a hole but
    must leave it an area >= 0 over that span.
    """
    n_cases = duration.size
    for i, leak in enumerate(station.leaks):
        if "growth.rate" not in leak.si:
            continue
        rate = p.per_case(leak.si["growth.rate"], n_cases)
        area = p.per_case(leak.flow_area, n_cases)
        bad = np.flatnonzero(area + rate * duration < 0)
        if not bad.size:
            continue
        c = int(bad[0])
        written = leak.growth["rate"] if leak.growth else rate[c]
        if isinstance(written, list | tuple) and len(written) == n_cases:
            written = written[c]
        case = f" (case {c + 1} of {n_cases})" if n_cases > 1 else ""
        raise p.fail(
            f"leak {leak.name!r}",
            "growth.rate must leave the hole an area >= 0 until the end of the run, got "
            f"{p.show(written)}: from {area[c]:.6g} m^2 it closes {-area[c] / rate[c]:.6g} s "
            f"after its start, within the run's duration of {duration[c]:.6g} s{case}",
            ("leak", i),
        )


def _count_cases(values: dict[str, np.ndarray]) -> int:
    lengths = {path: v.shape[0] for path, v in values.items() if v.ndim == 1 and v.shape[0] != 1}
    if not lengths:
        return 1
    (first, n_cases), *others = lengths.items()
    for path, n in others:
        if n != n_cases:
            raise p.fail(
                "scenario",
                "lists of cases must have equal lengths, got "
                f"{n_cases} values for {first} and {n} for {path}",
            )
    return n_cases
