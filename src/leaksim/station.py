"""Stations: modules joined by hatches, with leaks, described with quantities.

These objects are the public edge of leaksim. Every dimensional argument takes a pint quantity or
a string pint parses (``"60 m^3"``, ``"760 mmHg"``, ``"22 degC"``); a list of them (or an array
quantity) gives one value per case. Values are checked and converted to SI once, when the object
is built, so a bad value fails at the line that wrote it. :class:`leaksim.scenario.Scenario`
compiles a station to the SI arrays of :class:`leaksim.core.network.Network`.

Examples
--------
>>> from leaksim.station import Hatch, Leak, Module, Station
>>> station = Station(
...     modules=[Module("Lab", "60 m^3"), Module("Node1", "40 m^3")],
...     hatches=[Hatch(("Lab", "Node1"), area="0.5 m^2")],
...     leaks=[Leak("Lab", diameter=["2 mm", "5 mm"], name="hole")],
... )
>>> station.hatches[0].name
'Lab-Node1'
>>> station.module_names
('Lab', 'Node1')
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, cast

import numpy as np
import pint

from . import _params as p
from .core.gas import mole_fractions
from .errors import ScenarioError

__all__ = [
    "CREW_O2_FADE",
    "DEFAULT_VENTILATION",
    "DEFAULT_VENTILATION_SPEED",
    "LEAK_DISCHARGE_COEFFICIENT",
    "SCRUBBER_CO2_FADE",
    "Crew",
    "Hatch",
    "Leak",
    "Module",
    "Scrubber",
    "Station",
    "Supply",
    "Valve",
]

GasLike = str | Mapping[str, float]


class _Parameters:
    """Items whose SI parameters are in ``si``."""

    si: dict[str, np.ndarray]

    def case_values(self) -> dict[str, np.ndarray]:
        """Parameters that may vary between cases: SI arrays, 0-d or 1-d."""
        return dict(self.si)


class _Opening(_Parameters):
    """Hatches, leaks and valves: an area or a diameter (or a leak's effective area) in ``si``."""

    @property
    def flow_area(self) -> np.ndarray:
        """Flow area [m^2], 0-d or one per case: a leak's effective area where it was given
        one (its discharge coefficient is then 1)."""
        return _flow_area(self.si)


@dataclass(frozen=True, eq=False)
class Module:
    """A pressurised module: one well-mixed volume of gas.

    Parameters
    ----------
    name : str
        Name of the module, unique within its station, e.g. ``"Lab"``.
    volume : str or pint.Quantity, or a list of these
        Free gas volume [m^3].
    pressure : str or pint.Quantity, or a list of these, default "760 mmHg"
        Total pressure at t = 0 [Pa].
    temperature : str or pint.Quantity, or a list of these, default "22 degC"
        Gas temperature at t = 0 [K]; offset units such as degC are converted to K.
    gas : str or mapping of str to float, or a list of these, default "air"
        Composition at t = 0: ``"air"``, a species name such as ``"N2"``, or mole fractions
        by species such as ``{"N2": 0.79, "O2": 0.21}`` [-].
    wall_area : str or pint.Quantity, or a list of these, optional
        Wall area exchanging heat with the gas [m^2]; required when the scenario's energy mode
        is ``"wall"``, ignored otherwise.
    wall_heat_transfer : str or pint.Quantity, or a list of these, optional
        Wall-to-gas heat-transfer coefficient [W/(m^2 K)]; required in ``"wall"`` mode.
    wall_temperature : str or pint.Quantity, or a list of these, optional
        Fixed wall temperature [K]; default the initial gas temperature.

    Attributes
    ----------
    si : dict of str to numpy.ndarray
        The dimensional parameters given, in SI units: 0-d for one value, 1-d for a list.
    composition : tuple of dict
        Mole fractions of the initial gas [-]: one dict, or one per case when ``gas`` is a list.

    Raises
    ------
    leaksim.errors.ScenarioError
        On a value without a unit, of the wrong dimension, not finite, or out of range
        (volume <= 0, pressure < 0, temperature <= 0 K), or an unknown gas.

    Examples
    --------
    >>> lab = Module("Lab", volume="60 m^3", temperature="22 degC")
    >>> round(float(lab.si["temperature"]), 2)
    295.15
    """

    kind: ClassVar[str] = "module"

    name: str
    volume: p.CaseValue
    pressure: p.CaseValue = "760 mmHg"
    temperature: p.CaseValue = "22 degC"
    gas: GasLike | Sequence[GasLike] = "air"
    wall_area: p.CaseValue | None = None
    wall_heat_transfer: p.CaseValue | None = None
    wall_temperature: p.CaseValue | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    composition: tuple[dict[str, float], ...] = field(init=False, repr=False)
    _gas_is_list: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        p.name(self.name, "name", "module")
        label = f"module {self.name!r}"
        si = {
            "volume": p.quantity(self.volume, "volume", "volume", label, above=0.0),
            "pressure": p.quantity(self.pressure, "pressure", "pressure", label, at_least=0.0),
            "temperature": p.quantity(
                self.temperature, "temperature", "temperature", label, above=0.0
            ),
        }
        for key, kind, above, at_least in _WALL_KEYS:
            value = getattr(self, key)
            if value is not None:
                si[key] = p.quantity(value, kind, key, label, above=above, at_least=at_least)
        composition, is_list = _composition(self.gas, label)
        object.__setattr__(self, "si", si)
        object.__setattr__(self, "composition", composition)
        object.__setattr__(self, "_gas_is_list", is_list)

    def case_values(self) -> dict[str, np.ndarray]:
        """Parameters that may vary between cases: SI arrays, 0-d or 1-d (``gas`` as text)."""
        values = dict(self.si)
        if self._gas_is_list:
            values["gas"] = np.array([_gas_text(g) for g in self.gas])
        return values


# Wall keys of a module: dimension, and allowed range as the strict (above) and inclusive
# (at_least) lower bounds of p.quantity.
_WALL_KEYS: tuple[tuple[str, str, float | None, float | None], ...] = (
    ("wall_area", "area", None, 0.0),
    ("wall_heat_transfer", "heat_transfer_coefficient", None, 0.0),
    ("wall_temperature", "temperature", 0.0, None),
)


#: Discharge coefficient of a leak given by its area or diameter without one [-]: the classic
#: value of a sharp-edged orifice (:class:`Leak`).
LEAK_DISCHARGE_COEFFICIENT = 0.6

#: Air exchanged each way through an open hatch by the cabin fans: 140 cfm (0.0661 m^3/s), the
#: fan flow at which the ISS inter-module ventilation is specified (R. G. von Jouanne and
#: R. S. Barker, "A Description and Assessment of Intermodule Ventilation as Planned for
#: International Space Station Alpha", SAE Technical Paper 951631, 1995). Part of that flow
#: short-circuits back through the same hatchway (up to 40 % in the requirement); the nominal
#: figure is used, which mixes a little faster than the station does.
DEFAULT_VENTILATION = "140 ft^3/min"

#: Largest mean speed at which the default ventilation crosses an opening [m/s]: a small
#: opening (a duct, a gap, a valve written as a hatch) carries at most its area times this, so
#: it is not given the fans' whole flow. A choice of this project, not a published figure:
#: cabin air moves at about 0.05-0.2 m/s, an ISS hatchway of 0.8 m^2 is far from the limit.
DEFAULT_VENTILATION_SPEED = 1.0


@dataclass(frozen=True, eq=False)
class Hatch(_Opening):
    """An opening between two modules: a hatch, a duct, or a valve held open.

    Parameters
    ----------
    between : sequence of two str
        Names of the two modules the hatch joins, in the order used for its default name.
    area : str or pint.Quantity, or a list of these, optional
        Flow area [m^2]. Give exactly one of ``area`` and ``diameter``.
    diameter : str or pint.Quantity, or a list of these, optional
        Diameter of a circular opening [m]; the area is ``pi diameter^2 / 4``.
    discharge_coefficient : float or list of float, default 0.8
        Ratio of actual to ideal isentropic flow, in (0, 1] [-]. 0.8 suits a large, short,
        square-edged opening such as a hatchway.
    open : bool or list of bool, default True
        Whether the hatch is open at t = 0.
    close_at : str or pint.Quantity, or a list of these, optional
        Time at which the hatch closes [s]; a list entry ``None`` or ``"never"`` means that
        case keeps it as it is. Closing a hatch that is closed then changes nothing (a
        scenario file refuses a ``close_at`` on a hatch that starts closed and has no
        ``open_at``, which can only be a slip).
    open_at : str or pint.Quantity, or a list of these, optional
        Time at which the hatch opens [s]; ``None`` or ``"never"`` as for ``close_at``.
    close_when : dict, optional
        Crew response: the hatch closes ``delay`` after a module's state first meets a
        condition. Keys: ``module`` (a module name), exactly one of ``pressure_below`` [Pa]
        and ``pressure_rate_below`` [Pa/s] (a fall faster than the level, e.g.
        ``"-1 mmHg/min"``), and ``delay`` [s], default 0. Levels and delay may be lists (cases).
        The crossing is located on the solver's dense output, not sampled.
    opening_force_limit : str or pint.Quantity, or a list of these, optional
        Largest force the crew can open the hatch against [N]; results then say whether the
        pressure difference at the end, times the hatch area, is within it.
    ventilation : str or pint.Quantity, or a list of these, optional
        Air the cabin fans exchange each way through the hatch while it is open [m^3/s]: that
        volume of each side's air, with its composition and enthalpy, crosses to the other side
        every second, beside the flow the pressure difference drives. ``"0 m^3/s"`` turns the
        mixing off. Default :data:`DEFAULT_VENTILATION`, or less through a small opening: at
        most its area times :data:`DEFAULT_VENTILATION_SPEED`.
    name : str, optional
        Name used in results and parameter paths (``"hatch.<name>.area"``); default the two
        module names joined with ``"-"`` in the order given, e.g. ``"Lab-Node1"``. A station
        gives a second unnamed hatch between the same modules ``"Lab-Node1#2"``, a third
        ``"#3"``, and so on.

    Attributes
    ----------
    si : dict of str to numpy.ndarray
        The parameters given, in SI units (``open`` as bool): 0-d for one value, 1-d for a list.
    default_name : bool
        Whether the name is the default one, which a station may number (``"#2"``).

    Raises
    ------
    leaksim.errors.ScenarioError
        On a bad ``between``, both or neither of area and diameter, a non-positive area or
        diameter, a discharge coefficient outside (0, 1], a non-boolean ``open``, or a negative
        time.

    Examples
    --------
    >>> hatch = Hatch(["Lab", "Node1"], diameter="1 m", close_at="30 min")
    >>> hatch.name, round(float(hatch.flow_area), 4), float(hatch.si["close_at"])
    ('Lab-Node1', 0.7854, 1800.0)
    >>> alarm = {"module": "Node1", "pressure_below": "700 mmHg", "delay": "5 min"}
    >>> Hatch(["Lab", "Node1"], area="0.5 m^2", close_when=alarm).close_condition
    ('Node1', 'pressure_below')
    """

    kind: ClassVar[str] = "hatch"

    between: Sequence[str]
    area: p.CaseValue | None = None
    diameter: p.CaseValue | None = None
    discharge_coefficient: float | Sequence[float] = 0.8
    open: bool | Sequence[bool] = True
    close_at: p.EventTime | None = None
    open_at: p.EventTime | None = None
    name: str | None = None
    close_when: Mapping[str, Any] | None = None
    opening_force_limit: p.CaseValue | None = None
    ventilation: p.CaseValue | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    close_condition: tuple[str, str] | None = field(init=False, repr=False, default=None)
    default_name: bool = field(init=False, repr=False, default=False)

    def __post_init__(self) -> None:
        between = _between(self.between, "hatch" if self.name is None else f"hatch {self.name!r}")
        object.__setattr__(self, "default_name", self.name is None)
        name = "-".join(between) if self.name is None else self.name
        p.name(name, "name", "hatch")
        label = f"hatch {name!r}"
        si = _opening(self, label)
        si["open"] = p.boolean(self.open, "open", label)
        si.update(_event_times(self, ("close_at", "open_at"), label))
        if self.opening_force_limit is not None:
            si["opening_force_limit"] = p.quantity(
                self.opening_force_limit, "force", "opening_force_limit", label, above=0.0
            )
        if self.ventilation is None:
            fans = p.quantity(DEFAULT_VENTILATION, "volume_flow", "ventilation", label)
            si["ventilation"] = np.minimum(fans, _flow_area(si) * DEFAULT_VENTILATION_SPEED)
        else:
            si["ventilation"] = p.quantity(
                self.ventilation, "volume_flow", "ventilation", label, at_least=0.0
            )
        if self.close_when is not None:
            condition, values = _close_when(self.close_when, label)
            si.update(values)
            object.__setattr__(self, "close_condition", condition)
        object.__setattr__(self, "between", between)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "si", si)

    def case_values(self) -> dict[str, np.ndarray]:
        """Parameters that may vary between cases: SI arrays, 0-d or 1-d; the default
        ventilation, which follows the area, only where it was given."""
        values = dict(self.si)
        if self.ventilation is None:
            del values["ventilation"]
        return values


