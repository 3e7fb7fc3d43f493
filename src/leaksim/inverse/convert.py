"""Convert between the ways people state a leak.

A leak is stated as a mass rate (NASA's "3.7 lb of air per day"), as a pressure rate in a
known volume ("1 mmHg in 8 hours" over the station), as an effective area ``Cd A``, as an
equivalent round-hole diameter for a stated discharge coefficient, or as the e-folding time of
the volume. :func:`convert_leak` takes any one of these and returns all of them.

The relations are those of a choked orifice to vacuum and an isothermal ideal-gas volume
(Saad, Compressible Fluid Flow, 2nd ed., pp. 98-106; :mod:`leaksim.core.flow`):

.. math::

    \\dot m = \\frac{C_d A\\, p\\, \\psi^*}{\\sqrt{R T}},\\qquad
    \\left|\\frac{dp}{dt}\\right| = \\frac{R T}{V}\\, \\dot m,\\qquad
    \\tau = \\frac{V}{C_d A\\, \\psi^* \\sqrt{R T}} = \\frac{p}{|dp/dt|},\\qquad
    d = \\sqrt{\\frac{4\\, C_d A}{\\pi\\, C_d}}.

In a scenario file, a ``[[leak]]`` takes the effective area as ``effective_area`` (``Cd A``)
or a geometric ``area`` with a discharge coefficient, 0.6 unless stated
(:class:`leaksim.station.Leak`): :meth:`LeakForms.scenario_leak` gives both, so that the value
pasted is the leak converted and not 0.6 times it.

These hold at the stated pressure and temperature: a hole of fixed ``Cd A`` passes a mass rate
proportional to the pressure, so "lb/day" and "mmHg/day" describe one hole only together with
the pressure they were measured at. The default, 760 mmHg and 22 degC, is the nominal cabin
used by :func:`leaksim.stations.iss` to derive the PrK's ``Cd A`` from 3.7 lb/day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pint

from ..errors import ScenarioError
from ..station import LEAK_DISCHARGE_COEFFICIENT
from ..units import ureg
from ._common import (
    DAY,
    MMHG,
    POUND,
    area_from_mass_flow,
    area_from_time_constant,
    choked_mass_flow,
    gas_constants,
    si_value,
    time_constant,
)

__all__ = [
    "LeakForms",
    "convert_leak",
    "DEFAULT_DISCHARGE_COEFFICIENT",
    "LEAK_DEFAULT_DISCHARGE_COEFFICIENT",
]

#: Discharge coefficient used for the equivalent diameter unless stated: the sharp-edged
#: orifice at low pressure ratio, as :class:`leaksim.station.Leak`'s default. Toward vacuum
#: Cd rises to about 0.84 (Bragg 1960), which would give a hole 15 % smaller.
DEFAULT_DISCHARGE_COEFFICIENT = 0.6

#: Discharge coefficient a ``[[leak]]`` assumes for its geometric ``area`` unless stated,
#: read from :class:`leaksim.station.Leak` so the two never disagree [-].
LEAK_DEFAULT_DISCHARGE_COEFFICIENT: float = LEAK_DISCHARGE_COEFFICIENT

# Dimension of each way of stating a leak, as pint dimensionality strings.
_FORMS = {
    "mass rate": "[mass] / [time]",
    "pressure rate": "[mass] / [length] / [time] ** 3",
    "effective area": "[length] ** 2",
    "equivalent diameter": "[length]",
    "time constant": "[time]",
}


@dataclass(frozen=True)
class LeakForms:
    """One leak stated every way, in SI units.

    Attributes
    ----------
    mass_rate : float
        Mass of gas lost per second [kg/s].
    effective_area : float
        ``Cd A`` of a choked orifice to vacuum that loses ``mass_rate`` [m^2].
    equivalent_diameter : float
        Diameter of a round hole with ``discharge_coefficient`` and that ``Cd A`` [m].
    discharge_coefficient : float
        Cd assumed for ``equivalent_diameter`` [-].
    pressure : float
        Pressure at which the rates hold [Pa].
    temperature : float
        Gas temperature [K].
    volume : float or None
        Volume the gas leaks from [m^3]; None when not given.
    pressure_rate : float or None
        Rate of pressure fall in ``volume``, positive for a fall [Pa/s]; None without a volume.
    time_constant : float or None
        E-folding time of the isothermal volume, ``p / |dp/dt|`` [s]; None without a volume.
    given : str
        Which form the leak was stated in (``"mass rate"``, ``"pressure rate"``, ...).
    """

    mass_rate: float
    effective_area: float
    equivalent_diameter: float
    discharge_coefficient: float
    pressure: float
    temperature: float
    volume: float | None
    pressure_rate: float | None
    time_constant: float | None
    given: str

    def scenario_leak(self) -> dict[str, Any]:
        """What to write in a scenario file's ``[[leak]]`` for this leak.

        Returns
        -------
        dict
            ``effective_area``: ``Cd A`` as a quantity string; ``area_at_default_cd``: the
            geometric area that gives it with ``default_discharge_coefficient``, the
            ``[[leak]]`` default; ``table``: ``"[[leak]]"``.
        """
        cd = LEAK_DEFAULT_DISCHARGE_COEFFICIENT
        return {
            "table": "[[leak]]",
            "effective_area": f"{self.effective_area * 1e6:.4g} mm^2",
            "area_at_default_cd": f"{self.effective_area / cd * 1e6:.4g} mm^2",
            "default_discharge_coefficient": cd,
        }

    def to_dict(self) -> dict[str, Any]:
        """Every form in SI and in the units operators use (JSON-ready floats or None), and
        what to paste in a scenario file (``scenario_leak``)."""
        out: dict[str, Any] = asdict(self)
        out["mass_rate_kg_per_day"] = self.mass_rate * DAY
        out["mass_rate_lb_per_day"] = self.mass_rate * DAY / POUND
        out["mass_rate_g_per_h"] = self.mass_rate * 3.6e6
        out["effective_area_mm2"] = self.effective_area * 1e6
        out["equivalent_diameter_mm"] = self.equivalent_diameter * 1e3
        if self.pressure_rate is not None and self.time_constant is not None:
            out["pressure_rate_mmHg_per_day"] = self.pressure_rate * DAY / MMHG
            out["pressure_rate_psi_per_day"] = float(
                ureg.Quantity(self.pressure_rate, "Pa/s").m_as("psi/day")
            )
            out["pressure_rate_mbar_per_h"] = self.pressure_rate * 3600.0 / 100.0
            out["time_constant_days"] = self.time_constant / DAY
        out["scenario_leak"] = self.scenario_leak()
        return out

    def lines(self) -> list[str]:
        """Human-readable lines, one per form."""
        d = self.to_dict()
        rows = [
            f"mass rate:           {d['mass_rate_kg_per_day']:.4g} kg/day = "
            f"{d['mass_rate_lb_per_day']:.4g} lb/day = {d['mass_rate_g_per_h']:.4g} g/h",
            f"effective area:      Cd A = {d['effective_area_mm2']:.4g} mm^2 "
            f"({self.effective_area:.4g} m^2)",
            f"equivalent diameter: {d['equivalent_diameter_mm']:.4g} mm "
            f"(round hole, Cd = {self.discharge_coefficient:g})",
        ]
        if self.volume is not None:
            rows += [
                f"pressure rate:       {d['pressure_rate_mmHg_per_day']:.4g} mmHg/day = "
                f"{d['pressure_rate_psi_per_day']:.4g} psi/day = "
                f"{d['pressure_rate_mbar_per_h']:.4g} mbar/h in {self.volume:.4g} m^3",
                f"time constant:       {d['time_constant_days']:.4g} day "
                f"({self.time_constant:.4g} s, isothermal e-folding)",
            ]
        else:
            rows.append("pressure rate:       give --volume for mmHg/day, psi/day, mbar/h")
        rows.append(
            f"at {self.pressure / MMHG:.1f} mmHg and {self.temperature - 273.15:.1f} degC, "
            "choked to vacuum"
        )
        leak = d["scenario_leak"]
        rows.append(
            f'in a scenario file, paste as effective_area = "{leak["effective_area"]}" in '
            f'[[leak]] (or area = "{leak["area_at_default_cd"]}" with the default Cd '
            f"{leak['default_discharge_coefficient']:g})"
        )
        return rows


def convert_leak(
    value: str | pint.Quantity,
    *,
    volume: str | pint.Quantity | None = None,
    pressure: str | pint.Quantity = "760 mmHg",
    temperature: str | pint.Quantity = "22 degC",
    gas: str | Mapping[str, float] = "air",
    discharge_coefficient: float = DEFAULT_DISCHARGE_COEFFICIENT,
) -> LeakForms:
    """State a leak every way from any one of them.

    Parameters
    ----------
    value : str or pint.Quantity
        The leak: a mass rate (``"3.7 lb/day"``) [kg/s], a pressure rate (``"1 mmHg/(8 h)"``,
        its sign ignored: a leak always lowers pressure) [Pa/s], an effective area ``Cd A``
        (``"0.08 mm^2"``) [m^2], an equivalent diameter (``"0.4 mm"``) [m], or an e-folding
        time (``"3.6 day"``) [s]. Pressure rates and times need ``volume``.
    volume : str or pint.Quantity, optional
        Volume the gas leaks from [m^3].
    pressure : str or pint.Quantity, default "760 mmHg"
        Pressure at which the leak is stated [Pa].
    temperature : str or pint.Quantity, default "22 degC"
        Gas temperature [K].
    gas : str or mapping, default "air"
        Gas, as :func:`leaksim.core.gas.mole_fractions` takes it.
    discharge_coefficient : float, default 0.6
        Cd of the equivalent round hole, in (0, 1] [-].

    Returns
    -------
    LeakForms

    Raises
    ------
    leaksim.errors.ScenarioError
        On a value of no leak dimension, a non-positive value, or a pressure rate or time
        without a volume.

    Examples
    --------
    The April 2024 PrK rate (NASA OIG IG-24-020) at the nominal cabin gives the ``Cd A`` of
    :func:`leaksim.stations.iss`:

    >>> forms = convert_leak("3.7 lb/day", volume="5 m^3")
    >>> round(forms.effective_area * 1e6, 4), round(forms.time_constant / 86400, 2)
    (0.0815, 3.56)
    """
    quantity, form = _parse(value)
    cd = _discharge_coefficient(discharge_coefficient)
    p = si_value(pressure, "pressure", "pressure")
    t = si_value(temperature, "temperature", "temperature")
    v = None if volume is None else si_value(volume, "volume", "volume")
    r, psi = gas_constants(gas)
    if form in ("pressure rate", "time constant") and v is None:
        raise ScenarioError(f"a {form} needs a volume to give a mass rate, got none", "volume")
    given = float(quantity.magnitude)
    with np.errstate(over="ignore", under="ignore"):
        magnitude = float(quantity.to_base_units().magnitude)
    if form == "pressure rate":
        # "falls 2 mmHg/day" and "-2 mmHg/day" are one leak
        given, magnitude = abs(given), abs(magnitude)
    if not (given > 0 and math.isfinite(given)):
        raise ScenarioError(f"must be finite and > 0, got {value!r}", form)
    if not (magnitude > 0 and math.isfinite(magnitude)):
        raise ScenarioError(f"{value!r} is out of range: it is {magnitude:g} in SI units", form)
    # an overflow or underflow is refused by _check_range, by name
    with np.errstate(all="ignore"):
        if form == "mass rate":
            area = float(area_from_mass_flow(magnitude, p, t, r, psi))
        elif form == "pressure rate":
            assert v is not None
            area = float(area_from_mass_flow(magnitude * v / (r * t), p, t, r, psi))
        elif form == "effective area":
            area = magnitude
        elif form == "equivalent diameter":
            area = cd * math.pi * magnitude * magnitude / 4.0
        else:
            area = float(area_from_time_constant(v, magnitude, t, r, psi))
        forms = forms_from_area(
            area, pressure=p, temperature=t, volume=v, gas=(r, psi), cd=cd, given=form
        )
    _check_range(forms, value)
    return forms


def forms_from_area(
    area: float,
    *,
    pressure: float,
    temperature: float,
    volume: float | None,
    gas: tuple[float, float],
    cd: float = DEFAULT_DISCHARGE_COEFFICIENT,
    given: str = "effective area",
) -> LeakForms:
    """:class:`LeakForms` of an effective area [m^2] at SI pressure [Pa], temperature [K],
    volume [m^3] or None, and gas constants ``(R, psi*)`` from ``gas_constants``."""
    r, psi = gas
    mass_rate = float(choked_mass_flow(area, pressure, temperature, r, psi))
    rate = tau = None
    if volume is not None:
        rate = mass_rate * r * temperature / volume
        tau = float(time_constant(volume, area, temperature, r, psi))
    return LeakForms(
        mass_rate=mass_rate,
        effective_area=area,
        equivalent_diameter=math.sqrt(4.0 * area / (math.pi * cd)),
        discharge_coefficient=cd,
        pressure=pressure,
        temperature=temperature,
        volume=volume,
        pressure_rate=rate,
        time_constant=tau,
        given=given,
    )


def _check_range(forms: LeakForms, value: Any) -> None:
    """Refuse a leak one of whose forms is not a finite number > 0 (an overflow or an
    underflow), which neither the summary nor JSON can state."""
    with np.errstate(over="ignore", under="ignore"):
        values = {k: v for k, v in forms.to_dict().items() if isinstance(v, float)}
    for key, x in values.items():
        if not (math.isfinite(x) and x > 0):
            raise ScenarioError(
                f"{value!r} is out of range: its {key.replace('_', ' ')} would be {x:g}; "
                "state a leak whose every form is a finite number > 0",
                "leak",
            )


def _parse(value: Any) -> tuple[pint.Quantity, str]:
    """The quantity and which form of leak statement its dimension says it is."""
    q: Any
    if isinstance(value, str):
        try:
            q = ureg.Quantity(value.strip())
        except Exception as exc:  # pint raises several unrelated types on bad text
            raise ScenarioError(f"cannot read {value!r} as a quantity: {exc}", "leak") from None
    elif isinstance(value, pint.Quantity):
        q = value
    else:
        raise ScenarioError(
            f"must be a quantity such as '3.7 lb/day', got {type(value).__name__} {value!r}",
            "leak",
        )
    if not isinstance(q, pint.Quantity):
        raise ScenarioError(f"needs a unit (for example '3.7 lb/day'), got {value!r}", "leak")
    for form, dimension in _FORMS.items():
        if q.dimensionality == ureg.get_dimensionality(dimension):
            return q, form
    raise ScenarioError(
        "must be a mass rate (lb/day), a pressure rate (mmHg/day), an area (mm^2), a "
        f"diameter (mm) or a time constant (day), got {value!r}",
        "leak",
    )


def _discharge_coefficient(cd: Any) -> float:
    if isinstance(cd, bool) or not isinstance(cd, int | float) or not 0 < cd <= 1:
        raise ScenarioError(f"must be a number in (0, 1], got {cd!r}", "discharge_coefficient")
    return float(cd)
