"""The one unit registry of leaksim and the conversions at the public edge.

Quantities enter through :func:`to_si`, which checks the dimension, converts once to SI and
returns plain floats; inside the physics, network and solver modules there are no quantities
(pint's own performance guide: work on magnitudes in hot loops). Results put units back on
with :data:`ureg`.

Reading a string such as ``"5 mm"`` through pint's expression parser costs about 50 us, which
a list of 100,000 cases turns into seconds. So a string that is a plain decimal number followed
by a unit is read as ``float(number)`` times the unit's factor to SI, the unit parsed by pint
once (and remembered); a list of such strings is read with numpy in one pass, one pint
conversion per distinct unit. Anything else (an expression, a bad unit, a wrong dimension)
goes through pint's parser, which names the problem. Both readings give the same floats:
pint itself converts a multiplicative unit as ``value * factor``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pint

from .errors import ScenarioError

__all__ = ["ureg", "Quantity", "to_si", "strings_to_si", "parse_quantity", "SI_UNITS"]

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


#: A decimal number that pint reads the same way (an integer without leading zeros, or a
#: float literal), then the rest of the string, the unit.
_NUMBER = r"[+-]?(?:(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?|0|[1-9]\d*)"
_NUMBER_THEN_UNIT = re.compile(rf"\s*({_NUMBER})\s*(.*?)\s*", re.DOTALL)
#: An integer part with a leading zero, which pint's tokenizer splits ("0005 mm" is 0 mm).
_LEADING_ZERO = re.compile(r"(?m)^[+-]?0\d")


#: Longest string :func:`strings_to_si` reads in its one pass [characters].
_LONGEST_LISTED = 64


class _Unit(NamedTuple):
    """A unit parsed once: pint's unit and its factor to SI (None for an offset unit)."""

    units: Any
    factor: float | None

    def to_si(self, magnitude: np.ndarray, kind: str) -> np.ndarray:
        """``magnitude`` in this unit, in the SI unit of ``kind``."""
        if self.factor is not None:
            return magnitude * self.factor
        # An offset unit (degC, degF): pint converts the whole array at once.
        return np.asarray(ureg.Quantity(magnitude, self.units).m_as(SI_UNITS[kind]), dtype=float)


def _unit(text: str, kind: str) -> _Unit | None:
    """The unit ``text`` as a unit of ``kind``; None when it is not plainly one (pint's full
    reading then gives the message). Short texts are remembered."""
    return _short_unit(text, kind) if len(text) <= _LONGEST_LISTED else _parse_unit(text, kind)


@functools.lru_cache(maxsize=1024)
def _short_unit(text: str, kind: str) -> _Unit | None:
    return _parse_unit(text, kind)


def _parse_unit(text: str, kind: str) -> _Unit | None:
    try:
        parsed = ureg.parse_expression(text)
    except Exception:  # pint raises several unrelated types on bad text
        return None
    if not isinstance(parsed, pint.Quantity) or parsed.magnitude != 1:
        return None
    if _unit_problem(parsed, kind) is not None:
        return None
    si = SI_UNITS[kind]
    one, zero = (float(ureg.Quantity(x, parsed.units).m_as(si)) for x in (1.0, 0.0))
    return _Unit(parsed.units, one if zero == 0.0 else None)


def _read(text: str, kind: str) -> float | None:
    """A number and a unit read without pint's expression parser; None when it does not apply.

    Short texts are remembered: a station of 10,000 modules repeats its defaults ("760 mmHg",
    "22 degC").
    """
    return _read_short(text, kind) if len(text) <= _LONGEST_LISTED else _read_text(text, kind)


@functools.lru_cache(maxsize=4096)
def _read_short(text: str, kind: str) -> float | None:
    return _read_text(text, kind)


def _read_text(text: str, kind: str) -> float | None:
    match = _NUMBER_THEN_UNIT.fullmatch(text)
    if match is None or not match[2]:
        return None
    unit = _unit(match[2], kind)
    if unit is None:
        return None
    return float(unit.to_si(np.asarray(float(match[1])), kind))


