"""Scenarios: a station, how long to simulate, and what to watch; compiled to SI and run.

A :class:`Scenario` holds quantities as the user gave them. :meth:`Scenario.compile` turns it
into a :class:`CompiledScenario`: a :class:`leaksim.core.network.Network` of float64 SI arrays with
the case axis first, the durations, the output times and the threshold levels, which is what
:func:`leaksim.core.solver.solve` takes. :meth:`Scenario.run` compiles, solves and wraps the
solution in a :class:`leaksim.result.Result`.

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
>>> scenario.n_cases, compiled.network.volume.shape, float(compiled.output_time[-1])
(3, (3, 2), 21600.0)
>>> compiled.case_parameters["leak.hole.diameter"]
array([0.002, 0.005, 0.012])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from . import _params as p
from .core import solver
from .core import zones as zone_solver
from .core.gas import SPECIES, species_properties
from .core.network import ENERGY_MODES, Network
from .errors import ScenarioError
from .station import Crew, Hatch, Leak, Module, Station, Supply, Valve

if TYPE_CHECKING:
    from .result import Result

__all__ = ["Threshold", "Scenario", "CompiledScenario", "output_times"]

#: Output times per duration when no output interval is given.
DEFAULT_OUTPUT_POINTS = 200


@dataclass(frozen=True, eq=False)
class Threshold:
    """A level to watch: the first time each module's value falls to it or below.

    Parameters
    ----------
    name : str
        Name of the threshold, unique within the scenario, e.g. ``"evacuate"``.
    pressure : str or pint.Quantity, or a list of these, optional
        Total-pressure level [Pa].
    partial_pressure_O2 : str or pint.Quantity, or a list of these, optional
        Oxygen partial-pressure level [Pa]. Give exactly one of the two levels.

    Raises
    ------
    leaksim.errors.ScenarioError
        On both or neither level, or a level that is negative, not finite or not a pressure.

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
    si: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        p.name(self.name, "name", "threshold")
        label = f"threshold {self.name!r}"
        levels = {"pressure": self.pressure, "partial_pressure_O2": self.partial_pressure_O2}
        key = p.exactly_one(label, levels)
        si = {key: p.quantity(levels[key], "pressure", key, label, at_least=0.0)}
        object.__setattr__(self, "si", si)

    @property
    def quantity(self) -> str:
        """What the threshold watches: ``"pressure"`` or ``"partial_pressure_O2"``."""
        return next(iter(self.si))

    @property
    def level(self) -> np.ndarray:
        """The level [Pa], 0-d or one per case."""
        return self.si[self.quantity]

    def case_values(self) -> dict[str, np.ndarray]:
        """Parameters that may vary between cases: SI arrays, 0-d or 1-d."""
        return dict(self.si)


