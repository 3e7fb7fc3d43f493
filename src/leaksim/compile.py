"""The compile step: a station and a scenario with units turned into the core's SI records.

:func:`compile_scenario` runs named steps over the parts of a :class:`~leaksim.station.Station`
and returns a :class:`CompiledScenario`: a :class:`leaksim.core.network.Network` made of typed
records (:class:`~leaksim.core.network.Modules`, :class:`~leaksim.core.network.Links` with
the ranges of hatches, leaks and valves, the :class:`~leaksim.core.network.Schedule` and
:class:`~leaksim.core.network.Triggers` of openings and closings, the
:class:`~leaksim.core.network.Sources` of gas and the
:class:`~leaksim.core.network.Growth` of holes), with the durations, output times, threshold
levels and swept parameters beside it. Every value is already SI on the station objects
(converted once, when they were made); this step only lays them out with a case axis.

The steps, in order: the species present, the modules, the links, the sources (supplies then
the crew's metabolism), the schedule and its triggers, the growth of holes, the output grid.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import _params as p
from ._system import memory_limit
from .core.gas import MOLAR_GAS_CONSTANT, SPECIES, species_properties
from .core.network import (
    FEED_CONSTANT,
    FEED_FADES_WITHOUT_CO2,
    FEED_FADES_WITHOUT_O2,
    FEED_FOLLOWS_CO2,
    FEED_REGULATES_O2,
    FEED_REGULATES_PRESSURE,
    Growth,
    Links,
    Modules,
    Network,
    Schedule,
    Sources,
    Triggers,
)
from .errors import ScenarioError
from .station import (
    CREW_O2_FADE,
    SCRUBBER_CO2_FADE,
    Crew,
    Hatch,
    Leak,
    Module,
    Scrubber,
    Station,
    Supply,
    Valve,
)

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = [
    "DEFAULT_OUTPUT_POINTS",
    "OUTPUT_QUANTITIES",
    "OUTPUT_WARNING_BYTES",
    "CompiledScenario",
    "OutputSizeWarning",
    "ThresholdLevel",
    "check_output_size",
    "compile_scenario",
    "output_bytes",
    "output_count",
    "output_times",
]

#: Output times per duration when no output interval is given.
DEFAULT_OUTPUT_POINTS = 200

#: Values kept per case, module and output time: pressure, temperature and the O2 and CO2
#: partial pressures, float64 each (the most a run holds; a one-gas run keeps fewer).
OUTPUT_QUANTITIES = 4

#: Estimated output size above which compiling warns (:class:`OutputSizeWarning`) [B].
OUTPUT_WARNING_BYTES = 2**30


class OutputSizeWarning(UserWarning):
    """The output grid of a run is large (over :data:`OUTPUT_WARNING_BYTES`) but fits."""


class ThresholdLevel(NamedTuple):
    """What a threshold watches and its level in each case, as the solver takes it."""

    quantity: str
    level: np.ndarray


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
    thresholds : list of ThresholdLevel
        ``(quantity, level)`` of each threshold: ``"pressure"`` or ``"partial_pressure_O2"``,
        and its level in each case, shape (C,) [Pa].
    threshold_names : list of str
        Names of the thresholds, in order.
    case_parameters : dict of str to numpy.ndarray of shape (C,)
        Every parameter given as a list, by path ``"<kind>.<name>.<key>"`` (``kind`` one of
        simulation, module, hatch, leak, valve, supply, crew, threshold), in SI units: lengths
        [m], areas [m^2], pressures [Pa], temperatures [K], times [s] (``inf`` for an event
        that does not happen); ``open`` as bool and ``gas`` as text.
    relative_tolerance : numpy.ndarray, shape (C,)
        Relative tolerance of the integration in each case [-].
    hatch_force_limit : numpy.ndarray, shape (C, H)
        Largest force the crew can open each hatch against [N]; NaN where none was given.
    """

    network: Network
    duration: np.ndarray
    output_time: np.ndarray
    thresholds: list[ThresholdLevel]
    threshold_names: list[str]
    case_parameters: dict[str, np.ndarray]
    relative_tolerance: np.ndarray = field(default_factory=lambda: np.array([1e-6]))
    hatch_force_limit: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``."""
        return self.network.n_cases

    @property
    def module_names(self) -> list[str]:
        """Names of the modules, in order."""
        return list(self.network.modules.names)

    @property
    def output_bytes(self) -> int:
        """Estimated memory the outputs of the run take (:func:`output_bytes`) [B]."""
        return output_bytes(self.n_cases, len(self.network.modules.names), self.output_time.size)

    @property
    def threshold_quantities(self) -> list[str]:
        """What each threshold watches, in order."""
        return [threshold.quantity for threshold in self.thresholds]

    @property
    def hatch_names(self) -> list[str]:
        """Names of the hatches, the first links of the network, in order."""
        links = self.network.links
        return list(links.names[links.hatches])

    @property
    def hatch_area(self) -> np.ndarray:
        """Flow area of each hatch, shape (C, H) [m^2]."""
        return self.network.links.area[:, self.network.links.hatches]

    @property
    def supply_names(self) -> list[str]:
        """Names of the gas supplies, the first sources of the network, in order."""
        sources = self.network.sources
        return list(sources.names[sources.supplies])

    @property
    def supply_molar_mass(self) -> np.ndarray:
        """Molar mass of each supply's gas, shape (C, N) [kg/mol]."""
        network = self.network
        molar_mass = species_properties(network.species)[0]
        x = np.asarray(network.sources.mole_fraction)[:, network.sources.supplies]
        return np.sum(x * molar_mass, axis=-1)


