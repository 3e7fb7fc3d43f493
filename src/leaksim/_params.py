"""Conversion and checks of the parameter values users give to stations and scenarios.

Private helpers shared by :mod:`leaksim.station` and :mod:`leaksim.scenario`. Every value may be
one value or a list with one value per case; the helpers return a 0-d array for one value and a
1-d array for a list (even a list of one), so the scenario can tell case lists from scalars.

Errors are :class:`~leaksim.errors.ScenarioError` whose rule names the key, the rule and the value
received; a list entry also gets its position, since the list may be long.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pint

from .errors import ScenarioError
from .units import SI_UNITS, _show, strings_to_si, to_si, ureg

#: A dimensional value: a pint quantity or a string pint parses (``"760 mmHg"``).
QuantityLike = str | pint.Quantity

#: Words that mean "this event never happens" in an event-time list.
NEVER = "never"


class SIValues:
    """Per-case values already in SI floats, for a parameter that takes a list of cases.

    Sweeps draw their values as SI floats; handing them to a station as ``SIValues`` skips
    the units library (no quantity is built or converted per case) while every rule of the
    parameter is still checked, on the whole array at once. Only a value that breaks a rule is
    looked at entry by entry, to name it.

    Parameters
    ----------
    values : array_like, shape (C,)
        One value per case [the SI unit ``unit``].
    unit : str, optional
        Unit of ``values`` as pint writes it (``"m"``, ``"kg/m/s**2"``); ``""`` for plain
        numbers [-].
    """

    def __init__(self, values: Any, unit: str = "") -> None:
        self.values = np.asarray(values, dtype=float).reshape(-1)
        self.unit = unit

    def __len__(self) -> int:
        return self.values.size

    def __repr__(self) -> str:
        return f"SIValues({self.values.size} values in {self.unit or 'no unit'})"

    def entries(self) -> list[SIValue]:
        """One :class:`SIValue` per case (used only to name a bad entry)."""
        return [SIValue(float(x), self.unit) for x in self.values]

    def in_unit(self, kind: str, key: str) -> np.ndarray:
        """The values in the SI unit of ``kind``, with one conversion factor for all."""
        return self.values * _factor(self.unit, SI_UNITS[kind], key)


class SIValue:
    """One entry of :class:`SIValues`: an SI float and its unit."""

    def __init__(self, value: float, unit: str) -> None:
        self.value = value
        self.unit = unit

    def quantity(self) -> pint.Quantity:
        """The value as a quantity, for messages."""
        return ureg.Quantity(self.value, self.unit)


#: One value, or one value per case (SIValues: per-case SI floats, as sweeps give them).
CaseValue = QuantityLike | Sequence[QuantityLike] | SIValues
#: An event time, or one per case where ``None`` or ``"never"`` means it does not happen.
EventTime = QuantityLike | Sequence[QuantityLike | None] | SIValues


def _factor(unit: str, target: str, key: str) -> float:
    """The factor from ``unit`` to ``target`` (1.0 between SI spellings)."""
    try:
        return float(ureg.Quantity(1.0, unit).m_as(target))
    except pint.DimensionalityError:
        wanted = f"in {target.replace('**', '^')}" if target else "a plain number"
        raise ScenarioError(f"{key} must be {wanted}, got values in {unit or 'no unit'}") from None


def fail(label: str | None, rule: str, item: tuple[str, int] | None = None) -> ScenarioError:
    """Build a ScenarioError at ``label``; ``item`` (kind, index) lets a file name its table."""
    err = ScenarioError(rule, label)
    # The scenario file maps (kind, index) back to "[[leak]] #2 'hole'".
    err.item = item
    return err


def show(value: Any) -> str:
    """The value as the user wrote it: strings quoted, quantities with their unit."""
    if isinstance(value, SIValue):
        return _show(value.quantity()) if value.unit else repr(value.value)
    return _show(value.item() if isinstance(value, np.generic) else value)


def unit_text(kind: str) -> str:
    """The SI unit of ``kind`` as users write it (``m^3``)."""
    return SI_UNITS[kind].replace("**", "^")


def entries(value: Any, key: str, label: str | None) -> tuple[list[Any], bool]:
    """Split one value or a per-case list into its entries and say whether it was a list."""
    if isinstance(value, SIValues):
        return value.entries(), True
    if isinstance(value, list | tuple):
        items, is_list = list(value), True
    elif isinstance(value, pint.Quantity | np.ndarray) and np.ndim(_magnitude(value)) > 0:
        if np.ndim(_magnitude(value)) > 1:
            raise fail(
                label,
                f"{key} must be one value or a list of values, got an array of "
                f"shape {np.shape(_magnitude(value))}",
            )
        items, is_list = list(value), True
    else:
        return [value], False
    if not items:
        raise fail(label, f"{key} list must hold at least one value, got []")
    for v in items:
        if isinstance(v, list | tuple):
            raise fail(
                label, f"{key} must be one value or a flat list of values, got {show(value)}"
            )
    return items, is_list


def convert(value: Any, key: str, label: str | None, one: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``one`` to each entry of ``value``; 0-d array for one value, 1-d for a list."""
    items, is_list = entries(value, key, label)
    out = []
    for i, v in enumerate(items):
        try:
            out.append(one(v))
        except ScenarioError as err:
            where = f" (entry {i + 1} of {len(items)})" if is_list else ""
            raise fail(label, err.rule + where) from None
    return np.array(out) if is_list else np.array(out[0])