@dataclass
class CompiledScenario:
    """A scenario as SI arrays, ready for :func:`leaksim.core.solver.solve`.

    Attributes
    ----------
    network : leaksim.core.network.Network
        The station, case axis first.
    duration : numpy.ndarray, shape (C,)
        Simulated time of each case [s].
    output_time : numpy.ndarray, shape (T,)
        Output times shared by all cases, from 0 to the longest duration [s].
    thresholds : list of (str, numpy.ndarray of shape (C,))
        ``(quantity, level)`` of each threshold: ``"pressure"`` or ``"partial_pressure_O2"``,
        and its level in each case [Pa].
    threshold_names : list of str
        Names of the thresholds, in order.
    module_names : list of str
        Names of the modules, in order.
    case_parameters : dict of str to numpy.ndarray of shape (C,)
        Every parameter given as a list, by path ``"<kind>.<name>.<key>"`` (``kind`` one of
        simulation, module, hatch, leak, threshold), in SI units: lengths [m], areas [m^2],
        pressures [Pa], temperatures [K], times [s] (``inf`` for an event that does not
        happen); ``open`` as bool and ``gas`` as text.
    relative_tolerance : numpy.ndarray, shape (C,)
        Relative tolerance of the integration in each case [-].
    """

    network: Network
    duration: np.ndarray
    output_time: np.ndarray
    thresholds: list[tuple[str, np.ndarray]]
    threshold_names: list[str]
    module_names: list[str]
    case_parameters: dict[str, np.ndarray]
    relative_tolerance: np.ndarray = field(default_factory=lambda: np.array([1e-6]))

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``."""
        return self.network.n_cases

    @property
    def threshold_quantities(self) -> list[str]:
        """What each threshold watches, in order."""
        return [quantity for quantity, _ in self.thresholds]


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

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``: the length of the parameter lists, 1 if there are none."""
        return self._n_cases

    def case_values(self) -> dict[str, np.ndarray]:
        """Every parameter that may vary between cases, by path, in SI units, 0-d or 1-d."""
        values = {f"simulation.{k}": v for k, v in self.si.items()}
        station = self.station
        items: list[Module | Hatch | Leak | Valve | Supply | Crew | Threshold] = [
            *station.modules,
            *station.hatches,
            *station.leaks,
            *station.valves,
            *station.supplies,
        ]
        if station.crew is not None:
            items.append(station.crew)
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
        self.station.check()
        n_cases = self.n_cases
        station = self.station
        modules = _module_arrays(
            station.modules, n_cases, self.energy, station.supplies, station.crew
        )
        links: tuple[Hatch | Leak | Valve, ...] = (
            *station.hatches,
            *station.leaks,
            *station.valves,
        )
        network = Network(
            **modules,
            **_link_arrays(station, n_cases),
            **_source_arrays(station, modules, n_cases),
            energy=self.energy,
            module_names=station.module_names,
            link_names=tuple(_name(link) for link in links),
        )
        duration = p.per_case(self.si["duration"], n_cases)
        network = _with_growth(network, station, duration)
        interval = (
            self.si["output_interval"]
            if "output_interval" in self.si
            else duration.max() / DEFAULT_OUTPUT_POINTS
        )
        return CompiledScenario(
            network=network,
            duration=duration,
            output_time=output_times(duration.max(), float(interval)),
            thresholds=[(t.quantity, p.per_case(t.level, n_cases)) for t in self.thresholds],
            threshold_names=[t.name for t in self.thresholds],
            module_names=list(station.module_names),
            case_parameters={
                path: p.per_case(v, n_cases)
                for path, v in self.case_values().items()
                if v.ndim == 1
            },
            relative_tolerance=p.per_case(self.si["relative_tolerance"], n_cases),
        )

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
        # result sits above this layer (it imports plotting and pandas): load it on use.
        from .result import Result

        compiled = self.compile()
        solution = (zone_solver.solve if zones else solver.solve)(
            compiled.network,
            compiled.duration,
            compiled.output_time,
            thresholds=compiled.thresholds,
            rtol=compiled.relative_tolerance,
            **solve_options,
        )
        return Result(
            solution,
            module_names=compiled.module_names,
            threshold_names=compiled.threshold_names,
            threshold_quantities=compiled.threshold_quantities,
            threshold_levels=[level for _, level in compiled.thresholds],
            parameters=compiled.case_parameters,
            hatch_names=[_name(h) for h in self.station.hatches],
            link_names=list(compiled.network.link_names),
            hatch_areas=[p.per_case(h.flow_area, compiled.n_cases) for h in self.station.hatches],
            hatch_force_limits=[
                p.per_case(h.si.get("opening_force_limit", np.nan), compiled.n_cases)
                for h in self.station.hatches
            ],
            supply_molar_mass=dict(
                zip(
                    [_name(s) for s in self.station.supplies],
                    _supply_molar_masses(compiled.network, len(self.station.supplies)),
                    strict=True,
                )
            ),
        )


def _name(item: Hatch | Leak | Valve | Supply) -> str:
    """The name of an item of a station: Hatch and Station fill in every default name."""
    assert item.name is not None
    return item.name


def output_times(end: float, interval: float) -> np.ndarray:
    """Output times ``0, dt, 2 dt, ...`` up to and including ``end``.

    Parameters
    ----------
    end : float
        Last output time [s].
    interval : float
        Spacing ``dt`` [s]; the last step is shortened so that the grid ends at ``end``.

    Returns
    -------
    numpy.ndarray, shape (T,)
        Increasing times from 0 to ``end`` [s].

    Examples
    --------
    >>> output_times(100.0, 30.0)
    array([  0.,  30.,  60.,  90., 100.])
    """
    # The tolerance keeps 21600 s / 300 s at 72 steps despite rounding in the division.
    n_steps = max(int(np.ceil(end / interval - 1e-9)), 1)
    time = np.arange(n_steps + 1) * interval
    time[-1] = end
    return time


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


