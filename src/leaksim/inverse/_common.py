"""Shared pieces of the inverse tools: gas constants, the choked-orifice relations, intervals.

Plain SI floats in, plain SI floats out. For a volume ``V`` of ideal gas at temperature ``T``
leaking through an effective area ``Cd A`` to vacuum the orifice is always choked (Saad,
Compressible Fluid Flow, 2nd ed., pp. 98-106; :mod:`leaksim.core.flow`), so

.. math::

    \\dot m = \\frac{C_d A\\, p\\, \\psi^*}{\\sqrt{R T}},\\qquad
    \\frac{dp}{dt} = \\frac{R T}{V} \\frac{dm}{dt},\\qquad
    \\tau = \\frac{V}{C_d A\\, \\psi^* \\sqrt{R T}},

the last being the e-folding time of an isothermal volume (``p = p0 exp(-t / tau)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.flow import choked_flow_function
from ..core.gas import (
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    mole_fractions,
    species_properties,
    specific_gas_constant,
)
from ..errors import ScenarioError
from ..units import to_si

#: Seconds per day [s].
DAY = 86400.0
#: One avoirdupois pound [kg] (exact, international yard and pound agreement of 1959).
POUND = 0.45359237
#: One mmHg [Pa] (conventional, 133.322387415 Pa).
MMHG = 133.322387415


def gas_constants(gas: str | Mapping[str, float] = "air") -> tuple[float, float]:
    """Specific gas constant [J/(kg K)] and choked flow function ``psi*`` [-] of a gas.

    Parameters
    ----------
    gas : str or mapping of str to float, default "air"
        ``"air"``, a species name, or mole fractions, as :func:`leaksim.core.gas.mole_fractions`.

    Raises
    ------
    leaksim.errors.ScenarioError
        On an unknown gas.
    """
    try:
        fractions = mole_fractions(gas)
    except ValueError as exc:
        raise ScenarioError(str(exc), "gas") from None
    names = tuple(fractions)
    molar_mass, cp = species_properties(names)
    x = np.array([fractions[n] for n in names])
    r = float(specific_gas_constant(mixture_molar_mass(x, molar_mass)))
    gamma = float(heat_capacity_ratio(mixture_molar_heat_capacity(x, cp)))
    return r, float(choked_flow_function(gamma))


def choked_mass_flow(effective_area: Any, pressure: Any, temperature: Any, r: float, psi: float):
    """Mass flow of a choked orifice to vacuum, ``Cd A p psi* / sqrt(R T)`` [kg/s]."""
    return np.asarray(effective_area) * pressure * psi / np.sqrt(r * np.asarray(temperature))


def area_from_mass_flow(mass_flow: Any, pressure: Any, temperature: Any, r: float, psi: float):
    """Effective area ``Cd A`` [m^2] that passes ``mass_flow`` [kg/s] choked to vacuum."""
    return np.asarray(mass_flow) * np.sqrt(r * np.asarray(temperature)) / (pressure * psi)


def time_constant(volume: Any, effective_area: Any, temperature: Any, r: float, psi: float):
    """E-folding time ``V / (Cd A psi* sqrt(R T))`` of an isothermal volume [s]."""
    return np.asarray(volume) / (np.asarray(effective_area) * psi * np.sqrt(r * temperature))


def area_from_time_constant(volume: Any, tau: Any, temperature: Any, r: float, psi: float):
    """Effective area [m^2] whose isothermal e-folding time in ``volume`` is ``tau`` [s]."""
    return np.asarray(volume) / (np.asarray(tau) * psi * np.sqrt(r * temperature))


def si_value(value: Any, kind: str, key: str, *, positive: bool = True) -> float:
    """One SI float from a quantity string or pint quantity, named ``key`` in errors."""
    try:
        x = float(to_si(value, kind))
    except ScenarioError as err:
        raise ScenarioError(err.rule, key) from None
    if positive and not x > 0:
        raise ScenarioError(f"must be > 0, got {value!r}", key)
    return x


def check_level(level: float) -> float:
    """Check a confidence level lies in (0, 1)."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ScenarioError(f"must be in (0, 1), got {level!r}", "confidence")
    return float(level)


def coverage_factor(level: float, dof: float) -> float:
    """Two-sided coverage factor: Student t with ``dof`` degrees of freedom, normal if inf.

    The t quantile applies when the noise is estimated from the residuals (JCGM 100:2008,
    GUM, G.3); with a stated noise (``dof = inf``) the normal quantile applies.
    """
    from scipy import stats  # imported here: scipy.stats takes a second to import

    q = 0.5 + level / 2.0
    return float(stats.norm.ppf(q) if not math.isfinite(dof) else stats.t.ppf(q, dof))


def read_events(events: Sequence[Any]) -> list[tuple[float, float | None]]:
    """Hatch events of a log as sorted (time [s], new volume [m^3] or None): each a time, a
    (time, volume) pair or a mapping with ``time`` and ``volume``, times counted from the log's
    time zero as its time column is (``fit`` and the live monitor read them alike)."""
    if isinstance(events, str | bytes) or not isinstance(events, Sequence):
        raise ScenarioError(
            f"must be a list of times or (time, volume) pairs, got {events!r}", "events"
        )
    out = []
    for i, e in enumerate(events):
        key = f"events[{i}]"
        if isinstance(e, Mapping):
            time, vol = e.get("time"), e.get("volume")
        elif isinstance(e, tuple | list):
            if len(e) != 2:
                raise ScenarioError(f"must be a time or a (time, volume) pair, got {e!r}", key)
            time, vol = e
        else:
            time, vol = e, None
        t = si_value(time, "time", f"{key} time", positive=False)
        v = None if vol is None else si_value(vol, "volume", f"{key} volume")
        out.append((t, v))
    return sorted(out, key=lambda ev: ev[0])