def compile_scenario(scenario: Scenario) -> CompiledScenario:
    """Cross-check a scenario's station and compile the scenario to SI records.

    Parameters
    ----------
    scenario : leaksim.scenario.Scenario
        A validated scenario; its quantities are already SI on its objects.

    Returns
    -------
    CompiledScenario

    Raises
    ------
    leaksim.errors.ScenarioError
        If the station breaks a rule (:meth:`leaksim.station.Station.check`), or a growth
        rate would shrink a hole below zero area.
    """
    station = scenario.station
    station.check()
    n_cases = scenario.n_cases
    species = _species(station)
    modules = _modules(station, species, n_cases, scenario.energy)
    links = _links(station, n_cases)
    sources = _sources(station, species, modules, n_cases)
    schedule, triggers = _schedule(station, links, n_cases)
    duration = p.per_case(scenario.si["duration"], n_cases)
    network = Network(
        species=species,
        modules=modules,
        links=links,
        schedule=schedule,
        triggers=triggers,
        sources=sources,
        growth=_growth(station, links, duration),
        energy=scenario.energy,
    )
    interval = float(scenario.si.get("output_interval", duration.max() / DEFAULT_OUTPUT_POINTS))
    size = check_output_size(n_cases, modules.volume.shape[1], float(duration.max()), interval)
    if size > OUTPUT_WARNING_BYTES:
        warnings.warn(
            f"the outputs of this run will take about {_bytes(size)} of memory "
            f"({_grid(n_cases, modules.volume.shape[1], float(duration.max()), interval)}); "
            "a longer output_interval makes them smaller",
            OutputSizeWarning,
            stacklevel=3,
        )
    return CompiledScenario(
        network=network,
        duration=duration,
        output_time=output_times(duration.max(), interval),
        thresholds=[
            ThresholdLevel(t.quantity, p.per_case(t.level, n_cases)) for t in scenario.thresholds
        ],
        threshold_names=[t.name for t in scenario.thresholds],
        case_parameters={
            path: p.per_case(v, n_cases)
            for path, v in scenario.case_values().items()
            if v.ndim == 1
        },
        relative_tolerance=p.per_case(scenario.si["relative_tolerance"], n_cases),
        hatch_force_limit=_stack(
            [h.si.get("opening_force_limit", np.nan) for h in station.hatches], n_cases, full=True
        ),
    )


def output_count(end: float, interval: float) -> int:
    """Number of output times :func:`output_times` gives, without building them.

    Parameters
    ----------
    end : float
        Last output time [s].
    interval : float
        Spacing of the output times [s].

    Returns
    -------
    int
        ``T``, the output times from 0 to ``end`` included [-].

    Examples
    --------
    >>> output_count(100.0, 30.0), output_count(86400.0, 1e-6)
    (5, 86400000001)
    """
    # The tolerance keeps 21600 s / 300 s at 72 steps despite rounding in the division.
    steps = end / interval - 1e-9
    return max(math.ceil(steps), 1) + 1 if math.isfinite(steps) else sys.maxsize