def _stack(values: Sequence[Any], n_cases: int) -> np.ndarray:
    """Stack per-item values (0-d or per case) to shape (C, len(values))."""
    if not values:
        return np.zeros((n_cases, 0))
    return np.stack([p.per_case(v, n_cases) for v in values], axis=1)


def _module_arrays(
    modules: Sequence[Module],
    n_cases: int,
    energy: str,
    supplies: Sequence[Supply] = (),
    crew: Crew | None = None,
) -> dict[str, Any]:
    species = _species((*modules, *supplies), crew)
    arrays: dict[str, Any] = {
        "volume": _stack([m.si["volume"] for m in modules], n_cases),
        "initial_pressure": _stack([m.si["pressure"] for m in modules], n_cases),
        "initial_temperature": _stack([m.si["temperature"] for m in modules], n_cases),
        "initial_mole_fraction": np.stack(
            [_mole_fractions(m, species, n_cases) for m in modules], axis=1
        ),
        "species": species,
    }
    if energy == "wall":
        arrays["wall_area"] = _stack([m.si["wall_area"] for m in modules], n_cases)
        arrays["wall_heat_transfer"] = _stack(
            [m.si["wall_heat_transfer"] for m in modules], n_cases
        )
        arrays["wall_temperature"] = _stack(
            [m.si.get("wall_temperature", m.si["temperature"]) for m in modules], n_cases
        )
    return arrays


def _source_arrays(station: Station, modules: dict[str, Any], n_cases: int) -> dict[str, Any]:
    """Supplies, then the crew's O2 use and CO2 output, as network sources."""
    species = modules["species"]
    molar_mass = species_properties(species)[0]
    sources = [_supply_source(s, station, modules, n_cases) for s in station.supplies]
    if station.crew is not None:
        sources.extend(_crew_sources(station, modules, n_cases))
    if not sources:
        return {}
    x = np.stack([src["x"] for src in sources], axis=1)  # (C, J, S)
    mass_flow = np.stack([src["mass_flow"] for src in sources], axis=1)
    return {
        "source_module": np.array([src["module"] for src in sources], dtype=np.intp),
        "source_molar_flow": mass_flow / np.sum(x * molar_mass, axis=-1),
        "source_mole_fraction": x,
        "source_temperature": np.stack([src["temperature"] for src in sources], axis=1),
        "source_initially_on": np.stack([src["on"] for src in sources], axis=1),
        "source_watch": np.array([src["watch"] for src in sources], dtype=np.intp),
        "source_setpoint": np.stack([src["setpoint"] for src in sources], axis=1),
        "source_band": np.stack([src["band"] for src in sources], axis=1),
    }


def _with_growth(network: Network, station: Station, duration: np.ndarray) -> Network:
    """Add the knot tables of growing leaks: a rate becomes two knots, start and end."""
    first_leak = len(station.hatches)
    n_cases = duration.size
    links, times, areas = [], [], []
    for j, leak in enumerate(station.leaks):
        if leak.growth is None:
            continue
        start = p.per_case(leak.si["start"], n_cases)
        if leak.growth_table is not None:
            t_knots, a_knots = (np.broadcast_to(v, (n_cases, v.size)) for v in leak.growth_table)
        else:
            area = p.per_case(leak.flow_area, n_cases)
            end = start + duration
            grown = area + p.per_case(leak.si["growth.rate"], n_cases) * duration
            if np.any(grown < 0):
                raise ScenarioError(
                    f"growth.rate would shrink the hole below zero area before the end, got "
                    f"{np.min(grown):.3g} m^2",
                    f"leak {leak.name!r}",
                )
            t_knots, a_knots = np.stack([start, end], axis=1), np.stack([area, grown], axis=1)
        links.append(first_leak + j)
        times.append(t_knots)
        areas.append(a_knots)
    if not links:
        return network
    width = max(t.shape[1] for t in times)
    # Pad shorter tables by repeating their last knot (a zero-length segment).
    times = [np.pad(t, ((0, 0), (0, width - t.shape[1])), mode="edge") for t in times]
    areas = [np.pad(a, ((0, 0), (0, width - a.shape[1])), mode="edge") for a in areas]
    return network.replace(
        growth_link=np.array(links, dtype=np.intp),
        growth_time=np.stack(times, axis=1),
        growth_area=np.stack(areas, axis=1),
    )