@dataclass(frozen=True, eq=False)
class Leak(_Opening):
    """A hole in a module's wall, to vacuum, to a fixed back pressure, or into another module.

    Parameters
    ----------
    module : str
        Name of the module that leaks.
    area : str or pint.Quantity, or a list of these, optional
        Geometric flow area of the hole [m^2]. Give exactly one of ``area``, ``diameter`` and
        ``effective_area``.
    diameter : str or pint.Quantity, or a list of these, optional
        Diameter of a circular hole [m]; the area is ``pi diameter^2 / 4``.
    discharge_coefficient : float or list of float, optional
        Ratio of actual to ideal isentropic flow, in (0, 1] [-]; default
        :data:`LEAK_DISCHARGE_COEFFICIENT`, 0.6, the classic value of a sharp-edged orifice at
        low pressure ratio; toward vacuum it rises to about 0.84 (Bragg 1960), so 0.6 errs on
        the side of a slower leak. Not with ``effective_area``.
    effective_area : str or pint.Quantity, or a list of these, optional
        The hole's effective area ``Cd A`` [m^2], the discharge coefficient times the
        geometric area: what a fit of a pressure log measures and ``leaksim convert`` prints.
        Given alone, in place of ``area`` or ``diameter`` and ``discharge_coefficient``; the
        leak then flows as an area ``effective_area`` with ``Cd = 1``.
    start : str or pint.Quantity, or a list of these, default "0 s"
        Time at which the hole opens [s].
    growth : dict, optional
        How the hole grows: ``{"rate": "0.01 mm^2/day"}`` adds area linearly from ``start``
        (the area given is the area at ``start``), or ``{"table": [["0 day", "0.05 mm^2"],
        ["30 day", "0.12 mm^2"]]}`` gives the area piecewise linearly in time (constant
        beyond the first and last rows), in place of ``area``.
    to : str or pint.Quantity, or a list of these, default "vacuum"
        Where the gas goes: ``"vacuum"``, the name of another module, or a fixed back pressure
        [Pa] such as ``"1 Pa"``. A string that starts with a digit, a sign or a point is read
        as a pressure, any other string as a module name. Only pressures (and ``"vacuum"``) may
        vary between cases.
    name : str, optional
        Name used in results and parameter paths (``"leak.<name>.diameter"``); a station names
        an unnamed leak ``"leak<i>"``, ``i`` counting its leaks from 1.

    Attributes
    ----------
    si : dict of str to numpy.ndarray
        The parameters given, in SI units: 0-d for one value, 1-d for a list. ``si["to"]`` is
        the back pressure [Pa] (0 for vacuum), absent when the leak goes into a module.
    to_module : str or None
        Name of the module the gas goes into, or None.

    Raises
    ------
    leaksim.errors.ScenarioError
        On both or neither of area and diameter, a non-positive area or diameter, a discharge
        coefficient outside (0, 1], a negative start time or back pressure, or ``to`` naming
        the leak's own module.

    Examples
    --------
    >>> leak = Leak("Lab", diameter="5 mm", name="hole")
    >>> round(float(leak.flow_area) * 1e6, 4), float(leak.si["to"])
    (19.635, 0.0)
    """

    kind: ClassVar[str] = "leak"

    module: str
    area: p.CaseValue | None = None
    diameter: p.CaseValue | None = None
    discharge_coefficient: float | Sequence[float] | None = None
    start: p.CaseValue = "0 s"
    to: str | p.CaseValue = "vacuum"
    name: str | None = None
    growth: Mapping[str, Any] | None = None
    effective_area: p.CaseValue | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    to_module: str | None = field(init=False, repr=False)
    growth_table: tuple[np.ndarray, np.ndarray] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if self.name is not None:
            p.name(self.name, "name", "leak")
        p.name(self.module, "module", "leak" if self.name is None else f"leak {self.name!r}")
        label = f"leak {self.name!r}" if self.name is not None else f"leak in {self.module!r}"
        si = _leak_opening(self, label)
        si["start"] = p.quantity(self.start, "time", "start", label, at_least=0.0)
        to_module, back_pressure = _target(self.to, self.module, label)
        if back_pressure is not None:
            si["to"] = back_pressure
        if self.growth is not None:
            rate, table = _growth(self.growth, label)
            if rate is not None:
                si["growth.rate"] = rate
            object.__setattr__(self, "growth_table", table)
        object.__setattr__(self, "si", si)
        object.__setattr__(self, "to_module", to_module)