def output_bytes(n_cases: int, n_modules: int, n_times: int) -> int:
    """Estimated memory the outputs of a run take [B].

    ``OUTPUT_QUANTITIES`` float64 values per case, module and output time, and the output
    times themselves; what a run allocates for its output grid, before the summary or any
    file.

    Parameters
    ----------
    n_cases, n_modules, n_times : int
        Cases ``C``, modules ``M`` and output times ``T`` [-].

    Returns
    -------
    int
        ``8 (C M T OUTPUT_QUANTITIES + T)`` [B].
    """
    return 8 * (n_cases * n_modules * n_times * OUTPUT_QUANTITIES + n_times)


def check_output_size(n_cases: int, n_modules: int, end: float, interval: float) -> int:
    """Refuse an output grid that would not fit in memory; return its estimated size [B].

    The rule: the outputs (:func:`output_bytes`) may take at most half the machine's
    physical memory, so the run has room for its solver and its summary. Checked before
    anything is allocated.

    Parameters
    ----------
    n_cases, n_modules : int
        Cases and modules of the run [-].
    end : float
        Longest duration, the last output time [s].
    interval : float
        Spacing of the output times [s].

    Returns
    -------
    int
        The estimated size [B].

    Raises
    ------
    leaksim.errors.ScenarioError
        Naming the estimated size, the grid that makes it and the limit.
    """
    size = output_bytes(n_cases, n_modules, output_count(end, interval))
    limit = _memory_bytes() // 2
    if size > limit:
        raise p.fail(
            "scenario",
            f"the outputs would take about {_bytes(size)} of memory "
            f"({_grid(n_cases, n_modules, end, interval)}), more than half of the "
            f"{_bytes(2 * limit)} this process may use: give a longer output_interval, a "
            "shorter duration or fewer cases",
            ("simulation", 0),
        )
    return size


def _grid(n_cases: int, n_modules: int, end: float, interval: float) -> str:
    n_times = output_count(end, interval)
    modules = f"{n_modules:,} module{'s' if n_modules != 1 else ''}"
    cases = f"{n_cases:,} case{'s' if n_cases != 1 else ''}"
    return (
        f"{n_times:,} output times every {interval:g} s up to {end:g} s x {modules} x "
        f"{cases} x {OUTPUT_QUANTITIES} values x 8 bytes"
    )