def quantity(
    value: Any,
    kind: str,
    key: str,
    label: str | None,
    *,
    above: float | None = None,
    at_least: float | None = None,
    never: bool = False,
) -> np.ndarray:
    """Convert a dimensional value (or per-case list) to SI floats and check its range.

    Parameters
    ----------
    value : str, pint.Quantity, or a list of these
        The value as the user gave it.
    kind : str
        Key of :data:`leaksim.units.SI_UNITS` giving the dimension.
    key : str
        Parameter name used in messages.
    label : str or None
        Where the value belongs, e.g. ``"leak 'hole'"``.
    above, at_least : float, optional
        Strict and inclusive lower bounds in the SI unit of ``kind``.
    never : bool
        Accept ``None`` or ``"never"`` entries, returned as ``inf`` (an event that does not
        happen in that case).

    Returns
    -------
    numpy.ndarray
        0-d for one value, 1-d for a list, in the SI unit of ``kind``.
    """

    def one(v: Any) -> float:
        if never and _is_never(v):
            return math.inf
        if never and isinstance(v, pint.Quantity) and np.ndim(v.magnitude) == 0 and v.m == math.inf:
            _si_float(v.__class__(0.0, v.units), kind, key)  # still a time
            return math.inf
        if isinstance(v, SIValue):
            x = v.value * _factor(v.unit, SI_UNITS[kind], key)
            if not (math.isfinite(x) or (never and x == math.inf)):
                raise ScenarioError(f"{key} must be finite, got {show(v)}")
        else:
            x = _si_float(v, kind, key)
        if above is not None and not x > above:
            raise ScenarioError(f"{key} must be > {above:g} {unit_text(kind)}, got {show(v)}")
        if at_least is not None and not x >= at_least:
            raise ScenarioError(f"{key} must be >= {at_least:g} {unit_text(kind)}, got {show(v)}")
        if x != 0.0 and math.isfinite(x) and not PLAUSIBLE_SIZE[0] <= abs(x) <= PLAUSIBLE_SIZE[1]:
            raise ScenarioError(_implausible(key, unit_text(kind), show(v), above is not None))
        return x

    if isinstance(value, str):
        try:
            return np.asarray(one(value))
        except ScenarioError as err:
            raise fail(label, err.rule) from None

    if isinstance(value, SIValues) and len(value):
        try:
            si = value.in_unit(kind, key)
        except ScenarioError as err:
            raise fail(label, err.rule) from None
        fast = _checked(si, above, at_least, never)
        if fast is not None:
            return fast
    if isinstance(value, pint.Quantity) and np.ndim(value.magnitude) == 1:
        fast = _quantity_array(value, kind, above, at_least, never)
        if fast is not None:
            return fast
    if isinstance(value, list | tuple) and value:
        fast = _string_list(value, kind, above, at_least, never)
        if fast is not None:
            return fast
    return convert(value, key, label, one)


