"""Fit a leak to a pressure log: effective area, leak rate, time constant, and which law.

The gas in a closed volume ``V`` leaks to vacuum. Two laws are fitted to each segment of the
log, each with two parameters (the initial pressure and a rate):

* **orifice** (a hole: choked compressible flow, Saad, Compressible Fluid Flow, 2nd ed.,
  pp. 98-106), ``mdot = Cd A p psi* / sqrt(R T)``; isothermal, the pressure decays
  exponentially, ``p = p0 exp(-t / tau)`` with ``tau = V / (Cd A psi* sqrt(R T))``;
* **viscous crack** (laminar compressible flow through a narrow passage, ``mdot`` proportional
  to ``p_up^2 - p_down^2``: the Hagen-Poiseuille law for a compressible gas, as used in leak
  testing, e.g. ASNT Nondestructive Testing Handbook, 3rd ed., vol. 1 Leak Testing, ch. 2;
  Roth, Vacuum Technology, 3rd ed., 1990, ch. 3); to vacuum ``dp/dt = -b p^2``, so
  ``p = p0 / (1 + b p0 t)``.

Temperature. When the log has a temperature column, each reading is brought to the reference
temperature ``T_ref`` (the mean of the segment) as ``p* = p T_ref / T``, which is proportional
to the mass of gas left, and for the orifice law time is replaced by
``X = integral sqrt(T / T_ref) dt`` (trapezoidal rule), because the mass loss rate of a choked
orifice is ``m psi* Cd A sqrt(R T) / V``. Then ``p*(X) = p0 exp(-X / tau_ref)`` exactly for a
slowly varying temperature. The viscous law's own temperature dependence (through viscosity)
is not modelled; only the ``p T_ref / T`` correction is applied to it.

Uncertainty. Each segment is fitted by least squares on the pressures (Levenberg-Marquardt on
the 2 x 2 normal equations, summed over the readings a million at a time, so that a log of ten
million readings costs no copy of its Jacobian; see ``_least_squares``). The covariance of the
parameters is ``s^2 (J^T J)^-1`` (the linearised, Wald interval: Seber and Wild, Nonlinear
Regression, Wiley 1989, sec. 2.1 and 5.1), where ``s`` is the larger of the residual standard
deviation and the stated uncertainty of a pressure reading (``pressure_uncertainty``), so an
interval never narrows below what the readings can resolve; with two points the residuals are
zero and ``s`` is the stated uncertainty. The coverage factor is Student's t with ``n - 2``
degrees of freedom when ``s`` comes from the residuals and the normal quantile when it is the
stated value (JCGM 100:2008, GUM, annex G). ``Cd A`` is proportional to the fitted rate, so its
interval is exact given the rate's; the interval of ``tau`` is the image of the rate's.

Segments. The log is cut at the events given (a repressurisation, a hatch closed or opened,
optionally with the new volume) and where the pressure rises between two readings by more than
``repressurisation_threshold`` (a leak only lowers pressure). Each segment is fitted alone; the
effective area reported is their inverse-variance weighted mean, its uncertainty scaled by the
Birge ratio ``sqrt(chi^2 / (n - 1))`` when the segments disagree beyond their errors (the
Particle Data Group's scale factor, Review of Particle Physics, Introduction, sec. 5.2.2), with
the Welch-Satterthwaite effective degrees of freedom (GUM, G.4.1).

Which law. Both laws have two parameters, so their Akaike information criteria differ by the
difference of their chi-square values, ``(SSR_crack - SSR_orifice) / s^2``; within 2 the laws
are called indistinguishable (Burnham and Anderson, Model Selection and Multimodel Inference,
2nd ed., Springer 2002, sec. 2.6). Two points fit both laws exactly: undetermined.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pint

from ..errors import ScenarioError
from ._common import (
    DAY,
    MMHG,
    POUND,
    check_level,
    choked_mass_flow,
    coverage_factor,
    gas_constants,
    read_events,
    si_value,
)
from .convert import DEFAULT_DISCHARGE_COEFFICIENT
from .logs import PressureLog, read_pressure_log

__all__ = [
    "DEFAULT_PRESSURE_UNCERTAINTY",
    "LeakFit",
    "SegmentFit",
    "fit_leak",
]

#: Standard uncertainty of one pressure reading unless stated: 0.5 mmHg. Published readings are
#: whole mmHg, whose rounding alone is 0.29 mmHg (a uniform error of +-0.5 mmHg, GUM 4.3.7);
#: 0.5 mmHg also covers a little gauge noise. Gauge bias common to both readings cancels in
#: the ratio the fit uses, to first order.
DEFAULT_PRESSURE_UNCERTAINTY = "0.5 mmHg"

#: Akaike difference below which two laws are called indistinguishable (Burnham and Anderson).
_AIC_INDISTINGUISHABLE = 2.0

#: A rise between two readings larger than this many noise levels is a repressurisation.
_RISE_NOISE_LEVELS = 10.0


@dataclass(frozen=True)
class SegmentFit:
    """The fit of one segment of a log (SI units).

    Attributes
    ----------
    start, end : float
        Times of the first and last reading of the segment [s].
    n_points : int
        Readings in the segment [-].
    volume : float
        Volume leaking [m^3].
    temperature : float
        Reference temperature ``T_ref`` [K].
    initial_pressure : float
        Fitted pressure at ``start`` (orifice law) [Pa].
    effective_area, effective_area_sd : float
        ``Cd A`` and its standard uncertainty [m^2].
    effective_area_ci : tuple of float
        Confidence interval of ``Cd A`` [m^2].
    time_constant : float
        E-folding time ``tau`` at ``T_ref`` [s].
    time_constant_ci : tuple of float
        Its confidence interval [s]; ``inf`` as upper bound when the rate may be zero.
    noise : float
        Standard uncertainty of a reading used, ``s`` [Pa].
    dof : float
        Degrees of freedom of ``s``; ``inf`` when it is the stated uncertainty [-].
    crack_coefficient : float
        ``b`` of the viscous law ``dp/dt = -b p^2`` [1/(Pa s)].
    crack_initial_pressure : float
        Fitted pressure at ``start`` under the viscous law [Pa].
    rss_orifice, rss_crack : float
        Residual sums of squares of the two laws [Pa^2].
    better_law : str
        ``"orifice"``, ``"viscous crack"``, ``"indistinguishable"`` or ``"undetermined"``.
    delta_aic : float
        AIC of the viscous law minus AIC of the orifice law (> 0 favours the orifice) [-];
        NaN with two points.
    """

    start: float
    end: float
    n_points: int
    volume: float
    temperature: float
    initial_pressure: float
    effective_area: float
    effective_area_sd: float
    effective_area_ci: tuple[float, float]
    time_constant: float
    time_constant_ci: tuple[float, float]
    noise: float
    dof: float
    crack_coefficient: float
    crack_initial_pressure: float
    rss_orifice: float
    rss_crack: float
    better_law: str
    delta_aic: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary of the segment."""
        return {
            "start_s": self.start,
            "end_s": self.end,
            "n_points": self.n_points,
            "volume_m3": self.volume,
            "temperature_K": self.temperature,
            "initial_pressure_Pa": self.initial_pressure,
            "effective_area_m2": self.effective_area,
            "effective_area_sd_m2": self.effective_area_sd,
            "effective_area_ci_m2": list(self.effective_area_ci),
            "time_constant_s": _json_float(self.time_constant),
            "time_constant_ci_s": [_json_float(x) for x in self.time_constant_ci],
            "noise_Pa": self.noise,
            "noise_dof": _json_float(self.dof),
            "crack_coefficient_per_Pa_s": self.crack_coefficient,
            "crack_initial_pressure_Pa": self.crack_initial_pressure,
            "rss_orifice_Pa2": self.rss_orifice,
            "rss_crack_Pa2": self.rss_crack,
            "better_law": self.better_law,
            "delta_aic_crack_minus_orifice": _json_float(self.delta_aic),
        }


