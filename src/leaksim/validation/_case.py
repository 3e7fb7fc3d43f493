"""One validation case: a reference, leaksim's value, a tolerance and why.

A :class:`CaseResult` holds both sides as intervals ``(low, high)``: a single published number
is an interval of zero width, a figure that sources disagree on, or a leaksim run over an
uncertain input, is a band. Three comparisons cover every case:

* ``"relative"``: ``|leaksim / reference - 1|`` of the two midpoints, for closed forms and
  code-to-code numbers;
* ``"absolute"``: ``|leaksim - reference|`` in the case's unit;
* ``"overlap"``: the gap between the two intervals, 0 when they overlap, for real events where
  the sources disagree and leaksim is run over the uncertain inputs: the case passes when the
  bands meet, and no single number is fitted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.flow import choked_flow_function
from ..core.gas import (
    AIR,
    MOLAR_GAS_CONSTANT,
    heat_capacity_ratio,
    mixture_molar_heat_capacity,
    mixture_molar_mass,
    mole_fractions,
    species_properties,
)

__all__ = ["CaseResult", "Group", "gas_properties", "time_constant", "MMHG"]

#: The conventional millimetre of mercury [Pa] (NIST SP 811).
MMHG = 133.322387415

COMPARISONS = ("relative", "absolute", "overlap")


@dataclass(frozen=True)
class CaseResult:
    """A reference and leaksim's answer to the same question, with the tolerance and why.

    Parameters
    ----------
    name : str
        What is compared, one line.
    source : str
        Where the reference comes from (a closed form and its book, a code and its file, a
        published figure and its confidence grade).
    reference : tuple of float
        ``(low, high)`` of the reference [unit]; equal for a single number.
    leaksim : tuple of float
        ``(low, high)`` of leaksim's answer [unit]; a band when leaksim runs over uncertain
        inputs.
    unit : str
        Unit of both sides, as printed [-].
    comparison : {"relative", "absolute", "overlap"}
        How the difference is measured (module docstring).
    tolerance : float
        Largest difference that passes [-] for relative, [unit] otherwise.
    why : str
        Why this tolerance: the accuracy of the reference and the differences in law.
    """

    name: str
    source: str
    reference: tuple[float, float]
    leaksim: tuple[float, float]
    unit: str
    comparison: str
    tolerance: float
    why: str

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise ValueError(f"comparison must be one of {COMPARISONS}, got {self.comparison!r}")

    @property
    def difference(self) -> float:
        """The difference the tolerance bounds; NaN when leaksim gave no finite answer."""
        ref_lo, ref_hi = self.reference
        lo, hi = self.leaksim
        if not all(math.isfinite(v) for v in (*self.reference, *self.leaksim)):
            return math.nan
        if self.comparison == "overlap":
            return max(0.0, max(ref_lo, lo) - min(ref_hi, hi))
        mine, theirs = (lo + hi) / 2, (ref_lo + ref_hi) / 2
        if self.comparison == "relative":
            return abs(mine / theirs - 1.0)
        return abs(mine - theirs)

    @property
    def passed(self) -> bool:
        """Whether the difference is finite and within the tolerance."""
        return bool(self.difference <= self.tolerance)


@dataclass
class Group:
    """Cases of one kind with the text that explains them and the figures that show them.

    Attributes
    ----------
    title : str
        Section title in the report.
    text : str
        Markdown paragraph: what is compared and every difference in law.
    cases : list of CaseResult
        The rows of the report's table.
    figures : list of (str, callable)
        File name of a PNG and a function that draws it on a given matplotlib Figure.
    """

    title: str
    text: str
    cases: list[CaseResult] = field(default_factory=list)
    figures: list[tuple[str, Callable[[Any], None]]] = field(default_factory=list)


def gas_properties(gas: str = "air") -> tuple[float, float]:
    """Specific gas constant [J/(kg K)] and heat-capacity ratio [-] of leaksim's gas.

    Parameters
    ----------
    gas : str, default "air"
        ``"air"`` (U.S. Standard Atmosphere 1976, as :data:`leaksim.core.gas.AIR`) or a species.

    Returns
    -------
    tuple of float
        ``(R, gamma)``.
    """
    fractions = AIR if gas == "air" else mole_fractions(gas)
    names = tuple(fractions)
    x = np.array([fractions[s] for s in names])
    molar_mass, cp = species_properties(names)
    r = MOLAR_GAS_CONSTANT / float(mixture_molar_mass(x, molar_mass))
    return r, float(heat_capacity_ratio(mixture_molar_heat_capacity(x, cp)))


def time_constant(volume: float, effective_area: float, temperature: float, gas="air") -> float:
    """Blowdown time constant ``tau = V / (Cd A psi* sqrt(R T0))`` to vacuum [s].

    Parameters
    ----------
    volume : float
        Module volume [m^3].
    effective_area : float
        ``Cd A`` of the hole [m^2].
    temperature : float
        Initial gas temperature ``T0`` [K].
    gas : str, default "air"
        Gas, as for :func:`gas_properties`.

    Returns
    -------
    float
        ``tau`` [s] (Saad, Compressible Fluid Flow, 2nd ed., pp. 103-106).
    """
    r, gamma = gas_properties(gas)
    flux = float(choked_flow_function(gamma)) * math.sqrt(r * temperature)
    return volume / (effective_area * flux)