def _string_list(
    values: Sequence[Any], kind: str, above: float | None, at_least: float | None, never: bool
) -> np.ndarray | None:
    """Convert a list of quantity strings in one pass; None when any entry breaks a rule.

    :func:`leaksim.units.strings_to_si` reads a list of ``"<number> <unit>"`` strings with
    one pint conversion per distinct unit; only a list with a bad entry is walked entry by
    entry, to name it. With ``never``, ``None`` and ``"never"`` entries are events that do not
    happen.
    """
    items = list(values)
    happens = np.ones(len(items), dtype=bool)
    if never:
        happens = np.array([not _is_never(v) for v in items])
        items = [v if h else "0 s" for v, h in zip(items, happens, strict=True)]
    x = strings_to_si(items, kind)
    if x is None:
        return None
    x[~happens] = np.inf
    return _checked(x, above, at_least, never)


def _is_never(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip().lower() == NEVER)


def _quantity_array(
    value: pint.Quantity, kind: str, above: float | None, at_least: float | None, never: bool
) -> np.ndarray | None:
    """Convert an array quantity in one call; None when any entry breaks a rule.

    Checking entry by entry costs about 50 us each through pint, 5 s for 100,000 cases; a
    valid array is converted at once and only an invalid one is walked to name the bad entry.
    With ``never``, ``+inf`` entries are event times that do not happen.
    """
    if len(value) == 0:
        return None
    never_happens = np.zeros(len(value), dtype=bool)
    if never:
        # to_si refuses inf; here it means "never": convert the others and put it back
        magnitude = np.asarray(value.magnitude, dtype=float)
        never_happens = magnitude == np.inf
        value = value.__class__(np.where(never_happens, 0.0, magnitude), value.units)
    try:
        x = np.asarray(to_si(value, kind), dtype=float)
    except ScenarioError:
        return None
    x[never_happens] = np.inf
    return _checked(x, above, at_least, never)


def _checked(
    x: np.ndarray, above: float | None, at_least: float | None, never: bool
) -> np.ndarray | None:
    """``x`` if every entry is finite (or ``+inf`` with ``never``), plausible and within the
    bounds."""
    ok = bool(np.all(np.isfinite(x) | (never & (x == np.inf)))) and _plausible(x)
    if above is not None:
        ok = ok and bool(np.all(x > above))
    if at_least is not None:
        ok = ok and bool(np.all(x >= at_least))
    return x if ok else None


#: Smallest and largest size of a non-zero value accepted, in SI units (or plain numbers for
#: counts). Values beyond are no spacecraft's (1e-20 m^3 is a grain of dust, 1e20 s three
#: trillion years), and the model's squares and products of them leave float64: a volume of
#: 1e-300 m^3 or a hole of 1e100 m overflows the solver's error norm.
PLAUSIBLE_SIZE = (1e-20, 1e20)


def _plausible(x: np.ndarray) -> bool:
    """Whether every finite non-zero entry of ``x`` has a size within :data:`PLAUSIBLE_SIZE`."""
    size = np.abs(x[np.isfinite(x) & (x != 0)])
    low, high = PLAUSIBLE_SIZE
    return bool(np.all((size >= low) & (size <= high)))


def _implausible(key: str, unit: str, shown: str, positive: bool) -> str:
    low, high = PLAUSIBLE_SIZE
    where = f"between {low:g} and {high:g} {unit}".rstrip()
    if not positive:
        where = f"0 or of a size {where}"
    return f"{key} must be {where} (the model's float64 arithmetic fails beyond), got {shown}"