@dataclass(frozen=True, eq=False)
class Supply(_Parameters):
    """Gas fed into a module at a constant rate, from a tank that may run dry.

    Parameters
    ----------
    module : str
        Name of the module fed.
    mass_flow : str or pint.Quantity, or a list of these
        Feed while the supply runs [kg/s], > 0.
    gas : str or dict, default "air"
        Composition of the gas fed: ``"air"``, a species (``"O2"``, ``"N2"``) or mole
        fractions.
    tank_mass : str or pint.Quantity, or a list of these, optional
        Gas in the tank [kg]; the feed stops when it is used up, at
        ``start + tank_mass / mass_flow``. Without it the feed never stops.
    start : str or pint.Quantity, or a list of these, default "0 s"
        When the feed starts [s].
    temperature : str or pint.Quantity, or a list of these, optional
        Temperature of the gas fed, which sets the enthalpy it brings in adiabatic and wall
        modes [K]; default the module's initial temperature.
    name : str, optional
        Name used in results and parameter paths; default ``"supply<i>"``.
    keep_pressure_above : str or pint.Quantity, or a list of these, optional
        A total-pressure regulator instead of ``mass_flow``: it feeds up to ``max_mass_flow``
        while the module is below this set point [Pa].
    keep_partial_pressure_O2 : str or pint.Quantity, or a pair of them, optional
        An O2 regulator instead of ``mass_flow``: one set point, or a band ``[low, high]`` it
        keeps the O2 partial pressure in (fully open at ``low``, shut at ``high``) [Pa].
        Regulators open as :func:`leaksim.core.network.regulator_opening`.
    max_mass_flow : str or pint.Quantity, or a list of these, optional
        Largest feed of a regulator [kg/s].
    regulation_band : str or pint.Quantity, or a list of these, optional
        Half-width of a regulator's smooth opening: fully open a band below the set point,
        shut a band above it; default 0.2 % of the set point for one set point, half of
        ``high - low`` for a ``[low, high]`` band (set point at its middle) [Pa].

    Examples
    --------
    >>> tank = Supply("Lab", mass_flow="2 kg/day", tank_mass="50 kg", name="repress")
    >>> round(float(tank.si["mass_flow"]) * 86400, 6), float(tank.stop_time)
    (2.0, 2160000.0)
    """

    kind: ClassVar[str] = "supply"

    module: str
    mass_flow: p.CaseValue | None = None
    gas: GasLike = "air"
    tank_mass: p.CaseValue | None = None
    start: p.CaseValue = "0 s"
    temperature: p.CaseValue | None = None
    name: str | None = None
    keep_pressure_above: Any = None
    keep_partial_pressure_O2: Any = None
    max_mass_flow: Any = None
    regulation_band: p.CaseValue | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    composition: tuple[dict[str, float], ...] = field(init=False, repr=False)
    watch: str | None = field(init=False, repr=False, default=None)

    def _regulated(self, label: str) -> str | None:
        """``"pressure"``, ``"partial_pressure_O2"`` or None (a constant feed)."""
        given = {
            "mass_flow": self.mass_flow,
            "keep_pressure_above": self.keep_pressure_above,
            "keep_partial_pressure_O2": self.keep_partial_pressure_O2,
        }
        if sum(v is not None for v in given.values()) > 1:
            p.exactly_one(label, given)
        if self.keep_pressure_above is not None:
            return "pressure"
        if self.keep_partial_pressure_O2 is not None:
            return "partial_pressure_O2"
        if self.max_mass_flow is not None:
            raise p.fail(
                label,
                "max_mass_flow belongs to a regulator: give keep_pressure_above "
                "or keep_partial_pressure_O2 with it, or use mass_flow",
            )
        return None

    def _regulator_values(self, watch: str, label: str) -> dict[str, np.ndarray]:
        """Set point, band and maximum feed of a regulator, in SI."""
        if self.max_mass_flow is None:
            raise p.fail(label, "a regulator needs max_mass_flow (its largest feed)")
        key = "keep_pressure_above" if watch == "pressure" else "keep_partial_pressure_O2"
        value = getattr(self, key)
        band_pair = (
            watch == "partial_pressure_O2" and isinstance(value, list | tuple) and (len(value) == 2)
        )
        if band_pair:
            low, high = (p.quantity(v, "pressure", key, label, above=0.0) for v in value)
            if not np.all(high > low):
                raise p.fail(
                    label, f"{key} band must be [low, high] with high > low, got {p.show(value)}"
                )
            setpoint, band = 0.5 * (low + high), 0.5 * (high - low)
        else:
            setpoint = p.quantity(value, "pressure", key, label, above=0.0)
            band = 2e-3 * setpoint
        if self.regulation_band is not None:
            band = p.quantity(self.regulation_band, "pressure", "regulation_band", label, above=0.0)
        return {
            "max_mass_flow": p.quantity(
                self.max_mass_flow, "mass_flow", "max_mass_flow", label, above=0.0
            ),
            "setpoint": np.asarray(setpoint),
            "band": np.asarray(band),
        }

    def __post_init__(self) -> None:
        if self.name is not None:
            p.name(self.name, "name", "supply")
        label = f"supply {self.name!r}" if self.name is not None else f"supply to {self.module!r}"
        p.name(self.module, "module", label)
        si = {"start": p.quantity(self.start, "time", "start", label, at_least=0.0)}
        watch = self._regulated(label)
        if watch is None:
            if self.mass_flow is None:
                raise p.fail(
                    label,
                    "give mass_flow (a constant feed such as '2 kg/day'), or a regulator: "
                    "keep_pressure_above or keep_partial_pressure_O2 with max_mass_flow",
                )
            si["mass_flow"] = p.quantity(self.mass_flow, "mass_flow", "mass_flow", label, above=0.0)
        else:
            si.update(self._regulator_values(watch, label))
        object.__setattr__(self, "watch", watch)
        if self.tank_mass is not None:
            if watch is not None:
                raise p.fail(
                    label,
                    "tank_mass with a regulator is not supported in this version of leaksim; "
                    "the regulator draws on an unlimited supply",
                )
            si["tank_mass"] = p.quantity(self.tank_mass, "mass", "tank_mass", label, above=0.0)
        if self.temperature is not None:
            si["temperature"] = p.quantity(
                self.temperature, "temperature", "temperature", label, above=0.0
            )
        composition, _ = _composition(self.gas, label)
        object.__setattr__(self, "si", si)
        object.__setattr__(self, "composition", composition)

    @property
    def stop_time(self) -> np.ndarray:
        """When the tank runs dry [s], 0-d or one per case; inf without a tank."""
        if "tank_mass" not in self.si:
            return np.asarray(np.inf)
        return self.si["start"] + self.si["tank_mass"] / self.si["mass_flow"]