def strings_to_si(texts: Sequence[Any], kind: str) -> np.ndarray | None:
    """SI floats of a list of ``"<number> <unit>"`` strings, read in one pass of numpy.

    numpy splits the strings, ``float()`` reads the numbers and pint parses and converts
    each distinct unit once: no pint call per value.

    Parameters
    ----------
    texts : sequence
        The values as given [the unit each names].
    kind : str
        A key of :data:`SI_UNITS`.

    Returns
    -------
    numpy.ndarray or None
        One float per string in the SI unit of ``kind``; None when an entry is not such a
        string or its unit is not plainly one of ``kind``: :func:`to_si` of that entry then
        says why. Entries may be NaN or infinite (``"inf s"``); the caller checks.
    """
    if not texts or not all(isinstance(t, str) for t in texts):
        return None
    # numpy gives every entry the room of the longest: one long string must not cost memory
    # for all of them (it is read on its own, by pint)
    if max(map(len, texts)) > _LONGEST_LISTED:
        return None
    number, _, unit_text = _partition(_strings.strip(np.asarray(texts, dtype=str)), " ")
    numbers = number.tolist()
    joined = "\n".join(numbers)
    # float() reads more than pint does (digits of other scripts, "1_0", "0005"): keep to
    # the numbers both read alike
    if not joined.isascii() or "_" in joined or _LEADING_ZERO.search(joined):
        return None
    try:
        magnitude = np.fromiter(map(float, numbers), dtype=float, count=len(numbers))
    except ValueError:
        return None
    unit_text = _strings.strip(unit_text)
    if bool(np.all(unit_text == unit_text[0])):
        units, which = unit_text[:1], np.zeros(magnitude.size, dtype=np.intp)
    else:
        units, which = np.unique(unit_text, return_inverse=True)
    out = np.empty(magnitude.shape)
    for i, text in enumerate(units.tolist()):
        unit = _unit(text, kind) if text else None
        if unit is None:
            return None
        mask = which.reshape(-1) == i
        out[mask] = unit.to_si(magnitude[mask], kind)
    return out


# numpy >= 2 has the string ufuncs of np.strings; np.char, the older interface, stacks the
# three parts of a partition into one array.
_strings: Any = getattr(np, "strings", np.char)


def _partition(a: np.ndarray, sep: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parts = _strings.partition(a, sep)
    return tuple(parts) if isinstance(parts, tuple) else tuple(np.moveaxis(parts, -1, 0))


def _unit_problem(q: pint.Quantity, kind: str) -> str | None:
    """Why quantity ``q`` is no ``kind``, as the end of a message; None when it is one."""
    unit = SI_UNITS[kind]
    if not q.check(ureg.Unit(unit).dimensionality):
        shown = unit.replace("**", "^")
        return f"must have the dimension of {shown}, got {{value}}{_misread_unit(q, kind)}"
    if kind == "temperature" and any(name.startswith("delta_") for name in _unit_names(q)):
        return (
            "must be an absolute temperature such as '22 degC' or '295.15 K', not a "
            "temperature difference (delta_degC, delta_degF), got {value}"
        )
    return None


def _misread_unit(q: pint.Quantity, kind: str) -> str:
    """A hint where pint read a temperature's C or F as another unit (coulomb, farad)."""
    if kind != "temperature":
        return ""
    names = set(_unit_names(q))
    for letter, misread, meant in (("C", "coulomb", "degC"), ("F", "farad", "degF")):
        if names == {misread}:
            return f" (pint reads '{letter}' as the {misread}: write '{meant}')"
    return ""


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
    q: pint.Quantity
    if isinstance(value, bool) or isinstance(value, int | float | np.number):
        raise ScenarioError(
            f"{kind} needs a unit (for example '{_example(kind)}'), got the bare number {value!r}"
        )
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ScenarioError(f"{kind} must be a quantity with a unit, got an empty string")
        if "," in text:
            # pint reads "2 m^3, 3" as the product 6 m^3: a comma is never part of one value.
            raise ScenarioError(
                f"cannot read {value!r} as a {kind}: a comma separates values; write one "
                f"quantity such as '{_example(kind)}', or a list of them for cases"
            )
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
            f"got {type(value).__name__} {_show(value)}"
        )
    problem = _unit_problem(q, kind)
    if problem is not None:
        raise ScenarioError(f"{kind} " + problem.format(value=_show(value)))
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
        many = strings_to_si(value, kind)
        out = many if many is not None else np.array([float(to_si(v, kind)) for v in value])
    elif isinstance(value, str) and (one := _read(value, kind)) is not None:
        if not math.isfinite(one):
            raise ScenarioError(f"{kind} must be finite, got {_show(value)}")
        return np.asarray(one)
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


#: Values of a list an error message shows before it elides the rest.
_SHOWN = 6


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, pint.Quantity):
        return f"{value:~P}" if np.ndim(value.magnitude) == 0 else str(value)
    if isinstance(value, Iterable):
        items = list(value)
        if len(items) > _SHOWN:
            # A message names a long list by its ends, not by a screenful of values.
            head = ", ".join(_show(v) for v in items[: _SHOWN - 1])
            return f"[{head}, ..., {_show(items[-1])}] ({len(items)} values)"
        return "[" + ", ".join(_show(v) for v in items) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value)


def _unit_names(q: pint.Quantity) -> list[str]:
    return [name for name, _ in q.unit_items()]