def number(
    value: Any, key: str, label: str | None, *, low: float, high: float, high_open: bool = False
) -> np.ndarray:
    """Convert a dimensionless number (or per-case list) and check it lies in ``(low, high]``.

    ``high_open`` makes the interval ``(low, high)``.
    """
    interval = f"({low:g}, {high:g}{')' if high_open else ']'}"
    if isinstance(value, SIValues) and len(value):
        try:
            x = value.values * _factor(value.unit, "", key) if value.unit else value.values
        except ScenarioError as err:
            raise fail(label, err.rule) from None
        inside = (low < x) & ((x < high) if high_open else (x <= high))
        if np.all(np.isfinite(x) & inside):
            return x

    def one(v: Any) -> float:
        x = _plain_float(v, key)
        if not (low < x < high or (x == high and not high_open)):
            raise ScenarioError(f"{key} must be in {interval}, got {show(v)}")
        return x

    return convert(value, key, label, one)


def boolean(value: Any, key: str, label: str | None) -> np.ndarray:
    """Convert ``True``/``False`` (or a per-case list of them) to a bool array."""

    def one(v: Any) -> bool:
        if not isinstance(v, bool | np.bool_):
            raise ScenarioError(f"{key} must be true or false, got {show(v)}")
        return bool(v)

    return convert(value, key, label, one)


def name(value: Any, key: str, label: str | None) -> str:
    """Check that a name is a non-empty string and return it."""
    if not isinstance(value, str) or not value.strip():
        raise fail(label, f"{key} must be a non-empty string, got {show(value)}")
    return value


def exactly_one(label: str | None, given: dict[str, Any]) -> str:
    """Return the one key of ``given`` whose value is not None, else raise naming them all."""
    present = [k for k, v in given.items() if v is not None]
    if len(present) != 1:
        keys = " and ".join(given)
        got = (
            "neither"
            if not present
            else "both " + " and ".join(f"{k} = {show(given[k])}" for k in present)
        )
        raise fail(label, f"give exactly one of {keys}, got {got}")
    return present[0]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string; a choice that
    differs only in case is the closest ('lab' for 'Lab')."""
    options = list(choices)
    by_case = {c.casefold(): c for c in options}
    if word.casefold() in by_case:
        return f" (did you mean {by_case[word.casefold()]!r}?)"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def per_case(values: np.ndarray | float, n_cases: int) -> np.ndarray:
    """Broadcast a 0-d value or a list of one to ``(n_cases,)``; a full list is kept."""
    array = np.asarray(values)
    return np.full(n_cases, array.reshape(-1)[0]) if array.size == 1 else array.copy()


def _si_float(v: Any, kind: str, key: str) -> float:
    try:
        return float(to_si(v, kind))
    except ScenarioError as err:
        raise ScenarioError(_renamed(err.rule, kind, key)) from None


def _renamed(rule: str, kind: str, key: str) -> str:
    # units.to_si speaks of the dimension ("length"); users know the key ("diameter").
    if key == kind:
        return rule
    if rule.startswith(kind + " "):
        return key + rule[len(kind) :]
    return f"{key}: {rule}"


def _plain_float(v: Any, key: str) -> float:
    if isinstance(v, SIValue):
        v = v.quantity() if v.unit else v.value
    if isinstance(v, pint.Quantity):
        if not v.dimensionless:
            raise ScenarioError(f"{key} must be dimensionless, got {show(v)}")
        v = v.m_as("")
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
        raise ScenarioError(f"{key} must be a plain number, got {show(v)}")
    if not math.isfinite(v):
        raise ScenarioError(f"{key} must be finite, got {show(v)}")
    return float(v)


def _magnitude(value: Any) -> Any:
    return value.magnitude if isinstance(value, pint.Quantity) else value
