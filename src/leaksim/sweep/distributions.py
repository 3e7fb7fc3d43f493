"""What a swept parameter takes in each case: distributions, weighted choices, tables and grids.

Every random kind maps a uniform number ``u`` in (0, 1) to a value through its inverse
cumulative distribution function (the inverse-transform method, Devroye 1986, *Non-Uniform
Random Variate Generation*, ch. II.2), so a case's value depends only on its own ``u``, which
:mod:`leaksim.sweep.sampling` derives from the seed and the case index. Tables and grids are
not random: a table is cycled over the cases, the grids of a sweep form an outer product.

Values with units are converted once to SI floats (pint's base units); dimensionless numbers
stay plain. Each kind is built from Python (``LogUniform("1 mm", "100 mm")``) or from a
``[sweep.parameters]`` entry of a scenario file (:func:`from_table`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pint
from scipy.special import ndtri

from .. import _params as p
from ..errors import ScenarioError
from ..units import ureg

__all__ = [
    "Distribution",
    "Uniform",
    "LogUniform",
    "Normal",
    "LogNormal",
    "Choice",
    "Table",
    "Grid",
    "from_table",
]


#: Largest |z| a standard normal takes by inverse transform: the uniform numbers of
#: :mod:`leaksim.sweep.sampling` lie in [2**-54, 1 - 2**-53], and ndtri(2**-54) = -8.29.
_Z_MAX = float(-ndtri(2.0**-54))

#: Natural logarithms of the largest float64 and of the smallest normal one.
_LOG_MAX, _LOG_TINY = math.log(sys.float_info.max), math.log(sys.float_info.min)


def _si(value: Any, key: str) -> tuple[float, str]:
    """A quantity or number as an SI float and its SI unit (``""`` when dimensionless)."""
    if isinstance(value, bool) or value is None:
        raise ScenarioError(f"{key} must be a number or a quantity, got {p.show(value)}")
    try:
        q = ureg.Quantity(value) if isinstance(value, str) else value
        if not isinstance(q, pint.Quantity):
            q = ureg.Quantity(float(q))
        base = q.to_base_units()
    except (pint.PintError, ValueError, TypeError, AttributeError):
        raise ScenarioError(
            f"{key} must be a number or a quantity such as '5 mm', got {p.show(value)}"
        ) from None
    x = float(base.magnitude)
    if not math.isfinite(x):
        raise ScenarioError(f"{key} must be finite, got {p.show(value)}")
    unit = "" if base.dimensionless else f"{base.units:~C}"
    return x, unit


def _same_unit(key: str, units: Sequence[str], values: Sequence[Any]) -> str:
    if len(set(units)) > 1:
        shown = ", ".join(p.show(v) for v in values)
        raise ScenarioError(f"{key} values must share one dimension, got {shown}")
    return units[0]


class Distribution:
    """Base of the swept-value kinds: ``values(u, index)`` gives one value per case.

    Attributes
    ----------
    unit : str
        SI unit of the values (``""`` for plain numbers or names) [-].
    random : bool
        Whether the kind draws on the case's uniform number ``u``.
    """

    unit: str = ""
    random: ClassVar[bool] = True
    numeric: bool = True

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Values for cases with uniform numbers ``u`` and grid/table positions ``index``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform between ``low`` and ``high``.

    Examples
    --------
    >>> Uniform("1 min", "3 min").values(np.array([0.5]), np.array([0])).tolist()
    [120.0]
    """

    low: Any
    high: Any
    unit: str = field(init=False, repr=False, default="")
    _bounds: tuple[float, float] = field(init=False, repr=False, default=(0.0, 0.0))

    def __post_init__(self) -> None:
        (lo, u1), (hi, u2) = _si(self.low, "low"), _si(self.high, "high")
        _same_unit("low and high", [u1, u2], [self.low, self.high])
        if not lo < hi:
            raise ScenarioError(
                f"low must be below high, got low = {p.show(self.low)}, high = {p.show(self.high)}"
            )
        if not math.isfinite(hi - lo):
            raise ScenarioError(
                f"high - low must be a finite number, got low = {p.show(self.low)}, "
                f"high = {p.show(self.high)}"
            )
        object.__setattr__(self, "unit", u1)
        object.__setattr__(self, "_bounds", (lo, hi))

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds
        return lo + (hi - lo) * u


