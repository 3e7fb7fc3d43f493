"""Synthetic cabin telemetry with a known truth, for the tests of leaksim.telemetry.

The gas leaks through a choked orifice to vacuum, ``dm/dt = -m Cd A psi* sqrt(R T) / V``
(Saad, Compressible Fluid Flow, 2nd ed., pp. 98-106), so ``ln m`` falls by the integral of
``Cd A psi* sqrt(R T) / V``; that integral is taken here on a grid ten times finer than the
readings, and the pressure is ``p = m R T / V``. Readings get Gaussian noise, are rounded to
the resolution, and may have gaps (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leaksim.inverse._common import gas_constants

MMHG = 133.322387415  # Pa, conventional
# Air's gas constant and choked flow function as leaksim states them (tests/test_gas.py
# checks them): the intervals of a long log are narrower than the 1e-5 by which textbook
# values (287.05 J/(kg K), psi* of gamma = 1.4) differ from them.
R_AIR, PSI_AIR = gas_constants("air")
T0 = 295.15  # K
ORBIT = 92 * 60.0  # s, ISS orbital period


@dataclass
class Log:
    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray
    area: np.ndarray  # true Cd A at each reading [m^2]
    rate_per_area: float  # decay rate per unit area at T0 [1/(m^2 s)]


def synthetic_log(
    seed: int,
    *,
    duration: float = 6 * 3600.0,
    interval: float = 1.0,
    volume: float = 5.0,
    pressure: float = 760 * MMHG,
    area: float = 1e-7,
    onset: float = 3600.0,
    growth_at: float | None = None,
    growth: float = 2.0,
    noise: float = 0.1 * MMHG,
    resolution: float = 0.1 * MMHG,
    cycle: float = 0.0,
    gaps: int = 0,
) -> Log:
    """A log of ``duration`` read every ``interval``: a leak of ``area`` from ``onset``,
    multiplied by ``growth`` at ``growth_at``, and a temperature cycle of amplitude ``cycle``
    [K] with the orbital period; ``gaps`` readings lost at random."""
    rng = np.random.default_rng(seed)
    fine = np.arange(0.0, duration + interval / 20, interval / 10)
    temp = T0 + cycle * np.sin(2 * np.pi * fine / ORBIT + rng.uniform(0, 2 * np.pi))
    a = np.where(fine >= onset, area, 0.0)
    if growth_at is not None:
        a = np.where(fine >= growth_at, area * growth, a)
    rate = a * PSI_AIR * np.sqrt(R_AIR * temp) / volume
    log_mass = -np.concatenate([[0.0], np.cumsum(0.5 * np.diff(fine) * (rate[1:] + rate[:-1]))])
    p_true = pressure * np.exp(log_mass) * temp / T0
    take = slice(None, None, 10)
    t, p, temp_t, a_t = fine[take], p_true[take], temp[take], a[take]
    p = p + rng.normal(0.0, noise, p.size) if noise else p.copy()
    if resolution:
        p = np.round(p / resolution) * resolution
    if gaps:
        p[rng.choice(p.size, gaps, replace=False)] = np.nan
    return Log(t, p, temp_t, a_t, PSI_AIR * np.sqrt(R_AIR * T0) / volume)