@dataclass(frozen=True)
class LeakFit:
    """A leak fitted to a pressure log: the combined estimate and each segment.

    Attributes
    ----------
    effective_area, effective_area_sd : float
        ``Cd A`` and its standard uncertainty [m^2].
    effective_area_ci : tuple of float
        Confidence interval of ``Cd A`` at ``confidence`` [m^2].
    confidence : float
        Level of the intervals [-].
    discharge_coefficient : float
        Cd assumed for the equivalent diameter [-].
    equivalent_diameter, equivalent_diameter_ci : float, tuple of float
        Diameter of a round hole with that Cd, and its interval [m].
    rate_pressure, temperature, volume : float
        Pressure [Pa], temperature [K] and volume [m^3] at which the rate and time constant
        are stated: the first segment's fitted initial pressure unless given.
    leak_rate, leak_rate_ci : float, tuple of float
        Mass leak rate at ``rate_pressure`` and its interval [kg/s].
    time_constant, time_constant_ci : float, tuple of float
        Isothermal e-folding time in ``volume`` and its interval [s].
    better_law : str
        The segments' verdict when they agree, else ``"mixed"``.
    segments : list of SegmentFit
    notes : list of str
        What the fit did that a reader should know (gaps dropped, segments cut or skipped).
    """

    effective_area: float
    effective_area_sd: float
    effective_area_ci: tuple[float, float]
    confidence: float
    discharge_coefficient: float
    equivalent_diameter: float
    equivalent_diameter_ci: tuple[float, float]
    rate_pressure: float
    temperature: float
    volume: float
    leak_rate: float
    leak_rate_ci: tuple[float, float]
    time_constant: float
    time_constant_ci: tuple[float, float]
    better_law: str
    segments: list[SegmentFit]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary; the keys are a public contract (``docs/inverse.md``)."""
        return {
            "effective_area_m2": self.effective_area,
            "effective_area_ci_m2": list(self.effective_area_ci),
            "effective_area_sd_m2": self.effective_area_sd,
            "confidence": self.confidence,
            "leak_rate_kg_per_day": self.leak_rate * DAY,
            "leak_rate_ci_kg_per_day": [x * DAY for x in self.leak_rate_ci],
            "leak_rate_lb_per_day": self.leak_rate * DAY / POUND,
            "leak_rate_ci_lb_per_day": [x * DAY / POUND for x in self.leak_rate_ci],
            "time_constant_s": _json_float(self.time_constant),
            "time_constant_ci_s": [_json_float(x) for x in self.time_constant_ci],
            "equivalent_diameter_m": self.equivalent_diameter,
            "equivalent_diameter_ci_m": list(self.equivalent_diameter_ci),
            "discharge_coefficient": self.discharge_coefficient,
            "rate_pressure_Pa": self.rate_pressure,
            "temperature_K": self.temperature,
            "volume_m3": self.volume,
            "better_law": self.better_law,
            "segments": [s.to_dict() for s in self.segments],
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """A short human summary."""
        pct = f"{100 * self.confidence:g} %"
        a, (a_lo, a_hi) = self.effective_area * 1e6, (x * 1e6 for x in self.effective_area_ci)
        d, (d_lo, d_hi) = (
            self.equivalent_diameter * 1e3,
            (x * 1e3 for x in self.equivalent_diameter_ci),
        )
        lo, hi = (x * DAY for x in self.leak_rate_ci)
        t_lo, t_hi = (x / DAY for x in self.time_constant_ci)
        rows = [
            f"effective area:      Cd A = {a:.4g} mm^2 ({pct} interval {a_lo:.4g} to {a_hi:.4g})",
            f"equivalent diameter: {d:.3g} mm ({d_lo:.3g} to {d_hi:.3g}), round hole with "
            f"Cd = {self.discharge_coefficient:g}",
            f"leak rate:           {self.leak_rate * DAY:.4g} kg/day ({lo:.4g} to {hi:.4g}) = "
            f"{self.leak_rate * DAY / POUND:.4g} lb/day at {self.rate_pressure / MMHG:.1f} mmHg",
            f"time constant:       {self.time_constant / DAY:.4g} day ({t_lo:.4g} to "
            f"{t_hi:.4g}) in {self.volume:g} m^3 at {self.temperature - 273.15:.1f} degC",
            f"law:                 {self.better_law}",
        ]
        for i, s in enumerate(self.segments):
            rows.append(
                f"  segment {i + 1}: {s.start / 3600:g}-{s.end / 3600:g} h, {s.n_points} points, "
                f"Cd A {s.effective_area * 1e6:.4g} mm^2 ({s.effective_area_ci[0] * 1e6:.4g} to "
                f"{s.effective_area_ci[1] * 1e6:.4g}), {s.better_law}"
            )
        rows += [f"note: {n}" for n in self.notes]
        return rows


EventLike = Any  # a time, or (time, volume), or {"time": ..., "volume": ...}


def fit_leak(
    log: PressureLog | str | os.PathLike[str],
    volume: str | pint.Quantity,
    *,
    gas: str | Mapping[str, float] = "air",
    temperature: str | pint.Quantity = "22 degC",
    events: Sequence[EventLike] = (),
    pressure_uncertainty: str | pint.Quantity = DEFAULT_PRESSURE_UNCERTAINTY,
    confidence: float = 0.95,
    discharge_coefficient: float = DEFAULT_DISCHARGE_COEFFICIENT,
    rate_pressure: str | pint.Quantity | None = None,
    repressurisation_threshold: str | pint.Quantity | None = None,
) -> LeakFit:
    """Fit an effective leak area to a pressure log.

    Parameters
    ----------
    log : PressureLog, str or os.PathLike
        The log, or a CSV file to read with :func:`leaksim.inverse.logs.read_pressure_log`.
    volume : str or pint.Quantity
        Volume of gas leaking at the start of the log [m^3].
    gas : str or mapping, default "air"
        Gas, as :func:`leaksim.core.gas.mole_fractions` takes it.
    temperature : str or pint.Quantity, default "22 degC"
        Gas temperature when the log has no temperature column [K]; ignored otherwise.
    events : sequence, optional
        Times at which the log is cut into segments [s]: each a time (``"12 h"``), or a pair
        ``(time, volume)`` or mapping ``{"time": ..., "volume": ...}`` when the volume leaking
        changes there (a hatch opened or closed) [s, m^3].
    pressure_uncertainty : str or pint.Quantity, default "0.5 mmHg"
        Standard uncertainty of one reading [Pa]; the floor of the noise used for intervals.
    confidence : float, default 0.95
        Level of the intervals, in (0, 1) [-].
    discharge_coefficient : float, default 0.6
        Cd of the equivalent round hole [-].
    rate_pressure : str or pint.Quantity, optional
        Pressure at which to state the mass leak rate [Pa]; default the fitted pressure at the
        start of the log.
    repressurisation_threshold : str or pint.Quantity, optional
        A rise between consecutive readings above this starts a new segment [Pa]; default 10
        times the larger of ``pressure_uncertainty`` and the noise estimated from the log.

    Returns
    -------
    LeakFit

    Raises
    ------
    leaksim.errors.ScenarioError
        On bad parameters, an unreadable log, or no segment with two readings.

    Examples
    --------
    The Zvezda PrK isolated in December 2020 fell from 730 to 620 mmHg in 18 h (RIA via
    Sputnik); in an assumed 5 m^3:

    >>> from leaksim.inverse.logs import pressure_log
    >>> log = pressure_log([0.0, 18 * 3600.0], [730 * 133.322387415, 620 * 133.322387415])
    >>> fit = fit_leak(log, "5 m^3")
    >>> round(fit.leak_rate * 86400, 2), round(fit.time_constant / 86400, 2)
    (1.25, 4.59)
    """
    if not isinstance(log, PressureLog):
        log = read_pressure_log(log)
    level = check_level(confidence)
    v0 = si_value(volume, "volume", "volume")
    sigma = si_value(pressure_uncertainty, "pressure", "pressure_uncertainty")
    t_default = si_value(temperature, "temperature", "temperature")
    r, psi = gas_constants(gas)
    cd = _discharge_coefficient(discharge_coefficient)
    cuts = read_events(events)
    notes = [f"{log.dropped} rows with gaps dropped"] if log.dropped else []
    rise = _rise_threshold(log.pressure, sigma, repressurisation_threshold)
    segments = []
    for part, vol in _segments(log.time, log.pressure, cuts, v0, rise, notes):
        temp = t_default if log.temperature is None else log.temperature[part]
        segments.append(
            _fit_segment(log.time[part], log.pressure[part], temp, vol, sigma, level, r, psi)
        )
    if not segments:
        cut = f" (cut at {len(cuts)} event(s) into segments of one reading)" if cuts else ""
        raise ScenarioError(f"no segment of the log has two readings to fit{cut}", log.source)
    fit = _combine(segments, level, cd, r, psi, rate_pressure, notes)
    if not all(math.isfinite(x) for x in (fit.effective_area, fit.effective_area_sd)):
        raise ScenarioError(
            f"the log cannot be fitted: its times span {log.time[-1] - log.time[0]:g} s and its "
            f"pressures {log.pressure.min():g} to {log.pressure.max():g} Pa",
            log.source,
        )
    return fit


def _fit_segment(t, p, temp, volume, sigma, level, r, psi) -> SegmentFit:
    """Fit both laws to one segment and derive Cd A, tau and their intervals; ``temp`` is
    the temperature of each reading [K], or one temperature for all."""
    if np.ndim(temp) == 0:
        t_ref, p_star, x = float(temp), p, t
    else:
        t_ref = float(np.mean(temp))
        p_star = np.divide(t_ref, temp)
        p_star *= p  # p T_ref / T, proportional to the mass left
        x = _corrected_time(t, temp, t_ref)
    orifice = _least_squares(_orifice, x, p_star)
    crack = _least_squares(_crack, t, p_star)
    n = t.size
    dof = n - 2
    residual_sd = math.sqrt(orifice.rss / dof) if dof > 0 else 0.0
    noise, noise_dof = (residual_sd, float(dof)) if residual_sd > sigma else (sigma, math.inf)
    k, k_sd = orifice.rate, orifice.rate_sd_per_noise * noise
    c = coverage_factor(level, noise_dof)
    scale = volume / (psi * math.sqrt(r * t_ref))  # Cd A per unit rate k [m^2 s]
    k_ci = (k - c * k_sd, k + c * k_sd)
    law, delta = _better_law(orifice.rss, crack.rss, noise, n)
    return SegmentFit(
        start=float(t[0]),
        end=float(t[-1]),
        n_points=n,
        volume=volume,
        temperature=t_ref,
        initial_pressure=orifice.initial_pressure,
        effective_area=k * scale,
        effective_area_sd=k_sd * scale,
        effective_area_ci=(k_ci[0] * scale, k_ci[1] * scale),
        time_constant=1.0 / k if k > 0 else math.inf,
        time_constant_ci=_inverse_interval(k_ci),
        noise=noise,
        dof=noise_dof,
        crack_coefficient=crack.rate,
        crack_initial_pressure=crack.initial_pressure,
        rss_orifice=orifice.rss,
        rss_crack=crack.rss,
        better_law=law,
        delta_aic=delta,
    )


def _corrected_time(t: np.ndarray, temp: np.ndarray, t_ref: float) -> np.ndarray:
    """``X = integral sqrt(T / T_ref) dt`` from the first reading (trapezoidal rule) [s]."""
    root = np.sqrt(temp / t_ref)
    step = root[1:] + root[:-1]
    step *= 0.5
    step *= np.diff(t)
    x = np.empty_like(t)
    x[0] = 0.0
    np.cumsum(step, out=x[1:])
    return x


#: Readings evaluated at a time by the least-squares passes: bounds their temporaries.
_CHUNK = 1 << 20


@dataclass(frozen=True)
class _LawFit:
    """One law fitted to a segment: the pressure at its start [Pa], the rate (``k`` [1/s] or
    ``b`` [1/(Pa s)]), the rate's standard uncertainty per pascal of reading noise, and the
    residual sum of squares [Pa^2]."""

    initial_pressure: float
    rate: float
    rate_sd_per_noise: float
    rss: float


def _orifice(a: float, c: float, u: np.ndarray):
    """``a exp(-c u)`` and its derivatives in ``a`` and ``c``: the orifice law with the
    pressure in units of the first reading and ``u`` the time in units of the segment."""
    e = np.exp(-c * u)
    f = a * e
    return f, e, -u * f


def _crack(a: float, c: float, u: np.ndarray):
    """``a / (1 + c a u)`` and its derivatives: the viscous law in the units of ``_orifice``
    (``c = b p_first span``)."""
    d = 1.0 + (c * a) * u
    g = 1.0 / d**2
    return a / d, g, -(a * a) * u * g


def _least_squares(law, x: np.ndarray, y: np.ndarray) -> _LawFit:
    """Least-squares fit of a two-parameter law to readings ``y`` [Pa] at ``x`` [s].

    Levenberg-Marquardt (Marquardt, J. SIAM 11(2), 1963, 431-441) on the normal equations,
    which for two parameters are a 2 x 2 system whose sums are taken over the readings in
    chunks. Hand-written because ``scipy.optimize.least_squares`` holds the full n x 2
    Jacobian and several copies of it (MINPACK's QR): for a log of ten million readings,
    gigabytes and tens of seconds. Time and pressure are scaled to [0, 1] and to the first
    reading, so both parameters are of order one whatever the units or the span.
    """
    x0, span, y0 = float(x[0]), float(x[-1] - x[0]), float(y[0])
    a0, c0 = _guess(law, x, y, x0, span, y0)
    theta = np.array([a0, c0])
    jtj, jtr, rss = _normal_equations(law, theta, x, y, x0, span, y0)
    damping = 1e-3
    for _ in range(200):
        scaled = jtj + damping * np.diag(np.diag(jtj))
        try:
            step = np.linalg.solve(scaled, -jtr)
        except np.linalg.LinAlgError:
            damping *= 10.0
            continue
        trial = theta + step
        jtj_t, jtr_t, rss_t = _normal_equations(law, trial, x, y, x0, span, y0)
        if math.isfinite(rss_t) and rss_t <= rss:
            # MINPACK's tests (ftol, xtol): the residuals or the parameters no longer move
            done = rss - rss_t <= 1e-14 * rss or np.all(np.abs(step) <= 1e-14 * np.abs(trial))
            theta, jtj, jtr, rss = trial, jtj_t, jtr_t, rss_t
            damping = max(damping / 10.0, 1e-15)
            if done:
                break
        elif math.isfinite(rss_t) and rss_t - rss <= 1e-14 * rss:
            break  # the step changes the residuals by rounding only: at the minimum
        else:
            damping *= 10.0
            if damping > 1e20:  # no step lowers the residuals
                break
    cov = np.linalg.pinv(jtj)

    def rate(c: float) -> float:
        # c per span, and per pascal for the viscous law; divided one at a time, since the
        # product of a long span and a pressure may overflow
        per_time = c / span
        return per_time / y0 if law is _crack else per_time

    return _LawFit(
        initial_pressure=float(theta[0] * y0),
        rate=rate(float(theta[1])),
        rate_sd_per_noise=math.sqrt(max(float(cov[1, 1]), 0.0)) / y0 / span,
        rss=float(rss * y0 * y0),
    )


def _normal_equations(law, theta, x, y, x0, span, y0):
    """``J^T J``, ``J^T r`` and ``r^T r`` of the scaled residuals ``r = f - y / y0``."""
    a, c = float(theta[0]), float(theta[1])
    jtj, jtr, rss = np.zeros((2, 2)), np.zeros(2), 0.0
    with np.errstate(all="ignore"):  # a trial step may overflow: it is then refused
        for s in range(0, x.size, _CHUNK):
            u = (x[s : s + _CHUNK] - x0) / span
            f, ja, jc = law(a, c, u)
            res = f - y[s : s + _CHUNK] / y0
            # einsum, not BLAS: a single-threaded loop that does not contend for the cores
            aa, ac, cc = (np.einsum("i,i->", p, q) for p, q in ((ja, ja), (ja, jc), (jc, jc)))
            jtj += [[aa, ac], [ac, cc]]
            jtr += [np.einsum("i,i->", ja, res), np.einsum("i,i->", jc, res)]
            rss += float(np.einsum("i,i->", res, res))
    return jtj, jtr, rss if np.all(np.isfinite(jtj)) else math.inf


def _guess(law, x, y, x0, span, y0) -> tuple[float, float]:
    """Starting parameters from a straight line: through ``ln p`` for the orifice law,
    through ``1 / p`` for the viscous law (exact for two readings, or without noise)."""
    sums = np.zeros(5)  # n, sum u, sum v, sum u^2, sum u v
    for s in range(0, x.size, _CHUNK):
        u = (x[s : s + _CHUNK] - x0) / span
        ratio = y[s : s + _CHUNK] / y0
        v = np.log(ratio) if law is _orifice else 1.0 / ratio
        sums += [u.size, u.sum(), v.sum(), np.einsum("i,i->", u, u), np.einsum("i,i->", u, v)]
    n, su, sv, suu, suv = sums
    slope = (n * suv - su * sv) / (n * suu - su * su)
    intercept = (sv - slope * su) / n
    if law is _orifice:
        return math.exp(intercept), -slope
    # p_first / p = 1 / a + c u under the viscous law
    return (1.0 / intercept if intercept > 0 else 1.0), slope


def _inverse_interval(k_ci) -> tuple[float, float]:
    lo, hi = k_ci
    return (1.0 / hi if hi > 0 else math.inf, 1.0 / lo if lo > 0 else math.inf)


def _better_law(rss_orifice, rss_crack, noise, n) -> tuple[str, float]:
    if n < 3:
        return "undetermined", math.nan
    delta = (rss_crack - rss_orifice) / noise**2
    if abs(delta) < _AIC_INDISTINGUISHABLE:
        return "indistinguishable", delta
    return ("orifice" if delta > 0 else "viscous crack"), delta


def _combine(segments, level, cd, r, psi, rate_pressure, notes) -> LeakFit:
    """Inverse-variance weighted mean over segments, Birge-scaled, Welch-Satterthwaite dof."""
    a = np.array([s.effective_area for s in segments])
    sd = np.array([s.effective_area_sd for s in segments])
    # weights relative to the smallest uncertainty: 1 / sd^2 itself underflows for the tiny
    # areas of a log that spans ages
    ref = float(sd.min())
    w = (ref / sd) ** 2
    mean = float(np.sum(w * a) / np.sum(w))
    mean_sd = ref / math.sqrt(float(np.sum(w)))
    if len(segments) > 1:
        birge = math.sqrt(float(np.sum(((a - mean) / sd) ** 2)) / (len(segments) - 1))
        if birge > 1.0:
            mean_sd *= birge
            notes.append(
                f"segments disagree beyond their errors: uncertainty scaled by {birge:.3g}"
            )
    dofs = np.array([s.dof for s in segments])
    contrib = (w / np.sum(w)) * (sd / ref)  # relative: the ratio below does not depend on it
    finite = np.isfinite(dofs)
    tail = float(np.sum(contrib[finite] ** 4 / dofs[finite]))
    dof_eff = float(np.sum(contrib**2) ** 2 / tail) if tail > 0 else math.inf
    c = coverage_factor(level, dof_eff)
    ci = (mean - c * mean_sd, mean + c * mean_sd)
    if ci[0] <= 0.0:
        notes.append(
            "the interval reaches zero: no leak is detected at this level; its upper bound is "
            "the largest leak the log allows"
        )
    first = segments[0]
    p_rate = (
        first.initial_pressure
        if rate_pressure is None
        else si_value(rate_pressure, "pressure", "rate_pressure")
    )
    per_area = float(choked_mass_flow(1.0, p_rate, first.temperature, r, psi))
    tau_per = first.volume / (psi * math.sqrt(r * first.temperature))  # tau * Cd A [m^2 s]
    laws = {s.better_law for s in segments if s.better_law != "undetermined"}
    law = laws.pop() if len(laws) == 1 else ("mixed" if laws else "undetermined")
    return LeakFit(
        effective_area=mean,
        effective_area_sd=mean_sd,
        effective_area_ci=ci,
        confidence=level,
        discharge_coefficient=cd,
        equivalent_diameter=_diameter(mean, cd),
        equivalent_diameter_ci=(_diameter(ci[0], cd), _diameter(ci[1], cd)),
        rate_pressure=p_rate,
        temperature=first.temperature,
        volume=first.volume,
        leak_rate=mean * per_area,
        leak_rate_ci=(ci[0] * per_area, ci[1] * per_area),
        time_constant=tau_per / mean if mean > 0 else math.inf,
        time_constant_ci=(
            tau_per / ci[1] if ci[1] > 0 else math.inf,
            tau_per / ci[0] if ci[0] > 0 else math.inf,
        ),
        better_law=law,
        segments=segments,
        notes=notes,
    )


def _diameter(area: float, cd: float) -> float:
    # an interval bound at or below zero area means "no hole" at that bound
    return math.sqrt(4.0 * max(area, 0.0) / (math.pi * cd))


def _rise_threshold(p, sigma, given) -> float:
    if given is not None:
        return si_value(given, "pressure", "repressurisation_threshold")
    diffs = np.diff(p)
    if diffs.size >= 3:
        # noise of one reading from the median absolute deviation of the differences
        diffs -= np.median(diffs)
        np.abs(diffs, out=diffs)
        mad = float(np.median(diffs, overwrite_input=True))
        sigma = max(sigma, 1.4826 * mad / math.sqrt(2.0))
    return _RISE_NOISE_LEVELS * sigma


def _segments(t, p, cuts, v0, rise, notes) -> list[tuple[slice, float]]:
    """Slices of the log and volumes of the segments between events and repressurisations
    (the times increase, so each segment is a slice and no reading is copied)."""
    bounds = [(float(ti), vol) for ti, vol in cuts]
    for i in np.flatnonzero(np.diff(p) > rise):
        bounds.append((float(t[i + 1]), None))
        notes.append(
            f"pressure rose by {(p[i + 1] - p[i]) / MMHG:.3g} mmHg at {t[i + 1] / 3600:g} h: "
            "a repressurisation, new segment"
        )
    bounds.sort(key=lambda b: b[0])
    edges = np.searchsorted(t, [b[0] for b in bounds], side="left")
    starts, ends = [0, *edges.tolist()], [*edges.tolist(), t.size]
    volumes, vol = [v0], v0
    for _, new in bounds:
        vol = new if new is not None else vol
        volumes.append(vol)
    out = []
    for start, end, volume in zip(starts, ends, volumes, strict=True):
        if end - start == 1:
            notes.append(f"segment at {t[start] / 3600:g} h has one reading: skipped")
        if end - start >= 2:
            out.append((slice(start, end), volume))
    return out


def _discharge_coefficient(cd: Any) -> float:
    if isinstance(cd, bool) or not isinstance(cd, int | float) or not 0 < cd <= 1:
        raise ScenarioError(f"must be a number in (0, 1], got {cd!r}", "discharge_coefficient")
    return float(cd)


def _json_float(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)