@dataclass(frozen=True)
class LogUniform(Uniform):
    """Uniform in the logarithm between ``low`` and ``high`` (both > 0).

    The usual prior for a hole size spanning decades: each decade is equally likely.

    Examples
    --------
    >>> LogUniform("1 mm", "100 mm").values(np.array([0.5]), np.array([0])).round(6).tolist()
    [0.01]
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self._bounds[0] > 0:
            raise ScenarioError(f"loguniform low must be > 0, got {p.show(self.low)}")

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        lo, hi = np.log(self._bounds)
        return np.exp(lo + (hi - lo) * u)


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal with ``mean`` and standard deviation ``sd``.

    Values beyond what the parameter allows (a negative diameter) are refused before the sweep
    runs, naming the case; truncate with a lognormal or uniform when that can happen.
    """

    mean: Any
    sd: Any
    unit: str = field(init=False, repr=False, default="")
    _loc: tuple[float, float] = field(init=False, repr=False, default=(0.0, 1.0))

    def __post_init__(self) -> None:
        (m, u1), (s, u2) = _si(self.mean, "mean"), _si(self.sd, "sd")
        _same_unit("mean and sd", [u1, u2], [self.mean, self.sd])
        if not s > 0:
            raise ScenarioError(f"sd must be > 0, got {p.show(self.sd)}")
        if not math.isfinite(abs(m) + s * _Z_MAX):
            raise ScenarioError(
                f"sd must keep every draw mean +- {_Z_MAX:.2f} sd within float64, got "
                f"{p.show(self.sd)}"
            )
        object.__setattr__(self, "unit", u1)
        object.__setattr__(self, "_loc", (m, s))

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        m, s = self._loc
        return m + s * ndtri(u)


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Log-normal with ``median`` and ``sigma``, the standard deviation of the logarithm.

    ``exp(ln(median) + sigma z)`` with ``z`` standard normal; the usual model of human
    response times (a long right tail).

    Examples
    --------
    >>> LogNormal("10 min", 0.5).values(np.array([0.5]), np.array([0])).tolist()
    [600.0]
    """

    median: Any
    sigma: float
    unit: str = field(init=False, repr=False, default="")
    _median: float = field(init=False, repr=False, default=1.0)

    def __post_init__(self) -> None:
        m, unit = _si(self.median, "median")
        if not m > 0:
            raise ScenarioError(f"median must be > 0, got {p.show(self.median)}")
        sigma, sigma_unit = _si(self.sigma, "sigma")
        if sigma_unit or not sigma > 0:
            raise ScenarioError(f"sigma must be a plain number > 0, got {p.show(self.sigma)}")
        # median exp(sigma z) for |z| up to 8.29 must stay a finite, nonzero float64
        limit = min(_LOG_MAX - math.log(m), math.log(m) - _LOG_TINY) / _Z_MAX
        if not sigma <= limit:
            raise ScenarioError(
                f"sigma must be <= {limit:.4g} for median {p.show(self.median)}, so that every "
                f"draw median x exp(sigma z), |z| <= {_Z_MAX:.2f}, is a finite number > 0; got "
                f"{p.show(self.sigma)}"
            )
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "_median", m)

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        return self._median * np.exp(float(self.sigma) * ndtri(u))


def _listed(values: Any, key: str) -> list[Any]:
    if not isinstance(values, list | tuple) or not values:
        raise ScenarioError(f"{key} must be a non-empty list, got {p.show(values)}")
    return list(values)


def _converted(values: list[Any], key: str) -> tuple[np.ndarray, str, bool]:
    """SI floats and unit for numeric entries, else the entries as text (names, "never")."""
    if all(isinstance(v, str) and not _looks_numeric(v) for v in values):
        return np.array(values, dtype=object), "", False
    converted: list[tuple[float, str | None]] = []
    for i, v in enumerate(values):
        if isinstance(v, str) and v.strip().lower() == p.NEVER:
            converted.append((math.inf, None))
            continue
        try:
            converted.append(_si(v, key))
        except ScenarioError as err:
            raise ScenarioError(f"{err.rule} (entry {i + 1} of {len(values)})") from None
    units: list[str] = [u for _, u in converted if u is not None]
    unit = _same_unit(key, units, values) if units else ""
    return np.array([x for x, _ in converted]), unit, True


def _looks_numeric(text: str) -> bool:
    # As Leak.to reads it: a number starts with a digit, a sign or a point.
    return text.strip()[:1] in set("0123456789+-.")


@dataclass(frozen=True)
class Choice(Distribution):
    """One of ``values`` with probabilities proportional to ``weights`` (equal by default).

    Values are names (a module, a gas) or quantities (``"5 min"``, ``"never"``).

    Examples
    --------
    >>> Choice(["Lab", "Node1"], weights=[3, 1]).values(np.array([0.7, 0.8]), None).tolist()
    ['Lab', 'Node1']
    """

    choices: Sequence[Any]
    weights: Sequence[float] | None = None
    unit: str = field(init=False, repr=False, default="")
    numeric: bool = field(init=False, repr=False, default=True)
    _table: np.ndarray = field(init=False, repr=False, default_factory=lambda: np.zeros(0))
    _cumulative: np.ndarray = field(init=False, repr=False, default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        values = _listed(self.choices, "choice")
        table, unit, numeric = _converted(values, "choice")
        weights = np.ones(len(values)) if self.weights is None else self._weights(len(values))
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "numeric", numeric)
        object.__setattr__(self, "_table", table)
        object.__setattr__(self, "_cumulative", np.cumsum(weights) / weights.sum())

    def _weights(self, n: int) -> np.ndarray:
        weights = _listed(self.weights, "weights")
        if len(weights) != n:
            raise ScenarioError(f"weights must have one entry per choice ({n}), got {len(weights)}")
        w = np.array([_si(x, "weights")[0] for x in weights])
        if not (np.all(w >= 0) and w.sum() > 0):
            raise ScenarioError(f"weights must be >= 0 and not all 0, got {p.show(weights)}")
        return w

    def values(self, u: np.ndarray, index: np.ndarray | None) -> np.ndarray:
        k = np.searchsorted(self._cumulative, u, side="right")
        return self._table[np.minimum(k, len(self._table) - 1)]


@dataclass(frozen=True)
class Table(Distribution):
    """Fixed values taken in turn: case ``i`` takes ``values[i % len(values)]``."""

    entries: Sequence[Any]
    random: ClassVar[bool] = False
    unit: str = field(init=False, repr=False, default="")
    numeric: bool = field(init=False, repr=False, default=True)
    _table: np.ndarray = field(init=False, repr=False, default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        table, unit, numeric = _converted(_listed(self.entries, self._key()), self._key())
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "numeric", numeric)
        object.__setattr__(self, "_table", table)

    def _key(self) -> str:
        return "table"

    def __len__(self) -> int:
        return len(self._table)

    def values(self, u: np.ndarray, index: np.ndarray) -> np.ndarray:
        return self._table[index % len(self._table)]


@dataclass(frozen=True)
class Grid(Table):
    """Values of one axis of a grid: the grids of a sweep form an outer product.

    With grids ``a`` (3 values) and ``b`` (2 values), cases 0-5 take ``(a0, b0), (a0, b1),
    (a1, b0), ...`` (the last grid varies fastest) and case ``i`` takes grid point ``i % 6``.
    """

    def _key(self) -> str:
        return "grid"


_RANDOM = {
    "uniform": (Uniform, ("low", "high")),
    "loguniform": (LogUniform, ("low", "high")),
    "normal": (Normal, ("mean", "sd")),
    "lognormal": (LogNormal, ("median", "sigma")),
}
_FIXED = {"choice": Choice, "table": Table, "grid": Grid}


def from_table(table: Mapping[str, Any]) -> Distribution:
    """Build a kind from a ``[sweep.parameters]`` entry.

    Parameters
    ----------
    table : mapping
        ``{distribution = "loguniform", low = "0.5 mm", high = "15 mm"}``, ``{choice = [...],
        weights = [...]}``, ``{table = [...]}`` or ``{grid = [...]}``.

    Returns
    -------
    Distribution

    Raises
    ------
    leaksim.errors.ScenarioError
        On an unknown distribution, missing or extra keys, or values that break a rule.

    Examples
    --------
    >>> from_table({"distribution": "lognormal", "median": "10 min", "sigma": 0.5})
    LogNormal(median='10 min', sigma=0.5)
    """
    if not isinstance(table, Mapping):
        raise ScenarioError(
            'a swept parameter must be a table such as { distribution = "uniform", '
            f"low = ..., high = ... }}, got {p.show(table)}"
        )
    fixed = [k for k in _FIXED if k in table]
    if "distribution" in table or not fixed:
        return _random_kind(table)
    allowed = {fixed[0], "weights"} if fixed[0] == "choice" else {fixed[0]}
    _check_keys(table, allowed)
    if fixed[0] == "choice":
        return Choice(table["choice"], weights=table.get("weights"))
    return _FIXED[fixed[0]](table[fixed[0]])


def _random_kind(table: Mapping[str, Any]) -> Distribution:
    name = table.get("distribution")
    if not isinstance(name, str) or name not in _RANDOM:
        hint = p.did_you_mean(str(name), _RANDOM) if isinstance(name, str) else ""
        known = ", ".join(_RANDOM) + ", or a choice, table or grid"
        raise ScenarioError(f"distribution must be one of {known}; got {p.show(name)}{hint}")
    cls, keys = _RANDOM[name]
    _check_keys(table, {"distribution", *keys})
    missing = [k for k in keys if k not in table]
    if missing:
        raise ScenarioError(
            f"distribution {name!r} needs {' and '.join(keys)}; missing {missing[0]}"
        )
    kind: Distribution = cls(*(table[k] for k in keys))
    return kind


def _check_keys(table: Mapping[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            hint = p.did_you_mean(key, allowed)
            raise ScenarioError(
                f"unknown key {key!r} in a swept parameter{hint}; expected {sorted(allowed)}"
            )