def _bytes(size: float) -> str:
    """A size in bytes as a person reads it: ``644 GiB``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.3g} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _memory_bytes() -> int:
    """Memory this process may use [B] (:func:`leaksim._system.memory_limit`: a container's
    limit where lower than the physical memory); 8 GiB where the system does not say."""
    limit = memory_limit()
    return 8 * 2**30 if limit is None else limit


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
    time = np.arange(output_count(end, interval)) * interval
    time[-1] = end
    return time


# -- the steps ---------------------------------------------------------------------------------


def _species(station: Station) -> tuple[str, ...]:
    """Species present anywhere, in the fixed order of SPECIES so module order does not matter."""
    items: Sequence[Module | Supply] = (*station.modules, *station.supplies)
    present = {name for item in items for fractions in item.composition for name in fractions}
    if station.crews:
        present |= {"O2", "CO2"}
    if station.scrubbers:
        present |= {"CO2"}
    return tuple(name for name in SPECIES if name in present)


def _modules(station: Station, species: tuple[str, ...], n_cases: int, energy: str) -> Modules:
    """Volumes, initial gas and (in ``"wall"`` mode) walls of the modules."""
    modules = station.modules
    walls: dict[str, np.ndarray] = {}
    if energy == "wall":
        walls = {
            "wall_area": _stack([m.si["wall_area"] for m in modules], n_cases),
            "wall_heat_transfer": _stack([m.si["wall_heat_transfer"] for m in modules], n_cases),
            "wall_temperature": _stack(
                [m.si.get("wall_temperature", m.si["temperature"]) for m in modules], n_cases
            ),
        }
    return Modules(
        volume=_stack([m.si["volume"] for m in modules], n_cases),
        initial_pressure=_stack([m.si["pressure"] for m in modules], n_cases),
        initial_temperature=_stack([m.si["temperature"] for m in modules], n_cases),
        initial_mole_fraction=_stacked_fractions(modules, species, n_cases),
        names=station.module_names,
        **walls,
    )


def _links(station: Station, n_cases: int) -> Links:
    """Hatches, then leaks, then valves; one out of the station has ``b = -1``."""
    index = station.module_index
    hatches, leaks, valves = station.hatches, station.leaks, station.valves
    links: tuple[Hatch | Leak | Valve, ...] = (*hatches, *leaks, *valves)
    a = (
        [index(h.between[0]) for h in hatches]
        + [index(leak.module) for leak in leaks]
        + [index(v.ends[0]) for v in valves]
    )
    b = (
        [index(h.between[1]) for h in hatches]
        + [-1 if leak.to_module is None else index(leak.to_module) for leak in leaks]
        + [-1 if v.ends[1] is None else index(v.ends[1]) for v in valves]
    )
    initially_open = (
        [h.si["open"] for h in hatches]
        + [leak.si["start"] == 0.0 for leak in leaks]
        + [v.si["open"] for v in valves]
    )
    n_hatches, n_leaks = len(hatches), len(leaks)
    return Links(
        a=np.array(a, dtype=np.intp),
        b=np.array(b, dtype=np.intp),
        area=_stack([link.flow_area for link in links], n_cases),
        discharge_coefficient=_stack([link.si["discharge_coefficient"] for link in links], n_cases),
        initially_open=_stack(initially_open, n_cases).astype(bool),
        boundary_pressure=_stack([link.si.get("to", 0.0) for link in links], n_cases),
        ventilation=_stack([link.si.get("ventilation", 0.0) for link in links], n_cases),
        names=tuple(_name(link) for link in links),
        hatches=slice(0, n_hatches),
        leaks=slice(n_hatches, n_hatches + n_leaks),
        valves=slice(n_hatches + n_leaks, len(links)),
    )


class _Feed(NamedTuple):
    """One gas source before stacking: per-case arrays of shape (C,) or (C, S)."""

    name: str
    module: int
    mole_fraction: np.ndarray
    mass_flow: np.ndarray
    temperature: np.ndarray
    initially_on: np.ndarray
    watch: int
    setpoint: np.ndarray
    band: np.ndarray


#: ``Sources.watch`` code of each quantity a supply regulates (None: a constant feed).
_WATCH = {
    None: FEED_CONSTANT,
    "pressure": FEED_REGULATES_PRESSURE,
    "partial_pressure_O2": FEED_REGULATES_O2,
}


def _sources(station: Station, species: tuple[str, ...], modules: Modules, n_cases: int) -> Sources:
    """Supplies, then each crew's O2 use and CO2 output, then the scrubbers, as the network's
    sources."""
    temperature = np.broadcast_to(modules.initial_temperature, (n_cases, len(station.modules)))
    supplies = [_supply_feed(s, station, species, temperature, n_cases) for s in station.supplies]
    crew = [f for c in station.crews for f in _crew_feeds(c, station, species, temperature)]
    scrubbers = [_scrubber_feed(s, station, species, temperature) for s in station.scrubbers]
    feeds = supplies + crew + scrubbers
    if not feeds:
        return Sources()
    x = np.stack([f.mole_fraction for f in feeds], axis=1)  # (C, J, S)
    mass_flow = np.stack([f.mass_flow for f in feeds], axis=1)
    molar_mass = species_properties(species)[0]
    return Sources(
        module=np.array([f.module for f in feeds], dtype=np.intp),
        molar_flow=mass_flow / np.sum(x * molar_mass, axis=-1),
        mole_fraction=x,
        temperature=np.stack([f.temperature for f in feeds], axis=1),
        initially_on=np.stack([f.initially_on for f in feeds], axis=1),
        watch=np.array([f.watch for f in feeds], dtype=np.intp),
        setpoint=np.stack([f.setpoint for f in feeds], axis=1),
        band=np.stack([f.band for f in feeds], axis=1),
        names=tuple(f.name for f in feeds),
        supplies=slice(0, len(supplies)),
        crew=slice(len(supplies), len(supplies) + len(crew)),
        scrubbers=slice(len(supplies) + len(crew), len(feeds)),
    )


def _supply_feed(
    supply: Supply,
    station: Station,
    species: tuple[str, ...],
    module_temperature: np.ndarray,
    n_cases: int,
) -> _Feed:
    m = station.module_index(supply.module)
    temperature = (
        p.per_case(supply.si["temperature"], n_cases)
        if "temperature" in supply.si
        else module_temperature[:, m]
    )
    regulated = supply.watch is not None
    return _Feed(
        name=_name(supply),
        module=m,
        mole_fraction=_mole_fractions(supply, species, n_cases),
        mass_flow=p.per_case(supply.si["max_mass_flow" if regulated else "mass_flow"], n_cases),
        temperature=temperature,
        initially_on=p.per_case(supply.si["start"], n_cases) == 0.0,
        watch=_WATCH[supply.watch],
        setpoint=p.per_case(supply.si.get("setpoint", 0.0), n_cases),
        band=p.per_case(supply.si.get("band", 1.0), n_cases),
    )


def _crew_feeds(
    crew: Crew, station: Station, species: tuple[str, ...], module_temperature: np.ndarray
) -> list[_Feed]:
    """Metabolism as two feeds, O2 out (negative) and CO2 in, at the module's temperature,
    both fading as the module's O2 runs out (:data:`leaksim.station.CREW_O2_FADE`)."""
    n_cases = module_temperature.shape[0]
    m = station.module_index(crew.module)
    count = p.per_case(crew.si["count"], n_cases)
    half = np.full(n_cases, CREW_O2_FADE / 2.0)
    feeds = []
    for gas, key, sign in (("O2", "o2_consumption", -1.0), ("CO2", "co2_production", 1.0)):
        feeds.append(
            _Feed(
                name=f"{crew.name} {gas}",
                module=m,
                mole_fraction=_pure(gas, species, n_cases),
                mass_flow=sign * count * p.per_case(crew.si[key], n_cases),
                temperature=module_temperature[:, m],
                initially_on=np.ones(n_cases, dtype=bool),
                watch=FEED_FADES_WITHOUT_O2,
                setpoint=half,
                band=half,
            )
        )
    return feeds


