"""The compiled station: small typed records of SI arrays, case axis first.

A :class:`Network` is what the compile step (:mod:`leaksim.compile`) hands to the solver:
the modules, the links between them and to the outside, the schedule of openings and
closings, the triggers that schedule events on a condition, the gas sources and the growth
of holes, each a record of plain float64 arrays with every numeric parameter broadcast to one
value per case. No units library is imported here. The right-hand side over this station is
:mod:`leaksim.core.model`.

Nomenclature (array axes):

* ``C`` cases, ``M`` modules, ``K`` links, ``S`` species, ``E`` scheduled events,
  ``I`` triggers, ``J`` sources, ``G`` growing links, ``P`` knots of a growth table.
* A *link* is any opening: a hatch between two modules, or a leak from module ``a`` to module
  ``b`` or to a fixed back pressure (``b == -1``; 0 Pa is vacuum). A compiled station names
  the ranges of its links that are hatches, leaks and valves (:class:`Links`).
* A *switch* is what an event turns on or off: the links ``0 .. K-1``, then the sources
  ``K .. K+J-1`` (:attr:`Network.initially_on` holds their state at t = 0).

Every record broadcasts its per-case arrays when a :class:`Network` is made from it, so any
shapes that broadcast to ``(C, ...)`` may be given, ``C`` being the largest case count among
all the records. A value given once for every case (a leading axis of length 1, or none) stays
one row, broadcast read-only over the cases without a copy: a sweep of one parameter does not
hold, nor pass over, a hundred thousand copies of the others. :func:`case_rows` gives the rows
of such an array that can differ, for reductions over cases.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple, Self

import numpy as np
import numpy.typing as npt

from .flow import DEFAULT_REGULARISATION_PRESSURE

__all__ = [
    "ENERGY_MODES",
    "Growth",
    "Links",
    "Modules",
    "Network",
    "Schedule",
    "Sources",
    "Triggers",
]

#: Energy equations leaksim solves.
ENERGY_MODES = ("isothermal", "adiabatic", "wall")


def _no_range() -> slice:
    """An empty range of links or sources."""
    return slice(0, 0)


#: How a source's feed depends on its module's state (:attr:`Sources.watch`): constant; a
#: regulator on the total pressure or on the O2 partial pressure; fading to zero as the O2 or
#: the CO2 runs out (a crew's metabolism, a scrubber's removal); in proportion to the CO2
#: partial pressure (a scrubber bed of given efficiency).
FEED_CONSTANT = 0
FEED_REGULATES_PRESSURE = 1
FEED_REGULATES_O2 = 2
FEED_FADES_WITHOUT_O2 = 3
FEED_FADES_WITHOUT_CO2 = 4
FEED_FOLLOWS_CO2 = 5


class _Sizes(NamedTuple):
    """Sizes of a station that per-case array shapes depend on."""

    modules: int
    links: int
    species: int


def _indices(values: npt.ArrayLike) -> np.ndarray:
    """A 1-d array of indices."""
    return np.asarray(values, dtype=np.intp).reshape(-1)


def _flags(values: npt.ArrayLike) -> np.ndarray:
    """A 1-d array of booleans."""
    return np.asarray(values, dtype=bool).reshape(-1)


def _with_case_axis(value: npt.ArrayLike, tail: tuple[int, ...], boolean: bool) -> np.ndarray:
    """``value`` as an array with a leading case axis (length 1 if it had none)."""
    array = np.asarray(value, dtype=bool if boolean else float)
    return array if array.ndim > len(tail) else array[None, ...]


def case_rows(array: np.ndarray) -> np.ndarray:
    """The rows of a per-case array that can differ: its first alone where one row is
    broadcast over every case (stride 0), all of them otherwise. For reductions over cases."""
    return array[:1] if array.ndim and array.shape[0] > 1 and array.strides[0] == 0 else array


def on_case_rows(f: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """``f(*arrays)`` of an elementwise ``f`` over per-case arrays (C, ...): computed on one row
    where every array is one row broadcast over the cases (a read-only view of the result
    then), on contiguous copies otherwise (numpy loops over a broadcast row's short last axis
    one call per case: three times slower than over contiguous arrays)."""
    n = arrays[0].shape[0]
    if all(a.shape[0] == n and (n == 1 or a.strides[0] == 0) for a in arrays):
        row = f(*(a[:1] for a in arrays))
        return np.broadcast_to(row, (n,) + row.shape[1:])
    return f(*(np.ascontiguousarray(a) for a in arrays))


class _Record:
    """A part of a compiled station: structural index arrays and per-case arrays.

    Subclasses list their per-case fields in :meth:`_tails` (the shape of one case's value)
    and their boolean ones in ``_BOOLEAN``; :meth:`broadcast` and :meth:`take` then work on
    all of them alike.
    """

    _BOOLEAN: ClassVar[frozenset[str]] = frozenset()

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    def _fill_defaults(self, sizes: _Sizes) -> None:
        """Fill in optional per-case arrays left as None."""

    def with_defaults(self, sizes: _Sizes) -> Self:
        """A copy with the optional per-case arrays left as None filled in."""
        filled = copy.copy(self)
        filled._fill_defaults(sizes)
        return filled

    def n_cases(self, sizes: _Sizes) -> int:
        """Largest case count among the per-case arrays (1 for arrays without a case axis)."""
        counts = [
            _with_case_axis(getattr(self, name), tail, name in self._BOOLEAN).shape[0]
            for name, tail in self._tails(sizes).items()
        ]
        return max(counts, default=1)

    def broadcast(self, n_cases: int, sizes: _Sizes) -> Self:
        """A copy with every per-case array at its full shape ``(C,) + tail``."""
        full = copy.copy(self)
        for name, tail in self._tails(sizes).items():
            value = _with_case_axis(getattr(self, name), tail, name in self._BOOLEAN)
            try:
                array = np.broadcast_to(value, (n_cases,) + tail)
            except ValueError:
                shape = ", ".join(map(str, (n_cases,) + tail))
                raise ValueError(
                    f"{type(self).__name__.lower()}.{name} has shape "
                    f"{np.shape(getattr(self, name))}, which does not broadcast to ({shape})"
                ) from None
            # One row for every case stays one row (a read-only view); a full one is copied.
            setattr(full, name, array if value.shape[0] == 1 else np.array(array))
        return full

    def take(self, cases: np.ndarray | slice, sizes: _Sizes) -> Self:
        """A copy with the per-case arrays restricted to ``cases`` (already broadcast)."""
        taken = copy.copy(self)
        for name in self._tails(sizes):
            setattr(taken, name, getattr(self, name)[cases])
        return taken


@dataclass
class Modules(_Record):
    """The modules: their volumes, initial gas and walls.

    Parameters
    ----------
    volume : array_like, shape (C, M)
        Module volumes [m^3].
    initial_pressure : array_like, shape (C, M)
        Total pressure at t = 0 [Pa].
    initial_temperature : array_like, shape (C, M)
        Gas temperature at t = 0 [K]; the fixed temperature in isothermal mode.
    initial_mole_fraction : array_like, shape (C, M, S)
        Composition at t = 0 [-], rows summing to 1 (normalised on construction).
    wall_area, wall_heat_transfer, wall_temperature : array_like, shape (C, M), optional
        Wall area [m^2], heat-transfer coefficient [W/(m^2 K)] and temperature [K] of each
        module, used in ``"wall"`` mode. Default: no wall exchange, wall at the initial gas
        temperature.
    names : tuple of str, optional
        Names used in messages and results; default ``"module 0"``, ``"module 1"``, ...
    """

    volume: np.ndarray
    initial_pressure: np.ndarray
    initial_temperature: np.ndarray
    initial_mole_fraction: np.ndarray
    wall_area: np.ndarray | None = None
    wall_heat_transfer: np.ndarray | None = None
    wall_temperature: np.ndarray | None = None
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n_modules = np.shape(np.atleast_2d(np.asarray(self.volume, dtype=float)))[-1]
        self.names = tuple(self.names) or tuple(f"module {i}" for i in range(n_modules))
        if len(self.names) != n_modules:
            raise ValueError(f"modules.names must name {n_modules} modules, got {self.names}")

    @property
    def count(self) -> int:
        """Number of modules ``M``."""
        return len(self.names)

    def _fill_defaults(self, sizes: _Sizes) -> None:
        if self.wall_area is None:
            self.wall_area = np.zeros((1, sizes.modules))
        if self.wall_heat_transfer is None:
            self.wall_heat_transfer = np.zeros((1, sizes.modules))
        if self.wall_temperature is None:
            self.wall_temperature = self.initial_temperature

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        m = (sizes.modules,)
        return {
            "volume": m,
            "initial_pressure": m,
            "initial_temperature": m,
            "initial_mole_fraction": (sizes.modules, sizes.species),
            "wall_area": m,
            "wall_heat_transfer": m,
            "wall_temperature": m,
        }

    def broadcast(self, n_cases: int, sizes: _Sizes) -> Self:
        # Checked and normalised before broadcasting: the same numbers, element by element,
        # without passes over a (C, M, S) array where every case shares one composition.
        x = np.asarray(self.initial_mole_fraction)
        # The species axis at its full length first: a scalar is every species' fraction.
        try:
            x = np.broadcast_to(x, x.shape[:-1] + (sizes.species,) if x.ndim else (sizes.species,))
        except ValueError:
            return super().broadcast(n_cases, sizes)  # which names the shape that does not fit
        sums = x.sum(axis=-1)
        if np.any(np.abs(sums - 1.0) > 1e-6) or np.any(x < 0):
            raise ValueError("initial_mole_fraction must be >= 0 and sum to 1 in every module")
        normalised = copy.copy(self)
        normalised.initial_mole_fraction = x / np.asarray(sums)[..., None]
        return super(Modules, normalised).broadcast(n_cases, sizes)


@dataclass
class Links(_Record):
    """The links: hatches, leaks and valves, each from side ``a`` to side ``b``.

    Parameters
    ----------
    a, b : array_like of int, shape (K,)
        Module index of each side of each link; ``b = -1`` is a fixed back pressure.
    area : array_like, shape (C, K)
        Flow area of each link [m^2].
    discharge_coefficient : array_like, shape (C, K)
        ``C_d`` of each link [-].
    initially_open : array_like of bool, shape (C, K)
        Whether each link is open at t = 0.
    boundary_pressure : array_like, shape (C, K), optional
        Back pressure of links with ``b = -1`` [Pa]; default 0 (vacuum). Ignored elsewhere.
    ventilation : array_like, shape (C, K), optional
        Volume of air the fans exchange each way through each link between two modules while
        it is open [m^3/s]; default 0. Ignored for links with ``b = -1``.
    names : tuple of str, optional
        Names used in messages and results; default ``"link 0"``, ``"link 1"``, ...
    hatches, leaks, valves : slice, optional
        Which links are the station's hatches, leaks and valves; a network built by hand need
        not say (empty ranges).
    """

    _BOOLEAN: ClassVar[frozenset[str]] = frozenset({"initially_open"})

    a: np.ndarray
    b: np.ndarray
    area: np.ndarray
    discharge_coefficient: np.ndarray
    initially_open: np.ndarray
    boundary_pressure: np.ndarray = field(default_factory=lambda: np.zeros(1))
    ventilation: np.ndarray = field(default_factory=lambda: np.zeros(1))
    names: tuple[str, ...] = ()
    hatches: slice = field(default_factory=_no_range)
    leaks: slice = field(default_factory=_no_range)
    valves: slice = field(default_factory=_no_range)

    def __post_init__(self) -> None:
        self.a = _indices(self.a)
        self.b = _indices(self.b)
        if self.b.size != self.a.size:
            raise ValueError("links.a and links.b must have equal lengths")
        self.names = tuple(self.names) or tuple(f"link {k}" for k in range(self.a.size))
        if len(self.names) != self.a.size:
            raise ValueError(f"links.names must name {self.a.size} links, got {self.names}")

    @property
    def count(self) -> int:
        """Number of links ``K``."""
        return int(np.size(self.a))

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        k = (self.count,)
        return {
            "area": k,
            "discharge_coefficient": k,
            "initially_open": k,
            "boundary_pressure": k,
            "ventilation": k,
        }

    def check(self, n_modules: int) -> None:
        """Raise ValueError unless both sides index modules (``b`` may be -1)."""
        a, b = np.asarray(self.a), np.asarray(self.b)
        if a.size and (a.min() < 0 or max(a.max(), b.max()) >= n_modules or b.min() < -1):
            raise ValueError("links.a and links.b must index modules (b may be -1)")


@dataclass
class Schedule(_Record):
    """Events at given times: a switch (link or source) opens or closes.

    Parameters
    ----------
    time : array_like, shape (C, E)
        Time of each event in each case [s]; ``inf`` where it never happens.
    target : array_like of int, shape (E,)
        The switch each event acts on: link ``k`` is switch ``k``, source ``j`` is switch
        ``K + j``.
    opens : array_like of bool, shape (E,)
        True if the event opens its link (starts its source), False if it closes (stops) it.
    """

    time: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    target: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    opens: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.target = _indices(self.target)
        self.opens = _flags(self.opens)
        if self.opens.size != self.target.size:
            raise ValueError("schedule.target and schedule.opens must have equal lengths")

    @property
    def count(self) -> int:
        """Number of events ``E``."""
        return int(np.size(self.target))

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        return {"time": (self.count,)}

    def check(self, n_switches: int) -> None:
        """Raise ValueError unless every event targets a switch."""
        target = np.asarray(self.target)
        if target.size and (target.min() < 0 or target.max() >= n_switches):
            raise ValueError("schedule.target must index links (0..K-1) or sources (K..K+J-1)")


@dataclass
class Triggers(_Record):
    """Conditions that schedule an event: a module's pressure or its rate reaches a level.

    A trigger fires the first time the watched value falls to ``level`` (or rises to it, with
    ``above``), and sets the time of its event to that time plus ``delay``; until then the
    event's scheduled time is ignored. A trigger that ``rearms`` another makes it watch again
    when it fires, and its event happen again: the two of a relief valve (open above one
    pressure, close below a lower one) take turns, so the valve cycles. A trigger that is not
    ``armed`` at the start waits for another to re-arm it.

    Parameters
    ----------
    module : array_like of int, shape (I,)
        Module each trigger watches.
    rate : array_like of bool, shape (I,)
        Whether the trigger watches the pressure rate instead of the pressure.
    above : array_like of bool, shape (I,)
        Whether it fires when the value rises to the level (a relief valve).
    level : array_like, shape (C, I)
        Level of each trigger [Pa] or [Pa/s].
    delay : array_like, shape (C, I)
        Time from firing to the event [s].
    event : array_like of int, shape (I,)
        The event of the :class:`Schedule` each trigger sets.
    rearms : array_like of int, shape (I,), optional
        The trigger each one re-arms when it fires, -1 for none (the default).
    armed : array_like of bool, shape (I,), optional
        Whether each trigger watches from the start (default True).
    """

    module: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    rate: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    above: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    level: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    delay: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    event: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    rearms: np.ndarray | None = None
    armed: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.module = _indices(self.module)
        self.rate = _flags(self.rate)
        above = _flags(self.above)
        self.above = above if above.size else np.zeros(self.module.size, dtype=bool)
        self.event = _indices(self.event)
        n = self.module.size
        self.rearms = np.full(n, -1, np.intp) if self.rearms is None else _indices(self.rearms)
        self.armed = np.ones(n, dtype=bool) if self.armed is None else _flags(self.armed)
        sizes = {self.rate.size, self.above.size, self.event.size, self.rearms.size}
        if sizes | {self.armed.size} != {n}:
            raise ValueError(
                "triggers.module, triggers.rate, triggers.above, triggers.event, "
                "triggers.rearms and triggers.armed must have equal lengths"
            )
        if n and (self.rearms.min() < -1 or self.rearms.max() >= n):
            raise ValueError("triggers.rearms must index triggers, or be -1")

    @property
    def count(self) -> int:
        """Number of triggers ``I``."""
        return int(np.size(self.module))

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        return {"level": (self.count,), "delay": (self.count,)}

    def check(self, n_modules: int, n_events: int) -> None:
        """Raise ValueError unless triggers watch modules and set scheduled events."""
        module, event = np.asarray(self.module), np.asarray(self.event)
        outside = module.size and (module.min() < 0 or module.max() >= n_modules)
        if outside or (event.size and (event.min() < 0 or event.max() >= n_events)):
            raise ValueError("triggers.module must index modules and triggers.event events")


@dataclass
class Sources(_Record):
    """Gas fed into (or, with a negative flow, taken out of) modules.

    A source feeds ``molar_flow`` while it is on, times a factor of its module's state chosen
    by ``watch`` (the ``FEED_*`` codes of this module):

    * ``FEED_CONSTANT``: 1;
    * ``FEED_REGULATES_PRESSURE``, ``FEED_REGULATES_O2``: a regulator on the total or the O2
      partial pressure ``v``, :func:`leaksim.core.model.regulator_opening` of
      ``(setpoint - v) / band``: a valve that opens smoothly from shut at ``setpoint + band``
      to fully open at ``setpoint - band``;
    * ``FEED_FADES_WITHOUT_O2``, ``FEED_FADES_WITHOUT_CO2``: ``regulator_opening`` of
      ``(v - setpoint) / band`` on the O2 or CO2 partial pressure, 1 above
      ``setpoint + band`` and 0 at ``setpoint - band`` (a crew, a scrubber; with
      ``setpoint = band`` it fades to zero exactly as the gas runs out);
    * ``FEED_FOLLOWS_CO2``: ``v / setpoint`` on the CO2 partial pressure.

    Parameters
    ----------
    module : array_like of int, shape (J,)
        Module each source feeds.
    molar_flow : array_like, shape (C, J)
        Feed of each source while on [mol/s].
    mole_fraction : array_like, shape (C, J, S), optional
        Composition of each source's gas [-]; default none of any species (no sources).
    temperature : array_like, shape (C, J)
        Temperature of each source's gas, which sets the enthalpy it brings [K].
    initially_on : array_like of bool, shape (C, J)
        Whether each source feeds at t = 0.
    watch : array_like of int, shape (J,), optional
        How each feed depends on the module's state (``FEED_*``); default constant.
    setpoint, band : array_like, shape (C, J), optional
        Set point and transition half-width of each regulator [Pa].
    names : tuple of str, optional
        Names used in results; default ``"source 0"``, ...
    supplies, crew, scrubbers : slice, optional
        Which sources are the station's supplies, the crews' metabolism and the scrubbers.
    """

    _BOOLEAN: ClassVar[frozenset[str]] = frozenset({"initially_on"})

    module: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    molar_flow: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    mole_fraction: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 0)))
    temperature: np.ndarray = field(default_factory=lambda: np.zeros((1, 0)))
    initially_on: np.ndarray = field(default_factory=lambda: np.zeros((1, 0), dtype=bool))
    watch: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    setpoint: np.ndarray = field(default_factory=lambda: np.zeros(1))
    band: np.ndarray = field(default_factory=lambda: np.ones(1))
    names: tuple[str, ...] = ()
    supplies: slice = field(default_factory=_no_range)
    crew: slice = field(default_factory=_no_range)
    scrubbers: slice = field(default_factory=_no_range)

    def __post_init__(self) -> None:
        self.module = _indices(self.module)
        n = self.module.size
        watch = _indices(self.watch)
        self.watch = watch if watch.size else np.zeros(n, dtype=np.intp)
        if self.watch.size != n:
            raise ValueError("sources.watch must have one value per source")
        self.names = tuple(self.names) or tuple(f"source {j}" for j in range(n))

    @property
    def count(self) -> int:
        """Number of sources ``J``."""
        return int(np.size(self.module))

    def _fill_defaults(self, sizes: _Sizes) -> None:
        if np.size(self.mole_fraction) == 0:
            self.mole_fraction = np.zeros((1, self.count, sizes.species))

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        j = (self.count,)
        return {
            "molar_flow": j,
            "mole_fraction": (self.count, sizes.species),
            "temperature": j,
            "initially_on": j,
            "setpoint": j,
            "band": j,
        }

    def check(self, n_modules: int) -> None:
        """Raise ValueError unless every source feeds a module."""
        module = np.asarray(self.module)
        if module.size and (module.min() < 0 or module.max() >= n_modules):
            raise ValueError("sources.module must index modules")


@dataclass
class Growth(_Record):
    """Links whose area changes with time, piecewise linearly between knots.

    Parameters
    ----------
    link : array_like of int, shape (G,)
        Links whose area changes.
    time, area : array_like, shape (C, G, P)
        Knots of each growing link's area, constant beyond the first and last knot [s],
        [m^2]. The solver ends steps at the knots.
    """

    link: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    time: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 2)))
    area: np.ndarray = field(default_factory=lambda: np.zeros((1, 0, 2)))

    def __post_init__(self) -> None:
        self.link = _indices(self.link)

    @property
    def count(self) -> int:
        """Number of growing links ``G``."""
        return int(np.size(self.link))

    def _tails(self, sizes: _Sizes) -> dict[str, tuple[int, ...]]:
        knots = np.shape(self.time)[-1] if np.ndim(self.time) else 2
        return {"time": (self.count, knots), "area": (self.count, knots)}


@dataclass
class Network:
    """A station compiled to SI arrays, one row per case.

    Parameters
    ----------
    species : tuple of str, length S
        Species names, keys of :data:`leaksim.core.gas.SPECIES`.
    modules : Modules
        Volumes, initial gas and walls.
    links : Links
        Hatches, leaks and valves.
    schedule : Schedule, optional
        Openings and closings at given times; default none.
    triggers : Triggers, optional
        Events scheduled on a condition; default none.
    sources : Sources, optional
        Gas feeds, regulators and the crew's metabolism; default none.
    growth : Growth, optional
        Growing holes; default none.
    energy : {"isothermal", "adiabatic", "wall"}
        Energy equation.
    regularisation_pressure : array_like, shape (C,), optional
        ``delta`` of the two-way flow law [Pa] (:mod:`leaksim.core.flow`).

    Notes
    -----
    The records may be given with any shapes that broadcast; each is replaced by a copy at its
    full shape with ``C`` the largest case count among them, and the indices between records
    are checked.
    """

    species: tuple[str, ...]
    modules: Modules
    links: Links
    schedule: Schedule = field(default_factory=Schedule)
    triggers: Triggers = field(default_factory=Triggers)
    sources: Sources = field(default_factory=Sources)
    growth: Growth = field(default_factory=Growth)
    energy: str = "isothermal"
    regularisation_pressure: np.ndarray = field(
        default_factory=lambda: np.array(DEFAULT_REGULARISATION_PRESSURE)
    )

    _RECORDS: ClassVar[tuple[str, ...]] = (
        "modules",
        "links",
        "schedule",
        "triggers",
        "sources",
        "growth",
    )

    def __post_init__(self) -> None:
        if self.energy not in ENERGY_MODES:
            raise ValueError(f"energy must be one of {ENERGY_MODES}, got {self.energy!r}")
        self.species = tuple(self.species)
        sizes = self._sizes()
        records = [getattr(self, name).with_defaults(sizes) for name in self._RECORDS]
        delta = _with_case_axis(self.regularisation_pressure, (), False)
        n_cases = max([r.n_cases(sizes) for r in records] + [delta.shape[0]])
        for name, record in zip(self._RECORDS, records, strict=True):
            setattr(self, name, record.broadcast(n_cases, sizes))
        self.regularisation_pressure = np.array(np.broadcast_to(delta, (n_cases,)))
        self.links.check(sizes.modules)
        self.sources.check(sizes.modules)
        self.schedule.check(self.links.count + self.sources.count)
        self.triggers.check(sizes.modules, self.schedule.count)

    def _sizes(self) -> _Sizes:
        return _Sizes(self.modules.count, self.links.count, len(self.species))

    @property
    def n_cases(self) -> int:
        """Number of cases ``C``."""
        return int(np.shape(self.modules.volume)[0])

    @property
    def n_modules(self) -> int:
        """Number of modules ``M``."""
        return self.modules.count

    @property
    def n_links(self) -> int:
        """Number of links ``K``."""
        return self.links.count

    @property
    def n_sources(self) -> int:
        """Number of gas sources ``J``."""
        return self.sources.count

    @property
    def breakpoints(self) -> np.ndarray:
        """Times at which steps must end, (C, B): the knots of growing areas [s]."""
        return np.asarray(self.growth.time).reshape(self.n_cases, -1)

    @property
    def initially_on(self) -> np.ndarray:
        """Switches (links, then sources) open or feeding at t = 0, shape (C, K + J)."""
        return np.concatenate([self.links.initially_open, self.sources.initially_on], axis=1)

    def replace(self, **changes: object) -> Network:
        """A copy with some records or fields changed, broadcast and checked again."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def take(self, cases: np.ndarray | slice) -> Network:
        """The network restricted to the given case indices (or a slice of them: views).

        Every array is already checked and at its full shape, so the copy skips
        ``__post_init__`` (the solver takes rows as cases finish).
        """
        sizes = self._sizes()
        taken = copy.copy(self)
        for name in self._RECORDS:
            setattr(taken, name, getattr(self, name).take(cases, sizes))
        taken.regularisation_pressure = np.asarray(self.regularisation_pressure)[cases]
        return taken