@dataclass(frozen=True, eq=False)
class Crew(_Parameters):
    """People breathing in a module: oxygen consumed and carbon dioxide produced.

    Parameters
    ----------
    count : int or list of int
        Number of crew members, >= 0.
    module : str
        Name of the module they are in.
    o2_consumption : str or pint.Quantity, or a list of these, default "0.835 kg/day"
        Oxygen each person consumes [kg/s]; the default is the NASA BVAD nominal value per
        crew-day [1]_.
    co2_production : str or pint.Quantity, or a list of these, default "0.998 kg/day"
        Carbon dioxide each person produces [kg/s]; BVAD nominal per crew-day [1]_.

    name : str, optional
        Name used in results and parameter paths (``"crew.<name>.count"``); a station names
        one crew ``"crew"`` and several ``"crew1"``, ``"crew2"``, ...

    Notes
    -----
    Metabolism enters as two molar feeds into the module, O2 negative and CO2 positive,
    exchanged at the module's initial temperature; metabolic heat is left to the cabin's
    thermal control and not modelled. The rates are the BVAD ones down to
    :data:`CREW_O2_FADE` of O2 partial pressure, then both fade smoothly to zero as the O2
    runs out (a cubic step, :func:`leaksim.core.model.regulator_opening`), keeping the
    respiratory quotient: a crew cannot breathe O2 that is not there. The fade is a device
    that keeps the amounts non-negative; a crew in that range is long past any hypoxia floor,
    so no threshold a study sets depends on its shape.

    References
    ----------
    .. [1] M. S. Anderson et al., Life Support Baseline Values and Assumptions Document,
           NASA/TP-2015-218570, 2018.

    Examples
    --------
    >>> crew = Crew(4, "Lab")
    >>> round(float(crew.si["o2_consumption"]) * 86400, 3)
    0.835
    """

    kind: ClassVar[str] = "crew"

    count: int | Sequence[int]
    module: str
    o2_consumption: p.CaseValue = "0.835 kg/day"
    co2_production: p.CaseValue = "0.998 kg/day"
    name: str | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        label = "crew" if self.name is None else f"crew {self.name!r}"
        if self.name is not None:
            p.name(self.name, "name", "crew")
        p.name(self.module, "module", label)
        si = {
            "count": p.number(
                self.count, "count", label, low=-math.inf, high=math.inf, high_open=True
            ),
            "o2_consumption": p.quantity(
                self.o2_consumption, "mass_flow", "o2_consumption", label, at_least=0.0
            ),
            "co2_production": p.quantity(
                self.co2_production, "mass_flow", "co2_production", label, at_least=0.0
            ),
        }
        count, most = si["count"], p.PLAUSIBLE_SIZE[1]
        if np.any(count < 0) or np.any(count != np.round(count)) or np.any(count > most):
            raise p.fail(
                label, f"count must be a whole number from 0 to {most:g}, got {p.show(self.count)}"
            )
        object.__setattr__(self, "si", si)