def _scrubber_feed(
    scrubber: Scrubber, station: Station, species: tuple[str, ...], module_temperature: np.ndarray
) -> _Feed:
    """A CO2 sink: a rate that fades as the CO2 runs out (:data:`SCRUBBER_CO2_FADE`), or a bed
    removing ``eta Q p_CO2 / (Ru T)``, written as a flow per pascal of CO2 [mol/(s Pa)]."""
    n_cases = module_temperature.shape[0]
    m = station.module_index(scrubber.module)
    x = _pure("CO2", species, n_cases)
    if "co2_removal" in scrubber.si:
        half = np.full(n_cases, SCRUBBER_CO2_FADE / 2.0)
        mass_flow = -p.per_case(scrubber.si["co2_removal"], n_cases)
        watch, setpoint, band = FEED_FADES_WITHOUT_CO2, half, half
    else:
        eta_q = p.per_case(scrubber.si["removal_efficiency"], n_cases) * p.per_case(
            scrubber.si["flow"], n_cases
        )
        molar_mass = species_properties(("CO2",))[0][0]
        # Per pascal of CO2: the feed is this times p_CO2 / (1 Pa).
        per_pascal = eta_q / (MOLAR_GAS_CONSTANT * module_temperature[:, m])
        mass_flow = -per_pascal * molar_mass
        watch, setpoint, band = FEED_FOLLOWS_CO2, np.ones(n_cases), np.ones(n_cases)
    return _Feed(
        name=_name(scrubber),
        module=m,
        mole_fraction=x,
        mass_flow=mass_flow,
        temperature=module_temperature[:, m],
        initially_on=np.ones(n_cases, dtype=bool),
        watch=watch,
        setpoint=setpoint,
        band=band,
    )


def _pure(gas: str, species: tuple[str, ...], n_cases: int) -> np.ndarray:
    """Mole fractions of a pure gas, shape (C, S)."""
    x = np.zeros((n_cases, len(species)))
    x[:, species.index(gas)] = 1.0
    return x