def _supply_molar_masses(network: Network, n_supplies: int) -> list[np.ndarray]:
    """Molar mass of each supply's gas, (C,) each [kg/mol]: the first network sources."""
    molar_mass = species_properties(network.species)[0]
    x = network.source_mole_fraction
    assert x is not None  # Network.__post_init__ fills it in
    x = x[:, :n_supplies]
    return list(np.sum(x * molar_mass, axis=-1).T)


def _supply_source(
    supply: Supply, station: Station, modules: dict[str, Any], n_cases: int
) -> dict[str, Any]:
    m = station.module_index(supply.module)
    temperature = (
        p.per_case(supply.si["temperature"], n_cases)
        if "temperature" in supply.si
        else modules["initial_temperature"][:, m]
    )
    regulated = supply.watch is not None
    return {
        "module": m,
        "x": _mole_fractions(supply, modules["species"], n_cases),
        "mass_flow": p.per_case(supply.si["max_mass_flow" if regulated else "mass_flow"], n_cases),
        "temperature": temperature,
        "on": p.per_case(supply.si["start"], n_cases) == 0.0,
        "watch": {None: 0, "pressure": 1, "partial_pressure_O2": 2}[supply.watch],
        "setpoint": p.per_case(supply.si.get("setpoint", 0.0), n_cases),
        "band": p.per_case(supply.si.get("band", 1.0), n_cases),
    }


def _crew_sources(station: Station, modules: dict[str, Any], n_cases: int) -> list[dict]:
    """Metabolism as two feeds: O2 out (negative), CO2 in, at the module's temperature."""
    crew = station.crew
    assert crew is not None  # called only for a station with a crew
    m = station.module_index(crew.module)
    count = p.per_case(crew.si["count"], n_cases)
    species = list(modules["species"])
    out = []
    for gas, key, sign in (("O2", "o2_consumption", -1.0), ("CO2", "co2_production", 1.0)):
        x = np.zeros((n_cases, len(species)))
        x[:, species.index(gas)] = 1.0
        out.append(
            {
                "module": m,
                "x": x,
                "mass_flow": sign * count * p.per_case(crew.si[key], n_cases),
                "temperature": modules["initial_temperature"][:, m],
                "on": np.ones(n_cases, dtype=bool),
                "watch": 0,
                "setpoint": np.zeros(n_cases),
                "band": np.ones(n_cases),
            }
        )
    return out


def _species(modules: Sequence[Module | Supply], crew: Crew | None = None) -> tuple[str, ...]:
    """Species present anywhere, in the fixed order of SPECIES so module order does not matter."""
    present = {name for m in modules for fractions in m.composition for name in fractions}
    if crew is not None:
        present |= {"O2", "CO2"}
    return tuple(name for name in SPECIES if name in present)


def _mole_fractions(module: Module | Supply, species: Sequence[str], n_cases: int) -> np.ndarray:
    """Mole fractions of a module's initial gas or a supply's gas, shape (C, S)."""
    rows = np.array([[fractions.get(s, 0.0) for s in species] for fractions in module.composition])
    return np.broadcast_to(rows, (n_cases, len(species))) if len(rows) == 1 else rows


