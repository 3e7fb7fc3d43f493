"""How long until a leak is detected, and the smallest leak detected in a given time.

The detection limits of :class:`~leaksim.telemetry.LeakMonitor`, from the same statistics.

Derivation. A leak of effective area ``Cd A`` in a volume ``V`` at temperature ``T`` makes
``z = ln p`` fall at ``k = Cd A psi* sqrt(R T) / V`` (isothermal choked orifice, Saad,
Compressible Fluid Flow, pp. 98-106). Readings every ``dt`` with standard deviation
``sigma = sqrt(sigma_n^2 + q^2 / 12)`` give ``z`` the noise ``sigma_z = sigma / p``. Over a
window of ``N`` readings the least-squares slope has ``S_xx = dt^2 N (N^2 - 1) / (12
sigma_z^2)``, so the monitor's statistic (:mod:`leaksim.telemetry.monitor`) is

    S = k sqrt(S_xx) + b + e - A,        e ~ N(0, 1),   |b| <= A = D sqrt(N) / sigma_z,

with ``D = Delta T / T + beta_q / p`` the bound on the bias of ``z`` (an unseen temperature
excursion ``Delta T``; ``beta_q`` the rounding bias,
:func:`~leaksim.telemetry._statistics.quantisation_bias`). Whatever the bias, ``S > h`` with
probability at least ``P`` once

    k sqrt(S_xx) - 2 A >= h + z_P,          z_P = Phi^-1(P),

and, with no bias, half the time once ``k sqrt(S_xx) - A = h``. The windows tested are whole
blocks of ``window`` seconds, ``L`` blocks for ``L`` on the grid of
:func:`~leaksim.telemetry._statistics.lags`; the first whole block after the onset starts
within one block of it and the decision comes at the end of a block, so a leak is detected
with probability ``P`` within ``(L* + 1) window``, ``L*`` the shortest window on the grid that
meets the condition. The smallest leak detected within a time ``t`` solves the condition for
``k`` with the longest window that fits, ``(L + 1) window <= t``:

    k_min = (h + z_P + 2 A) / sqrt(S_xx).

With no bias the time to detect a leak falls as ``k^(-2/3)`` (the signal grows as
``N^(3/2)``); a temperature drift ``Delta T`` sets a floor: the leak must lower the pressure
by several times ``p Delta T / T`` before it can be told from the drift.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pint

from ..errors import ScenarioError
from ..inverse import LeakForms, convert_leak
from ..inverse._common import gas_constants, si_value
from ._statistics import MAX_LAG_BLOCKS, effective_noise, lags, quantisation_bias, threshold
from .monitor import DEFAULT_FALSE_ALARM_RATE, _temperature_difference, rate_per_second

__all__ = ["DetectionTime", "DetectableLeak", "detection_time", "smallest_detectable_leak"]


@dataclass(frozen=True)
class DetectionTime:
    """How long a leak takes to be detected (SI units).

    Attributes
    ----------
    time : float
        Time from the onset by which the leak is detected with ``probability``, whatever the
        bias within its bound [s]; ``inf`` beyond the longest window.
    median_time : float
        Time by which it is detected half the time with no bias [s].
    effective_area : float
        ``Cd A`` of the leak [m^2].
    decay_rate : float
        ``k``, the rate at which ``ln p`` falls [1/s].
    pressure_drop : float
        Fall of the pressure by ``time`` [Pa].
    threshold : float
        Alarm threshold ``h`` of the test [-].
    probability : float
        Probability of detection the time is stated at [-].
    """

    time: float
    median_time: float
    effective_area: float
    decay_rate: float
    pressure_drop: float
    threshold: float
    probability: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (null for an infinite time)."""
        fin = _finite
        return {
            "detection_time_s": fin(self.time),
            "median_detection_time_s": fin(self.median_time),
            "effective_area_m2": self.effective_area,
            "decay_rate_per_s": self.decay_rate,
            "pressure_drop_Pa": fin(self.pressure_drop),
            "threshold": self.threshold,
            "probability": self.probability,
        }


