"""Gas budget: fit a trend to a history of leak rates, forecast the gas needed and when a
reserve runs out.

Three trends of the leak rate ``r(t)`` (``t`` in days from the first observation fitted) are
fitted by weighted least squares (``scipy.optimize.curve_fit``):

* ``constant``: ``r = a``;
* ``linear``: ``r = a + b t``;
* ``exponential``: ``r = a exp(g t)`` (a crack that grows in proportion to its size).

Each observation has a standard uncertainty ``relative_uncertainty * r`` (published rates are
stated to one or two figures: "about 2 lb/day"). The covariance of the parameters is the
stated-uncertainty covariance scaled by the Birge ratio squared ``chi^2 / dof`` when that is
above one (the Particle Data Group's scale factor, Review of Particle Physics, Introduction,
sec. 5.2.2). With ``trend="auto"`` the trend with the smallest corrected Akaike criterion
``AICc = chi^2 + 2k + 2k(k+1)/(n-k-1)`` is chosen among those the data can support
(``n >= k + 2``; Burnham and Anderson, Model Selection and Multimodel Inference, 2nd ed.,
Springer 2002, sec. 2.4); if none can, the constant.

The forecast band is the central interval of Monte Carlo samples of the parameters drawn from
their fitted normal distribution (JCGM 101:2008, GUM Supplement 1, propagation of
distributions); it is the uncertainty of the trend, not of a single day's rate. Rates of a
sample are clipped at zero (a leak does not make gas). The gas needed is the integral of the
rate from the start of the forecast, in closed form: with ``s`` the days since the start and
``q`` the rate there, ``integral of max(0, q + b s) ds`` (the rate is linear on the interval
where it is positive, so the trapezoid over that interval is exact) and
``q expm1(g s) / g``. A reserve ``R`` runs out at the root of that integral:
``s = w + 2 R / (q_w + sqrt(q_w^2 + 2 b R))`` from the first day ``w`` of positive rate ``q_w``
(the stable form of the quadratic's root), and ``s = log1p(R g / q) / g``. The samples are
evaluated a block of days at a time, so the memory does not grow with the horizon; the work
does, and a forecast of more than ``MAX_FORECAST_VALUES`` daily values is refused before it
starts.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pint

from ..errors import ScenarioError
from ._common import DAY, POUND, check_level, si_value
from .logs import parse_date, read_table

__all__ = [
    "MAX_FORECAST_VALUES",
    "TRENDS",
    "LeakHistory",
    "BudgetForecast",
    "read_leak_history",
    "fit_budget",
]


def _constant(t, a):
    return a + 0.0 * t


def _linear(t, a, b):
    return a + b * t


def _exponential(t, a, g):
    return a * np.exp(g * t)


#: The trends: function of time [day] and parameters, and their names.
TRENDS: dict[str, Callable[..., Any]] = {
    "constant": _constant,
    "linear": _linear,
    "exponential": _exponential,
}
_PARAMETER_NAMES = {"constant": ["a"], "linear": ["a", "b"], "exponential": ["a", "g"]}

#: Most daily values a forecast evaluates, over the fitted trend and its samples together
#: [-]: 2,001 forecasts (the default 2,000 samples) over 137 years. About a second of work
#: per ten million.
MAX_FORECAST_VALUES = 100_000_000

#: Most Monte Carlo samples [-].
_MAX_SAMPLES = 1_000_000

#: Values of one block of days, all samples: bounds the memory of the bands [-].
_BLOCK_VALUES = 1 << 21


@dataclass(frozen=True)
class LeakHistory:
    """Observed leak rates.

    Attributes
    ----------
    time : numpy.ndarray
        Times of the observations from time zero [s], increasing.
    rate : numpy.ndarray
        Leak rates [kg/s], > 0.
    start : datetime.datetime or None
        Date of time zero when the history gives dates.
    source : str
        File name or ``"history"``.
    """

    time: np.ndarray
    rate: np.ndarray
    start: dt.datetime | None = None
    source: str = "history"


@dataclass(frozen=True)
class BudgetForecast:
    """A fitted trend and its forecast (SI units, times from the history's time zero).

    Attributes
    ----------
    trend : str
        The trend used.
    parameters : dict of str to float
        Its parameters: ``a`` [kg/s], ``b`` [kg/s per day], ``g`` [1/day].
    models : dict of str to dict
        Every trend tried: ``aicc`` (NaN where the data cannot support it), ``chi2``,
        ``parameters``.
    confidence : float
        Level of the bands [-].
    time : numpy.ndarray
        Forecast times [s].
    rate, rate_low, rate_high : numpy.ndarray
        Fitted trend and band of the leak rate, daily [kg/s].
    gas_used, gas_used_low, gas_used_high : numpy.ndarray
        Gas lost since the first forecast time under the fitted trend, and band [kg].
    reserve : float or None
        Reserve [kg].
    runout, runout_low, runout_high : float
        Time the reserve runs out under the fitted trend, and band, from the history's time
        zero [s]; ``inf`` beyond the horizon.
    start : datetime.datetime or None
        Date of time zero.
    fit_from : float
        Time of the first observation fitted [s].
    notes : list of str
    """

    trend: str
    parameters: dict[str, float]
    models: dict[str, dict[str, Any]]
    confidence: float
    time: np.ndarray
    rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    gas_used: np.ndarray
    gas_used_low: np.ndarray
    gas_used_high: np.ndarray
    reserve: float | None
    runout: float
    runout_low: float
    runout_high: float
    start: dt.datetime | None
    fit_from: float
    notes: list[str] = field(default_factory=list)

    def date(self, seconds: float) -> str:
        """A time [s] as an ISO date when the history had dates, else as days."""
        if not math.isfinite(seconds):
            return "beyond the forecast horizon"
        if self.start is None:
            return f"day {seconds / DAY:.10g}"
        try:
            return (self.start + dt.timedelta(seconds=seconds)).date().isoformat()
        except OverflowError:  # past 9999-12-31 or before 0001-01-01
            return f"day {seconds / DAY:.10g} from {self.start.date().isoformat()}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; the keys are a public contract (``docs/inverse.md``)."""
        out: dict[str, Any] = {
            "trend": self.trend,
            "parameters": self.parameters,
            "models": {
                name: {
                    "aicc": _json(m["aicc"]),
                    "chi2": _json(m["chi2"]),
                    "parameters": {k: _json(v) for k, v in m["parameters"].items()},
                }
                for name, m in self.models.items()
            },
            "confidence": self.confidence,
            "start_date": None if self.start is None else self.start.isoformat(),
            "forecast": {
                "time_s": self.time.tolist(),
                "leak_rate_kg_per_day": (self.rate * DAY).tolist(),
                "leak_rate_low_kg_per_day": (self.rate_low * DAY).tolist(),
                "leak_rate_high_kg_per_day": (self.rate_high * DAY).tolist(),
                "gas_used_kg": self.gas_used.tolist(),
                "gas_used_low_kg": self.gas_used_low.tolist(),
                "gas_used_high_kg": self.gas_used_high.tolist(),
            },
            "notes": list(self.notes),
        }
        if self.reserve is not None:
            out["reserve_kg"] = self.reserve
            out["runout_s"] = _json(self.runout)
            out["runout_band_s"] = [_json(self.runout_low), _json(self.runout_high)]
            out["runout_date"] = self.date(self.runout)
            out["runout_band_dates"] = [self.date(self.runout_low), self.date(self.runout_high)]
        return out

    def lines(self) -> list[str]:
        """A short human summary."""
        pct = f"{100 * self.confidence:g} %"
        rows = [f"trend: {self.trend} (fitted from {self.date(self.fit_from)})"]
        for name, m in self.models.items():
            aicc = "n/a (too few points)" if not math.isfinite(m["aicc"]) else f"{m['aicc']:.2f}"
            rows.append(f"  {name:<12} AICc {aicc}")
        for i in (0, len(self.time) // 2, len(self.time) - 1):
            rows.append(
                f"{self.date(self.time[i])}: {self.rate[i] * DAY:.3g} kg/day "
                f"({pct} band {self.rate_low[i] * DAY:.3g} to {self.rate_high[i] * DAY:.3g}) = "
                f"{self.rate[i] * DAY / POUND:.3g} lb/day; gas used {self.gas_used[i]:.4g} kg"
            )
        if self.reserve is not None:
            rows.append(
                f"reserve of {self.reserve:g} kg runs out: {self.date(self.runout)} "
                f"({pct} band {self.date(self.runout_low)} to {self.date(self.runout_high)})"
            )
        rows += [f"note: {n}" for n in self.notes]
        return rows


def read_leak_history(path: str | os.PathLike[str]) -> LeakHistory:
    """Read leak rates from a CSV file: a ``date`` (ISO 8601) or ``time [unit]`` column and a
    ``leak rate [unit]`` (or ``rate``) column with a mass-rate unit such as ``lb/day``.

    Raises
    ------
    leaksim.errors.ScenarioError
        On a missing column, a wrong unit, times not increasing or a rate not > 0.
    """
    header = read_table(path, columns=())
    time_key = header.time_key()
    key = next((n for n in header.names if n.lower() in ("leak rate", "rate")), None)
    if key is None:
        raise ScenarioError(
            f"needs a 'leak rate [unit]' column, got columns {header.names}", header.source
        )
    table = read_table(path, [time_key, key])
    time, start = table.times()
    return leak_history(time, table.column(key, "mass_flow"), start=start, source=table.source)


def leak_history(
    time: Any, rate: Any, *, start: dt.datetime | None = None, source: str = "history"
) -> LeakHistory:
    """Check SI arrays (times [s], rates [kg/s]) and build a :class:`LeakHistory`."""
    time = np.asarray(time, dtype=float).reshape(-1)
    rate = np.asarray(rate, dtype=float).reshape(-1)
    if time.shape != rate.shape or time.size == 0:
        raise ScenarioError("needs one rate per time and at least one row", source)
    bad = ~(np.isfinite(rate) & (rate > 0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ScenarioError(
            f"leak rates must be finite and > 0, got {rate[i]:g} kg/s in row {i + 1}", source
        )
    if not np.all(np.isfinite(time)):
        i = int(np.argmax(~np.isfinite(time)))
        raise ScenarioError(f"times must be finite, got {time[i]:g} s in row {i + 1}", source)
    steps = np.diff(time) <= 0
    if steps.any():
        i = int(np.argmax(steps))
        raise ScenarioError(
            f"times must increase, got {time[i]:g} s then {time[i + 1]:g} s (rows {i + 1}, "
            f"{i + 2})",
            source,
        )
    return LeakHistory(time, rate, start, source)


def fit_budget(
    history: LeakHistory | str | os.PathLike[str],
    *,
    trend: str = "auto",
    since: str | pint.Quantity | dt.date | None = None,
    until: str | pint.Quantity | dt.date | None = None,
    reserve: str | pint.Quantity | None = None,
    forecast_from: str | pint.Quantity | dt.date | None = None,
    horizon: str | pint.Quantity = "365 day",
    relative_uncertainty: float = 0.2,
    confidence: float = 0.9,
    samples: int = 2000,
    seed: int = 0,
) -> BudgetForecast:
    """Fit a leak-rate trend and forecast the gas it costs.

    Parameters
    ----------
    history : LeakHistory, str or os.PathLike
        Observed rates, or a CSV file for :func:`read_leak_history`.
    trend : {"auto", "constant", "linear", "exponential"}, default "auto"
        Trend to fit; ``"auto"`` chooses by AICc.
    since : str, pint.Quantity or datetime.date, optional
        Fit only observations from this date (ISO text or a date) or time from time zero
        [s]: use it to start after a repair.
    until : str, pint.Quantity or datetime.date, optional
        Fit only observations up to this date or time, as ``since``: use it to end before a
        repair.
    reserve : str or pint.Quantity, optional
        Gas available at ``forecast_from`` to make up the leak [kg].
    forecast_from : str, pint.Quantity or datetime.date, optional
        Start of the forecast, as ``since``; default the last observation fitted.
    horizon : str or pint.Quantity, default "365 day"
        Length of the forecast [s].
    relative_uncertainty : float, default 0.2
        Relative standard uncertainty of each observed rate [-].
    confidence : float, default 0.9
        Level of the bands, in (0, 1) [-].
    samples : int, default 2000
        Monte Carlo samples of the parameters [-].
    seed : int, default 0
        Seed of the samples, so a forecast is reproducible [-].

    Returns
    -------
    BudgetForecast

    Examples
    --------
    A steady 2 lb/day (NASA, June 2026) costs 0.907 kg a day, so 100 kg last 110 days:

    >>> h = leak_history([0.0, 30 * 86400.0], [2 * 0.45359237 / 86400] * 2)
    >>> f = fit_budget(h, trend="constant", reserve="100 kg")
    >>> round(f.runout / 86400) - 30  # days after the last observation
    110
    """
    if not isinstance(history, LeakHistory):
        history = read_leak_history(history)
    level = check_level(confidence)
    rel = _positive_number(relative_uncertainty, "relative_uncertainty")
    if trend != "auto" and trend not in TRENDS:
        raise ScenarioError(f"must be 'auto' or one of {sorted(TRENDS)}, got {trend!r}", "trend")
    if (
        isinstance(samples, bool)
        or not isinstance(samples, int)
        or not 100 <= samples <= _MAX_SAMPLES
    ):
        raise ScenarioError(
            f"must be an integer from 100 to {_MAX_SAMPLES:,}, got {samples!r}", "samples"
        )
    t_since = -math.inf if since is None else _time(since, history, "since")
    t_until = math.inf if until is None else _time(until, history, "until")
    keep = (history.time >= t_since) & (history.time <= t_until)
    if not np.any(keep):
        raise ScenarioError("no observation between since and until", "since")
    t_fit, r_fit = history.time[keep], history.rate[keep]
    t0 = float(t_fit[0])
    days = (t_fit - t0) / DAY
    models = {name: _fit_trend(name, days, r_fit, rel) for name in TRENDS}
    chosen = trend if trend != "auto" else _choose(models)
    notes = []
    if models[chosen]["dof"] == 0:
        notes.append(f"{chosen} trend passes through every point: band from the stated uncertainty")
    start = (
        float(t_fit[-1])
        if forecast_from is None
        else _time(forecast_from, history, "forecast_from")
    )
    length = si_value(horizon, "time", "horizon")
    days = _forecast_days(length, samples, horizon)
    reserve_kg = None if reserve is None else si_value(reserve, "mass", "reserve")
    # row 0: the fitted trend (the central forecast); rows 1..: samples for the bands
    draws = np.vstack([models[chosen]["params"], _samples(models[chosen], samples, seed)])
    q, slope = _at_start(chosen, draws, (start - t0) / DAY)
    bounds = [50.0 * (1.0 - level), 50.0 * (1.0 + level)]
    rate_q, used_q = _bands(chosen, q, slope, days, bounds)
    runout = (math.inf,) * 3
    if reserve_kg is not None:
        left = _runout_days(chosen, q, slope, reserve_kg)
        times = np.where(left <= length / DAY, start + left * DAY, math.inf)
        runout = (float(times[0]), *_percentiles(times[1:], bounds))
    if not (np.all(np.isfinite(rate_q)) and np.all(np.isfinite(used_q))):
        raise ScenarioError(
            f"the {chosen} trend overflows within {horizon!r}: its forecast or band exceeds "
            "the largest number; shorten the horizon",
            "horizon",
        )
    return BudgetForecast(
        trend=chosen,
        parameters=_si_parameters(chosen, models[chosen]["params"]),
        models={
            n: {"aicc": m["aicc"], "chi2": m["chi2"], "parameters": _si_parameters(n, m["params"])}
            for n, m in models.items()
        },
        confidence=level,
        time=start + days * DAY,
        rate=rate_q[0] / DAY,
        rate_low=rate_q[1] / DAY,
        rate_high=rate_q[2] / DAY,
        gas_used=used_q[0],
        gas_used_low=used_q[1],
        gas_used_high=used_q[2],
        reserve=reserve_kg,
        runout=runout[0],
        runout_low=runout[1],
        runout_high=runout[2],
        start=history.start,
        fit_from=t0,
        notes=notes,
    )


def _fit_trend(name: str, days: np.ndarray, rate: np.ndarray, rel: float) -> dict[str, Any]:
    """Weighted least squares of one trend on rates in kg/day; Birge-scaled covariance."""
    from scipy.optimize import curve_fit  # imported here: keeps 'import leaksim' fast

    per_day = rate * DAY
    sigma = rel * per_day
    k = len(_PARAMETER_NAMES[name])
    n = days.size
    # fitted in units of the span (b and g of order one whatever the dates), then per day
    span = float(days[-1]) if days[-1] > 0 else 1.0
    to_day = np.array([1.0] + [1.0 / span] * (k - 1))
    guess = {
        "constant": [per_day.mean()],
        "linear": [per_day[0], 0.0],
        "exponential": [per_day[0], 0.0],
    }[name]
    if n < k:
        return {
            "params": np.full(k, math.nan),
            "cov": None,
            "chi2": math.nan,
            "aicc": math.nan,
            "dof": -1,
        }
    with np.errstate(over="ignore", invalid="ignore"):  # a trial step may overflow
        params, cov = curve_fit(
            TRENDS[name],
            days / span,
            per_day,
            p0=guess,
            sigma=sigma,
            absolute_sigma=True,
            maxfev=10000,
        )
        chi2 = float(np.sum(((TRENDS[name](days / span, *params) - per_day) / sigma) ** 2))
    params, cov = params * to_day, cov * np.outer(to_day, to_day)
    dof = n - k
    if dof > 0 and chi2 / dof > 1.0:
        cov = cov * chi2 / dof
    aicc = chi2 + 2 * k + 2 * k * (k + 1) / (n - k - 1) if n >= k + 2 else math.nan
    return {"params": params, "cov": cov, "chi2": chi2, "aicc": aicc, "dof": dof}


def _choose(models: dict[str, dict[str, Any]]) -> str:
    usable = {n: m["aicc"] for n, m in models.items() if math.isfinite(m["aicc"])}
    return min(usable, key=lambda n: usable[n]) if usable else "constant"


def _samples(model: dict[str, Any], n: int, seed: int) -> np.ndarray:
    if model["cov"] is None:
        raise ScenarioError("too few observations to fit this trend", "trend")
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(model["params"], model["cov"], size=n, method="eigh")


def _forecast_days(length: float, samples: int, horizon: Any) -> np.ndarray:
    """Days of the daily forecast, from 0 to the horizon; refused above the size limit."""
    n_days = math.floor(length / DAY) + 1.0  # a float: the horizon may be absurdly long
    values = (samples + 1) * n_days
    if values > MAX_FORECAST_VALUES:
        raise ScenarioError(
            f"{horizon!r} asks for {_count(n_days)} daily values for each of {samples + 1:,} "
            f"forecasts, {values:.3g} values in all, more than the {MAX_FORECAST_VALUES:.0e} "
            "a forecast may evaluate: shorten the horizon",
            "horizon",
        )
    return np.arange(n_days)


def _count(n: float) -> str:
    return f"{n:,.0f}" if n < 1e12 else f"{n:.3g}"


def _at_start(trend: str, draws: np.ndarray, start_day: float) -> tuple[np.ndarray, np.ndarray]:
    """Each forecast's rate at the start [kg/day] and its slope (``b`` [kg/day^2]) or growth
    (``g`` [1/day]): the trend moved to the start, so that a start far from the fit's first
    observation loses no digits to the days between."""
    a = draws[:, 0]
    if trend == "constant":
        return a, np.zeros_like(a)
    with np.errstate(over="ignore"):  # an overflow is reported by the caller's check
        if trend == "linear":
            return a + draws[:, 1] * start_day, draws[:, 1]
        return a * np.exp(draws[:, 1] * start_day), draws[:, 1]


def _gas(trend: str, q: np.ndarray, slope: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Gas lost from the start to ``s`` days later, the rate clipped at zero [kg]; ``q`` and
    ``slope`` broadcast against ``s``."""
    with np.errstate(over="ignore", invalid="ignore"):
        if trend == "exponential":
            growth = np.divide(
                np.expm1(slope * s), slope, out=s * np.ones_like(q), where=slope != 0
            )
            return np.where(q > 0, q * growth, 0.0)
        lo, hi = _positive_interval(q, slope)
        w1, w2 = np.clip(0.0, lo, hi), np.clip(s, lo, hi)
        # linear on the interval where it is positive: the trapezoid there is exact
        return (w2 - w1) * np.maximum(q + slope * 0.5 * (w1 + w2), 0.0)


def _positive_interval(q: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days between which ``q + b s`` is positive (``-inf``, ``inf`` for a positive constant)."""
    root = np.divide(-q, b, out=np.zeros_like(q), where=b != 0)
    return np.where(b > 0, root, -math.inf), np.where(b < 0, root, math.inf)


def _bands(trend, q, slope, days, bounds) -> tuple[np.ndarray, np.ndarray]:
    """Daily rate [kg/day] and gas used [kg]: the fitted trend and the percentiles of the
    samples, rows (central, low, high); a block of days at a time."""
    rate_q = np.empty((3, days.size))
    used_q = np.empty((3, days.size))
    block = max(1, _BLOCK_VALUES // q.size)
    for first in range(0, days.size, block):
        s = days[first : first + block, None]  # (days, forecasts): percentiles run along rows
        # an overflow gives inf, and the percentiles then NaN: the caller refuses either
        with np.errstate(over="ignore", invalid="ignore"):
            if trend == "exponential":
                rate = np.maximum(q * np.exp(slope * s), 0.0)
            else:
                rate = np.maximum(q + slope * s, 0.0)
            used = _gas(trend, q, slope, s)
            for out, values in ((rate_q, rate), (used_q, used)):
                part = slice(first, first + s.shape[0])
                out[0, part] = values[:, 0]
                out[1:, part] = np.percentile(values[:, 1:], bounds, axis=1)
    return rate_q, used_q


def _runout_days(trend: str, q: np.ndarray, slope: np.ndarray, reserve: float) -> np.ndarray:
    """Days from the start until each forecast has lost ``reserve`` [kg]; inf if never."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if trend == "exponential":
            x = reserve * slope / np.where(q > 0, q, math.nan)
            days = np.divide(np.log1p(x), slope, out=reserve / q, where=slope != 0)
            never = ~(q > 0) | (x <= -1.0)
        else:
            lo, hi = _positive_interval(q, slope)
            w = np.clip(0.0, lo, hi)  # the first day the rate is positive
            qw = np.maximum(q + slope * w, 0.0)
            disc = qw * qw + 2.0 * slope * reserve
            denominator = qw + np.sqrt(np.maximum(disc, 0.0))
            days = w + 2.0 * reserve / denominator
            never = (disc < 0) | ~(denominator > 0)
    return np.where(never | ~np.isfinite(days), math.inf, days)


def _percentiles(values: np.ndarray, q: list[float]) -> tuple[float, float]:
    """Percentiles of a set that may hold inf (np.percentile would give NaN): sort and pick
    the nearest rank."""
    ordered = np.sort(values)
    n = len(ordered)
    lo, hi = (ordered[min(int(round(p / 100 * (n - 1))), n - 1)] for p in q)
    return float(lo), float(hi)


def _si_parameters(name: str, params: np.ndarray) -> dict[str, float]:
    """Parameters in SI: rates from kg/day to kg/s; the exponential rate stays per day."""
    scale = {"a": 1.0 / DAY, "b": 1.0 / DAY, "g": 1.0}
    return {p: float(v) * scale[p] for p, v in zip(_PARAMETER_NAMES[name], params, strict=True)}


def _time(value: Any, history: LeakHistory, key: str) -> float:
    """A date (ISO text or date) or a time quantity, as seconds from the history's time zero."""
    moment = None
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    elif isinstance(value, str):
        try:
            moment = parse_date(value)
        except ValueError as exc:
            raise ScenarioError(str(exc), key) from None
    if moment is None:
        return si_value(value, "time", key, positive=False)
    if history.start is None:
        raise ScenarioError(
            f"a date ({value!s}) needs a history with dates; this one has a 'time' column, so "
            "give a time such as '30 day'",
            key,
        )
    return (moment - history.start).total_seconds()


def _positive_number(x: Any, key: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not (x > 0 and math.isfinite(x)):
        raise ScenarioError(f"must be a number > 0, got {x!r}", key)
    return float(x)


def _json(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