def _link_arrays(station: Station, n_cases: int) -> dict[str, Any]:
    """Hatches, leaks, then valves as links; one out of the station has ``link_b = -1``."""
    index = station.module_index
    links: tuple[Hatch | Leak | Valve, ...] = (*station.hatches, *station.leaks, *station.valves)
    link_a = (
        [index(h.between[0]) for h in station.hatches]
        + [index(leak.module) for leak in station.leaks]
        + [index(v.ends[0]) for v in station.valves]
    )
    link_b = (
        [index(h.between[1]) for h in station.hatches]
        + [-1 if leak.to_module is None else index(leak.to_module) for leak in station.leaks]
        + [-1 if v.ends[1] is None else index(v.ends[1]) for v in station.valves]
    )
    initially_open = (
        [h.si["open"] for h in station.hatches]
        + [leak.si["start"] == 0.0 for leak in station.leaks]
        + [v.si["open"] for v in station.valves]
    )
    return {
        "link_a": np.array(link_a, dtype=np.intp),
        "link_b": np.array(link_b, dtype=np.intp),
        "boundary_pressure": _stack([link.si.get("to", 0.0) for link in links], n_cases),
        "area": _stack([link.flow_area for link in links], n_cases),
        "discharge_coefficient": _stack(
            [link.si["discharge_coefficient"] for link in links], n_cases
        ),
        "initially_open": _stack(initially_open, n_cases).astype(bool),
        **_events(station, n_cases),
    }


def _events(station: Station, n_cases: int) -> dict[str, np.ndarray]:
    """Scheduled and triggered openings and closings.

    ``inf`` marks a case where a scheduled event does not happen. A hatch's ``close_when``
    adds a closing event whose time the solver sets when the condition is met, and the trigger
    that watches for it.
    """
    events: list[tuple[int, bool, np.ndarray]] = []
    triggers: list[tuple[int, bool, np.ndarray, np.ndarray, int, bool]] = []
    for k, hatch in enumerate(station.hatches):
        for key, opens in (("close_at", False), ("open_at", True)):
            if key in hatch.si:
                events.append((k, opens, p.per_case(hatch.si[key], n_cases)))
        if hatch.close_condition is not None:
            module, level_key = hatch.close_condition
            triggers.append(
                (
                    station.module_index(module),
                    level_key == "pressure_rate_below",
                    p.per_case(hatch.si[f"close_when.{level_key}"], n_cases),
                    p.per_case(hatch.si["close_when.delay"], n_cases),
                    len(events),
                    False,
                )
            )
            events.append((k, False, np.full(n_cases, np.inf)))
    for j, leak in enumerate(station.leaks):
        start = p.per_case(leak.si["start"], n_cases)
        # A leak starting at 0 is open from the outset and needs no event.
        if np.any(start > 0.0):
            events.append((len(station.hatches) + j, True, np.where(start > 0.0, start, np.inf)))
    first_valve = len(station.hatches) + len(station.leaks)
    for j, valve in enumerate(station.valves):
        for key, opens in (("open_at", True), ("close_at", False)):
            if key in valve.si:
                events.append((first_valve + j, opens, p.per_case(valve.si[key], n_cases)))
        if "opens_above" in valve.si:
            level = p.per_case(valve.si["opens_above"], n_cases)
            zero = np.zeros(n_cases)
            index = station.module_index(valve.ends[0])
            triggers.append((index, False, level, zero, len(events), True))
            events.append((first_valve + j, True, np.full(n_cases, np.inf)))
    n_links = first_valve + len(station.valves)
    for j, supply in enumerate(station.supplies):
        start = p.per_case(supply.si["start"], n_cases)
        if np.any(start > 0.0):
            events.append((n_links + j, True, np.where(start > 0.0, start, np.inf)))
        stop = p.per_case(supply.stop_time, n_cases)
        if np.any(np.isfinite(stop)):
            events.append((n_links + j, False, stop))
    return {
        "event_time": (
            np.stack([e[2] for e in events], axis=1) if events else np.zeros((n_cases, 0))
        ),
        "event_link": np.array([e[0] for e in events], dtype=np.intp),
        "event_open": np.array([e[1] for e in events], dtype=bool),
        "trigger_module": np.array([t[0] for t in triggers], dtype=np.intp),
        "trigger_rate": np.array([t[1] for t in triggers], dtype=bool),
        "trigger_above": np.array([t[5] for t in triggers], dtype=bool),
        "trigger_level": _columns([t[2] for t in triggers], n_cases),
        "trigger_delay": _columns([t[3] for t in triggers], n_cases),
        "trigger_event": np.array([t[4] for t in triggers], dtype=np.intp),
    }


def _columns(values: list[np.ndarray], n_cases: int) -> np.ndarray:
    """Per-case arrays stacked as columns, shape (C, len(values))."""
    return np.stack(values, axis=1) if values else np.zeros((n_cases, 0))
