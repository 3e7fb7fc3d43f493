"""leaksim.telemetry.monitor: the online detector and estimator on synthetic logs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from _telemetry_logs import MMHG, PSI_AIR, R_AIR, T0, synthetic_log
from hypothesis import given, settings
from hypothesis import strategies as st

from leaksim.errors import ScenarioError
from leaksim.telemetry import LeakMonitor
from leaksim.telemetry._statistics import effective_noise, lags, quantisation_bias, threshold


def _near(state, area):
    """Within four standard errors (the coverage of the interval is tested over many seeds in
    tests/test_telemetry_validation.py; one seed's interval misses 5 % of the time)."""
    lo, hi = state.effective_area_ci
    return abs(state.effective_area - area) < 4 * (hi - lo) / (2 * 1.96)


def _monitor(**kw):
    kw.setdefault("pressure_noise", "0.1 mmHg")
    return LeakMonitor("5 m^3", **kw)


@pytest.fixture(scope="module")
def leak_log():
    return synthetic_log(11, duration=4 * 3600.0, onset=3600.0, area=1e-7, cycle=0.5, gaps=40)


# ---------------------------------------------------------------- one at a time or in arrays


def test_update_and_update_many_agree_to_the_bit(leak_log):
    log = leak_log
    n = 3 * 3600
    whole = _monitor().update_many(log.time[:n], log.pressure[:n], log.temperature[:n])
    one = _monitor()
    for i in range(n):
        state = one.update(log.time[i], log.pressure[i], log.temperature[i])
    assert state == whole
    assert whole.leak  # the comparison covers the alarm and the estimates


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 2 * 3600 - 1), max_size=12, unique=True))
def test_any_chunking_gives_the_same_state(leak_log, cuts):
    log, n = leak_log, 2 * 3600
    whole = _monitor().update_many(log.time[:n], log.pressure[:n], log.temperature[:n])
    mon = _monitor()
    for part in np.split(np.arange(n), sorted(cuts)):
        state = mon.update_many(log.time[part], log.pressure[part], log.temperature[part])
    assert state == whole


# ---------------------------------------------------------------- detection and estimates


def test_detects_dates_and_sizes_a_leak(leak_log):
    log = leak_log
    mon = _monitor()
    mon.update_many(log.time, log.pressure, log.temperature)
    state = mon.finish()
    assert [a.kind for a in state.alarms] == ["leak"]
    alarm = state.alarms[0]
    # the leak starts at 1 h; one-minute blocks: dated within two blocks
    assert abs(alarm.onset - 3600.0) <= 120.0
    assert 3600.0 < alarm.time < 3600.0 + 30 * 60.0
    lo, hi = state.effective_area_ci
    assert _near(state, 1e-7)
    assert hi - lo < 0.01e-7  # three hours of 1 Hz readings at 0.1 mmHg: a tight interval
    # leak rate and reserve time follow from Cd A by the orifice law and the exponential decay
    p = state.pressure
    assert state.leak_rate == pytest.approx(
        state.effective_area * p * PSI_AIR / math.sqrt(R_AIR * T0), rel=2e-3
    )
    k = state.effective_area * log.rate_per_area
    t_res, t_lo, t_hi = state.reserve_times["490 mmHg"]
    assert t_res == pytest.approx(math.log(p / (490 * MMHG)) / k, rel=2e-3)
    assert t_lo < t_res < t_hi
    data = state.to_dict()
    json.dumps(data, allow_nan=False)
    for key in (
        "onset_s",
        "effective_area_m2",
        "effective_area_ci_m2",
        "leak_rate_kg_per_day",
        "alarms",
        "samples",
    ):
        assert key in data
    assert data["samples"] == log.time.size
    assert data["alarms"][0]["kind"] == "leak"


def test_no_alarm_without_a_leak_under_temperature_cycles():
    # 12 h of orbital cycles of 1 K amplitude (2.6 mmHg of pressure swing), compensated by
    # the temperature column; a false alarm here would be a chance under 1e-6
    for seed in range(3):
        log = synthetic_log(seed, duration=12 * 3600.0, onset=math.inf, cycle=1.0)
        state = _monitor().update_many(log.time, log.pressure, log.temperature)
        assert not state.alarms and not state.leak
        assert state.statistic < state.threshold


def test_temperature_is_compensated_or_allowed_for():
    log = synthetic_log(5, duration=6 * 3600.0, onset=math.inf, cycle=0.5)
    # the same pressures without the temperature column look like leaks ...
    assert _monitor().update_many(log.time, log.pressure).leak
    # ... unless the monitor is told how far the temperature may wander unseen
    assert not _monitor(temperature_drift="0.5 K").update_many(log.time, log.pressure).leak


def test_growth_alarm_and_the_grown_area():
    log = synthetic_log(3, duration=6 * 3600.0, onset=3600.0, growth_at=4 * 3600.0, growth=2.0)
    state = _monitor().update_many(log.time, log.pressure, log.temperature)
    assert [a.kind for a in state.alarms] == ["leak", "growth"]
    assert abs(state.alarms[1].onset - 4 * 3600.0) <= 180.0
    assert state.growth and state.onset == state.alarms[0].onset
    assert _near(state, 2e-7)


