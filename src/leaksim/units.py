"""The one unit registry of leaksim and the conversions at the public edge.

Quantities enter through :func:`to_si`, which checks the dimension, converts once to SI and
returns plain floats; inside the physics, network and solver modules there are no quantities
(pint's own performance guide: work on magnitudes in hot loops). Results put units back on
with :data:`ureg`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pint

from .errors import ScenarioError

__all__ = ["ureg", "Quantity", "to_si", "parse_quantity", "SI_UNITS"]

ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
ureg.formatter.default_format = "~P"
Quantity = ureg.Quantity

#: SI unit used inside leaksim for each kind of value, and the dimension it must have.
SI_UNITS: dict[str, str] = {
    "volume": "m**3",
    "pressure": "Pa",
    "temperature": "K",
    "area": "m**2",
    "length": "m",
    "time": "s",
    "mass": "kg",
    "mass_flow": "kg/s",
    "heat_transfer_coefficient": "W/(m**2*K)",
    "pressure_rate": "Pa/s",
    "area_rate": "m**2/s",
    "force": "N",
    "volume_flow": "m**3/s",
}


def parse_quantity(value: Any, kind: str) -> pint.Quantity:
    """Parse ``value`` (a string such as ``"760 mmHg"`` or a pint quantity) as a ``kind``.

    Parameters
    ----------
    value : str or pint.Quantity
        The value to parse. A bare number is refused: leaksim never guesses a unit.
    kind : str
        A key of :data:`SI_UNITS` naming the dimension expected.

    Returns
    -------
    pint.Quantity

    Raises
    ------
    ScenarioError
        If the value is not a quantity of the right dimension.
    """
    unit = SI_UNITS[kind]
    q: pint.Quantity
    if isinstance(value, bool) or isinstance(value, int | float | np.number):
        raise ScenarioError(
            f"{kind} needs a unit (for example '{_example(kind)}'), got the bare number {value!r}"
        )
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ScenarioError(f"{kind} must be a quantity with a unit, got an empty string")
        try:
            q = ureg.Quantity(text)
        except Exception as exc:  # pint raises several unrelated types on bad text
            raise ScenarioError(f"cannot read {value!r} as a {kind}: {exc}") from None
        if not isinstance(q, pint.Quantity) or q.dimensionless:
            raise ScenarioError(
                f"{kind} needs a unit (for example '{_example(kind)}'), got {value!r}"
            )
    elif isinstance(value, pint.Quantity):
        q = value
    else:
        raise ScenarioError(
            f"{kind} must be a quantity string such as '{_example(kind)}', "
            f"got {type(value).__name__} {value!r}"
        )
    if not q.check(ureg.Unit(unit).dimensionality):
        shown = unit.replace("**", "^")
        raise ScenarioError(f"{kind} must have the dimension of {shown}, got {_show(value)}")
    return q


def to_si(value: Any, kind: str) -> np.ndarray:
    """Convert a quantity, a quantity string, or a sequence of them to SI floats.

    Parameters
    ----------
    value : str, pint.Quantity, or a sequence of these
        One value, or one value per case. A pint quantity may hold an array.
    kind : str
        A key of :data:`SI_UNITS`.

    Returns
    -------
    numpy.ndarray
        Float64 magnitudes in the SI unit of ``kind`` (0-d for one value, 1-d for a list).

    Raises
    ------
    ScenarioError
        On a bare number, a wrong dimension, or a value that is NaN or infinite.
    """
    if isinstance(value, list | tuple):
        if len(value) == 0:
            raise ScenarioError(f"{kind} list must hold at least one value, got []")
        out = np.array([float(np.asarray(to_si(v, kind))) for v in value])
    else:
        q = parse_quantity(value, kind)
        out = np.asarray(q.m_as(SI_UNITS[kind]), dtype=float)
    if not np.all(np.isfinite(out)):
        raise ScenarioError(f"{kind} must be finite, got {_show(value)}")
    return out


def _example(kind: str) -> str:
    return {
        "volume": "60 m^3",
        "pressure": "760 mmHg",
        "temperature": "22 degC",
        "area": "0.5 m^2",
        "length": "5 mm",
        "time": "6 h",
        "mass": "50 kg",
        "mass_flow": "2 kg/day",
        "heat_transfer_coefficient": "2 W/(m^2*K)",
        "pressure_rate": "-1 mmHg/min",
        "area_rate": "0.01 mm^2/day",
        "force": "500 N",
    }[kind]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, pint.Quantity):
        return f"{value:~P}" if np.ndim(value.magnitude) == 0 else str(value)
    if isinstance(value, Iterable):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value)
