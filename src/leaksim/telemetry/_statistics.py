"""The statistics the monitor and the detection limits share: noise, lags and the threshold.

Plain SI floats in and out. The decision rule (:mod:`leaksim.telemetry.monitor`, notes) tests,
at the end of every block of ``window`` seconds, the decay rate of the compensated pressure
over windows of the last ``L`` blocks, ``L`` on a geometric grid of lags; this module gives
that grid, the threshold that keeps the false-alarm rate below the one asked for, the noise of
one reading and the bound on the bias that quantisation leaves in a mean.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ScenarioError

__all__ = [
    "DEFAULT_WINDOW",
    "MAX_LAG_BLOCKS",
    "effective_noise",
    "lags",
    "quantisation_bias",
    "threshold",
]

#: Length of a block [s]: the monitor decides once per block, so a large hole is seen within
#: about two blocks, and a block holds enough readings at 1 Hz for a noise estimate.
DEFAULT_WINDOW = 60.0

#: Longest window looked back over, in blocks: 16,384 one-minute blocks are 11.4 days, longer
#: than the slowest leak a cabin's temperature drift lets one see (docs/telemetry.md).
MAX_LAG_BLOCKS = 16384

#: Ratio between consecutive lags of the grid: a window at most 10 % shorter than the best
#: one, for 93 lags instead of 16,384.
_LAG_RATIO = 1.1


def lags(max_blocks: int = MAX_LAG_BLOCKS) -> np.ndarray:
    """Window lengths tested, in blocks: 1, 2, ..., then growing by 10 % up to ``max_blocks``.

    Examples
    --------
    >>> lags(16)[:12].tolist()
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    >>> int(lags()[-1]), len(lags())
    (16384, 93)
    """
    out = [1]
    while out[-1] < max_blocks:
        out.append(min(max_blocks, max(out[-1] + 1, int(out[-1] * _LAG_RATIO))))
    return np.array(out, dtype=np.int64)


def threshold(false_alarm_rate: float, window: float, n_lags: int) -> float:
    """Threshold ``h`` on the standardised statistic for a false-alarm rate [-].

    With ``P`` the chance of an alarm at one decision on leak-free data, the rate of false
    alarms is at most ``P / window``. Each of the ``n_lags`` windows tested gives a standard
    normal statistic when there is no leak, so by the union (Bonferroni) bound
    ``P <= n_lags Q(h)``, ``Q`` the normal tail. Hence ``h = Q^-1(rate window / n_lags)``.

    Parameters
    ----------
    false_alarm_rate : float
        Largest rate of false alarms [1/s].
    window : float
        Block length, one decision per block [s].
    n_lags : int
        Number of windows tested at each decision [-].

    Examples
    --------
    One false alarm in ten years at most, one decision a minute, 93 lags:

    >>> round(threshold(1 / (10 * 365.25 * 86400), 60.0, 93), 2)
    5.88
    """
    from scipy import stats  # imported here: scipy.stats takes a second to import

    p = false_alarm_rate * window / n_lags
    if not 0 < p < 0.5:
        raise ScenarioError(
            f"must give less than one false alarm per {window * 2 * n_lags:g} s and be > 0, "
            f"got {false_alarm_rate:g} per s",
            "false_alarm_rate",
        )
    return float(stats.norm.isf(p))


def effective_noise(noise: float, resolution: float) -> float:
    """Standard deviation of one reading: noise and rounding to the resolution [Pa].

    ``sqrt(noise^2 + q^2 / 12)``: rounding to steps of ``q`` adds a uniform error of variance
    ``q^2 / 12`` (Widrow and Kollar, Quantization Noise, Cambridge 2008, sec. 4.3; GUM 4.3.7).

    Examples
    --------
    >>> round(effective_noise(0.0, 12.0), 6)
    3.464102
    """
    return math.sqrt(noise**2 + resolution**2 / 12.0)


def quantisation_bias(noise: float, resolution: float) -> float:
    """Largest bias rounding leaves in the mean of many readings [Pa].

    Rounding a reading with Gaussian noise of standard deviation ``sigma`` to steps of ``q``
    shifts its expectation by a periodic function of the true value whose amplitude is at
    most ``sum_k (q / (pi k)) exp(-2 pi^2 k^2 sigma^2 / q^2)`` (the Fourier series of the
    rounding error averaged over the noise, Widrow and Kollar 2008, sec. 5.2 and appendix
    G), and never more than ``q / 2``. Noise above half a step leaves under 0.3 % of a step.

    Examples
    --------
    >>> quantisation_bias(0.0, 1.0), round(quantisation_bias(0.5, 1.0), 5)
    (0.5, 0.00229)
    """
    if resolution <= 0:
        return 0.0
    if noise <= 0:
        return resolution / 2.0
    k = np.arange(1, 200)
    terms = (
        resolution / (math.pi * k) * np.exp(-2.0 * math.pi**2 * k**2 * (noise / resolution) ** 2)
    )
    return float(min(resolution / 2.0, np.sum(terms)))
