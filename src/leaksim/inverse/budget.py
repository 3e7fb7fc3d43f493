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
rate from the start of the forecast (trapezoidal rule on a 0.25-day grid); a reserve runs out
when that integral reaches it.
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
from .logs import read_table

__all__ = ["TRENDS", "LeakHistory", "BudgetForecast", "read_leak_history", "fit_budget"]


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

#: Time step of the cumulative-gas integral [day].
_STEP_DAYS = 0.25


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
            return f"day {seconds / DAY:.1f}"
        return (self.start + dt.timedelta(seconds=seconds)).date().isoformat()

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
    table = read_table(path)
    time, start = table.times()
    key = next((n for n in table.names if n.lower() in ("leak rate", "rate")), None)
    if key is None:
        raise ScenarioError(
            f"needs a 'leak rate [unit]' column, got columns {table.names}", table.source
        )
    return leak_history(time, table.column(key, "mass_flow"), start=start, source=table.source)


def leak_history(
    time: Any, rate: Any, *, start: dt.datetime | None = None, source: str = "history"
) -> LeakHistory:
    """Check SI arrays (times [s], rates [kg/s]) and build a :class:`LeakHistory`."""
    time = np.asarray(time, dtype=float).reshape(-1)
    rate = np.asarray(rate, dtype=float).reshape(-1)
    if time.shape != rate.shape or time.size == 0:
        raise ScenarioError("needs one rate per time and at least one row", source)
    if not (np.all(np.isfinite(rate)) and np.all(rate > 0)):
        raise ScenarioError(f"leak rates must be finite and > 0, got {rate.tolist()}", source)
    if np.any(np.diff(time) <= 0):
        raise ScenarioError("times must increase", source)
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
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 100:
        raise ScenarioError(f"must be an integer >= 100, got {samples!r}", "samples")
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
    grid = start + np.arange(0.0, length / DAY + _STEP_DAYS / 2, _STEP_DAYS) * DAY
    # row 0: the fitted trend (the central forecast); rows 1..: samples for the bands
    draws = np.vstack([models[chosen]["params"], _samples(models[chosen], samples, seed)])
    rates = np.clip(TRENDS[chosen]((grid - t0)[None, :] / DAY, *draws.T[:, :, None]), 0.0, None)
    steps = 0.5 * (rates[:, 1:] + rates[:, :-1]) * np.diff(grid) / DAY
    used = np.concatenate([np.zeros((draws.shape[0], 1)), np.cumsum(steps, axis=1)], axis=1)
    bounds = [50.0 * (1.0 - level), 50.0 * (1.0 + level)]
    reserve_kg = None if reserve is None else si_value(reserve, "mass", "reserve")
    runout = (math.inf,) * 3
    if reserve_kg is not None:
        times = _runout_times(used, grid, reserve_kg)
        runout = (float(times[0]), *_percentiles(times[1:], bounds))
    daily = slice(None, None, int(round(1.0 / _STEP_DAYS)))
    rate_q = np.vstack([rates[0, daily], np.percentile(rates[1:, daily], bounds, axis=0)])
    used_q = np.vstack([used[0, daily], np.percentile(used[1:, daily], bounds, axis=0)])
    return BudgetForecast(
        trend=chosen,
        parameters=_si_parameters(chosen, models[chosen]["params"]),
        models={
            n: {"aicc": m["aicc"], "chi2": m["chi2"], "parameters": _si_parameters(n, m["params"])}
            for n, m in models.items()
        },
        confidence=level,
        time=grid[daily],
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
    params, cov = curve_fit(
        TRENDS[name], days, per_day, p0=guess, sigma=sigma, absolute_sigma=True, maxfev=10000
    )
    chi2 = float(np.sum(((TRENDS[name](days, *params) - per_day) / sigma) ** 2))
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


def _runout_times(used, grid, reserve) -> np.ndarray:
    """Time each row's cumulative loss reaches the reserve (inf if never within the
    horizon); the cumulative loss is linear between grid points."""
    reached = used[:, -1] >= reserve
    idx = np.argmax(used >= reserve, axis=1)
    i0 = np.maximum(idx - 1, 0)
    rows = np.arange(used.shape[0])
    u0, u1 = used[rows, i0], used[rows, idx]
    frac = np.divide(reserve - u0, u1 - u0, out=np.zeros_like(u0), where=u1 > u0)
    return np.where(reached, grid[i0] + frac * (grid[idx] - grid[i0]), math.inf)


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
    if isinstance(value, dt.date | str) and history.start is not None:
        try:
            d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        except ValueError:
            pass
        else:
            moment = d if isinstance(d, dt.datetime) else dt.datetime(d.year, d.month, d.day)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return (moment - history.start).total_seconds()
    if isinstance(value, dt.date):
        raise ScenarioError("a date needs a history with dates", key)
    return si_value(value, "time", key, positive=False)


def _positive_number(x: Any, key: str) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float) or not (x > 0 and math.isfinite(x)):
        raise ScenarioError(f"must be a number > 0, got {x!r}", key)
    return float(x)


def _json(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
