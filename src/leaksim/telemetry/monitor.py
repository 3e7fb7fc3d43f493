"""Watch a pressure log as it arrives: detect a leak, date it, size it and say how long is left.

:class:`LeakMonitor` takes the readings one at a time (:meth:`LeakMonitor.update`) or in
arrays (:meth:`LeakMonitor.update_many`, the same result to the last bit), in time order.

Law. The cabin leaks through a choked orifice to vacuum (Saad, Compressible Fluid Flow, 2nd
ed., pp. 98-106; :mod:`leaksim.core.flow`), the law :func:`leaksim.inverse.fit_leak` fits:
``dm/dt = -m Cd A psi* sqrt(R T) / V``. With a temperature column each reading is brought to
the first temperature read, ``T_ref``, as ``y = p T_ref / T`` (proportional to the mass left)
and time is replaced by ``X = integral sqrt(T / T_ref) dt`` (trapezoidal rule), so that

    z = ln y = c - k X,        k = Cd A psi* sqrt(R T_ref) / V,

exactly, whatever the temperature does; without one, ``y = p`` and ``X = t``. A leak is a
decay rate ``k > 0``; its start is a change of ``k`` from 0, its growth a later increase.

Noise. A reading has the noise ``sigma_n`` and is rounded to the resolution ``q``: its
standard deviation is ``sigma = sqrt(sigma_n^2 + q^2 / 12)``, or the noise pooled from the
scatter of the readings about a line within each block when that is larger (as ``fit`` takes
the larger of the stated and the residual noise). ``z`` then has the standard deviation
``sigma / p`` and the fits below weight each reading by ``p^2 / sigma^2``. What is not noise
is a bounded bias ``|d| <= D``: an uncompensated temperature excursion ``Delta T`` moves
``z`` by ``Delta T / T_ref``, and rounding leaves at most
:func:`leaksim.telemetry._statistics.quantisation_bias` in a mean. By the Cauchy-Schwarz
inequality such a bias moves a weighted least-squares slope by at most
``D sqrt(sum w / S_xx)``, that is ``D sqrt(sum w)`` standard errors.

Detection. The readings are gathered in blocks of ``window`` seconds (sufficient statistics:
count, means, centred sums of squares and products). At the end of each block the decay rate
``k_L`` of the last ``L`` blocks is fitted by weighted least squares for every ``L`` of a
geometric grid (1, 2, ..., 10, then 10 % apart, up to 16,384 blocks), and

    S_L = (k_L - k_0) sqrt(S_xx) / sigma_z - D sqrt(sum w)

is the standardised excess of the rate over the rate ``k_0`` expected, less the largest share
of it a bias could make. An alarm fires when ``max_L S_L > h``. This is the window-limited
generalised likelihood ratio test for a change of rate (Page's CUSUM maximised over the change
time with the new rate estimated: Page, Biometrika 41, 1954, 100-115; Basseville and
Nikiforov, Detection of Abrupt Changes, Prentice Hall 1993, sec. 2.2 and 2.4; Lai, J. R.
Stat. Soc. B 57, 1995, 613-658, for the window limit). Without a leak each ``S_L`` is at most
a standard normal variable, so the chance of an alarm at one decision is at most
``n_lags Q(h)`` (union bound) and ``h`` is chosen (:func:`~._statistics.threshold`) so that
false alarms come at most at ``false_alarm_rate``.

Estimates. At an alarm the change is dated by the broken line ``z = c - k_0 X - dk (X -
X0)+`` fitted over the blocks since the last change, ``X0`` at each block start (least
squares profile), and from there the decay rate is the weighted least-squares slope of the
blocks after ``X0``, updated recursively with each block (recursive least squares, exact).
The block the change is dated to is left out as soon as two later blocks can take its place:
the change may lie inside it.
Its interval is ``k +- (z sigma_k + D sqrt(sum w / S_xx))``: Wald (Seber and Wild, Nonlinear
Regression, 1989, sec. 2.1) widened by the bias bound. Segments cut by repressurisations and
events are fitted apart and their ``Cd A`` combined by inverse-variance weights, as ``fit``
does. ``k_0`` is the rate of the ``baseline_leak`` (0 unless given) before the first alarm,
then the upper bound of the current estimate: a
growth alarm says the leak has grown beyond its uncertainty. The reserve time to a level
``p_t`` is ``ln(p / p_t) / k`` (isothermal decay), its band from the interval of ``k``.

Repressurisations and events. A rise of ``y`` between two readings of more than ten times the
noise (or ``repressurisation_threshold``), and the ``events`` given (a time, or a time and the
new volume leaking: a hatch closed or opened), end a segment as in
:func:`leaksim.inverse.fit_leak`; no window spans two segments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pint

from ..errors import ScenarioError
from ..inverse._common import DAY, MMHG, gas_constants, read_events, si_value
from ..units import ureg
from ._statistics import (
    MAX_LAG_BLOCKS,
    effective_noise,
    lags,
    quantisation_bias,
    threshold,
)

__all__ = [
    "Alarm",
    "LeakMonitor",
    "MonitorState",
    "DEFAULT_FALSE_ALARM_RATE",
    "DEFAULT_PRESSURE_RESOLUTION",
    "rate_per_second",
]

#: One false alarm in ten years at most, unless stated.
DEFAULT_FALSE_ALARM_RATE = "0.1 / year"

#: Resolution of a cabin pressure reading unless stated: 0.1 mmHg, a tenth of the crews' unit.
DEFAULT_PRESSURE_RESOLUTION = "0.1 mmHg"

#: A rise between two readings larger than this many noise levels is a repressurisation
#: (the rule of :func:`leaksim.inverse.fit_leak`).
_RISE_NOISE_LEVELS = 10.0

# Columns of the per-block statistics: relative weight sum W = n (p/p_ref)^2, mean X, mean z,
# weighted centred sums Sxx, Sxz, Szz, number of readings, mean pressure, first and last
# reading's time, first reading's X.
_W, _X, _Z, _SXX, _SXZ, _SZZ, _N, _P, _T0, _T1, _X0 = range(11)
_COLUMNS = 11


@dataclass(frozen=True)
class Alarm:
    """An alarm of the monitor.

    Attributes
    ----------
    kind : str
        ``"leak"`` (a leak has started) or ``"growth"`` (it has grown beyond its uncertainty).
    time : float
        Log time of the last reading the decision used [s].
    onset : float
        Estimated time the change began [s].
    message : str
        One line for the crew.
    """

    kind: str
    time: float
    onset: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The line written to EVENTS.jsonl (``docs/scenario-format.md``, "Telemetry")."""
        return {
            "kind": self.kind,
            "time_s": self.time,
            "message": self.message,
            "onset_s": self.onset,
        }