#: O2 partial pressure below which a crew's metabolism fades to zero [Pa] (:class:`Crew`).
CREW_O2_FADE = 1000.0

#: CO2 partial pressure below which a scrubber's removal fades to zero [Pa] (:class:`Scrubber`).
SCRUBBER_CO2_FADE = 20.0


@dataclass(frozen=True, eq=False)
class Scrubber(_Parameters):
    """A CO2 scrubber: removes carbon dioxide from a module's air.

    Parameters
    ----------
    module : str
        Name of the module it takes its air from.
    co2_removal : str or pint.Quantity, or a list of these, optional
        CO2 removed while there is CO2 to remove [kg/s], e.g. ``"4 kg/day"``.
    removal_efficiency : float or list of float, optional
        Fraction of the CO2 in the air drawn through it that it removes, in (0, 1] [-];
        with ``flow``, instead of ``co2_removal``.
    flow : str or pint.Quantity, or a list of these, optional
        Cabin air drawn through it [m^3/s].
    name : str, optional
        Name used in results and parameter paths; a station names an unnamed scrubber
        ``"scrubber<i>"``.

    Notes
    -----
    With ``co2_removal`` the rate is held down to :data:`SCRUBBER_CO2_FADE` of CO2 partial
    pressure and fades smoothly to zero below it, so a scrubber never takes CO2 that is not
    there. With ``removal_efficiency`` and ``flow`` it removes ``eta Q c_CO2``, in proportion to
    the CO2 concentration ``c_CO2 = p_CO2 / (Ru T)``, the model of a single-pass bed. Removed
    gas leaves the cabin; the heat of adsorption is not modelled.

    Examples
    --------
    >>> cdra = Scrubber("Lab", co2_removal="4 kg/day", name="cdra")
    >>> round(float(cdra.si["co2_removal"]) * 86400, 6)
    4.0
    """

    kind: ClassVar[str] = "scrubber"

    module: str
    co2_removal: p.CaseValue | None = None
    removal_efficiency: float | Sequence[float] | None = None
    flow: p.CaseValue | None = None
    name: str | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        label = "scrubber" if self.name is None else f"scrubber {self.name!r}"
        if self.name is not None:
            p.name(self.name, "name", "scrubber")
        p.name(self.module, "module", label)
        bed = None if self.removal_efficiency is None and self.flow is None else "bed"
        p.exactly_one(label, {"co2_removal": self.co2_removal, "removal_efficiency": bed})
        if self.co2_removal is not None:
            si = {
                "co2_removal": p.quantity(
                    self.co2_removal, "mass_flow", "co2_removal", label, at_least=0.0
                )
            }
        else:
            if self.removal_efficiency is None or self.flow is None:
                raise p.fail(label, "removal_efficiency needs flow and flow needs it, got one")
            si = {
                "removal_efficiency": p.number(
                    self.removal_efficiency, "removal_efficiency", label, low=0.0, high=1.0
                ),
                "flow": p.quantity(self.flow, "volume_flow", "flow", label, at_least=0.0),
            }
        object.__setattr__(self, "si", si)