class _ScheduleBuilder:
    """Events and triggers collected one at a time, stacked into records at the end."""

    def __init__(self, n_cases: int) -> None:
        self.n_cases = n_cases
        self.times: list[np.ndarray] = []
        self.targets: list[int] = []
        self.opens: list[bool] = []
        self.triggers: list[dict[str, Any]] = []

    def at(self, target: int, opens: bool, time: np.ndarray) -> int:
        """Schedule switch ``target`` to open or close at ``time`` (C,) [s]; its index."""
        self.times.append(time)
        self.targets.append(target)
        self.opens.append(opens)
        return len(self.targets) - 1

    def when(self, target: int, opens: bool, **condition: Any) -> int:
        """Open or close switch ``target`` when a trigger fires (``module``, ``rate``,
        ``above``, ``level`` [Pa or Pa/s], ``delay`` [s], optionally ``armed``); the
        trigger's index."""
        event = self.at(target, opens, np.full(self.n_cases, np.inf))
        self.triggers.append({"armed": True, "rearms": -1, **condition, "event": event})
        return len(self.triggers) - 1

    def pair(self, first: int, second: int) -> None:
        """Make triggers ``first`` and ``second`` re-arm each other: they take turns."""
        self.triggers[first]["rearms"] = second
        self.triggers[second]["rearms"] = first

    def records(self) -> tuple[Schedule, Triggers]:
        n = self.n_cases
        schedule = Schedule(
            time=np.stack(self.times, axis=1) if self.times else np.zeros((n, 0)),
            target=np.array(self.targets, dtype=np.intp),
            opens=np.array(self.opens, dtype=bool),
        )
        t = self.triggers
        triggers = Triggers(
            module=np.array([c["module"] for c in t], dtype=np.intp),
            rate=np.array([c["rate"] for c in t], dtype=bool),
            above=np.array([c["above"] for c in t], dtype=bool),
            level=_stack([c["level"] for c in t], n),
            delay=_stack([c["delay"] for c in t], n),
            event=np.array([c["event"] for c in t], dtype=np.intp),
            rearms=np.array([c["rearms"] for c in t], dtype=np.intp),
            armed=np.array([c["armed"] for c in t], dtype=bool),
        )
        return schedule, triggers


def _schedule(station: Station, links: Links, n_cases: int) -> tuple[Schedule, Triggers]:
    """Scheduled and triggered openings and closings of links, and starts and stops of supplies.

    ``inf`` marks a case where a scheduled event does not happen. A hatch's ``close_when`` and
    a valve's ``opens_above`` add an event whose time the solver sets when the condition is
    met, and the trigger that watches for it; a valve's reseating adds a second, and the two
    re-arm each other. Sources are the switches after the links.
    """
    build = _ScheduleBuilder(n_cases)
    for k, hatch in enumerate(station.hatches, start=links.hatches.start):
        for key, opens in (("close_at", False), ("open_at", True)):
            if key in hatch.si:
                time = p.per_case(hatch.si[key], n_cases)
                if not opens and "open_at" not in hatch.si:
                    # Closing a hatch that is closed all along happens in no case: results
                    # then report no closing time for it.
                    time = np.where(p.per_case(hatch.si["open"], n_cases), time, np.inf)
                build.at(k, opens, time)
        if hatch.close_condition is not None:
            watched, level_key = hatch.close_condition
            build.when(
                k,
                False,
                module=station.module_index(watched),
                rate=level_key == "pressure_rate_below",
                above=False,
                level=hatch.si[f"close_when.{level_key}"],
                delay=hatch.si["close_when.delay"],
            )
    for k, leak in enumerate(station.leaks, start=links.leaks.start):
        start = p.per_case(leak.si["start"], n_cases)
        # A leak starting at 0 is open from the outset and needs no event.
        if np.any(start > 0.0):
            build.at(k, True, np.where(start > 0.0, start, np.inf))
    for k, valve in enumerate(station.valves, start=links.valves.start):
        for key, opens in (("open_at", True), ("close_at", False)):
            if key in valve.si:
                build.at(k, opens, p.per_case(valve.si[key], n_cases))
        if "opens_above" in valve.si:
            relieved = station.module_index(valve.ends[0])
            opening = build.when(
                k,
                True,
                module=relieved,
                rate=False,
                above=True,
                level=valve.si["opens_above"],
                delay=0.0,
            )
            # Reseating waits for the opening, and each re-arms the other: the valve cycles.
            reseat = build.when(
                k,
                False,
                module=relieved,
                rate=False,
                above=False,
                level=valve.si["reseats_below"],
                delay=0.0,
                armed=False,
            )
            build.pair(opening, reseat)
    for j, supply in enumerate(station.supplies, start=links.count):
        start = p.per_case(supply.si["start"], n_cases)
        if np.any(start > 0.0):
            build.at(j, True, np.where(start > 0.0, start, np.inf))
        stop = p.per_case(supply.stop_time, n_cases)
        if np.any(np.isfinite(stop)):
            build.at(j, False, stop)
    return build.records()