@dataclass(frozen=True)
class DetectableLeak:
    """The smallest leak detected within a time.

    Attributes
    ----------
    time : float
        The time allowed [s].
    leak : leaksim.inverse.LeakForms
        The leak, every way (mass rate, ``Cd A``, pressure rate in the volume, ...).
    threshold : float
        Alarm threshold ``h`` of the test [-].
    probability : float
        Probability of detection within ``time`` [-].
    """

    time: float
    leak: LeakForms
    threshold: float
    probability: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the time and every form of the leak."""
        return {
            "time_s": self.time,
            "threshold": self.threshold,
            "probability": self.probability,
            **self.leak.to_dict(),
        }


@dataclass(frozen=True)
class _Sensor:
    """What fixes the statistics of the test: SI floats."""

    volume: float
    pressure: float
    temperature: float
    r: float
    psi: float
    sigma_z: float
    bias: float
    interval: float
    per_block: int
    window: float
    h: float
    z_p: float
    probability: float


def _sensor(
    volume, resolution, noise, drift, false_alarm_rate, pressure, temperature, gas,
    sample_interval, window, probability,
) -> _Sensor:  # fmt: skip
    from scipy import stats  # imported here: scipy.stats takes a second to import

    v = si_value(volume, "volume", "volume")
    p = si_value(pressure, "pressure", "pressure")
    t = si_value(temperature, "temperature", "temperature")
    q = si_value(resolution, "pressure", "resolution", positive=False)
    sn = si_value(noise, "pressure", "noise", positive=False)
    if q < 0 or sn < 0 or q == sn == 0:
        raise ScenarioError(
            f"must be >= 0 and not both 0, got {resolution!r} and {noise!r}", "resolution, noise"
        )
    dt = si_value(sample_interval, "time", "sample_interval")
    w = si_value(window, "time", "window")
    if dt > w:
        raise ScenarioError(
            f"must be at most the window {w:g} s, got {sample_interval!r}", "sample_interval"
        )
    if (
        isinstance(probability, bool)
        or not isinstance(probability, int | float)
        or not 0.5 <= probability < 1
    ):
        raise ScenarioError(f"must be in [0.5, 1), got {probability!r}", "probability")
    r, psi = gas_constants(gas)
    rate = rate_per_second(false_alarm_rate, "false_alarm_rate")
    grid = lags(MAX_LAG_BLOCKS)
    return _Sensor(
        volume=v,
        pressure=p,
        temperature=t,
        r=r,
        psi=psi,
        sigma_z=effective_noise(sn, q) / p,
        bias=_temperature_difference(drift) / t + quantisation_bias(sn, q) / p,
        interval=dt,
        per_block=max(1, int(round(w / dt))),
        window=w,
        h=threshold(rate, w, grid.size),
        z_p=float(stats.norm.ppf(probability)),
        probability=float(probability),
    )


def _windows(s: _Sensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lags [blocks], ``sqrt(S_xx)`` per unit rate [s] and the bias allowance ``A`` [-]."""
    grid = lags(MAX_LAG_BLOCKS).astype(float)
    n = grid * s.per_block
    root_sxx = s.interval * np.sqrt(n * (n * n - 1.0) / 12.0) / s.sigma_z
    allowance = s.bias * np.sqrt(n) / s.sigma_z
    return grid, root_sxx, allowance