@dataclass(frozen=True, eq=False)
class Valve(_Opening):
    """A valve: an equalisation valve across a hatch, or a relief valve to vacuum.

    Parameters
    ----------
    between : sequence of two str, optional
        The two modules an equalisation valve joins.
    module : str, optional
        The module a relief valve vents to vacuum. Give exactly one of ``between`` and
        ``module``.
    area : str or pint.Quantity, or a list of these, optional
        Flow area [m^2]. Give exactly one of ``area`` and ``diameter``.
    diameter : str or pint.Quantity, or a list of these, optional
        Diameter of a circular opening [m].
    discharge_coefficient : float or list of float, default 0.6
        ``C_d`` in (0, 1] [-]; 0.6 suits a sharp-edged valve orifice.
    open : bool or list of bool, default False
        Whether the valve is open at t = 0.
    open_at, close_at : str or pint.Quantity, or a list of these, optional
        Times at which the valve opens or closes [s]; ``None`` or ``"never"`` in a list for
        cases where it does not.
    opens_above : str or pint.Quantity, or a list of these, optional
        Pressure at which the valve opens, located exactly, watching ``module`` (a relief
        valve) or the first module of ``between`` [Pa].
    reseats_below : str or pint.Quantity, or a list of these, optional
        Pressure at which a valve opened by ``opens_above`` closes again [Pa], below
        ``opens_above``; the valve then opens again when the pressure rises back, and so
        cycles. Default: ``opens_above`` less the 7 % blowdown typical of a spring-loaded
        relief valve in gas service (API Standard 520, Part I). ``"0 Pa"`` keeps it open once
        it has opened.
    name : str, optional
        Name used in results and parameter paths; default ``"valve<i>"``.

    Examples
    --------
    >>> relief = Valve(module="Lab", area="5 cm^2", opens_above="780 mmHg", name="mprv")
    >>> relief.ends, round(float(relief.si["opens_above"]))
    (('Lab', None), 103991)
    >>> round(float(relief.si["reseats_below"]))
    96712
    """

    kind: ClassVar[str] = "valve"

    between: Sequence[str] | None = None
    module: str | None = None
    area: p.CaseValue | None = None
    diameter: p.CaseValue | None = None
    discharge_coefficient: float | Sequence[float] = 0.6
    open: bool | Sequence[bool] = False
    open_at: p.EventTime | None = None
    close_at: p.EventTime | None = None
    opens_above: p.CaseValue | None = None
    reseats_below: p.CaseValue | None = None
    name: str | None = None
    si: dict[str, np.ndarray] = field(init=False, repr=False)
    ends: tuple[str, str | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.name is not None:
            p.name(self.name, "name", "valve")
        label = "valve" if self.name is None else f"valve {self.name!r}"
        where = p.exactly_one(label, {"between": self.between, "module": self.module})
        if where == "between":
            a, b = _between(self.between, label)
            ends: tuple[str, str | None] = (a, b)
        else:
            ends = (p.name(self.module, "module", label), None)
        si = _opening(self, label)
        si["open"] = p.boolean(self.open, "open", label)
        si.update(_event_times(self, ("open_at", "close_at"), label))
        if self.opens_above is not None:
            si["opens_above"] = p.quantity(
                self.opens_above, "pressure", "opens_above", label, at_least=0.0
            )
            si["reseats_below"] = _reseat(self, si["opens_above"], label)
        elif self.reseats_below is not None:
            raise p.fail(label, "reseats_below needs opens_above: only a valve that opens on a "
                         "pressure reseats")  # fmt: skip
        object.__setattr__(self, "si", si)
        object.__setattr__(self, "ends", ends)


#: Blowdown of a relief valve: it reseats this fraction below its opening pressure, typical of
#: a spring-loaded relief valve in gas service (API Standard 520, Part I) [-].
RELIEF_BLOWDOWN = 0.07


def _reseat(valve: Valve, opens: np.ndarray, label: str) -> np.ndarray:
    """A valve's reseat pressure [Pa]: given, below the opening pressure, or the default
    blowdown below it."""
    if valve.reseats_below is None:
        return opens * (1.0 - RELIEF_BLOWDOWN)
    reseat = p.quantity(valve.reseats_below, "pressure", "reseats_below", label, at_least=0.0)
    reseat_all, opens_all = np.broadcast_arrays(np.atleast_1d(reseat), np.atleast_1d(opens))
    above = np.flatnonzero(reseat_all >= opens_all)
    if above.size:
        i = int(above[0])
        if reseat_all.size == 1:
            given = f"{p.show(valve.opens_above)}), got {p.show(valve.reseats_below)}"
        else:
            given = f"{opens_all[i]:.6g} Pa), got {reseat_all[i]:.6g} Pa (case {i})"
        raise p.fail(label, f"reseats_below must be below opens_above ({given}")
    return reseat


@dataclass(frozen=True, eq=False)
class Station:
    """A set of modules joined by hatches, with leaks.

    Parameters
    ----------
    modules : sequence of Module
        The modules, in the order results list them.
    hatches : sequence of Hatch, optional
        Openings between modules.
    leaks : sequence of Leak, optional
        Holes; an unnamed leak is given the name ``"leak<i>"`` (``i`` from 1, in order). A
        default name already taken (by a given name or an earlier default) gets ``"#2"``,
        ``"#3"``, ..., for every kind of item, so default names never collide.
    name : str, optional
        Name of the station, for messages and plots.
    supplies : sequence of Supply, optional
        Gas fed into modules; an unnamed supply is named ``"supply<i>"``.
    crew : Crew or sequence of Crew, optional
        The people aboard and the modules they breathe in, one Crew per module or group;
        held as a tuple (empty without crew).
    valves : sequence of Valve, optional
        Equalisation and relief valves; an unnamed valve is named ``"valve<i>"``.
    scrubbers : sequence of Scrubber, optional
        CO2 removal; an unnamed scrubber is named ``"scrubber<i>"``.

    Raises
    ------
    leaksim.errors.ScenarioError
        On an empty station, an item of the wrong type, duplicate module, hatch or leak names,
        or a hatch or leak naming a module the station does not have.

    Examples
    --------
    >>> station = Station([Module("Lab", "60 m^3")], leaks=[Leak("Lab", diameter="5 mm")])
    >>> station.leaks[0].name
    'leak1'
    """

    modules: Sequence[Module]
    hatches: Sequence[Hatch] = ()
    leaks: Sequence[Leak] = ()
    name: str | None = None
    supplies: Sequence[Supply] = ()
    crew: Crew | Sequence[Crew] | None = None
    valves: Sequence[Valve] = ()
    scrubbers: Sequence[Scrubber] = ()
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        label = "station" if self.name is None else f"station {self.name!r}"
        if self.name is not None:
            p.name(self.name, "name", "station")
        modules = _items(self.modules, Module, "modules", label)
        if not modules:
            raise p.fail(label, "modules must hold at least one Module, got none")
        object.__setattr__(self, "modules", modules)
        object.__setattr__(self, "_index", {m.name: i for i, m in enumerate(modules)})
        named = {
            "hatches": _named(_items(self.hatches, Hatch, "hatches", label), _hatch_name),
            "leaks": _named(_items(self.leaks, Leak, "leaks", label), _numbered("leak")),
            "supplies": _named(
                _items(self.supplies, Supply, "supplies", label), _numbered("supply")
            ),
            "valves": _named(_items(self.valves, Valve, "valves", label), _numbered("valve")),
            "crew": _crews(self.crew, label),
            "scrubbers": _named(
                _items(self.scrubbers, Scrubber, "scrubbers", label), _numbered("scrubber")
            ),
        }
        for key, items in named.items():
            object.__setattr__(self, key, items)
        self.check()

    @property
    def crews(self) -> tuple[Crew, ...]:
        """The crews aboard, each named (empty without crew)."""
        return cast(tuple[Crew, ...], self.crew)

    @property
    def module_names(self) -> tuple[str, ...]:
        """Names of the modules, in order."""
        return tuple(m.name for m in self.modules)

    def module_index(self, name: str) -> int:
        """Index of the module called ``name``."""
        try:
            return self._index[name]
        except KeyError:
            raise ValueError(f"{name!r} is not a module of the station") from None

    def plot(self, ax: Any = None, case: int = 0) -> dict[str, list[Any]]:
        """Draw the station; see :func:`leaksim.plotting.plot_station`.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is made when None [-].
        case : int, optional
            Case whose volumes and hatch states are drawn [-].

        Returns
        -------
        dict
            The artists drawn: ``"modules"``, ``"hatches"``, ``"leaks"``, ``"labels"``.
        """
        from .plotting import plot_station  # plotting sits above this layer: imported late

        return plot_station(self, ax=ax, case=case)

    def check(self) -> None:
        """Cross-check the items: unique names, and hatches and leaks naming known modules.

        Raises
        ------
        leaksim.errors.ScenarioError
            Naming the item, the key, the rule and the value received.
        """
        crews = self.crews
        for items in (
            self.modules,
            self.hatches,
            self.leaks,
            self.supplies,
            self.valves,
            crews,
            self.scrubbers,
        ):
            _check_unique(items)
        names = self._index
        for i, hatch in enumerate(self.hatches):
            for module in hatch.between:
                _check_known(module, names, hatch, i, "between")
            if hatch.close_condition is not None:
                _check_known(hatch.close_condition[0], names, hatch, i, "close_when.module")
        for i, leak in enumerate(self.leaks):
            _check_known(leak.module, names, leak, i, "module")
            if leak.to_module is not None:
                _check_known(leak.to_module, names, leak, i, "to")
        for i, supply in enumerate(self.supplies):
            _check_known(supply.module, names, supply, i, "module")
        for i, valve in enumerate(self.valves):
            for end in valve.ends:
                if end is not None:
                    key = "module" if valve.ends[1] is None else "between"
                    _check_known(end, names, valve, i, key)
        for i, crew in enumerate(crews):
            _check_known(crew.module, names, crew, i, "module")
        for i, scrubber in enumerate(self.scrubbers):
            _check_known(scrubber.module, names, scrubber, i, "module")


_CLOSE_WHEN_KEYS = ("module", "pressure_below", "pressure_rate_below", "delay")


def _close_when(value: Any, label: str) -> tuple[tuple[str, str], dict[str, np.ndarray]]:
    """Check a ``close_when`` condition: ((module, level key), SI values by parameter path)."""
    if not isinstance(value, Mapping):
        raise ScenarioError(
            f'close_when must be a table such as {{module = "Node1", pressure_below = '
            f'"700 mmHg", delay = "5 min"}}, got {p.show(value)}',
            label,
        )
    for key in value:
        if key not in _CLOSE_WHEN_KEYS:
            hint = p.did_you_mean(str(key), _CLOSE_WHEN_KEYS) or "; allowed keys: " + ", ".join(
                _CLOSE_WHEN_KEYS
            )
            raise ScenarioError(f"close_when: unknown key {key!r}{hint}", label)
    if "module" not in value:
        raise ScenarioError("close_when: missing required key 'module'", label)
    module = p.name(value["module"], "close_when.module", label)
    level_key = p.exactly_one(
        label, {k: value.get(k) for k in ("pressure_below", "pressure_rate_below")}
    )
    kind = "pressure" if level_key == "pressure_below" else "pressure_rate"
    at_least = 0.0 if kind == "pressure" else None
    values = {
        f"close_when.{level_key}": p.quantity(
            value[level_key], kind, f"close_when.{level_key}", label, at_least=at_least
        ),
        "close_when.delay": p.quantity(
            value.get("delay", "0 s"), "time", "close_when.delay", label, at_least=0.0
        ),
    }
    return (module, level_key), values


def _growth(value: Any, label: str) -> tuple[np.ndarray | None, tuple | None]:
    """A hole's growth: a rate [m^2/s], or a table of (times [s], areas [m^2])."""
    if not isinstance(value, Mapping):
        raise p.fail(
            label, f'growth must be a table such as {{rate = "0.01 mm^2/day"}}, got {p.show(value)}'
        )
    for key in value:
        if key not in ("rate", "table"):
            hint = p.did_you_mean(str(key), ("rate", "table")) or "; allowed keys: rate, table"
            raise p.fail(label, f"growth: unknown key {key!r}{hint}")
    kind = p.exactly_one(label, {"rate": value.get("rate"), "table": value.get("table")})
    if kind == "rate":
        return p.quantity(value["rate"], "area_rate", "growth.rate", label), None
    rows = value["table"]
    if (
        not isinstance(rows, list | tuple)
        or len(rows) < 2
        or not all(isinstance(r, list | tuple) and len(r) == 2 for r in rows)
    ):
        raise p.fail(
            label,
            f"growth.table must be a list of at least two [time, area] pairs, got {p.show(rows)}",
        )
    times = np.array(
        [float(p.quantity(r[0], "time", "growth.table time", label, at_least=0.0)) for r in rows]
    )
    areas = np.array(
        [float(p.quantity(r[1], "area", "growth.table area", label, at_least=0.0)) for r in rows]
    )
    if np.any(np.diff(times) <= 0):
        raise p.fail(label, f"growth.table times must increase, got {p.show(rows)}")
    return None, (times, areas)


def _composition(gas: Any, label: str) -> tuple[tuple[dict[str, float], ...], bool]:
    items, is_list = p.entries(gas, "gas", label)
    out = []
    for i, g in enumerate(items):
        where = f" (entry {i + 1} of {len(items)})" if is_list else ""
        if not isinstance(g, str | Mapping):
            raise p.fail(
                label,
                f"gas must be 'air', a species name or mole fractions, got {p.show(g)}{where}",
            )
        try:
            out.append(mole_fractions(g))
        except ValueError as exc:
            rule = str(exc)
            raise p.fail(
                label, (rule if rule.startswith("gas") else f"gas {rule}") + where
            ) from None
    return tuple(out), is_list


def _gas_text(gas: GasLike) -> str:
    if isinstance(gas, str):
        return gas
    return ", ".join(f"{name}={x:g}" for name, x in gas.items())


def _between(between: Any, label: str) -> tuple[str, str]:
    ok = (
        isinstance(between, Sequence)
        and not isinstance(between, str)
        and len(between) == 2
        and all(isinstance(m, str) and m for m in between)
    )
    if not ok:
        raise p.fail(label, f"between must be a list of two module names, got {p.show(between)}")
    if between[0] == between[1]:
        raise p.fail(
            label,
            "between must name two different modules (a hatch cannot join a "
            f"module to itself), got {p.show(list(between))}",
        )
    return (between[0], between[1])


def _opening(item: Hatch | Leak | Valve, label: str) -> dict[str, np.ndarray]:
    """Area or diameter, and discharge coefficient, of a hatch or a leak, in SI."""
    key = p.exactly_one(label, {"area": item.area, "diameter": item.diameter})
    kind = "area" if key == "area" else "length"
    cd = item.discharge_coefficient
    return {
        key: p.quantity(getattr(item, key), kind, key, label, above=0.0),
        "discharge_coefficient": p.number(
            LEAK_DISCHARGE_COEFFICIENT if cd is None else cd,
            "discharge_coefficient",
            label,
            low=0.0,
            high=1.0,
        ),
    }


def _leak_opening(leak: Leak, label: str) -> dict[str, np.ndarray]:
    """A leak's area or diameter and discharge coefficient, or its effective area, in SI."""
    if leak.effective_area is None:
        if leak.area is None and leak.diameter is None:
            raise p.fail(
                label,
                "give exactly one of area and diameter, or effective_area (Cd A), got neither",
            )
        return _opening(leak, label)
    others = {k: getattr(leak, k) for k in ("area", "diameter", "discharge_coefficient")}
    given = [f"{k} = {p.show(v)}" for k, v in others.items() if v is not None]
    if given:
        raise p.fail(
            label,
            "effective_area is already Cd A: give it alone, or area or diameter with "
            f"discharge_coefficient, got both effective_area = {p.show(leak.effective_area)} "
            f"and {' and '.join(given)}",
        )
    effective = p.quantity(leak.effective_area, "area", "effective_area", label, above=0.0)
    return {"effective_area": effective, "discharge_coefficient": np.asarray(1.0)}


def _event_times(item: Any, keys: tuple[str, ...], label: str) -> dict[str, np.ndarray]:
    """The scheduled times an item was given, in SI; ``None``/``"never"`` entries are inf."""
    return {
        key: p.quantity(getattr(item, key), "time", key, label, at_least=0.0, never=True)
        for key in keys
        if getattr(item, key) is not None
    }


def _flow_area(si: dict[str, np.ndarray]) -> np.ndarray:
    if "area" in si:
        return si["area"]
    if "effective_area" in si:
        return si["effective_area"]  # with Cd = 1
    return math.pi / 4.0 * si["diameter"] ** 2


def _target(to: Any, module: str, label: str) -> tuple[str | None, np.ndarray | None]:
    """Split ``to`` into a module name, or back pressures [Pa] (vacuum is 0 Pa)."""
    if isinstance(to, str) and not _is_vacuum(to) and not _looks_numeric(to):
        if to == module:
            raise p.fail(label, f"to must name another module than the leak's own, got {to!r}")
        return to, None

    def one(v: Any) -> float:
        if isinstance(v, str) and _is_vacuum(v):
            return 0.0
        if isinstance(v, str) and not _looks_numeric(v):
            raise ScenarioError(
                f"to may vary between cases only among pressures and 'vacuum', got {v!r}"
            )
        return float(p.quantity(v, "pressure", "to", None, at_least=0.0))

    return None, p.convert(to, "to", label, one)


def _is_vacuum(text: str) -> bool:
    return text.strip().lower() == "vacuum"


def _looks_numeric(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and (stripped[0].isdigit() or stripped[0] in "+-.")


def _crews(crew: Any, label: str) -> tuple[Crew, ...]:
    """The crews as a named tuple: one is ``"crew"``, several ``"crew1"``, ``"crew2"``..."""
    if crew is None:
        return ()
    crews = (crew,) if isinstance(crew, Crew) else _items(crew, Crew, "crew", label)
    return _named(crews, (lambda i, c: "crew") if len(crews) == 1 else _numbered("crew"))


Named = TypeVar("Named", Hatch, Leak, Supply, Valve, Crew, Scrubber)


def _named(items: tuple[Named, ...], default: Callable[[int, Named], str]) -> tuple[Named, ...]:
    """The items, each unnamed one under its default name ``default(i, item)``.

    A default name already taken, by a name the user gave or by an earlier default, gets
    ``"#2"``, ``"#3"``, ... (a hatch and a parallel duct between the same two modules are
    ``"Lab-Node1"`` and ``"Lab-Node1#2"``), so defaults never collide; names the user gave
    are kept as they are, and a repeated one is refused by :meth:`Station.check`.
    """
    taken = {item.name for item in items if not _unnamed(item)}
    out = []
    for i, item in enumerate(items):
        if _unnamed(item):
            base = default(i, item)
            name, n = base, 1
            while name in taken:
                n += 1
                name = f"{base}#{n}"
            taken.add(name)
            if item.name != name:
                item = _with_name(item, name)
        out.append(item)
    return tuple(out)


def _unnamed(item: Hatch | Leak | Supply | Valve | Crew | Scrubber) -> bool:
    return item.name is None or (isinstance(item, Hatch) and item.default_name)


def _hatch_name(i: int, hatch: Hatch) -> str:
    return "-".join(hatch.between)


def _numbered(kind: str) -> Callable[[int, Any], str]:
    """Default names ``"<kind>1"``, ``"<kind>2"``, ... by position from 1."""
    return lambda i, item: f"{kind}{i + 1}"


def _with_name(item: Named, name: str) -> Named:
    """``item`` under another name: a copy that keeps its checked SI values.

    Not ``dataclasses.replace``, which would check and convert every value again (a list of
    100,000 diameters read twice).
    """
    named = copy.copy(item)
    object.__setattr__(named, "name", name)
    return named


def _items(values: Any, cls: type, key: str, label: str) -> tuple[Any, ...]:
    if isinstance(values, cls | str | Mapping) or not isinstance(values, Iterable):
        raise p.fail(label, f"{key} must be a list of {cls.__name__}, got {_type_name(values)}")
    values = tuple(values)
    for v in values:
        if not isinstance(v, cls):
            raise p.fail(label, f"{key} must hold only {cls.__name__} objects, got {_type_name(v)}")
    return values


def _type_name(value: Any) -> str:
    if isinstance(value, pint.Quantity | str | int | float):
        return f"{type(value).__name__} {p.show(value)}"
    return type(value).__name__


def _check_unique(
    items: Sequence[Module | Hatch | Leak | Supply | Valve | Crew | Scrubber],
) -> None:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        name = item.name
        # Hatch.__post_init__ and Station.__post_init__ give every item of a station a name.
        assert name is not None
        if name in first:
            raise p.fail(
                f"{item.kind} {name!r}",
                f"name must be unique, got {name!r} for {item.kind} "
                f"#{first[name] + 1} and {item.kind} #{i + 1}",
                (item.kind, i),
            )
        first[name] = i


#: Most module names an error about an unknown module lists.
_MODULES_LISTED = 12


def _check_known(
    module: str,
    names: Mapping[str, int],
    item: Hatch | Leak | Supply | Crew | Valve | Scrubber,
    index: int,
    key: str,
) -> None:
    if module not in names:
        shown = list(names)[:_MODULES_LISTED]
        known = ", ".join(repr(n) for n in shown)
        if len(names) > len(shown):
            known += f", ... ({len(names):,} in all)"
        raise p.fail(
            f"{item.kind} {item.name!r}",
            f"{key} must name a module of the station, got {module!r}"
            f"{p.did_you_mean(module, names)}; the modules are {known}",
            (item.kind, index),
        )