def test_repressurisation_and_events_cut_segments():
    log = synthetic_log(4, duration=5 * 3600.0, onset=0.0, area=2e-7, noise=0.05 * MMHG)
    p = log.pressure.copy()
    p[log.time >= 2.5 * 3600] *= 1.03  # gas added: 3 % more, about 20 mmHg, then the same decay
    state = _monitor(pressure_noise="0.05 mmHg").update_many(log.time, p)
    assert any("repressurisation" in n for n in state.notes)
    assert _near(state, 2e-7)
    # a hatch opened at 3 h doubles the volume: the decay halves, Cd A stays
    t = log.time
    k = 2e-7 * log.rate_per_area
    x = np.where(t < 3 * 3600, k * t, k * 3 * 3600 + k / 2 * (t - 3 * 3600))
    rng = np.random.default_rng(0)
    p2 = np.round((760 * MMHG * np.exp(-x) + rng.normal(0, 0.05 * MMHG, t.size)) / 13.33) * 13.33
    state = _monitor(pressure_noise="0.05 mmHg", events=[("3 h", "10 m^3")]).update_many(t, p2)
    assert _near(state, 2e-7)
    assert any("event" in n for n in state.notes)


# ---------------------------------------------------------------- bad input


def test_bad_readings_get_fits_one_line_errors_after_the_good_ones():
    mon = _monitor()
    with pytest.raises(ScenarioError, match=r"times must increase, got 2 s then 1 s \(rows 3, 4\)"):
        mon.update_many([0.0, 1.0, 2.0, 1.0], [1e5] * 4)
    assert mon.state().samples == 4
    with pytest.raises(ScenarioError, match="pressure must be > 0 Pa, got -5 Pa"):
        mon.update(3.0, -5.0)
    with pytest.raises(ScenarioError, match="a temperature or none"):
        mon.update(4.0, 1e5, 295.0)
    gaps = _monitor()
    state = gaps.update_many([0.0, 1.0, 2.0], [1e5, math.nan, 1e5])
    assert (state.samples, state.dropped) == (3, 1)


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"false_alarm_rate": 0.1}, "false_alarm_rate: needs a unit"),
        ({"false_alarm_rate": "1e9 / s"}, "false_alarm_rate: must give less"),
        ({"temperature_drift": "-1 K"}, "temperature_drift: must be >= 0 K"),
        ({"pressure_noise": "0 mmHg", "pressure_resolution": "0 mmHg"}, "not both 0"),
        ({"window": "3 kg"}, "window"),
    ],
)
def test_bad_parameters_name_themselves(kw, match):
    with pytest.raises(ScenarioError, match=match):
        _monitor(**kw)


# ---------------------------------------------------------------- the statistics


def test_threshold_is_the_bonferroni_normal_quantile():
    from scipy import stats

    # 93 lags, one decision a minute, 0.1 false alarm a year: Q(h) = rate * window / 85
    h = threshold(0.1 / (365.25 * 86400), 60.0, 93)
    assert stats.norm.sf(h) == pytest.approx(0.1 / (365.25 * 86400) * 60.0 / 93, rel=1e-9)
    grid = lags(16384)
    assert grid[0] == 1 and grid[-1] == 16384 and np.all(np.diff(grid) >= 1)
    assert np.all(grid[1:] / grid[:-1] <= 2.0)


def test_noise_and_rounding():
    # a uniform rounding error of step q has variance q^2 / 12 (GUM 4.3.7)
    assert effective_noise(3.0, 0.0) == 3.0
    assert effective_noise(0.0, 1.0) == pytest.approx(1 / math.sqrt(12))
    # without noise a mean may be off by half a step; with noise of a step, by nothing useful
    assert quantisation_bias(0.0, 1.0) == 0.5
    assert quantisation_bias(1.0, 1.0) < 1e-8
    # monte carlo check of the bound at sigma = q / 4: the mean of rounded readings
    rng = np.random.default_rng(2)
    worst = max(
        abs(np.mean(np.round(x + rng.normal(0, 0.25, 200_000))) - x) for x in np.linspace(0, 1, 21)
    )
    assert worst <= quantisation_bias(0.25, 1.0) * 1.05 + 3 * 0.3 / math.sqrt(200_000)


def test_a_baseline_leak_is_expected_and_a_rise_above_it_alarms():
    # a standard leak of 0.05 mm^2 throughout, a second one of as much from 2 h
    log = synthetic_log(8, duration=5 * 3600.0, onset=0.0, area=0.05e-6, growth_at=2 * 3600.0)
    plain = _monitor().update_many(log.time, log.pressure, log.temperature)
    assert plain.alarms[0].time < 1800.0  # the standard leak itself is a leak
    kw = {"baseline_leak": "0.05 mm^2"}
    state = _monitor(**kw).update_many(log.time, log.pressure, log.temperature)
    assert [a.kind for a in state.alarms] == ["leak"]
    assert abs(state.onset - 2 * 3600.0) <= 120.0
    assert _near(state, 0.1e-6)  # all the leaks together
    with pytest.raises(ScenarioError, match="leak"):
        _monitor(baseline_leak="3 kg")