@dataclass(frozen=True)
class MonitorState:
    """What the monitor knows after the readings so far (SI units).

    Attributes
    ----------
    samples : int
        Readings taken, gaps (NaN) included [-].
    dropped : int
        Readings skipped as gaps [-].
    time : float or None
        Time of the last reading [s].
    pressure : float or None
        Mean pressure of the last block closed [Pa].
    leak : bool
        Whether a leak has been detected.
    growth : bool
        Whether a growth alarm has fired.
    onset : float or None
        Estimated start of the leak [s]; None before a leak alarm.
    change : float or None
        Start of the data the current estimate uses: the onset, or the last growth [s].
    effective_area : float or None
        ``Cd A`` now [m^2]; None before a leak alarm.
    effective_area_ci : tuple of float or None
        Its interval at ``confidence`` [m^2].
    leak_rate, leak_rate_ci : float or None, tuple of float or None
        Mass leak rate at ``pressure`` and its interval [kg/s].
    reserve_times : dict
        Per threshold (as given), ``(time, low, high)``: time until the pressure falls to it
        at the current rate, and its band [s]; ``inf`` where the rate may be zero.
    noise : float
        Standard deviation of one reading used [Pa].
    statistic : float
        Largest standardised statistic at the last decision [-].
    threshold : float
        Its alarm threshold ``h`` [-].
    confidence : float
        Level of the intervals [-].
    alarms : tuple of Alarm
    notes : tuple of str
    """

    samples: int
    dropped: int
    time: float | None
    pressure: float | None
    leak: bool
    growth: bool
    onset: float | None
    change: float | None
    effective_area: float | None
    effective_area_ci: tuple[float, float] | None
    leak_rate: float | None
    leak_rate_ci: tuple[float, float] | None
    reserve_times: dict[str, tuple[float, float, float]]
    noise: float
    statistic: float
    threshold: float
    confidence: float
    alarms: tuple[Alarm, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """STATE.json: the keys of the contract and the additions (``docs/telemetry.md``)."""
        return {
            "onset_s": self.onset,
            "effective_area_m2": self.effective_area,
            "effective_area_ci_m2": _pair(self.effective_area_ci),
            "leak_rate_kg_per_day": None if self.leak_rate is None else self.leak_rate * DAY,
            "alarms": [a.to_dict() for a in self.alarms],
            "samples": self.samples,
            "leak_detected": self.leak,
            "growth_detected": self.growth,
            "change_s": self.change,
            "leak_rate_ci_kg_per_day": None
            if self.leak_rate_ci is None
            else [x * DAY for x in self.leak_rate_ci],
            "reserve_times_s": {
                k: {"time": _finite(v[0]), "low": _finite(v[1]), "high": _finite(v[2])}
                for k, v in self.reserve_times.items()
            },
            "time_s": self.time,
            "pressure_Pa": self.pressure,
            "noise_Pa": self.noise,
            "statistic": _finite(self.statistic),
            "threshold": self.threshold,
            "confidence": self.confidence,
            "dropped": self.dropped,
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """A short human summary."""
        rows = [f"readings:       {self.samples} ({self.dropped} gaps)"]
        if self.pressure is not None:
            rows.append(f"pressure:       {self.pressure / MMHG:.2f} mmHg")
        if not self.leak or self.effective_area is None or self.effective_area_ci is None:
            rows.append(
                f"leak:           none detected (statistic {self.statistic:.3g}, alarm at "
                f"{self.threshold:.3g})"
            )
        else:
            lo, hi = self.effective_area_ci
            rows.append(
                f"leak:           since {_hours(self.onset)}, Cd A = "
                f"{self.effective_area * 1e6:.4g} mm^2 ({lo * 1e6:.4g} to {hi * 1e6:.4g})"
            )
            if self.leak_rate is not None and self.leak_rate_ci is not None:
                r_lo, r_hi = (x * DAY for x in self.leak_rate_ci)
                rows.append(
                    f"leak rate:      {self.leak_rate * DAY:.4g} kg/day ({r_lo:.4g} to {r_hi:.4g})"
                )
            for name, (t, t_lo, t_hi) in self.reserve_times.items():
                rows.append(f"reserve to {name}: {_hours(t)} ({_hours(t_lo)} to {_hours(t_hi)})")
        rows += [f"alarm: {a.kind} at {_hours(a.time)}: {a.message}" for a in self.alarms]
        rows += [f"note: {n}" for n in self.notes]
        return rows


class _Blocks:
    """Per-block statistics of the current segment, in a growing array."""

    def __init__(self) -> None:
        self.rows = np.empty((64, _COLUMNS))
        self.size = 0

    def append(self, row: npt.NDArray[np.float64]) -> None:
        if self.size == self.rows.shape[0]:
            self.rows = np.concatenate([self.rows, np.empty_like(self.rows)])
        self.rows[self.size] = row
        self.size += 1

    def view(self, start: int = 0) -> npt.NDArray[np.float64]:
        return self.rows[start : self.size]


class _Line:
    """Recursive weighted least squares of ``z = c - k X`` over blocks (exact sums)."""

    def __init__(self, volume: float) -> None:
        self.volume = volume
        self.frame: tuple[float, float] | None = None
        self.sums = np.zeros(6)  # W, W x, W x^2, W z, W x z, W z^2 in the frame

    def add(self, blocks: npt.NDArray[np.float64]) -> None:
        if blocks.shape[0] == 0:
            return
        if self.frame is None:
            self.frame = (float(blocks[0, _X]), float(blocks[0, _Z]))
        w = blocks[:, _W]
        x = blocks[:, _X] - self.frame[0]
        z = blocks[:, _Z] - self.frame[1]
        self.sums += [
            np.sum(w),
            np.sum(w * x),
            np.sum(blocks[:, _SXX] + w * x * x),
            np.sum(w * z),
            np.sum(blocks[:, _SXZ] + w * x * z),
            np.sum(blocks[:, _SZZ] + w * z * z),
        ]

    def slope(self) -> tuple[float, float, float] | None:
        """``(k, S_xx, sum W)`` in relative weights, or None below two distinct X."""
        w, wx, wxx, _, wxz, _ = self.sums
        if w <= 0:
            return None
        sxx = wxx - wx * wx / w
        if not sxx > 1e-12 * wxx:
            return None
        sxz = wxz - wx * self.sums[3] / w
        return -sxz / sxx, sxx, w


@dataclass
class _Phase:
    """The leak since its last change: one line per segment.

    ``guard`` is the index, in the current segment, of the block the change was dated to
    while that block is still in the fit: the change may lie inside it, and its readings from
    before the change would pull the rate toward the old one (by up to two standard errors for
    a leak that doubles), so it is dropped as soon as a later block can take its place.
    """

    onset: float
    lines: list[_Line] = field(default_factory=list)
    guard: int | None = None


class LeakMonitor:
    """Sequential leak detector and estimator for one volume.

    Parameters
    ----------
    volume : str or pint.Quantity
        Volume of gas leaking at the start [m^3].
    gas : str or mapping, default "air"
        Gas, as :func:`leaksim.core.gas.mole_fractions` takes it.
    temperature : str or pint.Quantity, default "22 degC"
        Gas temperature when the readings have none [K].
    pressure_resolution : str or pint.Quantity, default "0.1 mmHg"
        Step of the pressure readings [Pa]; "0 mmHg" for none.
    pressure_noise : str or pint.Quantity, default "0 mmHg"
        Standard deviation of the sensor's noise [Pa]; the noise pooled from the readings is
        used when larger.
    temperature_drift : str or pint.Quantity, default "0 K"
        Largest excursion of the gas temperature that the readings do not show (no temperature
        column, or a sensor away from the bulk of the gas) [K].
    false_alarm_rate : str or pint.Quantity, default "0.1 / year"
        Largest rate of false alarms on a log without a leak [1/s].
    window : str or pint.Quantity, default "1 min"
        Length of a block; one decision per block [s].
    thresholds : sequence, default ("490 mmHg",)
        Pressures to state the reserve time to [Pa].
    events : sequence, optional
        Times at which the log is cut, each a time or ``(time, volume)`` as
        :func:`leaksim.inverse.fit_leak` takes them [s, m^3].
    confidence : float, default 0.95
        Level of the intervals [-].
    baseline_leak : str or pint.Quantity, optional
        The station's standard leak, in any form :func:`leaksim.inverse.convert_leak` reads
        (``"0.5 lb/day"`` at ``760 mmHg``, ``"0.01 mm^2"``): the leak alarm then fires on a
        rise above it, and the ``Cd A`` reported is that of all the leaks together.
    repressurisation_threshold : str or pint.Quantity, optional
        A rise between two readings above this cuts the log [Pa]; default ten times the
        noise.
    source : str, default "log"
        Name used in error messages.

    Examples
    --------
    A 5 m^3 module read once a second at 0.1 mmHg steps, leaking from t = 1 h through
    Cd A = 0.1 mm^2:

    >>> import numpy as np
    >>> t = np.arange(0.0, 4 * 3600.0)
    >>> k = 1e-7 * 0.6847 * np.sqrt(287.05 * 295.15) / 5.0
    >>> p = 101325.0 * np.exp(-k * np.clip(t - 3600.0, 0, None))
    >>> noisy = np.round((p + np.random.default_rng(1).normal(0, 13.0, t.size)) / 13.33) * 13.33
    >>> monitor = LeakMonitor("5 m^3", pressure_noise="0.1 mmHg")
    >>> state = monitor.update_many(t, noisy)
    >>> state.leak, 3600 < state.alarms[0].time < 3900
    (True, True)
    """

    def __init__(
        self,
        volume: str | pint.Quantity,
        *,
        gas: str | Mapping[str, float] = "air",
        temperature: str | pint.Quantity = "22 degC",
        pressure_resolution: str | pint.Quantity = DEFAULT_PRESSURE_RESOLUTION,
        pressure_noise: str | pint.Quantity = "0 mmHg",
        temperature_drift: str | pint.Quantity = "0 K",
        false_alarm_rate: str | pint.Quantity = DEFAULT_FALSE_ALARM_RATE,
        window: str | pint.Quantity = "1 min",
        thresholds: Sequence[str | pint.Quantity] = ("490 mmHg",),
        events: Sequence[Any] = (),
        confidence: float = 0.95,
        baseline_leak: str | pint.Quantity | None = None,
        repressurisation_threshold: str | pint.Quantity | None = None,
        source: str = "log",
    ) -> None:
        from ..inverse._common import check_level, coverage_factor

        self.volume = si_value(volume, "volume", "volume")
        self._r, self._psi = gas_constants(gas)
        self._t_default = si_value(temperature, "temperature", "temperature")
        resolution = si_value(
            pressure_resolution, "pressure", "pressure_resolution", positive=False
        )
        noise = si_value(pressure_noise, "pressure", "pressure_noise", positive=False)
        if resolution < 0 or noise < 0 or resolution == noise == 0:
            raise ScenarioError(
                f"must be >= 0 and not both 0, got {pressure_resolution!r} and {pressure_noise!r}",
                "pressure_resolution, pressure_noise",
            )
        self._sigma_stated = effective_noise(noise, resolution)
        self._bias_q = quantisation_bias(noise, resolution)
        self._drift = _temperature_difference(temperature_drift)
        self.window = si_value(window, "time", "window")
        self.rate = rate_per_second(false_alarm_rate, "false_alarm_rate")
        self._lags = lags(MAX_LAG_BLOCKS)
        self.h = threshold(self.rate, self.window, self._lags.size)
        self.confidence = check_level(confidence)
        self._z = coverage_factor(self.confidence, math.inf)
        self._thresholds = [
            (str(th), si_value(th, "pressure", f"thresholds[{i}]"))
            for i, th in enumerate(thresholds)
        ]
        self._events = read_events(events)
        self._rise_given = (
            None
            if repressurisation_threshold is None
            else si_value(repressurisation_threshold, "pressure", "repressurisation_threshold")
        )
        self._baseline = 0.0
        if baseline_leak is not None:
            from ..inverse import convert_leak

            self._baseline = convert_leak(
                baseline_leak, volume=volume, temperature=temperature, gas=gas
            ).effective_area
        self.source = source
        # the readings
        self._samples = 0
        self._dropped = 0
        self._last_row = 0  # number of the last reading taken
        self._t_last = -math.inf  # and its time
        self._has_temperature: bool | None = None
        self._origin: float | None = None
        self._t_ref = self._t_default
        self._p_ref = 1.0
        self._z0 = 0.0
        self._last: tuple[float, float, float] | None = None  # t, T / T_ref, X of the last
        self._y_last: float | None = None
        self._next_event = 0
        # the open block
        self._buffer: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._block: int | None = None
        # the current segment
        self._segment_volume = self.volume
        self._blocks = _Blocks()
        self._search_start = 0  # first block of the segment the detector and dating look at
        self._rss = 0.0
        self._dof = 0
        # the leak
        self._phase: _Phase | None = None
        self._onset: float | None = None
        self._growth = False
        self._alarms: list[Alarm] = []
        self._statistic = -math.inf
        self._notes: list[str] = []

    # ---------------------------------------------------------------- the readings

    def update(self, t: float, pressure: float, temperature: float | None = None) -> MonitorState:
        """Take one reading and return the state.

        Parameters
        ----------
        t : float
            Time of the reading, after the previous one [s].
        pressure : float
            Pressure [Pa]; NaN is a gap.
        temperature : float, optional
            Gas temperature [K]; give it with every reading or with none.
        """
        temps = None if temperature is None else [temperature]
        return self.update_many([t], [pressure], temps)

    def update_many(
        self,
        t: npt.ArrayLike,
        pressure: npt.ArrayLike,
        temperature: npt.ArrayLike | None = None,
    ) -> MonitorState:
        """Take readings in time order; the same as :meth:`update` on each, to the last bit.

        Raises
        ------
        leaksim.errors.ScenarioError
            On times not increasing, a pressure or temperature <= 0, or readings with and
            without temperature; the readings before the bad one are taken.
        """
        times = _floats(t)
        p = _floats(pressure)
        temp = None if temperature is None else _floats(temperature)
        if p.shape != times.shape or (temp is not None and temp.shape != times.shape):
            raise ScenarioError(
                "time, pressure and temperature must have one value per row", self.source
            )
        if times.size == 0:
            return self.state()
        if self._has_temperature is None:
            self._has_temperature = temp is not None
        elif self._has_temperature != (temp is not None):
            raise ScenarioError(
                "readings must all have a temperature or none have one", self.source
            )
        keep = np.isfinite(times) & np.isfinite(p)
        if temp is not None:
            keep &= np.isfinite(temp)
        rows = self._samples + 1 + np.flatnonzero(keep)  # reading numbers, for messages
        self._samples += times.size
        self._dropped += int(times.size - np.count_nonzero(keep))
        times, p = times[keep], p[keep]
        temp = temp[keep] if temp is not None else None
        bad, error = self._first_bad(times, p, temp, rows)
        self._take(times[:bad], p[:bad], None if temp is None else temp[:bad])
        if bad:
            self._last_row = int(rows[bad - 1])
            self._t_last = float(times[bad - 1])
        if error is not None:
            raise ScenarioError(error, self.source)
        return self.state()

    def finish(self) -> MonitorState:
        """Close the open block (the end of the log) and return the state."""
        self._close()
        return self.state()

    def _first_bad(self, t, p, temp, rows) -> tuple[int, str | None]:
        """Index of the first reading that breaks a rule, and the rule (``fit``'s words)."""
        prev = np.concatenate([[self._t_last], t[:-1]])
        checks: list[tuple[np.ndarray, str | None]] = [(t <= prev, None)]
        checks.append((p <= 0, "pressure"))
        if temp is not None:
            checks.append((temp <= 0, "temperature"))
        first, error = t.size, None
        for mask, kind in checks:
            hits = np.flatnonzero(mask)
            if hits.size and hits[0] < first:
                i = int(hits[0])
                first = i
                if kind is None:
                    before_row = int(rows[i - 1]) if i else self._last_row
                    error = (
                        f"times must increase, got {prev[i]:g} s then {t[i]:g} s (rows "
                        f"{before_row}, {int(rows[i])})"
                    )
                elif kind == "pressure":
                    error = f"pressure must be > 0 Pa, got {p[i]:g} Pa"
                else:
                    error = f"temperature must be > 0 K, got {temp[i]:g} K"
        return first, error

    def _take(self, t, p, temp) -> None:
        """Readings already checked: split them into blocks, cut at events and rises."""
        if t.size == 0:
            return
        if self._origin is None:
            self._origin = float(t[0])
            self._t_ref = float(temp[0]) if temp is not None else self._t_default
            self._p_ref = float(p[0])
            self._z0 = math.log(float(p[0]))
        ratio = temp / self._t_ref if temp is not None else np.ones_like(t)
        index = np.floor((t - self._origin) / self.window).astype(np.int64)
        i, n = 0, t.size
        while i < n:
            if self._block is None:
                self._block = int(index[i])
            j = i + int(np.searchsorted(index[i:], self._block, side="right"))
            if j == i:  # a reading of a later block: this one is complete
                self._close()
                continue
            cut = None
            if self._next_event < len(self._events):
                e_time = self._events[self._next_event][0]
                e = i + int(np.searchsorted(t[i:j], e_time, side="left"))
                if e < j:
                    j, cut = e, "event"
            y = p[i:j] / ratio[i:j]
            if self._y_last is not None and y.size:
                rises = np.flatnonzero(np.diff(np.concatenate([[self._y_last], y])) > self._rise())
                if rises.size:
                    j, cut = i + int(rises[0]), "rise"
            if j > i:
                self._buffer.append((t[i:j], p[i:j], ratio[i:j]))
                self._y_last = float(p[j - 1] / ratio[j - 1])
            if cut is None:
                i = j
                if j < n:
                    self._close()
                continue
            self._close()
            self._cut(cut, float(t[j]), float(p[j] / ratio[j]))
            i = j

    def _rise(self) -> float:
        return (
            self._rise_given if self._rise_given is not None else _RISE_NOISE_LEVELS * self._sigma()
        )

    def _sigma(self) -> float:
        """Noise of one reading used: stated, or pooled from the blocks if larger [Pa]."""
        pooled = math.sqrt(self._rss / self._dof) if self._dof > 0 else 0.0
        return max(self._sigma_stated, pooled)

    def _cut(self, why: str, t: float, y: float) -> None:
        """End the segment before the reading at ``t``."""
        if why == "event":
            while self._next_event < len(self._events) and self._events[self._next_event][0] <= t:
                e_time, vol = self._events[self._next_event]
                self._next_event += 1
                if vol is not None:
                    self._segment_volume = vol
                self._notes.append(f"event at {e_time / 3600:g} h: new segment")
        else:
            self._notes.append(
                f"pressure rose by {(y - (self._y_last or y)) / MMHG:.3g} mmHg at "
                f"{t / 3600:g} h: a repressurisation, new segment"
            )
        self._blocks = _Blocks()
        self._search_start = 0
        self._y_last = None
        if self._phase is not None:
            self._phase.lines.append(_Line(self._segment_volume))
            self._phase.guard = None

    # ---------------------------------------------------------------- one block

    def _close(self) -> None:
        """Close the open block: its statistics, the noise, the decision, the estimates."""
        self._block = None
        if not self._buffer:
            return
        t = np.concatenate([b[0] for b in self._buffer])
        p = np.concatenate([b[1] for b in self._buffer])
        ratio = np.concatenate([b[2] for b in self._buffer])
        self._buffer = []
        t_prev, r_prev, x_prev = self._last if self._last is not None else (t[0], ratio[0], 0.0)
        tt = np.concatenate([[t_prev], t])
        root = np.sqrt(np.concatenate([[r_prev], ratio]))
        x = x_prev + np.cumsum(0.5 * np.diff(tt) * (root[1:] + root[:-1]))
        self._last = (float(t[-1]), float(ratio[-1]), float(x[-1]))
        z = np.log(p / ratio) - self._z0
        weight = (float(np.mean(p)) / self._p_ref) ** 2
        dx, dz = x - np.mean(x), z - np.mean(z)
        sxx, sxz, szz = float(dx @ dx), float(dx @ dz), float(dz @ dz)
        if t.size >= 3 and sxx > 0:
            self._rss += max(szz - sxz * sxz / sxx, 0.0) * float(np.mean(p)) ** 2
            self._dof += t.size - 2
        row = np.array(
            [
                weight * t.size,
                np.mean(x),
                np.mean(z),
                weight * sxx,
                weight * sxz,
                weight * szz,
                t.size,
                np.mean(p),
                t[0],
                t[-1],
                x[0],
            ]
        )
        self._blocks.append(row)
        if self._phase is not None:
            phase = self._phase
            if phase.guard is not None and self._blocks.size - phase.guard >= 3:
                phase.lines[-1] = _Line(self._segment_volume)
                phase.lines[-1].add(self._blocks.view(phase.guard + 1))
                phase.guard = None
            else:
                phase.lines[-1].add(row[None, :])
        self._decide()

    def _bias(self, pressure: float) -> float:
        """Bound ``D`` on the bias of ``z`` [-]: temperature drift and rounding."""
        return self._drift / self._t_ref + self._bias_q / pressure

    def _decide(self) -> None:
        """Test the windows ending with the last block; raise an alarm and date it."""
        blocks = self._blocks.view(self._search_start)
        m = min(blocks.shape[0], MAX_LAG_BLOCKS)
        if m == 0:
            return
        recent = blocks[::-1][:m]  # newest first
        w = recent[:, _W]
        dx = recent[:, _X] - recent[0, _X]
        dz = recent[:, _Z] - recent[0, _Z]
        cw = np.cumsum(w)
        cx = np.cumsum(w * dx)
        cxx = np.cumsum(recent[:, _SXX] + w * dx * dx)
        cz = np.cumsum(w * dz)
        cxz = np.cumsum(recent[:, _SXZ] + w * dx * dz)
        at = self._lags[self._lags <= m] - 1
        sxx = cxx[at] - cx[at] ** 2 / cw[at]
        sxz = cxz[at] - cx[at] * cz[at] / cw[at]
        ok = sxx > 1e-12 * cxx[at]
        if not np.any(ok):
            return
        sigma_z = self._sigma() / self._p_ref
        k = -sxz[ok] / sxx[ok]
        k_ref = self._reference_rate()
        stat = (k - k_ref) * np.sqrt(sxx[ok]) / sigma_z - self._bias(
            float(recent[0, _P])
        ) * np.sqrt(cw[at][ok]) / sigma_z
        best = float(np.max(stat))
        self._statistic = best
        if best > self.h:
            self._alarm()

    def _reference_rate(self) -> float:
        """Decay rate expected without a (new) change: the baseline's, or the upper bound of
        the leak's."""
        if self._phase is None:
            return self._baseline * self._per_area()
        est = self._estimate()
        if est is None:
            return math.inf  # no estimate yet in this segment: no growth can be told
        return est[2] * self._per_area()

    def _per_area(self) -> float:
        """Decay rate per unit of ``Cd A`` in the current segment [1/(m^2 s)]."""
        return self._psi * math.sqrt(self._r * self._t_ref) / self._segment_volume

    def _alarm(self) -> None:
        kind = "leak" if self._phase is None else "growth"
        k_before = self._reference_rate() if self._phase is None else self._central_rate()
        before = self._estimate()
        start = self._date(k_before)
        blocks = self._blocks.view(self._search_start)
        onset = float(blocks[start, _T0])
        line = _Line(self._segment_volume)
        first = self._search_start + start
        if blocks.shape[0] - start >= 3:
            line.add(blocks[start + 1 :])
            self._phase = _Phase(onset, [line])
        else:
            line.add(blocks[start:])
            self._phase = _Phase(onset, [line], guard=first)
        if kind == "leak":
            self._onset = onset
        else:
            self._growth = True
        self._search_start = self._blocks.size  # later windows start after this alarm
        after = self._estimate()
        t = float(blocks[-1, _T1])
        self._alarms.append(Alarm(kind, t, onset, _message(kind, onset, before, after)))

    def _central_rate(self) -> float:
        est = self._estimate()
        return 0.0 if est is None else est[0] * self._per_area()

    def _date(self, k_before: float) -> int:
        """Index of the block where the broken line ``z = c - k_before X - dk (X - X0)+``
        fits best, ``X0`` at a block start (the least-squares estimate of the change time)."""
        b = self._blocks.view(self._search_start)
        w = b[:, _W]
        xr = b[-1, _X]
        x = b[:, _X] - xr
        z = b[:, _Z] + k_before * b[:, _X]
        z = z - z[-1]
        sxz_b = b[:, _SXZ] + k_before * b[:, _SXX]
        x0 = b[:, _X0] - xr  # candidate change points: each block's first X
        # totals over all blocks (centred later)
        tw, tz = np.sum(w), np.sum(w * z)

        # suffix sums over blocks >= i
        def suffix(a):
            return np.cumsum(a[::-1])[::-1]

        s_w = suffix(w)
        s_wx = suffix(w * x)
        s_wxx = suffix(b[:, _SXX] + w * x * x)
        s_wz = suffix(w * z)
        s_wxz = suffix(sxz_b + w * x * z)
        # u = -(x - x0) on blocks >= i
        su = -(s_wx - x0 * s_w)
        suu = s_wxx - 2 * x0 * s_wx + x0 * x0 * s_w
        suz = -(s_wxz - x0 * s_wz)
        s_uu = suu - su * su / tw
        s_uz = suz - su * tz / tw
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where((s_uu > 0) & (s_uz > 0), s_uz * s_uz / s_uu, -np.inf)
        return int(np.argmax(gain)) if np.any(np.isfinite(gain)) else 0

    # ---------------------------------------------------------------- the estimates

    def _estimate(self) -> tuple[float, float, float, float] | None:
        """``(Cd A, low, high, sd)`` of the current phase [m^2], or None."""
        if self._phase is None:
            return None
        sigma_z = self._sigma() / self._p_ref
        areas, sds, biases = [], [], []
        per = self._psi * math.sqrt(self._r * self._t_ref)
        for line in self._phase.lines:
            fit = line.slope()
            if fit is None:
                continue
            k, sxx, w = fit
            scale = line.volume / per  # Cd A per unit rate [m^2 s]
            areas.append(k * scale)
            sds.append(sigma_z / math.sqrt(sxx) * scale)
            # bias bound with the lowest pressure of the phase (largest rounding share)
            biases.append(self._bias(self._pressure_now()) * math.sqrt(w / sxx) * scale)
        if not areas:
            return None
        wt = 1.0 / np.square(sds)
        area = float(np.sum(wt * np.array(areas)) / np.sum(wt))
        sd = float(1.0 / math.sqrt(np.sum(wt)))
        bias = float(np.sum(wt * np.array(biases)) / np.sum(wt))
        half = self._z * sd + bias
        # an area is not negative: a bound below zero means "no leak" at that bound
        return area, max(area - half, 0.0), max(area + half, 0.0), sd

    def _pressure_now(self) -> float:
        b = self._blocks.view()
        if b.shape[0]:
            return float(b[-1, _P])
        return self._p_ref

    def state(self) -> MonitorState:
        """What the monitor knows now (the open block not yet counted)."""
        est = self._estimate()
        p_now = self._pressure_now() if self._last is not None else None
        area = ci = rate = rate_ci = None
        reserve: dict[str, tuple[float, float, float]] = {}
        if est is not None and p_now is not None:
            area, lo, hi, _ = est
            ci = (lo, hi)
            per_area = p_now * self._psi / math.sqrt(self._r * self._t_ref)
            rate, rate_ci = area * per_area, (lo * per_area, hi * per_area)
            k_per = self._per_area()
            for name, level in self._thresholds:
                reserve[name] = tuple(  # type: ignore[assignment]
                    _reserve(p_now, level, a * k_per) for a in (area, hi, lo)
                )
        return MonitorState(
            samples=self._samples,
            dropped=self._dropped,
            time=None if self._last is None else self._last[0],
            pressure=p_now,
            leak=self._onset is not None,
            growth=self._growth,
            onset=self._onset,
            change=None if self._phase is None else self._phase.onset,
            effective_area=area,
            effective_area_ci=ci,
            leak_rate=rate,
            leak_rate_ci=rate_ci,
            reserve_times=reserve,
            noise=self._sigma(),
            statistic=self._statistic,
            threshold=self.h,
            confidence=self.confidence,
            alarms=tuple(self._alarms),
            notes=tuple(self._notes),
        )


def _floats(values: npt.ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1)


def rate_per_second(value: Any, key: str) -> float:
    """A rate such as ``"0.1 / year"`` or ``"1/day"`` in 1/s, named ``key`` in errors."""
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ScenarioError(
            f"needs a unit such as '0.1 / year', got the bare number {value!r}", key
        )
    try:
        q = ureg.Quantity(value) if isinstance(value, str) else value
        x = float(q.m_as("1/s"))
    except Exception as exc:  # pint raises several unrelated types on bad text
        raise ScenarioError(
            f"must be a rate such as '0.1 / year', got {value!r}: {exc}", key
        ) from None
    if not x > 0:
        raise ScenarioError(f"must be > 0, got {value!r}", key)
    return x


def _temperature_difference(value: Any) -> float:
    """A temperature difference [K] (``"0.1 K"``, ``"0.2 delta_degC"``), >= 0."""
    key = "temperature_drift"
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ScenarioError(f"needs a unit such as '0.1 K', got the bare number {value!r}", key)
    try:
        q = ureg.Quantity(value) if isinstance(value, str) else value
        x = (
            float(q.m_as("delta_degC"))
            if "degC" in str(q.units) or "°C" in str(q.units)
            else float(q.m_as("K"))
        )
    except Exception as exc:  # pint raises several unrelated types on bad text
        raise ScenarioError(
            f"must be a temperature difference such as '0.1 K', got {value!r}: {exc}", key
        ) from None
    if not x >= 0:
        raise ScenarioError(f"must be >= 0 K, got {value!r}", key)
    return x


def _reserve(p: float, level: float, k: float) -> float:
    """Time for an isothermal decay at rate ``k`` from ``p`` to ``level`` [s]."""
    if p <= level:
        return 0.0
    return math.log(p / level) / k if k > 0 else math.inf


def _message(kind, onset, before, after) -> str:
    def area(est):
        if est is None:
            return "not yet sized"
        a, lo, hi, _ = est
        return f"Cd A {a * 1e6:.3g} mm^2 ({lo * 1e6:.3g} to {hi * 1e6:.3g})"

    if kind == "leak":
        return f"leak since about {_hours(onset)}: {area(after)}"
    return f"leak grew from about {_hours(onset)}: {area(after)}, was {area(before)}"


def _hours(t: float | None) -> str:
    if t is None:
        return "-"
    if not math.isfinite(t):
        return "inf"
    return f"{t / 3600:.3g} h"


def _pair(x):
    return None if x is None else [float(x[0]), float(x[1])]


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