def _growth(station: Station, links: Links, duration: np.ndarray) -> Growth:
    """Knot tables of growing leaks: a rate becomes two knots, start and end."""
    n_cases = duration.size
    grown_links, times, areas = [], [], []
    for k, leak in enumerate(station.leaks, start=links.leaks.start):
        if leak.growth is None:
            continue
        if leak.growth_table is not None:
            t_knots, a_knots = (np.broadcast_to(v, (n_cases, v.size)) for v in leak.growth_table)
        else:
            t_knots, a_knots = _growth_by_rate(leak, duration)
        grown_links.append(k)
        times.append(t_knots)
        areas.append(a_knots)
    if not grown_links:
        return Growth()
    width = max(t.shape[1] for t in times)
    # Pad shorter tables by repeating their last knot (a zero-length segment).
    times = [np.pad(t, ((0, 0), (0, width - t.shape[1])), mode="edge") for t in times]
    areas = [np.pad(a, ((0, 0), (0, width - a.shape[1])), mode="edge") for a in areas]
    return Growth(
        link=np.array(grown_links, dtype=np.intp),
        time=np.stack(times, axis=1),
        area=np.stack(areas, axis=1),
    )


def _growth_by_rate(leak: Leak, duration: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two knots, at the leak's start and a duration later, for a linear growth rate."""
    n_cases = duration.size
    start = p.per_case(leak.si["start"], n_cases)
    area = p.per_case(leak.flow_area, n_cases)
    grown = area + p.per_case(leak.si["growth.rate"], n_cases) * duration
    if np.any(grown < 0):
        raise ScenarioError(
            f"growth.rate would shrink the hole below zero area before the end, got "
            f"{np.min(grown):.3g} m^2",
            f"leak {leak.name!r}",
        )
    return np.stack([start, start + duration], axis=1), np.stack([area, grown], axis=1)


# -- small helpers -----------------------------------------------------------------------------


def _name(item: Hatch | Leak | Valve | Supply | Scrubber) -> str:
    """The name of an item of a station: Hatch and Station fill in every default name."""
    assert item.name is not None
    return item.name


def _stack(values: Sequence[Any], n_cases: int, full: bool = False) -> np.ndarray:
    """Stack per-item values (0-d or per case) to shape (C, len(values)), or (1, len(values))
    where every value is one for all cases and not ``full`` (the network broadcasts it)."""
    if not values:
        return np.zeros((n_cases, 0))
    if not full and all(np.size(v) == 1 for v in values):
        return np.array([[np.asarray(v).reshape(-1)[0] for v in values]])
    return np.stack([p.per_case(v, n_cases) for v in values], axis=1)


def _stacked_fractions(
    modules: Sequence[Module], species: Sequence[str], n_cases: int
) -> np.ndarray:
    """Initial mole fractions of every module, (C, M, S), or (1, M, S) where each module's
    gas is one for all cases (the network broadcasts it)."""
    if all(len(m.composition) == 1 for m in modules):
        return np.stack([_mole_fractions(m, species, 1) for m in modules], axis=1)
    return np.stack([_mole_fractions(m, species, n_cases) for m in modules], axis=1)


def _mole_fractions(item: Module | Supply, species: Sequence[str], n_cases: int) -> np.ndarray:
    """Mole fractions of a module's initial gas or a supply's gas, shape (C, S)."""
    rows = np.array([[fractions.get(s, 0.0) for s in species] for fractions in item.composition])
    return np.broadcast_to(rows, (n_cases, len(species))) if len(rows) == 1 else rows