def detection_time(
    volume: str | pint.Quantity,
    leak: str | pint.Quantity,
    resolution: str | pint.Quantity = "0.1 mmHg",
    noise: str | pint.Quantity = "0 mmHg",
    drift: str | pint.Quantity = "0 K",
    false_alarm_rate: str | pint.Quantity = DEFAULT_FALSE_ALARM_RATE,
    *,
    pressure: str | pint.Quantity = "760 mmHg",
    temperature: str | pint.Quantity = "22 degC",
    gas: str | Mapping[str, float] = "air",
    sample_interval: str | pint.Quantity = "1 s",
    window: str | pint.Quantity = "1 min",
    probability: float = 0.95,
) -> DetectionTime:
    """Time until :class:`~leaksim.telemetry.LeakMonitor` detects a leak.

    Parameters
    ----------
    volume : str or pint.Quantity
        Volume leaking [m^3].
    leak : str or pint.Quantity
        The leak in any form :func:`leaksim.inverse.convert_leak` reads: ``"1 lb/day"``,
        ``"0.3 mmHg/day"``, ``"0.05 mm^2"`` (Cd A), ... [-].
    resolution : str or pint.Quantity, default "0.1 mmHg"
        Step of the pressure readings [Pa].
    noise : str or pint.Quantity, default "0 mmHg"
        Standard deviation of the sensor's noise [Pa].
    drift : str or pint.Quantity, default "0 K"
        Largest temperature excursion the readings do not show [K].
    false_alarm_rate : str or pint.Quantity, default "0.1 / year"
        Largest rate of false alarms [1/s].
    pressure, temperature : str or pint.Quantity
        The cabin's pressure [Pa] and temperature [K] (760 mmHg, 22 degC).
    gas : str or mapping, default "air"
        Gas, as :func:`leaksim.core.gas.mole_fractions` takes it.
    sample_interval : str or pint.Quantity, default "1 s"
        Time between readings [s].
    window : str or pint.Quantity, default "1 min"
        The monitor's block [s].
    probability : float, default 0.95
        Probability of detection the time is stated at, in [0.5, 1) [-].

    Returns
    -------
    DetectionTime

    Examples
    --------
    A 1 lb/day leak over the station's 916 m^3, read once a second at 0.1 mmHg steps with
    0.1 mmHg of noise: hours with the temperature compensated, days with 0.1 K unseen:

    >>> quick = detection_time("916 m^3", "1 lb/day", noise="0.1 mmHg")
    >>> slow = detection_time("916 m^3", "1 lb/day", noise="0.1 mmHg", drift="0.1 K")
    >>> round(quick.time / 3600, 1), round(slow.time / 86400, 1)
    (2.5, 6.0)
    """
    s = _sensor(
        volume, resolution, noise, drift, false_alarm_rate, pressure, temperature, gas,
        sample_interval, window, probability,
    )  # fmt: skip
    forms = convert_leak(leak, volume=volume, pressure=pressure, temperature=temperature, gas=gas)
    k = forms.effective_area * s.psi * math.sqrt(s.r * s.temperature) / s.volume
    grid, root_sxx, allowance = _windows(s)
    signal = k * root_sxx
    sure = np.flatnonzero(signal - 2 * allowance >= s.h + s.z_p)
    half = np.flatnonzero(signal - allowance >= s.h)
    time = float((grid[sure[0]] + 1) * s.window) if sure.size else math.inf
    median = float((grid[half[0]] + 1) * s.window) if half.size else math.inf
    return DetectionTime(
        time=time,
        median_time=median,
        effective_area=forms.effective_area,
        decay_rate=k,
        pressure_drop=s.pressure * -math.expm1(-k * time) if math.isfinite(time) else math.inf,
        threshold=s.h,
        probability=s.probability,
    )


def smallest_detectable_leak(
    volume: str | pint.Quantity,
    time: str | pint.Quantity,
    resolution: str | pint.Quantity = "0.1 mmHg",
    noise: str | pint.Quantity = "0 mmHg",
    drift: str | pint.Quantity = "0 K",
    false_alarm_rate: str | pint.Quantity = DEFAULT_FALSE_ALARM_RATE,
    *,
    pressure: str | pint.Quantity = "760 mmHg",
    temperature: str | pint.Quantity = "22 degC",
    gas: str | Mapping[str, float] = "air",
    sample_interval: str | pint.Quantity = "1 s",
    window: str | pint.Quantity = "1 min",
    probability: float = 0.95,
) -> DetectableLeak:
    """The smallest leak :class:`~leaksim.telemetry.LeakMonitor` detects within ``time``.

    Parameters are those of :func:`detection_time`, with ``time`` the time allowed from the
    onset [s], at least two windows.

    Returns
    -------
    DetectableLeak

    Examples
    --------
    >>> found = smallest_detectable_leak("916 m^3", "1 day", noise="0.1 mmHg")
    >>> round(found.leak.mass_rate * 86400 / 0.45359237, 3)  # lb/day
    0.03
    """
    s = _sensor(
        volume, resolution, noise, drift, false_alarm_rate, pressure, temperature, gas,
        sample_interval, window, probability,
    )  # fmt: skip
    t = si_value(time, "time", "time")
    grid, root_sxx, allowance = _windows(s)
    fits = np.flatnonzero((grid + 1) * s.window <= t)
    if not fits.size:
        raise ScenarioError(
            f"must be at least two windows ({2 * s.window:g} s), got {time!r}", "time"
        )
    i = fits[-1]
    # a part in 1e9 above the equality, so the leak meets it after the round trip through units
    k = float((s.h + s.z_p + 2 * allowance[i]) / root_sxx[i]) * (1 + 1e-9)
    area = k * s.volume / (s.psi * math.sqrt(s.r * s.temperature))
    forms = convert_leak(
        f"{area!r} m^2", volume=volume, pressure=pressure, temperature=temperature, gas=gas
    )
    return DetectableLeak(time=t, leak=forms, threshold=s.h, probability=s.probability)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
